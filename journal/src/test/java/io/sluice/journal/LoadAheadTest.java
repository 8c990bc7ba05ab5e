package io.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer that loads its tail's lines ahead ({@link JournalContext#loadAheadBytes}) writes exactly what one that does
 * not writes: runs of appends of every payload length up to past a line, published in runs and one by one, across
 * segment rolls, every record read back exactly, checksummed after a force, and found by a reopen; the setting's bounds
 * are checked with an error naming it.
 */
class LoadAheadTest
{
    @TempDir
    Path dir;

    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);

    @Test
    void shouldWriteExactlyWhatAWriterWithoutLoadsAheadWrites() throws Exception
    {
        long sequence = 0;
        for (final int ahead : new int[]{64, 2048, 100, JournalContext.MAX_LOAD_AHEAD_BYTES})
        {
            try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir).loadAheadBytes(ahead)))
            {
                final Partition partition = journal.topicNames().isEmpty() ? journal.createTopic("t", 1).partition(0) :
                    journal.topic("t").partition(0);
                final PartitionWriter writer = partition.writer();
                final int segments = partition.segmentInfos().size();
                for (int run = 0; run < 40; run++)
                {
                    for (int i = 0, records = 1 + run * 23 % 300; i < records; i++)
                    {
                        JournalTestSupport.fillPayload(scratch, sequence);
                        assertThat(writer.appendUnpublished(7, 3, JournalTestSupport.timestampOf(sequence), JournalTestSupport.keyOf(sequence),
                            scratch, 0, JournalTestSupport.payloadLength(sequence))).isEqualTo(sequence);
                        sequence++;
                    }
                    writer.publishAppended();
                    JournalTestSupport.append(writer, scratch, sequence++);
                }
                assertThat(partition.segmentInfos().size()).as("the appends crossed segments, %d bytes ahead", ahead)
                    .isGreaterThan(segments + 1);
                assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(sequence);
                writer.force();
                DeferredChecksumTest.assertEveryRecordChecksummed(partition);
            }
        }
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final Partition partition = journal.topic("t").partition(0);
            assertThat(partition.endOffset()).isEqualTo(sequence);
            assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(sequence);
        }
    }

    @Test
    void shouldRefuseADistanceOutOfBoundsNamingTheSetting()
    {
        assertThat(new JournalContext().loadAheadBytes()).as("off unless the property sets it").isZero();
        for (final int bad : new int[]{-1, JournalContext.MAX_LOAD_AHEAD_BYTES + 1})
        {
            assertThatThrownBy(() -> JournalTestSupport.smallContext(dir).loadAheadBytes(bad).conclude())
                .isInstanceOf(JournalException.class)
                .hasMessageContaining("loadAheadBytes").hasMessageContaining(Integer.toString(bad));
        }
    }
}
