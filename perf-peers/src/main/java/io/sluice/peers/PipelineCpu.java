package io.sluice.peers;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * CPU time of a pipeline's own threads over a throughput run (the JVM's per-thread CPU clock), a measure of how much
 * work each processor does per record that the machine's load moves much less than its wall-clock rate: a thread
 * descheduled by another process's build is not charged for the wait. Only threads whose name the pipeline owns
 * count (its processing, source, committer and client network threads); the broker's, the harness's, the garbage
 * collector's and the JIT compiler's do not.
 */
final class PipelineCpu
{
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Map<Long, Long> before;

    private PipelineCpu(final Map<Long, Long> before)
    {
        this.before = before;
    }

    /**
     * Notes every live thread's CPU time now.
     *
     * @return the starting point.
     */
    static PipelineCpu start()
    {
        final Map<Long, Long> cpu = new HashMap<>();
        for (final long id : THREADS.getAllThreadIds())
        {
            cpu.put(id, Math.max(0, THREADS.getThreadCpuTime(id)));
        }
        return new PipelineCpu(cpu);
    }

    /**
     * CPU time each live thread whose name {@code owned} accepts used since {@link #start()} (threads started since
     * count from 0), the most first. Call it before the pipeline closes: a thread that ended is not counted.
     *
     * @param owned the pipeline's thread names.
     * @return nanoseconds by thread name.
     */
    Map<String, Long> byThread(final Predicate<String> owned)
    {
        final Map<String, Long> cpu = new HashMap<>();
        for (final ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds()))
        {
            if (info != null && owned.test(info.getThreadName()))
            {
                final long now = THREADS.getThreadCpuTime(info.getThreadId());
                if (now > 0)
                {
                    cpu.merge(info.getThreadName(), now - before.getOrDefault(info.getThreadId(), 0L), Long::sum);
                }
            }
        }
        final Map<String, Long> sorted = new java.util.LinkedHashMap<>();
        cpu.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }
}
