package io.sluice.client.wire;

import static io.sluice.client.wire.FrameDescriptor.BYTE_ORDER;
import static io.sluice.client.wire.FrameDescriptor.HEADER_LENGTH;
import static io.sluice.client.wire.FrameDescriptor.TYPE_ASSIGNMENT;

/**
 * ASSIGNMENT, server to consumer: the partitions the member owns as of a generation, and where the
 * records of each will start. Sent after every change; RECORD frames of a partition that follow it
 * on the stream belong to this assignment.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                      Header (16 bytes)                        |
 *  +---------------------------------------------------------------+
 *  |                          Generation                           |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Partition Count (of the topic)                |
 *  +---------------------------------------------------------------+
 *  |                          Owned Count                          |
 *  +---------------------------------------------------------------+
 *  |                           Partition                           |  \
 *  +---------------------------------------------------------------+   |
 *  |                           Reserved                            |   | Owned Count
 *  +---------------------------------------------------------------+   | entries
 *  |                   Start Offset (next record)                  |   |
 *  |                                                               |  /
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * Frame length = {@link #ENTRIES_OFFSET} + 16 x owned count, exactly.
 */
public final class AssignmentFlyweight extends FrameFlyweight
{
    /** Offset of the generation (int64), to put in COMMIT. */
    public static final int GENERATION_OFFSET = HEADER_LENGTH;
    /** Offset of the topic's partition count (int32). */
    public static final int PARTITION_COUNT_OFFSET = HEADER_LENGTH + 8;
    /** Offset of the owned count (int32). */
    public static final int OWNED_COUNT_OFFSET = HEADER_LENGTH + 12;
    /** Offset of the first entry. */
    public static final int ENTRIES_OFFSET = HEADER_LENGTH + 16;
    /** Length of an entry. */
    public static final int ENTRY_LENGTH = 16;

    /**
     * Encodes the fixed part; follow with {@link #entry(int, int, long)} for each owned partition.
     *
     * @param sessionId      of the consumer.
     * @param generation     of the group.
     * @param partitionCount of the topic.
     * @param ownedCount     number of entries that follow.
     * @return the frame length.
     */
    public int encode(final long sessionId, final long generation, final int partitionCount, final int ownedCount)
    {
        final int length = ENTRIES_OFFSET + ENTRY_LENGTH * ownedCount;
        putHeader(TYPE_ASSIGNMENT, length, sessionId);
        buffer.putLong(GENERATION_OFFSET, generation, BYTE_ORDER);
        buffer.putInt(PARTITION_COUNT_OFFSET, partitionCount, BYTE_ORDER);
        buffer.putInt(OWNED_COUNT_OFFSET, ownedCount, BYTE_ORDER);
        return length;
    }

    /**
     * Writes an entry.
     *
     * @param index       of the entry.
     * @param partition   owned.
     * @param startOffset of the next record of the partition the member will receive.
     */
    public void entry(final int index, final int partition, final long startOffset)
    {
        final int offset = ENTRIES_OFFSET + index * ENTRY_LENGTH;
        buffer.putInt(offset, partition, BYTE_ORDER);
        buffer.putInt(offset + 4, 0, BYTE_ORDER);
        buffer.putLong(offset + 8, startOffset, BYTE_ORDER);
    }

    /**
     * The generation.
     *
     * @return the generation.
     */
    public long generation()
    {
        return buffer.getLong(GENERATION_OFFSET, BYTE_ORDER);
    }

    /**
     * The topic's partition count.
     *
     * @return the count.
     */
    public int partitionCount()
    {
        return buffer.getInt(PARTITION_COUNT_OFFSET, BYTE_ORDER);
    }

    /**
     * The owned count.
     *
     * @return the number of entries.
     */
    public int ownedCount()
    {
        return buffer.getInt(OWNED_COUNT_OFFSET, BYTE_ORDER);
    }

    /**
     * An entry's partition.
     *
     * @param index of the entry.
     * @return the partition.
     */
    public int partition(final int index)
    {
        return buffer.getInt(ENTRIES_OFFSET + index * ENTRY_LENGTH, BYTE_ORDER);
    }

    /**
     * An entry's start offset.
     *
     * @param index of the entry.
     * @return the offset of the next record of the partition.
     */
    public long startOffset(final int index)
    {
        return buffer.getLong(ENTRIES_OFFSET + index * ENTRY_LENGTH + 8, BYTE_ORDER);
    }
}
