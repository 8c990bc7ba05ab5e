package io.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage in the active (tail) segment and in index files: a torn tail is truncated and reported, a bad
 * record followed by valid ones is corruption and refused, a short tail is re-extended, and a bad index
 * entry is rebuilt rather than trusted.
 */
class JournalDamageTest
{
    /** A deadline against hangs only: the work itself takes milliseconds. */
    private static final Duration HANG_DEADLINE = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);

    /** Writes {@code count} records to topic t, one partition; returns the position of each in its segment. */
    private int[] write(final Path journalDir, final int count)
    {
        final int[] positions = new int[count];
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(journalDir)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            for (int i = 0; i < count; i++)
            {
                final List<SegmentInfo> infos = partition.segmentInfos();
                positions[i] = (int)infos.get(infos.size() - 1).bytesUsed();
                JournalTestSupport.append(partition.writer(), scratch, i);
                if (partition.segmentInfos().size() != infos.size())
                {
                    positions[i] = SegmentDescriptor.HEADER_LENGTH;
                }
            }
        }
        // Tail damage is what a crash leaves: without the recovery point of a clean close, the open walks the tail.
        JournalTestSupport.clearRecoveryPoints(journalDir);
        return positions;
    }

    static Path partitionDir(final Path journalDir)
    {
        return journalDir.resolve("t").resolve("partition-0");
    }

    static Path log(final Path journalDir, final long base)
    {
        return partitionDir(journalDir).resolve(SegmentDescriptor.baseName(base) + SegmentDescriptor.LOG_SUFFIX);
    }

    static Path index(final Path journalDir, final long base)
    {
        return partitionDir(journalDir).resolve(SegmentDescriptor.baseName(base) + SegmentDescriptor.INDEX_SUFFIX);
    }

    static void flip(final Path file, final long position, final int mask) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(position);
            final int b = raf.read();
            raf.seek(position);
            raf.write(b ^ mask);
        }
    }

    static void zero(final Path file, final long from, final long to) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(from);
            raf.write(new byte[(int)(to - from)]);
        }
    }

    private static int readAllChecked(final Partition partition)
    {
        final int[] count = new int[1];
        try (PartitionReader reader = partition.newReader())
        {
            reader.seek(partition.startOffset());
            while (reader.position() < partition.endOffset())
            {
                final int n = reader.poll(record ->
                {
                    final String problem = JournalTestSupport.check(record, record.offset());
                    assertThat(problem).isNull();
                    count[0]++;
                }, 64);
                assertThat(n).isPositive();
            }
        }
        return count[0];
    }

    @Test
    void shouldRefuseToOpenTailWithBadRecordFollowedByValidRecords() throws IOException
    {
        final Path j = dir.resolve("j");
        final int[] positions = write(j, 300);
        final int damaged = 100;
        final long flipAt = positions[damaged] + RecordDescriptor.HEADER_LENGTH + 3;
        flip(log(j, 0), flipAt, 0x40);
        for (final boolean readOnly : new boolean[] {false, true})
        {
            assertThatThrownBy(() -> Journal.open(JournalTestSupport.smallContext(j).readOnly(readOnly)))
                .isInstanceOf(JournalException.class)
                .satisfies(ex -> assertThat(((JournalException)ex).category()).isEqualTo(JournalException.Category.CORRUPTION))
                .hasMessageContaining(log(j, 0).toString())
                .hasMessageContaining("byte offset " + positions[damaged])
                .hasMessageContaining("record offset " + damaged)
                .hasMessageContaining("valid record follows at byte offset " + positions[damaged + 1])
                .hasMessageContaining("journal repair");
        }
        assertThat(JournalVerifier.verify(j).problems()).singleElement().asString()
            .contains(log(j, 0).toString())
            .contains("corruption in the active segment at byte offset " + positions[damaged])
            .contains("valid record follows at byte offset " + positions[damaged + 1]);
        // Nothing was changed by the refused opens: the records after the damage are all still there.
        flip(log(j, 0), flipAt, 0x40);
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(j)))
        {
            assertThat(journal.topic("t").partition(0).endOffset()).isEqualTo(300);
            assertThat(journal.recoveryEvents()).isEmpty();
        }
    }

    @Test
    void shouldRefuseTailWithZeroedRangeFollowedByValidRecords() throws IOException
    {
        final Path j = dir.resolve("j");
        final int[] positions = write(j, 300);
        zero(log(j, 0), positions[50], positions[53]);
        assertThatThrownBy(() -> Journal.open(JournalTestSupport.smallContext(j)))
            .hasMessageContaining("byte offset " + positions[50])
            .hasMessageContaining("valid record follows at byte offset " + positions[53]);
    }

    @Test
    void shouldTruncateTornTailWhenNothingValidFollows() throws IOException
    {
        final Path j = dir.resolve("j");
        final int[] positions = write(j, 300);
        // A partial last write: the last record's second half never reached the file.
        final int last = 299;
        final int end = positions[last] + RecordDescriptor.alignedFrameLength(JournalTestSupport.payloadLength(last));
        zero(log(j, 0), positions[last] + 20, end);
        assertThat(JournalVerifier.verify(j).problems()).singleElement().asString()
            .contains("torn tail at byte offset " + positions[last]).contains("nothing valid after it");
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(j)))
        {
            assertThat(journal.topic("t").partition(0).endOffset()).isEqualTo(last);
            assertThat(journal.recoveryEvents()).singleElement()
                .satisfies(e -> assertThat(e.position()).isEqualTo(positions[last]))
                .satisfies(e -> assertThat(e.description()).contains("torn tail"));
            assertThat(readAllChecked(journal.topic("t").partition(0))).isEqualTo(last);
        }
    }

    @Test
    void shouldRecoverTailSegmentShorterThanItsHeaderLength() throws IOException
    {
        final Path j = dir.resolve("j");
        final int[] positions = write(j, 300);
        final int cutRecord = 200;
        final long cut = positions[cutRecord] + 17;
        try (RandomAccessFile raf = new RandomAccessFile(log(j, 0).toFile(), "rw"))
        {
            raf.setLength(cut);
        }
        assertThat(JournalVerifier.verify(j).problems()).first().asString().contains("shorter than its header");
        // Reading tools open read-only: they must work on it and say what they see.
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(j).readOnly(true)))
        {
            final Partition partition = journal.topic("t").partition(0);
            assertThat(partition.endOffset()).isEqualTo(cutRecord);
            assertThat(readAllChecked(partition)).isEqualTo(cutRecord);
            assertThat(journal.recoveryEvents()).anySatisfy(e -> assertThat(e.description()).contains("shorter"));
        }
        assertThat(Files.size(log(j, 0))).isEqualTo(cut);
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(j)))
        {
            final Partition partition = journal.topic("t").partition(0);
            assertThat(partition.endOffset()).isEqualTo(cutRecord);
            assertThat(journal.recoveryEvents()).anySatisfy(e -> assertThat(e.description()).contains("re-extended"));
            assertThat(journal.recoveryEvents()).anySatisfy(e -> assertThat(e.position()).isEqualTo(positions[cutRecord]));
            JournalTestSupport.append(partition.writer(), scratch, cutRecord);
            assertThat(readAllChecked(partition)).isEqualTo(cutRecord + 1);
        }
        assertThat(Files.size(log(j, 0))).isEqualTo(JournalTestSupport.SMALL_SEGMENT);
    }

    @Test
    void shouldRebuildOffsetIndexWhoseEntryNamesAnotherRecord() throws IOException
    {
        final Path j = dir.resolve("j");
        write(j, 3000);
        assertThat(Files.exists(log(j, 0))).isTrue();
        // Entry 5 of the first (sealed) segment's index: make its relative offset one smaller, so it
        // would name the record after the one it is meant to.
        final long at = 5L * OffsetIndex.ENTRY_LENGTH + OffsetIndex.RELATIVE_OFFSET_OFFSET;
        flip(index(j, 0), at, 0x01);
        for (final boolean readOnly : new boolean[] {true, false})
        {
            try (Journal journal = Journal.open(JournalTestSupport.smallContext(j).readOnly(readOnly)))
            {
                final Partition partition = journal.topic("t").partition(0);
                assertThat(journal.recoveryEvents()).as("read-only %s", readOnly)
                    .anySatisfy(e -> assertThat(e.toString()).contains(index(j, 0).toString()).contains("rebuilt"));
                try (PartitionReader reader = partition.newReader())
                {
                    for (long offset = 0; offset < 200; offset++)
                    {
                        reader.seek(offset);
                        final long expected = offset;
                        assertThat(reader.poll(r -> assertThat(JournalTestSupport.check(r, expected)).isNull(), 1)).isOne();
                    }
                }
            }
        }
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(j)))
        {
            assertThat(journal.recoveryEvents()).isEmpty();
        }
    }

    @Test
    void shouldNotTrustTailIndexEntriesHiddenBehindOneFlungPastTheEndWhenReadOnly() throws IOException
    {
        final Path j = dir.resolve("j");
        write(j, 300);
        // The tail's entry 2 now names a record far past the end (as a live writer's newest entry
        // would), and entry 5 names the record after its own: 5 must not ride on 2's excuse.
        flip(index(j, 0), 2L * OffsetIndex.ENTRY_LENGTH + OffsetIndex.RELATIVE_OFFSET_OFFSET + 3, 0x40);
        flip(index(j, 0), 5L * OffsetIndex.ENTRY_LENGTH + OffsetIndex.RELATIVE_OFFSET_OFFSET, 0x01);
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(j).readOnly(true)))
        {
            final Partition partition = journal.topic("t").partition(0);
            assertThat(partition.segments()).hasSize(1);
            assertThat(partition.segments()[0].offsetIndex().entryCount()).isGreaterThan(6);
            assertThat(journal.recoveryEvents())
                .anySatisfy(e -> assertThat(e.toString()).contains(index(j, 0).toString()).contains("rebuilt"));
            try (PartitionReader reader = partition.newReader())
            {
                for (long offset = 0; offset < 300; offset++)
                {
                    reader.seek(offset);
                    final long expected = offset;
                    assertThat(reader.poll(r -> assertThat(JournalTestSupport.check(r, expected)).isNull(), 1)).isOne();
                }
            }
        }
    }

    @Test
    void shouldRebuildOffsetIndexWhosePositionPointsIntoNothing() throws IOException
    {
        final Path j = dir.resolve("j");
        write(j, 3000);
        final long at = 7L * OffsetIndex.ENTRY_LENGTH + OffsetIndex.POSITION_OFFSET + 2;
        flip(index(j, 0), at, 0x7F);
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(j).readOnly(true)))
        {
            assertThat(journal.recoveryEvents()).anySatisfy(e -> assertThat(e.toString()).contains("rebuilt"));
            assertTimeoutPreemptively(HANG_DEADLINE, () -> assertThat(readAllChecked(journal.topic("t").partition(0))).isEqualTo(3000));
        }
    }

    @Test
    void shouldFailRatherThanSpinWhenIndexIsDamagedWhileOpen() throws IOException
    {
        final Path j = dir.resolve("j");
        write(j, 3000);
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(j).readOnly(true)))
        {
            final Partition partition = journal.topic("t").partition(0);
            // Damage after open (shared page cache): the entry now points at zeros past the last record.
            final long at = 3L * OffsetIndex.ENTRY_LENGTH + OffsetIndex.POSITION_OFFSET;
            try (RandomAccessFile raf = new RandomAccessFile(index(j, 0).toFile(), "rw"))
            {
                raf.seek(at);
                raf.write(new byte[] {(byte)0xF8, (byte)0xFF, 0, 0});
            }
            final Segment first = partition.segments()[0];
            final long offset = first.offsetIndex().relativeOffset(3) + 1;
            assertTimeoutPreemptively(HANG_DEADLINE, () ->
            {
                try (PartitionReader reader = partition.newReader())
                {
                    assertThatThrownBy(() ->
                    {
                        reader.seek(offset);
                        reader.poll(r -> { }, 10);
                    }).isInstanceOf(JournalException.class)
                        .hasMessageContaining(log(j, 0).toString());
                }
            });
        }
    }
}
