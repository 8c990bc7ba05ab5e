package io.sluice.ops.net;

import io.aeron.ExclusivePublication;
import io.sluice.client.wire.Durability;
import io.sluice.client.wire.ErrorCode;

/**
 * A producer's session: its topic, the highest producer sequence accepted, and the events accepted
 * but not yet acknowledged, in order, with where each went.
 *
 * <p>The pending events form one ring of three regions:
 * <pre>
 *   durableHead        journaledHead                tail
 *       |  journaled, awaiting |  in a ring, awaiting  |
 *       |  durability (marks = |  the partition thread |
 *       |  journal end offset) |  (marks = ring seq)   |
 * </pre>
 * An event leaves the second region when its partition's processed sequence reaches its ring sequence
 * (journal first, so it is journaled); at that moment the partition's journal end offset is recorded,
 * and the event leaves the first region when the durable offset reaches it. The cursors only move
 * forward and in order, which makes the ACKs cumulative.
 *
 * <p>Threading: the server agent's thread only.
 */
final class ProducerSession extends NetSession
{
    private final IngressTopic topic;
    private final int heartbeatIntervalMs;
    private final long[] sequences;
    private final int[] partitions;
    private final long[] marks;
    private final byte[] durability;
    private final int mask;
    private long durableHead;
    private long journaledHead;
    private long tail;
    private long lastAccepted;
    private long journaledAcked;
    private long durableAcked;
    private long journaledSent;
    private long durableSent;
    private boolean durableRequested;
    private boolean durabilityFailureSent;

    ProducerSession(final long sessionId, final int imageSessionId, final long correlationId, final ExclusivePublication publication,
        final NetCounters counters, final long nowMs, final NetServerContext context, final IngressTopic topic)
    {
        super(sessionId, imageSessionId, correlationId, publication, counters, nowMs, context.connectTimeoutMs());
        this.topic = topic;
        this.heartbeatIntervalMs = context.heartbeatIntervalMs();
        final int capacity = context.pendingAcksPerSession();
        this.sequences = new long[capacity];
        this.partitions = new int[capacity];
        this.marks = new long[capacity];
        this.durability = new byte[capacity];
        this.mask = capacity - 1;
    }

    IngressTopic topic()
    {
        return topic;
    }

    @Override
    int topicId()
    {
        return topic == null ? -1 : topic.id;
    }

    @Override
    int eventLength()
    {
        return topic == null ? 0 : topic.eventLength;
    }

    @Override
    int layoutFingerprint()
    {
        return topic == null ? 0 : topic.layoutFingerprint;
    }

    @Override
    int heartbeatIntervalMs()
    {
        return heartbeatIntervalMs;
    }

    long lastAccepted()
    {
        return lastAccepted;
    }

    /**
     * Whether events of this session are in the engine's rings, not yet journaled and processed.
     *
     * @return true until the partition threads have reached every accepted event.
     */
    boolean awaitingEngine()
    {
        return journaledHead < tail;
    }

    /**
     * Events of this session journaled and processed so far (the journaled cursor).
     *
     * @return the count.
     */
    long journaledCount()
    {
        return journaledHead;
    }

    boolean isFull()
    {
        return tail - durableHead == sequences.length;
    }

    void accepted(final long sequence, final int partition, final long ringSequence, final int level)
    {
        final int index = (int)(tail & mask);
        sequences[index] = sequence;
        partitions[index] = partition;
        marks[index] = ringSequence;
        durability[index] = (byte)level;
        durableRequested |= level == Durability.DURABLE;
        tail++;
        lastAccepted = sequence;
    }

    /**
     * Moves the cursors as far as the topic's progress allows and sends the ACKs that moved.
     *
     * @return work done.
     */
    int advance()
    {
        int work = 0;
        while (journaledHead < tail)
        {
            final int index = (int)(journaledHead & mask);
            final int partition = partitions[index];
            if (topic.processed[partition] < marks[index])
            {
                break;
            }
            marks[index] = topic.endOffset[partition];
            journaledAcked = sequences[index];
            journaledHead++;
            work++;
        }
        while (durableHead < journaledHead)
        {
            final int index = (int)(durableHead & mask);
            if (durability[index] == Durability.DURABLE)
            {
                final int partition = partitions[index];
                if (topic.durableOffset[partition] < marks[index])
                {
                    if (topic.failed[partition])
                    {
                        if (!durabilityFailureSent)
                        {
                            durabilityFailureSent = true;
                            sendError(ErrorCode.DURABILITY_FAILED, sequences[index]);
                        }
                    }
                    else
                    {
                        topic.forceWanted[partition] = true;
                    }
                    break;
                }
            }
            durableAcked = sequences[index];
            durableHead++;
            work++;
        }
        return work + sendAcks();
    }

    private int sendAcks()
    {
        int sent = 0;
        if (journaledAcked > journaledSent && sendAck(Durability.JOURNALED, journaledAcked))
        {
            journaledSent = journaledAcked;
            sent++;
        }
        if (durableRequested && durableAcked > durableSent && sendAck(Durability.DURABLE, durableAcked))
        {
            durableSent = durableAcked;
            sent++;
        }
        return sent;
    }
}
