package io.sluice.ops;

import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;
import java.util.concurrent.Callable;

import io.sluice.journal.JournalException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import io.sluice.ops.cli.CliException;
import io.sluice.ops.cli.EnumOptions;
import io.sluice.ops.cli.ExitCodes;
import io.sluice.ops.cli.JvmOwnership;
import io.sluice.ops.cli.SluiceVersion;
import io.sluice.ops.cli.Subcommands;
import io.sluice.ops.demo.DemoCommand;
import io.sluice.ops.demo.LoadgenCommand;
import io.sluice.ops.tools.JournalCommand;

/**
 * Entry point of the {@code sluice} command line, run by the {@code ./sluice} launcher with the JVM
 * flags of the parent pom's {@code sluice.jvm.flags}.
 *
 * <p>Commands write their results to the command line's out writer and their errors to its err
 * writer (see {@link CommandLine#getOut()}), so that tests can run them through
 * {@link #execute(PrintWriter, PrintWriter, String...)} and read both.
 */
@Command(
    name = "sluice",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceVersion.class,
    description = "Sluice: a single-node, low-latency stream processor with a memory-mapped journal.",
    subcommands = { RunCommand.class, StatCommand.class, CtlCommand.class, ReplayCommand.class, DemoCommand.class, JournalCommand.class,
        LoadgenCommand.class, PublishCommand.class, VersionCommand.class, HelpCommand.class },
    footer = { "", "Exit codes: 0 success, 1 failure, 2 invalid command line or configuration, 3 journal verify found damage." })
public final class SluiceMain implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    private SluiceMain()
    {
    }

    /**
     * Runs the command line, flushes its output and exits the JVM with the command's exit code.
     *
     * @param args as given to {@code sluice}.
     */
    public static void main(final String[] args)
    {
        // Buffered and flushed once at exit: dump can print millions of lines. Straight on the file
        // descriptor, not System.out, whose PrintStream would hide a closed pipe from checkError().
        final PrintWriter out = new PrintWriter(new BufferedWriter(
            new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), 1 << 16), false);
        final PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        JvmOwnership.markEndsWithCommand();
        final int exitCode = execute(out, err, args);
        out.flush();
        err.flush();
        System.exit(exitCode);
    }

    /**
     * Runs the command line in this JVM, without exiting it.
     *
     * @param out  for the commands' results.
     * @param err  for their errors and usage messages.
     * @param args as given to {@code sluice}.
     * @return the exit code, one of {@link ExitCodes}.
     */
    public static int execute(final PrintWriter out, final PrintWriter err, final String... args)
    {
        return commandLine(out, err).execute(args);
    }

    /**
     * Builds the {@code sluice} command line with its subcommands and error handling.
     *
     * @param out  for the commands' results.
     * @param err  for their errors and usage messages.
     * @return the command line, ready to execute.
     */
    public static CommandLine commandLine(final PrintWriter out, final PrintWriter err)
    {
        final CommandLine commandLine = new CommandLine(new SluiceMain());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setParameterExceptionHandler(SluiceMain::onInvalidCommandLine);
        commandLine.setExecutionExceptionHandler(SluiceMain::onFailure);
        for (final CommandPlugin plugin : java.util.ServiceLoader.load(CommandPlugin.class))
        {
            final CommandLine parent = plugin.parent().isEmpty() ? commandLine : commandLine.getSubcommands().get(plugin.parent());
            if (parent != null)
            {
                parent.addSubcommand(plugin.command());
            }
        }
        EnumOptions.register(commandLine);
        return commandLine;
    }

    /**
     * Runs when {@code sluice} is given no command.
     *
     * @return never returns normally.
     */
    @Override
    public Integer call()
    {
        throw Subcommands.missing(spec);
    }

    private static int onInvalidCommandLine(final ParameterException ex, final String[] args)
    {
        final CommandLine commandLine = ex.getCommandLine();
        final PrintWriter err = commandLine.getErr();
        final String name = commandLine.getCommandSpec().qualifiedName();
        err.println(name + ": " + ex.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Run '" + name + " --help' for usage.");
        return ExitCodes.USAGE;
    }

    private static int onFailure(final Exception ex, final CommandLine commandLine, final ParseResult parseResult)
    {
        final PrintWriter err = commandLine.getErr();
        final String name = commandLine.getCommandSpec().qualifiedName();
        commandLine.getOut().flush();
        if (ex instanceof CliException)
        {
            err.println(name + ": " + ex.getMessage());
            return ((CliException)ex).exitCode();
        }
        if (ex instanceof JournalException)
        {
            // The message names the category, the file and the offset; enough for an operator.
            err.println(name + ": " + ex.getMessage());
            return ExitCodes.FAILURE;
        }
        if (ex instanceof IOException || ex instanceof UncheckedIOException)
        {
            err.println(name + ": I/O error: " + ex.getMessage());
            return ExitCodes.FAILURE;
        }
        err.println(name + ": unexpected failure: " + ex);
        ex.printStackTrace(err);
        return ExitCodes.FAILURE;
    }
}
