package io.sluice.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.sluice.ops.cli.ExitCodes;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What a new user meets first on the command line: every command and subcommand answers
 * {@code --help}; the top-level help does not cut a command's description; enum options have one
 * casing (lower case, as the configuration writes them) in help, defaults and errors, and are accepted
 * in any case; {@code demo} and {@code loadgen} shape their load, sweeps included, with the same options.
 */
class CommandLineSurfaceTest
{
    private static final List<String> LOAD_OPTIONS = List.of("--rate", "--duration", "--warm-up", "--sweep", "--step", "--burst-every",
        "--burst-factor", "--partitions", "--wait-strategy", "--dir", "--out", "--seed");

    private static CommandLine commandLine()
    {
        return SluiceMain.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    }

    @Test
    void shouldAnswerHelpForEveryCommandAndSubcommand()
    {
        final List<List<String>> paths = new ArrayList<>();
        collect(commandLine(), new ArrayList<>(), paths);
        assertThat(paths).extracting(p -> String.join(" ", p)).contains("version", "journal dump", "ctl", "publish", "loadgen");
        for (final List<String> path : paths)
        {
            final List<String> args = new ArrayList<>(path);
            args.add("--help");
            final CliResult help = CliResult.run(args.toArray(new String[0]));
            assertThat(help.exitCode()).as("%s: %s", args, help).isEqualTo(ExitCodes.OK);
            assertThat(help.out()).as("%s", args).contains("Usage: sluice " + String.join(" ", path));
        }
    }

    private static void collect(final CommandLine command, final List<String> path, final List<List<String>> paths)
    {
        command.getSubcommands().forEach((name, sub) ->
        {
            if (!name.equals("help") && sub.getCommandSpec().name().equals(name))
            {
                final List<String> subPath = new ArrayList<>(path);
                subPath.add(name);
                paths.add(subPath);
                collect(sub, subPath, paths);
            }
        });
    }

    @Test
    void shouldShowEveryCommandsWholeDescriptionInTheTopLevelHelp()
    {
        final String help = CliResult.run("--help").out().replaceAll("\\s+", " ");
        commandLine().getSubcommands().forEach((name, sub) ->
        {
            final String[] header = sub.getCommandSpec().usageMessage().header();
            final String summary = header.length > 0 ? header[0] : sub.getCommandSpec().usageMessage().description()[0];
            assertThat(summary).as(name).endsWith(".");
            assertThat(help).as(name).contains(name + " " + summary.replaceAll("\\s+", " "));
        });
    }

    @Test
    void shouldShowEnumOptionsInLowerCaseInDefaultsAndErrorsAndAcceptAnyCase()
    {
        final List<String> enumOptions = new ArrayList<>();
        forEachOption(commandLine(), (command, option) ->
        {
            if (option.type().isEnum())
            {
                enumOptions.add(command + " " + option.longestName());
                if (option.defaultValue() != null)
                {
                    assertThat(option.defaultValue()).as("default of %s %s", command, option.longestName())
                        .isEqualTo(option.defaultValue().toLowerCase(Locale.ROOT));
                }
            }
        });
        assertThat(enumOptions).contains("loadgen --target", "demo --wait-strategy", "dump --format", "publish --ack", "replay --malformed");

        assertError(CliResult.run("loadgen", "--target", "moon"), "'--target': expected one of embedded, aeron, was 'moon'");
        assertError(CliResult.run("demo", "--wait-strategy", "fast"), "'--wait-strategy': expected one of busy_spin, yield, sleep, block, was 'fast'");
        assertError(CliResult.run("journal", "dump", "-d", "x", "-t", "t", "--format", "xml"), "expected one of hex, table, csv, jsonl, was 'xml'");
        assertError(CliResult.run("publish", "--config", "x.yaml", "--topic", "t", "--ack", "soon"), "expected one of journaled, durable, was 'soon'");
        assertError(CliResult.run("replay", "-p", "p.yaml", "-i", "t=f.csv", "-o", "o.csv", "--malformed", "ignore"),
            "expected one of stop, skip, was 'ignore'");
        assertThat(CliResult.run("replay", "--help").out().replaceAll("\\s+", " ")).contains("(default: stop)");

        for (final String value : new String[] {"busy_spin", "BUSY_SPIN", "Busy-Spin"})
        {
            final CliResult run = CliResult.run("loadgen", "--scenario", "sensors", "--wait-strategy", value, "--target", "AERON",
                "--print-config");
            assertThat(run.exitCode()).as("%s: %s", value, run).isEqualTo(ExitCodes.OK);
        }
    }

    private static void assertError(final CliResult result, final String message)
    {
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains(message).doesNotContainPattern("\\[[A-Z_]+, ");
    }

    @Test
    void shouldShapeTheLoadOfDemoAndLoadgenWithTheSameOptions()
    {
        final CommandLine root = commandLine();
        final Set<String> demo = root.getSubcommands().get("demo").getCommandSpec().optionsMap().keySet();
        final Set<String> loadgen = root.getSubcommands().get("loadgen").getCommandSpec().optionsMap().keySet();
        assertThat(demo).containsAll(LOAD_OPTIONS);
        assertThat(loadgen).containsAll(LOAD_OPTIONS);

        // A sweep runs each rate for --step seconds in both; --duration is a one-rate run's length.
        final CliResult sweep = CliResult.run("loadgen", "--scenario", "sensors", "--sweep", "20000,40000", "--step", "2", "--print-config");
        assertThat(sweep.exitCode()).as(sweep.toString()).isEqualTo(ExitCodes.OK);
        for (final String command : new String[] {"demo", "loadgen"})
        {
            final CliResult both = CliResult.run(command, "--sweep", "20000,40000", "--duration", "3");
            assertThat(both.exitCode()).as(both.toString()).isEqualTo(ExitCodes.USAGE);
            assertThat(both.err()).as(command).contains("a --sweep runs each rate for --step seconds");
            final CliResult step = CliResult.run(command, "--sweep", "20000", "--step", "0");
            assertThat(step.exitCode()).as(step.toString()).isEqualTo(ExitCodes.USAGE);
            assertThat(step.err()).as(command).contains("--step must be in [1, 3600] s, was 0");
        }
    }

    private interface OptionVisitor
    {
        void visit(String command, OptionSpec option);
    }

    private static void forEachOption(final CommandLine command, final OptionVisitor visitor)
    {
        for (final OptionSpec option : command.getCommandSpec().options())
        {
            visitor.visit(command.getCommandName(), option);
        }
        command.getSubcommands().forEach((name, sub) ->
        {
            if (sub.getCommandSpec().name().equals(name))
            {
                forEachOption(sub, visitor);
            }
        });
    }
}
