package io.sluice.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.pipeline.ErrorPolicy;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.exec.PipelineInstance;
import io.sluice.engine.pipeline.TestEvents;
import io.sluice.journal.Partition;
import io.sluice.journal.PartitionReader;

class EngineTest
{
    private static final int EVENTS = 50_000;

    @TempDir
    Path dir;

    private static Pipeline volume(final TestEvents.TextSink sink)
    {
        return Pipeline.from("trades", TestEvents.TRADE)
            .name("volume")
            .partitionKey("account")
            .eventTime("ts", 50)
            .window(w -> w.tumbling(1_000).count("n").sum("notional", "amount"))
            .sink("text", sink)
            .build();
    }

    private static Pipeline bigTrades(final TestEvents.TextSink sink)
    {
        return Pipeline.from("trades", TestEvents.TRADE)
            .name("big")
            .partitionKey("account")
            .eventTime("ts", 50)
            .filter("amount > 990", e -> e.getDouble(1) > 990)
            .sink("text", sink)
            .build();
    }

    private EngineContext context(final Path data)
    {
        return new EngineContext().directory(data).partitions(4).ringSize(1024).journalSegmentLength(4 * 1024 * 1024)
            .waitStrategy(WaitStrategyKind.SLEEP);
    }

    private static void publishAll(final Engine engine, final long seed)
    {
        final EventPublisher publisher = engine.publisher("trades");
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
        final Random random = new Random(seed);
        for (int i = 0; i < EVENTS; i++)
        {
            final long ts = i * 2L + random.nextInt(40);
            TestEvents.trade(buffer, random.nextInt(200), random.nextInt(100_000) / 100.0, 1 + random.nextInt(9), ts);
            publisher.publish(buffer, 0);
        }
        engine.endOfInput("trades");
    }

    @Test
    void shouldJournalEveryEventAndProduceIdenticalResultsAcrossRunsAndReplay()
    {
        final TestEvents.TextSink first = new TestEvents.TextSink();
        final TestEvents.TextSink firstBig = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(context(dir.resolve("a")), List.of(volume(first), bigTrades(firstBig))))
        {
            publishAll(engine, 7);
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
            long journaled = 0;
            for (int p = 0; p < 4; p++)
            {
                final Partition partition = engine.journal().topic("trades").partition(p);
                journaled += partition.endOffset();
            }
            assertThat(journaled).isEqualTo(EVENTS + 4); // plus one end-of-input record per partition
            long in = 0;
            for (final PipelineInstance instance : engine.instances("volume"))
            {
                in += instance.eventsIn();
            }
            assertThat(in).isEqualTo(EVENTS);
            assertThat(engine.pipeline("volume").sourceTopic()).isEqualTo("trades");
            assertThat(engine.pipeline("volume").name()).isEqualTo("volume");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine.pipeline("nope"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no pipeline named 'nope'");
        }
        assertThat(first.lines()).isNotEmpty();
        assertThat(firstBig.lines()).isNotEmpty();

        // A second run on a fresh directory with the same input gives the same outputs.
        final TestEvents.TextSink second = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(context(dir.resolve("b")), List.of(volume(second), bigTrades(new TestEvents.TextSink()))))
        {
            publishAll(engine, 7);
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(sorted(second.lines())).isEqualTo(sorted(first.lines()));

        // Restarting on the first directory without its checkpoints replays the whole journal: the
        // same outputs with the same sequences.
        final TestEvents.TextSink replayed = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(context(dir.resolve("a")).checkpoints(false), List.of(volume(replayed), bigTrades(new TestEvents.TextSink()))))
        {
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(sorted(replayed.lines())).isEqualTo(sorted(first.lines()));
        // Per partition the order is the journaled order: identical sequences line by line.
        for (int p = 0; p < 4; p++)
        {
            assertThat(ofPartition(replayed.lines(), p)).isEqualTo(ofPartition(first.lines(), p));
        }
    }

