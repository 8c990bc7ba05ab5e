package io.sluice.engine.runtime;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * One pre-allocated slot of a partition ring: the event's bytes plus the header fields the journal
 * record will carry. Written by a publisher between {@code next()} and {@code publish()}, then read
 * by the partition thread; never allocated after start-up.
 */
final class RingSlot
{
    /** An input event, journaled then processed. */
    static final int EVENT = 1;
    /** A processing-time tick, journaled then applied (idle partitions, processing-time windows). */
    static final int TICK = 2;
    /** End of a bounded input: journaled, then every open window fires. */
    static final int END_OF_INPUT = 3;
    /** A checkpoint barrier; never journaled. Its timestamp field carries the checkpoint id. */
    static final int BARRIER = 4;
    /**
     * An operator's replay of one pipeline: journaled (so recovery repeats it at the same point),
     * then the pipeline's state is reset and the journal re-run for it from an offset or a time.
     * Payload: see {@link PartitionProcessor#REPLAY_INSTANCE_OFFSET}.
     */
    static final int REPLAY = 5;
    /** Not journaled: wakes a processing thread so that it publishes its state (e.g. after a pause). */
    static final int WAKE = 6;
    /**
     * Not journaled: published by the partition thread itself while a checkpoint's state copy is in
     * progress, to copy the next slice between the events ahead of it (see {@link PartitionSnapshotter}).
     */
    static final int CHECKPOINT_STEP = 7;

    final UnsafeBuffer buffer;
    /** The ring's whole block, which {@link #buffer} views from {@link #offset}: a run of slots is one buffer. */
    final UnsafeBuffer block;
    /** Where this slot's bytes start in {@link #block}. */
    final int offset;
    int type;
    /** Index of the source topic within its group; journaled as the record's flags. */
    int source;
    int length;
    long key;
    long timestamp;
    /** System.nanoTime() at publish when a latency listener is set (see Engine#stampsIngest), else 0. */
    long ingestNanos;

    /**
     * A slot viewing its own region of one contiguous off-heap block shared by the whole ring, so
     * neighbouring slots are neighbours in memory too.
     */
    RingSlot(final UnsafeBuffer block, final int index, final int capacity)
    {
        this.block = block;
        this.offset = index * capacity;
        this.buffer = new UnsafeBuffer(block, offset, capacity);
    }
}
