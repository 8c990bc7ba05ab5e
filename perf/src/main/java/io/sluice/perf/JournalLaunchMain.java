package io.sluice.perf;

import java.nio.file.Path;
import java.util.Arrays;

import io.sluice.journal.Journal;
import io.sluice.journal.JournalContext;
import io.sluice.journal.PartitionWriter;
import io.sluice.journal.RecordDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * JOURNALED append rate over the first seconds after a launch, as a time series, against the rate of a
 * raw memcpy of the same frames into pre-allocated mapped files measured in the same run: what a user
 * sees from a fresh journal, where steady-state figures hide the creation of the first segment, the
 * pre-allocation of the next ones and the page faults of fresh mappings.
 *
 * <p>Each round: open a fresh journal (timed: creating the first segment is part of a launch), append
 * {@code payload}-byte records as fast as one thread can for {@code seconds}, counting records per
 * {@code intervalMs} (rolls included, with the default background duties); then the raw baseline, the
 * same loop into a ring of two pre-allocated files of the segment length ({@link RawMappedLog},
 * created untimed), whose median interval rate is the round's reference.
 *
 * <pre>{@code
 *   java @perf/target/classes/sluice-jvm.options -Xms1g -Xmx1g -cp perf/target/benchmarks.jar \
 *       io.sluice.perf.JournalLaunchMain [rounds=3] [seconds=3] [segmentMib=1024] [payload=64] [intervalMs=100] [pretouch=false]
 * }</pre>
 */
public final class JournalLaunchMain
{
    private JournalLaunchMain()
    {
    }

    /**
     * Runs the rounds and prints each time series.
     *
     * @param args {@code rounds=N seconds=S segmentMib=M payload=B intervalMs=I pretouch=true|false}.
     */
    public static void main(final String[] args)
    {
        int rounds = 3;
        int seconds = 3;
        int segmentMib = 1024;
        int payload = 64;
        int intervalMs = 100;
        boolean pretouch = false;
        for (final String arg : args)
        {
            final String value = arg.substring(arg.indexOf('=') + 1);
            if (arg.startsWith("rounds="))
            {
                rounds = Integer.parseInt(value);
            }
            else if (arg.startsWith("seconds="))
            {
                seconds = Integer.parseInt(value);
            }
            else if (arg.startsWith("segmentMib="))
            {
                segmentMib = Integer.parseInt(value);
            }
            else if (arg.startsWith("payload="))
            {
                payload = Integer.parseInt(value);
            }
            else if (arg.startsWith("intervalMs="))
            {
                intervalMs = Integer.parseInt(value);
            }
            else if (arg.startsWith("pretouch="))
            {
                pretouch = Boolean.parseBoolean(value);
            }
            else
            {
                throw new IllegalArgumentException("unknown argument '" + arg +
                    "': use rounds=N seconds=S segmentMib=M payload=B intervalMs=I pretouch=true|false");
            }
        }
        final int segmentLength = (int)Math.min((long)segmentMib << 20, JournalContext.MAX_SEGMENT_LENGTH);
        final int intervals = (int)((seconds * 1000L) / intervalMs);
        System.out.printf("JournalLaunchMain rounds=%d seconds=%d segment=%d MiB payload=%d B interval=%d ms pretouch=%s dir=%s%n",
            rounds, seconds, segmentLength >> 20, payload, intervalMs, pretouch,
            System.getProperty(PerfFiles.DIR_PROPERTY, System.getProperty("java.io.tmpdir")));
        final UnsafeBuffer frame = BenchmarkRecords.frame(payload);
        final double[] firstSecondRatios = new double[rounds];
        final double[] wholeRatios = new double[rounds];
        for (int round = 1; round <= rounds; round++)
        {
            final long[] journalCounts = new long[intervals];
            final long[] faults = new long[2];
            final long openNs = runJournal(frame, payload, segmentLength, intervalMs, journalCounts, pretouch, faults);
            final long[] rawCounts = new long[intervals];
            runRaw(frame, payload, segmentLength, intervalMs, rawCounts, faults);
            final double rawMedian = median(rawCounts);
            System.out.printf("%nround %d: journal open + first segment %.1f ms; raw median %.2f Mrec/s per interval; " +
                "minor page faults of the appending thread: journal %d, raw %d%n",
                round, openNs / 1e6, rawMedian * 1000.0 / intervalMs / 1e6, faults[0], faults[1]);
            System.out.printf("%8s %12s %12s %8s%n", "t (ms)", "jnl Mrec/s", "raw Mrec/s", "jnl/raw");
            for (int i = 0; i < intervals; i++)
            {
                System.out.printf("%8d %12.2f %12.2f %8.3f%n", (i + 1) * intervalMs,
                    journalCounts[i] * 1000.0 / intervalMs / 1e6, rawCounts[i] * 1000.0 / intervalMs / 1e6,
                    journalCounts[i] / rawMedian);
            }
            final int firstSecond = Math.min(intervals, 1000 / intervalMs);
            firstSecondRatios[round - 1] = sum(journalCounts, firstSecond) / (rawMedian * firstSecond);
            wholeRatios[round - 1] = sum(journalCounts, intervals) / (rawMedian * intervals);
            System.out.printf("round %d: journal/raw over the first second %.3f, over %d s %.3f (records counted from the open)%n",
                round, firstSecondRatios[round - 1], seconds, wholeRatios[round - 1]);
        }
        System.out.printf("%nRESULT launch payload=%d journal/raw first second median=%.3f (min %.3f, max %.3f); " +
            "over %d s median=%.3f (min %.3f, max %.3f)%n", payload,
            medianOf(firstSecondRatios), Arrays.stream(firstSecondRatios).min().orElse(0),
            Arrays.stream(firstSecondRatios).max().orElse(0), seconds,
            medianOf(wholeRatios), Arrays.stream(wholeRatios).min().orElse(0), Arrays.stream(wholeRatios).max().orElse(0));
    }