    @Test
    void shouldAgreeWithNaiveTumblingCountComputedFromTheInput()
    {
        final TestEvents.TextSink sink = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(context(dir), List.of(Pipeline.from("trades", TestEvents.TRADE)
            .name("count").partitionKey("account").eventTime("ts", 1_000_000)
            .window(w -> w.tumbling(1_000).count("n"))
            .sink("text", sink).build())))
        {
            publishAll(engine, 11);
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
        }
        final java.util.Map<String, Long> expected = new java.util.TreeMap<>();
        final Random random = new Random(11);
        for (int i = 0; i < EVENTS; i++)
        {
            final long ts = i * 2L + random.nextInt(40);
            final long account = random.nextInt(200);
            random.nextInt(100_000);
            random.nextInt(9);
            expected.merge(account + "@" + Math.floorDiv(ts, 1_000) * 1_000, 1L, Long::sum);
        }
        final java.util.Map<String, Long> actual = new java.util.TreeMap<>();
        for (final String line : sink.lines())
        {
            final String[] parts = line.split(" ");
            actual.put(parts[4].substring(4) + "@" + parts[5].substring(13), Long.parseLong(parts[8].substring(2)));
        }
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void shouldSendFailingEventsToDeadLetterTopicAndKeepOtherPipelinesRunningWhenOneHalts()
    {
        final TestEvents.TextSink survivor = new TestEvents.TextSink();
        final Pipeline deadLettering = Pipeline.from("trades", TestEvents.TRADE)
            .name("dl").partitionKey("account").eventTime("ts", 0)
            .onError(ErrorPolicy.DEAD_LETTER)
            .filter("rejects qty 9", e ->
            {
                if (e.getLong(2) == 9)
                {
                    throw new IllegalArgumentException("qty 9 is not allowed");
                }
                return true;
            })
            .sink("none", (p, s, k, t, e) -> { })
            .build();
        final Pipeline halting = Pipeline.from("trades", TestEvents.TRADE)
            .name("halter").partitionKey("account").eventTime("ts", 0)
            .onError(ErrorPolicy.HALT)
            .filter("halts on qty 9", e ->
            {
                if (e.getLong(2) == 9)
                {
                    throw new IllegalStateException("halt");
                }
                return true;
            })
            .sink("none", (p, s, k, t, e) -> { })
            .build();
        final Pipeline counting = Pipeline.from("trades", TestEvents.TRADE)
            .name("all").partitionKey("account").eventTime("ts", 0)
            .sink("text", survivor).build();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
        try (Engine engine = Engine.launch(context(dir), List.of(deadLettering, halting, counting)))
        {
            final EventPublisher publisher = engine.publisher("trades");
            int nines = 0;
            for (int i = 0; i < 1000; i++)
            {
                final long qty = i % 50 == 0 ? 9 : 1;
                nines += qty == 9 ? 1 : 0;
                publisher.publish(TestEvents.trade(buffer, i % 7, 1.0, qty, i), 0);
            }
            assertThat(engine.drain(30, TimeUnit.SECONDS)).isTrue();
            long deadLetters = 0;
            for (int p = 0; p < 4; p++)
            {
                final Partition partition = engine.journal().topic("trades" + Engine.DEAD_LETTER_SUFFIX).partition(p);
                deadLetters += partition.endOffset();
                try (PartitionReader reader = partition.newReader())
                {
                    reader.poll(r -> assertThat(r.buffer().getLong(r.payloadOffset() + 16)).isEqualTo(9), 100);
                }
            }
            assertThat(deadLetters).isEqualTo(nines);
            long dlErrors = 0;
            for (final PipelineInstance instance : engine.instances("dl"))
            {
                dlErrors += instance.errors();
            }
            assertThat(dlErrors).isEqualTo(nines);
            int halted = 0;
            for (final PipelineInstance instance : engine.instances("halter"))
            {
                if (instance.state() == PipelineInstance.HALTED)
                {
                    halted++;
                    assertThat(instance.haltCause()).hasMessage("halt");
                }
            }
            assertThat(halted).isPositive();
        }
        assertThat(survivor.lines()).hasSize(1000);
    }

