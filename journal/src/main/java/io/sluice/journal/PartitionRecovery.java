package io.sluice.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
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
 *   <li>The tail segment is scanned to the first frame that is absent, or whose length or CRC is bad.
 *       If nothing valid follows it (no frame-aligned position after it up to the end of the written
 *       bytes holds a frame whose length fits and whose CRC matches), it is a torn tail: the rest of
 *       the file is zeroed and the truncation reported with file, offset and bytes dropped. If a valid
 *       frame follows, records after the damage would be lost and their offsets reused: that is
 *       corruption, refused exactly as for a sealed segment, until an explicit
 *       repair ({@code sluice journal repair}).</li>
 *   <li>A tail file shorter than its header's segment length (a torn extension or a truncated copy)
 *       is re-extended with zeros and then recovered as above; read-only, it is read as it is.</li>
 *   <li>The tail's indexes are rebuilt from the scan. A sealed segment's indexes are checked entry
 *       by entry against the frames its scan walks, and rebuilt (in memory when read-only) if missing
 *       or wrong; each rebuild is reported.</li>
 *   <li>Records published but not yet checksummed (format version 2, see {@link RecordDescriptor}): if
 *       the segment header's writer boot is the running boot, they are intact in the page cache and
 *       are checksummed now (read-write) or read as they are (read-only); otherwise the first of them
 *       ends the records like any damage, so with nothing valid after it they are a torn tail
 *       (truncated) and with a valid record after it, corruption (refused). A checksummed record after
 *       an unchecksummed one, in the same segment or the next, is corruption.</li>
 *   <li>Read-write, the tail's header is stamped with the running boot once nothing unchecksummed is
 *       left in it, before the writer appends.</li>
 * </ul>
 */
final class PartitionRecovery
{
    /** Bytes the search for valid frames after damage may checksum, per byte of segment. */
    static final int CRC_BUDGET_PER_SEGMENT_BYTE = 4;

    private final SegmentFiles files;
    private final boolean verifyChecksums;
    private final int indexIntervalBytes;
    private final List<RecoveryEvent> events = new ArrayList<>();
    private final SegmentScanner scanner = new SegmentScanner();
    private final BootId currentBoot;
    /** Whether the previous segment ended with records that were not checksummed by their writer. */
    private boolean previousEndedUnchecksummed;
    private Path previousSegment;

