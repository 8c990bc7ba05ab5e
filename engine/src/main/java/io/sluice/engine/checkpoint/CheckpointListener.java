package io.sluice.engine.checkpoint;

/**
 * Told when a checkpoint is complete on disk, so that sinks can commit what it covers (a Kafka
 * transaction) and sources can acknowledge upstream what recovery will never need again (Kafka
 * offsets, a replication slot's confirmed position). See {@link SourcePositions}.
 *
 * <p>Threading: called on the checkpoint thread ("sluice-checkpoint"), once per completed checkpoint,
 * in increasing id order, after the manifest is durable. A listener must not block for long: the next
 * checkpoint's state is written by the same thread. An exception is recorded in the engine's error log
 * and does not fail the checkpoint (it is already complete).
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
}
