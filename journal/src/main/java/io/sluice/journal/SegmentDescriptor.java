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
 *  |                      Reserved (zero) ...                      | 24..63
 *  +---------------------------------------------------------------+
 * </pre>
 * File name: the base offset zero-padded to 20 digits, suffix {@code .log}.
 */
final class SegmentDescriptor
{
    static final int MAGIC = 0x534C4A31;
    static final int VERSION = 1;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int BASE_OFFSET_OFFSET = 8;
    static final int SEGMENT_LENGTH_OFFSET = 16;
    static final int HEADER_CRC_OFFSET = 20;
    static final int HEADER_LENGTH = 64;

    static final String LOG_SUFFIX = ".log";
    static final String INDEX_SUFFIX = ".index";
    static final String TIME_INDEX_SUFFIX = ".timeindex";
    static final String SPARE_NAME = "next.spare";

    private SegmentDescriptor()
    {
    }

    static String baseName(final long baseOffset)
    {
        return String.format("%020d", baseOffset);
    }

    static void writeHeader(final UnsafeBuffer buffer, final long baseOffset, final int segmentLength)
    {
        buffer.putInt(MAGIC_OFFSET, MAGIC);
        buffer.putInt(VERSION_OFFSET, VERSION);
        buffer.putLong(BASE_OFFSET_OFFSET, baseOffset);
        buffer.putInt(SEGMENT_LENGTH_OFFSET, segmentLength);
        buffer.putInt(HEADER_CRC_OFFSET, headerCrc(buffer));
    }

    static int headerCrc(final UnsafeBuffer buffer)
    {
        final CRC32C crc = new CRC32C();
        for (int i = 0; i < HEADER_CRC_OFFSET; i++)
        {
            crc.update(buffer.getByte(i));
        }
        return (int)crc.getValue();
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
        if (buffer.getInt(VERSION_OFFSET) != VERSION)
        {
            return "unsupported version " + buffer.getInt(VERSION_OFFSET) + " at offset 4";
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
