package io.sluice.journal;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Checks a journal directory read-only, without recovering or changing anything: every segment
 * header, every record's length and CRC32C, that sealed segments hold exactly the records up to the
 * next segment's base, that every offset and time index entry points at the right record, and that
 * each tail ends cleanly. Safe to run beside a live writer (it may then see a tail still growing).
 */
public final class JournalVerifier
{
    private final List<String> problems = new ArrayList<>();
    private final SegmentScanner scanner = new SegmentScanner();
    private long records;
    private int segments;
    private int partitions;

    /**
     * Verifies every topic of a journal directory.
     *
     * @param journalDir to verify.
     * @return the verifier holding the outcome.
     */
    public static JournalVerifier verify(final Path journalDir)
    {
        final JournalVerifier verifier = new JournalVerifier();
        try (Stream<Path> topics = Files.list(journalDir))
        {
            for (final Path topicDir : topics.sorted().toList())
            {
                if (Files.isRegularFile(topicDir.resolve(TopicMetadata.FILE_NAME)))
                {
                    verifier.verifyTopic(topicDir);
                }
            }
        }
        catch (final IOException | JournalException ex)
        {
            verifier.problems.add("cannot read " + journalDir + ": " + ex.getMessage());
        }
        return verifier;
    }

    /**
     * Problems found, in the order found; empty when the journal is sound.
     *
     * @return descriptions naming file and byte offset.
     */
    public List<String> problems()
    {
        return problems;
    }

    /**
     * Records checked.
     *
     * @return the number of records whose CRC was checked.
     */
    public long records()
    {
        return records;
    }

    /**
     * Segments checked.
     *
     * @return the number of segments checked.
     */
    public int segments()
    {
        return segments;
    }

    /**
     * Partitions checked.
     *
     * @return the number of partitions checked.
     */
    public int partitions()
    {
        return partitions;
    }

    private void verifyTopic(final Path topicDir)
    {
        final int count;
        try
        {
            count = TopicMetadata.readPartitionCount(topicDir);
        }
        catch (final JournalException ex)
        {
            problems.add(ex.getMessage());
            return;
        }
        for (int p = 0; p < count; p++)
        {
            final Path partitionDir = topicDir.resolve("partition-" + p);
            if (!Files.isDirectory(partitionDir))
            {
                problems.add("missing partition directory " + partitionDir);
                continue;
            }
            partitions++;
            verifyPartition(partitionDir);
        }
    }

    private void verifyPartition(final Path partitionDir)
    {
        final long[] bases;
        try
        {
            bases = PartitionRecovery.listBaseOffsets(partitionDir);
        }
        catch (final JournalException ex)
        {
            problems.add(ex.getMessage());
            return;
        }
        final SegmentFiles files = new SegmentFiles(partitionDir, 0, 1);
        for (int i = 0; i < bases.length; i++)
        {
            final boolean tail = i == bases.length - 1;
            verifySegment(files, bases[i], tail ? -1 : bases[i + 1] - bases[i]);
        }
    }

