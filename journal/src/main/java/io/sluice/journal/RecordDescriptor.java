package io.sluice.journal;

import org.agrona.BitUtil;

/**
 * Layout of one record (frame) in a segment. Frames start on {@link #FRAME_ALIGNMENT} boundaries.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                         Frame Length                          |  0
 *  +---------------------------------------------------------------+
 *  |                            CRC32C                             |  4
 *  +-------------------------------+-------------------------------+
 *  |             Type              |             Flags             |  8
 *  +-------------------------------+-------------------------------+
 *  |                           Reserved                            | 12
 *  +---------------------------------------------------------------+
 *  |                          Timestamp                            | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                             Key                               | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                           Payload                            ...  32
 * ...                                                              |
 *  +---------------------------------------------------------------+
 * </pre>
 * All fields little-endian. Frame Length is header plus payload, unaligned; the next frame starts
 * at {@code align(frameLength, FRAME_ALIGNMENT)}. A Frame Length of 0 marks the end of the written
 * region. CRC32C covers bytes [{@link #TYPE_OFFSET}, frameLength) and then the 4 bytes of the frame
 * length, so a flipped length bit is detected too.
 *
 * <p>Publication: the writer writes everything but the length, then stores the length with
 * release semantics; a frame is visible to another thread or process only once complete.
 */
public final class RecordDescriptor
{
    /** Offset of the frame length field. */
    public static final int LENGTH_OFFSET = 0;
    /** Offset of the CRC32C field. */
    public static final int CRC_OFFSET = 4;
    /** Offset of the 16-bit record type. */
    public static final int TYPE_OFFSET = 8;
    /** Offset of the 16-bit flags. */
    public static final int FLAGS_OFFSET = 10;
    /** Offset of the reserved 32 bits, written as zero. */
    public static final int RESERVED_OFFSET = 12;
    /** Offset of the 64-bit timestamp (epoch milliseconds or nanoseconds, as the producer chooses). */
    public static final int TIMESTAMP_OFFSET = 16;
    /** Offset of the 64-bit key. */
    public static final int KEY_OFFSET = 24;
    /** Length of the header; the payload starts here. */
    public static final int HEADER_LENGTH = 32;
    /** Alignment of frames in a segment. */
    public static final int FRAME_ALIGNMENT = 8;
    /** Largest type value. */
    public static final int MAX_TYPE = 0xFFFF;

    private RecordDescriptor()
    {
    }

    /**
     * Aligned length a frame with this payload takes in a segment.
     *
     * @param payloadLength in bytes.
     * @return the aligned frame length.
     */
    public static int alignedFrameLength(final int payloadLength)
    {
        return BitUtil.align(HEADER_LENGTH + payloadLength, FRAME_ALIGNMENT);
    }
}
