package io.sluice.ops.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.runtime.EngineProfile;
import io.sluice.journal.Journal;
import io.sluice.journal.Partition;
import io.sluice.journal.PartitionReader;
import io.sluice.journal.Topic;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * The daemon's output journal takes a turn's outputs as one: readers by offset see none of them until the turn's end
 * ({@link JournalTopicSink#onTurnEnd}), which writes them with one {@code pwrite} (two or fewer through the mapping);
 * a checkpoint barrier publishes and forces what the turn gave so far; replayed outputs are still recognised.
 */
class JournalTopicSinkTest
{
    private static final Schema RESULT = Schema.builder("result").longField("n").build();

    @TempDir
    Path dir;

    private final EventFlyweight output = new EventFlyweight(RESULT).wrapForWrite(new UnsafeBuffer(new byte[RESULT.length()]), 0);

    private void deliver(final JournalTopicSink sink, final int partition, final int fromSequence, final int toSequence)
    {
        for (int s = fromSequence; s < toSequence; s++)
        {
            output.putLong(0, 1_000 + s);
            sink.onEvent(partition, s, s, 10L * s, output);
        }
    }

    @Test
    void shouldPublishATurnsOutputsAtItsEndWithOneWrite()
    {
        try (Journal journal = Journal.open(JournalTopicSink.journalContext(dir, EngineProfile.STANDARD)))
        {
            assertThat(journal.context().stagedWrites()).isTrue();
            final Topic topic = journal.createTopic("out", 2);
            final JournalTopicSink sink = new JournalTopicSink(topic);
            final Partition partition = topic.partition(1);

            deliver(sink, 1, 0, 5);
            assertThat(partition.endOffset()).as("before the turn's end").isZero();
            sink.onTurnEnd(1);
            assertThat(partition.endOffset()).isEqualTo(5);
            assertThat(partition.writer().stagedWriteCount()).as("one write for the turn's five").isEqualTo(1);

            deliver(sink, 1, 5, 7);
            sink.onTurnEnd(1);
            assertThat(partition.endOffset()).isEqualTo(7);
            assertThat(partition.writer().stagedWriteCount()).as("a turn of two stored through the mapping").isEqualTo(1);

            deliver(sink, 1, 7, 10);
            sink.onCheckpoint(1);
            assertThat(partition.endOffset()).as("a barrier publishes what its turn gave so far").isEqualTo(10);
            assertThat(partition.durableOffset()).isGreaterThanOrEqualTo(10);
            assertThat(topic.partition(0).endOffset()).isZero();
            assertThat(keysAndValues(partition)).isEqualTo(expected(10));
        }
        try (Journal journal = Journal.open(JournalTopicSink.journalContext(dir, EngineProfile.STANDARD)))
        {
            // A restart replays outputs 0..11: the ten the journal holds are dropped, the two new ones appended.
            final Topic topic = journal.topic("out");
            final JournalTopicSink sink = new JournalTopicSink(topic);
            deliver(sink, 1, 0, 12);
            sink.onTurnEnd(1);
            assertThat(keysAndValues(topic.partition(1))).isEqualTo(expected(12));
        }
    }

    @Test
    void shouldPublishATurnsOutputsAtItsEndThroughTheMappingUnderTheLowLatencyProfile()
    {
        try (Journal journal = Journal.open(JournalTopicSink.journalContext(dir, EngineProfile.LOW_LATENCY)))
        {
            assertThat(journal.context().stagedWrites()).isFalse();
            final Topic topic = journal.createTopic("out", 1);
            final JournalTopicSink sink = new JournalTopicSink(topic);
            final Partition partition = topic.partition(0);

            deliver(sink, 0, 0, 5);
            assertThat(partition.endOffset()).as("before the turn's end").isZero();
            sink.onTurnEnd(0);
            assertThat(partition.endOffset()).isEqualTo(5);
            assertThat(partition.writer().stagedWriteCount()).isZero();
            assertThat(keysAndValues(partition)).isEqualTo(expected(5));
        }
    }

    private static List<String> expected(final int outputs)
    {
        final List<String> lines = new ArrayList<>();
        for (int s = 0; s < outputs; s++)
        {
            lines.add(s + " " + JournalTopicSink.OUTPUT_RECORD_TYPE + " " + s + " " + 10L * s + " " + (1_000 + s));
        }
        return lines;
    }

    /** "offset type key timestamp n" of each record a reader by offset sees. */
    private static List<String> keysAndValues(final Partition partition)
    {
        final List<String> lines = new ArrayList<>();
        try (PartitionReader reader = partition.newReader())
        {
            while (reader.poll(record -> lines.add(record.offset() + " " + record.type() + " " + record.key() + " " +
                record.timestamp() + " " + record.buffer().getLong(record.payloadOffset())), 100) > 0)
            {
                // until the end offset
            }
        }
        return lines;
    }
}