    PartitionRecovery(
        final SegmentFiles files, final boolean verifyChecksums, final int indexIntervalBytes, final BootId currentBoot)
    {
        this.files = files;
        this.verifyChecksums = verifyChecksums;
        this.indexIntervalBytes = indexIntervalBytes;
        this.currentBoot = currentBoot;
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
            return new Segment[] {files.createSegment(0, currentBoot)};
        }
        final Segment[] segments = new Segment[bases.length];
        try
        {
            final int sealed = bases.length - 1;
            for (int i = 0; i < sealed; i++)
            {
                segments[i] = files.open(bases[i]);
                checkHeader(segments[i], false);
            }
            // A sealed segment whose seal mark matches it is trusted without a walk (SealMark).
            final String[] markProblems = new String[sealed];
            final boolean[] trusted = new boolean[sealed];
            final RecordChecksum markChecksum = new RecordChecksum();
            for (int i = 0; i < sealed; i++)
            {
                markProblems[i] = SealMark.mismatch(segments[i], bases[i + 1] - bases[i], markChecksum);
                trusted[i] = markProblems[i] == null;
            }
            // The walks of the others only read: they run in parallel, their verdicts follow in order.
            final SealedScan[] scans = SealedScan.scanAll(segments, bases, trusted, verifyChecksums, currentBoot);
            for (int i = 0; i < sealed; i++)
            {
                if (trusted[i])
                {
                    adoptMarked(segments[i]);
                    continue;
                }
                checkSealed(segments[i], bases[i + 1], scans[i]);
                // Verified in full now (with every CRC32C): the open marks it. Walked without: never marked.
                segments[i].sealMarkDue(verifyChecksums);
                if (markProblems[i] != SealMark.ABSENT)
                {
                    events.add(new RecoveryEvent(segments[i].file(), SealMark.MAGIC_OFFSET, 0, "seal mark not trusted (" +
                        markProblems[i] + "): verified the segment record by record" +
                        (files.readOnly() || !verifyChecksums ? "" : " and marked it again")));
                }
            }
            final int tail = sealed;
            reextendShortTail(files.logFile(bases[tail]));
            segments[tail] = files.open(bases[tail]);
            checkHeader(segments[tail], true);
            recoverTail(segments[tail]);
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
        // Before any read of the header: a file truncated below it is damage to report, not to read past.
        if (buffer.capacity() < SegmentDescriptor.HEADER_LENGTH)
        {
            throw new JournalException(JournalException.Category.CORRUPTION, "segment " + segment.file() + " is only " +
                buffer.capacity() + " bytes, shorter than its " + SegmentDescriptor.HEADER_LENGTH + "-byte header");
        }
        if (tail && SegmentDescriptor.headerBeingWritten(buffer, segment.baseOffset()))
        {
            // A crash between renaming the spare into place and completing its header: an empty new segment.
            if (files.readOnly())
            {
                events.add(new RecoveryEvent(segment.file(), 0, 0, "new segment without a header yet (left as is: read-only)"));
                return;
            }
            // An unknown writer boot: nothing unchecksummed in it can be trusted (the stamp comes after recovery).
            SegmentDescriptor.writeHeader(buffer, segment.baseOffset(), buffer.capacity(), BootId.UNKNOWN);
            events.add(new RecoveryEvent(segment.file(), 0, 0, "wrote missing header of new segment"));
            return;
        }
        final int declared = buffer.getInt(SegmentDescriptor.SEGMENT_LENGTH_OFFSET);
        // Read-only, a short tail is read as it is (re-extending it is for a read-write open).
        final long expectedLength = tail && files.readOnly() && declared > buffer.capacity() ? declared : buffer.capacity();
        final String problem = SegmentDescriptor.validateHeader(buffer, segment.baseOffset(), expectedLength);
        if (problem != null)
        {
            throw new JournalException(JournalException.Category.CORRUPTION,
                "segment " + segment.file() + " has a bad header: " + problem);
        }
    }

    /**
     * The verdict on a sealed segment from its walk ({@link SealedScan}): refused if damaged, indexes
     * rebuilt if wrong, a killed writer's unchecksummed records checksummed.
     */
    private void checkSealed(final Segment segment, final long nextBase, final SealedScan scan)
    {
        final long expected = nextBase - segment.baseOffset();
        if (expected < 0 || expected > Integer.MAX_VALUE)
        {
            throw new JournalException(JournalException.Category.CORRUPTION,
                "segment " + segment.file() + " is followed by base offset " + nextBase + ", which it cannot precede");
        }
        scan.rethrowFailure();
        final SegmentScanner scanner = scan.scanner();
        final IndexCheck check = scan.indexCheck();
        final boolean missingIndex = check == null;
        checkChecksumOrder(segment, scanner);
        if (scanner.recordCount != expected)
        {
            throw new JournalException(JournalException.Category.CORRUPTION,
                "sealed segment " + segment.file() + " is damaged at byte offset " + scanner.endPosition +
                " (record offset " + (segment.baseOffset() + scanner.recordCount) + "): " +
                SegmentScanner.describe(scanner.endReason, scanner.badFrameLength) + "; expected " + expected +
                " records, found " + scanner.recordCount + ". Refusing to open the partition; " +
                "run 'sluice journal verify' to list the damage and " + repairHint());
        }
        final int unchecksummed = scanner.unchecksummedCount;
        final int end = scanner.endPosition;
        final String indexProblem = missingIndex ? "missing or empty index" : check.finish(scanner.recordCount, false);
        if (indexProblem != null)
        {
            rebuildIndexes(segment, (int)expected, indexProblem);
        }
        final long maxTimestamp = scanner.maxTimestamp;
        checksumLeftovers(segment, unchecksummed, end);
        segment.adoptScan((int)expected, end, maxTimestamp);
    }

