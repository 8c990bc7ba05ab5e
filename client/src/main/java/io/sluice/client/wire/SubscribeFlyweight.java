package io.sluice.client.wire;

import static io.sluice.client.wire.FrameDescriptor.BYTE_ORDER;
import static io.sluice.client.wire.FrameDescriptor.HEADER_LENGTH;
import static io.sluice.client.wire.FrameDescriptor.TYPE_SUBSCRIBE;

/**
 * SUBSCRIBE, consumer to server: join a consumer group of a topic as a member.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                      Header (16 bytes)                        |
 *  +---------------------------------------------------------------+
 *  |                        Correlation Id                         |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                      Session Timeout Ms                       |
 *  +---------------------------------------------------------------+
 *  |                         Topic Length                          |
 *  +---------------------------------------------------------------+
 *  |                         Group Length                          |
 *  +---------------------------------------------------------------+
 *  |                       Member Id Length                        |
 *  +---------------------------------------------------------------+
 *  |           Topic, then Group, then Member Id (ASCII)          ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * Frame length = {@link #NAMES_OFFSET} + the three lengths, exactly.
 */
public final class SubscribeFlyweight extends FrameFlyweight
{
    /** Offset of the correlation id (int64). */
    public static final int CORRELATION_ID_OFFSET = HEADER_LENGTH;
    /** Offset of the session timeout (int32). */
    public static final int SESSION_TIMEOUT_OFFSET = HEADER_LENGTH + 8;
    /** Offset of the topic length (int32). */
    public static final int TOPIC_LENGTH_OFFSET = HEADER_LENGTH + 12;
    /** Offset of the group length (int32). */
    public static final int GROUP_LENGTH_OFFSET = HEADER_LENGTH + 16;
    /** Offset of the member id length (int32). */
    public static final int MEMBER_LENGTH_OFFSET = HEADER_LENGTH + 20;
    /** Offset of the names. */
    public static final int NAMES_OFFSET = HEADER_LENGTH + 24;

    /**
     * Encodes a SUBSCRIBE.
     *
     * @param sessionId        of the consumer.
     * @param correlationId    echoed in an ERROR if the join fails.
     * @param sessionTimeoutMs after which a silent member is evicted.
     * @param topic            to consume.
     * @param group            to join.
     * @param memberId         unique among the group's live members.
     * @return the frame length.
     */
    public int encode(final long sessionId, final long correlationId, final int sessionTimeoutMs, final String topic,
        final String group, final String memberId)
    {
        buffer.putLong(CORRELATION_ID_OFFSET, correlationId, BYTE_ORDER);
        buffer.putInt(SESSION_TIMEOUT_OFFSET, sessionTimeoutMs, BYTE_ORDER);
        final int topicLength = putAscii(NAMES_OFFSET, topic);
        final int groupLength = putAscii(NAMES_OFFSET + topicLength, group);
        final int memberLength = putAscii(NAMES_OFFSET + topicLength + groupLength, memberId);
        buffer.putInt(TOPIC_LENGTH_OFFSET, topicLength, BYTE_ORDER);
        buffer.putInt(GROUP_LENGTH_OFFSET, groupLength, BYTE_ORDER);
        buffer.putInt(MEMBER_LENGTH_OFFSET, memberLength, BYTE_ORDER);
        final int length = NAMES_OFFSET + topicLength + groupLength + memberLength;
        putHeader(TYPE_SUBSCRIBE, length, sessionId);
        return length;
    }

    /**
     * The correlation id.
     *
     * @return the correlation id.
     */
    public long correlationId()
    {
        return buffer.getLong(CORRELATION_ID_OFFSET, BYTE_ORDER);
    }

    /**
     * The session timeout.
     *
     * @return milliseconds.
     */
    public int sessionTimeoutMs()
    {
        return buffer.getInt(SESSION_TIMEOUT_OFFSET, BYTE_ORDER);
    }

    /**
     * The topic length.
     *
     * @return bytes.
     */
    public int topicLength()
    {
        return buffer.getInt(TOPIC_LENGTH_OFFSET, BYTE_ORDER);
    }

    /**
     * The group length.
     *
     * @return bytes.
     */
    public int groupLength()
    {
        return buffer.getInt(GROUP_LENGTH_OFFSET, BYTE_ORDER);
    }

    /**
     * The member id length.
     *
     * @return bytes.
     */
    public int memberIdLength()
    {
        return buffer.getInt(MEMBER_LENGTH_OFFSET, BYTE_ORDER);
    }

    /**
     * The topic. Allocates.
     *
     * @return the topic.
     */
    public String topic()
    {
        return getAscii(NAMES_OFFSET, topicLength());
    }

    /**
     * The group. Allocates.
     *
     * @return the group.
     */
    public String group()
    {
        return getAscii(NAMES_OFFSET + topicLength(), groupLength());
    }

    /**
     * The member id. Allocates.
     *
     * @return the member id.
     */
    public String memberId()
    {
        return getAscii(NAMES_OFFSET + topicLength() + groupLength(), memberIdLength());
    }
}