    @Test
    void shouldGiveTheSameResultsThroughMicroBatches()
    {
        final TestEvents.TextSink single = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(context(dir.resolve("single")), List.of(volume(single))))
        {
            publishAll(engine, 5);
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
        }
        final TestEvents.TextSink batched = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(context(dir.resolve("batched")), List.of(volume(batched))))
        {
            final BatchingPublisher publisher = engine.batchingPublisher("trades", 64);
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
            final Random random = new Random(5);
            for (int i = 0; i < EVENTS; i++)
            {
                final long ts = i * 2L + random.nextInt(40);
                TestEvents.trade(buffer, random.nextInt(200), random.nextInt(100_000) / 100.0, 1 + random.nextInt(9), ts);
                publisher.publish(buffer, 0);
                if (i % 1000 == 0)
                {
                    publisher.flushIfOlderThan(TimeUnit.MICROSECONDS.toNanos(100));
                }
            }
            publisher.flush();
            engine.endOfInput("trades");
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
        }
        // Per partition the journaled order is the same, so the outputs are identical line for line.
        assertThat(batched.lines()).isNotEmpty();
        for (int p = 0; p < 4; p++)
        {
            assertThat(ofPartition(batched.lines(), p)).isEqualTo(ofPartition(single.lines(), p));
        }
    }

    @Test
    void shouldRunWithPartitionThreadsPinnedToCpusOrSayWhyNot()
    {
        final TestEvents.TextSink pinned = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(context(dir).partitions(2).pinThreads(true).waitStrategy(WaitStrategyKind.YIELD),
            List.of(bigTrades(pinned))))
        {
            publishAll(engine, 3);
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
            // Pinning needs a free CPU and native support; when it cannot be had the thread runs
            // unpinned and the reason is in the error log, never a failure of the partition.
            for (int p = 0; p < 2; p++)
            {
                assertThat(engine.partitionFailure("trades", p)).isNull();
            }
        }
        final TestEvents.TextSink unpinned = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(context(dir.resolve("unpinned")).partitions(2), List.of(bigTrades(unpinned))))
        {
            publishAll(engine, 3);
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(sorted(pinned.lines())).isEqualTo(sorted(unpinned.lines())).isNotEmpty();
    }

    @Test
    void shouldSayClearlyWhenTheCountersBufferIsTooSmall()
    {
        final org.agrona.concurrent.status.CountersManager tiny = new org.agrona.concurrent.status.CountersManager(
            new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(8 * 512)), new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(8 * 128)));
        assertThatThrownBy(() -> Engine.launch(context(dir).countersManager(tiny), List.of(volume(new TestEvents.TextSink()))))
            .isInstanceOf(EngineException.class)
            .hasMessageContaining("cannot allocate the counters of group 'trades'")
            .hasMessageContaining("larger CountersManager");
    }

    @Test
    void shouldRefusePipelinesThatDisagreeOnTheirTopic()
    {
        final Pipeline a = Pipeline.from("trades", TestEvents.TRADE).name("a").partitionKey("account").eventTime("ts", 0)
            .sink("s", new TestEvents.TextSink()).build();
        final Pipeline b = Pipeline.from("trades", TestEvents.TRADE).name("b").partitionKey("qty").eventTime("ts", 0)
            .sink("s", new TestEvents.TextSink()).build();
        assertThatThrownBy(() -> Engine.launch(context(dir), List.of(a, b)))
            .isInstanceOf(EngineException.class)
            .hasMessageContaining("'a' and 'b'").hasMessageContaining("different keys");
    }

    @Test
    void shouldEmitTheRestOfASlicedFiringWhenTheInputGoesQuiet()
    {
        emitTheRestOfASlicedFiringAfterTheLastEvent(20);
    }

    @Test
    void shouldEmitTheRestOfASlicedFiringWithoutTheSchedulersTicks()
    {
        // No scheduler ticks at all: the partition thread starts the continuation ticks itself once its ring
        // stayed empty for a moment (before, the rest waited for the next event, forever if none came).
        emitTheRestOfASlicedFiringAfterTheLastEvent(0);
    }

    private void emitTheRestOfASlicedFiringAfterTheLastEvent(final long tickIntervalMillis)
    {
        // 500 keys close at once: the closing event emits one firing slice (64 by default), the rest used to
        // wait for events that an unbounded source may not send. Journaled ticks finish it, and replay
        // (which reads those ticks) gives the same lines.
        final int keys = 500;
        final TestEvents.TextSink live = new TestEvents.TextSink();
        final EngineContext oneTopic = new EngineContext().directory(dir).partitions(1).ringSize(1024)
            .journalSegmentLength(4 * 1024 * 1024).waitStrategy(WaitStrategyKind.SLEEP).tickIntervalMillis(tickIntervalMillis);
        try (Engine engine = Engine.launch(oneTopic, List.of(volume(live))))
        {
            final EventPublisher publisher = engine.publisher("trades");
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
            for (int account = 0; account < keys; account++)
            {
                publisher.publish(TestEvents.trade(buffer, account, 10.0, 1, account), 0);
            }
            publisher.publish(TestEvents.trade(buffer, 0, 10.0, 1, 10_000), 0); // the watermark passes the first second
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (live.lines().size() < keys && System.nanoTime() < deadline)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            assertThat(live.lines()).as("every key's result of the first second, with no event after the closing one").hasSize(keys);
            assertThat(engine.journal().topic("trades").partition(0).endOffset()).as("the events and at least one tick")
                .isGreaterThan(keys + 1);
            // Each tick emits one slice: the partition thread journaled continuation ticks for the rest.
            final int[] continuations = {0};
            try (io.sluice.journal.PartitionReader reader = engine.journal().topic("trades").partition(0).newReader())
            {
                while (reader.poll(record ->
                {
                    if (record.type() == RingSlot.TICK && record.timestamp() == io.sluice.engine.time.WatermarkGenerator.CONTINUATION)
                    {
                        continuations[0]++;
                    }
                }, 4096) > 0)
                {
                    // count them all
                }
            }
            assertThat(continuations[0]).as("continuation ticks in the journal").isPositive();
        }
        final TestEvents.TextSink replayed = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(oneTopic.checkpoints(false), List.of(volume(replayed))))
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (replayed.lines().size() < keys && System.nanoTime() < deadline)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            assertThat(replayed.lines()).isEqualTo(live.lines().subList(0, keys));
            assertThat(engine.partitionCount()).isEqualTo(1);
        }
    }

    private static List<String> sorted(final List<String> lines)
    {
        final List<String> copy = new ArrayList<>(lines);
        Collections.sort(copy);
        return copy;
    }

    /** The lines of one partition (each line starts with its partition), in their order. */
    static List<String> ofPartition(final List<String> lines, final int partition)
    {
        final List<String> result = new ArrayList<>();
        for (final String line : lines)
        {
            if (line.startsWith(partition + " "))
            {
                result.add(line);
            }
        }
        return result;
    }
}
