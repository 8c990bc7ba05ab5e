package io.sluice.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The explicit repair of a damaged partition that recovery refuses to open: truncates the partition
 * at the first damaged record, keeps every byte it removes, and says exactly what it did.
 * <ol>
 *   <li>Segments are checked oldest first, as recovery checks them (a sealed segment must hold every
 *       record up to the next segment's base; the tail must end cleanly). A tail shorter than its
 *       header's length is re-extended first.</li>
 *   <li>At the first damage, at byte offset P of segment S: the bytes from P to the end of the written
 *       region are copied to a side file {@code S.damaged-at-P} next to S and forced; then they are
 *       zeroed in S and S is forced. S becomes the tail.</li>
 *   <li>Every later segment is renamed {@code <name>.log.quarantined} (its indexes, which can be rebuilt,
 *       are deleted).</li>
 *   <li>The partition is then opened, so recovery rebuilds the indexes and reports what it did.</li>
 * </ol>
 * Records from the damaged one on are no longer readable, and the next append reuses the damaged
 * record's offset: the report says so, and each line is also appended, with the time, to
 * {@code repair-history.txt} in the partition directory. Nothing is deleted that is not kept in a side
 * or quarantined file. Run it only on a journal no process has open.
 */
public final class JournalRepair
{
    /** File in each repaired partition directory to which every repair appends what it did. */
    public static final String HISTORY_FILE = "repair-history.txt";
    /** Suffix of a later segment set aside by a repair. */
    public static final String QUARANTINED_SUFFIX = ".quarantined";
    /** Infix of the side file holding the bytes a repair removed from a segment: {@code <log>.damaged-at-<position>}. */
    public static final String DAMAGED_INFIX = ".damaged-at-";

    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE_FILE =
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final SegmentScanner scanner = new SegmentScanner();
    private final List<String> actions = new ArrayList<>();

    private JournalRepair()
    {
    }

    /**
     * Repairs partitions of a topic.
     *
     * @param journalDir the journal directory.
     * @param topic      name of the topic.
     * @param partitions ids to repair, or null or empty for every partition of the topic.
     * @return what was done, one line per action, naming files and byte offsets.
     * @throws JournalException when the topic or a partition is missing, or the damage is of a kind repair
     *                          does not fix (a damaged segment header); nothing is changed for that partition.
     */
    public static List<String> repair(final Path journalDir, final String topic, final int[] partitions)
    {
        final Path topicDir = journalDir.resolve(topic);
        if (!Files.isRegularFile(topicDir.resolve(TopicMetadata.FILE_NAME)))
        {
            throw new JournalException(JournalException.Category.STATE, "no topic '" + topic + "' in " + journalDir);
        }
        final int count = TopicMetadata.readPartitionCount(topicDir);
        final int[] ids;
        if (partitions == null || partitions.length == 0)
        {
            ids = new int[count];
            for (int i = 0; i < count; i++)
            {
                ids[i] = i;
            }
        }
        else
        {
            ids = partitions;
        }
        final JournalRepair repair = new JournalRepair();
        for (final int id : ids)
        {
            if (id < 0 || id >= count)
            {
                throw new JournalException(JournalException.Category.STATE,
                    "topic '" + topic + "' has partitions 0.." + (count - 1) + ", not " + id);
            }
            repair.repairPartition(journalDir, topic, id);
        }
        return repair.actions;
    }

    private void repairPartition(final Path journalDir, final String topic, final int id)
    {
        final Path dir = journalDir.resolve(topic).resolve("partition-" + id);
        final long[] bases = PartitionRecovery.listBaseOffsets(dir);
        final SegmentFiles files = new SegmentFiles(dir, 0, 1);
        final List<String> done = new ArrayList<>();
        for (int i = 0; i < bases.length; i++)
        {
            final boolean tail = i == bases.length - 1;
            final Path log = files.logFile(bases[i]);
            if (tail)
            {
                extendShortTail(log, done);
            }
            final MappedByteBuffer mapped = JournalFiles.mapReadWrite(log);
            try
            {
                final UnsafeBuffer buffer = new UnsafeBuffer(mapped);
                final String headerProblem = buffer.capacity() < SegmentDescriptor.HEADER_LENGTH ?
                    "only " + buffer.capacity() + " bytes" : SegmentDescriptor.validateHeader(buffer, bases[i], buffer.capacity());
                if (headerProblem != null)
                {
                    throw new JournalException(JournalException.Category.CORRUPTION, "cannot repair " + log +
                        ": its header is damaged (" + headerProblem + "); move this segment and the later ones aside by hand");
                }
                final long expected = tail ? Integer.MAX_VALUE : bases[i + 1] - bases[i];
                // As recovery: unchecksummed records are kept only if a writer of this boot published them.
                scanner.scan(buffer, mapped.duplicate(), true, SegmentDescriptor.legacy(buffer),
                    SegmentDescriptor.writerBoot(buffer).sameAs(BootId.current()), (int)Math.min(Integer.MAX_VALUE, expected), null);
                final int end = scanner.endPosition;
                final int extent = SegmentScanner.extentOfNonZero(buffer, end);
                final boolean damaged = tail ? extent > end : scanner.recordCount != expected;
                if (damaged)
                {
                    truncate(files, bases, i, buffer, mapped, end, extent, done);
                    break;
                }
            }
            finally
            {
                IoUtil.unmap(mapped);
            }
        }
        if (done.isEmpty())
        {
            actions.add(dir + ": nothing to repair");
            return;
        }
        // Recovery rebuilds the indexes of the new tail and reports anything else it does.
        final JournalContext context = new JournalContext().directory(journalDir).preallocateNextSegment(false);
        context.conclude();
        final Partition partition = new Partition(topic, id, dir, context, null);
        try
        {
            for (final RecoveryEvent event : partition.recoveryEvents())
            {
                done.add("recovery: " + event);
            }
            done.add(dir + ": the partition now holds offsets " + partition.startOffset() + " to " +
                (partition.endOffset() - 1) + "; the next append gets offset " + partition.endOffset());
        }
        finally
        {
            partition.close();
        }
        appendHistory(dir, done);
        actions.addAll(done);
    }

    private void truncate(
        final SegmentFiles files,
        final long[] bases,
        final int index,
        final UnsafeBuffer buffer,
        final MappedByteBuffer mapped,
        final int end,
        final int extent,
        final List<String> done)
    {
        final Path log = files.logFile(bases[index]);
        final long damagedOffset = bases[index] + scanner.recordCount;
        final String reason = SegmentScanner.describe(scanner.endReason, scanner.badFrameLength);
        final boolean legacy = SegmentDescriptor.legacy(buffer);
        final int found = scanner.findValidFrame(buffer, mapped.duplicate(), end + RecordDescriptor.FRAME_ALIGNMENT, extent,
            (long)PartitionRecovery.CRC_BUDGET_PER_SEGMENT_BYTE * buffer.capacity(), legacy);
        final int intact = found >= 0 ? scanner.countValidFrom(buffer, mapped.duplicate(), found, legacy) : 0;
        if (extent > end)
        {
            final Path side = sideFile(log, end);
            final byte[] bytes = new byte[extent - end];
            buffer.getBytes(end, bytes);
            writeNew(side, bytes);
            buffer.setMemory(end, extent - end, (byte)0);
            SealMark.clear(buffer); // its records changed: the next open walks it again
            checkFault(StorageFaults.Operation.FORCE, log);
            mapped.force();
            done.add(log + ": damaged at byte offset " + end + " (record offset " + damagedOffset + "): " + reason +
                "; saved bytes [" + end + ", " + extent + ") (" + (extent - end) + " bytes" +
                (found >= 0 ? ", with " + intact + " intact record(s) from byte offset " + found : "") + ") to " + side +
                " and truncated the segment there");
        }
        else
        {
            done.add(log + ": records end at byte offset " + end + " (record offset " + damagedOffset + "): " + reason +
                "; nothing written after it to save");
        }
        // The index files of the damaged segment are rebuilt by recovery.
        JournalFiles.deleteQuietly(files.indexFile(bases[index]));
        JournalFiles.deleteQuietly(files.timeIndexFile(bases[index]));
        for (int later = index + 1; later < bases.length; later++)
        {
            final Path laterLog = files.logFile(bases[later]);
            final Path target = laterLog.resolveSibling(laterLog.getFileName() + QUARANTINED_SUFFIX);
            try
            {
                StorageFaults.check(StorageFaults.Operation.RENAME, target);
                Files.move(laterLog, target, StandardCopyOption.ATOMIC_MOVE);
            }
            catch (final IOException ex)
            {
                throw new JournalException(JournalException.Category.IO, "cannot move " + laterLog + " aside: " + ex.getMessage(), ex);
            }
            JournalFiles.deleteQuietly(files.indexFile(bases[later]));
            JournalFiles.deleteQuietly(files.timeIndexFile(bases[later]));
            done.add(laterLog + ": moved to " + target + " (records from offset " + bases[later] +
                " on, after the damage)");
        }
        JournalFiles.fsyncDirectory(files.directory());
        done.add(files.directory() + ": records from offset " + damagedOffset + " on are no longer in the partition; " +
            "their offsets will be reused by the next appends");
    }

    private static void checkFault(final StorageFaults.Operation operation, final Path file)
    {
        try
        {
            StorageFaults.check(operation, file);
        }
        catch (final IOException ex)
        {
            throw new JournalException(JournalException.Category.IO, "cannot force " + file + ": " + ex.getMessage() +
                " (the damaged bytes are saved in the side file; run the repair again)", ex);
        }
    }

    private static void extendShortTail(final Path log, final List<String> done)
    {
        final long size = SegmentFiles.sizeOf(log);
        if (size < SegmentDescriptor.HEADER_LENGTH)
        {
            return;
        }
        final MappedByteBuffer mapped = JournalFiles.mapReadOnly(log);
        final int declared;
        try
        {
            final UnsafeBuffer header = new UnsafeBuffer(mapped);
            if (header.getInt(SegmentDescriptor.MAGIC_OFFSET) != SegmentDescriptor.MAGIC ||
                header.getInt(SegmentDescriptor.HEADER_CRC_OFFSET) != SegmentDescriptor.headerCrc(header))
            {
                return;
            }
            declared = header.getInt(SegmentDescriptor.SEGMENT_LENGTH_OFFSET);
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
        if (size < declared)
        {
            JournalFiles.extendWithZeros(log, declared);
            done.add(log + ": re-extended from " + size + " to " + declared + " bytes (shorter than its header's length)");
        }
    }

    private static Path sideFile(final Path log, final int position)
    {
        Path side = log.resolveSibling(log.getFileName() + DAMAGED_INFIX + position);
        for (int n = 2; Files.exists(side); n++)
        {
            side = log.resolveSibling(log.getFileName() + DAMAGED_INFIX + position + "." + n);
        }
        return side;
    }

    private static void writeNew(final Path file, final byte[] bytes)
    {
        try (FileChannel channel = FileChannel.open(
            file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), PRIVATE_FILE))
        {
            final ByteBuffer source = ByteBuffer.wrap(bytes);
            while (source.hasRemaining())
            {
                channel.write(source);
            }
            StorageFaults.check(StorageFaults.Operation.FORCE, file);
            channel.force(true);
        }
        catch (final IOException ex)
        {
            throw new JournalException(JournalException.Category.IO,
                "cannot save the damaged bytes to " + file + " (nothing was changed): " + ex.getMessage(), ex);
        }
    }

    private static void appendHistory(final Path dir, final List<String> lines)
    {
        final StringBuilder text = new StringBuilder();
        final String now = Instant.now().toString();
        for (final String line : lines)
        {
            text.append(now).append(' ').append(line).append('\n');
        }
        try (FileChannel channel = FileChannel.open(dir.resolve(HISTORY_FILE),
            Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND), PRIVATE_FILE))
        {
            channel.write(ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
            StorageFaults.check(StorageFaults.Operation.FORCE, dir.resolve(HISTORY_FILE));
            channel.force(true);
        }
        catch (final IOException ex)
        {
            throw new JournalException(JournalException.Category.IO,
                "repaired, but cannot append to " + dir.resolve(HISTORY_FILE) + ": " + ex.getMessage(), ex);
        }
    }
}
