package io.sluice.ops;

/**
 * A subcommand that a module on the class path adds to the {@code sluice} command line without ops
 * depending on it (e.g. {@code sluice demo cdc} from the CDC module). Found with
 * {@link java.util.ServiceLoader}: list the implementation in
 * {@code META-INF/services/io.sluice.ops.CommandPlugin}.
 */
public interface CommandPlugin
{
    /**
     * The command the subcommand goes under, e.g. {@code demo}; empty for a top-level command.
     *
     * @return the parent command's name.
     */
    String parent();

    /**
     * A new picocli command object (annotated with {@code @Command(name = ...)}).
     *
     * @return the command.
     */
    Object command();
}