    /**
     * A sealed segment trusted by its mark: every record carries its checksum (the mark is only written
     * then), so it ends checksummed, and a previous segment that ended without checksums contradicts it.
     */
    private void adoptMarked(final Segment segment)
    {
        final UnsafeBuffer buffer = segment.buffer();
        final int records = SealMark.recordCount(buffer);
        if (previousEndedUnchecksummed && records > 0)
        {
            throw checksumOrderViolation(segment);
        }
        previousEndedUnchecksummed = false;
        previousSegment = segment.file();
        segment.adoptMark(records, SealMark.endPosition(buffer), segment.maxTimestampBelow(records));
    }

    /**
     * Whether the segment's unchecksummed records can be trusted: its writer ran in the running boot,
     * so the page cache kept every byte it wrote.
     */
    private boolean trustsUnchecksummed(final Segment segment)
    {
        return SegmentDescriptor.writerBoot(segment.buffer()).sameAs(currentBoot);
    }

    /**
     * Checksums are stored in record order across segments too: a segment that starts with a checksummed
     * record after one that ended with unchecksummed records means those were damaged.
     */
    private void checkChecksumOrder(final Segment segment, final SegmentScanner scanner)
    {
        final boolean startsChecksummed = scanner.recordCount > 0 &&
            segment.buffer().getInt(SegmentDescriptor.HEADER_LENGTH + RecordDescriptor.CRC_OFFSET) != RecordDescriptor.UNCHECKSUMMED;
        if (previousEndedUnchecksummed && startsChecksummed)
        {
            throw checksumOrderViolation(segment);
        }
        previousEndedUnchecksummed = scanner.unchecksummedCount > 0;
        previousSegment = segment.file();
    }

    private JournalException checksumOrderViolation(final Segment segment)
    {
        return new JournalException(JournalException.Category.CORRUPTION,
            "sealed segment " + previousSegment + " ends with records that carry no checksum, but the next segment " +
            segment.file() + " starts with a checksummed record: checksums are stored in record order, so the " +
            "records without one were damaged. Refusing to open the partition; run 'sluice journal verify' to list " +
            "the damage and " + repairHint());
    }

    /**
     * Checksums, read-write, the records a killed writer of the running boot had published but not yet
     * checksummed, and reports it; read-only, they are read as they are.
     */
    private void checksumLeftovers(final Segment segment, final int unchecksummed, final int end)
    {
        if (unchecksummed == 0 || files.readOnly())
        {
            return;
        }
        final int stored = scanner.checksumFrom(segment.buffer(), segment.newChecksumView(), SegmentDescriptor.HEADER_LENGTH, end);
        events.add(new RecoveryEvent(segment.file(), SegmentDescriptor.HEADER_LENGTH, 0, "checksummed " + stored +
            " records that their writer (a process of this boot, which stopped) had published but not yet checksummed"));
    }

    /**
     * Rebuilds a segment's indexes from its frames: in the files when read-write, in memory when
     * read-only (the files are left as they are for a read-write open to fix).
     */
    private void rebuildIndexes(final Segment segment, final int records, final String problem)
    {
        if (files.readOnly())
        {
            segment.replaceIndexes(
                new OffsetIndex(segment.offsetIndex().file(), ByteBuffer.allocateDirect(segment.offsetIndex().capacity())),
                new TimeIndex(segment.timeIndex().file(), ByteBuffer.allocateDirect(segment.timeIndex().capacity())));
        }
        else
        {
            segment.offsetIndex().clear();
            segment.timeIndex().clear();
        }
        segment.resetTail();
        scanner.scan(segment.buffer(), segment.newChecksumView(), false, SegmentDescriptor.legacy(segment.buffer()), true, records,
            (rel, pos, len, ts) -> segment.onAppended(
                pos, RecordDescriptor.alignedFrameLength(len - RecordDescriptor.HEADER_LENGTH), ts, indexIntervalBytes));
        if (!files.readOnly())
        {
            segment.offsetIndex().force();
            segment.timeIndex().force();
        }
        events.add(new RecoveryEvent(segment.file(), 0, 0, "rebuilt the indexes of the segment from its records" +
            (files.readOnly() ? " in memory (read-only; the files are left as they are)" : "") + ": " + problem));
    }

