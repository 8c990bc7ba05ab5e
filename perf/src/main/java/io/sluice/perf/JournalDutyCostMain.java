package io.sluice.perf;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.sluice.journal.Journal;
import io.sluice.journal.JournalContext;
import io.sluice.journal.PartitionWriter;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The CPU the journal's background duties cost per appended record, duty by duty, as the engine runs them: all on
 * one thread ({@code sluice-io}, the engine's SHARED duties thread), the journal set to {@code externalDuties}. One
 * thread appends 64-byte records (96-byte frames) over several segments (so rolls happen), paced at {@code rate}
 * (0: as fast as it can); each duty's {@code doWork} is timed by the duties thread's CPU clock, so the report splits
 * {@code sluice-io}'s CPU into the allocator (reservation and pre-touch ahead of the writer, the spare segment), the
 * checksums and group commit's force, with the minor page faults the duties thread took. The writer's side: its CPU
 * per record, its longest single append and where it was (record index within its segment: 0 is the first record
 * after a roll), how many appends took over 100 us, and per roll the writer's CPU time in the rolling append and its
 * minor page faults from there to the end of the new segment's first megabyte.
 *
 * <pre>{@code
 *   java @perf/target/classes/sluice-jvm.options -Xms1g -Xmx1g -cp perf/target/benchmarks.jar \
 *       io.sluice.perf.JournalDutyCostMain [records=4000000] [rate=1000000] [segmentMb=64] [groupCommit=true] [rounds=3]
 * }</pre>
 */
public final class JournalDutyCostMain
{
    private static final int PAYLOAD = 64;
    private static final long SLOW_APPEND_NS = 100_000;
    /** The spare's first megabyte, reserved (and now touched) before the roll. */
    private static final int SPARE_TOUCHED_BYTES = 1 << 20;

    private JournalDutyCostMain()
    {
    }

    /**
     * Runs the rounds and prints one line per round and a RESULT line.
     *
     * @param args {@code records=N}, {@code rate=R} appends per second (0 unpaced), {@code segmentMb=M},
     *             {@code groupCommit=true|false}, {@code rounds=K}.
     */
    public static void main(final String[] args)
    {
        long records = 4_000_000;
        long rate = 1_000_000;
        int segmentMb = 64;
        boolean groupCommit = true;
        int rounds = 3;
        for (final String arg : args)
        {
            final String value = arg.substring(arg.indexOf('=') + 1);
            if (arg.startsWith("records="))
            {
                records = Long.parseLong(value);
            }
            else if (arg.startsWith("rate="))
            {
                rate = Long.parseLong(value);
            }
            else if (arg.startsWith("segmentMb="))
            {
                segmentMb = Integer.parseInt(value);
            }
            else if (arg.startsWith("groupCommit="))
            {
                groupCommit = Boolean.parseBoolean(value);
            }
            else if (arg.startsWith("rounds="))
            {
                rounds = Integer.parseInt(value);
            }
            else
            {
                throw new IllegalArgumentException(
                    "unknown argument " + arg + " (records=N, rate=R, segmentMb=M, groupCommit=true|false, rounds=K)");
            }
        }
        System.out.printf("JournalDutyCostMain records=%d rate=%d segmentMb=%d groupCommit=%b rounds=%d (+1 warm-up)%n",
            records, rate, segmentMb, groupCommit, rounds);
        System.out.printf("%-6s %9s | %9s %9s %9s %9s %9s %11s | %11s %11s %9s | %11s %8s%n", "round", "writer ns",
            "io ns", "alloc ns", "crc ns", "force ns", "idle ns", "io flt/1k", "max app us", "at rec/seg", "app>100us", "roll cpu us", "roll flt");
        final double[][] figures = new double[9][rounds];
        for (int round = 0; round <= rounds; round++)
        {
            final RoundResult result = runRound(records, rate, segmentMb, groupCommit);
            System.out.printf("%-6s %9.1f | %9.1f %9.1f %9.1f %9.1f %9.1f %11.2f | %11.1f %11d %9d | %11.1f %8.1f%n",
                round == 0 ? "warmup" : Integer.toString(round), result.writerNs, result.ioNs(), result.dutyNs[0],
                result.dutyNs[1], result.dutyNs[2], result.idleNs, result.ioFaultsPerThousand, result.maxAppendNs / 1e3,
                result.maxAppendRecordInSegment, result.slowAppends, result.rollCpuUs, result.rollFaults);
            if (round > 0)
            {
                figures[0][round - 1] = result.writerNs;
                figures[1][round - 1] = result.ioNs();
                figures[2][round - 1] = result.dutyNs[0];
                figures[3][round - 1] = result.dutyNs[1];
                figures[4][round - 1] = result.dutyNs[2];
                figures[5][round - 1] = result.maxAppendNs / 1e3;
                figures[6][round - 1] = result.idleNs;
                figures[7][round - 1] = result.rollCpuUs;
                figures[8][round - 1] = result.rollFaults;
            }
        }
        System.out.printf("RESULT CPU ns per record: writer median=%.1f; sluice-io median=%.1f (min %.1f, max %.1f): " +
            "allocator %.1f, checksum %.1f, group commit %.1f, idle cycles %.1f; longest append median=%.1f us (max %.1f); " +
            "writer per roll: the rolling append's CPU median=%.1f us, minor faults to the new segment's first MiB median=%.1f; " +
            "load average %.2f%n",
            EngineBench.median(figures[0]), EngineBench.median(figures[1]), EngineBench.min(figures[1]),
            EngineBench.max(figures[1]), EngineBench.median(figures[2]), EngineBench.median(figures[3]),
            EngineBench.median(figures[4]), EngineBench.median(figures[6]), EngineBench.median(figures[5]),
            EngineBench.max(figures[5]), EngineBench.median(figures[7]), EngineBench.median(figures[8]),
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static RoundResult runRound(final long records, final long rate, final int segmentMb, final boolean groupCommit)
    {
        final Path directory = PerfFiles.newDirectory("duty-cost");
        final int segmentLength = segmentMb << 20;
        try (Journal journal = Journal.open(new JournalContext().directory(directory).segmentLength(segmentLength)
            .groupCommit(groupCommit).externalDuties(true).pretouchOnOpen(true)))
        {
            final PartitionWriter writer = journal.createTopic("bench", 1).partition(0).writer();
            final List<TimedDuty> duties = new ArrayList<>();
            for (final Agent duty : journal.duties())
            {
                duties.add(new TimedDuty(duty));
            }
            final FaultCounter faults = new FaultCounter();
            final List<Agent> agents = new ArrayList<>(duties);
            agents.add(faults);
            final AgentRunner runner = new AgentRunner(
                new BackoffIdleStrategy(10, 20, 1_000, 1_000_000), Throwable::printStackTrace, null, new CompositeAgent(agents));
            final RoundResult result = new RoundResult();
            AgentRunner.startOnThread(runner);
            try
            {
                appendAll(writer, records, rate, segmentLength, result);
            }
            finally
            {
                runner.close();
            }
            for (final TimedDuty duty : duties)
            {
                final int slot = duty.roleName().contains("allocator") ? 0 : duty.roleName().contains("checksum") ? 1 : 2;
                result.dutyNs[slot] += (double)duty.cpuNs / records;
                result.idleNs += (double)duty.idleNs / records;
            }
            result.ioFaultsPerThousand = 1000.0 * faults.faults / records;
            return result;
        }
        finally
        {
            PerfFiles.deleteRecursively(directory);
        }
    }

    private static void appendAll(
        final PartitionWriter writer, final long records, final long rate, final int segmentLength, final RoundResult result)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD]);
        final long interval = rate > 0 ? 1_000_000_000L / rate : 0;
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final int framesPerSegment = (segmentLength - 64) / 96; // the 64-byte segment header, 96-byte frames
        final long cpuStart = threads.getCurrentThreadCpuTime();
        long next = System.nanoTime();
        long maxNs = 0;
        long maxAt = 0;
        long slow = 0;
        // Frames are all 96 bytes: the roll is at every multiple of framesPerSegment. The writer's CPU is taken over the
        // rolling append, its minor faults from there to the end of the new segment's first megabyte (the first touches).
        final int rollWindow = SPARE_TOUCHED_BYTES / 96;
        long rollCpuStart = 0;
        long rollFaultsStart = 0;
        long rolls = 0;
        long rollCpu = 0;
        long rollFaults = 0;
        for (long i = 0; i < records; i++)
        {
            final long inSegment = i % framesPerSegment;
            final boolean rolling = i > 0 && inSegment == 0;
            if (rolling)
            {
                rollFaultsStart = ThreadFaults.minor();
                rollCpuStart = threads.getCurrentThreadCpuTime();
            }
            else if (i > rollWindow && inSegment == rollWindow)
            {
                rollFaults += ThreadFaults.minor() - rollFaultsStart;
                rolls++;
            }
            if (interval > 0)
            {
                while (System.nanoTime() < next)
                {
                    Thread.onSpinWait();
                }
                next += interval;
            }
            final long start = System.nanoTime();
            writer.append(BenchmarkRecords.TYPE, 0, i, i, payload, 0, PAYLOAD);
            final long took = System.nanoTime() - start;
            if (rolling)
            {
                rollCpu += threads.getCurrentThreadCpuTime() - rollCpuStart;
            }
            if (took > maxNs)
            {
                maxNs = took;
                maxAt = i;
            }
            if (took > SLOW_APPEND_NS)
            {
                slow++;
            }
        }
        result.writerNs = (double)(threads.getCurrentThreadCpuTime() - cpuStart) / records;
        result.maxAppendNs = maxNs;
        result.maxAppendRecordInSegment = maxAt % framesPerSegment;
        result.slowAppends = slow;
        result.rollCpuUs = rolls == 0 ? Double.NaN : rollCpu / 1e3 / rolls;
        result.rollFaults = rolls == 0 ? Double.NaN : (double)rollFaults / rolls;
    }

    /** A duty whose {@code doWork} calls are timed by the CPU clock of the thread that runs them. */
    private static final class TimedDuty implements Agent
    {
        private final Agent duty;
        private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuNs;
        long idleNs;

        TimedDuty(final Agent duty)
        {
            this.duty = duty;
        }

        @Override
        public int doWork() throws Exception
        {
            final long start = threads.getCurrentThreadCpuTime();
            final int work = duty.doWork();
            final long took = threads.getCurrentThreadCpuTime() - start;
            if (work > 0)
            {
                cpuNs += took;
            }
            else
            {
                idleNs += took;
            }
            return work;
        }

        @Override
        public void onClose()
        {
            duty.onClose();
        }

        @Override
        public String roleName()
        {
            return duty.roleName();
        }
    }

    /** The duties thread's minor page faults between its start and its close. */
    private static final class FaultCounter implements Agent
    {
        private long atStart;
        long faults;

        @Override
        public void onStart()
        {
            atStart = ThreadFaults.minor();
        }

        @Override
        public int doWork()
        {
            return 0;
        }

        @Override
        public void onClose()
        {
            faults = ThreadFaults.minor() - atStart;
        }

        @Override
        public String roleName()
        {
            return "faults";
        }
    }

    /** Figures of one round. */
    private static final class RoundResult
    {
        double writerNs;
        /** CPU ns per record of the allocator, the checksum duty and group commit, in work-doing cycles. */
        final double[] dutyNs = new double[3];
        /** CPU ns per record of the duty cycles that found nothing to do. */
        double idleNs;
        double ioFaultsPerThousand;
        long maxAppendNs;
        long maxAppendRecordInSegment;
        long slowAppends;
        /** The writer's CPU in the rolling append, and its minor faults from there over the new segment's first megabyte. */
        double rollCpuUs;
        double rollFaults;

        double ioNs()
        {
            return dutyNs[0] + dutyNs[1] + dutyNs[2] + idleNs;
        }
    }
}
