package io.sluice.engine.runtime;

import static io.sluice.engine.runtime.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.counters.PartitionState;
import io.sluice.engine.counters.SluiceCounters;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.TestEvents;
import io.sluice.journal.Topic;

/**
 * N partitions on M processing threads: the outputs do not depend on M, and a partition that fails or
 * is paused does not hold up the partitions sharing its thread.
 */
class ProcessingThreadsTest
{
    private static final int PARTITIONS = 4;
    private static final int EVENTS = 40_000;

    @TempDir
    Path dir;

    private static Pipeline volume(final String topic, final String name, final TestEvents.TextSink sink)
    {
        return Pipeline.from(topic, TestEvents.TRADE)
            .name(name)
            .partitionKey("account")
            .eventTime("ts", 50)
            .window(w -> w.tumbling(1_000).count("n").sum("notional", "amount"))
            .sink("text", sink)
            .build();
    }

    private static Pipeline everyEvent(final String topic, final String name, final EventSinkFor sink)
    {
        return Pipeline.from(topic, TestEvents.TRADE)
            .name(name)
            .partitionKey("account")
            .eventTime("ts", 50)
            .filter("all", e -> true)
            .sink("each", sink::onEvent)
            .build();
    }

    /** A sink as a lambda target. */
    @FunctionalInterface
    private interface EventSinkFor
    {
        void onEvent(int partition, long sequence, long key, long timestamp, io.sluice.schema.EventFlyweight event);
    }

    private EngineContext context(final Path data, final int threads)
    {
        return new EngineContext().directory(data).partitions(PARTITIONS).ringSize(256).journalSegmentLength(4 * 1024 * 1024)
            .processingThreads(threads).partitionBatchLimit(64).waitStrategy(WaitStrategyKind.SLEEP);
    }

    private static long state(final Engine engine, final String topic, final int partition)
    {
        final CountersReader reader = engine.context().countersManager();
        final int topicId = SluiceCounters.findTopicId(reader, topic);
        return reader.getCounterValue(SluiceCounters.require(reader, SluiceCounters.PARTITION_STATE_TYPE_ID, topicId, partition,
            SluiceCounters.NONE, SluiceCounters.NONE));
    }

    private static Set<String> processingThreadNames()
    {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
            .filter(name -> name.startsWith(ProcessingAgent.ROLE_NAME_PREFIX)).collect(Collectors.toSet());
    }

