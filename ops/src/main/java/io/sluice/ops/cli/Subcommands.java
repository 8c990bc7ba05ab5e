package io.sluice.ops.cli;

import java.util.StringJoiner;

import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Shared handling of commands that only group subcommands ({@code sluice}, {@code sluice journal}).
 */
public final class Subcommands
{
    private Subcommands()
    {
    }

    /**
     * The usage error of a command given without one of its subcommands, naming them.
     *
     * @param spec of the command that needs a subcommand.
     * @return the exception to throw.
     */
    public static ParameterException missing(final CommandSpec spec)
    {
        final StringJoiner commands = new StringJoiner(", ");
        spec.subcommands().forEach((name, subcommand) ->
        {
            if (!(subcommand.getCommand() instanceof HelpCommand))
            {
                commands.add(name);
            }
        });
        return new ParameterException(spec.commandLine(), "missing command: one of " + commands);
    }
}
