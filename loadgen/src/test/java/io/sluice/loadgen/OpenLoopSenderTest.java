package io.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.schema.Schema;

class OpenLoopSenderTest
{
    private static final Schema TICK = Schema.builder("tick").longField("key").timestampField("ts")
        .longField(ScenarioTopic.SENT_NS).build();
    private static final long RATE = 10_000;
    private static final long STALL_NS = 200_000_000L;
    private static final int STALL_AT = 2_000;

    @TempDir
    Path dir;

    /** One topic of trivial events. */
    private static final class Ticks implements Scenario
    {
        private final long events;
        private long index;

        Ticks(final long events)
        {
            this.events = events;
        }

        @Override
        public String name()
        {
            return "ticks";
        }

        @Override
        public List<ScenarioTopic> topics()
        {
            return List.of(new ScenarioTopic("ticks", TICK, "key", "ts", ScenarioTopic.SENT_NS));
        }

        @Override
        public long eventCount()
        {
            return events;
        }

        @Override
        public int next(final MutableDirectBuffer buffer, final int offset)
        {
            buffer.putLong(offset, index);
            buffer.putLong(offset + 8, index++);
            return 0;
        }

        @Override
        public List<InjectedPattern> injected()
        {
            return List.of();
        }
    }

    /**
     * Processes each event as it is sent (the latency is recorded at once), but stalls once, the way
     * a full ring or a GC pause holds a producer up. A closed-loop generator would see one slow event;
     * an open-loop one must see every event that fell due during the stall wait for it.
     */
    private static final class StallingTarget implements LoadTarget
    {
        private final LatencyRecorder recorder;
        private int sent;

        StallingTarget(final LatencyRecorder recorder)
        {
            this.recorder = recorder;
        }

        @Override
        public void open(final List<ScenarioTopic> topics)
        {
        }

        @Override
        public void send(final int topic, final DirectBuffer buffer, final int offset)
        {
            if (sent++ == STALL_AT)
            {
                final long until = System.nanoTime() + STALL_NS;
                while (System.nanoTime() < until)
                {
                    LockSupport.parkNanos(until - System.nanoTime());
                }
            }
            recorder.record(buffer.getLong(offset + TICK.field(ScenarioTopic.SENT_NS).offset()), System.nanoTime());
        }

        @Override
        public void endOfInput()
        {
        }

        @Override
        public boolean awaitDrained(final long timeoutMs)
        {
            return true;
        }

        @Override
        public String describe()
        {
            return "stalling test target";
        }

        @Override
        public void close()
        {
        }
    }

    @Test
    void shouldChargeAStallToEveryEventDueDuringItNotJustTheOneThatStalled() throws Exception
    {
        final RatePlan plan = RatePlan.steady(RATE, 0, 1_000, 0, 0, 2);
        final LatencyRecorder recorder = new LatencyRecorder(plan);

        final RunResult result = LoadGenerator.run(new Ticks(plan.totalEvents()), plan, recorder, new StallingTarget(recorder),
            new LoadOptions().intervalMs(100).outputDirectory(dir));

        final Histogram latency = result.measuredLatency();
        assertThat(result.sent()).isEqualTo(RATE);
        assertThat(latency.getTotalCount()).isEqualTo(RATE);
        // 200 ms at 10k/s: 2,000 events fall due during the stall; the first half of them wait over 100 ms.
        final long over100ms = latency.getTotalCount() - latency.getCountBetweenValues(0, 100_000_000L);
        assertThat(over100ms).as("events that waited over 100 ms").isGreaterThanOrEqualTo(900);
        assertThat(latency.getValueAtPercentile(90)).isGreaterThanOrEqualTo(50_000_000L);
        assertThat(latency.getMaxValue()).isGreaterThanOrEqualTo(STALL_NS * 9 / 10);
        assertThat(result.maxLagNs()).isGreaterThanOrEqualTo(STALL_NS * 9 / 10);
        // The stall is held in the target's send: one send at least as long, counted apart from the absences.
        assertThat(result.senderHeldSends().getMaxValue()).as("longest send").isGreaterThanOrEqualTo(STALL_NS * 999 / 1_000);
        assertThat(result.files().values()).allSatisfy(f -> assertThat(Files.size(f)).isPositive());
        assertThat(Files.readString(result.files().get("hlog"))).contains("Tag=measure");
    }

    @Test
    void shouldKeepTheWarmUpOutOfTheSenderLagAndTheMeasuredLatency() throws Exception
    {
        final RatePlan plan = RatePlan.steady(RATE, 300, 500, 0, 0, 2);
        final LatencyRecorder recorder = new LatencyRecorder(plan);

        final RunResult result = LoadGenerator.run(new Ticks(plan.totalEvents()), plan, recorder, new StallingTarget(recorder),
            new LoadOptions().intervalMs(100));

        // The sender times the warm-up's events too (the same code in every phase), but reports only the measured ones.
        assertThat(result.sent()).isEqualTo(RATE * 800 / 1_000);
        assertThat(result.senderLag().getTotalCount()).isEqualTo(RATE * 500 / 1_000);
        assertThat(result.measuredLatency().getTotalCount()).isEqualTo(RATE * 500 / 1_000);
        assertThat(result.groups()).filteredOn(g -> RatePlan.WARM_UP.equals(g.name())).singleElement()
            .satisfies(g -> assertThat(g.latency().getTotalCount()).isEqualTo(RATE * 300 / 1_000));
    }

