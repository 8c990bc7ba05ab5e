package io.sluice.engine.runtime;

/**
 * Where a launch's time went, for the last recovery event: the journal's open, the checkpoint's load
 * (beside the open), the topology's build (waiting for the partitions' instances, built and restored beside the open
 * by {@link PartitionPreparation}), the slowest partition's restore and replay (partitions recover in parallel), and
 * the threads' start.
 * Lets an operator, and the restart benchmark, see what "ready" waited for. Beside the wall time of the slowest
 * restore and replay, the CPU time their thread spent in them (where the JVM measures it): on a machine busy with
 * other work, the wall time is mostly waiting for a core, the CPU time is the recovery's own work.
 *
 * <p>Threading: the recovering threads report restores and replays concurrently (synchronized; a few
 * calls per partition per launch); everything else on the launching thread.
 */
final class RecoveryTimings
{
    private long journalOpenNanos;
    private long journalOpenCpuNanos = -1;
    private long buildNanos;
    private long buildCpuNanos = -1;
    private long startNanos;
    private long checkpointLoadNanos = -1;
    private long checkpointLoadCpuNanos = -1;
    private long recoveryNanos;
    private long slowestRestoreNanos;
    private long slowestRestoreCpuNanos = -1;
    private long slowestReplayNanos;
    private long slowestReplayCpuNanos = -1;
    private long recordsReplayed;
    private int partitionsRestored;

    /**
     * The journal opened in this long, on the launching thread.
     *
     * @param nanos    of wall time.
     * @param cpuStart {@link #threadCpuNanos()} at its start.
     */
    void journalOpened(final long nanos, final long cpuStart)
    {
        journalOpenNanos = nanos;
        journalOpenCpuNanos = cpuSince(cpuStart);
    }

    /**
     * The pipelines' instances, rings and threads were built (not started) in this long, after the journal's open.
     *
     * @param nanos    of wall time.
     * @param cpuStart {@link #threadCpuNanos()} at its start, on the launching thread.
     */
    void built(final long nanos, final long cpuStart)
    {
        buildNanos = nanos;
        buildCpuNanos = cpuSince(cpuStart);
    }

    /**
     * The processing threads and duties were started (and the JIT warm-up run, when asked for) in this long, after
     * recovery.
     *
     * @param nanos of wall time.
     */
    void started(final long nanos)
    {
        startNanos = nanos;
    }

    void checkpointLoaded(final long nanos, final long cpuNanos)
    {
        checkpointLoadNanos = nanos;
        checkpointLoadCpuNanos = cpuNanos;
    }

    void recovered(final long nanos)
    {
        recoveryNanos = nanos;
    }

    /**
     * CPU time of the calling thread so far, to be given back to {@link #restored} or {@link #replayed}.
     *
     * @return nanoseconds, or -1 where the JVM does not measure it.
     */
    static long threadCpuNanos()
    {
        final java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : -1;
    }

    /**
     * A partition's restore took this long.
     *
     * @param nanos    of wall time.
     * @param cpuStart {@link #threadCpuNanos()} at its start, on the same thread.
     */
    synchronized void restored(final long nanos, final long cpuStart)
    {
        partitionsRestored++;
        if (nanos >= slowestRestoreNanos)
        {
            slowestRestoreNanos = nanos;
            slowestRestoreCpuNanos = cpuSince(cpuStart);
        }
    }

    /**
     * A partition's replay took this long.
     *
     * @param nanos    of wall time.
     * @param cpuStart {@link #threadCpuNanos()} at its start, on the same thread.
     * @param records  replayed.
     */
    synchronized void replayed(final long nanos, final long cpuStart, final long records)
    {
        recordsReplayed += records;
        if (nanos >= slowestReplayNanos)
        {
            slowestReplayNanos = nanos;
            slowestReplayCpuNanos = cpuSince(cpuStart);
        }
    }

    private static long cpuSince(final long cpuStart)
    {
        final long now = cpuStart < 0 ? -1 : threadCpuNanos();
        return now < 0 ? -1 : now - cpuStart;
    }

    /**
     * The summary event.
     *
     * @param launchNanos from the launch's start to ready (threads started, ingress accepting).
     * @return one line, times in milliseconds.
     */
    synchronized String describe(final long launchNanos)
    {
        final StringBuilder line = new StringBuilder(200)
            .append("ready in ").append(millis(launchNanos)).append(" ms: journal opened in ").append(millis(journalOpenNanos))
            .append(" ms").append(cpuInParentheses(journalOpenCpuNanos));
        if (checkpointLoadNanos >= 0)
        {
            line.append(", checkpoint loaded and verified in ").append(millis(checkpointLoadNanos)).append(" ms beside it");
            if (checkpointLoadCpuNanos >= 0)
            {
                line.append(" (CPU ").append(millis(checkpointLoadCpuNanos)).append(" ms on its thread)");
            }
        }
        line.append("; topology built in ").append(millis(buildNanos)).append(" ms")
            .append(cpuInParentheses(buildCpuNanos)).append("; recovery ").append(millis(recoveryNanos)).append(" ms");
        if (partitionsRestored > 0)
        {
            line.append(", restore of ").append(partitionsRestored).append(" partitions ").append(millis(slowestRestoreNanos))
                .append(" ms (slowest").append(cpu(slowestRestoreCpuNanos)).append(')');
        }
        return line.append(", replay of ").append(recordsReplayed).append(" records ").append(millis(slowestReplayNanos))
            .append(" ms (slowest partition").append(cpu(slowestReplayCpuNanos)).append("); started in ").append(millis(startNanos))
            .append(" ms").toString();
    }

    private static String cpuInParentheses(final long nanos)
    {
        return nanos < 0 ? "" : " (CPU " + millis(nanos) + " ms)";
    }

    private static String cpu(final long nanos)
    {
        return nanos < 0 ? "" : "; CPU " + millis(nanos) + " ms";
    }

    private static String millis(final long nanos)
    {
        return String.format("%.1f", nanos / 1e6);
    }
}
