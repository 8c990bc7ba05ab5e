package io.sluice.client.wire;

import static io.sluice.client.wire.FrameDescriptor.BYTE_ORDER;
import static io.sluice.client.wire.FrameDescriptor.HEADER_LENGTH;
import static io.sluice.client.wire.FrameDescriptor.TYPE_COMMIT;

/**
 * COMMIT, consumer to server: store, all or nothing, the next offset to consume of owned
 * partitions, fenced by the generation of the member's last ASSIGNMENT. Answered with ACK level
 * COMMITTED and the commit id, or ERROR FENCED / INVALID_COMMIT with the commit id.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                      Header (16 bytes)                        |
 *  +---------------------------------------------------------------+
 *  |                           Commit Id                           |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          Generation                           |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          Entry Count                          |
 *  +---------------------------------------------------------------+
 *  |                           Reserved                            |
 *  +---------------------------------------------------------------+
 *  |                           Partition                           |  \
 *  +---------------------------------------------------------------+   |
 *  |                           Reserved                            |   | Entry Count
 *  +---------------------------------------------------------------+   | entries
 *  |                 Offset (next record to consume)               |   |
 *  |                                                               |  /
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * Frame length = {@link #ENTRIES_OFFSET} + 16 x entry count, exactly.
 */
public final class CommitFlyweight extends FrameFlyweight
{
    /** Offset of the commit id (int64). */
    public static final int COMMIT_ID_OFFSET = HEADER_LENGTH;
    /** Offset of the generation (int64). */
    public static final int GENERATION_OFFSET = HEADER_LENGTH + 8;
    /** Offset of the entry count (int32). */
    public static final int ENTRY_COUNT_OFFSET = HEADER_LENGTH + 16;
    /** Offset of the first entry. */
    public static final int ENTRIES_OFFSET = HEADER_LENGTH + 24;
    /** Length of an entry. */
    public static final int ENTRY_LENGTH = 16;

    /**
     * Encodes the fixed part; follow with {@link #entry(int, int, long)}.
     *
     * @param sessionId  of the consumer.
     * @param commitId   echoed in the ACK or ERROR.
     * @param generation of the member's last ASSIGNMENT.
     * @param entryCount number of entries that follow.
     * @return the frame length.
     */
    public int encode(final long sessionId, final long commitId, final long generation, final int entryCount)
    {
        final int length = ENTRIES_OFFSET + ENTRY_LENGTH * entryCount;
        putHeader(TYPE_COMMIT, length, sessionId);
        buffer.putLong(COMMIT_ID_OFFSET, commitId, BYTE_ORDER);
        buffer.putLong(GENERATION_OFFSET, generation, BYTE_ORDER);
        buffer.putInt(ENTRY_COUNT_OFFSET, entryCount, BYTE_ORDER);
        buffer.putInt(ENTRY_COUNT_OFFSET + 4, 0, BYTE_ORDER);
        return length;
    }

    /**
     * Writes an entry.
     *
     * @param index     of the entry.
     * @param partition owned.
     * @param offset    the next offset to consume.
     */
    public void entry(final int index, final int partition, final long offset)
    {
        final int at = ENTRIES_OFFSET + index * ENTRY_LENGTH;
        buffer.putInt(at, partition, BYTE_ORDER);
        buffer.putInt(at + 4, 0, BYTE_ORDER);
        buffer.putLong(at + 8, offset, BYTE_ORDER);
    }

    /**
     * The commit id.
     *
     * @return the commit id.
     */
    public long commitId()
    {
        return buffer.getLong(COMMIT_ID_OFFSET, BYTE_ORDER);
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
     * The entry count.
     *
     * @return the count.
     */
    public int entryCount()
    {
        return buffer.getInt(ENTRY_COUNT_OFFSET, BYTE_ORDER);
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
     * An entry's offset.
     *
     * @param index of the entry.
     * @return the next offset to consume.
     */
    public long offset(final int index)
    {
        return buffer.getLong(ENTRIES_OFFSET + index * ENTRY_LENGTH + 8, BYTE_ORDER);
    }
}
