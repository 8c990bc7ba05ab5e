package io.sluice.engine.runtime;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.EpochClock;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;

import io.sluice.schema.EventFlyweight;
import io.sluice.schema.FieldType;
import io.sluice.schema.Schema;
import io.sluice.journal.Topic;

/**
 * In-process ingress of one topic: reads each event's partition key and time, picks the partition by
 * the key's stable hash, and copies the event into that partition's ring. No allocation.
 *
 * <p>Threading: one publisher per producing thread ({@link Engine#publisher(String)} returns a new
 * one each call); the rings accept many producers.
 */
public final class EventPublisher
{
    private final Engine engine;
    private final GroupRuntime group;
    private final String topic;
    private final Schema schema;
    private final RingBuffer<RingSlot>[] rings;
    /** The partitions' processors, read only for their failure (one volatile read per publish). */
    private final PartitionProcessor[] partitions;
    private final int keyField;
    private final boolean keyIsSymbol;
    private final int timeField;
    private final EpochClock clock;
    private final EventFlyweight view;
    private final int source;
    /** Whether a latency listener reads the ingest stamp; without one no clock is read per event. */
    private final boolean stampIngest;
    private long lastSequence = -1;

    EventPublisher(
        final Engine engine,
        final GroupRuntime group,
        final String topic,
        final Schema schema,
        final RingBuffer<RingSlot>[] rings,
        final PartitionProcessor[] partitions,
        final int keyField,
        final int timeField,
        final EpochClock clock,
        final int source)
    {
        this.partitions = partitions;
        this.source = source;
        this.engine = engine;
        this.group = group;
        this.topic = topic;
        this.schema = schema;
        this.rings = rings;
        this.keyField = keyField;
        this.keyIsSymbol = schema.field(keyField).type() == FieldType.SYMBOL;
        this.timeField = timeField;
        this.clock = clock;
        this.view = new EventFlyweight(schema);
        this.stampIngest = engine.stampsIngest();
    }

    /**
     * The schema events must have.
     *
     * @return the topic's schema.
     */
    public Schema schema()
    {
        return schema;
    }

    /**
     * Publishes an event, waiting while its partition's ring is full (back-pressure).
     *
     * @param buffer holding the event in the schema's layout.
     * @param offset of the event.
     * @return the partition the event went to.
     * @throws EngineException if the engine is not accepting input or the topic's input has ended.
     */
    public int publish(final DirectBuffer buffer, final int offset)
    {
        engine.checkAccepting();
        group.checkInputOpen(topic);
        view.wrap(buffer, offset);
        final long key = keyIsSymbol ? view.symbolHash(keyField) : view.longValue(keyField);
        final int partition = Topic.partitionFor(key, rings.length);
        final RingBuffer<RingSlot> ring = rings[partition];
        final long sequence = claim(ring, partitions[partition], topic, 1);
        fill(ring.get(sequence), buffer, offset, key);
        ring.publish(sequence);
        lastSequence = sequence;
        return partition;
    }

    /**
     * Publishes an event unless its partition's ring is full.
     *
     * @param buffer holding the event in the schema's layout.
     * @param offset of the event.
     * @return the partition the event went to, or -1 if its ring was full (nothing was published).
     * @throws EngineException if the engine is not accepting input or the topic's input has ended.
     */
    public int tryPublish(final DirectBuffer buffer, final int offset)
    {
        engine.checkAccepting();
        group.checkInputOpen(topic);
        view.wrap(buffer, offset);
        final long key = keyIsSymbol ? view.symbolHash(keyField) : view.longValue(keyField);
        final int partition = Topic.partitionFor(key, rings.length);
        final RingBuffer<RingSlot> ring = rings[partition];
        checkNotFailed(partitions[partition], topic);
        final long sequence;
        try
        {
            sequence = ring.tryNext();
        }
        catch (final InsufficientCapacityException ex)
        {
            return -1;
        }
        fill(ring.get(sequence), buffer, offset, key);
        ring.publish(sequence);
        lastSequence = sequence;
        return partition;
    }

    /**
     * Claims {@code n} slots, waiting while the ring is full as {@link RingBuffer#next(int)} does, but
     * failing fast once the partition has FAILED (its thread is gone and the ring will never drain) or
     * while it is DEGRADED (its journal cannot take events now).
     *
     * <p>Once the ring was found full, the producer comes back only when a quarter of it is free again
     * (or the claim, if larger), parking a little longer each time it looks too early: first the shortest
     * park there is ({@code parkNanos(1)}, about the kernel's timer slack of ~50 us, as the Disruptor's
     * {@code next()} parks), then {@link #FULL_RING_PARK_MIN_NS} doubling up to {@link #FULL_RING_PARK_MAX_NS}.
     * A producer faster than its partition otherwise wakes every ~50 us to publish the few slots freed
     * meanwhile, and each wake-up costs microseconds of CPU that, on a machine with few cores, is taken
     * from the processing thread it waits for. The partition still holds three quarters of a ring of work
     * when the producer resumes, so it does not run dry for it; a small ring (a quarter drained within the
     * first park) sees no difference.
     *
     * @return the highest claimed sequence.
     * @throws PartitionFailedException naming the partition and the cause.
     */
    static long claim(final RingBuffer<RingSlot> ring, final PartitionProcessor partition, final String topic, final int n)
    {
        boolean waited = false;
        long parkNanos = 1;
        while (true)
        {
            checkNotFailed(partition, topic);
            if (!waited || ring.remainingCapacity() >= Math.max(n, ring.getBufferSize() >> 2))
            {
                try
                {
                    return ring.tryNext(n);
                }
                catch (final InsufficientCapacityException ex)
                {
                    // full: wait below
                }
            }
            waited = true;
            java.util.concurrent.locks.LockSupport.parkNanos(parkNanos);
            parkNanos = parkNanos < FULL_RING_PARK_MIN_NS ? FULL_RING_PARK_MIN_NS : Math.min(parkNanos << 1, FULL_RING_PARK_MAX_NS);
        }
    }

    /** Second park of a producer waiting for a quarter of its full ring. */
    static final long FULL_RING_PARK_MIN_NS = 50_000;
    /**
     * Longest park of a producer waiting for a quarter of its ring: short beside the time a partition
     * takes to work through the other three quarters (a ring of 8,192 slots at 10M events/s: 600 us).
     */
    static final long FULL_RING_PARK_MAX_NS = 200_000;

    static void checkNotFailed(final PartitionProcessor partition, final String topic)
    {
        final Throwable refusal = partition.refusal();
        if (refusal != null)
        {
            throw new PartitionFailedException(topic, partition.partition(), refusal == partition.failure(), refusal);
        }
    }

    private void fill(final RingSlot slot, final DirectBuffer buffer, final int offset, final long key)
    {
        final int length = schema.length();
        slot.header(RingSlot.EVENT, source, key, timeField >= 0 ? view.getLong(timeField) : clock.time(), length,
            stampIngest ? System.nanoTime() : 0);
        slot.copyIn(buffer, offset, length);
    }

    /**
     * Ring sequence of the last event this publisher published, in the ring of the partition it
     * returned. Once {@link Engine#processedSequence(String, int)} of that partition reaches it, the
     * event is journaled (JOURNALED) and processed.
     *
     * @return the ring sequence, -1 before the first event.
     */
    public long lastSequence()
    {
        return lastSequence;
    }

    /**
     * The topic this publisher feeds.
     *
     * @return the topic name.
     */
    public String topic()
    {
        return topic;
    }
}
