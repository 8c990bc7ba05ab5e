package io.sluice.ops;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import io.sluice.engine.config.ConfigException;
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

/**
 * {@code sluice replay}: a backtest; the YAML pipelines over CSV/JSONL files at full speed in event
 * time ({@link Backtest#run}), with the same results the live engine gives. See docs/pipelines.md.
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

    @Option(names = { "-p", "--pipeline" }, required = true, paramLabel = "FILE", description = "Pipelines file (YAML).")
    Path pipeline;

    @Option(names = { "-i", "--input" }, required = true, paramLabel = "FILE", description = "Input file, CSV or JSONL; repeat for several.")
    List<Path> inputs;

    @Option(names = { "-o", "--output" }, required = true, paramLabel = "FILE", description = "Output file (.csv or .jsonl).")
    Path output;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "1", description = "Partitions (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--malformed", paramLabel = "POLICY", defaultValue = "STOP", description = "stop or skip (default: ${DEFAULT-VALUE}).")
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
        final BacktestSummary summary;
        try
        {
            summary = Backtest.run(pipeline, inputs, output, options);
        }
        catch (final ConfigException | BacktestException | MalformedInputException ex)
        {
            throw new CliException(ex.getMessage());
        }
        spec.commandLine().getOut().print(summary.report());
        return ExitCodes.OK;
    }
}