    /** Runs the same seeded input (two topics, a checkpoint in the middle) on {@code threads} threads. */
    private List<List<String>> run(final int threads, final Map<String, List<String>> expectedMapping)
    {
        final TestEvents.TextSink trades = new TestEvents.TextSink();
        final TestEvents.TextSink orders = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(context(dir.resolve("m" + threads), threads),
            List.of(volume("trades", "trades-volume", trades), volume("orders", "orders-volume", orders))))
        {
            assertThat(engine.processingThreads()).isEqualTo(expectedMapping);
            assertThat(processingThreadNames()).containsAll(expectedMapping.keySet());
            final EventPublisher tradePublisher = engine.publisher("trades");
            final EventPublisher orderPublisher = engine.publisher("orders");
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
            final Random random = new Random(42);
            for (int i = 0; i < EVENTS; i++)
            {
                TestEvents.trade(buffer, random.nextInt(500), random.nextInt(100_000) / 100.0, 1 + random.nextInt(9), i * 2L + random.nextInt(40));
                (i % 3 == 0 ? orderPublisher : tradePublisher).publish(buffer, 0);
                if (i == EVENTS / 2)
                {
                    // A checkpoint barrier crosses every partition, shared threads or not.
                    assertThat(engine.checkpoint()).succeedsWithin(120, TimeUnit.SECONDS);
                }
            }
            engine.endOfInput("trades");
            engine.endOfInput("orders");
            assertThat(engine.drain(120, TimeUnit.SECONDS)).isTrue();
        }
        final List<List<String>> byPartition = new ArrayList<>();
        for (final TestEvents.TextSink sink : List.of(trades, orders))
        {
            for (int p = 0; p < PARTITIONS; p++)
            {
                final String prefix = p + " ";
                byPartition.add(sink.lines().stream().filter(line -> line.startsWith(prefix)).collect(Collectors.toList()));
            }
        }
        assertThat(byPartition).allSatisfy(lines -> assertThat(lines).isNotEmpty());
        return byPartition;
    }

    @Test
    void shouldGiveTheSameOutputsOnOneAndTwoThreadsAsOnAThreadPerPartition()
    {
        final List<List<String>> dedicated = run(8, Map.of(
            "sluice-processing-0", List.of("trades/0"), "sluice-processing-1", List.of("trades/1"),
            "sluice-processing-2", List.of("trades/2"), "sluice-processing-3", List.of("trades/3"),
            "sluice-processing-4", List.of("orders/0"), "sluice-processing-5", List.of("orders/1"),
            "sluice-processing-6", List.of("orders/2"), "sluice-processing-7", List.of("orders/3")));
        final List<List<String>> one = run(1, Map.of(
            "sluice-processing-0", List.of("trades/0", "trades/1", "trades/2", "trades/3", "orders/0", "orders/1", "orders/2", "orders/3")));
        final List<List<String>> two = run(2, Map.of(
            "sluice-processing-0", List.of("trades/0", "trades/2", "orders/0", "orders/2"),
            "sluice-processing-1", List.of("trades/1", "trades/3", "orders/1", "orders/3")));
        // Per partition, line by line: the same results with the same sequence numbers, in the same order.
        assertThat(one).isEqualTo(dedicated);
        assertThat(two).isEqualTo(dedicated);
    }

    @Test
    void shouldNeverStartMoreThreadsThanPartitions()
    {
        try (Engine engine = Engine.launch(context(dir, 64), List.of(volume("trades", "volume", new TestEvents.TextSink()))))
        {
            assertThat(engine.processingThreads()).hasSize(PARTITIONS);
            assertThat(engine.processingThreadsText()).isEqualTo(
                "sluice-processing-0 [trades/0], sluice-processing-1 [trades/1], sluice-processing-2 [trades/2], sluice-processing-3 [trades/3]");
        }
    }

    @Test
    void shouldKeepThePartitionsOfAThreadRunningWhenOneOfThemFails()
    {
        final long poison = 13;
        final int poisoned = Topic.partitionFor(poison, PARTITIONS);
        final long[] outputs = new long[PARTITIONS];
        final EventSinkFor sink = (partition, sequence, key, timestamp, event) ->
        {
            if (key == poison)
            {
                // An Error is no stage failure a policy handles: it escapes the pipeline and stops the partition.
                throw new AssertionError("poisoned key " + key);
            }
            synchronized (outputs)
            {
                outputs[partition]++;
            }
        };
        final long[] published = new long[PARTITIONS];
        try (Engine engine = Engine.launch(context(dir, 1), List.of(everyEvent("trades", "each", sink))))
        {
            assertThat(engine.processingThreads()).hasSize(1);
            final EventPublisher publisher = engine.publisher("trades");
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
            publisher.publish(TestEvents.trade(buffer, poison, 1, 1, 0), 0);
            await("the poisoned partition FAILED", () -> state(engine, "trades", poisoned) == PartitionState.FAILED.code());
            assertThat(engine.partitionFailure("trades", poisoned)).isInstanceOf(AssertionError.class).hasMessageContaining("poisoned");
            for (int i = 0; i < 20_000; i++)
            {
                final long key = 100 + i % 1_000;
                final int partition = Topic.partitionFor(key, PARTITIONS);
                if (partition != poisoned)
                {
                    publisher.publish(TestEvents.trade(buffer, key, 1, 1, i), 0);
                    published[partition]++;
                }
            }
            await("every event of the other partitions processed", () ->
            {
                synchronized (outputs)
                {
                    for (int p = 0; p < PARTITIONS; p++)
                    {
                        if (p != poisoned && outputs[p] != published[p])
                        {
                            return false;
                        }
                    }
                    return true;
                }
            });
            for (int p = 0; p < PARTITIONS; p++)
            {
                if (p != poisoned)
                {
                    assertThat(state(engine, "trades", p)).as("partition %d", p).isEqualTo(PartitionState.RUNNING.code());
                    assertThat(engine.partitionFailure("trades", p)).isNull();
                }
            }
            assertThat(processingThreadNames()).contains("sluice-processing-0");
            assertThatThrownBy(() -> publisher.publish(TestEvents.trade(buffer, poison, 1, 1, 1), 0))
                .isInstanceOf(PartitionFailedException.class).hasMessageContaining("trades/" + poisoned);
        }
    }

    @Test
    void shouldPauseOnePipelineWhileTheOtherOnItsThreadGoesOn()
    {
        final long[] counts = new long[2];
        final EventSinkFor tradesSink = (partition, sequence, key, timestamp, event) ->
        {
            synchronized (counts)
            {
                counts[0]++;
            }
        };
        final EventSinkFor ordersSink = (partition, sequence, key, timestamp, event) ->
        {
            synchronized (counts)
            {
                counts[1]++;
            }
        };
        try (Engine engine = Engine.launch(context(dir, 1),
            List.of(everyEvent("trades", "trades-each", tradesSink), everyEvent("orders", "orders-each", ordersSink))))
        {
            final EventPublisher trades = engine.publisher("trades");
            final EventPublisher orders = engine.publisher("orders");
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
            engine.pause("trades-each");
            await("trades PAUSED", () -> state(engine, "trades", 0) == PartitionState.PAUSED.code() &&
                state(engine, "trades", 1) == PartitionState.PAUSED.code());
            // Fewer than a ring holds per partition: the paused partitions take nothing, the producer is not blocked.
            for (int i = 0; i < 100; i++)
            {
                trades.publish(TestEvents.trade(buffer, i, 1, 1, i), 0);
            }
            for (int i = 0; i < 5_000; i++)
            {
                orders.publish(TestEvents.trade(buffer, i, 1, 1, i), 0);
            }
            await("every order processed while trades are paused", () -> count(counts, 1) == 5_000);
            assertThat(count(counts, 0)).as("trades processed while paused").isZero();
            assertThat(state(engine, "orders", 0)).isEqualTo(PartitionState.RUNNING.code());
            assertThat(state(engine, "trades", 0)).isEqualTo(PartitionState.PAUSED.code());

            engine.resume("trades-each");
            await("every trade processed after the resume", () -> count(counts, 0) == 100);
            await("trades RUNNING again", () -> state(engine, "trades", 0) == PartitionState.RUNNING.code());
        }
    }

    @Test
    void shouldTakeEveryEventWhateverTheWaitStrategy()
    {
        for (final WaitStrategyKind kind : WaitStrategyKind.values())
        {
            final long[] counts = new long[1];
            final EventSinkFor sink = (partition, sequence, key, timestamp, event) ->
            {
                synchronized (counts)
                {
                    counts[0]++;
                }
            };
            try (Engine engine = Engine.launch(context(dir.resolve(kind.name()), 2).waitStrategy(kind),
                List.of(everyEvent("trades", "each", sink))))
            {
                final EventPublisher publisher = engine.publisher("trades");
                final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
                for (int i = 0; i < 2_000; i++)
                {
                    publisher.publish(TestEvents.trade(buffer, i, 1, 1, i), 0);
                    if (i % 500 == 0)
                    {
                        // Let the threads go idle (BLOCK: wait on their condition) so the next publish must wake them.
                        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(30));
                    }
                }
                await(kind + ": every event processed", () -> count(counts, 0) == 2_000);
            }
        }
    }

    private static long count(final long[] counts, final int index)
    {
        synchronized (counts)
        {
            return counts[index];
        }
    }
}
