package io.sluice.client.wire;

import static io.sluice.client.wire.FrameDescriptor.BYTE_ORDER;
import static io.sluice.client.wire.FrameDescriptor.HEADER_LENGTH;
import static io.sluice.client.wire.FrameDescriptor.TYPE_CONNECTED;

/**
 * CONNECTED, server to client: the session is open; its id is in the header.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Header (16 bytes, the new session id)         |
 *  +---------------------------------------------------------------+
 *  |                        Correlation Id                         |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Topic Id (-1 for a consumer)                 |
 *  +---------------------------------------------------------------+
 *  |                Event Length (0 for a consumer)                |
 *  +---------------------------------------------------------------+
 *  |                     Heartbeat Interval Ms                     |
 *  +---------------------------------------------------------------+
 *  |     Layout Fingerprint (0 for a consumer or an older server)  |
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class ConnectedFlyweight extends FrameFlyweight
{
    /** Offset of the echoed correlation id (int64). */
    public static final int CORRELATION_ID_OFFSET = HEADER_LENGTH;
    /** Offset of the topic id (int32) to put in PUBLISH. */
    public static final int TOPIC_ID_OFFSET = HEADER_LENGTH + 8;
    /** Offset of the topic's event length (int32): every PUBLISH carries exactly this many bytes. */
    public static final int EVENT_LENGTH_OFFSET = HEADER_LENGTH + 12;
    /** Offset of the heartbeat interval (int32) the server expects from an idle client. */
    public static final int HEARTBEAT_INTERVAL_OFFSET = HEADER_LENGTH + 16;
    /**
     * Offset of the topic schema's layout fingerprint (int32, {@code Schema#layoutFingerprint()}); 0 for a
     * consumer, and from servers older than this field (it was reserved and zero).
     */
    public static final int LAYOUT_FINGERPRINT_OFFSET = HEADER_LENGTH + 20;
    /** Length of the frame. */
    public static final int LENGTH = HEADER_LENGTH + 24;

    /**
     * Encodes a CONNECTED.
     *
     * @param sessionId           the new session's id.
     * @param correlationId       from the CONNECT.
     * @param topicId             for the producer's PUBLISH frames, -1 for a consumer.
     * @param eventLength         the topic's event length, 0 for a consumer.
     * @param heartbeatIntervalMs how often an idle client sends HEARTBEAT.
     * @param layoutFingerprint   the topic schema's layout fingerprint, 0 for a consumer.
     * @return the frame length.
     */
    public int encode(final long sessionId, final long correlationId, final int topicId, final int eventLength,
        final int heartbeatIntervalMs, final int layoutFingerprint)
    {
        putHeader(TYPE_CONNECTED, LENGTH, sessionId);
        buffer.putLong(CORRELATION_ID_OFFSET, correlationId, BYTE_ORDER);
        buffer.putInt(TOPIC_ID_OFFSET, topicId, BYTE_ORDER);
        buffer.putInt(EVENT_LENGTH_OFFSET, eventLength, BYTE_ORDER);
        buffer.putInt(HEARTBEAT_INTERVAL_OFFSET, heartbeatIntervalMs, BYTE_ORDER);
        buffer.putInt(LAYOUT_FINGERPRINT_OFFSET, layoutFingerprint, BYTE_ORDER);
        return LENGTH;
    }

    /**
     * The echoed correlation id.
     *
     * @return the CONNECT's correlation id.
     */
    public long correlationId()
    {
        return buffer.getLong(CORRELATION_ID_OFFSET, BYTE_ORDER);
    }

    /**
     * The topic id.
     *
     * @return the id, -1 for a consumer.
     */
    public int topicId()
    {
        return buffer.getInt(TOPIC_ID_OFFSET, BYTE_ORDER);
    }

    /**
     * The topic's event length.
     *
     * @return bytes per event.
     */
    public int eventLength()
    {
        return buffer.getInt(EVENT_LENGTH_OFFSET, BYTE_ORDER);
    }

    /**
     * The heartbeat interval.
     *
     * @return milliseconds.
     */
    public int heartbeatIntervalMs()
    {
        return buffer.getInt(HEARTBEAT_INTERVAL_OFFSET, BYTE_ORDER);
    }

    /**
     * The topic schema's layout fingerprint.
     *
     * @return the fingerprint, 0 for a consumer or when the server does not send one.
     */
    public int layoutFingerprint()
    {
        return buffer.getInt(LAYOUT_FINGERPRINT_OFFSET, BYTE_ORDER);
    }
}