    private void recoverTail(final Segment segment)
    {
        if (files.readOnly())
        {
            // Look, never touch: a live writer may be appending; a torn tail is reported, not repaired.
            final IndexCheck check = new IndexCheck(segment.offsetIndex(), segment.timeIndex());
            scanner.scan(segment.buffer(), segment.newChecksumView(), true, SegmentDescriptor.legacy(segment.buffer()),
                trustsUnchecksummed(segment), Integer.MAX_VALUE, check);
            checkChecksumOrder(segment, scanner);
            final int end = scanner.endPosition;
            final int records = scanner.recordCount;
            final long maxTimestamp = scanner.maxTimestamp;
            final String damage = SegmentScanner.describe(scanner.endReason, scanner.badFrameLength);
            final int extent = SegmentScanner.extentOfNonZero(segment.buffer(), end);
            if (extent > end)
            {
                refuseIfValidFramesFollow(segment, end, extent, damage);
                events.add(new RecoveryEvent(segment.file(), end, 0,
                    "records end here: " + damage + " (a torn tail, or a record being written; left as is: read-only)"));
            }
            final String indexProblem = check.finish(records, true);
            if (indexProblem != null)
            {
                rebuildIndexes(segment, records, indexProblem);
            }
            segment.adoptScan(records, end, maxTimestamp);
            return;
        }
        // Records below a trusted recovery point were forced and verified (SealMark): walk what follows it.
        final String pointProblem = SealMark.recoveryPointMismatch(segment, new RecordChecksum());
        final int from;
        if (pointProblem == null)
        {
            final UnsafeBuffer header = segment.buffer();
            segment.resumeTail(SealMark.recordCount(header), SealMark.endPosition(header), indexIntervalBytes);
            from = segment.tailPosition();
        }
        else
        {
            if (pointProblem != SealMark.ABSENT)
            {
                events.add(new RecoveryEvent(segment.file(), SealMark.MAGIC_OFFSET, 0, "recovery point not trusted (" +
                    pointProblem + "): walked the tail segment from its first record"));
            }
            segment.offsetIndex().clear();
            segment.timeIndex().clear();
            segment.resetTail();
            from = SegmentDescriptor.HEADER_LENGTH;
        }
        // The tail beyond the point is always checksummed: it is where torn writes live.
        final boolean legacy = SegmentDescriptor.legacy(segment.buffer());
        scanner.scanFrom(segment.buffer(), segment.newChecksumView(), true, legacy, trustsUnchecksummed(segment), Integer.MAX_VALUE,
            (rel, pos, len, ts) -> segment.onAppended(
                pos, RecordDescriptor.alignedFrameLength(len - RecordDescriptor.HEADER_LENGTH), ts, indexIntervalBytes),
            from, segment.recordCount(), segment.maxTimestamp());
        checkChecksumOrder(segment, scanner);
        final int unchecksummed = scanner.unchecksummedCount;
        final int end = scanner.endPosition;
        final int records = scanner.recordCount;
        final long maxTimestamp = scanner.maxTimestamp;
        final String damage = SegmentScanner.describe(scanner.endReason, scanner.badFrameLength);
        final int extent = SegmentScanner.extentOfNonZero(segment.file(), segment.capacity(), end);
        if (extent > end)
        {
            refuseIfValidFramesFollow(segment, end, extent, damage);
            segment.buffer().setMemory(end, extent - end, (byte)0);
            segment.force(segment.capacity());
            events.add(new RecoveryEvent(segment.file(), end, extent - end,
                "truncated torn tail after record offset " + (segment.baseOffset() + records - 1) + ": " + damage +
                "; nothing valid follows it"));
        }
        checksumLeftovers(segment, unchecksummed, end);
        if (!legacy)
        {
            // Nothing unchecksummed is left: from here the running boot vouches for what is appended.
            SegmentDescriptor.stampBoot(segment.buffer(), currentBoot);
        }
        segment.adoptScan(records, end, maxTimestamp);
    }

