package io.sluice.engine.runtime;

import static io.sluice.engine.runtime.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.checkpoint.CheckpointManifest;
import io.sluice.engine.counters.PartitionState;
import io.sluice.engine.counters.SluiceCounters;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.TestEvents;

/**
 * While a checkpoint's copy of the state is in progress the processing thread still journals the live events of a
 * turn as runs: a staged journal writer writes each run with one {@code pwrite} (counted by the partition's
 * {@code journal-writes} counter), not each event on its own, and the copy goes on between the runs.
 *
 * <p>Made deterministic by construction: the partition is paused (its state counter shows PAUSED) while the barrier
 * and then the events go into its ring, so it takes them as full turns; the copy has a row per slice and many more rows
 * than there are slots behind the barrier, and at most one slice is taken per slot, so it is still in progress when
 * the last event is processed.
 */
class CheckpointCopyRunsTest
{
    private static final int RING = 1024;
    /** One row each in the window's state: far more rows than slots behind the barrier. */
    private static final int KEYS = 8_000;
    /** Published behind the barrier while paused: fewer than a ring's worth with the barrier, so no publish blocks. */
    private static final int DURING_COPY = RING - 24;

    @TempDir
    Path dir;

    @Test
    void shouldWriteEachRunWithOnePwriteWhileACheckpointCopies() throws Exception
    {
        final TestEvents.TextSink sink = new TestEvents.TextSink();
        final Pipeline pipeline = Pipeline.from("trades", TestEvents.TRADE)
            .name("volume")
            .partitionKey("account")
            .eventTime("ts", 50)
            .window(w -> w.tumbling(3_600_000).count("n").sum("notional", "amount"))
            .sink("text", sink)
            .build();
        final EngineContext context = new EngineContext().directory(dir).partitions(1).ringSize(RING)
            .journalSegmentLength(4 << 20).waitStrategy(WaitStrategyKind.SLEEP).tickIntervalMillis(0)
            .checkpointSliceRows(1).journalStagedWrites(true);
        try (Engine engine = Engine.launch(context, List.of(pipeline)))
        {
            final CountersReader counters = engine.context().countersManager();
            final int topicId = SluiceCounters.findTopicId(counters, engine.journalTopicOf("trades"));
            final int writes = SluiceCounters.require(counters, SluiceCounters.JOURNAL_WRITES_TYPE_ID, topicId, 0,
                SluiceCounters.NONE, SluiceCounters.NONE);
            final int state = SluiceCounters.require(counters, SluiceCounters.PARTITION_STATE_TYPE_ID, topicId, 0,
                SluiceCounters.NONE, SluiceCounters.NONE);
            final int eventsIn = SluiceCounters.require(counters, SluiceCounters.EVENTS_IN_TYPE_ID, topicId, 0,
                SluiceCounters.NONE, SluiceCounters.NONE);
            final EventPublisher publisher = engine.publisher("trades");
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
            int published = 0;
            for (; published < KEYS; published++)
            {
                publisher.publish(TestEvents.trade(buffer, published, 10.0, 1, published), 0);
            }
            final int keysPublished = published;
            await("the keys processed", () -> counters.getCounterValue(eventsIn) == keysPublished);
            engine.pause("volume");
            await("PAUSED", () -> counters.getCounterValue(state) == PartitionState.PAUSED.code());
            // Quiet and paused: the counter holds every write so far (the last turn's publish came after its run).
            final long writesBefore = counters.getCounterValue(writes);

            final CompletableFuture<CheckpointManifest> checkpoint = engine.checkpoint();
            for (int i = 0; i < DURING_COPY; i++, published++)
            {
                publisher.publish(TestEvents.trade(buffer, i, 1.0, 1, KEYS + i), 0);
            }
            engine.resume("volume");
            final int all = published;
            // Published at the end of each turn, the writes before the events in (PartitionProcessor.publishCounters).
            await("the events behind the barrier processed", () -> counters.getCounterValue(eventsIn) == all);
            final long writesDuringCopy = counters.getCounterValue(writes) - writesBefore;

            // A pwrite per event would be DURING_COPY; runs of a turn each (batch limit 256) and a split where the
            // ring's block wraps give a handful.
            assertThat(writesDuringCopy).as("pwrites for %d events behind the barrier", DURING_COPY)
                .isPositive().isLessThanOrEqualTo(DURING_COPY / 32);
            assertThat(checkpoint.get(60, TimeUnit.SECONDS).id()).isNotNegative();
            engine.endOfInput("trades");
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
        }
        // Every key's one window: the first DURING_COPY keys with both their amounts, 10.0 + 1.0.
        assertThat(sink.lines()).hasSize(KEYS);
        assertThat(sink.lines().stream().filter(line -> line.contains(" notional=11.0"))).hasSize(DURING_COPY);
    }
}
