package io.sluice.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.TestEvents;
import io.sluice.schema.EventFlyweight;

/**
 * {@link EventPublisher#publishAll} hands each partition its events in their order, as one {@link EventPublisher#publish}
 * per event does: a pipeline that passes every event on gives, per partition, the same outputs in the same order
 * either way, with calls of 1 to 700 events (longer than a run, shorter than the partitions), rings small enough that
 * the runs wrap around them and fill them (back-pressure), and rings smaller than a run.
 */
class PublishAllTest
{
    private static final int PARTITIONS = 3;
    private static final int EVENTS = 30_000;
    private static final int LENGTH = TestEvents.TRADE.length();

    @TempDir
    Path dir;

    private static Pipeline everyTrade(final TestEvents.TextSink sink)
    {
        return Pipeline.from("trades", TestEvents.TRADE)
            .name("every")
            .partitionKey("account")
            .eventTime("ts", 50)
            .filter("every trade", e -> true)
            .sink("text", sink)
            .build();
    }

    @Test
    void shouldGiveEachPartitionItsEventsInOrderAsOnePublishPerEventDoes()
    {
        final List<String> oneByOne = run(dir.resolve("one"), 512, false);
        final List<String> all = run(dir.resolve("all"), 512, true);

        assertThat(oneByOne).hasSize(EVENTS);
        for (int p = 0; p < PARTITIONS; p++)
        {
            assertThat(EngineTest.ofPartition(all, p)).as("partition %d", p).isNotEmpty().isEqualTo(EngineTest.ofPartition(oneByOne, p));
        }
    }

    @Test
    void shouldPublishInRunsOfTheRingsSizeWhenTheRingIsSmallerThanARun()
    {
        final List<String> oneByOne = run(dir.resolve("one"), 64, false);
        final List<String> all = run(dir.resolve("all"), 64, true);

        assertThat(oneByOne).hasSize(EVENTS);
        for (int p = 0; p < PARTITIONS; p++)
        {
            assertThat(EngineTest.ofPartition(all, p)).as("partition %d", p).isNotEmpty().isEqualTo(EngineTest.ofPartition(oneByOne, p));
        }
    }

    @Test
    void shouldReturnThePartitionOfTheLastEventWithItsSequence()
    {
        try (Engine engine = Engine.launch(context(dir, 512), List.of(everyTrade(new TestEvents.TextSink()))))
        {
            final EventPublisher publisher = engine.publisher("trades");
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[10 * LENGTH]);
            final EventFlyweight trade = new EventFlyweight(TestEvents.TRADE);
            for (int i = 0; i < 10; i++)
            {
                trade.wrapForWrite(buffer, i * LENGTH).putLong(0, i).putDouble(1, 1.0).putLong(2, 1).putLong(3, i);
            }
            final UnsafeBuffer last = new UnsafeBuffer(new byte[LENGTH]);
            last.putBytes(0, buffer, 9 * LENGTH, LENGTH);
            final EventPublisher single = engine.publisher("trades");
            final int expected = single.publish(last, 0);

            final int partition = publisher.publishAll(buffer, 0, 10);

            assertThat(partition).isEqualTo(expected);
            // Ten events before it in that ring at most, the single one among them: its sequence is past the single one's.
            assertThat(publisher.lastSequence()).isGreaterThan(single.lastSequence());
            assertThat(publisher.publishAll(buffer, 0, 0)).isEqualTo(-1);
            engine.endOfInput("trades");
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
            assertThat(engine.processedSequence("trades", partition)).isGreaterThanOrEqualTo(publisher.lastSequence());
        }
    }

    @Test
    void shouldRefuseEventsReachingPastTheBufferNamingTheTopicAndPublishNothing()
    {
        final TestEvents.TextSink sink = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(context(dir, 512), List.of(everyTrade(sink))))
        {
            final EventPublisher publisher = engine.publisher("trades");
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[3 * LENGTH]);

            assertThatThrownBy(() -> publisher.publishAll(buffer, 0, 4)).isInstanceOf(EngineException.class)
                .hasMessageContaining("4 events").hasMessageContaining("trades").hasMessageContaining(String.valueOf(3 * LENGTH));
            assertThatThrownBy(() -> publisher.publishAll(buffer, LENGTH + 1, 2)).isInstanceOf(EngineException.class)
                .hasMessageContaining("offset " + (LENGTH + 1));
            assertThatThrownBy(() -> publisher.publishAll(buffer, 0, -1)).isInstanceOf(EngineException.class)
                .hasMessageContaining("-1 events");
            engine.endOfInput("trades");
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
            long eventsIn = 0;
            for (final PartitionProcessor processor : engine.processors("trades"))
            {
                eventsIn += processor.eventsIn();
            }
            assertThat(eventsIn).isZero();
        }
        assertThat(sink.lines()).isEmpty();
    }

    private static EngineContext context(final Path data, final int ring)
    {
        return new EngineContext().directory(data).partitions(PARTITIONS).ringSize(ring)
            .journalSegmentLength(1024 * 1024).waitStrategy(WaitStrategyKind.SLEEP).tickIntervalMillis(1);
    }

    private static List<String> run(final Path data, final int ring, final boolean all)
    {
        final TestEvents.TextSink sink = new TestEvents.TextSink();
        try (Engine engine = Engine.launch(context(data, ring), List.of(everyTrade(sink))))
        {
            final EventPublisher publisher = engine.publisher("trades");
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[700 * LENGTH]);
            final EventFlyweight trade = new EventFlyweight(TestEvents.TRADE);
            final Random random = new Random(20261205);
            final Random sizes = new Random(7);
            for (int i = 0; i < EVENTS; )
            {
                final int n = Math.min(EVENTS - i, 1 + sizes.nextInt(700));
                for (int e = 0; e < n; e++, i++)
                {
                    trade.wrapForWrite(buffer, e * LENGTH).putLong(0, random.nextInt(300)).putDouble(1, random.nextInt(100_000) / 100.0)
                        .putLong(2, 1 + random.nextInt(9)).putLong(3, i * 2L + random.nextInt(40));
                    if (!all)
                    {
                        publisher.publish(buffer, e * LENGTH);
                    }
                }
                if (all)
                {
                    publisher.publishAll(buffer, 0, n);
                }
            }
            engine.endOfInput("trades");
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
        }
        return sink.lines();
    }
}
