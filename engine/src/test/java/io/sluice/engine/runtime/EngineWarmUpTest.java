package io.sluice.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;

import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.errors.ErrorLogReader;
import org.junit.jupiter.api.Test;

import io.sluice.engine.exec.PipelineInstance;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.TestEvents;

class EngineWarmUpTest
{
    private static Pipeline.Builder trades(final String name)
    {
        return Pipeline.from("trades", TestEvents.TRADE).name(name).partitionKey("account").eventTime("ts", 0);
    }

    @Test
    void shouldStepThroughEveryDistinctWindowPeriodAscending()
    {
        final List<Pipeline> pipelines = List.of(
            trades("tumbling").window(w -> w.tumbling(100).count("n")).sink("s", new TestEvents.TextSink()).build(),
            trades("sliding").window(w -> w.sliding(1_000, 10).count("n")).sink("s", new TestEvents.TextSink()).build(),
            trades("session").window(w -> w.session(50).count("n")).sink("s", new TestEvents.TextSink()).build(),
            trades("again").window(w -> w.tumbling(100).count("n")).sink("s", new TestEvents.TextSink()).build(),
            trades("plain").sink("s", new TestEvents.TextSink()).build());

        assertThat(EngineWarmUp.windowPeriods(pipelines)).containsExactly(10, 50, 100);
    }

