package io.sluice.ops;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import io.sluice.ops.daemon.MarkFile;
import io.sluice.ops.stat.CountersFile;
import io.sluice.ops.stat.StatReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import io.sluice.ops.cli.CliException;
import io.sluice.ops.cli.ExitCodes;
import io.sluice.ops.cli.SluiceVersion;
import io.sluice.ops.cli.Terminal;

/**
 * {@code sluice stat}: prints a daemon's counters straight from its memory-mapped counters file, as
 * AeronStat does, without JMX and without the daemon's cooperation; works on a dead daemon's file too
 * (the last values it wrote).
 */
@Command(
    name = "stat",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceVersion.class,
    description = "Print a daemon's counters from its counters file (no JMX needed).")
final class StatCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = { "-d", "--dir" }, paramLabel = "DIR", defaultValue = ".", description = "Data directory (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = { "-w", "--watch" }, description = "Refresh until Ctrl-C (or --iterations), clearing the terminal.")
    boolean watch;

    @Option(names = "--interval", paramLabel = "MS", defaultValue = "1000", description = "Refresh period (default: ${DEFAULT-VALUE} ms).")
    long intervalMillis;

    @Option(names = { "-n", "--iterations" }, paramLabel = "N", defaultValue = "0", description = "Refreshes with --watch (0: forever).")
    int iterations;

    @Option(names = "--filter", paramLabel = "TEXT", description = "Only counters whose label contains TEXT.")
    String filter;

    @Option(names = { "-e", "--errors" }, description = "Also print the distinct error log.")
    boolean errors;

    @Override
    public Integer call() throws InterruptedException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final CountersFile file;
        try
        {
            file = CountersFile.openForReading(dir);
        }
        catch (final IllegalStateException ex)
        {
            throw new CliException(ex.getMessage());
        }
        try (file)
        {
            int printed = 0;
            do
            {
                if (watch && Terminal.isInteractive())
                {
                    out.print(Terminal.CLEAR_SCREEN);
                }
                else if (watch && printed > 0)
                {
                    out.println(); // a pipe or a file gets one report after another, no escape codes
                }
                StatReport.print(file, liveness(), filter, errors, out);
                out.flush();
                printed++;
                if (watch && (iterations == 0 || printed < iterations))
                {
                    TimeUnit.MILLISECONDS.sleep(intervalMillis);
                }
            }
            while (watch && (iterations == 0 || printed < iterations));
        }
        return ExitCodes.OK;
    }

    private String liveness()
    {
        final Path directory = java.nio.file.Files.isDirectory(dir) ? dir : dir.toAbsolutePath().getParent();
        final MarkFile.Info info = MarkFile.read(directory);
        if (info == null)
        {
            return "daemon: no mark file";
        }
        final long now = System.currentTimeMillis();
        return "daemon: pid " + info.pid() + " " + info.stateName() + ", heartbeat " + (now - info.heartbeatMs()) + " ms ago, " +
            (info.isLive(now) ? "LIVE" : "NOT RUNNING") + (info.jmxPort() > 0 ? ", JMX " + info.jmxHost() + ":" + info.jmxPort() : "") +
            ", partitions not RUNNING: " + info.partitionsNotRunning() + " (FAILED " + info.partitionsFailed() + ", DEGRADED " +
            info.partitionsDegraded() + ")";
    }
}