    private static long runJournal(
        final UnsafeBuffer frame,
        final int payload,
        final int segmentLength,
        final int intervalMs,
        final long[] counts,
        final boolean pretouch,
        final long[] faults)
    {
        final Path directory = PerfFiles.newDirectory("launch-journal");
        final long start = System.nanoTime();
        try (Journal journal = Journal.open(pretouch(new JournalContext()
            .directory(directory)
            .segmentLength(segmentLength)
            .retentionBytes(2L * segmentLength), pretouch)))
        {
            final PartitionWriter writer = journal.createTopic("bench", 1).partition(0).writer();
            final long openNs = System.nanoTime() - start;
            final long faultsStart = ThreadFaults.minor();
            final long intervalNs = intervalMs * 1_000_000L;
            long sequence = 0;
            int interval = 0;
            long intervalEnd = start + intervalNs;
            long count = 0;
            while (interval < counts.length)
            {
                for (int i = 0; i < 1024; i++)
                {
                    writer.append(BenchmarkRecords.TYPE, 0, sequence, sequence, frame, RecordDescriptor.HEADER_LENGTH, payload);
                    sequence++;
                }
                count += 1024;
                final long now = System.nanoTime();
                while (now >= intervalEnd && interval < counts.length)
                {
                    counts[interval++] = count;
                    count = 0;
                    intervalEnd += intervalNs;
                }
                if ((sequence & 0xFFFFF) == 0)
                {
                    journal.enforceRetention();
                }
            }
            faults[0] = ThreadFaults.minor() - faultsStart;
            return openNs;
        }
        finally
        {
            PerfFiles.deleteRecursively(directory);
        }
    }

    /** The switch a low-latency profile turns on, applied only when asked (absent before it existed). */
    private static JournalContext pretouch(final JournalContext context, final boolean pretouch)
    {
        return pretouch ? context.pretouchOnOpen(true) : context;
    }

    private static void runRaw(
        final UnsafeBuffer frame,
        final int payload,
        final int segmentLength,
        final int intervalMs,
        final long[] counts,
        final long[] faults)
    {
        final Path directory = PerfFiles.newDirectory("launch-raw");
        final int frameLength = RecordDescriptor.HEADER_LENGTH + payload;
        final int aligned = RecordDescriptor.alignedFrameLength(payload);
        try (RawMappedLog log = RawMappedLog.create(directory, segmentLength, 2))
        {
            final long faultsStart = ThreadFaults.minor();
            final long start = System.nanoTime();
            final long intervalNs = intervalMs * 1_000_000L;
            int interval = 0;
            long intervalEnd = start + intervalNs;
            long count = 0;
            while (interval < counts.length)
            {
                for (int i = 0; i < 1024; i++)
                {
                    log.append(frame, frameLength, aligned);
                }
                count += 1024;
                final long now = System.nanoTime();
                while (now >= intervalEnd && interval < counts.length)
                {
                    counts[interval++] = count;
                    count = 0;
                    intervalEnd += intervalNs;
                }
            }
            faults[1] = ThreadFaults.minor() - faultsStart;
        }
        finally
        {
            PerfFiles.deleteRecursively(directory);
        }
    }

    private static double sum(final long[] counts, final int n)
    {
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            total += counts[i];
        }
        return total;
    }

    private static double median(final long[] counts)
    {
        final long[] sorted = counts.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return (n & 1) == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    private static double medianOf(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return (n & 1) == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }
}
