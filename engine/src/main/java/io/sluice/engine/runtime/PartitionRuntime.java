package io.sluice.engine.runtime;

import com.lmax.disruptor.RingBuffer;

/**
 * The moving parts of one partition: its ring, the {@link PartitionProcessor} that journals and
 * processes its slots, the {@link PartitionAgent} that feeds it on a processing thread, and the index of
 * that thread among the engine's {@link ProcessingThreads}.
 */
final class PartitionRuntime
{
    final RingBuffer<RingSlot> ring;
    final PartitionProcessor handler;
    final PartitionAgent agent;
    /** Index of the processing thread this partition runs on. */
    final int thread;
    /** The published journal end at the scheduler's last tick round; the scheduler's thread only. */
    long journalEndAtLastTickRound = -1;
    /** The checkpoint whose barrier the full ring could not take yet, -1 for none; under the engine's lock. */
    long pendingBarrier = -1;

    PartitionRuntime(final RingBuffer<RingSlot> ring, final PartitionProcessor handler, final PartitionAgent agent, final int thread)
    {
        this.ring = ring;
        this.handler = handler;
        this.agent = agent;
        this.thread = thread;
    }

    /**
     * Whether every slot published so far is journaled and processed.
     *
     * @return true when the partition's sequence has reached the ring's cursor.
     */
    boolean drained()
    {
        return agent.sequence().get() >= ring.getCursor();
    }

    /**
     * Publishes a REPLAY control slot for one pipeline instance of the partition.
     */
    void publishReplay(final int instance, final int mode, final long value, final long timestamp)
    {
        final long sequence = ring.next();
        final RingSlot slot = ring.get(sequence);
        slot.header(RingSlot.REPLAY, 0, 0, timestamp, PartitionProcessor.REPLAY_LENGTH, System.nanoTime());
        slot.buffer.putInt(PartitionProcessor.REPLAY_INSTANCE_OFFSET, instance);
        slot.buffer.putInt(PartitionProcessor.REPLAY_MODE_OFFSET, mode);
        slot.buffer.putLong(PartitionProcessor.REPLAY_VALUE_OFFSET, value);
        ring.publish(sequence);
    }

    /**
     * Wakes the processing thread without journaling anything, so that it publishes its state (a
     * pause is then visible at once). If the ring is full the thread is busy and will see it anyway.
     */
    void wake()
    {
        final long sequence;
        try
        {
            sequence = ring.tryNext();
        }
        catch (final com.lmax.disruptor.InsufficientCapacityException ex)
        {
            return;
        }
        final RingSlot slot = ring.get(sequence);
        slot.header(RingSlot.WAKE, 0, 0, 0, 0, System.nanoTime());
        ring.publish(sequence);
    }

    /**
     * Publishes a control slot (tick, end of input, checkpoint barrier) carrying a journaled time.
     */
    void publishControl(final int type, final long timestamp)
    {
        fillControl(ring.next(), type, timestamp);
    }

    /**
     * Publishes a control slot as {@link #publishControl} does, unless the ring is full: a background
     * duty never waits on a partition that is paused or behind (it shares its thread with duties that
     * must run on time, such as the network server).
     *
     * @return false, publishing nothing, when the ring is full.
     */
    boolean tryPublishControl(final int type, final long timestamp)
    {
        final long sequence;
        try
        {
            sequence = ring.tryNext();
        }
        catch (final com.lmax.disruptor.InsufficientCapacityException ex)
        {
            return false;
        }
        fillControl(sequence, type, timestamp);
        return true;
    }

    private void fillControl(final long sequence, final int type, final long timestamp)
    {
        final RingSlot slot = ring.get(sequence);
        slot.header(type, 0, 0, timestamp, 0, System.nanoTime());
        ring.publish(sequence);
    }
}
