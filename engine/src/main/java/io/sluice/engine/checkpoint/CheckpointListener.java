package io.sluice.engine.checkpoint;

/**
 * Told when a checkpoint is complete on disk, so that sinks can commit what it covers (a Kafka
 * transaction) and sources can acknowledge upstream what recovery will never need again (Kafka
 * offsets, a replication slot's confirmed position). See {@link SourcePositions}.
 *
 * <p>Threading: called on the checkpoint thread ("sluice-checkpoint"), once per completed checkpoint,
 * in increasing id order, after the manifest is durable. A listener must not block for long: the next
 * checkpoint's state is written by the same thread. An exception is recorded in the engine's error log
 * and does not fail the checkpoint (it is already complete). A listener may hold a checkpoint's
 * completion back until its own outputs are durable ({@link #mayComplete}).
 */
@FunctionalInterface
public interface CheckpointListener
{
    /**
     * A checkpoint completed.
     *
     * @param manifest of the checkpoint: its id and, per partition, the journal offset and the source
     *                 positions it covers ({@link PartitionCheckpoint#sourcePositions()}).
     */
    void onCheckpointComplete(CheckpointManifest manifest);

    /**
     * Whether a checkpoint whose partitions have all copied and written their state may complete now.
     * A sink that delivers asynchronously (an at-least-once Kafka producer) answers false until every
     * output it was given before that checkpoint's barriers is acknowledged, so that no checkpoint
     * completes (and recovery stops replaying the input) before its outputs are durable, while the
     * partition threads go on past the barrier. The coordinator asks again on its next duty cycles, and
     * completes the checkpoint once every listener answers true.
     *
     * <p>Threading: the checkpoint thread; must not block. Only one checkpoint is in flight at a time, so
     * the barriers of a newer one cannot have been passed yet.
     *
     * @param checkpointId of the checkpoint.
     * @return true if it may complete (the default).
     * @throws RuntimeException naming why the checkpoint must not complete at all (an output was lost):
     *                          it fails, and recovery replays from an older one.
     */
    default boolean mayComplete(final long checkpointId)
    {
        return true;
    }
}
