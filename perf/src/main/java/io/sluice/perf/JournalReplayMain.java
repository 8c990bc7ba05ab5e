package io.sluice.perf;

import java.lang.management.ManagementFactory;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

import io.sluice.journal.Journal;
import io.sluice.journal.JournalContext;
import io.sluice.journal.Partition;
import io.sluice.journal.PartitionReader;
import io.sluice.journal.RecordBatch;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Sequential replay of a journal partition against a raw scan of the same mapped bytes, by the CPU time of the
 * reading thread (robust to a loaded machine's descheduling), in alternating rounds. For each payload size it writes
 * one partition (one segment), then per round:
 * <ul>
 *   <li>{@code scan}: {@link RawMappedLog#scan} over the segment file, mapped apart (the baseline: no checks at all);</li>
 *   <li>{@code poll}: {@link PartitionReader#poll(io.sluice.journal.RecordHandler, int)} of every record, as a consumer
 *       tails what this process wrote, the handler making the scan's reads;</li>
 *   <li>{@code batch}: {@link PartitionReader#poll(RecordBatch, int)}, decoded by the caller, as recovery's replay reads;</li>
 *   <li>{@code reopened}: the batch read over the same records written into a second journal and closed, opened afresh
 *       each round as a restart opens it (the segment is trusted by its recovery point without a walk, so every
 *       record's integrity is checked as it is read): each round is a restart's first read.</li>
 * </ul>
 * Each ratio is records per CPU-second of the reader over the scan's, in the same round; the median over the rounds
 * after the warm-up rounds is printed with its range.
 *
 * <pre>{@code
 *   java @perf/target/classes/sluice-jvm.options -Xms1g -Xmx1g -cp perf/target/benchmarks.jar \
 *       io.sluice.perf.JournalReplayMain [rounds=5] [warmup=2] [mib=256] [payloads=64,256]
 * }</pre>
 */
public final class JournalReplayMain
{
    private static final int SEGMENT_LENGTH = 512 * 1024 * 1024;
    private static final int LIMIT = 256;

    private JournalReplayMain()
    {
    }

    /**
     * Runs the rounds and prints the results.
     *
     * @param args {@code rounds=N}, {@code warmup=W}, {@code mib=M} (MiB of frames, below 512), {@code payloads=64,256}.
     */
    public static void main(final String[] args)
    {
        int rounds = 5;
        int warmups = 2;
        int mib = 256;
        int[] payloads = {64, 256};
        for (final String arg : args)
        {
            final String value = arg.substring(arg.indexOf('=') + 1);
            if (arg.startsWith("rounds="))
            {
                rounds = Integer.parseInt(value);
            }
            else if (arg.startsWith("warmup="))
            {
                warmups = Integer.parseInt(value);
            }
            else if (arg.startsWith("mib="))
            {
                mib = Integer.parseInt(value);
            }
            else if (arg.startsWith("payloads="))
            {
                payloads = Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
            }
            else
            {
                throw new IllegalArgumentException("unknown argument '" + arg + "': use rounds=N warmup=W mib=M payloads=64,256");
            }
        }
        if (mib < 1 || mib > 511)
        {
            throw new IllegalArgumentException("mib must be in [1, 511], was " + mib);
        }
        System.out.printf("JournalReplayMain rounds=%d (+%d warm-up) mib=%d, load average %.2f%n",
            rounds, warmups, mib, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        for (final int payload : payloads)
        {
            runPayload(payload, rounds, warmups, mib);
        }
        System.out.printf("load average at the end %.2f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static void runPayload(final int payloadLength, final int rounds, final int warmups, final int mib)
    {
        final Path directory = PerfFiles.newDirectory("replay-main");
        final Path closed = PerfFiles.newDirectory("replay-main-closed");
        // The same records written a second time and closed: what a restart opens (trusted by its recovery point).
        try (Journal written = Journal.open(context(closed)))
        {
            JournalReplayBenchmark.prefill(written.createTopic("bench", 1).partition(0).writer(), payloadLength, mib * 1024 * 1024);
        }
        try (Journal journal = Journal.open(context(directory)))
        {
            final Partition partition = journal.createTopic("bench", 1).partition(0);
            final int end = JournalReplayBenchmark.prefill(partition.writer(), payloadLength, mib * 1024 * 1024);
            final long records = partition.endOffset();
            final MappedByteBuffer mapping = JournalReplayBenchmark.mapReadOnly(JournalReplayBenchmark.onlySegment(partition.directory()));
            final UnsafeBuffer raw = new UnsafeBuffer(mapping);
            System.out.printf("%npayload %d B, %d records, %d MiB of frames; CPU ns per record and ratio to the scan (records per CPU-second)%n",
                payloadLength, records, mib);
            System.out.printf("%-6s %8s | %8s %7s | %8s %7s | %8s %7s%n",
                "round", "scan", "poll", "pol/scn", "batch", "bat/scn", "reopened", "reo/scn");
            final double[][] ratios = new double[3][rounds];
            final double[][] costs = new double[4][rounds];
            final ReplayHandler handler = new ReplayHandler();
            final RecordBatch batch = new RecordBatch(LIMIT);
            long blackhole = 0;
            for (int round = 1 - warmups; round <= rounds; round++)
            {
                long start = cpuTime();
                blackhole += RawMappedLog.scan(raw, RawMappedLog.SEGMENT_HEADER_LENGTH, end);
                final double scan = (cpuTime() - start) / (double)records;

                final double poll;
                try (PartitionReader reader = partition.newReader())
                {
                    start = cpuTime();
                    long read = 0;
                    while (read < records)
                    {
                        read += pollOnce(reader, handler);
                    }
                    poll = (cpuTime() - start) / (double)records;
                }
                final double batched;
                try (PartitionReader reader = partition.newReader())
                {
                    start = cpuTime();
                    blackhole += readBatches(reader, batch, records);
                    batched = (cpuTime() - start) / (double)records;
                }
                final double reopened;
                try (Journal again = Journal.open(context(closed));
                    PartitionReader reader = again.topic("bench").partition(0).newReader())
                {
                    start = cpuTime();
                    blackhole += readBatches(reader, batch, records);
                    reopened = (cpuTime() - start) / (double)records;
                }
                System.out.printf("%-6s %8.2f | %8.2f %7.3f | %8.2f %7.3f | %8.2f %7.3f%n",
                    round <= 0 ? "warmup" : Integer.toString(round), scan, poll, scan / poll, batched, scan / batched,
                    reopened, scan / reopened);
                if (round > 0)
                {
                    ratios[0][round - 1] = scan / poll;
                    ratios[1][round - 1] = scan / batched;
                    ratios[2][round - 1] = scan / reopened;
                    costs[0][round - 1] = scan;
                    costs[1][round - 1] = poll;
                    costs[2][round - 1] = batched;
                    costs[3][round - 1] = reopened;
                }
            }
            System.out.printf("median %8.2f | %8.2f %7.3f | %8.2f %7.3f | %8.2f %7.3f%n",
                median(costs[0]), median(costs[1]), median(ratios[0]), median(costs[2]), median(ratios[1]),
                median(costs[3]), median(ratios[2]));
            System.out.printf("RESULT payload=%d replay/scan by CPU time: poll median=%.3f (min %.3f, max %.3f); " +
                "batch median=%.3f (min %.3f, max %.3f); reopened batch median=%.3f (min %.3f, max %.3f); " +
                "CPU ns per record median scan=%.2f poll=%.2f batch=%.2f reopened=%.2f [%d]%n",
                payloadLength, median(ratios[0]), min(ratios[0]), max(ratios[0]), median(ratios[1]), min(ratios[1]),
                max(ratios[1]), median(ratios[2]), min(ratios[2]), max(ratios[2]),
                median(costs[0]), median(costs[1]), median(costs[2]), median(costs[3]), (blackhole + handler.sum) & 1);
            IoUtil.unmap(mapping);
        }
        finally
        {
            PerfFiles.deleteRecursively(directory);
            PerfFiles.deleteRecursively(closed);
        }
    }

    private static JournalContext context(final Path directory)
    {
        return new JournalContext().directory(directory).segmentLength(SEGMENT_LENGTH).preallocateNextSegment(false);
    }

    private static long readBatches(final PartitionReader reader, final RecordBatch batch, final long records)
    {
        long sum = 0;
        long read = 0;
        while (read < records)
        {
            sum += readBatch(reader, batch);
            read += batch.size();
        }
        return sum;
    }

    /** One read and its decode, a method of its own so it is compiled as the engine's replay loop is, not on stack replacement. */
    private static long readBatch(final PartitionReader reader, final RecordBatch batch)
    {
        long sum = 0;
        final int count = reader.poll(batch, LIMIT);
        final DirectBuffer buffer = batch.buffer();
        for (int i = 0; i < count; i++)
        {
            sum += batch.timestamp(i) + batch.key(i) + buffer.getLong(batch.payloadOffset(i));
        }
        return sum;
    }

    private static int pollOnce(final PartitionReader reader, final ReplayHandler handler)
    {
        return reader.poll(handler, LIMIT);
    }

    private static long cpuTime()
    {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return (n & 1) == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double min(final double[] values)
    {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    private static double max(final double[] values)
    {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }
}
