package io.sluice.engine.runtime;

import static io.sluice.engine.runtime.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.counters.PartitionState;
import io.sluice.engine.counters.SluiceCounters;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.TestEvents;
import io.sluice.journal.Partition;

class EngineCountersTest
{
    @TempDir
    Path dir;

    private static CountersManager manager()
    {
        return new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(256 * CountersReader.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(256 * CountersReader.COUNTER_LENGTH)));
    }

    @Test
    void shouldFindCountersByTypeIdAndKeyWhateverTheirNamesContain()
    {
        final CountersManager manager = manager();
        final String topic = "a/b c";
        final String pipeline = "p/q \"r\"";
        EngineCounters.topicEntry(manager, "other", 0, 2);
        EngineCounters.topicEntry(manager, topic, 1, 2);
        EngineCounters.pipelineEntry(manager, pipeline, 1, 4);
        final EngineCounters.PartitionCounters other = new EngineCounters.PartitionCounters(manager, "other", 0, 1);
        final EngineCounters.PartitionCounters partition = new EngineCounters.PartitionCounters(manager, topic, 1, 1);
        final EngineCounters.InstanceCounters instance = new EngineCounters.InstanceCounters(manager, topic, 1, 1, pipeline, 4);
        other.eventsIn.set(3);
        partition.eventsIn.set(42);
        instance.outputs.set(7);

        final int topicId = SluiceCounters.findTopicId(manager, topic);
        assertThat(topicId).isEqualTo(1);
        assertThat(SluiceCounters.findPipelineId(manager, pipeline)).isEqualTo(4);
        assertThat(SluiceCounters.topicName(manager, 1)).isEqualTo(topic);
        assertThat(SluiceCounters.pipelineName(manager, 4)).isEqualTo(pipeline);
        final int eventsIn = SluiceCounters.find(manager, SluiceCounters.EVENTS_IN_TYPE_ID, topicId, 1, SluiceCounters.NONE, SluiceCounters.NONE);
        assertThat(manager.getCounterValue(eventsIn)).isEqualTo(42);
        final int outputs = SluiceCounters.find(manager, SluiceCounters.OUTPUTS_TYPE_ID, topicId, 1, 4, SluiceCounters.NONE);
        assertThat(manager.getCounterValue(outputs)).isEqualTo(7);
        assertThat(manager.getCounterValue(SluiceCounters.require(
            manager, SluiceCounters.PARTITION_STATE_TYPE_ID, topicId, 1, SluiceCounters.NONE, SluiceCounters.NONE)))
            .isEqualTo(PartitionState.STARTING.code());
        assertThat(SluiceCounters.findTopicId(manager, "a/b")).isEqualTo(SluiceCounters.NONE);
        assertThat(SluiceCounters.find(manager, SluiceCounters.EVENTS_IN_TYPE_ID, topicId, 0, SluiceCounters.NONE, SluiceCounters.NONE))
            .isEqualTo(CountersReader.NULL_COUNTER_ID);
        assertThatThrownBy(() -> SluiceCounters.require(manager, SluiceCounters.OUTPUTS_TYPE_ID, topicId, 0, 4, SluiceCounters.NONE))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("outputs").hasMessageContaining("partition 0");
    }

    @Test
    void shouldTellLongNamesApartByTheirStoredPrefixAndFullLength()
    {
        final CountersManager manager = manager();
        final String base = "t".repeat(SluiceCounters.MAX_NAME_LENGTH + 10);
        EngineCounters.topicEntry(manager, base, 0, 1);
        EngineCounters.topicEntry(manager, base + "-longer", 1, 1);
        assertThat(SluiceCounters.findTopicId(manager, base)).isEqualTo(0);
        assertThat(SluiceCounters.findTopicId(manager, base + "-longer")).isEqualTo(1);
        assertThat(SluiceCounters.topicName(manager, 0)).hasSize(SluiceCounters.MAX_NAME_LENGTH);
    }

    @Test
    void shouldKeyAJoinGroupsCountersByItsJournalTopicAndEveryPipelineById()
    {
        final Pipeline big = Pipeline.from("trades", TestEvents.TRADE).name("big a/b").partitionKey("account").eventTime("ts", 50)
            .filter("big", e -> e.getDouble(1) > 990).sink("text", new TestEvents.TextSink()).build();
        try (Engine engine = Engine.launch(new EngineContext().directory(dir).partitions(2).ringSize(64)
            .waitStrategy(WaitStrategyKind.SLEEP), List.of(big)))
        {
            final CountersReader reader = engine.context().countersManager();
            final int topicId = SluiceCounters.findTopicId(reader, engine.journalTopicOf("trades"));
            final int pipelineId = SluiceCounters.findPipelineId(reader, "big a/b");
            assertThat(engine.pipelineNames().get(pipelineId)).isEqualTo("big a/b");
            for (int p = 0; p < 2; p++)
            {
                assertThat(SluiceCounters.find(reader, SluiceCounters.WATERMARK_TYPE_ID, topicId, p, pipelineId, SluiceCounters.NONE))
                    .isNotEqualTo(CountersReader.NULL_COUNTER_ID);
            }
        }
    }

    @Test
    void shouldPublishTheJournalWritersOwnReservationsPerPartition()
    {
        final Pipeline count = Pipeline.from("trades", TestEvents.TRADE).name("count").partitionKey("account").eventTime("ts", 50)
            .filter("all", e -> true).sink("text", new TestEvents.TextSink()).build();
        try (Engine engine = Engine.launch(new EngineContext().directory(dir).partitions(1).ringSize(1024)
            .waitStrategy(WaitStrategyKind.YIELD), List.of(count)))
        {
            final EventPublisher publisher = engine.publisher("trades");
            final UnsafeBuffer event = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
            final int events = 100_000; // some megabytes of journal: past the first reserved chunk several times
            for (int i = 0; i < events; i++)
            {
                publisher.publish(TestEvents.trade(event, i, 1, 1, i), 0);
            }
            final String journalTopic = engine.journalTopicOf("trades");
            final Partition partition = engine.journal().topic(journalTopic).partition(0);
            final CountersReader reader = engine.context().countersManager();
            final int topicId = SluiceCounters.findTopicId(reader, journalTopic);
            final int reservations = SluiceCounters.require(
                reader, SluiceCounters.JOURNAL_WRITER_RESERVATIONS_TYPE_ID, topicId, 0, SluiceCounters.NONE, SluiceCounters.NONE);
            final int reservedBytes = SluiceCounters.require(
                reader, SluiceCounters.JOURNAL_WRITER_RESERVED_BYTES_TYPE_ID, topicId, 0, SluiceCounters.NONE, SluiceCounters.NONE);
            final int eventsIn = SluiceCounters.require(reader, SluiceCounters.EVENTS_IN_TYPE_ID, topicId, 0, SluiceCounters.NONE, SluiceCounters.NONE);
            await("every event journaled and counted", () -> reader.getCounterValue(eventsIn) == events);
            assertThat(partition.endOffset()).isEqualTo(events);
            // Final once the last event is journaled (the writer reserves only when it appends); the counters follow at
            // the end of the partition thread's batch.
            final long writerReservations = partition.writerReservations();
            final long writerReservedBytes = partition.writerReservedBytes();
            await("the journal writer's own reservations published", () -> reader.getCounterValue(reservations) == writerReservations &&
                reader.getCounterValue(reservedBytes) == writerReservedBytes);
            assertThat(writerReservedBytes).as("a megabyte at most each").isLessThanOrEqualTo(writerReservations << 20);
        }
    }
}
