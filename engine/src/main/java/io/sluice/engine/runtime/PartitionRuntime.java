package io.sluice.engine.runtime;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.RingBuffer;

/**
 * The moving parts of one partition: its ring, the Disruptor processor that drives its
 * {@link PartitionProcessor}, and the thread that runs it.
 */
final class PartitionRuntime
{
    final RingBuffer<RingSlot> ring;
    final PartitionProcessor handler;
    final BatchEventProcessor<RingSlot> processor;
    Thread thread;

    PartitionRuntime(final RingBuffer<RingSlot> ring, final PartitionProcessor handler, final BatchEventProcessor<RingSlot> processor)
    {
        this.ring = ring;
        this.handler = handler;
        this.processor = processor;
    }

    boolean drained()
    {
        return processor.getSequence().get() >= ring.getCursor();
    }

    /**
     * Publishes a REPLAY control slot for one pipeline instance of the partition.
     */
    void publishReplay(final int instance, final int mode, final long value, final long timestamp)
    {
        final long sequence = ring.next();
        final RingSlot slot = ring.get(sequence);
        slot.type = RingSlot.REPLAY;
        slot.source = 0;
        slot.key = 0;
        slot.timestamp = timestamp;
        slot.buffer.putInt(PartitionProcessor.REPLAY_INSTANCE_OFFSET, instance);
        slot.buffer.putInt(PartitionProcessor.REPLAY_MODE_OFFSET, mode);
        slot.buffer.putLong(PartitionProcessor.REPLAY_VALUE_OFFSET, value);
        slot.length = PartitionProcessor.REPLAY_LENGTH;
        slot.ingestNanos = System.nanoTime();
        ring.publish(sequence);
    }

    /**
     * Publishes a control slot (tick, end of input) carrying a journaled time.
     */
    /**
     * Wakes the partition thread without journaling anything, so that it publishes its state (a
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
        slot.type = RingSlot.WAKE;
        slot.source = 0;
        slot.key = 0;
        slot.timestamp = 0;
        slot.length = 0;
        slot.ingestNanos = System.nanoTime();
        ring.publish(sequence);
    }

    void publishControl(final int type, final long timestamp)
    {
        final long sequence = ring.next();
        final RingSlot slot = ring.get(sequence);
        slot.type = type;
        slot.source = 0;
        slot.key = 0;
        slot.timestamp = timestamp;
        slot.length = 0;
        slot.ingestNanos = System.nanoTime();
        ring.publish(sequence);
    }
}
