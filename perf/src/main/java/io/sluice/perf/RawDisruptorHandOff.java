package io.sluice.perf;

import java.nio.ByteBuffer;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import io.sluice.engine.runtime.WaitStrategyKind;
import io.sluice.schema.EventFlyweight;
import net.openhft.affinity.AffinityLock;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The raw Disruptor hand-off baseline of the end-to-end benchmarks: the engine's ring shape without
 * the engine. A multi-producer ring of slots that are views into one off-heap block (as the engine's
 * ring slots are), the same wait strategy, one {@link BatchEventProcessor} on its own thread whose
 * handler reads the event's key, time and amount (and folds them into a checksum). The producer
 * fills each slot exactly as the engine's publisher does: reads key and time out of the event,
 * copies its 64 bytes into the slot, stamps {@code System.nanoTime()}, publishes.
 * <p>
 * As the latency baseline ({@link LatencyMain}), the handler also records, for every event not of the
 * warm-up (QTY != LatencyMain.PHASE_MARK), {@code nanoTime - SCHED}: the latency from the event's scheduled send time to its
 * hand-off, measured as the engine's probe measures its own; and the consumer can be pinned as the
 * engine pins its processing threads (OpenHFT affinity).
 * <p>
 * Threading: {@link #publish} from one producer thread; the handler runs on its own thread.
 */
final class RawDisruptorHandOff implements EventHandler<RawDisruptorHandOff.Slot>, AutoCloseable
{
    private final RingBuffer<Slot> ring;
    private final BatchEventProcessor<Slot> processor;
    private final Thread thread;
    private final EventFlyweight view = new EventFlyweight(BenchEvents.SCHEMA);
    /** The consumer's own view: {@link #view} belongs to the producer. */
    private final EventFlyweight consumerView = new EventFlyweight(BenchEvents.SCHEMA);
    private final int length = BenchEvents.SCHEMA.length();
    private final Histogram latency;
    private long checksum;
    private long consumed;

    RawDisruptorHandOff(final int ringSize, final WaitStrategyKind waitStrategy)
    {
        this(ringSize, waitStrategy, false, null);
    }

    /**
     * A hand-off that may pin its consumer and record latencies.
     *
     * @param ringSize     slots.
     * @param waitStrategy of the consumer.
     * @param pin          whether the consumer takes a CPU through OpenHFT affinity.
     * @param latency      records {@code nanoTime - SCHED} of every non-warm-up event, or null.
     */
    RawDisruptorHandOff(final int ringSize, final WaitStrategyKind waitStrategy, final boolean pin, final Histogram latency)
    {
        this.latency = latency;
        final int slotLength = 256;
        final UnsafeBuffer block = new UnsafeBuffer(ByteBuffer.allocateDirect(slotLength * ringSize));
        final int[] index = {0};
        ring = RingBuffer.createMultiProducer(
            () -> new Slot(block, index[0]++, slotLength), ringSize, waitStrategy.newWaitStrategy());
        processor = new BatchEventProcessorBuilder().build(ring, ring.newBarrier(), this);
        ring.addGatingSequences(processor.getSequence());
        thread = new Thread(pin ? () ->
        {
            final AffinityLock lock = AffinityLock.acquireLock();
            try
            {
                processor.run();
            }
            finally
            {
                lock.release();
            }
        } : processor, "raw-disruptor-consumer");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Publishes one event, waiting while the ring is full.
     *
     * @param buffer holding the 64-byte event.
     * @param offset of the event.
     */
    void publish(final DirectBuffer buffer, final int offset)
    {
        view.wrap(buffer, offset);
        final long sequence = ring.next();
        final Slot slot = ring.get(sequence);
        slot.key = view.longValue(BenchEvents.KEY);
        slot.timestamp = view.getLong(BenchEvents.TS);
        slot.length = length;
        slot.ingestNanos = System.nanoTime();
        slot.buffer.putBytes(0, buffer, offset, length);
        ring.publish(sequence);
    }

    /**
     * Waits until the consumer has read every published event.
     */
    void awaitConsumed()
    {
        final long cursor = ring.getCursor();
        while (processor.getSequence().get() < cursor)
        {
            Thread.onSpinWait();
        }
    }

    @Override
    public void onEvent(final Slot slot, final long sequence, final boolean endOfBatch)
    {
        consumed++;
        checksum += slot.key ^ slot.timestamp ^ Double.doubleToRawLongBits(slot.buffer.getDouble(16)) ^ slot.length;
        if (latency != null)
        {
            final EventFlyweight event = consumerView.wrap(slot.buffer, 0);
            if (event.getLong(BenchEvents.QTY) != LatencyMain.PHASE_MARK) // not the warm-up
            {
                latency.recordValue(Math.min(LatencyMain.HIGHEST, System.nanoTime() - event.getLong(BenchEvents.SCHED)));
            }
        }
    }

    long consumed()
    {
        return consumed;
    }

    long checksum()
    {
        return checksum;
    }

    @Override
    public void close()
    {
        processor.halt();
        try
        {
            thread.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A ring slot laid out like the engine's: metadata fields plus a view into the block.
     */
    static final class Slot
    {
        final UnsafeBuffer buffer;
        int length;
        long key;
        long timestamp;
        long ingestNanos;

        Slot(final UnsafeBuffer block, final int index, final int capacity)
        {
            buffer = new UnsafeBuffer(block, index * capacity, capacity);
        }
    }
}
