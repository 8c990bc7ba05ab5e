package io.sluice.loadgen;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * Writes the results of a run: a percentile report (.hgrm, microseconds) of the measured events and
 * of each sweep step, a CSV of target vs achieved rate with percentiles, a percentile-distribution
 * plot, and for sweeps a latency-vs-rate plot (PNG, headless).
 */
public final class Reports
{
    private static final double[] PERCENTILES = {50, 90, 99, 99.9, 99.99};

    private Reports()
    {
    }

    /**
     * Writes every report of a run.
     *
     * @param dir    to write into.
     * @param result of the run.
     * @return the files, by what they are.
     * @throws IOException if a file cannot be written.
     */
    public static Map<String, Path> write(final Path dir, final RunResult result) throws IOException
    {
        final Map<String, Path> files = new LinkedHashMap<>();
        final List<RunResult.GroupResult> measured = result.measured();
        files.put("hgrm", hgrm(dir.resolve("latency.hgrm"), result.measuredLatency()));
        if (measured.size() > 1)
        {
            for (final RunResult.GroupResult group : measured)
            {
                hgrm(dir.resolve("latency-" + group.name() + ".hgrm"), group.latency());
            }
        }
        files.put("rates-csv", rates(dir.resolve("rates.csv"), measured));
        System.setProperty("java.awt.headless", "true");
        files.put("percentiles-png", percentilePlot(dir.resolve("latency-percentiles.png"), measured));
        if (measured.size() > 1)
        {
            files.put("rate-png", RatePlot.write(dir.resolve("latency-vs-rate.png"), measured));
        }
        return files;
    }

    private static Path hgrm(final Path file, final Histogram histogram) throws IOException
    {
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8))
        {
            // Values are nanoseconds; the report is in microseconds.
            histogram.outputPercentileDistribution(out, 1000.0);
        }
        return file;
    }

    private static Path rates(final Path file, final List<RunResult.GroupResult> groups) throws IOException
    {
        final List<String> lines = new ArrayList<>();
        lines.add("group,target_rate,achieved_rate,events,p50_us,p90_us,p99_us,p99_9_us,p99_99_us,max_us");
        for (final RunResult.GroupResult g : groups)
        {
            final Histogram h = g.latency();
            final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s,%.0f,%.0f,%d",
                g.name(), g.targetRate(), g.achievedRate(), g.sent()));
            for (final double p : PERCENTILES)
            {
                line.append(String.format(Locale.ROOT, ",%.1f", h.getValueAtPercentile(p) / 1000.0));
            }
            line.append(String.format(Locale.ROOT, ",%.1f", h.getMaxValue() / 1000.0));
            lines.add(line.toString());
        }
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    private static Path percentilePlot(final Path file, final List<RunResult.GroupResult> groups) throws IOException
    {
        final Map<String, Histogram> series = new LinkedHashMap<>();
        for (final RunResult.GroupResult group : groups)
        {
            series.put(String.format(Locale.ROOT, "%s (%,.0f ev/s)", group.name(), group.achievedRate()), group.latency());
        }
        return PercentilePlot.write(file, "End-to-end latency by percentile (from scheduled send time)", series);
    }
}
