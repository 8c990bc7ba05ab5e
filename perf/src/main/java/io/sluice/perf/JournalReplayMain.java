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
import io.sluice.journal.RecordDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.checksum.Crc32c;
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
 * The six reads run one after the other in each round, in an order that rotates every round. Each ratio is records
 * per CPU-second of the reader over the scan's, in the same round; the median over the rounds
 * after the warm-up rounds is printed with its range. A last column, {@code scan+crc}, is the raw scan that also computes
 * each frame's CRC32C (the journal's intrinsic, by address): the least that checking every record costs, beside which
 * the reopened read is also given ({@code reo/s+c}), to attribute its cost; it is not a baseline of the target.
 * A sixth read, {@code fresh}, is the raw scan over the reopened journal's segment file mapped afresh every round (mapped
 * before the timer starts, as the journal's open maps it): a fresh mapping's first read pays for mapping every page of
 * the file into the process, which the scan of the mapping kept across rounds does not, so {@code reo/fre} compares a
 * restart's first read with the least any first read of those bytes costs.
 *
 * <pre>{@code
 *   java @perf/target/classes/sluice-jvm.options -Xms1g -Xmx1g -cp perf/target/benchmarks.jar \
 *       io.sluice.perf.JournalReplayMain [rounds=5] [warmup=2] [mib=256] [payloads=64,256]
 * }</pre>
 */