    private void verifySegment(final SegmentFiles files, final long base, final long expectedRecords)
    {
        final Path log = files.logFile(base);
        segments++;
        final MappedByteBuffer mapped = mapReadOnly(log);
        if (mapped == null)
        {
            return;
        }
        try
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(mapped);
            if (buffer.capacity() < SegmentDescriptor.HEADER_LENGTH)
            {
                problems.add(log + ": only " + buffer.capacity() + " bytes, shorter than the segment header");
                return;
            }
            final int declared = buffer.getInt(SegmentDescriptor.SEGMENT_LENGTH_OFFSET);
            final boolean shortTail = expectedRecords < 0 && declared > buffer.capacity();
            final String headerProblem = SegmentDescriptor.validateHeader(buffer, base, shortTail ? declared : buffer.capacity());
            if (headerProblem != null)
            {
                problems.add(log + ": " + headerProblem);
                return;
            }
            if (shortTail)
            {
                problems.add(log + ": tail segment is " + buffer.capacity() + " bytes, shorter than its header's segment length " +
                    declared + ": a torn tail (opening the journal re-extends it and truncates any partial record)");
            }
            final int limit = expectedRecords < 0 ? Integer.MAX_VALUE : (int)Math.min(Integer.MAX_VALUE, expectedRecords);
            final IndexChecker checker = new IndexChecker(files, base);
            // Unchecksummed records of a writer of this boot are intact (a live writer, or a killed one whose
            // records the next read-write open checksums); of an earlier boot they end the records.
            final boolean legacy = SegmentDescriptor.legacy(buffer);
            scanner.scan(buffer, mapped.duplicate(), true, legacy,
                SegmentDescriptor.writerBoot(buffer).sameAs(BootId.current()), limit, checker);
            records += scanner.recordCount;
            boolean logSound = true;
            if (expectedRecords >= 0 && scanner.recordCount != expectedRecords)
            {
                problems.add(log + ": sealed segment damaged at byte offset " + scanner.endPosition + " (record offset " +
                    (base + scanner.recordCount) + "): " + SegmentScanner.describe(scanner.endReason, scanner.badFrameLength) +
                    "; expected " + expectedRecords + " records, found " + scanner.recordCount);
                logSound = false;
            }
            else if (expectedRecords < 0)
            {
                final int end = scanner.endPosition;
                final int extent = SegmentScanner.extentOfNonZero(buffer, end);
                if (extent > end)
                {
                    final String damage = SegmentScanner.describe(scanner.endReason, scanner.badFrameLength);
                    final int found = scanner.findValidFrame(buffer, mapped.duplicate(), end + RecordDescriptor.FRAME_ALIGNMENT,
                        extent, (long)PartitionRecovery.CRC_BUDGET_PER_SEGMENT_BYTE * buffer.capacity(), legacy);
                    if (found == SegmentScanner.NONE_FOUND)
                    {
                        problems.add(log + ": torn tail at byte offset " + end + " (record offset " +
                            (base + scanner.recordCount) + "): " + damage + ", nothing valid after it" +
                            " (opening the journal truncates it)");
                    }
                    else
                    {
                        problems.add(log + ": corruption in the active segment at byte offset " + end + " (record offset " +
                            (base + scanner.recordCount) + "): " + damage + "; " + (found >= 0 ?
                            "a valid record follows at byte offset " + found : "cannot tell whether valid records follow") +
                            " (the journal refuses to open; 'sluice journal repair' truncates here, keeping the bytes)");
                    }
                    logSound = false;
                }
            }
            if (logSound && SealMark.present(buffer))
            {
                checkSealMark(log, buffer, expectedRecords >= 0);
            }
            if (logSound)
            {
                // Index entries past a damaged record are not meaningful: report the log damage alone.
                checker.finish(scanner.recordCount);
            }
            checker.close();
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }

    /**
     * A sealed segment's seal mark must state what the walk found: an open trusts it without a walk.
     */
    private void checkSealMark(final Path log, final UnsafeBuffer buffer, final boolean sealed)
    {
        if (!SealMark.intact(buffer))
        {
            problems.add(log + ": " + (sealed ? "seal mark" : "recovery point") + " damaged at byte offset " +
                SealMark.MAGIC_OFFSET + " (the next open does not trust it and verifies the segment record by record)");
        }
        else if (!sealed || !SealMark.isSeal(buffer))
        {
            // A tail's recovery point (left on a segment sealed since, it is no seal mark: the next open walks that one).
            if (!sealed && SealMark.recordCount(buffer) > scanner.recordCount)
            {
                problems.add(log + ": recovery point at byte offset " + SealMark.MAGIC_OFFSET + " says " +
                    SealMark.recordCount(buffer) + " records were forced, the segment holds " + scanner.recordCount);
            }
        }
        else if (SealMark.recordCount(buffer) != scanner.recordCount || SealMark.endPosition(buffer) != scanner.endPosition)
        {
            problems.add(log + ": seal mark at byte offset " + SealMark.MAGIC_OFFSET + " says " + SealMark.recordCount(buffer) +
                " records ending at byte offset " + SealMark.endPosition(buffer) + ", the segment holds " + scanner.recordCount +
                " ending at byte offset " + scanner.endPosition);
        }
    }