    /**
     * A bad or absent frame with a valid frame after it is not a torn tail: truncating there would drop
     * the records after it and reuse their offsets. Refuse, naming file and byte offset.
     */
    private void refuseIfValidFramesFollow(final Segment segment, final int end, final int extent, final String damage)
    {
        final int found = scanner.findValidFrame(segment.buffer(), segment.newChecksumView(),
            end + RecordDescriptor.FRAME_ALIGNMENT, extent, (long)CRC_BUDGET_PER_SEGMENT_BYTE * segment.capacity(),
            SegmentDescriptor.legacy(segment.buffer()));
        if (found == SegmentScanner.NONE_FOUND)
        {
            return;
        }
        throw new JournalException(JournalException.Category.CORRUPTION,
            "active segment " + segment.file() + " is damaged at byte offset " + end + " (record offset " +
            (segment.baseOffset() + scanner.recordCount) + "): " + damage + "; " +
            (found >= 0 ? "a valid record follows at byte offset " + found + ", so this is corruption, not a torn tail" :
            "too many candidate frames follow to tell a torn tail from corruption") +
            ". Refusing to open the partition; run 'sluice journal verify' to list the damage and " + repairHint());
    }

    private String repairHint()
    {
        final Path partitionDir = files.directory();
        final Path topicDir = partitionDir.getParent();
        final String partitionName = partitionDir.getFileName().toString();
        final String partition = partitionName.startsWith("partition-") ? partitionName.substring("partition-".length()) : "?";
        return "'sluice journal repair -d " + (topicDir == null || topicDir.getParent() == null ? "DIR" : topicDir.getParent()) +
            " -t " + (topicDir == null ? "TOPIC" : topicDir.getFileName()) + " -p " + partition +
            "' to truncate at the damage (the damaged bytes are kept in a side file)";
    }

    /**
     * A tail file shorter than the segment length its header declares is a torn tail: read-write, it is
     * re-extended with zeros (real blocks) to that length so that the scan truncates any partial record.
     */
    private void reextendShortTail(final Path log)
    {
        final long size = SegmentFiles.sizeOf(log);
        if (size < SegmentDescriptor.HEADER_LENGTH)
        {
            return; // checkHeader reports it
        }
        final int declared;
        try (FileChannel channel = FileChannel.open(log, StandardOpenOption.READ))
        {
            final ByteBuffer header = ByteBuffer.allocate(SegmentDescriptor.HEADER_LENGTH);
            while (header.hasRemaining() && channel.read(header) >= 0)
            {
                // read the whole header
            }
            final org.agrona.concurrent.UnsafeBuffer view = new org.agrona.concurrent.UnsafeBuffer(header.array());
            if (view.getInt(SegmentDescriptor.MAGIC_OFFSET) != SegmentDescriptor.MAGIC ||
                view.getInt(SegmentDescriptor.HEADER_CRC_OFFSET) != SegmentDescriptor.headerCrc(view))
            {
                return; // checkHeader reports it
            }
            declared = view.getInt(SegmentDescriptor.SEGMENT_LENGTH_OFFSET);
        }
        catch (final IOException ex)
        {
            throw new JournalException(JournalException.Category.IO, "cannot read " + log + ": " + ex.getMessage(), ex);
        }
        if (size >= declared)
        {
            return;
        }
        if (files.readOnly())
        {
            events.add(new RecoveryEvent(log, size, 0, "tail segment is " + size + " bytes, shorter than its header's " +
                "segment length " + declared + " (a torn tail; read as it is: read-only)"));
            return;
        }
        JournalFiles.extendWithZeros(log, declared);
        events.add(new RecoveryEvent(log, size, 0, "re-extended tail segment from " + size + " to " + declared +
            " bytes: it was shorter than its header's segment length (a torn tail)"));
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
