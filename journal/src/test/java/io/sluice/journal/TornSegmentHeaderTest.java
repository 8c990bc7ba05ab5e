package io.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kill while a new segment's header is being written: the spare is already renamed into place and only some
 * of the header's fields are stored (in any order: they are plain stores), its checksum not yet. Such a tail is
 * an empty new segment whose header recovery completes; the same mix over records, or a field that is neither
 * zero nor what the header would hold, is damage and refused.
 */
class TornSegmentHeaderTest
{
    private static final int RECORDS = 40;
    private static final int MAGIC = 1;
    private static final int VERSION = 2;
    private static final int BASE = 4;
    private static final int LENGTH = 8;

    @TempDir
    Path dir;

    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);

    @Test
    void shouldCompleteTheHeaderOfANewTailSegmentWhateverSubsetOfItsFieldsWasStored() throws IOException
    {
        for (int stored = 0; stored < 16; stored++)
        {
            final Path journalDir = dir.resolve("fields-" + stored);
            writeRecordsAndATornTail(journalDir, stored, false);
            try (Journal journal = Journal.open(JournalTestSupport.smallContext(journalDir)))
            {
                final Partition partition = journal.topic("t").partition(0);
                assertThat(partition.endOffset()).as("fields stored %d", stored).isEqualTo(RECORDS);
                assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(RECORDS);
                assertThat(journal.recoveryEvents()).as("fields stored %d", stored)
                    .anySatisfy(event ->
                    {
                        assertThat(event.file()).isEqualTo(tailFile(journalDir));
                        assertThat(event.description()).contains("header");
                    });
                JournalTestSupport.append(partition.writer(), scratch, RECORDS);
            }
            try (Journal journal = Journal.open(JournalTestSupport.smallContext(journalDir)))
            {
                assertThat(PartitionRoundTripTest.readAll(journal.topic("t").partition(0), 0)).isEqualTo(RECORDS + 1);
            }
        }
    }

    @Test
    void shouldRefuseAnIncompleteHeaderWithARecordAfterIt() throws IOException
    {
        final Path journalDir = dir.resolve("with-record");
        writeRecordsAndATornTail(journalDir, MAGIC | BASE, true);
        assertThatThrownBy(() -> Journal.open(JournalTestSupport.smallContext(journalDir)))
            .hasMessageContaining(tailFile(journalDir).toString())
            .hasMessageContaining("bad header");
    }

    @Test
    void shouldRefuseAnIncompleteHeaderWithAForeignBaseOffset() throws IOException
    {
        final Path journalDir = dir.resolve("foreign-base");
        writeRecordsAndATornTail(journalDir, MAGIC, false);
        try (RandomAccessFile raf = new RandomAccessFile(tailFile(journalDir).toFile(), "rw"))
        {
            raf.seek(SegmentDescriptor.BASE_OFFSET_OFFSET);
            raf.write(littleEndian(Long.BYTES).putLong(RECORDS + 7).array());
        }
        assertThatThrownBy(() -> Journal.open(JournalTestSupport.smallContext(journalDir)))
            .hasMessageContaining(tailFile(journalDir).toString())
            .hasMessageContaining("bad header");
    }

    /**
     * RECORDS records in the first segment, closed as a crash leaves it, then the next segment as a kill inside
     * {@code writeHeader} leaves it: full length, zeros but for the {@code stored} header fields.
     */
    private void writeRecordsAndATornTail(final Path journalDir, final int stored, final boolean withRecord) throws IOException
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(journalDir)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            for (long i = 0; i < RECORDS; i++)
            {
                JournalTestSupport.append(partition.writer(), scratch, i);
            }
        }
        JournalTestSupport.clearRecoveryPoints(journalDir);
        final ByteBuffer header = littleEndian(SegmentDescriptor.HEADER_LENGTH + RecordDescriptor.HEADER_LENGTH);
        if ((stored & MAGIC) != 0)
        {
            header.putInt(SegmentDescriptor.MAGIC_OFFSET, SegmentDescriptor.MAGIC);
        }
        if ((stored & VERSION) != 0)
        {
            header.putInt(SegmentDescriptor.VERSION_OFFSET, SegmentDescriptor.VERSION);
        }
        if ((stored & BASE) != 0)
        {
            header.putLong(SegmentDescriptor.BASE_OFFSET_OFFSET, RECORDS);
        }
        if ((stored & LENGTH) != 0)
        {
            header.putInt(SegmentDescriptor.SEGMENT_LENGTH_OFFSET, JournalTestSupport.SMALL_SEGMENT);
        }
        if (withRecord)
        {
            header.putInt(SegmentDescriptor.HEADER_LENGTH + RecordDescriptor.LENGTH_OFFSET, RecordDescriptor.HEADER_LENGTH + 8);
        }
        try (RandomAccessFile raf = new RandomAccessFile(tailFile(journalDir).toFile(), "rw"))
        {
            raf.setLength(JournalTestSupport.SMALL_SEGMENT);
            raf.write(header.array());
        }
    }

    private static ByteBuffer littleEndian(final int length)
    {
        return ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static Path tailFile(final Path journalDir)
    {
        return journalDir.resolve("t").resolve("partition-0").resolve(SegmentDescriptor.baseName(RECORDS) + SegmentDescriptor.LOG_SUFFIX);
    }
}
