package io.sluice.journal;

/**
 * Checks a segment's offset and time index entries against the frames a scan walks, so that readers
 * never trust an entry that names the wrong record. Frames do not carry their offset: a record's offset
 * is its base offset plus its rank in the segment, which only a walk from the segment's first frame
 * establishes, so an entry is checked by the walk that recovery does anyway.
 *
 * <p>An offset entry {@code (relative offset R, position P)} is good when the walk meets record R at
 * P. A time entry must also carry the running maximum timestamp up to and including record R. Entries
 * must be in walk order; an entry for a record the walk never meets is bad, except, on a tail being
 * read beside a live writer, one for a record past the end seen at open.
 *
 * <p>Recovery only; not thread-safe.
 */
final class IndexCheck implements SegmentScanner.FrameVisitor
{
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    private int nextOffsetEntry;
    private int nextTimeEntry;
    private long runningMax = Long.MIN_VALUE;
    private String problem;

    IndexCheck(final OffsetIndex offsetIndex, final TimeIndex timeIndex)
    {
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
    }

    @Override
    public void onFrame(final int relativeOffset, final int position, final int frameLength, final long timestamp)
    {
        if (timestamp > runningMax)
        {
            runningMax = timestamp;
        }
        if (problem != null)
        {
            return;
        }
        if (nextOffsetEntry < offsetIndex.entryCount())
        {
            final int entryOffset = offsetIndex.relativeOffset(nextOffsetEntry);
            if (entryOffset < relativeOffset)
            {
                problem = offsetIndex.file() + ": entry " + nextOffsetEntry + " (byte offset " +
                    offsetIndex.entryOffset(nextOffsetEntry) + ") names relative offset " + entryOffset +
                    ", out of order or not at a record";
            }
            else if (entryOffset == relativeOffset)
            {
                final int entryPosition = offsetIndex.position(nextOffsetEntry);
                if (entryPosition != position)
                {
                    problem = offsetIndex.file() + ": entry " + nextOffsetEntry + " (byte offset " +
                        offsetIndex.entryOffset(nextOffsetEntry) + ") gives position " + entryPosition +
                        " for relative offset " + relativeOffset + ", the record is at " + position;
                }
                nextOffsetEntry++;
            }
        }
        if (problem == null && nextTimeEntry < timeIndex.entryCount())
        {
            final int entryOffset = timeIndex.relativeOffset(nextTimeEntry);
            if (entryOffset < relativeOffset)
            {
                problem = timeIndex.file() + ": entry " + nextTimeEntry + " (byte offset " +
                    timeIndex.entryOffset(nextTimeEntry) + ") names relative offset " + entryOffset +
                    ", out of order or not at a record";
            }
            else if (entryOffset == relativeOffset)
            {
                if (timeIndex.position(nextTimeEntry) != position || timeIndex.maxTimestamp(nextTimeEntry) != runningMax)
                {
                    problem = timeIndex.file() + ": entry " + nextTimeEntry + " (byte offset " +
                        timeIndex.entryOffset(nextTimeEntry) + ") does not match the record at relative offset " +
                        relativeOffset + " (position " + position + ", running max timestamp " + runningMax + ")";
                }
                nextTimeEntry++;
            }
        }
    }

    /**
     * Completes the check once the scan has visited every record.
     *
     * @param recordCount      records the scan visited.
     * @param ignoreBeyondEnd  whether entries for records past the scanned end are allowed (a live tail).
     * @return null when both indexes are good, or what is wrong, naming file and entry.
     */
    String finish(final int recordCount, final boolean ignoreBeyondEnd)
    {
        if (problem == null && nextOffsetEntry < offsetIndex.entryCount())
        {
            final int entryOffset = offsetIndex.relativeOffset(nextOffsetEntry);
            if (!ignoreBeyondEnd || entryOffset < recordCount)
            {
                problem = offsetIndex.file() + ": entry " + nextOffsetEntry + " (byte offset " +
                    offsetIndex.entryOffset(nextOffsetEntry) + ", relative offset " + entryOffset + ", position " +
                    offsetIndex.position(nextOffsetEntry) + ") names none of the " + recordCount + " records";
            }
        }
        if (problem == null && nextTimeEntry < timeIndex.entryCount())
        {
            final int entryOffset = timeIndex.relativeOffset(nextTimeEntry);
            if (!ignoreBeyondEnd || entryOffset < recordCount)
            {
                problem = timeIndex.file() + ": entry " + nextTimeEntry + " (byte offset " +
                    timeIndex.entryOffset(nextTimeEntry) + ", relative offset " + entryOffset + ", position " +
                    timeIndex.position(nextTimeEntry) + ") names none of the " + recordCount + " records";
            }
        }
        return problem;
    }
}
