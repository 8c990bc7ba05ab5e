package io.sluice.engine.runtime;

/**
 * Where a launch's time went, for the last recovery event: the journal's open, the checkpoint's load
 * (beside the open), and the slowest partition's restore and replay (partitions recover in parallel).
 * Lets an operator, and the restart benchmark, see what "ready" waited for.
 *
 * <p>Threading: the recovering threads report restores and replays concurrently (synchronized; a few
 * calls per partition per launch); everything else on the launching thread.
 */
final class RecoveryTimings
{
    private long journalOpenNanos;
    private long checkpointLoadNanos = -1;
    private long recoveryNanos;
    private long slowestRestoreNanos;
    private long slowestReplayNanos;
    private long recordsReplayed;
    private int partitionsRestored;

    void journalOpened(final long nanos)
    {
        journalOpenNanos = nanos;
    }

    void checkpointLoaded(final long nanos)
    {
        checkpointLoadNanos = nanos;
    }

    void recovered(final long nanos)
    {
        recoveryNanos = nanos;
    }

    synchronized void restored(final long nanos)
    {
        partitionsRestored++;
        slowestRestoreNanos = Math.max(slowestRestoreNanos, nanos);
    }

    synchronized void replayed(final long nanos, final long records)
    {
        recordsReplayed += records;
        slowestReplayNanos = Math.max(slowestReplayNanos, nanos);
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
            .append(" ms");
        if (checkpointLoadNanos >= 0)
        {
            line.append(", checkpoint loaded and verified in ").append(millis(checkpointLoadNanos)).append(" ms beside it");
        }
        line.append("; recovery ").append(millis(recoveryNanos)).append(" ms");
        if (partitionsRestored > 0)
        {
            line.append(", restore of ").append(partitionsRestored).append(" partitions ").append(millis(slowestRestoreNanos))
                .append(" ms (slowest)");
        }
        return line.append(", replay of ").append(recordsReplayed).append(" records ").append(millis(slowestReplayNanos))
            .append(" ms (slowest partition)").toString();
    }

    private static String millis(final long nanos)
    {
        return String.format("%.1f", nanos / 1e6);
    }
}
