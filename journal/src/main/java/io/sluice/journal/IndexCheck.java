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
 * read beside a live writer, entries for records past the end seen at open: those must look like what
 * a writer appends after that end (relative offsets and positions strictly increasing and past the
 * walked records, time entries' maxima never below the walked maximum), so a damaged entry cannot hide
 * behind them and steer a seek to the wrong record.
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
    private int walkedEnd;
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
        walkedEnd = position + frameLength;
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
            problem = ignoreBeyondEnd ? checkOffsetEntriesBeyondEnd(recordCount) : offsetEntryNamesNone(nextOffsetEntry, recordCount);
        }
        if (problem == null && nextTimeEntry < timeIndex.entryCount())
        {
            problem = ignoreBeyondEnd ? checkTimeEntriesBeyondEnd(recordCount) : timeEntryNamesNone(nextTimeEntry, recordCount);
        }
        return problem;
    }

    private String checkOffsetEntriesBeyondEnd(final int recordCount)
    {
        int previousOffset = recordCount - 1;
        int previousPosition = walkedEnd - 1;
        for (int entry = nextOffsetEntry; entry < offsetIndex.entryCount(); entry++)
        {
            final int entryOffset = offsetIndex.relativeOffset(entry);
            final int position = offsetIndex.position(entry);
            if (entryOffset <= previousOffset || position <= previousPosition)
            {
                return offsetEntryNamesNone(entry, recordCount);
            }
            previousOffset = entryOffset;
            previousPosition = position;
        }
        return null;
    }

    private String checkTimeEntriesBeyondEnd(final int recordCount)
    {
        int previousOffset = recordCount - 1;
        int previousPosition = walkedEnd - 1;
        long previousMax = runningMax;
        for (int entry = nextTimeEntry; entry < timeIndex.entryCount(); entry++)
        {
            final int entryOffset = timeIndex.relativeOffset(entry);
            final int position = timeIndex.position(entry);
            final long maxTimestamp = timeIndex.maxTimestamp(entry);
            if (entryOffset <= previousOffset || position <= previousPosition || maxTimestamp < previousMax)
            {
                return timeEntryNamesNone(entry, recordCount);
            }
            previousOffset = entryOffset;
            previousPosition = position;
            previousMax = maxTimestamp;
        }
        return null;
    }

    private String offsetEntryNamesNone(final int entry, final int recordCount)
    {
        return offsetIndex.file() + ": entry " + entry + " (byte offset " + offsetIndex.entryOffset(entry) +
            ", relative offset " + offsetIndex.relativeOffset(entry) + ", position " + offsetIndex.position(entry) +
            ") names none of the " + recordCount + " records";
    }

    private String timeEntryNamesNone(final int entry, final int recordCount)
    {
        return timeIndex.file() + ": entry " + entry + " (byte offset " + timeIndex.entryOffset(entry) +
            ", relative offset " + timeIndex.relativeOffset(entry) + ", position " + timeIndex.position(entry) +
            ") names none of the " + recordCount + " records";
    }
}
