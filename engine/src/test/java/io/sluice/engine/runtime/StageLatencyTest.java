package io.sluice.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.TestEvents;

/**
 * The optional stage latency listener: ring wait, journal append and one stage per pipeline that
 * processed the event, in stage order, never negative, and together no more than the event's
 * ingest-to-processed latency. No timing thresholds: only the relations that must hold.
 */
class StageLatencyTest
{
    private static final int TRADES = 20_000;
    private static final int ORDERS = 5_000;

    @TempDir
    Path dir;

    @Test
    void shouldReportRingJournalAndEveryPipelineStageWithinTheEventsTotalLatency()
    {
        final List<Pipeline> pipelines = List.of(
            pipeline("trades", "volume", true), pipeline("trades", "big", false), pipeline("orders", "orders-volume", true));
        final List<String> names = Engine.stageNames(pipelines);
        final Checker checker = new Checker(names.size());
        final EngineContext context = new EngineContext().directory(dir).partitions(2).ringSize(1024)
            .journalSegmentLength(4 * 1024 * 1024).checkpoints(false).waitStrategy(WaitStrategyKind.SLEEP)
            .stageLatencyListener(checker).latencyListener(checker);
        try (Engine engine = Engine.launch(context, pipelines))
        {
            assertThat(engine.stageNames()).isEqualTo(names);
            assertThat(names.subList(0, 2)).containsExactly(Engine.STAGE_RING_WAIT, Engine.STAGE_JOURNAL_APPEND);
            assertThat(names.subList(2, names.size())).containsExactlyInAnyOrder("volume", "big", "orders-volume");
            publish(engine, "trades", TRADES);
            publish(engine, "orders", ORDERS);
            engine.endOfInput("trades");
            engine.endOfInput("orders");
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(checker.failures).isEmpty();
        assertThat(checker.events.get()).isGreaterThanOrEqualTo(TRADES + ORDERS);
        // Every journaled slot has a ring wait and a journal append; every event one stage per pipeline reading it.
        assertThat(checker.counts.get(StageLatencyListener.RING_WAIT)).isEqualTo(checker.events.get());
        assertThat(checker.counts.get(StageLatencyListener.JOURNAL_APPEND)).isEqualTo(checker.events.get());
        assertThat(checker.counts.get(names.indexOf("volume"))).isEqualTo(TRADES);
        assertThat(checker.counts.get(names.indexOf("big"))).isEqualTo(TRADES);
        assertThat(checker.counts.get(names.indexOf("orders-volume"))).isEqualTo(ORDERS);
        assertThat(checker.totals.get(names.indexOf("volume"))).isPositive();
    }

    @Test
    void shouldReportIngestLatencyAloneWithoutAStageListener()
    {
        final long[] processed = {0};
        final EngineContext context = new EngineContext().directory(dir).partitions(1).ringSize(1024)
            .journalSegmentLength(4 * 1024 * 1024).checkpoints(false).waitStrategy(WaitStrategyKind.SLEEP)
            .latencyListener((p, ingest, done) ->
            {
                if (done >= ingest)
                {
                    processed[0]++;
                }
            });
        try (Engine engine = Engine.launch(context, List.of(pipeline("trades", "volume", true))))
        {
            publish(engine, "trades", 1_000);
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(processed[0]).isEqualTo(1_000);
    }

    @Test
    void shouldMeasureTheRingWaitOfTheTicksThatContinueASlicedFiringFromTheirPublish()
    {
        // A stage listener alone (no ingest latency listener) and no scheduler ticks: 500 keys close at once, the
        // closing event emits one firing slice, and the partition thread queues continuation ticks for the rest.
        // Each tick's ring wait counts from its own publish: no ring wait can exceed the time since the test began.
        final int keys = 500;
        final long started = System.nanoTime();
        final AtomicLong results = new AtomicLong();
        final AtomicLong ringWaits = new AtomicLong();
        final AtomicLong longestRingWait = new AtomicLong();
        final StageLatencyListener stages = (partition, stage, nanos) ->
        {
            if (stage == StageLatencyListener.RING_WAIT)
            {
                ringWaits.incrementAndGet();
                longestRingWait.accumulateAndGet(nanos, Math::max);
            }
        };
        final Pipeline counted = Pipeline.from("trades", TestEvents.TRADE).name("volume").partitionKey("account")
            .eventTime("ts", 50).window(w -> w.tumbling(1_000).count("n")).sink("count", (p, s, k, t, e) -> results.incrementAndGet())
            .build();
        final EngineContext context = new EngineContext().directory(dir).partitions(1).ringSize(1024)
            .journalSegmentLength(4 * 1024 * 1024).checkpoints(false).waitStrategy(WaitStrategyKind.SLEEP)
            .tickIntervalMillis(0).stageLatencyListener(stages);
        try (Engine engine = Engine.launch(context, List.of(counted)))
        {
            final EventPublisher publisher = engine.publisher("trades");
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
            for (int account = 0; account < keys; account++)
            {
                TestEvents.trade(buffer, account, 10.0, 1, account);
                publisher.publish(buffer, 0);
            }
            TestEvents.trade(buffer, 0, 10.0, 1, 10_000); // the watermark passes the first second
            publisher.publish(buffer, 0);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (results.get() < keys && System.nanoTime() < deadline)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
        }
        final long elapsed = System.nanoTime() - started;
        assertThat(results.get()).as("every key's result of the first second").isEqualTo(keys);
        assertThat(ringWaits.get()).as("the events' ring waits and at least one continuation tick's").isGreaterThan(keys + 1);
        assertThat(longestRingWait.get()).as("the longest ring wait, against the test's own duration").isLessThanOrEqualTo(elapsed);
    }

    private static Pipeline pipeline(final String topic, final String name, final boolean window)
    {
        final Pipeline.Builder builder = Pipeline.from(topic, TestEvents.TRADE).name(name).partitionKey("account").eventTime("ts", 50);
        if (window)
        {
            return builder.window(w -> w.tumbling(1_000).count("n")).sink("none", (p, s, k, t, e) ->
            {
            }).build();
        }
        return builder.filter("amount > 990", e -> e.getDouble(1) > 990).sink("none", (p, s, k, t, e) ->
        {
        }).build();
    }

    private static void publish(final Engine engine, final String topic, final int events)
    {
        final EventPublisher publisher = engine.publisher(topic);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
        for (int i = 0; i < events; i++)
        {
            TestEvents.trade(buffer, i % 97, (i % 1000) + 0.5, 1, i * 2L);
            publisher.publish(buffer, 0);
        }
    }

    /**
     * Per partition thread: the stages of the slot in progress, checked when the total arrives (after
     * the last stage, on the same thread).
     */
    private static final class Checker implements StageLatencyListener, IngestLatencyListener
    {
        private final ThreadLocal<long[]> current = ThreadLocal.withInitial(() -> new long[] {-1, 0, 0, 0});
        private final AtomicLongArray counts;
        private final AtomicLongArray totals;
        private final AtomicLong events = new AtomicLong();
        private final List<String> failures = Collections.synchronizedList(new ArrayList<>());

        Checker(final int stages)
        {
            counts = new AtomicLongArray(stages);
            totals = new AtomicLongArray(stages);
        }

        @Override
        public void onStage(final int partition, final int stage, final long nanos)
        {
            // [0] last stage id of the slot, [1] sum of its stages, [2] its ring wait, [3] stages seen
            final long[] slot = current.get();
            if (stage <= slot[0])
            {
                failures.add("stage " + stage + " after stage " + slot[0] + " on partition " + partition);
            }
            if (nanos < 0)
            {
                failures.add("stage " + stage + " took " + nanos + " ns");
            }
            if (stage == RING_WAIT)
            {
                slot[2] = nanos;
            }
            slot[0] = stage;
            slot[1] += nanos;
            slot[3]++;
            counts.incrementAndGet(stage);
            totals.addAndGet(stage, nanos);
        }

        @Override
        public void onProcessed(final int partition, final long ingestNanos, final long doneNanos)
        {
            final long[] slot = current.get();
            final long total = doneNanos - ingestNanos;
            if (slot[3] < 2 || slot[2] > total || slot[1] > total)
            {
                failures.add("partition " + partition + ": " + slot[3] + " stages, ring " + slot[2] + " ns, stages " + slot[1] +
                    " ns, total " + total + " ns");
            }
            events.incrementAndGet();
            slot[0] = -1;
            slot[1] = 0;
            slot[2] = 0;
            slot[3] = 0;
        }
    }
}
