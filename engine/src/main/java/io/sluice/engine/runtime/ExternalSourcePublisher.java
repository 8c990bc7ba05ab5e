package io.sluice.engine.runtime;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.EpochClock;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;

import io.sluice.engine.checkpoint.SourcePositions;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.FieldType;
import io.sluice.schema.Schema;

/**
 * Ingress of an external source (a Kafka topic, a database's change stream) into one source topic of
 * the engine: the source chooses the partition (a Kafka partition maps to the Sluice partition of the
 * same number) and gives each event its own position, which is journaled in the event's record
 * ({@link SourcePositionDescriptor}) and reported back after a restart by {@link #position(int)}.
 * See {@link SourcePositions} for the whole hook. No allocation per event.
 *
 * <p>Threading: one publisher per producing thread ({@link Engine#externalSource(String)} returns a
 * new one each call); positions must increase per partition, so each partition should be fed by one
 * thread at a time.
 */
public final class ExternalSourcePublisher
{
    private final Engine engine;
    private final String topic;
    private final Schema schema;
    private final PartitionRuntime[] partitions;
    private final int keyField;
    private final boolean keyIsSymbol;
    private final int timeField;
    private final EpochClock clock;
    private final EventFlyweight view;
    private final int source;
    private final int payloadLength;
    /** Whether a latency listener reads the ingest stamp; without one no clock is read per event. */
    private final boolean stampIngest;
    private final String journalTopic;
    /** The partition of the claimed batch, or -1 when none is claimed (single thread: the publisher's). */
    private int claimedPartition = -1;
    /** The claimed batch's first slot, next slot to fill and last slot. */
    private long claimFirst;
    private long claimNext;
    private long claimLast;

