package io.sluice.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Opens the segments of a partition directory and brings them to a consistent state.
 * <ul>
 *   <li>Sealed (non-tail) segments must be intact: each must hold exactly the records up to the next
 *       segment's base offset, every CRC good (when verification is on). Any damage is refused with an
 *       error naming the file and byte offset; nothing is truncated silently.</li>
 *   <li>The tail segment is scanned to the first frame whose length or CRC is bad; from there the
 *       rest of the file is zeroed (a torn tail), reported with file, offset and bytes dropped.</li>
 *   <li>The tail's indexes are rebuilt from the scan; missing indexes of sealed segments likewise.</li>
 * </ul>
 */
final class PartitionRecovery
{
    private final SegmentFiles files;
    private final boolean verifyChecksums;
    private final int indexIntervalBytes;
    private final List<RecoveryEvent> events = new ArrayList<>();
    private final SegmentScanner scanner = new SegmentScanner();

    PartitionRecovery(final SegmentFiles files, final boolean verifyChecksums, final int indexIntervalBytes)
    {
        this.files = files;
        this.verifyChecksums = verifyChecksums;
        this.indexIntervalBytes = indexIntervalBytes;
    }

    List<RecoveryEvent> events()
    {
        return events;
    }

    /**
     * Opens and checks every segment, creating the first one if the directory has none.
     *
     * @return the segments in base-offset order; the last is the tail.
     */
    Segment[] recover()
    {
        final long[] bases = listBaseOffsets(files.directory());
        if (!files.readOnly())
        {
            removeDanglingIndexes(bases);
        }
        if (bases.length == 0)
        {
            if (files.readOnly())
            {
                throw new JournalException(JournalException.Category.STATE,
                    "partition " + files.directory() + " has no segments (opened read-only, nothing is created)");
            }
            return new Segment[] {files.createSegment(0)};
        }
        final Segment[] segments = new Segment[bases.length];
        try
        {
            for (int i = 0; i < bases.length; i++)
            {
                final boolean tail = i == bases.length - 1;
                segments[i] = files.open(bases[i]);
                checkHeader(segments[i], tail);
                if (tail)
                {
                    recoverTail(segments[i]);
                }
                else
                {
                    checkSealed(segments[i], bases[i + 1]);
                }
            }
        }
        catch (final RuntimeException ex)
        {
            for (final Segment segment : segments)
            {
                if (segment != null)
                {
                    segment.close();
                }
            }
            throw ex;
        }
        return segments;
    }

    private void checkHeader(final Segment segment, final boolean tail)
    {
        final UnsafeBuffer buffer = segment.buffer();
        if (tail && buffer.getLong(0) == 0 && buffer.getLong(8) == 0 && buffer.getLong(16) == 0)
        {
            // A crash between renaming the spare into place and writing its header: an empty new segment.
            if (files.readOnly())
            {
                events.add(new RecoveryEvent(segment.file(), 0, 0, "new segment without a header yet (left as is: read-only)"));
                return;
            }
            SegmentDescriptor.writeHeader(buffer, segment.baseOffset(), buffer.capacity());
            events.add(new RecoveryEvent(segment.file(), 0, 0, "wrote missing header of new segment"));
            return;
        }
        final String problem = SegmentDescriptor.validateHeader(buffer, segment.baseOffset(), buffer.capacity());
        if (problem != null)
        {
            throw new JournalException(JournalException.Category.CORRUPTION,
                "segment " + segment.file() + " has a bad header: " + problem);
        }
    }

    private void checkSealed(final Segment segment, final long nextBase)
    {
        final long expected = nextBase - segment.baseOffset();
        if (expected < 0 || expected > Integer.MAX_VALUE)
        {
            throw new JournalException(JournalException.Category.CORRUPTION,
                "segment " + segment.file() + " is followed by base offset " + nextBase + ", which it cannot precede");
        }
        final boolean rebuildIndex = !files.readOnly() &&
            (segment.offsetIndex().entryCount() == 0 || segment.timeIndex().entryCount() == 0);
        if (rebuildIndex)
        {
            segment.offsetIndex().clear();
            segment.timeIndex().clear();
            segment.resetTail();
        }
        scanner.scan(segment.buffer(), segment.newChecksumView(), verifyChecksums, (int)expected,
            rebuildIndex ? (rel, pos, len, ts) -> segment.onAppended(
                pos, RecordDescriptor.alignedFrameLength(len - RecordDescriptor.HEADER_LENGTH), ts, indexIntervalBytes) : null);
        if (scanner.recordCount != expected)
        {
            throw new JournalException(JournalException.Category.CORRUPTION,
                "sealed segment " + segment.file() + " is damaged at byte offset " + scanner.endPosition +
                " (record offset " + (segment.baseOffset() + scanner.recordCount) + "): " +
                SegmentScanner.describe(scanner.endReason, scanner.badFrameLength) + "; expected " + expected +
                " records, found " + scanner.recordCount + ". Refusing to open the partition; " +
                "run 'sluice journal verify' and repair or quarantine the segment");
        }
        if (rebuildIndex)
        {
            events.add(new RecoveryEvent(segment.file(), 0, 0, "rebuilt missing indexes of sealed segment"));
        }
        segment.adoptScan(scanner.recordCount, scanner.endPosition, scanner.maxTimestamp);
    }

