package io.sluice.journal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The seal mark: a sealed segment's record that it was verified, so that an open need not walk it again
 * (Kafka's recovery point, kept in the segment itself). It lives in bytes 44..63 of the segment header
 * ({@link SegmentDescriptor}), which were reserved and zero before it, so journals written without it
 * open unchanged: a sealed segment without a mark is walked and verified in full once, then marked.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |   Magic and Version: 0x534D4B31 "SMK1" seal mark,             | 44
 *  |   0x53525031 "SRP1" recovery point of the tail, 0: none       |
 *  +---------------------------------------------------------------+
 *  |                         Record Count                          | 48
 *  +---------------------------------------------------------------+
 *  |              End Position (one past the last frame)           | 52
 *  +---------------------------------------------------------------+
 *  |   CRC32C of the offset index entries, then the time index's   | 56
 *  +---------------------------------------------------------------+
 *  |                    CRC32C of bytes [44, 60)                   | 60
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>The same layout on the tail segment is a <b>recovery point</b> ({@link #RECOVERY_POINT_MAGIC}): the
 * first {@code Record Count} records, ending at {@code End Position}, were forced and verified (checksummed
 * by the writer's process or walked at open), and the index CRC32C covers the index entries of those records
 * only (the writer appends more after it). A partition's close writes it on its tail after the final force, as
 * Kafka writes its recovery point at a clean shutdown; the next open trusts it as it trusts a seal mark (the
 * records of the last index interval before it re-checked) and walks record by record only what follows it,
 * where torn tails and corruption are told apart as always. Records below it are CRC32C-checked when read.
 * A recovery point found on a sealed segment (the process stopped after a roll, before a force marked the
 * segment) is not a seal mark: that segment is walked in full and marked.
 *
 * <p>When it is written. Only for a sealed segment whose every record carries a checksum that was either
 * computed by this process from what it wrote, or verified by a full walk at open; and only after the
 * segment's records and both index files were forced, so a mark that reaches the device always describes
 * records that reached it before (the header page is forced on its own afterwards). The partition writes
 * it in the first {@code force()} that covers a sealed segment (group commit, {@code awaitDurable}, close)
 * and at the end of a read-write open for the segments it verified. A crash between the data and the
 * mark leaves the segment unmarked: the next open verifies it in full and marks it.
 *
 * <p>What an open checks before trusting a mark (cost: the index files and one index interval of
 * records): the mark's own CRC32C; its record count against the next segment's base offset; the CRC32C of
 * the index files against the one recorded; the records from the last offset index entry to the end, each
 * length and CRC32C, ending exactly at the recorded end position with nothing after it. A mark that fails
 * any of these is not trusted: the segment is walked and verified in full, as if unmarked, and the result
 * is reported. Records of a segment trusted by its mark are CRC32C-checked when read
 * ({@link PartitionReader}), and {@code sluice journal verify} walks every record whatever the marks say.
 */
final class SealMark
{
    static final int MAGIC = 0x534D4B31;
    /** A tail's recovery point. */
    static final int RECOVERY_POINT_MAGIC = 0x53525031;
    static final int MAGIC_OFFSET = 44;
    static final int RECORD_COUNT_OFFSET = 48;
    static final int END_POSITION_OFFSET = 52;
    static final int INDEX_CRC_OFFSET = 56;
    static final int MARK_CRC_OFFSET = 60;

    /** What {@link #mismatch} returns for a segment without a mark (bytes 44..63 zero). */
    static final String ABSENT = "no seal mark";

    private SealMark()
    {
    }

    /**
     * Whether the header carries a mark (valid or not).
     *
     * @param buffer over the segment.
     * @return true when the mark's magic word is non-zero.
     */
    static boolean present(final UnsafeBuffer buffer)
    {
        return buffer.getInt(MAGIC_OFFSET) != 0;
    }

    /**
     * Writes the mark. The caller has forced the segment's records and its index files first.
     *
     * @param buffer      over the segment.
     * @param recordCount records in the segment.
     * @param endPosition one past its last frame.
     * @param indexCrc    of its index files ({@link #indexCrc}).
     */
    static void write(final UnsafeBuffer buffer, final int recordCount, final int endPosition, final int indexCrc)
    {
        write(buffer, MAGIC, recordCount, endPosition, indexCrc);
    }

    /**
     * Writes a mark of either kind. The caller has forced the records and the index files first.
     *
     * @param buffer      over the segment.
     * @param magic       {@link #MAGIC} or {@link #RECOVERY_POINT_MAGIC}.
     * @param recordCount records covered.
     * @param endPosition one past the last of them.
     * @param indexCrc    of their index entries ({@link #indexCrc}).
     */
    static void write(final UnsafeBuffer buffer, final int magic, final int recordCount, final int endPosition, final int indexCrc)
    {
        buffer.putInt(RECORD_COUNT_OFFSET, recordCount);
        buffer.putInt(END_POSITION_OFFSET, endPosition);
        buffer.putInt(INDEX_CRC_OFFSET, indexCrc);
        buffer.putInt(MAGIC_OFFSET, magic);
        buffer.putInt(MARK_CRC_OFFSET, markCrc(buffer));
    }

    /**
     * Whether the header carries a seal mark (not a recovery point), intact or not.
     *
     * @param buffer over the segment.
     * @return true when the magic word is the seal mark's.
     */
    static boolean isSeal(final UnsafeBuffer buffer)
    {
        return buffer.getInt(MAGIC_OFFSET) == MAGIC;
    }

    /**
     * Removes the mark (repair changes the segment's records).
     *
     * @param buffer over the segment.
     */
    static void clear(final UnsafeBuffer buffer)
    {
        buffer.setMemory(MAGIC_OFFSET, SegmentDescriptor.HEADER_LENGTH - MAGIC_OFFSET, (byte)0);
    }

    /**
     * Record count the mark states; meaningful once {@link #mismatch} returned null.
     *
     * @param buffer over the segment.
     * @return the record count.
     */
    static int recordCount(final UnsafeBuffer buffer)
    {
        return buffer.getInt(RECORD_COUNT_OFFSET);
    }

    /**
     * End position the mark states; meaningful once {@link #mismatch} returned null.
     *
     * @param buffer over the segment.
     * @return one past the last frame.
     */
    static int endPosition(final UnsafeBuffer buffer)
    {
        return buffer.getInt(END_POSITION_OFFSET);
    }

    /**
     * Whether a mark is present and intact (its own CRC32C matches), whatever it states.
     *
     * @param buffer over the segment.
     * @return true for an intact mark.
     */
    static boolean intact(final UnsafeBuffer buffer)
    {
        final int magic = buffer.getInt(MAGIC_OFFSET);
        return (magic == MAGIC || magic == RECOVERY_POINT_MAGIC) && buffer.getInt(MARK_CRC_OFFSET) == markCrc(buffer);
    }

    /**
     * CRC32C of a segment's index entries: the offset index's, then the time index's.
     *
     * @param segment whose indexes to checksum.
     * @return the CRC32C.
     */
    static int indexCrc(final Segment segment)
    {
        return indexCrc(segment, segment.offsetIndex().entryCount(), segment.timeIndex().entryCount());
    }

    /**
     * CRC32C of the first entries of a segment's indexes: the offset index's, then the time index's.
     *
     * @param segment     whose indexes to checksum.
     * @param offsetCount offset index entries.
     * @param timeCount   time index entries.
     * @return the CRC32C.
     */
    static int indexCrc(final Segment segment, final int offsetCount, final int timeCount)
    {
        final CRC32C crc = new CRC32C();
        segment.offsetIndex().updateEntries(crc, offsetCount);
        segment.timeIndex().updateEntries(crc, timeCount);
        return (int)crc.getValue();
    }

    /**
     * Offset index entries of the records below a record count (entries are ascending).
     *
     * @param index       of the segment.
     * @param recordCount records.
     * @return the number of entries whose record is below it.
     */
    static int entriesBelow(final OffsetIndex index, final int recordCount)
    {
        return recordCount == 0 ? 0 : index.floorEntry(recordCount - 1) + 1;
    }

    /**
     * Time index entries of the records below a record count (entries are ascending).
     *
     * @param index       of the segment.
     * @param recordCount records.
     * @return the number of entries whose record is below it.
     */
    static int entriesBelow(final TimeIndex index, final int recordCount)
    {
        int count = index.entryCount();
        while (count > 0 && index.relativeOffset(count - 1) >= recordCount)
        {
            count--;
        }
        return count;
    }

    /**
     * Checks a tail segment's recovery point (or a seal mark left on what is now the tail) against the
     * segment: as {@link #mismatch}, but the records may go on after the point, and only the index entries
     * of the records below it count.
     *
     * @param segment  the tail, header validated.
     * @param checksum of the calling thread.
     * @return null when the point can be trusted; {@link #ABSENT} when there is none; else what does not match.
     */
    static String recoveryPointMismatch(final Segment segment, final RecordChecksum checksum)
    {
        final UnsafeBuffer buffer = segment.buffer();
        final int magic = buffer.getInt(MAGIC_OFFSET);
        if (magic == 0)
        {
            return ABSENT;
        }
        if (magic != MAGIC && magic != RECOVERY_POINT_MAGIC)
        {
            return "unknown recovery point 0x" + Integer.toHexString(magic) + " at byte offset " + MAGIC_OFFSET;
        }
        if (buffer.getInt(MARK_CRC_OFFSET) != markCrc(buffer))
        {
            return "recovery point CRC32C mismatch at byte offset " + MARK_CRC_OFFSET;
        }
        final int count = recordCount(buffer);
        if (count < 0)
        {
            return "the recovery point says " + count + " records";
        }
        final int offsetEntries = entriesBelow(segment.offsetIndex(), count);
        final int timeEntries = entriesBelow(segment.timeIndex(), count);
        if (buffer.getInt(INDEX_CRC_OFFSET) != indexCrc(segment, offsetEntries, timeEntries))
        {
            return "the index entries below the recovery point changed since it was written (CRC32C mismatch)";
        }
        return checkRecords(segment, count, offsetEntries, false, checksum);
    }

    /**
     * Checks a sealed segment's mark against the segment, cheaply (see the class comment).
     *
     * @param segment  sealed, header validated.
     * @param expected records the next segment's base offset implies.
     * @param checksum of the calling thread.
     * @return null when the mark can be trusted; {@link #ABSENT} when there is none; else what does not match.
     */
    static String mismatch(final Segment segment, final long expected, final RecordChecksum checksum)
    {
        final UnsafeBuffer buffer = segment.buffer();
        final int magic = buffer.getInt(MAGIC_OFFSET);
        if (magic == 0 || magic == RECOVERY_POINT_MAGIC)
        {
            // A recovery point left from when the segment was the tail: sealed since, never marked.
            return ABSENT;
        }
        if (magic != MAGIC)
        {
            return "unknown seal mark 0x" + Integer.toHexString(magic) + " at byte offset " + MAGIC_OFFSET;
        }
        if (buffer.getInt(MARK_CRC_OFFSET) != markCrc(buffer))
        {
            return "seal mark CRC32C mismatch at byte offset " + MARK_CRC_OFFSET;
        }
        final int count = recordCount(buffer);
        if (count != expected)
        {
            return "the mark says " + count + " records, the next segment's base offset implies " + expected;
        }
        if (count > 0 && (segment.offsetIndex().entryCount() == 0 || segment.timeIndex().entryCount() == 0))
        {
            return "an index file is empty or missing";
        }
        if (buffer.getInt(INDEX_CRC_OFFSET) != indexCrc(segment))
        {
            return "the index files changed since the mark was written (CRC32C mismatch)";
        }
        return checkRecords(segment, count, segment.offsetIndex().entryCount(), true, checksum);
    }

    /**
     * The records from the last offset index entry below {@code count} to {@code count}: each length and
     * CRC32C, ending at the mark's end position (and, for a seal mark, nothing after it).
     */
    private static String checkRecords(
        final Segment segment, final int count, final int offsetEntries, final boolean sealed, final RecordChecksum checksum)
    {
        final UnsafeBuffer buffer = segment.buffer();
        final int end = endPosition(buffer);
        final int capacity = buffer.capacity();
        if (end < SegmentDescriptor.HEADER_LENGTH || end > capacity || (end & (RecordDescriptor.FRAME_ALIGNMENT - 1)) != 0)
        {
            return "the mark's end position " + end + " cannot end the records of a " + capacity + "-byte segment";
        }
        if (count > 0 && offsetEntries == 0)
        {
            return "no offset index entry for the marked records";
        }
        int relative = 0;
        int position = SegmentDescriptor.HEADER_LENGTH;
        final OffsetIndex index = segment.offsetIndex();
        if (count > 0)
        {
            final int last = offsetEntries - 1;
            relative = index.relativeOffset(last);
            position = index.position(last);
            if (relative < 0 || relative >= count || position < SegmentDescriptor.HEADER_LENGTH || position >= end)
            {
                return "the last offset index entry (" + relative + " at byte offset " + position + ") is outside the marked records";
            }
        }
        final boolean legacy = SegmentDescriptor.legacy(buffer);
        final ByteBuffer view = RecordChecksum.byAddress() ? null : segment.newChecksumView();
        while (relative < count)
        {
            if (position > capacity - RecordDescriptor.HEADER_LENGTH)
            {
                return "record offset " + (segment.baseOffset() + relative) + " would start at byte offset " + position +
                    ", past the last frame the segment can hold";
            }
            final int length = buffer.getInt(position + RecordDescriptor.LENGTH_OFFSET);
            if (length < RecordDescriptor.HEADER_LENGTH || length > capacity - position)
            {
                return "bad frame length " + length + " at byte offset " + position + " (record offset " +
                    (segment.baseOffset() + relative) + ")";
            }
            if (!checksum.matches(buffer, view, position, length, legacy))
            {
                return "CRC32C mismatch in frame of length " + length + " at byte offset " + position + " (record offset " +
                    (segment.baseOffset() + relative) + ")";
            }
            position += RecordDescriptor.alignedFrameLength(length - RecordDescriptor.HEADER_LENGTH);
            relative++;
        }
        if (position != end)
        {
            return "the records end at byte offset " + position + ", the mark says " + end;
        }
        if (sealed && end <= capacity - RecordDescriptor.FRAME_ALIGNMENT && buffer.getInt(end + RecordDescriptor.LENGTH_OFFSET) != 0)
        {
            return "a frame follows the marked end at byte offset " + end;
        }
        return null;
    }

    private static int markCrc(final UnsafeBuffer buffer)
    {
        final CRC32C crc = new CRC32C();
        for (int i = MAGIC_OFFSET; i < MARK_CRC_OFFSET; i++)
        {
            crc.update(buffer.getByte(i));
        }
        return (int)crc.getValue();
    }
}
