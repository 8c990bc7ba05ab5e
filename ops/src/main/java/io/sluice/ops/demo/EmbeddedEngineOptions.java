package io.sluice.ops.demo;

import java.nio.file.Path;
import java.util.Locale;

import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.WaitStrategyKind;
import picocli.CommandLine.Option;
import io.sluice.ops.cli.CliException;

/**
 * The picocli options shared by {@code sluice demo} and {@code sluice loadgen} for the engine they
 * embed: data directory, partitions, wait strategy; checks them, builds the {@link EngineContext}
 * and describes it in one console line. A command may reword the help of an option under its
 * {@code engine.*} description key in its resource bundle.
 *
 * <p>Threading: filled by picocli and read by the command's thread.
 */
final class EmbeddedEngineOptions
{
    @Option(names = { "-d", "--dir" }, paramLabel = "DIR", descriptionKey = "engine.dir",
        description = "Embedded engine data directory, kept afterwards (default: a temporary directory, deleted afterwards).")
    Path dir;

    @Option(names = { "-p", "--partitions" }, paramLabel = "COUNT", defaultValue = "2", descriptionKey = "engine.partitions",
        description = "Partitions per topic: of the embedded engine, or written by --print-config (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--wait-strategy", paramLabel = "KIND", defaultValue = "sleep", descriptionKey = "engine.wait-strategy",
        description = "How embedded partition threads wait: busy_spin, yield, sleep or block (default: ${DEFAULT-VALUE}).")
    WaitStrategyKind waitStrategy;

    /**
     * Checks the partition count.
     */
    void check()
    {
        CliException.checkUsage(partitions >= 1 && partitions <= 64, "--partitions must be in [1, 64], was " + partitions);
    }

    /**
     * The embedded engine's context, without checkpoints.
     *
     * @param dataDir the engine's data directory.
     * @return the context.
     */
    EngineContext context(final Path dataDir)
    {
        return new EngineContext().directory(dataDir).partitions(partitions).waitStrategy(waitStrategy).checkpoints(false);
    }

    /**
     * The console line describing the embedded engine.
     *
     * @param dataDir the engine's data directory.
     * @param cpus    the machine has.
     * @return the line, without a line separator.
     */
    String describe(final Path dataDir, final int cpus)
    {
        return String.format(Locale.ROOT, "engine: embedded, %d partition%s per topic group, wait strategy %s%s, data in %s", partitions,
            partitions == 1 ? "" : "s", waitStrategy.configName(), DemoFormat.whyWaitStrategy(waitStrategy, cpus), dataDir.toAbsolutePath());
    }
}
