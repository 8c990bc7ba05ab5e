package io.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seal marks ({@link SealMark}): a sealed segment is verified once and marked; an open trusts a mark that
 * matches its segment without walking it, readers then check each record's CRC32C, a missing mark (a crash
 * between the data and the mark, or a journal written before marks) means a full verification, and a mark
 * that does not match its segment is not trusted. A tail's recovery point, written by a clean close: the next
 * open walks only what follows it.
 */
class SealMarkTest
{
    private static final int RECORDS = 5000;

    @TempDir
    Path dir;

    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);

    @Test
    void shouldMarkSealedSegmentsWhenAForceCoversThemAndTrustTheMarksOnOpen() throws IOException
    {
        final Path journalDir = dir.resolve("j");
        try (Journal journal = Journal.open(context(journalDir)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            for (long i = 0; i < RECORDS; i++)
            {
                JournalTestSupport.append(partition.writer(), scratch, i);
            }
            final List<Path> logs = logs(journalDir);
            assertThat(logs.size()).isGreaterThan(3);
            assertThat(SealMark.present(header(logs.get(0)))).as("not marked before a force covers it").isFalse();
            partition.force();
            for (int i = 0; i < logs.size() - 1; i++)
            {
                final UnsafeBuffer header = header(logs.get(i));
                assertThat(SealMark.intact(header)).as("%s marked", logs.get(i)).isTrue();
            }
            assertThat(SealMark.present(header(logs.get(logs.size() - 1)))).as("the tail is not sealed").isFalse();
        }
        try (Journal journal = Journal.open(context(journalDir)))
        {
            final Partition partition = journal.topic("t").partition(0);
            assertThat(journal.recoveryEvents()).isEmpty();
            assertThat(partition.endOffset()).isEqualTo(RECORDS);
            assertThat(partition.segments()[0].readCheckLimit()).as("trusted by its mark: checked on read").isPositive();
            assertEveryRecord(partition);
            JournalTestSupport.append(partition.writer(), scratch, RECORDS);
        }
    }

    @Test
    void shouldDetectABitFlipInAMarkedSealedSegmentOnReadAndInVerifyNamingWhere() throws IOException
    {
        final Path journalDir = dir.resolve("j");
        writeAndClose(journalDir);
        final Path sealed = logs(journalDir).get(0);
        final int position = positionOf(sealed, 3);
        flip(sealed, position + RecordDescriptor.HEADER_LENGTH + 2);

        try (Journal journal = Journal.open(context(journalDir)))
        {
            final Partition partition = journal.topic("t").partition(0);
            assertThat(journal.recoveryEvents()).as("the mark matches: the open does not walk the segment").isEmpty();
            final List<Long> delivered = new ArrayList<>();
            try (PartitionReader reader = partition.newReader())
            {
                assertThatThrownBy(() ->
                {
                    while (reader.poll(record ->
                    {
                        assertThat(JournalTestSupport.check(record, record.offset())).isNull();
                        delivered.add(record.offset());
                    }, 100) > 0)
                    {
                        // read until the damage
                    }
                })
                    .isInstanceOf(JournalException.class)
                    .satisfies(ex -> assertThat(((JournalException)ex).category()).isEqualTo(JournalException.Category.CORRUPTION))
                    .hasMessageContaining(sealed.toString())
                    .hasMessageContaining("byte offset " + position)
                    .hasMessageContaining("record offset 3 ")
                    .hasMessageContaining("t/0")
                    .hasMessageContaining("CRC32C mismatch");
            }
            assertThat(delivered).as("the damaged record is never delivered").containsExactly(0L, 1L, 2L);
            assertThat(partition.corruptRecordsRead()).isOne();
            try (PartitionReader reader = partition.newReader())
            {
                reader.seek(4);
                assertThat(reader.poll(record -> assertThat(JournalTestSupport.check(record, record.offset())).isNull(), 10))
                    .as("the records after it are still readable").isEqualTo(10);
            }
        }
        assertThat(JournalVerifier.verify(journalDir).problems())
            .anySatisfy(problem -> assertThat(problem).startsWith(sealed.toString()).contains("byte offset " + position)
                .contains("CRC32C mismatch"));
    }

    @ParameterizedTest(name = "copies of {0} bytes (0: the mapping)")
    @ValueSource(ints = {0, 100, 1000, 64 * 1024})
    void shouldDeliverTheRecordsBeforeABitFlipInAMarkedSealedSegmentAndThenFailABatchRead(final int copyBytes) throws IOException
    {
        final Path journalDir = dir.resolve("j");
        writeAndClose(journalDir);
        final Path sealed = logs(journalDir).get(0);
        final int position = positionOf(sealed, 3);
        flip(sealed, position + RecordDescriptor.HEADER_LENGTH + 2);

        try (Journal journal = Journal.open(context(journalDir)))
        {
            final Partition partition = journal.topic("t").partition(0);
            final RecordBatch batch = new RecordBatch(100);
            try (PartitionReader reader = PartitionReaderRunTest.reader(partition, copyBytes))
            {
                int read = 0;
                int got;
                while (read < 3 && (got = reader.poll(batch, 100)) > 0)
                {
                    for (int i = 0; i < got; i++)
                    {
                        assertThat(JournalTestSupport.check(batch, i, read + i)).isNull();
                    }
                    read += got;
                }
                assertThat(read).as("the records before the damage").isEqualTo(3);
                assertThatThrownBy(() -> reader.poll(batch, 100))
                    .isInstanceOf(JournalException.class)
                    .satisfies(ex -> assertThat(((JournalException)ex).category()).isEqualTo(JournalException.Category.CORRUPTION))
                    .hasMessageContaining(sealed.toString())
                    .hasMessageContaining("byte offset " + position)
                    .hasMessageContaining("record offset 3 ")
                    .hasMessageContaining("CRC32C mismatch");
                assertThat(batch.size()).as("the damaged record is never delivered").isZero();
                assertThat(reader.position()).as("the reader stays at the damaged record").isEqualTo(3);
            }
            assertThat(partition.corruptRecordsRead()).isOne();
            try (PartitionReader reader = PartitionReaderRunTest.reader(partition, copyBytes))
            {
                reader.seek(4);
                int read = 0;
                int got;
                while (read < 10 && (got = reader.poll(batch, 10 - read)) > 0)
                {
                    for (int i = 0; i < got; i++)
                    {
                        assertThat(JournalTestSupport.check(batch, i, 4 + read + i)).isNull();
                    }
                    read += got;
                }
                assertThat(read).as("the records after it are still readable").isEqualTo(10);
            }
        }
    }

    @Test
    void shouldReverifyASealedSegmentWhoseMarkWasNotWrittenBeforeACrash() throws IOException
    {
        final Path journalDir = dir.resolve("j");
        writeAndClose(journalDir);
        final Path sealed = logs(journalDir).get(1);
        // The state after a crash between forcing the segment's records and writing its mark.
        clearMark(sealed);
        final Path damaged = dir.resolve("damaged");
        PartitionRecoveryTest.copyJournal(journalDir, damaged);
        final Path damagedLog = damaged.resolve(journalDir.relativize(sealed).toString());
        flip(damagedLog, positionOf(damagedLog, 10) + RecordDescriptor.HEADER_LENGTH + 1);

        assertThatThrownBy(() -> Journal.open(context(damaged)))
            .as("without a mark the open verifies every record, as before marks")
            .isInstanceOf(JournalException.class)
            .hasMessageContaining(damagedLog.toString())
            .hasMessageContaining("CRC32C mismatch");

        try (Journal journal = Journal.open(context(journalDir)))
        {
            final Partition partition = journal.topic("t").partition(0);
            assertThat(partition.endOffset()).isEqualTo(RECORDS);
            assertThat(SealMark.intact(header(sealed))).as("verified in full, then marked by the open").isTrue();
            assertEveryRecord(partition);
        }
        try (Journal journal = Journal.open(context(journalDir)))
        {
            assertThat(journal.recoveryEvents()).isEmpty();
            assertThat(journal.topic("t").partition(0).segments()[1].readCheckLimit()).isPositive();
        }
    }

    @Test
    void shouldVerifyAndMarkSealedSegmentsOfAJournalWrittenBeforeMarks() throws IOException
    {
        final Path journalDir = dir.resolve("j");
        writeAndClose(journalDir);
        final List<Path> logs = logs(journalDir);
        for (int i = 0; i < logs.size() - 1; i++)
        {
            clearMark(logs.get(i));
        }
        try (Journal journal = Journal.open(context(journalDir).readOnly(true)))
        {
            assertEveryRecord(journal.topic("t").partition(0));
        }
        assertThat(SealMark.present(header(logs.get(0)))).as("a read-only open writes nothing").isFalse();
        try (Journal journal = Journal.open(context(journalDir)))
        {
            assertThat(journal.topic("t").partition(0).segments()[0].readCheckLimit()).as("walked at this open").isZero();
        }
        for (int i = 0; i < logs.size() - 1; i++)
        {
            assertThat(SealMark.intact(header(logs.get(i)))).isTrue();
        }
    }

    @Test
    void shouldNotTrustAMarkWhoseSegmentLostItsLastRecords() throws IOException
    {
        final Path journalDir = dir.resolve("j");
        writeAndClose(journalDir);
        final Path sealed = logs(journalDir).get(0);
        final int end = SealMark.endPosition(header(sealed));
        zero(sealed, end - 200, end);

        assertThatThrownBy(() -> Journal.open(context(journalDir)))
            .isInstanceOf(JournalException.class)
            .hasMessageContaining("sealed segment " + sealed)
            .hasMessageContaining("expected");
        assertThat(JournalVerifier.verify(journalDir).problems()).anySatisfy(problem ->
            assertThat(problem).startsWith(sealed.toString()).contains("sealed segment damaged"));
    }

    @Test
    void shouldNotTrustAMarkOfATruncatedSegment() throws IOException
    {
        final Path journalDir = dir.resolve("j");
        writeAndClose(journalDir);
        final Path sealed = logs(journalDir).get(1);
        try (RandomAccessFile raf = new RandomAccessFile(sealed.toFile(), "rw"))
        {
            raf.setLength(SealMark.endPosition(header(sealed)) - 100);
        }
        assertThatThrownBy(() -> Journal.open(context(journalDir)))
            .isInstanceOf(JournalException.class)
            .hasMessageContaining(sealed.toString());
    }

    @Test
    void shouldNotTrustAMarkWhenTheIndexChangedAndRebuildAndMarkAgain() throws IOException
    {
        final Path journalDir = dir.resolve("j");
        writeAndClose(journalDir);
        final Path sealed = logs(journalDir).get(0);
        final Path index = sealed.resolveSibling(sealed.getFileName().toString().replace(".log", SegmentDescriptor.INDEX_SUFFIX));
        // The second offset index entry now names the wrong record.
        try (RandomAccessFile raf = new RandomAccessFile(index.toFile(), "rw"))
        {
            raf.seek(OffsetIndex.ENTRY_LENGTH);
            final int relative = Integer.reverseBytes(raf.readInt());
            raf.seek(OffsetIndex.ENTRY_LENGTH);
            raf.writeInt(Integer.reverseBytes(relative + 1));
        }
        try (Journal journal = Journal.open(context(journalDir)))
        {
            assertThat(journal.recoveryEvents()).anySatisfy(event -> assertThat(event.toString())
                .contains(sealed.toString()).contains("seal mark not trusted").contains("index files changed"));
            assertThat(journal.recoveryEvents()).anySatisfy(event -> assertThat(event.toString())
                .contains("rebuilt the indexes"));
            assertEveryRecord(journal.topic("t").partition(0));
        }
        try (Journal journal = Journal.open(context(journalDir)))
        {
            assertThat(journal.recoveryEvents()).as("re-marked over the rebuilt index").isEmpty();
        }
        assertThat(JournalVerifier.verify(journalDir).problems()).isEmpty();
    }

    @Test
    void shouldNotTrustAMarkCopiedFromAnotherSegment() throws IOException
    {
        final Path journalDir = dir.resolve("j");
        writeAndClose(journalDir);
        final List<Path> logs = logs(journalDir);
        final byte[] otherMark = new byte[SegmentDescriptor.HEADER_LENGTH - SealMark.MAGIC_OFFSET];
        try (RandomAccessFile from = new RandomAccessFile(logs.get(0).toFile(), "r");
            RandomAccessFile to = new RandomAccessFile(logs.get(1).toFile(), "rw"))
        {
            from.seek(SealMark.MAGIC_OFFSET);
            from.readFully(otherMark);
            to.seek(SealMark.MAGIC_OFFSET);
            to.write(otherMark);
        }
        try (Journal journal = Journal.open(context(journalDir)))
        {
            assertThat(journal.recoveryEvents()).anySatisfy(event -> assertThat(event.toString())
                .contains(logs.get(1).toString()).contains("seal mark not trusted"));
            assertEveryRecord(journal.topic("t").partition(0));
        }
        assertThat(JournalVerifier.verify(journalDir).problems()).isEmpty();
    }

    @Test
    void shouldReportAMarkThatDoesNotMatchItsSegmentInVerify() throws IOException
    {
        final Path journalDir = dir.resolve("j");
        writeAndClose(journalDir);
        final Path sealed = logs(journalDir).get(0);
        try (RandomAccessFile raf = new RandomAccessFile(sealed.toFile(), "rw"))
        {
            raf.seek(SealMark.RECORD_COUNT_OFFSET);
            raf.write(0x55);
        }
        assertThat(JournalVerifier.verify(journalDir).problems()).anySatisfy(problem ->
            assertThat(problem).startsWith(sealed.toString()).contains("seal mark damaged"));
    }

    @Test
    void shouldWriteARecoveryPointOnCloseAndResumeTheTailFromItOnOpen() throws IOException
    {
        final Path journalDir = dir.resolve("j");
        writeAndClose(journalDir);
        final List<Path> logs = logs(journalDir);
        final Path tail = logs.get(logs.size() - 1);
        final UnsafeBuffer header = header(tail);
        assertThat(SealMark.intact(header)).isTrue();
        assertThat(SealMark.isSeal(header)).as("a recovery point, not a seal mark").isFalse();
        final long tailBase = Long.parseLong(tail.getFileName().toString().replace(SegmentDescriptor.LOG_SUFFIX, ""));
        assertThat(SealMark.recordCount(header)).isEqualTo((int)(RECORDS - tailBase));

        try (Journal journal = Journal.open(context(journalDir)))
        {
            assertThat(journal.recoveryEvents()).isEmpty();
            final Partition partition = journal.topic("t").partition(0);
            final Segment resumed = partition.segments()[partition.segments().length - 1];
            assertThat(resumed.readCheckLimit()).isEqualTo(SealMark.endPosition(header));
            assertThat(partition.endOffset()).isEqualTo(RECORDS);
            for (long i = RECORDS; i < RECORDS + 2000; i++)
            {
                JournalTestSupport.append(partition.writer(), scratch, i);
            }
            assertEveryRecord(partition);
            // Index entries and seeks over the records before and after the point, as if never reopened.
            try (PartitionReader reader = partition.newReader())
            {
                for (long offset = tailBase; offset < RECORDS + 2000; offset += 97)
                {
                    reader.seek(offset);
                    final long expected = offset;
                    assertThat(reader.poll(record -> assertThat(JournalTestSupport.check(record, expected)).isNull(), 1)).isOne();
                }
            }
        }
        assertThat(JournalVerifier.verify(journalDir).problems()).isEmpty();
        try (Journal journal = Journal.open(context(journalDir)))
        {
            assertThat(journal.recoveryEvents()).isEmpty();
            assertEveryRecord(journal.topic("t").partition(0));
        }
    }

    @Test
    void shouldWalkOnlyWhatFollowsTheRecoveryPointAndFindDamageBelowItOnRead() throws IOException
    {
        final Path journalDir = dir.resolve("j");
        writeAndClose(journalDir);
        final List<Path> logs = logs(journalDir);
        final Path tail = logs.get(logs.size() - 1);
        final long tailBase = Long.parseLong(tail.getFileName().toString().replace(SegmentDescriptor.LOG_SUFFIX, ""));
        final int position = positionOf(tail, 2);
        flip(tail, position + RecordDescriptor.HEADER_LENGTH + 1);

        try (Journal journal = Journal.open(context(journalDir)))
        {
            assertThat(journal.recoveryEvents()).as("below the recovery point: not walked at open").isEmpty();
            final Partition partition = journal.topic("t").partition(0);
            try (PartitionReader reader = partition.newReader())
            {
                reader.seek(tailBase);
                assertThatThrownBy(() -> reader.poll(record -> { }, 100))
                    .isInstanceOf(JournalException.class)
                    .hasMessageContaining(tail.toString())
                    .hasMessageContaining("byte offset " + position)
                    .hasMessageContaining("record offset " + (tailBase + 2) + " ");
            }
            assertThat(partition.corruptRecordsRead()).isOne();
        }
        assertThat(JournalVerifier.verify(journalDir).problems()).anySatisfy(problem ->
            assertThat(problem).startsWith(tail.toString()).contains("byte offset " + position));
    }

    @Test
    void shouldHandleATornTailAfterTheRecoveryPointAsBefore() throws IOException
    {
        final Path journalDir = dir.resolve("j");
        writeAndClose(journalDir);
        final Path image = dir.resolve("image");
        final int added = 40;
        try (Journal journal = Journal.open(context(journalDir)))
        {
            final Partition partition = journal.topic("t").partition(0);
            for (long i = RECORDS; i < RECORDS + added; i++)
            {
                JournalTestSupport.append(partition.writer(), scratch, i);
            }
            partition.force();
            // A crash: the image holds what the page cache held, the recovery point of the earlier close on the tail.
            PartitionRecoveryTest.copyJournal(journalDir, image);
        }
        final List<Path> logs = logs(image);
        final Path tail = logs.get(logs.size() - 1);
        final long tailBase = Long.parseLong(tail.getFileName().toString().replace(SegmentDescriptor.LOG_SUFFIX, ""));
        assertThat(SealMark.recordCount(header(tail))).isEqualTo((int)(RECORDS - tailBase));
        final int lastPosition = positionOf(tail, (int)(RECORDS + added - 1 - tailBase));
        zero(tail, lastPosition + 20, lastPosition + 48);

        try (Journal journal = Journal.open(context(image)))
        {
            final Partition partition = journal.topic("t").partition(0);
            assertThat(partition.endOffset()).isEqualTo(RECORDS + added - 1);
            assertThat(journal.recoveryEvents()).singleElement().satisfies(event ->
                assertThat(event.toString()).contains("truncated torn tail after record offset " + (RECORDS + added - 2)));
            assertEveryRecord(partition);
        }
    }

    @Test
    void shouldNotTrustARecoveryPointWhoseLastRecordsChanged() throws IOException
    {
        final Path journalDir = dir.resolve("j");
        writeAndClose(journalDir);
        final List<Path> logs = logs(journalDir);
        final Path tail = logs.get(logs.size() - 1);
        final int end = SealMark.endPosition(header(tail));
        flip(tail, end - 3);

        try (Journal journal = Journal.open(context(journalDir)))
        {
            assertThat(journal.recoveryEvents()).anySatisfy(event -> assertThat(event.toString())
                .contains(tail.toString()).contains("recovery point not trusted").contains("CRC32C mismatch"));
            assertThat(journal.recoveryEvents()).anySatisfy(event -> assertThat(event.toString()).contains("truncated torn tail"));
            assertThat(journal.topic("t").partition(0).endOffset()).isEqualTo(RECORDS - 1);
        }
    }

    private static JournalContext context(final Path journalDir)
    {
        return JournalTestSupport.smallContext(journalDir).preallocateNextSegment(false);
    }

    private void writeAndClose(final Path journalDir)
    {
        try (Journal journal = Journal.open(context(journalDir)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            for (long i = 0; i < RECORDS; i++)
            {
                JournalTestSupport.append(partition.writer(), scratch, i);
            }
            assertThat(partition.segmentInfos().size()).isGreaterThan(3);
        }
    }

    private static void assertEveryRecord(final Partition partition)
    {
        try (PartitionReader reader = partition.newReader())
        {
            long expected = 0;
            while (expected < partition.endOffset())
            {
                final long from = expected;
                final int read = reader.poll(record -> assertThat(JournalTestSupport.check(record, record.offset())).isNull(), 1000);
                assertThat(read).as("stopped at %d", from).isPositive();
                expected += read;
            }
        }
    }

    private static List<Path> logs(final Path journalDir) throws IOException
    {
        final Path partition = journalDir.resolve("t").resolve("partition-0");
        try (var list = Files.list(partition))
        {
            return list.filter(p -> p.getFileName().toString().endsWith(SegmentDescriptor.LOG_SUFFIX) &&
                    !p.getFileName().toString().startsWith(SegmentDescriptor.SPARE_NAME))
                .sorted()
                .toList();
        }
    }

    private static UnsafeBuffer header(final Path log) throws IOException
    {
        final byte[] bytes = new byte[SegmentDescriptor.HEADER_LENGTH];
        try (RandomAccessFile raf = new RandomAccessFile(log.toFile(), "r"))
        {
            raf.readFully(bytes);
        }
        return new UnsafeBuffer(bytes);
    }

    /** Byte position of the frame of the record at a relative offset, by walking the frames. */
    private static int positionOf(final Path log, final int relative) throws IOException
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(Files.readAllBytes(log));
        int position = SegmentDescriptor.HEADER_LENGTH;
        for (int i = 0; i < relative; i++)
        {
            final int length = buffer.getInt(position + RecordDescriptor.LENGTH_OFFSET);
            position += RecordDescriptor.alignedFrameLength(length - RecordDescriptor.HEADER_LENGTH);
        }
        return position;
    }

    private static void clearMark(final Path log) throws IOException
    {
        zero(log, SealMark.MAGIC_OFFSET, SegmentDescriptor.HEADER_LENGTH);
    }

    private static void zero(final Path log, final int from, final int to) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(log.toFile(), "rw"))
        {
            raf.seek(from);
            raf.write(new byte[to - from]);
        }
    }

    private static void flip(final Path log, final int at) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(log.toFile(), "rw"))
        {
            raf.seek(at);
            final int b = raf.read();
            raf.seek(at);
            raf.write(b ^ 0x24);
        }
    }
}