public final class JournalReplayMain
{
    private static final int SEGMENT_LENGTH = JournalRoundsArgs.SEGMENT_LENGTH;
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
        final JournalRoundsArgs parsed = JournalRoundsArgs.parse(args, 256);
        final int rounds = parsed.rounds;
        final int warmups = parsed.warmups;
        final int mib = parsed.mib;
        final int[] payloads = parsed.payloads;
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
            System.out.printf("%-6s %8s | %8s %7s | %8s %7s | %8s %7s | %8s %7s | %8s %7s%n",
                "round", "scan", "poll", "pol/scn", "batch", "bat/scn", "reopened", "reo/scn", "scan+crc", "reo/s+c", "fresh", "reo/fre");
            final double[][] ratios = new double[5][rounds];
            final double[][] costs = new double[6][rounds];
            final Reads reads = new Reads(raw, end, partition, closed, records);
            for (int round = 1 - warmups; round <= rounds; round++)
            {
                // The order of the six reads rotates every round, so that none always runs first (a loaded machine's
                // memory and scheduler weigh on whichever comes first after the previous round's reopen and close).
                final double[] cost = new double[Reads.KINDS];
                for (int k = 0; k < Reads.KINDS; k++)
                {
                    final int kind = Math.floorMod(k + round, Reads.KINDS);
                    cost[kind] = reads.measure(kind);
                }
                final double scan = cost[Reads.SCAN];
                final double checkedScan = cost[Reads.CHECKED_SCAN];
                final double poll = cost[Reads.POLL];
                final double batched = cost[Reads.BATCH];
                final double reopened = cost[Reads.REOPENED];
                final double freshScan = cost[Reads.FRESH_SCAN];
                System.out.printf("%-6s %8.2f | %8.2f %7.3f | %8.2f %7.3f | %8.2f %7.3f | %8.2f %7.3f | %8.2f %7.3f%n",
                    round <= 0 ? "warmup" : Integer.toString(round), scan, poll, scan / poll, batched, scan / batched,
                    reopened, scan / reopened, checkedScan, checkedScan / reopened, freshScan, freshScan / reopened);
                if (round > 0)
                {
                    ratios[0][round - 1] = scan / poll;
                    ratios[1][round - 1] = scan / batched;
                    ratios[2][round - 1] = scan / reopened;
                    costs[0][round - 1] = scan;
                    costs[1][round - 1] = poll;
                    costs[2][round - 1] = batched;
                    costs[3][round - 1] = reopened;
                    costs[4][round - 1] = checkedScan;
                    ratios[3][round - 1] = checkedScan / reopened;
                    costs[5][round - 1] = freshScan;
                    ratios[4][round - 1] = freshScan / reopened;
                }
            }
            System.out.printf("median %8.2f | %8.2f %7.3f | %8.2f %7.3f | %8.2f %7.3f | %8.2f %7.3f | %8.2f %7.3f%n",
                median(costs[0]), median(costs[1]), median(ratios[0]), median(costs[2]), median(ratios[1]),
                median(costs[3]), median(ratios[2]), median(costs[4]), median(ratios[3]), median(costs[5]), median(ratios[4]));
            System.out.printf("RESULT payload=%d replay/scan by CPU time: poll median=%.3f (min %.3f, max %.3f); " +
                "batch median=%.3f (min %.3f, max %.3f); reopened batch median=%.3f (min %.3f, max %.3f); " +
                "CPU ns per record median scan=%.2f poll=%.2f batch=%.2f reopened=%.2f; " +
                "reopened / the scan with each frame's CRC32C median=%.3f (min %.3f, max %.3f), scan+crc %.2f ns; " +
                "reopened / the scan of a fresh mapping median=%.3f (min %.3f, max %.3f), fresh scan %.2f ns [%d]%n",
                payloadLength, median(ratios[0]), min(ratios[0]), max(ratios[0]), median(ratios[1]), min(ratios[1]),
                max(ratios[1]), median(ratios[2]), min(ratios[2]), max(ratios[2]),
                median(costs[0]), median(costs[1]), median(costs[2]), median(costs[3]),
                median(ratios[3]), min(ratios[3]), max(ratios[3]), median(costs[4]),
                median(ratios[4]), min(ratios[4]), max(ratios[4]), median(costs[5]), reads.blackhole & 1);
            IoUtil.unmap(mapping);
        }
        finally
        {
            PerfFiles.deleteRecursively(directory);
            PerfFiles.deleteRecursively(closed);
        }
    }

    /**
     * The raw scan plus each frame's CRC32C over the bytes the journal's checksum covers, by address (the intrinsic the
     * journal uses): what checking every record costs at least, to attribute the reopened read's cost. Not a baseline.
     */
    private static long scanChecksummed(final UnsafeBuffer buffer, final int from, final int to)
    {
        final long address = buffer.addressOffset();
        long sum = 0;
        int position = from;
        while (position < to)
        {
            final int frameLength = buffer.getInt(position + RecordDescriptor.LENGTH_OFFSET);
            sum += buffer.getLong(position + RecordDescriptor.TIMESTAMP_OFFSET) +
                buffer.getLong(position + RecordDescriptor.KEY_OFFSET) +
                buffer.getLong(position + RecordDescriptor.HEADER_LENGTH) +
                Crc32c.INSTANCE.compute(address, position + RecordDescriptor.TYPE_OFFSET, frameLength - RecordDescriptor.TYPE_OFFSET);
            position += RecordDescriptor.alignedFrameLength(frameLength - RecordDescriptor.HEADER_LENGTH);
        }
        return sum;
    }

    private static JournalContext context(final Path directory)
    {
        return new JournalContext().directory(directory).segmentLength(SEGMENT_LENGTH).preallocateNextSegment(false);
    }

    /** The six reads of one payload size, each timed by the CPU time of the calling thread. */
    private static final class Reads
    {
        static final int SCAN = 0;
        static final int CHECKED_SCAN = 1;
        static final int POLL = 2;
        static final int BATCH = 3;
        static final int REOPENED = 4;
        static final int FRESH_SCAN = 5;
        static final int KINDS = 6;

        private final UnsafeBuffer raw;
        private final int end;
        private final Partition partition;
        private final Path closed;
        private final long records;
        private final ReplayHandler handler = new ReplayHandler();
        private final RecordBatch batch = new RecordBatch(LIMIT);
        long blackhole;

        Reads(final UnsafeBuffer raw, final int end, final Partition partition, final Path closed, final long records)
        {
            this.raw = raw;
            this.end = end;
            this.partition = partition;
            this.closed = closed;
            this.records = records;
        }

        /** CPU ns per record of one read of every record. */
        double measure(final int kind)
        {
            final long start;
            switch (kind)
            {
                case SCAN:
                    start = cpuTime();
                    blackhole += RawMappedLog.scan(raw, RawMappedLog.SEGMENT_HEADER_LENGTH, end);
                    break;
                case CHECKED_SCAN:
                    start = cpuTime();
                    blackhole += scanChecksummed(raw, RawMappedLog.SEGMENT_HEADER_LENGTH, end);
                    break;
                case FRESH_SCAN:
                {
                    final MappedByteBuffer fresh = JournalReplayBenchmark.mapReadOnly(
                        JournalReplayBenchmark.onlySegment(closed.resolve("bench").resolve("partition-0")));
                    start = cpuTime();
                    blackhole += RawMappedLog.scan(new UnsafeBuffer(fresh), RawMappedLog.SEGMENT_HEADER_LENGTH, end);
                    final double cost = (cpuTime() - start) / (double)records; // before the unmap
                    IoUtil.unmap(fresh);
                    return cost;
                }
                case POLL:
                    try (PartitionReader reader = partition.newReader())
                    {
                        start = cpuTime();
                        long read = 0;
                        while (read < records)
                        {
                            read += pollOnce(reader, handler);
                        }
                        blackhole += handler.sum;
                    }
                    break;
                case BATCH:
                    try (PartitionReader reader = partition.newReader())
                    {
                        start = cpuTime();
                        blackhole += readBatches(reader, batch, records);
                    }
                    break;
                default:
                    try (Journal again = Journal.open(context(closed));
                        PartitionReader reader = again.topic("bench").partition(0).newReader())
                    {
                        start = cpuTime();
                        blackhole += readBatches(reader, batch, records);
                        final double cost = (cpuTime() - start) / (double)records; // before the close
                        return cost;
                    }
            }
            return (cpuTime() - start) / (double)records;
        }
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
