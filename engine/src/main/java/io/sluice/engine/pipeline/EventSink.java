package io.sluice.engine.pipeline;

import io.sluice.schema.EventFlyweight;

/**
 * Receives a pipeline's outputs on the partition thread. Each output carries a sequence number that
 * is a deterministic function of the journaled input (per pipeline and partition, from 0), so a sink
 * can recognise an output it already delivered before a crash and replay.
 */
public interface EventSink
{
    /**
     * One output.
     *
     * @param partition the output came from.
     * @param sequence  of the output within that partition of the pipeline.
     * @param key       of the output.
     * @param timestamp of the output (event time; for window results the window end - 1).
     * @param event     view of the output, valid only during the call.
     */
    void onEvent(int partition, long sequence, long key, long timestamp, EventFlyweight event);

    /**
     * The partition thread's turn has ended with outputs delivered in it: every output given to
     * {@link #onEvent} on this partition so far must now reach the sink's readers. A sink that stages its
     * outputs (the daemon's output journal writes a turn's outputs as one) publishes them here, so a result
     * waits for the rest of its turn (a bounded run of events and result slices) at most. Called on the
     * thread that delivered them: the partition's processing thread at the end of each of its turns that
     * delivered outputs, and recovery's thread at the end of the replay. A failure halts the pipeline
     * instance (its outputs did not reach the readers).
     *
     * @param partition whose turn ended.
     */
    default void onTurnEnd(final int partition)
    {
    }

    /**
     * The partition's bounded input has ended and every pending result has been emitted.
     *
     * @param partition that ended.
     */
    default void onEndOfInput(final int partition)
    {
    }

    /**
     * A checkpoint barrier reached the partition: make every output delivered so far durable in the
     * sink's own terms (flush a file, commit a transaction), because after the checkpoint completes
     * recovery no longer replays the input that produced them.
     *
     * @param partition at the barrier.
     */
    default void onCheckpoint(final int partition)
    {
    }

    /**
     * A checkpoint barrier of a known checkpoint reached the partition. A two-phase sink (a Kafka
     * transaction) prepares the outputs delivered so far and commits them when a
     * {@link io.sluice.engine.checkpoint.CheckpointListener} hears that this checkpoint completed; the
     * default does what {@link #onCheckpoint(int)} does.
     *
     * @param partition    at the barrier.
     * @param checkpointId of the checkpoint, or -1 when unknown.
     */
    default void onCheckpoint(final int partition, final long checkpointId)
    {
        onCheckpoint(partition);
    }
}
