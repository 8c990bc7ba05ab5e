package io.sluice.peers;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The CPU clocks of one moment: every live Java thread's (the JVM's per-thread CPU clock, with its name), this
 * process's, and the machine's (the first line of {@code /proc/stat}), beside {@link System#nanoTime()}. Two snapshots
 * give a {@link CpuBudget}: where the machine's cores went between them. A thread waiting for a core is not charged,
 * so a thread's CPU moves much less with the machine's load than a wall-clock rate does.
 */
final class CpuSnapshot
{
    /** Linux reports {@code /proc/stat} in USER_HZ ticks, 100 a second on every mainstream kernel. */
    private static final long NANOS_PER_TICK = 10_000_000L;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
        (com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();

    private final long nanos;
    private final Map<Long, Long> threadCpu;
    private final Map<Long, String> threadNames;
    private final long processCpu;
    private final long gcCpu;
    private final long jitCpu;
    private final long machineBusy;
    private final long machineTotal;

    private CpuSnapshot(
        final long nanos, final Map<Long, Long> threadCpu, final Map<Long, String> threadNames, final long processCpu,
        final long[] vmThreads, final long machineBusy, final long machineTotal)
    {
        this.nanos = nanos;
        this.threadCpu = threadCpu;
        this.threadNames = threadNames;
        this.processCpu = processCpu;
        this.gcCpu = vmThreads[0];
        this.jitCpu = vmThreads[1];
        this.machineBusy = machineBusy;
        this.machineTotal = machineTotal;
    }

    /**
     * Reads the clocks now (a few milliseconds with a broker's hundred threads).
     *
     * @return the snapshot.
     */
    static CpuSnapshot take()
    {
        final Map<Long, Long> cpu = new HashMap<>();
        final Map<Long, String> names = new HashMap<>();
        for (final ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds()))
        {
            if (info != null)
            {
                final long time = THREADS.getThreadCpuTime(info.getThreadId());
                if (time > 0)
                {
                    cpu.put(info.getThreadId(), time);
                    names.put(info.getThreadId(), info.getThreadName());
                }
            }
        }
        final long[] machine = machineTicks();
        return new CpuSnapshot(System.nanoTime(), cpu, names, OS.getProcessCpuTime(), vmThreadTicks(), machine[0] * NANOS_PER_TICK,
            machine[1] * NANOS_PER_TICK);
    }

    /**
     * When the snapshot was taken.
     *
     * @return its {@link System#nanoTime()}.
     */
    long nanos()
    {
        return nanos;
    }

    /**
     * Where the CPU went from this snapshot to a later one. A thread started in between counts from 0; one that ended in
     * between is not seen by name and falls into {@link CpuBudget#jvm()} (the process's CPU less its live Java threads',
     * its garbage collector's and its JIT compilers').
     *
     * @param end      the later snapshot.
     * @param pipeline the names of the threads of the pipeline under test.
     * @param harness  the names of the benchmark's own threads (its result reader, its main thread).
     * @return the budget, in nanoseconds of CPU.
     */
    CpuBudget until(final CpuSnapshot end, final Predicate<String> pipeline, final Predicate<String> harness)
    {
        final Map<String, Long> ofPipeline = new HashMap<>();
        long harnessCpu = 0;
        long others = 0;
        long threads = 0;
        for (final Map.Entry<Long, Long> e : end.threadCpu.entrySet())
        {
            final String name = end.threadNames.get(e.getKey());
            final long used = e.getValue() - threadCpu.getOrDefault(e.getKey(), 0L);
            threads += used;
            if (pipeline.test(name))
            {
                ofPipeline.merge(name, used, Long::sum);
            }
            else if (harness.test(name))
            {
                harnessCpu += used;
            }
            else
            {
                others += used;
            }
        }
        final Map<String, Long> sorted = new LinkedHashMap<>();
        ofPipeline.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).forEach(e -> sorted.put(e.getKey(), e.getValue()));
        final long process = end.processCpu - processCpu;
        final long busy = end.machineBusy - machineBusy;
        final long total = end.machineTotal - machineTotal;
        final long gc = end.gcCpu - gcCpu;
        final long jit = end.jitCpu - jitCpu;
        return new CpuBudget(end.nanos - nanos, sorted, harnessCpu, others, gc, jit, process - threads - gc - jit, busy - process, total - busy);
    }

    /**
     * The CPU of the JVM's own native threads, which {@link ThreadMXBean} does not list, from {@code /proc/self/task/<tid>}
     * (user + system, 10 ms ticks per thread): G1's ({@code GC Thread#n}, {@code G1 ...}) and the JIT compilers'
     * ({@code C1/C2 CompilerThread}).
     *
     * @return nanoseconds of CPU {garbage collection, JIT}, or zeros where there is no {@code /proc}.
     */
    private static long[] vmThreadTicks()
    {
        final long[] cpu = new long[2];
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/self/task")))
        {
            for (final Path task : (Iterable<Path>)tasks::iterator)
            {
                final String comm;
                final String stat;
                try
                {
                    comm = Files.readString(task.resolve("comm")).trim();
                    stat = Files.readString(task.resolve("stat"));
                }
                catch (final IOException ex)
                {
                    continue; // the thread ended meanwhile
                }
                final int kind = comm.startsWith("GC Thread") || comm.startsWith("G1 ") ? 0 : comm.startsWith("C1 Compiler") ||
                    comm.startsWith("C2 Compiler") ? 1 : -1;
                if (kind >= 0)
                {
                    // Fields after the command's closing parenthesis: state is the 3rd field of the line, utime the 14th.
                    final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    cpu[kind] += (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            return new long[2];
        }
        return cpu;
    }

    /** The machine's busy and total ticks since boot, all cpus: {@code /proc/stat}'s first line (idle and iowait are not busy). */
    private static long[] machineTicks()
    {
        try
        {
            final String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i <= 8 && i < f.length; i++) // user nice system idle iowait irq softirq steal (guest is inside user)
            {
                total += Long.parseLong(f[i]);
            }
            final long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total - idle, total};
        }
        catch (final IOException | RuntimeException ex)
        {
            return new long[] {0, 0}; // not Linux: the machine's share reads 0
        }
    }
}
