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
 * region. CRC32C covers bytes [{@link #TYPE_OFFSET}, frameLength); a damaged length is detected
 * because it makes the checksum cover a different range (or fall outside the segment).
 *
 * <p>Publication: the writer copies the payload, writes Type/Flags/Reserved, Timestamp and Key with
 * plain 64-bit stores, then stores the first 64 bits, Frame Length and a CRC32C field of
 * {@link #UNCHECKSUMMED}, with one release store (frames are 8-aligned, so the store is single-copy
 * atomic); a frame is visible to another thread or process only once complete, and readers never need
 * its checksum. Readers that go by offset wait for the partition's end offset, which the writer
 * publishes with a release store after the frame.
 *
 * <p>Checksum (segment format version 2, see {@link SegmentDescriptor}): the writer does not checksum.
 * The partition's checksum duty, and every force() before it forces, walks the published frames in
 * record order and stores each one's CRC32C with one aligned 32-bit store, so a frame is either
 * unchecksummed or carries its whole checksum. The marker is a fixed non-zero pattern, not 0, so that
 * zeroed bytes (the commonest damage) never read as "not yet checksummed"; a computed CRC32C equal to
 * the marker is stored as {@link #CRC_ALIAS} (its complement, which then stands for both values).
 * A staged writer ({@link JournalContext#stagedWrites}) stores each frame's CRC32C itself, in its staging buffer,
 * before one {@code pwrite} puts the frames into the file, so its frames never reach the file unchecksummed; a write
 * cut short (SIGKILL) leaves a page-aligned prefix, whose last frame fails its CRC32C or reads length 0, followed by
 * zeros: a torn tail. Invariants:
 * <ul>
 *   <li>Checksummed frames form a prefix of the written frames in memory (the duty goes in order).</li>
 *   <li>A force() covers only checksummed frames: every record that was ever forced carries a checksum.</li>
 *   <li>So an unchecksummed frame exists only after the last force, in the page cache of the boot that
 *       wrote it.</li>
 * </ul>
 * Recovery, by the boot recorded in the segment header: in the boot that wrote them, unchecksummed
 * frames are intact (a killed process leaves its writes in the page cache) and are checksummed and
 * kept; after a restart of the machine they were never forced, may be torn, and are dropped as a torn
 * tail. In either case an unchecksummed frame followed by a valid checksummed one contradicts the
 * prefix invariant: it is damage to a record that had been checksummed (and perhaps forced), and the
 * partition refuses to open as for any corruption followed by valid records.
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
    /** Value of the CRC32C field of a frame published but not yet checksummed (format version 2). */
    public static final int UNCHECKSUMMED = 0x2D5AE1C3;
    /** Value stored for a frame whose CRC32C equals {@link #UNCHECKSUMMED}, so that the marker never is a checksum. */
    public static final int CRC_ALIAS = ~UNCHECKSUMMED;
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