    ExternalSourcePublisher(
        final Engine engine,
        final String topic,
        final Schema schema,
        final PartitionRuntime[] partitions,
        final int keyField,
        final int timeField,
        final EpochClock clock,
        final int source,
        final String journalTopic)
    {
        this.journalTopic = journalTopic;
        this.engine = engine;
        this.topic = topic;
        this.schema = schema;
        this.partitions = partitions;
        this.keyField = keyField;
        this.keyIsSymbol = schema.field(keyField).type() == FieldType.SYMBOL;
        this.timeField = timeField;
        this.clock = clock;
        this.view = new EventFlyweight(schema);
        this.source = source;
        this.payloadLength = schema.length() + SourcePositionDescriptor.POSITION_LENGTH;
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
     * The source topic this publisher feeds.
     *
     * @return the topic name.
     */
    public String topic()
    {
        return topic;
    }

    /**
     * The journal topic (source group) this topic is journaled in: the name checkpoint manifests give
     * its partitions ({@link io.sluice.engine.checkpoint.CheckpointManifest#find}).
     *
     * @return the group's journal topic name.
     */
    public String journalTopic()
    {
        return journalTopic;
    }

    /**
     * Index of this source within its group: the index of its positions in
     * {@link io.sluice.engine.checkpoint.PartitionCheckpoint#sourcePositions()}.
     *
     * @return the source index.
     */
    public int sourceIndex()
    {
        return source;
    }

    /**
     * Number of partitions of the engine's group for this topic; an external source with partitions
     * of its own must have as many.
     *
     * @return the partition count.
     */
    public int partitionCount()
    {
        return partitions.length;
    }

    /**
     * The position of the last event of this source journaled on a partition, as recovered at launch:
     * from the newest checkpoint, advanced over every record replayed from the journal after it. The
     * source resumes after it. Read it before publishing to the partition; afterwards the partition
     * thread moves it on.
     *
     * @param partition of the engine.
     * @return the position or {@link SourcePositions#NO_POSITION} if none was journaled.
     */
    public long position(final int partition)
    {
        return partitions[partition].handler.sourcePosition(source);
    }

    /**
     * Whether the partition has processed everything published to it so far (this source's events and any
     * other's): its ring holds nothing the partition thread has still to journal and process. A source that
     * has handed over all it has read and finds its partition drained knows its input has caught up; an
     * exactly-once Kafka sink's commit spacing holds only until then. A concurrent read (two volatile
     * sequences), any thread; the answer may be stale by the time it is used.
     *
     * @param partition of the engine.
     * @return true when the partition's ring holds no unprocessed slot.
     */
    public boolean drained(final int partition)
    {
        return partitions[partition].drained();
    }

    /**
     * Publishes an event with its time taken from the schema's event-time field (the clock when the
     * source has none), waiting while the partition's ring is full (back-pressure).
     *
     * @param partition of the engine to publish to.
     * @param buffer    holding the event in the schema's layout.
     * @param offset    of the event.
     * @param position  of the event in the source, greater than the previous one on this partition.
     */
    public void publish(final int partition, final DirectBuffer buffer, final int offset, final long position)
    {
        view.wrap(buffer, offset);
        publish(partition, buffer, offset, timeField >= 0 ? view.getLong(timeField) : clock.time(), position);
    }

    /**
     * Publishes an event with a given time (a Kafka record's timestamp), waiting while the partition's
     * ring is full (back-pressure).
     *
     * @param partition of the engine to publish to.
     * @param buffer    holding the event in the schema's layout.
     * @param offset    of the event.
     * @param timestamp of the event (event time in epoch milliseconds).
     * @param position  of the event in the source, greater than the previous one on this partition.
     */
    public void publish(final int partition, final DirectBuffer buffer, final int offset, final long timestamp, final long position)
    {
        engine.checkAccepting();
        final RingBuffer<RingSlot> ring = partitions[partition].ring;
        final long sequence = ring.next();
        fill(ring.get(sequence), buffer, offset, timestamp, position);
        ring.publish(sequence);
    }

    /**
     * Publishes an event with its time taken from the schema's event-time field (the clock when the
     * source has none) unless the partition's ring is full.
     *
     * @param partition of the engine to publish to.
     * @param buffer    holding the event in the schema's layout.
     * @param offset    of the event.
     * @param position  of the event in the source, greater than the previous one on this partition.
     * @return true if published, false if the ring was full (nothing was published).
     */
    public boolean tryPublish(final int partition, final DirectBuffer buffer, final int offset, final long position)
    {
        view.wrap(buffer, offset);
        return tryPublish(partition, buffer, offset, timeField >= 0 ? view.getLong(timeField) : clock.time(), position);
    }

    /**
     * Publishes an event with a given time unless the partition's ring is full.
     *
     * @param partition of the engine to publish to.
     * @param buffer    holding the event in the schema's layout.
     * @param offset    of the event.
     * @param timestamp of the event (event time in epoch milliseconds).
     * @param position  of the event in the source, greater than the previous one on this partition.
     * @return true if published, false if the ring was full (nothing was published).
     */
    public boolean tryPublish(final int partition, final DirectBuffer buffer, final int offset, final long timestamp, final long position)
    {
        engine.checkAccepting();
        final RingBuffer<RingSlot> ring = partitions[partition].ring;
        final long sequence;
        try
        {
            sequence = ring.tryNext();
        }
        catch (final InsufficientCapacityException ex)
        {
            return false;
        }
        fill(ring.get(sequence), buffer, offset, timestamp, position);
        ring.publish(sequence);
        return true;
    }

    /**
     * Claims up to {@code count} consecutive slots of a partition's ring for a batch, without waiting: as many
     * as the ring has room for. Each claimed slot must then be filled by {@link #put} (in position order) and
     * the batch made visible by {@link #publishClaimed}, before anything else is published through this
     * publisher; an unfilled claimed slot would hold the partition thread back for good.
     *
     * @param partition of the engine to publish to.
     * @param count     of events the caller holds and has checked, at least 1.
     * @return slots claimed, 1 to {@code count}; 0 if the ring is full (nothing was claimed).
     * @throws IllegalStateException if a batch is claimed and not yet published.
     */
    public int tryClaim(final int partition, final int count)
    {
        if (claimedPartition >= 0)
        {
            throw new IllegalStateException("a batch of partition " + claimedPartition + " is claimed and not published");
        }
        if (count < 1)
        {
            throw new IllegalArgumentException("a batch of " + count + " events");
        }
        engine.checkAccepting();
        final RingBuffer<RingSlot> ring = partitions[partition].ring;
        int n = Math.min(count, ring.getBufferSize());
        while (true)
        {
            try
            {
                claimLast = ring.tryNext(n);
                break;
            }
            catch (final InsufficientCapacityException ex)
            {
                // All or nothing in the ring: ask for what it has room for (another producer may take it first).
                n = (int)Math.min(n - 1, ring.remainingCapacity());
                if (n <= 0)
                {
                    return 0;
                }
            }
        }
        claimFirst = claimLast - n + 1;
        claimNext = claimFirst;
        claimedPartition = partition;
        return n;
    }

    /**
     * Fills the next slot of the claimed batch, its time taken from the schema's event-time field (the
     * clock when the source has none).
     *
     * @param buffer   holding the event in the schema's layout.
     * @param offset   of the event.
     * @param position of the event in the source, greater than the previous one on the partition.
     * @throws IllegalStateException if every claimed slot is filled already, or none is claimed.
     */
    public void put(final DirectBuffer buffer, final int offset, final long position)
    {
        view.wrap(buffer, offset);
        put(buffer, offset, timeField >= 0 ? view.getLong(timeField) : clock.time(), position);
    }

    /**
     * Fills the next slot of the claimed batch with a given time.
     *
     * @param buffer    holding the event in the schema's layout.
     * @param offset    of the event.
     * @param timestamp of the event (event time in epoch milliseconds).
     * @param position  of the event in the source, greater than the previous one on the partition.
     * @throws IllegalStateException if every claimed slot is filled already, or none is claimed.
     */
    public void put(final DirectBuffer buffer, final int offset, final long timestamp, final long position)
    {
        if (claimedPartition < 0 || claimNext > claimLast)
        {
            throw new IllegalStateException(claimedPartition < 0 ? "no batch is claimed" : "every claimed slot is filled");
        }
        fill(partitions[claimedPartition].ring.get(claimNext++), buffer, offset, timestamp, position);
    }

    /**
     * Makes the claimed batch visible to its partition thread.
     *
     * @throws IllegalStateException if a claimed slot is not filled, or none is claimed.
     */
    public void publishClaimed()
    {
        if (claimedPartition < 0 || claimNext <= claimLast)
        {
            throw new IllegalStateException(claimedPartition < 0 ? "no batch is claimed" :
                (claimLast - claimNext + 1) + " claimed slots are not filled");
        }
        final RingBuffer<RingSlot> ring = partitions[claimedPartition].ring;
        claimedPartition = -1;
        ring.publish(claimFirst, claimLast);
    }

    private void fill(final RingSlot slot, final DirectBuffer buffer, final int offset, final long timestamp, final long position)
    {
        view.wrap(buffer, offset);
        slot.header(RingSlot.EVENT, source | SourcePositionDescriptor.POSITIONED_FLAG,
            keyIsSymbol ? view.symbolHash(keyField) : view.longValue(keyField), timestamp, payloadLength, stampIngest ? System.nanoTime() : 0);
        slot.copyIn(buffer, offset, schema.length());
        slot.buffer.putLong(SourcePositionDescriptor.positionOffset(payloadLength), position);
    }
}
