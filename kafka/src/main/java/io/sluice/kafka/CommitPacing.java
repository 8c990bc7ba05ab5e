package io.sluice.kafka;

import java.util.concurrent.TimeUnit;

/**
 * When an exactly-once {@link KafkaSink}'s committer starts a partition's commit (see docs/kafka.md): between
 * checkpoints or only when a newer checkpoint completes, after how much quiet a burst of outputs has ended, how long an
 * output waits at most, and the shortest time between the starts of two commits of a partition.
 *
 * @param betweenCheckpoints commit when outputs are ready, against the newest completed checkpoint passed, not only when
 *                           a newer checkpoint completes.
 * @param quietNanos         between checkpoints: no output for this long ends a burst.
 * @param maxDelayNanos      between checkpoints: longest wait of an output for its commit to start (from the end of the
 *                           spacing, when the spacing holds it).
 * @param spacingNanos       shortest time between the starts of two commits of a partition, 0 for none.
 */
record CommitPacing(boolean betweenCheckpoints, long quietNanos, long maxDelayNanos, long spacingNanos)
{
    /**
     * The pacing a sink's settings ask for.
     *
     * @param context the sink's settings, concluded.
     * @return the pacing.
     */
    static CommitPacing of(final KafkaSinkContext context)
    {
        return new CommitPacing(context.commitBetweenCheckpoints(), TimeUnit.MILLISECONDS.toNanos(context.commitQuietMillis()),
            TimeUnit.MILLISECONDS.toNanos(context.maxCommitDelayMillis()), TimeUnit.MILLISECONDS.toNanos(context.minCommitSpacingMillis()));
    }
}
