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
 * <p>A caller holding many events at once (a poll of a consumer, a block read from a file, an array)
 * publishes them with {@link #publishAll}: each partition's share goes to its ring as one run, with one
 * claim of the ring's sequence and one check of the engine's state for the run instead of one per event.
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
    /** Each partition's ring slots by address: a run is written there, not through the ring's slot objects. */
    private final RingSlots[] slots;
    private final int keyField;
    private final boolean keyIsSymbol;
    private final int timeField;
    private final EpochClock clock;
    private final EventFlyweight view;
    private final int source;
    /** Whether a latency listener reads the ingest stamp; without one no clock is read per event. */
    private final boolean stampIngest;
    private long lastSequence = -1;
    /** {@link #publishAll}: the partition of each event of the run being published. */
    private final int[] runPartitions = new int[RUN_LIMIT];
    /** {@link #publishAll}: each event's key, as read for its partition. */
    private final long[] runKeys = new long[RUN_LIMIT];
    /** {@link #publishAll}: each event's time. */
    private final long[] runTimestamps = new long[RUN_LIMIT];
    /** {@link #publishAll}: the run's events grouped by partition, in order within each (indexes into the run). */
    private final int[] runOrder = new int[RUN_LIMIT];
    /** {@link #publishAll}: where each partition's events start in {@link #runOrder}, and one past the last partition's. */
    private final int[] runStarts;
    /** Events per run of {@link #publishAll}: {@link #RUN_LIMIT}, or the ring's size if smaller. */
    private final int runLimit;

    /**
     * Most events {@link #publishAll} routes at once; a longer call is published in runs of this many (or of the
     * ring's size, if smaller). A run claims at most this many slots of a ring, a small part of it (8,192 slots by
     * default), so a run never waits for a ring to drain more than a fraction of itself.
     */
    public static final int RUN_LIMIT = 256;

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
        this.slots = new RingSlots[partitions.length];
        for (int p = 0; p < partitions.length; p++)
        {
            slots[p] = partitions[p].slots();
        }
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
        this.runStarts = new int[rings.length + 1];
        this.runLimit = Math.min(RUN_LIMIT, rings[0].getBufferSize());
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
        fill(partition, sequence, buffer, offset, key);
        ring.publish(sequence);
        lastSequence = sequence;
        return partition;
    }

    /**
     * Publishes {@code count} events that lie back to back in {@code buffer} from {@code offset}, each
     * {@link Schema#length()} bytes in the schema's layout, waiting while a ring is full (back-pressure).
     * Each partition receives its events in their order in the buffer, as if each had been
     * {@link #publish published} in turn; the events of one partition are copied into its ring as one run,
     * claimed and published at once (runs of at most {@link #RUN_LIMIT} events), so the claim of the
     * ring's sequence (a compare-and-swap shared with any other producer), the check of the engine's and
     * the partition's state and the publication are paid per run instead of per event. With a latency
     * listener the events of a run carry one ingest stamp, taken as the run is routed.
     *
     * <p>If a partition refuses (FAILED or DEGRADED), the runs already published, to other partitions or in
     * earlier runs, stay published, as the events before a refused {@link #publish} do.
     *
     * @param buffer holding the events.
     * @param offset of the first event.
     * @param count  of events, at least 0.
     * @return the partition the last event went to ({@link #lastSequence()} is its sequence in that ring), or -1
     *         if {@code count} is 0.
     * @throws EngineException if the engine is not accepting input or the topic's input has ended, or the events
     *                         do not lie within the buffer.
     * @throws PartitionFailedException if a partition refused its run (nothing of that run was published).
     */
    public int publishAll(final DirectBuffer buffer, final int offset, final int count)
    {
        final int length = schema.length();
        if (count < 0 || offset < 0 || (long)offset + (long)count * length > buffer.capacity())
        {
            throw new EngineException("publishAll of " + count + " events of " + length + " bytes from offset " + offset +
                " reaches past the buffer's " + buffer.capacity() + " bytes (topic " + topic + ")");
        }
        int last = -1;
        for (int done = 0; done < count; done += runLimit)
        {
            last = publishRun(buffer, offset + done * length, Math.min(runLimit, count - done));
        }
        return last;
    }

    /**
     * One run of {@link #publishAll}: routes every event (key, partition, time), groups them by partition keeping
     * their order, then claims, fills and publishes each partition's share.
     */
    private int publishRun(final DirectBuffer buffer, final int offset, final int n)
    {
        engine.checkAccepting();
        group.checkInputOpen(topic);
        final int length = schema.length();
        final int partitionCount = rings.length;
        final int[] partitionOf = runPartitions;
        final long[] keys = runKeys;
        final long[] timestamps = runTimestamps;
        final int[] starts = runStarts;
        java.util.Arrays.fill(starts, 0);
        final long now = timeField >= 0 ? 0 : clock.time();
        for (int i = 0, at = offset; i < n; i++, at += length)
        {
            view.wrap(buffer, at);
            final long key = keyIsSymbol ? view.symbolHash(keyField) : view.longValue(keyField);
            final int partition = Topic.partitionFor(key, partitionCount);
            partitionOf[i] = partition;
            keys[i] = key;
            timestamps[i] = timeField >= 0 ? view.getLong(timeField) : now;
            starts[partition + 1]++;
        }
        for (int p = 0; p < partitionCount; p++)
        {
            starts[p + 1] += starts[p];
        }
        // A counting sort: each partition's events, in order, at runOrder[starts[p], starts[p + 1]).
        final int[] order = runOrder;
        for (int i = 0; i < n; i++)
        {
            order[starts[partitionOf[i]]++] = i;
        }
        final long ingestNanos = stampIngest ? System.nanoTime() : 0;
        int from = 0;
        for (int p = 0; p < partitionCount; p++)
        {
            // starts[p] is now where partition p's events end (the counting sort moved it there).
            final int to = starts[p];
            if (to > from)
            {
                final RingBuffer<RingSlot> ring = rings[p];
                final long hi = claim(ring, partitions[p], topic, to - from);
                final long lo = hi - (to - from) + 1;
                final RingSlots into = slots[p];
                for (int j = from; j < to; j++)
                {
                    final int i = order[j];
                    into.putEvent(lo + j - from, source, keys[i], timestamps[i], buffer, offset + i * length, length, ingestNanos);
                }
                ring.publish(lo, hi);
                if (order[to - 1] == n - 1)
                {
                    lastSequence = hi;
                }
            }
            from = to;
        }
        return partitionOf[n - 1];
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
        fill(partition, sequence, buffer, offset, key);
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

    private void fill(final int partition, final long sequence, final DirectBuffer buffer, final int offset, final long key)
    {
        slots[partition].putEvent(sequence, source, key, timeField >= 0 ? view.getLong(timeField) : clock.time(), buffer, offset,
            schema.length(), stampIngest ? System.nanoTime() : 0);
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