    @Test
    void shouldCloseThousandsOfWindowsOfEveryKindOnScratchStateWithoutLateEventsOrErrors()
    {
        final TestEvents.TextSink sink = new TestEvents.TextSink();
        final List<Pipeline> pipelines = List.of(
            trades("tumbling").window(w -> w.tumbling(100).count("n")).sink("s", sink).build(),
            trades("sliding").window(w -> w.sliding(20, 10).count("n")).sink("s", sink).build(),
            trades("session").window(w -> w.session(50).count("n")).sink("s", sink).build());
        final List<SourceGroups.Plan> plans = SourceGroups.plan(pipelines);
        assertThat(plans).hasSize(1);
        final DistinctErrorLog errorLog = new DistinctErrorLog(new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024)), SystemEpochClock.INSTANCE);

        final PipelineInstance[] instances = EngineWarmUp.warm(plans.get(0), 1_000, EngineWarmUp.WINDOW_CLOSES, 1_024, errorLog).instances();

        assertThat(ErrorLogReader.read(errorLog.buffer(), (count, first, last, text) -> { })).as("no error in the warm-up").isZero();
        assertThat(instances).hasSize(3);
        for (final PipelineInstance instance : instances)
        {
            // Every window close emits at least one result (its windows hold events). The main events, 1,000 over 1 s of
            // event time and 1,024 keys, give about 1,000 (tumbling, session) or 2,000 (sliding) results: this many come
            // from the close phase.
            assertThat(instance.outputs()).as("results of %s", instance.pipeline().name()).isGreaterThanOrEqualTo(EngineWarmUp.WINDOW_CLOSES);
            assertThat(instance.lateEvents()).isZero();
            assertThat(instance.errors()).isZero();
        }
        assertThat(sink.lines()).as("the scratch copies' sinks discard").isEmpty();
    }

    @Test
    void shouldHandTheMainPassesFirstResultsToDiscardingSinksOfEveryClass()
    {
        // Under load the tiered policy compiles the sink stage with C1 without profiling (C2 behind), and C2 later compiles
        // the event path from the interpreter's profile alone: that profile must already hold several sink classes, or
        // C2's code speculates on one and traps at the first live result (perf/README.md sections 80, 90). The main pass
        // runs first, so the first results are its.
        final int profiled = 300;
        final int[] byClass = new int[3];
        final int[] seen = {0};
        final io.sluice.engine.pipeline.EventSink[] sinks = {
            new ClassA(byClass, seen, profiled), new ClassB(byClass, seen, profiled), new ClassC(byClass, seen, profiled)};
        final List<SourceGroups.Plan> plans = SourceGroups.plan(List.of(
            trades("tumbling").window(w -> w.tumbling(100).count("n")).sink("s", new TestEvents.TextSink()).build()));
        final DistinctErrorLog errorLog = new DistinctErrorLog(new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024)), SystemEpochClock.INSTANCE);

        EngineWarmUp.warm(plans.get(0), 1_000, 64, 1_024, errorLog, sinks);

        assertThat(seen[0]).as("results over all passes").isGreaterThan(profiled);
        assertThat(byClass[0] + byClass[1] + byClass[2]).isEqualTo(profiled);
        for (int c = 0; c < byClass.length; c++)
        {
            assertThat(byClass[c]).as("of the first %d results, class %d's (%s)", profiled, c, java.util.Arrays.toString(byClass))
                .isGreaterThanOrEqualTo(profiled / 6);
        }
    }

    /** Counts, by its class, which sink each of the first {@code upTo} results reached. */
    private abstract static class ClassCounting implements io.sluice.engine.pipeline.EventSink
    {
        private final int[] byClass;
        private final int[] seen;
        private final int upTo;
        private final int index;

        ClassCounting(final int[] byClass, final int[] seen, final int upTo, final int index)
        {
            this.byClass = byClass;
            this.seen = seen;
            this.upTo = upTo;
            this.index = index;
        }

        @Override
        public void onEvent(final int partition, final long sequence, final long key, final long timestamp,
            final io.sluice.schema.EventFlyweight event)
        {
            if (seen[0]++ < upTo)
            {
                byClass[index]++;
            }
        }
    }

    private static final class ClassA extends ClassCounting
    {
        ClassA(final int[] byClass, final int[] seen, final int upTo)
        {
            super(byClass, seen, upTo, 0);
        }
    }

    private static final class ClassB extends ClassCounting
    {
        ClassB(final int[] byClass, final int[] seen, final int upTo)
        {
            super(byClass, seen, upTo, 1);
        }
    }

    private static final class ClassC extends ClassCounting
    {
        ClassC(final int[] byClass, final int[] seen, final int upTo)
        {
            super(byClass, seen, upTo, 2);
        }
    }

    @Test
    void shouldSettleOnlyOnceTheCompileQueuesAreEmptyOrTheLimitHasPassedWithoutOutputsOrErrors()
    {
        final TestEvents.TextSink sink = new TestEvents.TextSink();
        final List<SourceGroups.Plan> plans = SourceGroups.plan(List.of(
            trades("tumbling").window(w -> w.tumbling(100).count("n")).sink("s", sink).build()));
        final DistinctErrorLog errorLog = new DistinctErrorLog(new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024)), SystemEpochClock.INSTANCE);
        final long limitMs = 300;

        final EngineWarmUp.Settled settled = EngineWarmUp.settle(plans, 1_000, 1_024, errorLog, limitMs, CompileQueue.ofThisJvm());

        // Whatever the JIT is doing: it never stops with compilations in hand before the limit, and the queues are readable here.
        assertThat(settled.tasksLeft()).isGreaterThanOrEqualTo(0);
        if (settled.tasksLeft() > 0)
        {
            assertThat(settled.nanos()).isGreaterThanOrEqualTo(limitMs * 1_000_000L);
        }
        assertThat(ErrorLogReader.read(errorLog.buffer(), (count, first, last, text) -> { })).as("no error in the passes").isZero();
        assertThat(sink.lines()).as("the scratch copies' sinks discard").isEmpty();
        assertThat(EngineWarmUp.settle(plans, 1_000, 1_024, errorLog, 0, CompileQueue.ofThisJvm()).passes())
            .as("no pass without time for one").isZero();
    }

    @Test
    void shouldEmitEveryClosingWindowsResultsBeforeTheNextWindowWhenTheFiringSliceIsSmall()
    {
        // The demo's windows fire 4 results per event; each window here holds up to 4 events x 12 (or 10) sliding windows
        // of results, more than its 4 events emit. Before the warm-up ticked the rest out, the firing fell behind by
        // ~590,000 results over the three periods, every pane stayed (50,156 state entries) and the end of input took
        // tens of seconds to drain it (perf/README.md section 59).
        final List<Pipeline> pipelines = List.of(
            trades("sliding 60s/5s").window(w -> w.sliding(60_000, 5_000).count("n").firingSlice(1))
                .sink("s", new TestEvents.TextSink()).build(),
            trades("tumbling 5min").window(w -> w.tumbling(300_000).count("n").firingSlice(1))
                .sink("s", new TestEvents.TextSink()).build(),
            trades("sliding 10min/1min").window(w -> w.sliding(600_000, 60_000).count("n").firingSlice(1))
                .sink("s", new TestEvents.TextSink()).build());
        final DistinctErrorLog errorLog = new DistinctErrorLog(new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024)), SystemEpochClock.INSTANCE);

        final EngineWarmUp.Warmed warmed = EngineWarmUp.warm(SourceGroups.plan(pipelines).get(0), 1_000, EngineWarmUp.WINDOW_CLOSES, 1_024, errorLog);

        assertThat(warmed.closingResultsPending()).as("a firing still in progress after a period's closes").isFalse();
        // What the last windows of a period hold: at most a row per closing key in each pane of the longest window (13).
        assertThat(warmed.largestClosingState()).as("state entries left by the closes").isLessThanOrEqualTo(16 * 13);
        for (final PipelineInstance instance : warmed.instances())
        {
            assertThat(instance.outputs()).as("results of %s", instance.pipeline().name()).isGreaterThanOrEqualTo(EngineWarmUp.WINDOW_CLOSES);
            assertThat(instance.stateEntries()).as("state of %s after the end of input", instance.pipeline().name()).isZero();
            assertThat(instance.lateEvents()).isZero();
        }
    }
}
