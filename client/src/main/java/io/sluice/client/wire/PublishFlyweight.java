package io.sluice.client.wire;

import org.agrona.DirectBuffer;

import static io.sluice.client.wire.FrameDescriptor.BYTE_ORDER;
import static io.sluice.client.wire.FrameDescriptor.HEADER_LENGTH;
import static io.sluice.client.wire.FrameDescriptor.TYPE_PUBLISH;

/**
 * PUBLISH, producer to server: one event for the session's topic.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                      Header (16 bytes)                        |
 *  +---------------------------------------------------------------+
 *  |                           Topic Id                            |
 *  +---------------+-----------------------------------------------+
 *  |  Durability   |                  Reserved                     |
 *  +---------------+-----------------------------------------------+
 *  |                      Producer Sequence                        |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                         Event Length                          |
 *  +---------------------------------------------------------------+
 *  |                           Reserved                            |
 *  +---------------------------------------------------------------+
 *  |                  Event (the topic's schema layout)           ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * Producer sequences of a session start at 1 and increase; a sequence at or below the highest one
 * accepted is a duplicate and is not published again. Frame length = {@link #EVENT_OFFSET} +
 * event length, exactly; the event length must be the topic's.
 */
public final class PublishFlyweight extends FrameFlyweight
{
    /** Offset of the topic id (int32) from CONNECTED. */
    public static final int TOPIC_ID_OFFSET = HEADER_LENGTH;
    /** Offset of the requested durability (uint8), {@link Durability#JOURNALED} or {@link Durability#DURABLE}. */
    public static final int DURABILITY_OFFSET = HEADER_LENGTH + 4;
    /** Offset of the producer sequence (int64). */
    public static final int PRODUCER_SEQUENCE_OFFSET = HEADER_LENGTH + 8;
    /** Offset of the event length (int32). */
    public static final int EVENT_LENGTH_OFFSET = HEADER_LENGTH + 16;
    /** Offset of the event's bytes. */
    public static final int EVENT_OFFSET = HEADER_LENGTH + 24;

    /**
     * Encodes a PUBLISH.
     *
     * @param sessionId        of the producer.
     * @param topicId          from CONNECTED.
     * @param durability       requested acknowledgement level.
     * @param producerSequence of the event.
     * @param event            holding the event.
     * @param eventOffset      of the event.
     * @param eventLength      of the event.
     * @return the frame length.
     */
    public int encode(final long sessionId, final int topicId, final int durability, final long producerSequence,
        final DirectBuffer event, final int eventOffset, final int eventLength)
    {
        final int length = EVENT_OFFSET + eventLength;
        putHeader(TYPE_PUBLISH, length, sessionId);
        buffer.putInt(TOPIC_ID_OFFSET, topicId, BYTE_ORDER);
        buffer.putInt(DURABILITY_OFFSET, durability & 0xFF, BYTE_ORDER);
        buffer.putLong(PRODUCER_SEQUENCE_OFFSET, producerSequence, BYTE_ORDER);
        buffer.putInt(EVENT_LENGTH_OFFSET, eventLength, BYTE_ORDER);
        buffer.putInt(EVENT_LENGTH_OFFSET + 4, 0, BYTE_ORDER);
        buffer.putBytes(EVENT_OFFSET, event, eventOffset, eventLength);
        return length;
    }

    /**
     * The topic id.
     *
     * @return the topic id.
     */
    public int topicId()
    {
        return buffer.getInt(TOPIC_ID_OFFSET, BYTE_ORDER);
    }

    /**
     * The requested durability.
     *
     * @return a {@link Durability} level.
     */
    public int durability()
    {
        return buffer.getByte(DURABILITY_OFFSET) & 0xFF;
    }

    /**
     * The producer sequence.
     *
     * @return the sequence.
     */
    public long producerSequence()
    {
        return buffer.getLong(PRODUCER_SEQUENCE_OFFSET, BYTE_ORDER);
    }

    /**
     * The event length.
     *
     * @return bytes.
     */
    public int eventLength()
    {
        return buffer.getInt(EVENT_LENGTH_OFFSET, BYTE_ORDER);
    }
}
