package io.sluice.perf;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;

import io.sluice.journal.Journal;
import io.sluice.journal.JournalContext;
import io.sluice.journal.Partition;
import io.sluice.journal.PartitionReader;
import io.sluice.journal.PartitionWriter;
import io.sluice.journal.RecordDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * End-to-end JOURNALED append and replay throughput as ratios to raw mapped-memory baselines
 * measured in the same run, robust to a noisy shared machine: for each payload size it runs
 * alternating rounds (the order flips every round) of
 * <ol>
 *   <li>raw: a memcpy of each frame into a fresh mapped file of the segment length, prepared as the journal
 *       prepares its segment (sparse, the round's bytes written as zeros and not forced, every page touched), then a
 *       raw sequential scan of those frames ({@link RawMappedLog#createSparse});</li>
 *   <li>raw+crc: the same copy plus the journal's CRC32C computation, to attribute the gap;</li>
 *   <li>journal: {@link PartitionWriter#append} into a fresh journal partition, with the journal's
 *       background duties running as in production (the checksum duty, the allocator reserving and
 *       pre-touching space ahead of the writer), then {@link PartitionReader#poll} over what was
 *       written. {@code jnl/raw} is the writer's rate; {@code ckd/raw} counts until the checksum duty
 *       has stored the last record's CRC32C (both threads' work done); {@code cpu j/r} compares the
 *       records per CPU-second of the measuring thread (journal writer over raw copier), which a loaded
 *       machine's descheduling does not distort (the duties' own CPU is not in it); {@code raw flt} and
 *       {@code jnl flt} count the measuring thread's minor page faults over the timed copies (a fault
 *       there is a page the pre-touch missed);</li>
 *   <li>alone: the same appends into another fresh journal with none of its duties running (nothing beside
 *       the writer, as beside the raw copy; the close checksums what was appended, untimed): {@code cpu a/r}
 *       is the append path's own CPU against the raw copy's, without the checksum duty reading the lines
 *       behind the writer on the other core;</li>
 *   <li>duty: the CPU time of the journal side's checksum duty thread ({@code sluice-checksum}) from the first
 *       append until it has stored the last record's CRC32C, per record ({@code duty cpu}), and
 *       {@code cpu (j+d)/r}: the raw copy's CPU per record against the writer's and the duty's together, the
 *       whole CPU the mapped writer's append costs (in staged mode the duty has nothing to checksum, and what it
 *       shows is its idle wake-ups).</li>
 * </ol>
 * and prints each round and the median ratio over the rounds after discarded warm-up rounds (two by default:
 * after one, the first measured round still ran the writer at two to three times its CPU per record on a quiet
 * machine, its loop not yet compiled at its best, and that round alone set the median of three).
 * Each round writes the same volume into one segment, and on both sides the space is allocated the same way
 * (real zero blocks written over the round's bytes of a sparse file, not forced) and every page of the mapping
 * pre-touched before the timed copies, untimed: the raw file by {@link RawMappedLog#pretouch}, the journal by
 * {@link JournalContext#pretouchOnOpen}; both mappings are fresh (a journal cannot rewrite its records); neither
 * rolls, so this isolates the append path. With {@code staged=true turn=1024} the journal side is the live engine's
 * processing thread's path ({@link JournalContext#stagedWrites}): frames staged, checksummed by the writer and written
 * with one {@code pwrite} per run of 1,024, the mapping untouched by the writer; {@code cpu a/r} is then that path's CPU
 * per record against the raw copy's. The JMH {@link JournalAppendBenchmark} measures sustained
 * appends with rolls and background allocation, and {@link JournalLaunchMain} the first seconds after
 * a launch.
 *
 * <p>Usage, with the project's JVM flags (Agrona needs the jdk.internal.misc export):
 * <pre>{@code
 *   java @perf/target/classes/sluice-jvm.options -Xms1g -Xmx1g -cp perf/target/benchmarks.jar \
 *       io.sluice.perf.JournalThroughputMain [rounds=5] [warmup=2] [mib=384] [payloads=64,256] [staged=false] [turn=1]
 * }</pre>
 */
public final class JournalThroughputMain
{
    private static final int SEGMENT_LENGTH = JournalRoundsArgs.SEGMENT_LENGTH;
    private static final int POLL_LIMIT = 256;

    /** Whether the journal's writer is staged ({@code staged=true}), set once by {@link #main}. */
    private static boolean staged;
    /** Records per published run ({@code turn=N}), set once by {@link #main}. */
    private static int turn = 1;

    private JournalThroughputMain()
    {
    }

    /**
     * Runs the rounds and prints the results.
     *
     * @param args {@code rounds=N}, {@code warmup=W} (rounds discarded first), {@code mib=M} (MiB of frames per
     *             round, below 512),
     *             {@code payloads=64,256}.
     */
    public static void main(final String[] args)
    {
        final JournalRoundsArgs parsed = JournalRoundsArgs.parse(args, 384);
        final int rounds = parsed.rounds;
        final int warmups = parsed.warmups;
        final int mib = parsed.mib;
        final int[] payloads = parsed.payloads;
        staged = parsed.staged;
        turn = parsed.turn;
        System.out.printf("JournalThroughputMain rounds=%d (+%d warm-up) mib=%d segment=%d MiB staged=%b turn=%d, dir=%s%n",
            rounds, warmups, mib, SEGMENT_LENGTH >> 20, staged, turn,
            System.getProperty(PerfFiles.DIR_PROPERTY, System.getProperty("java.io.tmpdir")));
        for (final int payload : payloads)
        {
            runPayload(payload, rounds, warmups, mib);
        }
    }

    private static void runPayload(final int payloadLength, final int rounds, final int warmups, final int mib)
    {
        final int aligned = RecordDescriptor.alignedFrameLength(payloadLength);
        final int records = (int)((long)mib * 1024 * 1024 / aligned);
        final UnsafeBuffer frame = BenchmarkRecords.frame(payloadLength);
        System.out.printf("%npayload %d B, aligned frame %d B, %d records (%d MiB) per round%n",
            payloadLength, aligned, records, mib);
        // The suite's parser (SuiteParsers) reads the median row by column: new columns go at the end.
        System.out.printf("%-6s %11s %9s %13s %11s %9s %7s %7s %7s | %8s %8s %7s | %12s %13s %7s | %7s %7s | %s | %9s %7s | %8s %11s%n",
            "round", "raw Mrec/s", "raw GB/s", "raw+crc Mrec/s", "jnl Mrec/s", "jnl GB/s", "jnl/raw", "ckd/raw", "crc/raw",
            "raw cpu", "jnl cpu", "cpu j/r",
            "scan Mrec/s", "poll Mrec/s", "pol/scn", "raw flt", "jnl flt", "jnl alloc B/rec (append, poll)", "alone cpu", "cpu a/r",
            "duty cpu", "cpu (j+d)/r");
        final double[] appendRatios = new double[rounds];
        final double[] crcRatios = new double[rounds];
        final double[] checksummedRatios = new double[rounds];
        final double[] cpuRatios = new double[rounds];
        final double[] replayRatios = new double[rounds];
        final double[] aloneCpuRatios = new double[rounds];
        final double[] totalCpuRatios = new double[rounds];
        final double[] dutyCpu = new double[rounds];
        final double[][] figures = new double[9][rounds];
        for (int round = 1 - warmups; round <= rounds; round++)
        {
            final Result raw;
            final Result journal;
            final Result alone;
            final double crc;
            if ((round & 1) == 0)
            {
                raw = runRaw(frame, payloadLength, records, false);
                crc = runRaw(frame, payloadLength, records, true).appendRate;
                journal = runJournal(frame, payloadLength, records, true);
                alone = runJournal(frame, payloadLength, records, false);
            }
            else
            {
                alone = runJournal(frame, payloadLength, records, false);
                journal = runJournal(frame, payloadLength, records, true);
                crc = runRaw(frame, payloadLength, records, true).appendRate;
                raw = runRaw(frame, payloadLength, records, false);
            }
            final double appendRatio = journal.appendRate / raw.appendRate;
            final double crcRatio = crc / raw.appendRate;
            final double checksummedRatio = journal.checksummedRate / raw.appendRate;
            final double cpuRatio = journal.appendCpuRate / raw.appendCpuRate;
            final double replayRatio = journal.readRate / raw.readRate;
            final double aloneCpuRatio = alone.appendCpuRate / raw.appendCpuRate;
            final double dutyNs = (double)journal.dutyCpuNanos / records;
            final double totalCpuRatio = (1e9 / raw.appendCpuRate) / (1e9 / journal.appendCpuRate + dutyNs);
            System.out.printf("%-6s %11.2f %9.2f %13.2f %11.2f %9.2f %7.3f %7.3f %7.3f | %8.2f %8.2f %7.3f | %12.2f %13.2f %7.3f | %7d %7d | %.3f, %.3f | %9.2f %7.3f | %8.2f %11.3f%n",
                round <= 0 ? "warmup" : Integer.toString(round),
                raw.appendRate / 1e6, raw.appendRate * aligned / 1e9, crc / 1e6,
                journal.appendRate / 1e6, journal.appendRate * aligned / 1e9, appendRatio, checksummedRatio, crcRatio,
                1e9 / raw.appendCpuRate, 1e9 / journal.appendCpuRate, cpuRatio,
                raw.readRate / 1e6, journal.readRate / 1e6, replayRatio, raw.appendFaults, journal.appendFaults,
                (double)journal.appendAllocated / records, (double)journal.readAllocated / records,
                1e9 / alone.appendCpuRate, aloneCpuRatio, dutyNs, totalCpuRatio);
            if (round > 0)
            {
                appendRatios[round - 1] = appendRatio;
                crcRatios[round - 1] = crcRatio;
                checksummedRatios[round - 1] = checksummedRatio;
                cpuRatios[round - 1] = cpuRatio;
                replayRatios[round - 1] = replayRatio;
                aloneCpuRatios[round - 1] = aloneCpuRatio;
                totalCpuRatios[round - 1] = totalCpuRatio;
                dutyCpu[round - 1] = dutyNs;
                figures[0][round - 1] = raw.appendRate;
                figures[1][round - 1] = crc;
                figures[2][round - 1] = journal.appendRate;
                figures[3][round - 1] = raw.readRate;
                figures[4][round - 1] = journal.readRate;
                figures[5][round - 1] = raw.appendCpuRate;
                figures[6][round - 1] = journal.appendCpuRate;
                figures[7][round - 1] = raw.appendFaults;
                figures[8][round - 1] = journal.appendFaults;
            }
        }
        System.out.printf("median %11.2f %9.2f %13.2f %11.2f %9.2f %7.3f %7.3f %7.3f | %8.2f %8.2f %7.3f | %12.2f %13.2f %7.3f | %7.0f %7.0f%n",
            median(figures[0]) / 1e6, median(figures[0]) * aligned / 1e9, median(figures[1]) / 1e6,
            median(figures[2]) / 1e6, median(figures[2]) * aligned / 1e9, median(appendRatios), median(checksummedRatios),
            median(crcRatios), 1e9 / median(figures[5]), 1e9 / median(figures[6]), median(cpuRatios),
            median(figures[3]) / 1e6, median(figures[4]) / 1e6, median(replayRatios), median(figures[7]), median(figures[8]));
        // The suite's parser (SuiteParsers) reads the append and replay parts: later parts go after them.
        System.out.printf("RESULT payload=%d append journal/raw median=%.3f (min %.3f, max %.3f); " +
            "replay poll/scan median=%.3f (min %.3f, max %.3f); " +
            "appended and checksummed by the duty / raw median=%.3f (min %.3f, max %.3f); " +
            "append by CPU time of the measuring thread journal/raw median=%.3f (min %.3f, max %.3f); " +
            "minor page faults of the measuring thread per round, raw and journal median=%.0f and %.0f; " +
            "append by CPU time with the journal's duties held back journal/raw median=%.3f (min %.3f, max %.3f); " +
            "checksum duty CPU ns per record median=%.2f; " +
            "append by CPU time of the writer and the checksum duty together journal/raw median=%.3f (min %.3f, max %.3f)%n",
            payloadLength, median(appendRatios), min(appendRatios), max(appendRatios),
            median(replayRatios), min(replayRatios), max(replayRatios),
            median(checksummedRatios), min(checksummedRatios), max(checksummedRatios),
            median(cpuRatios), min(cpuRatios), max(cpuRatios), median(figures[7]), median(figures[8]),
            median(aloneCpuRatios), min(aloneCpuRatios), max(aloneCpuRatios), median(dutyCpu),
            median(totalCpuRatios), min(totalCpuRatios), max(totalCpuRatios));
    }

    private static Result runRaw(final UnsafeBuffer frame, final int payloadLength, final int records, final boolean checksum)
    {
        final Path directory = PerfFiles.newDirectory(checksum ? "main-rawcrc" : "main-raw");
        // Prepared as the journal prepares its segment (sparse, the round's bytes written as zeros, not forced).
        try (RawMappedLog log = RawMappedLog.createSparse(directory, SEGMENT_LENGTH, reservedBytes(payloadLength, records)))
        {
            log.pretouch(RawMappedLog.SEGMENT_HEADER_LENGTH + records * RecordDescriptor.alignedFrameLength(payloadLength));
            final Result result = new Result();
            final long faultsStart = ThreadFaults.minor();
            final long cpuStart = cpuTime();
            final long start = System.nanoTime();
            if (checksum)
            {
                copyChecksummed(log, frame, payloadLength, records);
            }
            else
            {
                copy(log, frame, payloadLength, records);
            }
            result.appendRate = rate(records, System.nanoTime() - start);
            result.appendCpuRate = rate(records, cpuTime() - cpuStart);
            result.appendFaults = ThreadFaults.minor() - faultsStart;
            final long readStart = System.nanoTime();
            final long sum = RawMappedLog.scan(log.buffer(), RawMappedLog.SEGMENT_HEADER_LENGTH, log.position());
            result.readRate = rate(records, System.nanoTime() - readStart);
            result.blackhole = sum;
            return result;
        }
        finally
        {
            PerfFiles.deleteRecursively(directory);
        }
    }

    private static void copy(final RawMappedLog log, final UnsafeBuffer frame, final int payloadLength, final int records)
    {
        final int frameLength = RecordDescriptor.HEADER_LENGTH + payloadLength;
        final int aligned = RecordDescriptor.alignedFrameLength(payloadLength);
        for (int i = 0; i < records; i++)
        {
            log.append(frame, frameLength, aligned);
        }
    }

    private static void copyChecksummed(
        final RawMappedLog log, final UnsafeBuffer frame, final int payloadLength, final int records)
    {
        final int frameLength = RecordDescriptor.HEADER_LENGTH + payloadLength;
        final int aligned = RecordDescriptor.alignedFrameLength(payloadLength);
        for (int i = 0; i < records; i++)
        {
            log.appendChecksummed(frame, frameLength, aligned);
        }
    }

    /**
     * The journal's side of a round. One segment holds the round, so no roll happens. With {@code dutiesRunning} the
     * journal's own duties run as in production (the checksum duty and the allocator reserving space ahead of the
     * writer, on other threads); without, nothing runs beside the writer, as beside the raw copy (the close then
     * checksums what was appended, untimed): the append path alone.
     */
    private static Result runJournal(
        final UnsafeBuffer frame, final int payloadLength, final int records, final boolean dutiesRunning)
    {
        final Path directory = PerfFiles.newDirectory("main-journal");
        try (Journal journal = Journal.open(new JournalContext()
            .directory(directory)
            .externalDuties(!dutiesRunning)
            .stagedWrites(staged)
            .segmentLength(SEGMENT_LENGTH)
            .reserveAheadBytes(reservedBytes(payloadLength, records))
            .pretouchOnOpen(true)))
        {
            final Partition partition = journal.createTopic("bench", 1).partition(0);
            final long dutyThread = dutiesRunning ? checksumDutyThreadId() : -1;
            final long dutyCpuStart = threadCpuTime(dutyThread);
            final Result result = new Result();
            final long allocatedBefore = allocatedBytes();
            final long faultsStart = ThreadFaults.minor();
            final long cpuStart = cpuTime();
            final long start = System.nanoTime();
            append(partition.writer(), frame, payloadLength, records);
            final long elapsed = System.nanoTime() - start;
            result.appendCpuRate = rate(records, cpuTime() - cpuStart);
            result.appendFaults = ThreadFaults.minor() - faultsStart;
            result.appendAllocated = allocatedBytes() - allocatedBefore;
            result.appendRate = rate(records, elapsed);
            if (dutiesRunning)
            {
                // Until the checksum duty has stored the CRC32C of the last record: the whole job, both threads.
                while (partition.checksummedOffset() < records)
                {
                    Thread.onSpinWait();
                }
                result.checksummedRate = rate(records, System.nanoTime() - start);
                result.dutyCpuNanos = threadCpuTime(dutyThread) - dutyCpuStart;
            }

            try (PartitionReader reader = partition.newReader())
            {
                final ReplayHandler handler = new ReplayHandler();
                final long readAllocatedBefore = allocatedBytes();
                final long readStart = System.nanoTime();
                replay(reader, handler, records);
                final long readElapsed = System.nanoTime() - readStart;
                result.readAllocated = allocatedBytes() - readAllocatedBefore;
                result.readRate = rate(records, readElapsed);
                result.blackhole = handler.sum;
            }
            return result;
        }
        finally
        {
            PerfFiles.deleteRecursively(directory);
        }
    }

    /** The round's bytes and a megabyte more: reserved and pre-touched before the timed appends, as the raw side's. */
    private static int reservedBytes(final int payloadLength, final int records)
    {
        return (int)Math.min(SEGMENT_LENGTH, (long)records * RecordDescriptor.alignedFrameLength(payloadLength) + (1 << 20));
    }

    /**
     * Appends the round's records: each one published ({@code turn=1}), or in runs of {@code turn} appended unpublished
     * and published at once (with a staged writer, one {@code pwrite} per run: the live engine's processing thread).
     */
    private static void append(
        final PartitionWriter writer, final UnsafeBuffer frame, final int payloadLength, final int records)
    {
        if (turn == 1)
        {
            for (int i = 0; i < records; i++)
            {
                writer.append(BenchmarkRecords.TYPE, 0, i, i, frame, RecordDescriptor.HEADER_LENGTH, payloadLength);
            }
            return;
        }
        for (int i = 0; i < records; )
        {
            final int end = Math.min(records, i + turn);
            for (; i < end; i++)
            {
                writer.appendUnpublished(BenchmarkRecords.TYPE, 0, i, i, frame, RecordDescriptor.HEADER_LENGTH, payloadLength);
            }
            writer.publishAppended();
        }
    }

    private static void replay(final PartitionReader reader, final ReplayHandler handler, final int records)
    {
        int read = 0;
        while (read < records)
        {
            read += reader.poll(handler, POLL_LIMIT);
        }
    }

    /**
     * The id of the journal's checksum duty thread (its runner is named after the duty's role), or -1 if none runs:
     * looked up untimed, before the appends.
     */
    private static long checksumDutyThreadId()
    {
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if ("sluice-checksum".equals(thread.getName()))
            {
                return thread.getId();
            }
        }
        return -1;
    }

    /** CPU time of a thread by id, or 0 for none (-1) or a thread that has ended. */
    private static long threadCpuTime(final long threadId)
    {
        return threadId < 0 ? 0 : Math.max(0, ManagementFactory.getThreadMXBean().getThreadCpuTime(threadId));
    }

    /** CPU time of the measuring thread: robust to the descheduling of a loaded machine, blind to other threads. */
    private static long cpuTime()
    {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static long allocatedBytes()
    {
        return ((com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static double rate(final int records, final long nanos)
    {
        return records * 1e9 / nanos;
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

    /** Figures of one side of one round. */
    private static final class Result
    {
        double appendRate;
        double appendCpuRate;
        double checksummedRate;
        double readRate;
        long appendAllocated;
        /** Minor page faults of the measuring thread over the timed appends. */
        long appendFaults;
        long readAllocated;
        /** CPU time of the checksum duty's thread from the first append until the last record's CRC32C was stored. */
        long dutyCpuNanos;
        long blackhole;
    }
}
