/*
 * Copyright 2026 Sluice contributors.
 */
package io.sluice.journal;

import java.nio.ByteOrder;

/**
 * Layout of a consumer group's committed-offsets file, {@code <topicDir>/groups/<group>.offsets}.
 * <p>
 * All fields are little-endian. The file is small and rewritten whole on every commit: a new version is written to
 * {@code <group>.offsets.tmp}, forced, atomically renamed over the old one and the directory is forced, so a reader
 * sees either the old or the new file, never a mix. The trailing CRC32C covers every byte before it.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                     Magic 'S' 'L' 'G' 'O'                     |  0
 *  +---------------------------------------------------------------+
 *  |                            Version                            |  4
 *  +---------------------------------------------------------------+
 *  |                        Partition Count                        |  8
 *  +---------------------------------------------------------------+
 *  |                     Reserved (written 0)                      | 12
 *  +---------------------------------------------------------------+
 *  |                          Generation                           | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Committed Offset of Partition 0               | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                              ...                             ...
 *  +---------------------------------------------------------------+
 *  |             Committed Offset of Partition (count - 1)         | 24 + 8 * (count - 1)
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  CRC32C of all preceding bytes                | 24 + 8 * count
 *  +---------------------------------------------------------------+
 * </pre>
 * A committed offset is the offset of the next record the group will consume in that partition (Kafka's
 * convention), or {@link #NULL_OFFSET} when nothing has been committed, in which case consumption starts at the
 * partition's earliest retained record. The generation is the group's membership generation at the last commit; on
 * reopening, the group counts on from it. (Fencing across a restart does not rely on it: no member survives a
 * restart, so a stale member is rejected as unknown.)
 */
public final class OffsetFileDescriptor
{
    /** Committed offset meaning "nothing committed yet": start from the partition's earliest record. */
    public static final long NULL_OFFSET = -1L;

    /** Magic number: the bytes 'S' 'L' 'G' 'O' read as a little-endian int. */
    public static final int MAGIC = 'S' | ('L' << 8) | ('G' << 16) | ('O' << 24);

    /** Layout version written by this code. */
    public static final int VERSION = 1;

    /** Byte order of every field. */
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    /** Offset of the magic number (int). */
    public static final int MAGIC_OFFSET = 0;

    /** Offset of the layout version (int). */
    public static final int VERSION_OFFSET = 4;

    /** Offset of the partition count (int). */
    public static final int PARTITION_COUNT_OFFSET = 8;

    /** Offset of the reserved field (int, written as 0). */
    public static final int RESERVED_OFFSET = 12;

    /** Offset of the group generation (long). */
    public static final int GENERATION_OFFSET = 16;

    /** Offset of the first committed offset (long per partition). */
    public static final int OFFSETS_OFFSET = 24;

    /** Size of the header before the committed offsets. */
    public static final int HEADER_LENGTH = OFFSETS_OFFSET;

    /** Size of the trailing CRC32C (int). */
    public static final int CHECKSUM_LENGTH = 4;

    /** File name suffix of a committed-offsets file. */
    public static final String FILE_SUFFIX = ".offsets";

    /** File name suffix of the temporary file a new version is written to before the atomic rename. */
    public static final String TEMP_SUFFIX = ".offsets.tmp";

    /** Name of the directory under a topic's directory that holds the groups' offsets files. */
    public static final String GROUPS_DIRECTORY = "groups";

    private OffsetFileDescriptor()
    {
    }

    /**
     * Offset of the committed offset of a partition.
     *
     * @param partition whose committed offset is addressed.
     * @return offset of the committed offset of the partition.
     */
    public static int committedOffsetOffset(final int partition)
    {
        return OFFSETS_OFFSET + (partition * Long.BYTES);
    }

    /**
     * Offset of the CRC32C for a file holding a number of partitions.
     *
     * @param partitionCount held in the file.
     * @return offset of the CRC32C.
     */
    public static int checksumOffset(final int partitionCount)
    {
        return OFFSETS_OFFSET + (partitionCount * Long.BYTES);
    }

    /**
     * Total length of a file holding a number of partitions.
     *
     * @param partitionCount held in the file.
     * @return total length of the file in bytes.
     */
    public static int fileLength(final int partitionCount)
    {
        return checksumOffset(partitionCount) + CHECKSUM_LENGTH;
    }
}
