package io.sluice.client.wire;

import static io.sluice.client.wire.FrameDescriptor.BYTE_ORDER;
import static io.sluice.client.wire.FrameDescriptor.HEADER_LENGTH;
import static io.sluice.client.wire.FrameDescriptor.TYPE_CONNECT;

/**
 * CONNECT, client to server, the first frame of every session: where the server sends responses,
 * and for a producer the topic it publishes to.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     Header (16 bytes, session 0)              |
 *  +---------------------------------------------------------------+
 *  |                        Correlation Id                         |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                      Response Stream Id                       |
 *  +---------------------------------------------------------------+
 *  |                    Response Channel Length                    |
 *  +---------------------------------------------------------------+
 *  |                         Topic Length                          |
 *  +---------------------------------------------------------------+
 *  |                           Reserved                            |
 *  +---------------------------------------------------------------+
 *  |                Response Channel (ASCII)                      ...
 *  +---------------------------------------------------------------+
 *  |                Topic (ASCII, empty for a consumer)           ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * Frame length = {@link #CHANNEL_OFFSET} + channel length + topic length, exactly.
 */
public final class ConnectFlyweight extends FrameFlyweight
{
    /** Offset of the correlation id (int64), echoed in CONNECTED or ERROR. */
    public static final int CORRELATION_ID_OFFSET = HEADER_LENGTH;
    /** Offset of the response stream id (int32). */
    public static final int RESPONSE_STREAM_ID_OFFSET = HEADER_LENGTH + 8;
    /** Offset of the response channel length (int32). */
    public static final int CHANNEL_LENGTH_OFFSET = HEADER_LENGTH + 12;
    /** Offset of the topic length (int32). */
    public static final int TOPIC_LENGTH_OFFSET = HEADER_LENGTH + 16;
    /** Offset of the response channel's bytes. */
    public static final int CHANNEL_OFFSET = HEADER_LENGTH + 24;

    /**
     * Encodes a CONNECT into the wrapped buffer.
     *
     * @param correlationId    chosen by the client to match the reply.
     * @param responseStreamId Aeron stream id of the response channel.
     * @param responseChannel  Aeron channel the server publishes responses to.
     * @param topic            the producer's topic, or "" for a consumer.
     * @return the frame length.
     */
    public int encode(final long correlationId, final int responseStreamId, final String responseChannel, final String topic)
    {
        buffer.putLong(CORRELATION_ID_OFFSET, correlationId, BYTE_ORDER);
        buffer.putInt(RESPONSE_STREAM_ID_OFFSET, responseStreamId, BYTE_ORDER);
        buffer.putInt(HEADER_LENGTH + 20, 0, BYTE_ORDER);
        final int channelLength = putAscii(CHANNEL_OFFSET, responseChannel);
        final int topicLength = putAscii(CHANNEL_OFFSET + channelLength, topic);
        buffer.putInt(CHANNEL_LENGTH_OFFSET, channelLength, BYTE_ORDER);
        buffer.putInt(TOPIC_LENGTH_OFFSET, topicLength, BYTE_ORDER);
        final int length = CHANNEL_OFFSET + channelLength + topicLength;
        putHeader(TYPE_CONNECT, length, 0);
        return length;
    }

    /**
     * The correlation id.
     *
     * @return the client's correlation id.
     */
    public long correlationId()
    {
        return buffer.getLong(CORRELATION_ID_OFFSET, BYTE_ORDER);
    }

    /**
     * The response stream id.
     *
     * @return the stream id.
     */
    public int responseStreamId()
    {
        return buffer.getInt(RESPONSE_STREAM_ID_OFFSET, BYTE_ORDER);
    }

    /**
     * The response channel length.
     *
     * @return bytes.
     */
    public int channelLength()
    {
        return buffer.getInt(CHANNEL_LENGTH_OFFSET, BYTE_ORDER);
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
     * The response channel. Allocates.
     *
     * @return the channel.
     */
    public String responseChannel()
    {
        return getAscii(CHANNEL_OFFSET, channelLength());
    }

    /**
     * The topic. Allocates.
     *
     * @return the topic, empty for a consumer.
     */
    public String topic()
    {
        return getAscii(CHANNEL_OFFSET + channelLength(), topicLength());
    }
}