    private void recoverTail(final Segment segment)
    {
        if (files.readOnly())
        {
            // Look, never touch: a live writer may be appending; a torn tail is reported, not repaired.
            scanner.scan(segment.buffer(), segment.newChecksumView(), true, Integer.MAX_VALUE, null);
            if (scanner.endReason != SegmentScanner.END_CLEAN)
            {
                events.add(new RecoveryEvent(segment.file(), scanner.endPosition, 0,
                    "records end here: " + SegmentScanner.describe(scanner.endReason, scanner.badFrameLength) +
                    " (a torn tail, or a record being written; left as is: read-only)"));
            }
            segment.adoptScan(scanner.recordCount, scanner.endPosition, scanner.maxTimestamp);
            return;
        }
        segment.offsetIndex().clear();
        segment.timeIndex().clear();
        segment.resetTail();
        // The tail is always checksummed: it is where torn writes live.
        scanner.scan(segment.buffer(), segment.newChecksumView(), true, Integer.MAX_VALUE,
            (rel, pos, len, ts) -> segment.onAppended(
                pos, RecordDescriptor.alignedFrameLength(len - RecordDescriptor.HEADER_LENGTH), ts, indexIntervalBytes));
        final int end = scanner.endPosition;
        final int extent = SegmentScanner.extentOfNonZero(segment.buffer(), end);
        if (extent > end)
        {
            segment.buffer().setMemory(end, extent - end, (byte)0);
            segment.force(segment.capacity());
            events.add(new RecoveryEvent(segment.file(), end, extent - end,
                "truncated torn tail after record offset " + (segment.baseOffset() + scanner.recordCount - 1) + ": " +
                SegmentScanner.describe(scanner.endReason, scanner.badFrameLength)));
        }
        segment.adoptScan(scanner.recordCount, end, scanner.maxTimestamp);
    }

    private void removeDanglingIndexes(final long[] bases)
    {
        try (Stream<Path> list = Files.list(files.directory()))
        {
            list.map(p -> p.getFileName().toString())
                .filter(n -> n.endsWith(SegmentDescriptor.INDEX_SUFFIX) || n.endsWith(SegmentDescriptor.TIME_INDEX_SUFFIX))
                .filter(n -> !n.startsWith(SegmentDescriptor.SPARE_NAME))
                .forEach(n ->
                {
                    final long base = Long.parseLong(n.substring(0, n.indexOf('.')));
                    if (java.util.Arrays.binarySearch(bases, base) < 0)
                    {
                        JournalFiles.deleteQuietly(files.directory().resolve(n));
                    }
                });
        }
        catch (final IOException | NumberFormatException ex)
        {
            throw new JournalException(JournalException.Category.IO, "cannot list " + files.directory() + ": " + ex, ex);
        }
    }

    static long[] listBaseOffsets(final Path directory)
    {
        try (Stream<Path> list = Files.list(directory))
        {
            return list.map(p -> p.getFileName().toString())
                .filter(n -> n.endsWith(SegmentDescriptor.LOG_SUFFIX) && !n.startsWith(SegmentDescriptor.SPARE_NAME))
                .mapToLong(n -> parseBase(directory, n))
                .sorted()
                .toArray();
        }
        catch (final IOException ex)
        {
            throw new JournalException(JournalException.Category.IO, "cannot list " + directory + ": " + ex.getMessage(), ex);
        }
    }

    private static long parseBase(final Path directory, final String name)
    {
        final String digits = name.substring(0, name.length() - SegmentDescriptor.LOG_SUFFIX.length());
        if (digits.length() != 20 || !digits.chars().allMatch(Character::isDigit))
        {
            throw new JournalException(JournalException.Category.CORRUPTION,
                "unexpected file " + directory.resolve(name) + ": segment names are 20-digit base offsets");
        }
        return Long.parseLong(digits);
    }
}
