package io.sluice.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.TestEvents;

/**
 * The optional turn CPU listener: with one set, every turn that took slots is reported with its slots and the
 * processing thread's CPU time, and the reports cover every slot; an engine without one reports nothing, also while
 * another engine in the same process has one. No timing thresholds: only the relations that must hold.
 */
class TurnCpuListenerTest
{
    private static final int EVENTS = 20_000;
    private static final int BATCH_LIMIT = 256;

    @TempDir
    Path dir;

    @Test
    void shouldReportTheCpuTimeOfEveryTurnOverTheSlotsItTook()
    {
        final Turns turns = new Turns();
        final AtomicLong processed = new AtomicLong();
        try (Engine engine = Engine.launch(context(dir.resolve("on"), 2).turnCpuListener(turns), List.of(everyTrade(processed))))
        {
            publish(engine, EVENTS);
            Await.await("every event processed", () -> processed.get() == EVENTS);
            assertThat(engine.drain(Await.DEADLINE_SECONDS, TimeUnit.SECONDS)).isTrue();
        }

        // The engine is closed: no report can still arrive.
        assertThat(turns.failures.get()).as("reports outside [1, batch limit] slots, a negative time or an unknown partition").isZero();
        assertThat(turns.turns.get()).isPositive();
        assertThat(turns.slots.get()).as("slots reported, against the events published").isGreaterThanOrEqualTo(EVENTS);
        assertThat(turns.cpuNanos.get()).as("CPU time over all turns").isPositive();
    }

    @Test
    void shouldReportNothingOfAnEngineWithoutAListener()
    {
        // Two engines at once: "on" with a listener and a quarter of the events, "off" without one and the rest. Were
        // the off engine's turns reported anywhere (a switch shared by the process), the slots would exceed all events.
        final Turns turns = new Turns();
        final AtomicLong processedOn = new AtomicLong();
        final AtomicLong processedOff = new AtomicLong();
        final int eventsOn = EVENTS / 4;
        final int eventsOff = EVENTS - eventsOn;
        try (Engine on = Engine.launch(context(dir.resolve("on"), 1).turnCpuListener(turns), List.of(everyTrade(processedOn)));
            Engine off = Engine.launch(context(dir.resolve("off"), 1), List.of(everyTrade(processedOff))))
        {
            publish(off, eventsOff);
            publish(on, eventsOn);
            Await.await("every event of both engines processed", () -> processedOn.get() == eventsOn && processedOff.get() == eventsOff);
            assertThat(on.drain(Await.DEADLINE_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(off.drain(Await.DEADLINE_SECONDS, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(turns.failures.get()).isZero();
        assertThat(turns.cpuNanos.get()).isPositive();
        assertThat(turns.slots.get()).as("slots reported: the on engine's, none of the off engine's")
            .isGreaterThanOrEqualTo(eventsOn).isLessThan(EVENTS);
    }

    private static EngineContext context(final Path directory, final int partitions)
    {
        return new EngineContext().directory(directory).partitions(partitions).ringSize(1024).partitionBatchLimit(BATCH_LIMIT)
            .journalSegmentLength(4 * 1024 * 1024).checkpoints(false).tickIntervalMillis(0).warmUpEvents(0)
            .waitStrategy(WaitStrategyKind.SLEEP);
    }

    private static Pipeline everyTrade(final AtomicLong processed)
    {
        return Pipeline.from("trades", TestEvents.TRADE).name("every-trade").partitionKey("account").eventTime("ts", 50)
            .filter("all", e -> true).sink("count", (p, s, k, t, e) -> processed.incrementAndGet()).build();
    }

    private static void publish(final Engine engine, final int events)
    {
        final EventPublisher publisher = engine.publisher("trades");
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TestEvents.TRADE.length()]);
        for (int i = 0; i < events; i++)
        {
            TestEvents.trade(buffer, i % 97, (i % 1000) + 0.5, 1, i * 2L);
            publisher.publish(buffer, 0);
        }
    }

    /** Sums the reports, from any processing thread, and counts the ones that break the listener's contract. */
    private static final class Turns implements TurnCpuListener
    {
        private final AtomicLong turns = new AtomicLong();
        private final AtomicLong slots = new AtomicLong();
        private final AtomicLong cpuNanos = new AtomicLong();
        private final AtomicLong failures = new AtomicLong();

        @Override
        public void onTurn(final int partition, final int slots, final long cpuNanos)
        {
            if (slots < 1 || slots > BATCH_LIMIT || cpuNanos < 0 || partition < 0 || partition > 1)
            {
                failures.incrementAndGet();
            }
            turns.incrementAndGet();
            this.slots.addAndGet(slots);
            this.cpuNanos.addAndGet(cpuNanos);
        }
    }
}
