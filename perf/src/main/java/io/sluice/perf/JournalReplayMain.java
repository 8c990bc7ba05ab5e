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
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.checksum.Crc32c;

/**
 * Sequential replay of a journal partition against a raw scan of the same bytes, by the CPU time of the reading thread
 * (robust to a loaded machine's descheduling), in rounds. Every ratio compares two reads in the same state of their
 * mappings, warm with warm and fresh with fresh. For each payload size it writes one partition (one segment), and the
 * same records into a second journal that it closes (what a restart opens); then, per round, it opens that second
 * journal afresh and times two groups of reads.
 *
 * <p><b>Warm mappings</b>, the reads in an order that rotates every round, <em>each timed after a pass of its own</em>:
 * the same read runs once untimed right before, so that whatever the round did before it (another read, the reopen, a
 * mapping made and dropped) leaves no cost in it, then twice timed, the lesser kept (a pass during which another process
 * took the core and cooled its caches is left out). On this VM the first pass over a 128 MiB mapping after the process
 * touched other memory costs 4 to 10 times the second without a single page fault (section 44 of perf/README.md):
 * compared with a second pass, a first pass gave ratios from 0.08 to 8 in the same run.
 * <ul>
 *   <li>{@code scan}: {@link RawMappedLog#scan} over the first journal's segment file, mapped apart (the baseline: no
 *       checks at all);</li>
 *   <li>{@code poll}: {@link PartitionReader#poll(io.sluice.journal.RecordHandler, int)} of every record, as a consumer
 *       tails what this process wrote, the handler making the scan's reads;</li>
 *   <li>{@code batch}: {@link PartitionReader#poll(RecordBatch, int)}, decoded by the caller, as recovery's replay reads;</li>
 *   <li>{@code checked}: the batch read of the reopened journal, whose segment its open trusted by the recovery point
 *       without a walk, so every record's CRC32C is checked as it is read (what a restart reads);</li>
 *   <li>{@code scan+crc}: the raw scan also computing each frame's CRC32C (the journal's intrinsic, by address): the
 *       least that checking every record costs, beside which {@code checked} is given too ({@code chk/s+c}), to
 *       attribute its cost; not a baseline of the target.</li>
 * </ul>
 * <b>Fresh mappings</b>, in an order that alternates every round, before the warm group: {@code fresh}, the raw scan of
 * the reopened journal's segment file mapped afresh (before the timer starts, as the journal's open maps it), and
 * {@code first}, the reopened journal's first read (the batch read, every record CRC32C-checked: a restart's first
 * read). Both pay for mapping every page of the file into the process; {@code fst/fre} compares them.
 *
 * <p>Each ratio is records per CPU-second of the read over its baseline's, in the same round; the median over the rounds
 * after the warm-up rounds is printed with its range. {@code flt} columns are the calling thread's minor page faults
 * during the timed reads: the largest of the warm group's (0 when they are warm), then those of the two fresh reads.
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
        System.out.printf("JournalReplayMain rounds=%d (+%d warm-up) mib=%d, load average %.2f%n",
            parsed.rounds, parsed.warmups, parsed.mib, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        for (final int payload : parsed.payloads)
        {
            runPayload(payload, parsed.rounds, parsed.warmups, parsed.mib);
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
            System.out.printf("%npayload %d B, %d records, %d MiB of frames; CPU ns per record and ratio to the baseline " +
                "(records per CPU-second); warm reads: the lesser of two timed passes after an untimed one; fresh reads: a mapping made for each%n",
                payloadLength, records, mib);
            System.out.printf("%-6s %8s | %8s %7s | %8s %7s | %8s %7s | %8s %7s | %5s || %8s | %8s %7s | %9s%n",
                "round", "scan", "poll", "pol/scn", "batch", "bat/scn", "checked", "chk/scn", "scan+crc", "chk/s+c", "flt",
                "fresh", "first", "fst/fre", "flt");
            final Reads reads = new Reads(new UnsafeBuffer(mapping), end, partition,
                JournalReplayBenchmark.onlySegment(closed.resolve("bench").resolve("partition-0")), records);
            final Figures figures = new Figures(rounds);
            for (int round = 1 - warmups; round <= rounds; round++)
            {
                try (Journal reopened = Journal.open(context(closed)))
                {
                    figures.add(round, reads.round(round, reopened.topic("bench").partition(0)));
                }
            }
            figures.print(payloadLength, reads.blackhole);
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

    /** The reads of one payload size, each timed by the CPU time of the calling thread. */
    private static final class Reads
    {
        static final int SCAN = 0;
        static final int CHECKED_SCAN = 1;
        static final int POLL = 2;
        static final int BATCH = 3;
        static final int CHECKED = 4;
        static final int WARM_KINDS = 5;
        static final int FRESH_SCAN = 5;
        static final int FIRST_READ = 6;
        static final int KINDS = 7;

        private final UnsafeBuffer raw;
        private final int end;
        private final Partition partition;
        private final Path closedSegment;
        private final long records;
        private final ReplayHandler handler = new ReplayHandler();
        private final RecordBatch batch = new RecordBatch(LIMIT);
        private Partition reopened;
        long blackhole;

        Reads(final UnsafeBuffer raw, final int end, final Partition partition, final Path closedSegment, final long records)
        {
            this.raw = raw;
            this.end = end;
            this.partition = partition;
            this.closedSegment = closedSegment;
            this.records = records;
        }

        /**
         * One round over the partition of a journal just reopened: the two fresh reads first, in an order that
         * alternates, then the warm reads in an order that rotates.
         *
         * @return CPU ns per record of each kind, then the faults: [KINDS] warm max, [KINDS + 1] fresh, [KINDS + 2] first.
         */
        double[] round(final int round, final Partition reopened)
        {
            this.reopened = reopened;
            final double[] result = new double[KINDS + 3];
            final long[] faults = new long[KINDS];
            for (int k = 0; k < 2; k++)
            {
                final int kind = (k + round & 1) == 0 ? FRESH_SCAN : FIRST_READ;
                result[kind] = timed(kind, faults);
            }
            for (int k = 0; k < WARM_KINDS; k++)
            {
                final int kind = Math.floorMod(k + round, WARM_KINDS);
                blackhole += read(kind); // untimed first pass: see the class javadoc
                final double first = timed(kind, faults);
                final long firstFaults = faults[kind];
                result[kind] = Math.min(first, timed(kind, faults));
                faults[kind] = Math.max(firstFaults, faults[kind]);
            }
            result[KINDS] = Arrays.stream(faults, 0, WARM_KINDS).max().orElse(0);
            result[KINDS + 1] = faults[FRESH_SCAN];
            result[KINDS + 2] = faults[FIRST_READ];
            return result;
        }

        /** CPU ns per record of one read of every record; its minor faults into {@code faults[kind]}. */
        private double timed(final int kind, final long[] faults)
        {
            final MappedByteBuffer fresh = kind == FRESH_SCAN ? JournalReplayBenchmark.mapReadOnly(closedSegment) : null;
            final long faultsBefore = ThreadFaults.minor();
            final long start = cpuTime();
            blackhole += fresh == null ? read(kind) : RawMappedLog.scan(new UnsafeBuffer(fresh), RawMappedLog.SEGMENT_HEADER_LENGTH, end);
            final long cpu = cpuTime() - start;
            faults[kind] = ThreadFaults.minor() - faultsBefore;
            if (fresh != null)
            {
                IoUtil.unmap(fresh);
            }
            return cpu / (double)records;
        }

        private long read(final int kind)
        {
            switch (kind)
            {
                case SCAN:
                    return RawMappedLog.scan(raw, RawMappedLog.SEGMENT_HEADER_LENGTH, end);
                case CHECKED_SCAN:
                    return scanChecksummed(raw, RawMappedLog.SEGMENT_HEADER_LENGTH, end);
                case POLL:
                    return pollAll(partition);
                case BATCH:
                    return readBatches(partition);
                default: // CHECKED and FIRST_READ: the reopened journal's batch read, every record CRC32C-checked
                    return readBatches(reopened);
            }
        }

        private long pollAll(final Partition from)
        {
            try (PartitionReader reader = from.newReader())
            {
                long read = 0;
                while (read < records)
                {
                    read += pollOnce(reader, handler);
                }
                return handler.sum;
            }
        }

        private long readBatches(final Partition from)
        {
            try (PartitionReader reader = from.newReader())
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
        }
    }

    /** The rounds' costs and ratios, and their medians. */
    private static final class Figures
    {
        private final double[][] costs = new double[Reads.KINDS][];
        private final double[][] ratios = new double[5][];
        private final double[][] faults = new double[3][];

        Figures(final int rounds)
        {
            for (final double[][] figures : new double[][][] {costs, ratios, faults})
            {
                for (int i = 0; i < figures.length; i++)
                {
                    figures[i] = new double[rounds];
                }
            }
        }

        void add(final int round, final double[] result)
        {
            final double scan = result[Reads.SCAN];
            final double checked = result[Reads.CHECKED];
            final double[] ratio = {scan / result[Reads.POLL], scan / result[Reads.BATCH], scan / checked,
                result[Reads.CHECKED_SCAN] / checked, result[Reads.FRESH_SCAN] / result[Reads.FIRST_READ]};
            System.out.printf("%-6s %8.2f | %8.2f %7.3f | %8.2f %7.3f | %8.2f %7.3f | %8.2f %7.3f | %5.0f || %8.2f | %8.2f %7.3f | %4.0f %4.0f%n",
                round <= 0 ? "warmup" : Integer.toString(round), scan, result[Reads.POLL], ratio[0], result[Reads.BATCH], ratio[1],
                checked, ratio[2], result[Reads.CHECKED_SCAN], ratio[3], result[Reads.KINDS],
                result[Reads.FRESH_SCAN], result[Reads.FIRST_READ], ratio[4], result[Reads.KINDS + 1], result[Reads.KINDS + 2]);
            if (round > 0)
            {
                for (int i = 0; i < Reads.KINDS; i++)
                {
                    costs[i][round - 1] = result[i];
                }
                for (int i = 0; i < ratio.length; i++)
                {
                    ratios[i][round - 1] = ratio[i];
                }
                for (int i = 0; i < faults.length; i++)
                {
                    faults[i][round - 1] = result[Reads.KINDS + i];
                }
            }
        }

        void print(final int payloadLength, final long blackhole)
        {
            System.out.printf("median %8.2f | %8.2f %7.3f | %8.2f %7.3f | %8.2f %7.3f | %8.2f %7.3f | %5.0f || %8.2f | %8.2f %7.3f | %4.0f %4.0f%n",
                median(costs[Reads.SCAN]), median(costs[Reads.POLL]), median(ratios[0]), median(costs[Reads.BATCH]), median(ratios[1]),
                median(costs[Reads.CHECKED]), median(ratios[2]), median(costs[Reads.CHECKED_SCAN]), median(ratios[3]), max(faults[0]),
                median(costs[Reads.FRESH_SCAN]), median(costs[Reads.FIRST_READ]), median(ratios[4]), median(faults[1]), median(faults[2]));
            // The suite's parser (SuiteParsers.journalReplayCpu) reads this line.
            System.out.printf("RESULT payload=%d replay/scan by CPU time, warm mappings: poll median=%s; batch median=%s; " +
                "checked batch median=%s; CPU ns per record median scan=%.2f poll=%.2f batch=%.2f checked=%.2f; " +
                "checked / the scan with each frame's CRC32C median=%s, scan+crc %.2f ns; " +
                "fresh mappings: a reopened journal's first read / the scan of a fresh mapping median=%s, fresh scan %.2f ns, " +
                "first read %.2f ns; minor faults per timed read: warm max %.0f, fresh scan median %.0f, first read median %.0f [%d]%n",
                payloadLength, spread(ratios[0]), spread(ratios[1]), spread(ratios[2]),
                median(costs[Reads.SCAN]), median(costs[Reads.POLL]), median(costs[Reads.BATCH]), median(costs[Reads.CHECKED]),
                spread(ratios[3]), median(costs[Reads.CHECKED_SCAN]),
                spread(ratios[4]), median(costs[Reads.FRESH_SCAN]), median(costs[Reads.FIRST_READ]),
                max(faults[0]), median(faults[1]), median(faults[2]), blackhole & 1);
        }

        private static String spread(final double[] values)
        {
            return String.format("%.3f (min %.3f, max %.3f)", median(values), min(values), max(values));
        }
    }

    /**
     * The raw scan plus each frame's CRC32C over the bytes the journal's checksum covers, by address (the intrinsic the
     * journal uses): what checking every record costs at least, to attribute the checked read's cost. Not a baseline.
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