    @Test
    void shouldRecordEachSweepStepApartAndPlotLatencyAgainstRate() throws Exception
    {
        final RatePlan plan = RatePlan.sweep(new long[] {2_000, 4_000}, 200, 500);
        final LatencyRecorder recorder = new LatencyRecorder(plan);
        final RunResult result = LoadGenerator.run(new Ticks(plan.totalEvents()), plan, recorder, new StallingTarget(recorder),
            new LoadOptions().intervalMs(100).outputDirectory(dir));

        assertThat(result.groups()).extracting(RunResult.GroupResult::name).containsExactly("warm-up", "rate-2000", "rate-4000");
        assertThat(result.measured()).extracting(RunResult.GroupResult::sent).containsExactly(1_000L, 2_000L);
        assertThat(result.measured()).allSatisfy(g -> assertThat(g.latency().getTotalCount()).isEqualTo(g.sent()));
        assertThat(result.files()).containsKeys("hlog", "hgrm", "percentiles-png", "rate-png");
        assertThat(dir.resolve("latency-rate-4000.hgrm")).exists();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // a guard against a hang, not a measurement: without the unpark the waiter parks for ever
    void shouldUnparkTheThreadWaitingForItOnceDone() throws Exception
    {
        final RatePlan plan = RatePlan.steady(RATE, 0, 100, 0, 0, 2);
        final LatencyRecorder recorder = new LatencyRecorder(plan);
        final OpenLoopSender sender = new OpenLoopSender(new Ticks(plan.totalEvents()), plan, new StallingTarget(recorder), recorder, 0);
        sender.wakeWhenDone(Thread.currentThread());
        final Thread thread = new Thread(sender, "sluice-loadgen-sender");
        thread.start();
        while (!sender.done())
        {
            LockSupport.park(); // no deadline: only the sender's unpark (or a spurious wake-up) ends it
        }
        thread.join();
        assertThat(sender.failure()).isNull();
        assertThat(sender.sent()).isEqualTo(plan.totalEvents());
    }

    @Test
    void shouldRunItsEndActionOnItsOwnThreadAfterTheLastSendBeforeItIsDone() throws Exception
    {
        final RatePlan plan = RatePlan.steady(RATE, 0, 100, 0, 0, 2);
        final LatencyRecorder recorder = new LatencyRecorder(plan);
        final java.util.concurrent.atomic.AtomicReference<String> endThread = new java.util.concurrent.atomic.AtomicReference<>();
        final java.util.concurrent.atomic.AtomicLong sentAtEnd = new java.util.concurrent.atomic.AtomicLong(-1);
        final java.util.concurrent.atomic.AtomicBoolean doneAtEnd = new java.util.concurrent.atomic.AtomicBoolean(true);
        final OpenLoopSender[] self = new OpenLoopSender[1];
        self[0] = new OpenLoopSender(new Ticks(plan.totalEvents()), plan, new StallingTarget(recorder), recorder, 0, () -> { }, () ->
        {
            endThread.set(Thread.currentThread().getName());
            sentAtEnd.set(self[0].sent());
            doneAtEnd.set(self[0].done());
        });
        final Thread thread = new Thread(self[0], "sluice-loadgen-sender");
        thread.start();
        thread.join();
        assertThat(self[0].failure()).isNull();
        assertThat(endThread.get()).isEqualTo("sluice-loadgen-sender");
        assertThat(sentAtEnd.get()).isEqualTo(plan.totalEvents());
        assertThat(doneAtEnd.get()).isFalse();
        assertThat(self[0].done()).isTrue();
    }

    @Test
    void shouldFailTheRunWhenItsEndActionThrows() throws Exception
    {
        final RatePlan plan = RatePlan.steady(RATE, 0, 100, 0, 0, 2);
        final LatencyRecorder recorder = new LatencyRecorder(plan);
        final OpenLoopSender sender = new OpenLoopSender(new Ticks(plan.totalEvents()), plan, new StallingTarget(recorder), recorder, 0,
            () -> { }, () ->
            {
                throw new IllegalStateException("end action failed");
            });
        final Thread thread = new Thread(sender, "sluice-loadgen-sender");
        thread.start();
        thread.join();
        assertThat(sender.failure()).isInstanceOf(IllegalStateException.class).hasMessage("end action failed");
        assertThat(sender.done()).isTrue();
    }
}
