package io.sluice.journal;

import java.util.zip.CRC32C;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Layout of the header at the start of every segment file; records follow at {@link #HEADER_LENGTH}.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     Magic 0x534C4A31 "SLJ1"                   |  0
 *  +---------------------------------------------------------------+
 *  |                           Version                             |  4
 *  +---------------------------------------------------------------+
 *  |                         Base Offset                           |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        Segment Length                         | 16
 *  +---------------------------------------------------------------+
 *  |                    CRC32C of bytes [0, 20)                    | 20
 *  +---------------------------------------------------------------+
 *  |                      Writer Boot Id (128 bits)                | 24
 *  |                                                               |
 *  |                                                               |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    CRC32C of bytes [24, 40)                   | 40
 *  +---------------------------------------------------------------+
 *  |                      Reserved (zero) ...                      | 44..63
 *  +---------------------------------------------------------------+
 * </pre>
 * File name: the base offset zero-padded to 20 digits, suffix {@code .log}.
 *
 * <p>Versions. {@link #VERSION} 2: the writer publishes records with the "not yet checksummed" marker in
 * their CRC32C field (see {@link RecordDescriptor}) and the journal's checksum duty, or any force(), stores
 * the checksums, in record order, before forcing them. Writer Boot Id is the boot ({@link BootId}) of the
 * process that last opened the segment for writing, stamped before its first append with its own
 * CRC32C; a damaged or absent stamp reads as an unknown boot. {@link #LEGACY_VERSION} 1 (bytes 24..63
 * zero): every record was checksummed by the writer, and the marker's value is an ordinary checksum;
 * such segments are read as they are, and a version-1 tail is sealed on a read-write open (new records
 * go to a new version-2 segment).
 */
final class SegmentDescriptor
{
    static final int MAGIC = 0x534C4A31;
    static final int VERSION = 2;
    static final int LEGACY_VERSION = 1;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int BASE_OFFSET_OFFSET = 8;
    static final int SEGMENT_LENGTH_OFFSET = 16;
    static final int HEADER_CRC_OFFSET = 20;
    static final int BOOT_ID_OFFSET = 24;
    static final int BOOT_ID_CRC_OFFSET = 40;
    static final int HEADER_LENGTH = 64;

    static final String LOG_SUFFIX = ".log";
    static final String INDEX_SUFFIX = ".index";
    static final String TIME_INDEX_SUFFIX = ".timeindex";
    static final String SPARE_NAME = "next.spare";
    /** Digits of a segment file's name: its base offset (never negative), zero-padded. */
    static final int BASE_NAME_DIGITS = 20;

    private SegmentDescriptor()
    {
    }

    static String baseName(final long baseOffset)
    {
        // Zero-padded by hand: String.format parsed its pattern for each of a segment's three files at every open.
        final char[] name = new char[BASE_NAME_DIGITS];
        long rest = baseOffset;
        for (int i = BASE_NAME_DIGITS - 1; i >= 0; i--)
        {
            name[i] = (char)('0' + rest % 10);
            rest /= 10;
        }
        return new String(name);
    }

    static void writeHeader(final UnsafeBuffer buffer, final long baseOffset, final int segmentLength, final BootId bootId)
    {
        buffer.putInt(MAGIC_OFFSET, MAGIC);
        buffer.putInt(VERSION_OFFSET, VERSION);
        buffer.putLong(BASE_OFFSET_OFFSET, baseOffset);
        buffer.putInt(SEGMENT_LENGTH_OFFSET, segmentLength);
        buffer.putInt(HEADER_CRC_OFFSET, headerCrc(buffer));
        stampBoot(buffer, bootId);
    }

    /**
     * Records the boot of the process about to append to this segment. Call before its first append.
     *
     * @param buffer over the segment.
     * @param bootId of the writing process.
     */
    static void stampBoot(final UnsafeBuffer buffer, final BootId bootId)
    {
        buffer.putLong(BOOT_ID_OFFSET, bootId.high());
        buffer.putLong(BOOT_ID_OFFSET + Long.BYTES, bootId.low());
        buffer.putInt(BOOT_ID_CRC_OFFSET, crc(buffer, BOOT_ID_OFFSET, BOOT_ID_CRC_OFFSET));
    }

    /**
     * The boot of the process that last opened the segment for writing.
     *
     * @param buffer over the segment.
     * @return the boot, or {@link BootId#UNKNOWN} for a version-1 segment or a damaged stamp.
     */
    static BootId writerBoot(final UnsafeBuffer buffer)
    {
        if (buffer.getInt(VERSION_OFFSET) != VERSION || buffer.getInt(BOOT_ID_CRC_OFFSET) != crc(buffer, BOOT_ID_OFFSET, BOOT_ID_CRC_OFFSET))
        {
            return BootId.UNKNOWN;
        }
        return new BootId(buffer.getLong(BOOT_ID_OFFSET), buffer.getLong(BOOT_ID_OFFSET + Long.BYTES));
    }

    /**
     * Whether the segment is of version 1, whose writer checksummed every record itself.
     *
     * @param buffer over the segment, header already validated.
     * @return true for a version-1 segment.
     */
    static boolean legacy(final UnsafeBuffer buffer)
    {
        return buffer.getInt(VERSION_OFFSET) == LEGACY_VERSION;
    }

    static int headerCrc(final UnsafeBuffer buffer)
    {
        return crc(buffer, 0, HEADER_CRC_OFFSET);
    }

    private static int crc(final UnsafeBuffer buffer, final int from, final int to)
    {
        final CRC32C crc = new CRC32C();
        for (int i = from; i < to; i++)
        {
            crc.update(buffer.getByte(i));
        }
        return (int)crc.getValue();
    }

    /**
     * Whether this is the header of a new segment that a crash interrupted while {@link #writeHeader} wrote it:
     * its checksum not yet stored, every other field either still zero or already what {@code writeHeader}
     * stores for this segment, and no record after it (a new segment gets its first record only after its
     * header). A spare is all zeros, and the plain stores of {@code writeHeader} may land in any order, so
     * any such mix is one; anything else is damage.
     *
     * @param buffer     the segment's mapping (at least {@link #HEADER_LENGTH} plus a frame header long).
     * @param baseOffset the base offset its file name gives.
     * @return true if the header is merely incomplete.
     */
    static boolean headerBeingWritten(final UnsafeBuffer buffer, final long baseOffset)
    {
        return buffer.getInt(HEADER_CRC_OFFSET) == 0 &&
            zeroOr(buffer.getInt(MAGIC_OFFSET), MAGIC) &&
            zeroOr(buffer.getInt(VERSION_OFFSET), VERSION) &&
            (buffer.getLong(BASE_OFFSET_OFFSET) == 0 || buffer.getLong(BASE_OFFSET_OFFSET) == baseOffset) &&
            zeroOr(buffer.getInt(SEGMENT_LENGTH_OFFSET), buffer.capacity()) &&
            (buffer.capacity() < HEADER_LENGTH + Integer.BYTES || buffer.getInt(HEADER_LENGTH + RecordDescriptor.LENGTH_OFFSET) == 0);
    }

    private static boolean zeroOr(final int value, final int expected)
    {
        return value == 0 || value == expected;
    }

    /**
     * Checks the header and returns null when it is valid, or a description of what is wrong.
     */
    static String validateHeader(final UnsafeBuffer buffer, final long expectedBase, final long fileLength)
    {
        if (buffer.getInt(MAGIC_OFFSET) != MAGIC)
        {
            return "bad magic 0x" + Integer.toHexString(buffer.getInt(MAGIC_OFFSET)) + " at offset 0";
        }
        final int version = buffer.getInt(VERSION_OFFSET);
        if (version != VERSION && version != LEGACY_VERSION)
        {
            return "unsupported version " + version + " at offset 4 (this Sluice reads versions " + LEGACY_VERSION + " and " +
                VERSION + "; a newer Sluice wrote it?)";
        }
        if (buffer.getInt(HEADER_CRC_OFFSET) != headerCrc(buffer))
        {
            return "header CRC mismatch at offset 20";
        }
        if (buffer.getLong(BASE_OFFSET_OFFSET) != expectedBase)
        {
            return "base offset " + buffer.getLong(BASE_OFFSET_OFFSET) + " does not match file name " + expectedBase;
        }
        if (buffer.getInt(SEGMENT_LENGTH_OFFSET) != fileLength)
        {
            return "segment length " + buffer.getInt(SEGMENT_LENGTH_OFFSET) + " does not match file size " + fileLength;
        }
        return null;
    }
}
