package io.sluice.journal;

import java.nio.ByteBuffer;
import java.nio.file.Path;


/**
 * Time index of one segment. An entry is added, at most every {@code indexIntervalBytes} of log,
 * when the largest timestamp seen so far in the segment has grown. Timestamps in a partition need
 * not be monotonic, so entries carry the running maximum: every record before an entry's record has
 * a timestamp at or below that entry's Max Timestamp.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                   Max Timestamp So Far                        |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                       Relative Offset                         |  8
 *  +---------------------------------------------------------------+
 *  |                    Position in Segment                        | 12
 *  +---------------------------------------------------------------+
 * </pre>
 * A position of 0 marks the end of the entries. File: {@code <base>.timeindex}, pre-allocated.
 * To find the first record with timestamp &gt;= T: take the first entry whose max is &gt;= T; the
 * record lies after the previous entry's record, so scan from there.
 */
final class TimeIndex extends MappedIndex
{
    static final int ENTRY_LENGTH = 16;
    static final int MAX_TIMESTAMP_OFFSET = 0;
    static final int RELATIVE_OFFSET_OFFSET = 8;
    static final int POSITION_OFFSET = 12;

    TimeIndex(final Path file, final ByteBuffer mapped)
    {
        super(file, mapped, ENTRY_LENGTH, POSITION_OFFSET);
    }

    static long fileLength(final int segmentLength, final int indexIntervalBytes)
    {
        return (long)(segmentLength / indexIntervalBytes + 2) * ENTRY_LENGTH;
    }

    long maxTimestamp(final int entry)
    {
        return buffer.getLong(entry * ENTRY_LENGTH + MAX_TIMESTAMP_OFFSET);
    }

    int relativeOffset(final int entry)
    {
        return buffer.getInt(entry * ENTRY_LENGTH + RELATIVE_OFFSET_OFFSET);
    }

    int position(final int entry)
    {
        return buffer.getInt(entry * ENTRY_LENGTH + POSITION_OFFSET);
    }

    void append(final long maxTimestamp, final int relativeOffset, final int position)
    {
        final int count = entryCount();
        if (count < maxEntries)
        {
            buffer.putLong(entryOffset(count) + MAX_TIMESTAMP_OFFSET, maxTimestamp);
            buffer.putInt(entryOffset(count) + RELATIVE_OFFSET_OFFSET, relativeOffset);
            buffer.putInt(entryOffset(count) + POSITION_OFFSET, position);
            published(count + 1);
        }
    }

    /**
     * Index of the first entry whose running maximum is at or above the timestamp, or -1 if none.
     */
    int firstEntryAtOrAfter(final long timestamp)
    {
        int low = 0;
        int high = entryCount() - 1;
        int found = -1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            if (maxTimestamp(mid) >= timestamp)
            {
                found = mid;
                high = mid - 1;
            }
            else
            {
                low = mid + 1;
            }
        }
        return found;
    }

}
