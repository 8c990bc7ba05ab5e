package io.sluice.journal;

import java.nio.ByteBuffer;
import java.nio.file.Path;


/**
 * Sparse offset index of one segment: one entry every {@code indexIntervalBytes} of log, mapping a
 * record's offset (relative to the segment's base) to its byte position in the segment.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                       Relative Offset                         |  0
 *  +---------------------------------------------------------------+
 *  |                    Position in Segment                        |  4
 *  +---------------------------------------------------------------+
 * </pre>
 * Entries are ascending in both fields. A position of 0 marks the end of the entries (no record
 * lives at position 0, the segment header does). File: {@code <base>.index}, pre-allocated.
 *
 * <p>Single writer (the partition's writer thread); readers only look at entries below
 * {@link #entryCount()}, which the writer publishes after the entry is written.
 */
final class OffsetIndex extends MappedIndex
{
    static final int ENTRY_LENGTH = 8;
    static final int RELATIVE_OFFSET_OFFSET = 0;
    static final int POSITION_OFFSET = 4;

    OffsetIndex(final Path file, final ByteBuffer mapped)
    {
        super(file, mapped, ENTRY_LENGTH, POSITION_OFFSET);
    }

    static long fileLength(final int segmentLength, final int indexIntervalBytes)
    {
        return (long)(segmentLength / indexIntervalBytes + 2) * ENTRY_LENGTH;
    }

    int relativeOffset(final int entry)
    {
        return buffer.getInt(entry * ENTRY_LENGTH + RELATIVE_OFFSET_OFFSET);
    }

    int position(final int entry)
    {
        return buffer.getInt(entry * ENTRY_LENGTH + POSITION_OFFSET);
    }

    void append(final int relativeOffset, final int position)
    {
        final int count = entryCount();
        if (count < maxEntries)
        {
            buffer.putInt(entryOffset(count) + RELATIVE_OFFSET_OFFSET, relativeOffset);
            buffer.putInt(entryOffset(count) + POSITION_OFFSET, position);
            published(count + 1);
        }
    }

    /**
     * Index of the last entry whose relative offset is at or below the target, or -1 if none.
     */
    int floorEntry(final long relativeOffset)
    {
        int low = 0;
        int high = entryCount() - 1;
        int found = -1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            if (relativeOffset(mid) <= relativeOffset)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return found;
    }

}
