package io.sluice.ops;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.concurrent.Callable;

import io.sluice.engine.config.ConfigException;
import io.sluice.engine.config.PipelineConfig;
import io.sluice.engine.io.Backtest;
import io.sluice.engine.io.BacktestException;
import io.sluice.engine.io.BacktestOptions;
import io.sluice.engine.io.BacktestSummary;
import io.sluice.engine.io.MalformedInputException;
import io.sluice.engine.io.MalformedInputPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import io.sluice.ops.cli.CliException;
import io.sluice.ops.cli.ExitCodes;
import io.sluice.ops.cli.SluiceVersion;
import io.sluice.ops.daemon.DaemonConfig;
import io.sluice.ops.daemon.DaemonConfigException;

/**
 * {@code sluice replay}: a backtest; the YAML pipelines over CSV/JSONL files at full speed in event
 * time ({@link Backtest#run}), with the same results the live engine gives. See docs/pipelines.md.
 *
 * <p>The pipelines come from a pipelines file ({@code --pipeline}) or from a daemon configuration
 * ({@code --config}: its YAML pipelines, inline or from its pipelines file), so that a daemon's live
 * outputs and a replay of the same input come from one file.
 *
 * <p>Inputs are either plain files ({@code --input a.csv --input b.csv}: one source topic, read one
 * after another) or one file per topic ({@code --input orders=o.csv --input payments=p.csv}: join
 * pipelines, merged by event time, ties to the topic given first). The two forms do not mix.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceVersion.class,
    description = "Backtest: run YAML pipelines over CSV/JSONL files and write their outputs.")
final class ReplayCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = { "-p", "--pipeline" }, paramLabel = "FILE", description = "Pipelines file (YAML).")
    Path pipeline;

    @Option(names = { "-c", "--config" }, paramLabel = "FILE",
        description = "Instead of --pipeline: a daemon configuration, whose YAML pipelines run (inline or its pipelines file), " +
            "so a live run's outputs diff against the replay's.")
    Path config;

    /** A topic name before '=' in {@code --input topic=file}: the engine's topic names, no path separators. */
    private static final Pattern TOPIC_INPUT = Pattern.compile("([A-Za-z0-9._-]+)=(.+)");

    @Option(names = { "-i", "--input" }, required = true, paramLabel = "[TOPIC=]FILE",
        description = "Input file, CSV or JSONL; repeat for several. TOPIC=FILE gives one file per source topic (joins), "
            + "merged by event time, ties to the topic given first.")
    List<String> inputs;

    @Option(names = { "-o", "--output" }, required = true, paramLabel = "FILE", description = "Output file (.csv or .jsonl).")
    Path output;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "1", description = "Partitions (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--malformed", paramLabel = "POLICY", defaultValue = "stop",
        description = "What a malformed input line does: stop (the run fails naming it) or skip (counted) (default: ${DEFAULT-VALUE}).")
    MalformedInputPolicy malformed;

    @Option(names = "--only", paramLabel = "PIPELINE", description = "Only these pipelines (repeatable).")
    List<String> only;

    @Override
    public Integer call()
    {
        final BacktestOptions options = new BacktestOptions().partitions(partitions).malformedInput(malformed);
        if (only != null)
        {
            options.pipelines(only);
        }
        if ((pipeline == null) == (config == null))
        {
            throw new CliException(ExitCodes.USAGE, "give the pipelines with --pipeline FILE or a daemon configuration with --config FILE (one of the two)");
        }
        final BacktestSummary summary;
        try
        {
            final Map<String, Path> byTopic = inputsByTopic(inputs);
            if (config != null)
            {
                summary = Backtest.run(daemonPipelines(), byTopic == null ? plainInputs(inputs) : null, byTopic, output, options);
            }
            else
            {
                summary = byTopic != null ?
                    Backtest.run(pipeline, byTopic, output, options) :
                    Backtest.run(pipeline, plainInputs(inputs), output, options);
            }
        }
        catch (final ConfigException ex)
        {
            // A configuration error is a usage error, as for every command: exit 2, not a run-time failure.
            final boolean daemonFile = pipeline != null && ex.getMessage().contains("unknown key 'data_dir'");
            throw new CliException(ExitCodes.USAGE, "invalid pipeline configuration: " + ex.getMessage() +
                (daemonFile ? "\n" + pipeline + " is a daemon configuration: replay its pipelines with --config " + pipeline : ""));
        }
        catch (final BacktestException | MalformedInputException ex)
        {
            throw new CliException(ex.getMessage());
        }
        spec.commandLine().getOut().print(summary.report());
        return ExitCodes.OK;
    }

    /** The YAML pipelines of the daemon configuration {@code --config}. */
    private PipelineConfig daemonPipelines()
    {
        final DaemonConfig daemon;
        try
        {
            daemon = DaemonConfig.load(config);
        }
        catch (final DaemonConfigException ex)
        {
            throw new CliException(ExitCodes.USAGE, "invalid configuration: " + ex.getMessage());
        }
        if (daemon.pipelines() == null || daemon.pipelines().pipelines().isEmpty())
        {
            throw new CliException(ExitCodes.USAGE, config + " has no YAML pipelines to replay" +
                (daemon.javaPipelines().isEmpty() ? "" : " (its java_pipelines replay through io.sluice.engine.io.Backtest.replay)"));
        }
        return daemon.pipelines();
    }

    /**
     * The inputs as one file per topic, in command-line order, or null when every input is a plain
     * file. An argument that names an existing file is a plain file even if it contains '='.
     *
     * @param arguments of {@code --input}.
     * @return files by topic, or null.
     * @throws CliException when the forms are mixed or a topic is given twice.
     */
    static Map<String, Path> inputsByTopic(final List<String> arguments)
    {
        final Map<String, Path> byTopic = new LinkedHashMap<>();
        int plain = 0;
        for (final String argument : arguments)
        {
            final var matcher = TOPIC_INPUT.matcher(argument);
            if (!matcher.matches() || Files.exists(Path.of(argument)))
            {
                plain++;
                continue;
            }
            final String topic = matcher.group(1);
            if (byTopic.put(topic, Path.of(matcher.group(2))) != null)
            {
                throw new CliException("--input: topic '" + topic + "' is given twice (one file per topic; " +
                    "to read several files of one topic, give them without TOPIC=)");
            }
        }
        if (plain > 0 && !byTopic.isEmpty())
        {
            throw new CliException("--input: either every input is TOPIC=FILE (one file per topic) or none is; got " + arguments);
        }
        return byTopic.isEmpty() ? null : byTopic;
    }

    private static List<Path> plainInputs(final List<String> arguments)
    {
        final List<Path> files = new ArrayList<>(arguments.size());
        for (final String argument : arguments)
        {
            files.add(Path.of(argument));
        }
        return files;
    }
}
