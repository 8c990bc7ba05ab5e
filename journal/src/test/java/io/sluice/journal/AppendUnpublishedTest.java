package io.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records appended without publishing the end offset ({@link PartitionWriter#appendUnpublished}) are invisible to
 * readers by offset until {@link PartitionWriter#publishAppended}, a plain append, a segment roll, a force or
 * awaitDurable publishes them; then every one reads back exactly as written, and a reopen finds them all.
 */
class AppendUnpublishedTest
{
    @TempDir
    Path dir;

    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);

    @ParameterizedTest(name = "staged writes {0}")
    @ValueSource(booleans = {false, true})
    void shouldPublishRunsOnlyWhenAskedAndReadThemBackExactly(final boolean staged) throws Exception
    {
        long sequence = 0;
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir).externalDuties(true).stagedWrites(staged)))
        {
            final Partition partition = journal.createTopic("t", 1).partition(0);
            final PartitionWriter writer = partition.writer();
            for (int run = 0; run < 30; run++)
            {
                final long before = partition.endOffset();
                final int records = 1 + run * 17 % 200;
                for (int i = 0; i < records; i++)
                {
                    assertThat(JournalTestSupport.appendUnpublished(writer, scratch, sequence)).isEqualTo(sequence);
                    sequence++;
                }
                assertThat(writer.nextOffset()).isEqualTo(sequence);
                assertThat(partition.endOffset()).as("a run not yet published, unless a roll published it").isLessThanOrEqualTo(sequence);
                if (partition.endOffset() == before)
                {
                    assertThat(PartitionRoundTripTest.readAll(partition, before)).as("readers see nothing of the run").isZero();
                }
                writer.publishAppended();
                assertThat(partition.endOffset()).isEqualTo(sequence);
                assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(sequence);
            }
            assertThat(partition.segmentInfos().size()).as("the runs crossed segments").isGreaterThan(1);

            JournalTestSupport.appendUnpublished(writer, scratch, sequence++);
            JournalTestSupport.append(writer, scratch, sequence++);
            assertThat(partition.endOffset()).as("a plain append publishes what came before it").isEqualTo(sequence);

            final long unforced = JournalTestSupport.appendUnpublished(writer, scratch, sequence++);
            writer.force();
            assertThat(partition.durableOffset()).as("force publishes first").isEqualTo(sequence);
            final long awaited = JournalTestSupport.appendUnpublished(writer, scratch, sequence++);
            writer.awaitDurable(awaited, new YieldingIdleStrategy());
            assertThat(partition.durableOffset()).isGreaterThan(Math.max(unforced, awaited));
            JournalTestSupport.appendUnpublished(writer, scratch, sequence++);
            writer.publishAppended();
            assertThat(partition.endOffset()).isEqualTo(sequence);
            writer.force();
            DeferredChecksumTest.assertEveryRecordChecksummed(partition);
        }
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir).externalDuties(true).stagedWrites(staged)))
        {
            final Partition partition = journal.topic("t").partition(0);
            assertThat(partition.endOffset()).isEqualTo(sequence);
            assertThat(PartitionRoundTripTest.readAll(partition, 0)).isEqualTo(sequence);
        }
    }

}