    private MappedByteBuffer mapReadOnly(final Path file)
    {
        if (!Files.exists(file))
        {
            problems.add("missing file " + file);
            return null;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
        }
        catch (final IOException ex)
        {
            problems.add("cannot map " + file + ": " + ex.getMessage());
            return null;
        }
    }

    /**
     * Walks the index entries alongside the scan and checks each one names the record it should.
     */
    private final class IndexChecker implements SegmentScanner.FrameVisitor
    {
        private final Path indexFile;
        private final Path timeIndexFile;
        private final MappedByteBuffer indexMapped;
        private final MappedByteBuffer timeMapped;
        private final UnsafeBuffer index;
        private final UnsafeBuffer timeIndex;
        private int indexEntry;
        private int timeEntry;
        private long runningMax = Long.MIN_VALUE;
        private boolean reported;

        IndexChecker(final SegmentFiles files, final long base)
        {
            indexFile = files.indexFile(base);
            timeIndexFile = files.timeIndexFile(base);
            indexMapped = mapReadOnly(indexFile);
            timeMapped = mapReadOnly(timeIndexFile);
            index = indexMapped == null ? null : new UnsafeBuffer(indexMapped);
            timeIndex = timeMapped == null ? null : new UnsafeBuffer(timeMapped);
        }

        @Override
        public void onFrame(final int relativeOffset, final int position, final int frameLength, final long timestamp)
        {
            runningMax = Math.max(runningMax, timestamp);
            if (index != null && (indexEntry + 1) * OffsetIndex.ENTRY_LENGTH <= index.capacity())
            {
                final int at = indexEntry * OffsetIndex.ENTRY_LENGTH;
                final int entryPosition = index.getInt(at + OffsetIndex.POSITION_OFFSET);
                if (entryPosition != 0 && index.getInt(at + OffsetIndex.RELATIVE_OFFSET_OFFSET) == relativeOffset)
                {
                    if (entryPosition != position)
                    {
                        report(indexFile + ": entry " + indexEntry + " gives position " + entryPosition +
                            " for relative offset " + relativeOffset + ", record is at " + position);
                    }
                    indexEntry++;
                }
            }
            if (timeIndex != null && (timeEntry + 1) * TimeIndex.ENTRY_LENGTH <= timeIndex.capacity())
            {
                final int at = timeEntry * TimeIndex.ENTRY_LENGTH;
                final int entryPosition = timeIndex.getInt(at + TimeIndex.POSITION_OFFSET);
                if (entryPosition != 0 && timeIndex.getInt(at + TimeIndex.RELATIVE_OFFSET_OFFSET) == relativeOffset)
                {
                    if (entryPosition != position || timeIndex.getLong(at + TimeIndex.MAX_TIMESTAMP_OFFSET) != runningMax)
                    {
                        report(timeIndexFile + ": entry " + timeEntry + " does not match record at relative offset " +
                            relativeOffset + " (position " + position + ", running max timestamp " + runningMax + ")");
                    }
                    timeEntry++;
                }
            }
        }

        void finish(final int recordCount)
        {
            if (index != null && (indexEntry + 1) * OffsetIndex.ENTRY_LENGTH <= index.capacity() &&
                index.getInt(indexEntry * OffsetIndex.ENTRY_LENGTH + OffsetIndex.POSITION_OFFSET) != 0)
            {
                report(indexFile + ": entry " + indexEntry + " does not match any of the " + recordCount + " records");
            }
            if (timeIndex != null && (timeEntry + 1) * TimeIndex.ENTRY_LENGTH <= timeIndex.capacity() &&
                timeIndex.getInt(timeEntry * TimeIndex.ENTRY_LENGTH + TimeIndex.POSITION_OFFSET) != 0)
            {
                report(timeIndexFile + ": entry " + timeEntry + " does not match any of the " + recordCount + " records");
            }
        }

        private void report(final String problem)
        {
            if (!reported)
            {
                reported = true;
                problems.add(problem);
            }
        }

        void close()
        {
            if (indexMapped != null)
            {
                IoUtil.unmap(indexMapped);
            }
            if (timeMapped != null)
            {
                IoUtil.unmap(timeMapped);
            }
        }
    }
}
