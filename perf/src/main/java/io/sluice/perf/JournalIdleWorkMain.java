package io.sluice.perf;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import io.sluice.journal.Journal;
import io.sluice.journal.JournalContext;
import io.sluice.journal.PartitionWriter;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The journal's work on a busy-spinning writer's thread between appends, as the engine's processing thread does it
 * under the low-latency profile: one thread appends 64-byte records at a paced rate (open loop, each on its scheduled
 * time) and calls {@link PartitionWriter#doIdleWork} while it waits for the next one, with the journal's own duties
 * running beside it (checksum, allocator reserving and pre-touching ahead). It prints how late each append was behind
 * its schedule (what an event arriving meanwhile would wait) and the distribution of the idle calls' durations, after a
 * warm-up second. No engine, no ring: the journal's share alone.
 *
 * <pre>{@code
 *   java @perf/target/classes/sluice-jvm.options -Xms1g -Xmx1g -cp perf/target/benchmarks.jar \
 *       io.sluice.perf.JournalIdleWorkMain [rate=200000] [seconds=3]
 * }</pre>
 */
public final class JournalIdleWorkMain
{
    private static final int PAYLOAD = 64;
    private static final long HIGHEST_NS = 3_600_000_000_000L;

    private JournalIdleWorkMain()
    {
    }

    /**
     * Runs the paced writer and prints one RESULT line.
     *
     * @param args {@code rate=N} appends per second, {@code seconds=S} measured after a warm-up second.
     */
    public static void main(final String[] args)
    {
        long rate = 200_000;
        int seconds = 3;
        for (final String arg : args)
        {
            if (arg.startsWith("rate="))
            {
                rate = Long.parseLong(arg.substring(5));
            }
            else if (arg.startsWith("seconds="))
            {
                seconds = Integer.parseInt(arg.substring(8));
            }
            else
            {
                throw new IllegalArgumentException("unknown argument " + arg + " (rate=N, seconds=S)");
            }
        }
        final Path directory = PerfFiles.newDirectory("idle-work");
        try (Journal journal = Journal.open(new JournalContext().directory(directory).segmentLength(JournalContext.MAX_SEGMENT_LENGTH)
            .pretouchOnOpen(true)))
        {
            run(journal.createTopic("bench", 1).partition(0).writer(), rate, seconds);
        }
        finally
        {
            PerfFiles.deleteRecursively(directory);
        }
    }

    private static void run(final PartitionWriter writer, final long rate, final int seconds)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD]);
        final Histogram late = new Histogram(HIGHEST_NS, 3);
        final Histogram calls = new Histogram(HIGHEST_NS, 3);
        final long interval = 1_000_000_000L / rate;
        final long measuredFrom = System.nanoTime() + 1_000_000_000L;
        final long end = measuredFrom + seconds * 1_000_000_000L;
        long next = System.nanoTime();
        long appended = 0;
        long working = 0;
        while (next < end)
        {
            long now;
            while ((now = System.nanoTime()) < next)
            {
                final int did = writer.doIdleWork();
                final long after = System.nanoTime();
                if (next >= measuredFrom)
                {
                    calls.recordValue(after - now);
                    working += did;
                }
            }
            writer.append(BenchmarkRecords.TYPE, 0, appended, appended, payload, 0, PAYLOAD);
            appended++;
            if (next >= measuredFrom)
            {
                late.recordValue(now - next);
            }
            next += interval;
        }
        System.out.printf("RESULT rate=%d appends=%d late behind schedule p50=%.2f p99=%.2f p99.9=%.2f max=%.1f us, over 5 us %.3f%%; " +
            "idle calls %d (%d did work) p99=%.2f p99.9=%.2f p99.99=%.2f max=%.1f us, over 5 us %d; load average %.2f%n",
            rate, appended, us(late, 50), us(late, 99), us(late, 99.9), late.getMaxValue() / 1e3, 100.0 * over(late, 5_000) / late.getTotalCount(),
            calls.getTotalCount(), working, us(calls, 99), us(calls, 99.9), us(calls, 99.99), calls.getMaxValue() / 1e3, over(calls, 5_000),
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static double us(final Histogram histogram, final double percentile)
    {
        return histogram.getValueAtPercentile(percentile) / 1e3;
    }

    private static long over(final Histogram histogram, final long nanos)
    {
        return histogram.getTotalCount() - histogram.getCountBetweenValues(0, nanos);
    }
}
