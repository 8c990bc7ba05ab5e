package io.sluice.engine.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.TestEvents;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.EventPublisher;

class CheckpointRecoveryTest
{
    private static final int EVENTS = 40_000;

    @TempDir
    Path dir;

    private static Pipeline sliding(final TestEvents.TextSink sink)
    {
        return sliding(sink, "sliding");
    }

    private static Pipeline sliding(final TestEvents.TextSink sink, final String name)
    {
        return Pipeline.from("trades", TestEvents.TRADE)
            .name(name)
            .partitionKey("account")
            .eventTime("ts", 100)
            .window(w -> w.sliding(2_000, 500).count("n").sum("notional", "amount").max("max_qty", "qty"))
            .sink("text", sink)
            .build();
    }

    private EngineContext context(final Path data)
    {
        return new EngineContext().directory(data).partitions(3).ringSize(1024).journalSegmentLength(4 * 1024 * 1024)
            .checkpointsRetained(3);
    }

    private static void publish(final Engine engine, final int from, final int to)
    {
        final EventPublisher publisher = engine.publisher("trades");
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
        for (int i = from; i < to; i++)
        {
            final Random random = new Random(i);
            publisher.publish(TestEvents.trade(buffer, random.nextInt(300), random.nextInt(10_000) / 100.0, 1 + random.nextInt(9),
                i * 3L + random.nextInt(90)), 0);
        }
    }

