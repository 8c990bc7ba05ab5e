package io.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer that appends runs of records checksums each run itself right after it ({@link PartitionWriter#checksumAppended}),
 * across segment rolls, and the checksum duty then leaves the partition to it.
 */
class WriterChecksumsAppendedTest
{
    @TempDir
    Path dir;

    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);

    @Test
    void shouldChecksumEachRunOnTheWriterUpToTheLimitAcrossSegmentsLeavingTheDutyNothing() throws Exception
    {
        // The duties are not run by the journal: the test runs them, so it sees what they do.
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir).externalDuties(true).stagedWrites(false)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final PartitionWriter writer = partition.writer();
            long sequence = 0;
            final int segmentsBefore = partition.segmentInfos().size();
            for (int run = 0; run < 40; run++)
            {
                final int records = 1 + run * 13 % 300;
                for (int i = 0; i < records; i++)
                {
                    JournalTestSupport.append(writer, scratch, sequence++);
                }
                assertThat(partition.checksummedOffset()).as("nothing checksummed before the writer asks").isLessThan(partition.endOffset());
                final int first = writer.checksumAppended(256);
                assertThat(first).isEqualTo(Math.min(records, 256));
                final int rest = writer.checksumAppended(256);
                assertThat(first + rest).isEqualTo(records);
                assertThat(partition.checksummedOffset()).isEqualTo(partition.endOffset());
                assertThat(writer.checksumAppended(256)).as("nothing left").isZero();
                assertThat(partition.checksumPublished(Integer.MAX_VALUE)).as("the checksum duty's work finds nothing left").isZero();
                for (final Agent duty : journal.duties())
                {
                    duty.doWork(); // the segment allocator's turn (the checksum duty's pass is checked just above)
                }
            }
            assertThat(partition.segmentInfos().size()).as("the runs crossed segments").isGreaterThan(segmentsBefore);
            partition.force();
            DeferredChecksumTest.assertEveryRecordChecksummed(partition);
            assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(sequence);
        }
    }
}
