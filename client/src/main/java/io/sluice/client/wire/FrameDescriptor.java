package io.sluice.client.wire;

import java.nio.ByteOrder;

/**
 * Describes the header every Sluice frame starts with, and the frame types. One frame is one Aeron
 * message: the Aeron fragment assembler gives a frame whole, and the frame length field must equal
 * the message length exactly.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                         Frame Length                          |
 *  +-------------------------------+---------------+---------------+
 *  |             Type              |    Version    |     Flags     |
 *  +-------------------------------+---------------+---------------+
 *  |                          Session Id                           |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          Body ...                            ...
 * </pre>
 *
 * <p>All fields little-endian. Frame Length (int32) counts the header; Type (uint16) is one of the
 * {@code TYPE_*} constants; Version (uint8) is {@link #VERSION}; Flags (uint8) are reserved and zero;
 * Session Id (int64) is 0 in CONNECT and otherwise the id the server gave in CONNECTED.
 *
 * <p>Strings (topic, group, member id, channel, message) are US-ASCII with their lengths in fixed
 * fields of the body, never terminated; every length is checked against {@link FrameValidator}'s
 * bounds before anything reads them.
 */
public final class FrameDescriptor
{
    /** Byte order of every field on the wire. */
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    /** The protocol version this library speaks. */
    public static final int VERSION = 1;

    /** Offset of the frame length (int32). */
    public static final int FRAME_LENGTH_OFFSET = 0;
    /** Offset of the frame type (uint16). */
    public static final int TYPE_OFFSET = 4;
    /** Offset of the protocol version (uint8). */
    public static final int VERSION_OFFSET = 6;
    /** Offset of the flags (uint8). */
    public static final int FLAGS_OFFSET = 7;
    /** Offset of the session id (int64). */
    public static final int SESSION_ID_OFFSET = 8;
    /** Length of the header. */
    public static final int HEADER_LENGTH = 16;

    /** Client to server: open a session and name where responses go. */
    public static final int TYPE_CONNECT = 1;
    /** Server to client: the session is open. */
    public static final int TYPE_CONNECTED = 2;
    /** Producer to server: one event for a topic. */
    public static final int TYPE_PUBLISH = 3;
    /** Server to client: everything up to a sequence reached a level. */
    public static final int TYPE_ACK = 4;
    /** Server to client: a frame was rejected, or a request failed. */
    public static final int TYPE_ERROR = 5;
    /** Consumer to server: join a consumer group of a topic. */
    public static final int TYPE_SUBSCRIBE = 6;
    /** Server to consumer: the partitions the member owns now. */
    public static final int TYPE_ASSIGNMENT = 7;
    /** Server to consumer: one journal record. */
    public static final int TYPE_RECORD = 8;
    /** Consumer to server: commit consumed offsets. */
    public static final int TYPE_COMMIT = 9;
    /** Either way: the peer is alive. Header only. */
    public static final int TYPE_HEARTBEAT = 10;
    /** Consumer to server: leave the group without committing more. Header only. */
    public static final int TYPE_LEAVE = 11;
    /** Highest frame type. */
    public static final int MAX_TYPE = TYPE_LEAVE;

    private static final String[] TYPE_NAMES = {
        "UNKNOWN", "CONNECT", "CONNECTED", "PUBLISH", "ACK", "ERROR", "SUBSCRIBE", "ASSIGNMENT", "RECORD", "COMMIT",
        "HEARTBEAT", "LEAVE"};

    private FrameDescriptor()
    {
    }

    /**
     * The name of a frame type, for diagnostics.
     *
     * @param type of a frame.
     * @return its name, or {@code "UNKNOWN"}.
     */
    public static String typeName(final int type)
    {
        return type > 0 && type <= MAX_TYPE ? TYPE_NAMES[type] : TYPE_NAMES[0];
    }
}