    /** Output lines keyed by "partition sequence", which must identify an output exactly. */
    private static TreeSet<String> union(final List<String> a, final List<String> b)
    {
        final TreeSet<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void shouldRestoreFromCheckpointAndReplayOnlyTheRestGivingTheUninterruptedOutputs() throws Exception
    {
        final TestEvents.TextSink uninterrupted = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(context(dir.resolve("whole")).checkpoints(false), List.of(sliding(uninterrupted))))
        {
            publish(engine, 0, EVENTS);
            engine.endOfInput("trades");
        }

        final TestEvents.TextSink before = new TestEvents.TextSink();
        final CheckpointManifest mid;
        try (Engine engine = Engine.launch(context(dir.resolve("cp")), List.of(sliding(before))))
        {
            publish(engine, 0, EVENTS / 2);
            mid = engine.checkpoint().get(60, TimeUnit.SECONDS);
            publish(engine, EVENTS / 2, EVENTS);
            engine.endOfInput("trades");
        }
        assertThat(mid.partitions()).hasSize(3);
        // The final checkpoint at close is newer than mid; damage it so recovery must fall back to mid.
        final CheckpointStore store = new CheckpointStore(dir.resolve("cp/checkpoints"), 3);
        final long newest = store.manifestIds().get(0);
        assertThat(newest).isGreaterThan(mid.id());
        final Path newestFile = store.directory().resolve(CheckpointStore.name(newest)).resolve("trades-1.cm");
        try (RandomAccessFile raf = new RandomAccessFile(newestFile.toFile(), "rw"))
        {
            raf.setLength(raf.length() - 4096);
        }

        final TestEvents.TextSink after = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(context(dir.resolve("cp")), List.of(sliding(after))))
        {
            assertThat(engine.recoveryEvents()).anySatisfy(e -> assertThat(e).contains("checkpoint " + newest + " rejected"));
            assertThat(engine.recoveryEvents()).anySatisfy(e -> assertThat(e).contains("loaded checkpoint " + mid.id()));
            assertThat(engine.checkpoints().lastCompleted().id()).isEqualTo(mid.id());
        }
        // What recovery re-emitted carries the same sequence numbers as before: together they are
        // exactly the uninterrupted outputs, nothing missing, nothing extra.
        assertThat(after.lines()).isNotEmpty();
        assertThat(union(before.lines(), after.lines())).isEqualTo(new TreeSet<>(uninterrupted.lines()));
        assertThat(new TreeSet<>(before.lines()).containsAll(after.lines())).isTrue();
        // It replayed only what followed the checkpoint: outputs before it were not emitted again.
        assertThat(after.lines().size()).isLessThan(before.lines().size());
    }

    @Test
    void shouldReplayEverythingIntoUnrestoredInstancesWhenTheCheckpointDoesNotFitThePipelines() throws Exception
    {
        final TestEvents.TextSink uninterrupted = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(context(dir.resolve("whole")).checkpoints(false), List.of(sliding(uninterrupted, "renamed"))))
        {
            publish(engine, 0, EVENTS);
            engine.endOfInput("trades");
        }
        try (Engine engine = Engine.launch(context(dir.resolve("cp")), List.of(sliding(new TestEvents.TextSink()))))
        {
            publish(engine, 0, EVENTS / 2);
            engine.checkpoint().get(60, TimeUnit.SECONDS);
            publish(engine, EVENTS / 2, EVENTS);
        }
        // The instances are built (and would be restored) beside the journal's open: a checkpoint of other pipelines
        // restores none of them, and the whole journal is replayed into them as built.
        final TestEvents.TextSink after = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(context(dir.resolve("cp")), List.of(sliding(after, "renamed"))))
        {
            final List<String> events = engine.recoveryEvents();
            assertThat(events).anySatisfy(e -> assertThat(e).contains("does not fit trades/0 (pipeline 'renamed' is not in it at " +
                "the same position): replaying the journal from the start instead"));
            assertThat(events).anySatisfy(e -> assertThat(e).contains("replayed").contains("from offset 0"));
            assertThat(events.get(events.size() - 1)).doesNotContain("restore of");
            engine.endOfInput("trades");
        }
        assertThat(after.lines()).hasSameSizeAs(uninterrupted.lines());
        assertThat(new TreeSet<>(after.lines())).isEqualTo(new TreeSet<>(uninterrupted.lines()));
    }

    @Test
    void shouldRestoreExactlyTheStateAtTheBarrierOfACheckpointCopiedWhileTheStateKeepsChanging() throws Exception
    {
        final TestEvents.TextSink uninterrupted = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(context(dir.resolve("whole")).checkpoints(false), List.of(sliding(uninterrupted))))
        {
            publish(engine, 0, EVENTS);
            engine.endOfInput("trades");
        }

        // One row per slice: the copy of each partition's state spans hundreds of slices, while the
        // events published right behind the barrier update, create and purge rows.
        final TestEvents.TextSink before = new TestEvents.TextSink();
        final CheckpointManifest mid;
        final long slices;
        try (Engine engine = Engine.launch(context(dir.resolve("cp")).checkpointSliceRows(1), List.of(sliding(before))))
        {
            publish(engine, 0, EVENTS / 2);
            final java.util.concurrent.CompletableFuture<CheckpointManifest> checkpoint = engine.checkpoint();
            publish(engine, EVENTS / 2, EVENTS);
            mid = checkpoint.get(60, TimeUnit.SECONDS);
            engine.endOfInput("trades");
            slices = engine.checkpoints().sliceHistogram().getTotalCount();
        }
        assertThat(slices).as("slices of incremental copying").isGreaterThan(100);

        final TestEvents.TextSink after = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(context(dir.resolve("cp")).restoreCheckpointAtMost(mid.id()), List.of(sliding(after))))
        {
            assertThat(engine.recoveryEvents()).anySatisfy(e -> assertThat(e).contains("loaded checkpoint " + mid.id()));
        }
        assertThat(after.lines()).isNotEmpty();
        assertThat(union(before.lines(), after.lines())).isEqualTo(new TreeSet<>(uninterrupted.lines()));
        assertThat(new TreeSet<>(before.lines()).containsAll(after.lines())).isTrue();
        assertThat(new TreeSet<>(before.lines())).isEqualTo(new TreeSet<>(uninterrupted.lines()));
    }

    @Test
    void shouldChangeNoResultWhenCheckpointsAreTakenWhileEventsFlow() throws Exception
    {
        final TestEvents.TextSink without = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(context(dir.resolve("without")).checkpoints(false), List.of(sliding(without))))
        {
            publish(engine, 0, EVENTS);
            engine.endOfInput("trades");
        }
        final TestEvents.TextSink with = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(context(dir.resolve("with")).checkpointIntervalMillis(5), List.of(sliding(with))))
        {
            for (int from = 0; from < EVENTS; from += 2_000)
            {
                publish(engine, from, from + 2_000);
                engine.checkpoint(); // on demand too, without waiting: barriers interleave with events
            }
            engine.endOfInput("trades");
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
            // Drained rings say nothing of the checkpoint thread, which writes asynchronously: wait for one to complete.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (engine.checkpoints().completed() == 0 && System.nanoTime() < deadline)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // poll interval of a wait with a deadline
            }
            assertThat(engine.checkpoints().completed()).isPositive();
        }
        for (int p = 0; p < 3; p++)
        {
            final String prefix = p + " ";
            assertThat(with.lines().stream().filter(l -> l.startsWith(prefix)).toList())
                .isEqualTo(without.lines().stream().filter(l -> l.startsWith(prefix)).toList());
        }
    }

    @Test
    void shouldNeverDeleteJournalSegmentsARetainedCheckpointStillNeeds() throws Exception
    {
        final EngineContext context = context(dir).journalSegmentLength(64 * 1024).journalRetentionBytes(2 * 64 * 1024)
            .retentionIntervalMillis(3_600_000).checkpointsRetained(2);
        try (Engine engine = Engine.launch(context, List.of(sliding(new TestEvents.TextSink()))))
        {
            // Without a checkpoint, recovery needs the whole journal: retention deletes nothing.
            publish(engine, 0, 10_000);
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
            assertThat(engine.enforceRetention()).isZero();

            final CheckpointManifest first = engine.checkpoint().get(60, TimeUnit.SECONDS);
            publish(engine, 10_000, 20_000);
            final CheckpointManifest second = engine.checkpoint().get(60, TimeUnit.SECONDS);
            publish(engine, 20_000, 30_000);
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
            assertThat(engine.enforceRetention()).isPositive();
            for (int p = 0; p < 3; p++)
            {
                final long start = engine.journal().topic("trades").partition(p).startOffset();
                // The older retained checkpoint replays from its offsets: they must still be there.
                assertThat(start).isLessThanOrEqualTo(first.find("trades", p).journalOffset());
                assertThat(start).isLessThanOrEqualTo(second.find("trades", p).journalOffset());
            }
        }
        // And recovery from the newest checkpoint still works after retention.
        try (Engine engine = Engine.launch(context(dir).journalSegmentLength(64 * 1024), List.of(sliding(new TestEvents.TextSink()))))
        {
            assertThat(engine.recoveryEvents()).anySatisfy(e -> assertThat(e).startsWith("loaded checkpoint"));
        }
    }

    @Test
    void shouldFallBackToFullReplayWhenNoCheckpointVerifies() throws Exception
    {
        final TestEvents.TextSink first = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(context(dir), List.of(sliding(first))))
        {
            publish(engine, 0, 5_000);
            engine.checkpoint().get(60, TimeUnit.SECONDS);
            publish(engine, 5_000, 10_000);
            engine.endOfInput("trades");
        }
        final CheckpointStore store = new CheckpointStore(dir.resolve("checkpoints"), 3);
        for (final long id : store.manifestIds())
        {
            Files.write(store.directory().resolve(CheckpointStore.name(id) + ".manifest"), new byte[] {1, 2, 3});
        }
        final TestEvents.TextSink replayed = new TestEvents.TextSink();
        final Engine restarted = Engine.launch(context(dir), List.of(sliding(replayed)));
        try (restarted)
        {
            assertThat(restarted.recoveryEvents()).anySatisfy(e -> assertThat(e).contains("no usable checkpoint"));
        }
        final StringBuilder errors = new StringBuilder();
        org.agrona.concurrent.errors.ErrorLogReader.read(restarted.errorLog().buffer(),
            (count, firstSeen, lastSeen, text) -> errors.append(text));
        assertThat(errors.toString()).isEmpty();
        // The final checkpoint at close completed although no earlier one verified.
        assertThat(restarted.checkpoints().completed()).isEqualTo(1);
        assertThat(new TreeSet<>(replayed.lines())).isEqualTo(new TreeSet<>(first.lines()));
    }

    @Test
    void shouldKeepOnlyTheRetainedNumberOfCheckpointsAndRecordPauses() throws Exception
    {
        final List<Long> ids = new ArrayList<>();
        try (Engine engine = Engine.launch(context(dir).checkpointsRetained(2), List.of(sliding(new TestEvents.TextSink()))))
        {
            for (int round = 0; round < 5; round++)
            {
                publish(engine, round * 1000, round * 1000 + 1000);
                ids.add(engine.checkpoint().get(60, TimeUnit.SECONDS).id());
            }
            assertThat(engine.checkpoints().completed()).isEqualTo(5);
            assertThat(engine.checkpoints().pauseHistogram().getTotalCount()).isEqualTo(5 * 3);
        }
        final CheckpointStore store = new CheckpointStore(dir.resolve("checkpoints"), 2);
        assertThat(store.manifestIds()).hasSize(2);
        assertThat(store.manifestIds().get(0)).isGreaterThan(ids.get(4)); // the final checkpoint at close
        try (var list = Files.list(store.directory()))
        {
            assertThat(list.filter(Files::isDirectory).count()).isEqualTo(2);
        }
    }

    @Test
    void shouldSayWhereTheLaunchTimeWentAndLeaveNoCheckpointLoaderBehindWhenTheJournalIsRefused() throws Exception
    {
        final Path data = dir.resolve("timed");
        final EngineContext small = new EngineContext().directory(data).partitions(1).ringSize(1024)
            .journalSegmentLength(64 * 1024).checkpointsRetained(2);
        try (Engine engine = Engine.launch(small, List.of(sliding(new TestEvents.TextSink()))))
        {
            publish(engine, 0, 10_000);
            engine.checkpoint().get(60, TimeUnit.SECONDS);
            publish(engine, 10_000, 12_000);
        }
        try (Engine engine = Engine.launch(new EngineContext().directory(data).partitions(1).ringSize(1024)
            .journalSegmentLength(64 * 1024).checkpointsRetained(2), List.of(sliding(new TestEvents.TextSink()))))
        {
            final List<String> events = engine.recoveryEvents();
            assertThat(events.get(events.size() - 1)).matches(
                "ready in [0-9.]+ ms: journal opened in [0-9.]+ ms \\(CPU [0-9.]+ ms\\), checkpoint loaded and verified in [0-9.]+ ms " +
                "beside it \\(CPU [0-9.]+ ms on its thread\\); " +
                "topology built in [0-9.]+ ms \\(CPU [0-9.]+ ms\\); recovery [0-9.]+ ms, restore of 1 partitions [0-9.]+ ms \\(slowest; CPU [0-9.]+ ms\\), " +
                "replay of [0-9]+ records [0-9.]+ ms \\(slowest partition; CPU [0-9.]+ ms\\); started in [0-9.]+ ms");
        }
        // Damage a record in the middle of the first (sealed) segment, without its seal mark (header bytes 44..63,
        // as when the process stopped before a force marked it): the open verifies it and refuses the journal.
        final Path first = data.resolve("journal/trades/partition-0/00000000000000000000.log");
        try (RandomAccessFile raf = new RandomAccessFile(first.toFile(), "rw"))
        {
            raf.seek(44);
            raf.write(new byte[20]);
            raf.seek(raf.length() / 2);
            final int b = raf.read();
            raf.seek(raf.length() / 2);
            raf.write(b ^ 0x5A);
        }
        final EngineContext refused = new EngineContext().directory(data).partitions(1).ringSize(1024)
            .journalSegmentLength(64 * 1024).checkpointsRetained(2);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Engine.launch(refused, List.of(sliding(new TestEvents.TextSink()))))
            .hasMessageContaining("sealed segment");
        // The checkpoint was loading, and the partitions' instances building, beside the journal's open: the failed
        // launch waited for both to end.
        assertThat(Thread.getAllStackTraces().keySet()).noneSatisfy(t -> assertThat(t.getName()).isEqualTo("sluice-checkpoint-load"));
        assertThat(Thread.getAllStackTraces().keySet()).noneSatisfy(t -> assertThat(t.getName()).startsWith("sluice-prepare-"));
        try (java.util.stream.Stream<Path> list = Files.list(data.resolve("checkpoints")))
        {
            assertThat(list.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("verify-"));
        }
    }
}
