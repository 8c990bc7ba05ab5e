package io.sluice.engine.runtime;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import com.lmax.disruptor.RingBuffer;

import io.sluice.schema.EventFlyweight;
import io.sluice.schema.FieldType;
import io.sluice.schema.Schema;
import io.sluice.journal.Topic;

/**
 * Micro-batching ingress: events are staged per partition and handed to the ring in batches of up
 * to {@code batchSize}, with one claim of the multi-producer sequence ({@code next(n)}) and one
 * publication per batch instead of one per event. The partition thread then journals and processes
 * the batch in one go, so the per-event cost of the hand-off (a CAS, a wake-up, a cache-line
 * transfer) is paid once per batch.
 *
 * <p>The price is latency: an event waits in its batch until the batch is full or
 * {@link #flushIfOlderThan(long)} (or {@link #flush()}) sends it, bounded by the caller's maximum
 * delay. With a batch size of 1 this is an {@link EventPublisher}.
 *
 * <p>Threading: one producing thread per instance. Staging copies each event once; nothing is
 * allocated per event.
 */
public final class BatchingPublisher
{
    private final Engine engine;
    private final GroupRuntime group;
    private final Schema schema;
    private final RingBuffer<RingSlot>[] rings;
    /** The partitions' processors, read only for their failure. */
    private final PartitionProcessor[] partitions;
    private final String topic;
    private final int keyField;
    private final boolean keyIsSymbol;
    private final int timeField;
    private final int source;
    private final int batchSize;
    private final int eventLength;
    private final EventFlyweight view;
    private final org.agrona.concurrent.EpochClock clock;
    private final UnsafeBuffer[] staged;
    private final long[] keys;
    private final long[] timestamps;
    private final long[] ingestNanos;
    private final int[] counts;
    private final long[] oldestNanos;
    /** Whether a latency listener reads the ingest stamp; without one the clock is read once per batch, not per event. */
    private final boolean stampIngest;

    BatchingPublisher(
        final Engine engine,
        final GroupRuntime group,
        final String topic,
        final Schema schema,
        final RingBuffer<RingSlot>[] rings,
        final PartitionProcessor[] partitions,
        final int keyField,
        final int timeField,
        final org.agrona.concurrent.EpochClock clock,
        final int source,
        final int batchSize)
    {
        if (batchSize < 1 || batchSize > rings[0].getBufferSize())
        {
            throw new EngineException("batch size must be in [1, ring size " + rings[0].getBufferSize() + "], was " + batchSize);
        }
        this.engine = engine;
        this.group = group;
        this.topic = topic;
        this.partitions = partitions;
        this.schema = schema;
        this.rings = rings;
        this.keyField = keyField;
        this.keyIsSymbol = schema.field(keyField).type() == FieldType.SYMBOL;
        this.timeField = timeField;
        this.clock = clock;
        this.source = source;
        this.batchSize = batchSize;
        this.eventLength = schema.length();
        this.stampIngest = engine.stampsIngest();
        this.view = new EventFlyweight(schema);
        final int partitionCount = rings.length;
        this.staged = new UnsafeBuffer[partitionCount];
        this.keys = new long[partitionCount * batchSize];
        this.timestamps = new long[partitionCount * batchSize];
        this.ingestNanos = new long[partitionCount * batchSize];
        this.counts = new int[partitionCount];
        this.oldestNanos = new long[partitionCount];
        for (int p = 0; p < partitionCount; p++)
        {
            staged[p] = new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(eventLength * batchSize));
        }
    }

    /**
     * Stages an event; sends its partition's batch when it is full.
     *
     * @param buffer holding the event in the schema's layout.
     * @param offset of the event.
     * @return the partition the event is bound for.
     */
    public int publish(final DirectBuffer buffer, final int offset)
    {
        engine.checkAccepting();
        group.checkInputOpen(topic);
        view.wrap(buffer, offset);
        final long key = keyIsSymbol ? view.symbolHash(keyField) : view.longValue(keyField);
        final int partition = Topic.partitionFor(key, rings.length);
        final int index = counts[partition];
        final int at = partition * batchSize + index;
        // The clock is read for a latency listener's stamp, or once per batch for flushIfOlderThan.
        final long now = stampIngest || index == 0 ? System.nanoTime() : 0;
        keys[at] = key;
        timestamps[at] = timeField >= 0 ? view.getLong(timeField) : clock.time();
        ingestNanos[at] = now;
        staged[partition].putBytes(index * eventLength, buffer, offset, eventLength);
        if (index == 0)
        {
            oldestNanos[partition] = now;
        }
        counts[partition] = index + 1;
        if (index + 1 == batchSize)
        {
            send(partition);
        }
        return partition;
    }

    /**
     * Sends every partition's batch whose oldest event has waited at least {@code maxDelayNanos}.
     *
     * @param maxDelayNanos bound on the time an event waits in a batch.
     * @return batches sent.
     */
    public int flushIfOlderThan(final long maxDelayNanos)
    {
        final long now = System.nanoTime();
        int sent = 0;
        for (int p = 0; p < counts.length; p++)
        {
            if (counts[p] > 0 && now - oldestNanos[p] >= maxDelayNanos)
            {
                send(p);
                sent++;
            }
        }
        return sent;
    }

    /**
     * Sends every staged event now.
     */
    public void flush()
    {
        for (int p = 0; p < counts.length; p++)
        {
            if (counts[p] > 0)
            {
                send(p);
            }
        }
    }

    private void send(final int partition)
    {
        final int n = counts[partition];
        final RingBuffer<RingSlot> ring = rings[partition];
        final long hi = EventPublisher.claim(ring, partitions[partition], topic, n);
        final long lo = hi - n + 1;
        final UnsafeBuffer from = staged[partition];
        final RingSlots into = partitions[partition].slots();
        for (int i = 0; i < n; i++)
        {
            final int at = partition * batchSize + i;
            into.putEvent(lo + i, source, keys[at], timestamps[at], from, i * eventLength, eventLength, ingestNanos[at]);
        }
        ring.publish(lo, hi);
        counts[partition] = 0;
    }

    /**
     * The schema events must have.
     *
     * @return the schema.
     */
    public Schema schema()
    {
        return schema;
    }
}
