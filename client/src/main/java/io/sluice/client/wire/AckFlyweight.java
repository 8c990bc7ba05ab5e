package io.sluice.client.wire;

import static io.sluice.client.wire.FrameDescriptor.BYTE_ORDER;
import static io.sluice.client.wire.FrameDescriptor.HEADER_LENGTH;
import static io.sluice.client.wire.FrameDescriptor.TYPE_ACK;

/**
 * ACK, server to client: cumulative. At level JOURNALED or DURABLE, every PUBLISH of the session
 * with a producer sequence at or below {@code sequence} that was not answered with an ERROR has
 * reached that level (for DURABLE: every such event that asked for DURABLE). At level COMMITTED,
 * the COMMIT with that commit id is stored.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                      Header (16 bytes)                        |
 *  +---------------+-----------------------------------------------+
 *  |     Level     |                  Reserved                     |
 *  +---------------+-----------------------------------------------+
 *  |                           Reserved                            |
 *  +---------------------------------------------------------------+
 *  |                           Sequence                            |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class AckFlyweight extends FrameFlyweight
{
    /** Offset of the level (uint8), a {@link Durability} constant. */
    public static final int LEVEL_OFFSET = HEADER_LENGTH;
    /** Offset of the sequence (int64): highest producer sequence, or the commit id. */
    public static final int SEQUENCE_OFFSET = HEADER_LENGTH + 8;
    /** Length of the frame. */
    public static final int LENGTH = HEADER_LENGTH + 16;

    /**
     * Encodes an ACK.
     *
     * @param sessionId of the client.
     * @param level     reached.
     * @param sequence  highest producer sequence at the level, or the commit id.
     * @return the frame length.
     */
    public int encode(final long sessionId, final int level, final long sequence)
    {
        putHeader(TYPE_ACK, LENGTH, sessionId);
        buffer.putLong(LEVEL_OFFSET, level & 0xFF, BYTE_ORDER);
        buffer.putLong(SEQUENCE_OFFSET, sequence, BYTE_ORDER);
        return LENGTH;
    }

    /**
     * The level.
     *
     * @return a {@link Durability} constant.
     */
    public int level()
    {
        return buffer.getByte(LEVEL_OFFSET) & 0xFF;
    }

    /**
     * The sequence.
     *
     * @return the highest producer sequence at the level, or the commit id.
     */
    public long sequence()
    {
        return buffer.getLong(SEQUENCE_OFFSET, BYTE_ORDER);
    }
}
