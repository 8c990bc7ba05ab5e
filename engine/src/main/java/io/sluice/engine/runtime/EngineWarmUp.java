package io.sluice.engine.runtime;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;

import io.sluice.engine.exec.EventBatch;
import io.sluice.engine.exec.PartitionDispatcher;
import io.sluice.engine.exec.PipelineInstance;
import io.sluice.engine.exec.StageErrorHandler;
import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.StageSpec;
import io.sluice.engine.pipeline.WindowSpec;
import io.sluice.engine.time.WatermarkGenerator;
import io.sluice.schema.Decimals;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Field;

/**
 * JIT warm-up before the engine accepts input ({@link EngineProfile#LOW_LATENCY}): synthetic events
 * run through a scratch copy of every pipeline group ({@link PipelineInstance#scratch}: fresh state,
 * sinks that discard), driven by the same {@link PartitionDispatcher} the partition threads use, so the
 * per-event methods of the dispatcher, the stages and the window and join operators are compiled
 * before the first real event. Nothing reaches the journal, the engine's state or any output; user
 * filters and mappers do run, on synthetic values.
 *
 * <p>The events: sources in turn; event time advancing 1 ms per event from a fixed epoch-aligned
 * base, so windows open and fire; keys over 1,024 values; other numbers uniform in [0, 1000) from a
 * fixed seed; symbols {@code W0..W15}; booleans true one time in eight. Then, for each distinct window period
 * of the group's pipelines (an aligned window's hop, a session's gap), {@value #WINDOW_CLOSES} windows that each
 * close: {@value #EVENTS_PER_WINDOW} events over {@value #CLOSING_KEYS} keys spread over one period, then a period
 * without events. The code that runs once per window (its opening, the sort of its keys, its firing and purge) runs
 * a few times a second live, too rarely for the JIT to compile it in hours: without this phase each live close ran it
 * interpreted, 42-91 us at 1M events/s (perf/README.md sections 51, 56). At the end of each window, continuation ticks
 * emit what its firing still holds, as the partition thread's ticks do on a quiet partition: with a small firing slice
 * (the demo's is 4 results per event) the events alone emitted less than each window's results, the firing fell
 * behind by hundreds of thousands of results and the panes could not be freed, so every later close walked tens of
 * thousands of panes and the end of input spent tens of seconds draining them (perf/README.md section 59).
 *
 * <p>Then {@value #FRESH_PASSES} shorter passes (a quarter of the events and closes each) on fresh scratch copies, keys
 * in turn so that every key has events in every window, events sharing their millisecond in fours. The live operators are
 * fresh too: a fresh operator's first events, a close with no idle key and an event that does not move the watermark were
 * branches the main pass never showed the JIT, and the first live close threw the compiled event path away on each of
 * them (perf/README.md section 66). Every pass hands its results to discarding sinks of {@value #SINK_CLASS_COUNT}
 * classes, changed at random between events and ticks, so that the sink stage's call is profiled as a call of several
 * classes from its first profiled call on and the engine's own sink (a class it never met) takes no trap out of the
 * compiled event path at the first live result: with one class per pass, the sink stage compiled by C1 without a
 * profile (the tiered policy's choice while C2 is behind, as under load) kept the interpreter's profile of the main
 * pass's one class, and C2's event path trapped at the first live result (perf/README.md sections 80, 90). These passes hand events over, by
 * runs of {@value #RUN_EVENTS} in turn, one at a time, as a run (the live engine's path) and with stage timing (an engine
 * with a stage latency listener), so that each entry point is compiled before the engine accepts. The events are written
 * off the heap, as the ring's slots are.
 *
 * <p>A processing-time tick every 1,024 events (with a continuation tick behind it), a copy of the scratch state as
 * a checkpoint makes it every 64 events and an end of input at the end exercise those paths too. The copies run
 * through the partition thread's own {@link PartitionSnapshotter} as on a live partition: a barrier, then a slice
 * every {@value #SLICE_EVERY_EVENTS} events of at most {@value #SLICE_ROWS} rows, so that a copy takes several
 * slices and the events between them change rows still to copy (copy on write); warmed with copies done in one
 * slice and no event between, those branches were first taken at the first live checkpoint, where the JIT threw
 * away the compiled slice and event code (perf/README.md section 51). The copies are discarded, and
 * {@value #EXTRA_BARRIERS} more barriers follow the end of input: a barrier runs about once a second, too rarely for
 * the JIT to get to its code in a run of hours, and interpreted it costs the partition tens of microseconds per
 * checkpoint; warmed, the barrier is compiled by C2 before the first real one. The pause and slice recorders are
 * read every {@value #SAMPLE_EVERY_BARRIERS} of those barriers, as the engine's histograms read the live ones.
 *
 * <p>Last, with {@value #JIT_SETTLE_MS_PROP_NAME} set (off by default), the warm-up waits for the JIT ({@link #settle}):
 * while its compile queues hold work, more short live-shaped passes, for at most that many milliseconds, so that the code
 * it warmed is compiled before the first real event rather than during the first window closes. The engine's profile
 * line then says how that ended.
 *
 * <p>Threading: the launching thread, before the partition threads start.
 */
final class EngineWarmUp
{
    private static final long BASE_TIME_MS = 1_000_000_000_000L;
    private static final int KEYS = 1_024;
    private static final long SEED = 0x5EED_1A7E_0C1CL;
    /** Events between two copies of the scratch state (a power of two): about 1,600 in a default warm-up. */
    private static final int SNAPSHOT_EVERY_EVENTS = 64;
    /**
     * Rows a warm-up slice looks at at most (or the engine's slice, if smaller): a copy of the scratch state's
     * ~1,000 rows then takes several slices.
     */
    private static final int SLICE_ROWS = 64;
    /** Events between two slices of a copy in progress (a power of two): 16 slices of 64 rows take 32 events. */
    private static final int SLICE_EVERY_EVENTS = 2;
    /**
     * Barriers after the end of input, on the (by then small) scratch state: with those during the events,
     * past C2's invocation thresholds for the barrier's methods.
     */
    static final int EXTRA_BARRIERS = 12_000;
    /**
     * Barriers between two reads of the pause and slice recorders (a power of two), as the engine's histograms read
     * the live ones: each read flips the recorders' phase, so both of their recording paths are compiled.
     */
    private static final int SAMPLE_EVERY_BARRIERS = 64;
    /**
     * Windows that close per window period of a group, after the main events: the per-window code (a window's opening,
     * the sort of its keys, its firing, its purge) runs once per window, a few times a second live, too rarely to be
     * compiled in hours; interpreted, a close cost 42-91 us at 1M events/s (perf/README.md sections 51, 56).
     */
    static final int WINDOW_CLOSES = 8_192;
    /** Property for the window closes an engine's warm-up runs per window period ({@code 0} turns the phase off). */
    static final String LIVE_WINDOW_CLOSES_PROP_NAME = "sluice.engine.warm.up.window.closes";
    /**
     * Window closes an engine's warm-up runs per window period: {@link #WINDOW_CLOSES} unless
     * {@value #LIVE_WINDOW_CLOSES_PROP_NAME} says otherwise. Before the continuation ticks at each window's end the phase's
     * firing fell hundreds of thousands of results behind and the warm-up ran for tens of seconds; {@code ./sluice demo}'s
     * p99 then went from 0.9-1.3 ms to 8-12 ms on a quiet 2-core machine. With the ticks its p99 is that of the phase
     * off, alternated on a quiet machine (perf/README.md "Latest report").
     */
    static final int LIVE_WINDOW_CLOSES = Math.max(0, Integer.getInteger(LIVE_WINDOW_CLOSES_PROP_NAME, WINDOW_CLOSES));
    /** Events in each of those windows. */
    private static final int EVENTS_PER_WINDOW = 4;
    /**
     * Keys of those events: a sliding window of many hops holds the events of many windows before it, and fires a result
     * per key it holds at each close.
     */
    private static final int CLOSING_KEYS = 16;
    /**
     * Longest window period the close phase steps through (a year of milliseconds): event time stays far from
     * overflow after thousands of periods.
     */
    private static final long MAX_WINDOW_PERIOD_MS = 366L * 24 * 3600 * 1000;
    /**
     * Passes after the main one, each on fresh scratch copies, whose every key has events in every window: the first
     * events of fresh operators and windows with no idle key were branches the JIT had never seen taken, and their
     * first live taking threw compiled code away during the first window closes (perf/README.md section 66).
     */
    static final int FRESH_PASSES = 2;
    /** A fresh pass runs this fraction (1 / n) of the main pass's events and window closes. */
    private static final int FRESH_PASS_SHARE = 4;
    /**
     * Events of a fresh pass that share an event time (a power of two): with each event a millisecond of its own, an event
     * no later than the latest (the watermark unmoved) was a branch never taken before the first live one.
     */
    private static final int SHARED_TIME_EVENTS = 4;
    /** Events of a run a live-shaped pass hands over at once (a power of two). */
    private static final int RUN_EVENTS = 8;
    /** Keys of a fresh pass's main events, in turn. */
    private static final int FRESH_PASS_KEYS = 64;
    /**
     * The sinks the copies discard into, each of a class of its own, in turn at random between events: the sink stage's
     * call then has seen three classes from its first profiled call on, is compiled as a call of any class, and the
     * engine's own sink (a fourth) takes no trap at the first live result.
     */
    private static final EventSink[] DISCARDING_SINKS = {
        (partition, sequence, key, timestamp, event) -> { },
        (partition, sequence, key, timestamp, event) -> { },
        (partition, sequence, key, timestamp, event) -> { },
    };
    /** Classes of {@link #DISCARDING_SINKS}. */
    static final int SINK_CLASS_COUNT = 3;
    /**
     * Property: {@code false} gives every pass the first of {@link #DISCARDING_SINKS} alone, so the sink call stays
     * compiled for one class (inlined, with a trap at the first live result); for the A/B of perf/README.md section 66,
     * where the firing after a close cost more with the three classes at load 11-13.
     */
    static final String SINK_CLASSES_PROP_NAME = "sluice.engine.warm.up.sink.classes";
    private static final boolean SINK_CLASSES = Boolean.parseBoolean(System.getProperty(SINK_CLASSES_PROP_NAME, "true"));
    private static final StageErrorHandler IGNORE = (pipeline, stage, policy, event, key, timestamp, error) -> { };
    /**
     * Property: the longest the warm-up goes on after its passes, in milliseconds, for the JIT to compile what they
     * warmed ({@code 0}: not at all). See {@link #settle}.
     */
    static final String JIT_SETTLE_MS_PROP_NAME = "sluice.engine.warm.up.jit.settle.ms";
    /**
     * The longest {@link #settle} goes on: {@value #JIT_SETTLE_MS_PROP_NAME}, 0 (off) by default until a quiet A/B shows
     * it pays: reading the queues starts the platform MBean server (seconds under load, perf/README.md section 80).
     */
    static final long JIT_SETTLE_MS = Math.max(0, Long.getLong(JIT_SETTLE_MS_PROP_NAME, 0));
    /** Between two settling passes: the compiler threads take the cpu the launching thread leaves them. */
    private static final long SETTLE_PAUSE_MS = 50;
    /** A settling pass runs this fraction (1 / n) of the main pass's events and window closes. */
    private static final int SETTLE_PASS_SHARE = 16;

    private EngineWarmUp()
    {
    }

    /**
     * Runs {@code events} synthetic events through a scratch copy of every group's pipelines.
     *
     * @param plans  of the groups, as the engine built them.
     * @param events per group.
     * @return nanoseconds the warm-up took.
     */
    static long run(final List<SourceGroups.Plan> plans, final int events, final int sliceRows, final DistinctErrorLog errorLog)
    {
        final long start = System.nanoTime();
        for (final SourceGroups.Plan plan : plans)
        {
            warm(plan, events, LIVE_WINDOW_CLOSES, sliceRows, errorLog);
        }
        return System.nanoTime() - start;
    }

    /**
     * After {@link #run}: while the JIT's compile queues hold work ({@link CompileQueue}), one more short live-shaped pass
     * per group (a sixteenth of the main pass, sinks of the fresh passes' classes) and a pause of {@value #SETTLE_PAUSE_MS}
     * ms, for at most {@code maxMs} (and the pass under way). The passes queue their hot methods for
     * C2 as they reach its thresholds; on a busy machine the C2 queue is seconds long, and the engine then accepted
     * while its event path, firing included, ran C1 code (about 3x the firing's cost per result) and C2's versions came
     * in during the first window closes, one of them compiled from a profile of the warm-up's sink alone and thrown away
     * at the first live result (perf/README.md section 80). The passes go on so that code the tiered policy compiled
     * without a profile while C2 was behind (C1's level 2) is profiled again as the queue shortens.
     *
     * @param plans  of the groups, as the engine built them.
     * @param events main events per group, as given to {@link #run}.
     * @param maxMs  the longest the passes go on.
     * @param queue  the JIT's compile queues.
     * @return what it took.
     */
    static Settled settle(final List<SourceGroups.Plan> plans, final int events, final int sliceRows, final DistinctErrorLog errorLog,
        final long maxMs, final CompileQueue queue)
    {
        final long start = System.nanoTime();
        final long deadline = start + maxMs * 1_000_000L;
        final Pass[] passes = new Pass[FRESH_PASSES];
        for (int i = 0; i < passes.length; i++)
        {
            passes[i] = new Pass(discardingSinks(), events / SETTLE_PASS_SHARE, FRESH_PASS_KEYS, true,
                LIVE_WINDOW_CLOSES / SETTLE_PASS_SHARE, 0);
        }
        int ran = 0;
        int tasks = queue.tasks();
        while (tasks > 0 && System.nanoTime() - deadline < 0)
        {
            for (final SourceGroups.Plan plan : plans)
            {
                passes[ran % passes.length].run(plan, sliceRows, errorLog);
            }
            ran++;
            java.util.concurrent.locks.LockSupport.parkNanos(SETTLE_PAUSE_MS * 1_000_000L);
            tasks = queue.tasks();
        }
        return new Settled(ran, tasks, System.nanoTime() - start);
    }

    /**
     * What {@link #settle} took.
     *
     * @param passes    settling passes run (per group).
     * @param tasksLeft compilations running or queued at its end, {@link CompileQueue#UNREADABLE} if unknown.
     * @param nanos     it took.
     */
    record Settled(int passes, int tasksLeft, long nanos)
    {
        /**
         * @return the outcome in a few words, for the profile's line.
         */
        String describe()
        {
            final long ms = nanos / 1_000_000;
            if (tasksLeft == CompileQueue.UNREADABLE)
            {
                return "JIT compile queues not readable in this JVM: the warm-up did not wait for them";
            }
            if (tasksLeft > 0)
            {
                return String.format(java.util.Locale.ROOT, "JIT still compiling after %d more warm-up passes (%,d ms): " +
                    "%d compilations in hand, the first events may run code not compiled yet", passes, ms, tasksLeft);
            }
            return passes == 0 ? "JIT compile queues empty at the end of the warm-up" : String.format(java.util.Locale.ROOT,
                "JIT compile queues empty after %d more warm-up passes (%,d ms)", passes, ms);
        }
    }

    /**
     * Warms one group: its main events, its window closes, its barriers; then {@value #FRESH_PASSES} shorter passes on
     * fresh scratch copies whose every key has events in every window.
     *
     * @param windowCloses windows closed per window period of the group after the main events.
     *
     * @return the scratch instances of the main pass, for their counters, and the state its window closes left.
     */
    static Warmed warm(
        final SourceGroups.Plan plan, final int events, final int windowCloses, final int sliceRows, final DistinctErrorLog errorLog)
    {
        return warm(plan, events, windowCloses, sliceRows, errorLog, discardingSinks());
    }

    /**
     * As {@link #warm(SourceGroups.Plan, int, int, int, DistinctErrorLog)}, every pass discarding into {@code sinks}.
     *
     * @param sinks discarding sinks, one chosen at random between events and ticks.
     * @return the scratch instances of the main pass, for their counters, and the state its window closes left.
     */
    static Warmed warm(
        final SourceGroups.Plan plan, final int events, final int windowCloses, final int sliceRows, final DistinctErrorLog errorLog,
        final EventSink[] sinks)
    {
        final Pass[] passes = passes(events, windowCloses, sinks);
        final Warmed warmed = passes[0].run(plan, sliceRows, errorLog);
        for (int i = 1; i < passes.length; i++)
        {
            passes[i].run(plan, sliceRows, errorLog);
        }
        return warmed;
    }

    /**
     * The synthetic events a group's warm-up runs through each of its pipelines.
     *
     * @param events        main events, as given to {@link #run}.
     * @param windowCloses  windows closed per window period by the main pass.
     * @param windowPeriods distinct window periods of the group ({@link #windowPeriods}).
     * @return the events over all passes.
     */
    static long eventsPerGroup(final int events, final int windowCloses, final int windowPeriods)
    {
        long total = 0;
        for (final Pass pass : passes(events, windowCloses, discardingSinks()))
        {
            total += pass.events() + (long)pass.windowCloses() * EVENTS_PER_WINDOW * windowPeriods;
        }
        return total;
    }

    private static Pass[] passes(final int events, final int windowCloses, final EventSink[] sinks)
    {
        final Pass[] passes = new Pass[1 + FRESH_PASSES];
        passes[0] = new Pass(sinks, events, KEYS, false, windowCloses, EXTRA_BARRIERS);
        for (int i = 1; i < passes.length; i++)
        {
            passes[i] = new Pass(sinks, events / FRESH_PASS_SHARE, FRESH_PASS_KEYS, true, windowCloses / FRESH_PASS_SHARE, 0);
        }
        return passes;
    }

    /** {@link #DISCARDING_SINKS}, or its first alone with {@value #SINK_CLASSES_PROP_NAME}{@code =false}. */
    private static EventSink[] discardingSinks()
    {
        return SINK_CLASSES ? DISCARDING_SINKS : new EventSink[] {DISCARDING_SINKS[0]};
    }

    /**
     * One run of synthetic events through fresh scratch copies of a group's pipelines.
     *
     * @param sinks         the copies' sink stages discard into one of these, chosen at random between events and ticks.
     * @param events        main events.
     * @param keys          of the main events.
     * @param liveShaped    whether keys come in turn ({@code i % keys}: every key in every window of as many events)
     *                      rather than drawn at random (keys without events in a window), and events share their event
     *                      time in fours (as at more than 1,000 events a second) rather than each a time of its own.
     * @param windowCloses  windows closed per window period after the main events.
     * @param barriers      after the end of input.
     */
    private record Pass(EventSink[] sinks, int events, int keys, boolean liveShaped, int windowCloses, int barriers)
    {
        Warmed run(final SourceGroups.Plan plan, final int sliceRows, final DistinctErrorLog errorLog)
        {
            final List<Pipeline> pipelines = plan.pipelines();
            final PipelineInstance[] instances = new PipelineInstance[pipelines.size()];
            for (int i = 0; i < instances.length; i++)
            {
                instances[i] = PipelineInstance.scratch(pipelines.get(i), 0, IGNORE, sinks[0]);
            }
            // Slices smaller than the scratch state, so that a copy takes several, as a live state's does.
            final int warmUpSliceRows = sliceRows == Integer.MAX_VALUE ? sliceRows : Math.min(sliceRows, SLICE_ROWS);
            try (PartitionSnapshotter snapshotter = new PartitionSnapshotter("warm-up", 0, instances, errorLog, warmUpSliceRows))
            {
                final PartitionSnapshotter.Discarding handover = PartitionSnapshotter.discarding();
                snapshotter.handover(handover);
                final Driver driver = new Driver(
                    new PartitionDispatcher(instances, plan.inputs()), plan.sources(), snapshotter, liveShaped, sinks);
                long time = driver.send(events, keys, BASE_TIME_MS, 1, Integer.MAX_VALUE, 0);
                int largestClosingState = 0;
                boolean closingResultsPending = false;
                final int closingKeys = liveShaped ? EVENTS_PER_WINDOW : CLOSING_KEYS;
                for (final long period : windowPeriods(pipelines))
                {
                    // EVENTS_PER_WINDOW events spread over a period, then a period with none: each group of them
                    // is a window (or session) of its own that closes as the next group's time passes.
                    time = driver.send(windowCloses * EVENTS_PER_WINDOW, closingKeys, time + period,
                        Math.max(1, period / EVENTS_PER_WINDOW), EVENTS_PER_WINDOW, period);
                    for (final PipelineInstance instance : instances)
                    {
                        largestClosingState = Math.max(largestClosingState, instance.stateEntries());
                        closingResultsPending |= instance.resultsPending();
                    }
                }
                driver.dispatcher.onEndOfInput();
                for (int i = 0; i < barriers; i++)
                {
                    snapshot(snapshotter, i);
                    if ((i & (SAMPLE_EVERY_BARRIERS - 1)) == 0)
                    {
                        handover.sample();
                    }
                }
                return new Warmed(instances, largestClosingState, closingResultsPending);
            }
        }
    }

    /**
     * What warming a group left.
     *
     * @param instances              the scratch instances it ran, for their counters.
     * @param largestClosingState    the most state entries a scratch instance held at the end of a window period's
     *                               closes (before the end of input emits the rest): about the last windows' keys
     *                               when every close emitted its results.
     * @param closingResultsPending  whether a scratch instance still had results pending there.
     */
    record Warmed(PipelineInstance[] instances, int largestClosingState, boolean closingResultsPending)
    {
    }

    /**
     * The distinct periods after which the pipelines' windows close, ascending: the hop of an aligned
     * window (tumbling, sliding, hopping), the gap of a session window.
     *
     * @param pipelines of a group.
     * @return the periods, in the event time's unit (milliseconds), possibly none.
     */
    static long[] windowPeriods(final List<Pipeline> pipelines)
    {
        final TreeSet<Long> periods = new TreeSet<>();
        for (final Pipeline pipeline : pipelines)
        {
            for (final StageSpec stage : pipeline.stages())
            {
                if (stage instanceof StageSpec.WindowStageSpec window)
                {
                    final WindowSpec spec = window.spec();
                    final long period = "session".equals(spec.kind()) ? spec.gap() : spec.hop();
                    if (period > 0 && period <= MAX_WINDOW_PERIOD_MS)
                    {
                        periods.add(period);
                    }
                }
            }
        }
        return periods.stream().mapToLong(Long::longValue).toArray();
    }

    /** Synthetic events into a scratch group, with its ticks and checkpoint copies at a fixed cadence. */
    private static final class Driver
    {
        private final PartitionDispatcher dispatcher;
        private final List<SourceGroups.Binding> sources;
        private final PartitionSnapshotter snapshotter;
        private final EventFlyweight[] views;
        private final Field[][] fields;
        /** A run's events side by side, each in a slot of {@link #stride} bytes, as in the ring's block. */
        private final UnsafeBuffer buffer;
        private final int stride;
        /** A run handed over at once, as the partition thread hands over the ring's runs of events. */
        private final EventBatch run = new EventBatch(RUN_EVENTS);
        /** Stage ends of {@link PartitionDispatcher#onEventTimed}, as the partition thread keeps them. */
        private final long[] stageEnds;
        private final SplittableRandom random = new SplittableRandom(SEED);
        /** See {@link Pass#liveShaped}. */
        private final boolean liveShaped;
        /** See {@link Pass#sinks}. */
        private final EventSink[] sinks;
        /** Chooses the next discarding sink: apart from {@link #random}, so the events are the same with one class or three. */
        private final SplittableRandom sinkChoice = new SplittableRandom(SEED + 1);
        /** Events sent so far, over every call: the cadence of ticks and copies. */
        private int sent;

        Driver(
            final PartitionDispatcher dispatcher, final List<SourceGroups.Binding> sources, final PartitionSnapshotter snapshotter,
            final boolean liveShaped, final EventSink[] sinks)
        {
            this.dispatcher = dispatcher;
            this.liveShaped = liveShaped;
            this.sinks = sinks;
            this.sources = sources;
            this.snapshotter = snapshotter;
            views = new EventFlyweight[sources.size()];
            // Each source's fields once: schema().fields() copies them, and the warm-up's garbage would
            // otherwise fill the young generation for a collection soon after the engine starts accepting.
            fields = new Field[sources.size()][];
            int longest = 8;
            for (int s = 0; s < views.length; s++)
            {
                final io.sluice.schema.Schema schema = sources.get(s).source().schema();
                views[s] = new EventFlyweight(schema);
                fields[s] = schema.fields().toArray(new Field[0]);
                longest = Math.max(longest, schema.length());
            }
            // Off the heap, as the ring's slots: on a byte[] the JIT compiled every field read for a non-null base and
            // threw that code away at the first live event (perf/README.md section 66).
            stride = (longest + 7) & ~7;
            buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(stride * RUN_EVENTS));
            stageEnds = new long[dispatcher.instances().length + 1];
            run.clear(buffer);
        }

        /**
         * Sends events, sources in turn, keys over {@code keys} values, at event times {@code firstTime + i * step} (live
         * shaped: {@code firstTime + (i / SHARED_TIME_EVENTS) * step}), plus {@code gap} after every {@code perWindow} of them.
         *
         * @return the event time after the last event's: where a next call may start.
         */
        long send(final int events, final int keys, final long firstTime, final long step, final int perWindow, final long gap)
        {
            long time = firstTime;
            for (int i = 0; i < events; i++, sent++)
            {
                final int s = sent % views.length;
                final SourceGroups.Binding binding = sources.get(s);
                final int offset = (sent % RUN_EVENTS) * stride;
                final EventFlyweight event = views[s].wrapForWrite(buffer, offset);
                fill(event, binding, fields[s], keys, time);
                final int keyField = binding.source().partitionKeyField();
                final long key = binding.keyIsSymbol() ? event.symbolHash(keyField) : event.longValue(keyField);
                nextSink();
                dispatch(s, offset, key, time);
                if (sent % RUN_EVENTS == RUN_EVENTS - 1 || i == events - 1)
                {
                    handOverRun();
                }
                if ((sent & 1023) == 1023)
                {
                    dispatcher.onProcessingTime(time);
                    dispatcher.onProcessingTime(WatermarkGenerator.CONTINUATION);
                }
                if ((sent & (SNAPSHOT_EVERY_EVENTS - 1)) == SNAPSHOT_EVERY_EVENTS - 1)
                {
                    snapshotter.onBarrier(sent, 0, NO_SOURCE_POSITIONS);
                }
                else if ((sent & (SLICE_EVERY_EVENTS - 1)) == 0)
                {
                    snapshotter.copySlice();
                }
                if (!liveShaped || (i & (SHARED_TIME_EVENTS - 1)) == SHARED_TIME_EVENTS - 1)
                {
                    time += step;
                }
                if ((i + 1) % perWindow == 0)
                {
                    time += gap;
                    handOverRun();
                    emitPending();
                }
            }
            return time;
        }

        /**
         * One event to the dispatcher through the entry point the partition thread uses: the main pass through
         * {@link PartitionDispatcher#onEvent}; a live-shaped pass, by runs of {@value #RUN_EVENTS} events in turn, also
         * as a run ({@link PartitionDispatcher#onEvents}, the live path) and with stage timing
         * ({@link PartitionDispatcher#onEventTimed}, the path of an engine with a stage latency listener). With the main
         * pass's one entry point, those two were compiled from the interpreter up after the engine had started accepting.
         */
        private void dispatch(final int source, final int offset, final long key, final long time)
        {
            final int entry = liveShaped ? (sent / RUN_EVENTS) % 3 : 0;
            if (entry == 0)
            {
                dispatcher.onEvent(source, buffer, offset, key, time);
            }
            else if (entry == 1)
            {
                run.addAt(source, offset, key, time);
            }
            else
            {
                dispatcher.onEventTimed(source, buffer, offset, key, time, System.nanoTime(), stageEnds);
            }
        }

        /** The run's events so far, if any, to the dispatcher at once. */
        private void handOverRun()
        {
            if (run.size() > 0)
            {
                dispatcher.onEvents(run);
                run.clear(buffer);
            }
        }

        /**
         * Continuation ticks while a scratch instance has results pending (a window firing in slices), as the partition
         * thread's ticks emit them on a quiet partition: each tick one slice of each.
         */
        private void emitPending()
        {
            while (resultsPending())
            {
                nextSink();
                dispatcher.onProcessingTime(WatermarkGenerator.CONTINUATION);
            }
        }

        /**
         * The copies' results go to one of {@link #sinks} chosen at random: in turn by a counter, they would follow the
         * sources' and entry points' own turns, and a pipeline's results could meet one class alone.
         */
        private void nextSink()
        {
            if (sinks.length > 1)
            {
                final EventSink sink = sinks[sinkChoice.nextInt(sinks.length)];
                for (final PipelineInstance instance : dispatcher.instances())
                {
                    instance.discardInto(sink);
                }
            }
        }

        private boolean resultsPending()
        {
            for (final PipelineInstance instance : dispatcher.instances())
            {
                if (instance.resultsPending())
                {
                    return true;
                }
            }
            return false;
        }

        private void fill(final EventFlyweight event, final SourceGroups.Binding binding, final Field[] fields, final int keys, final long time)
        {
            final int keyField = binding.source().partitionKeyField();
            final int timeField = binding.source().eventTimeField();
            for (final Field field : fields)
            {
                final int f = field.index();
                if (f == timeField)
                {
                    event.putLong(f, time);
                    continue;
                }
                switch (field.type())
                {
                    case LONG, TIMESTAMP -> event.putLong(f, f == keyField ? key(keys) : random.nextInt(1000));
                    case INT -> event.putInt(f, f == keyField ? key(keys) : random.nextInt(1000));
                    case DOUBLE -> event.putDouble(f, random.nextDouble() * 1000);
                    case BOOLEAN -> event.putBoolean(f, random.nextInt(8) == 0);
                    case SYMBOL -> event.putSymbol(f, symbol(f == keyField ? key(Math.min(keys, SYMBOLS.length)) : random.nextInt(4), field.width()));
                    case DECIMAL -> event.putDecimal(f, random.nextInt(100_000) % Decimals.powerOfTen(field.precision()));
                    case TEXT -> event.putText(f, symbol(random.nextInt(4), field.maxLength()));
                    default -> throw new IllegalStateException("unknown field type " + field.type());
                }
            }
        }

        private int key(final int keys)
        {
            return liveShaped ? (sent / views.length) % keys : random.nextInt(keys);
        }
    }

    /**
     * A checkpoint's copy of the scratch state, as a barrier and the slices after it make it, through
     * the partition thread's snapshotter; the copy is released unwritten.
     */
    private static void snapshot(final PartitionSnapshotter snapshotter, final long id)
    {
        snapshotter.onBarrier(id, 0, NO_SOURCE_POSITIONS);
        while (snapshotter.copySlice())
        {
            // slice by slice, as between events
        }
    }

    private static final long[] NO_SOURCE_POSITIONS = new long[0];

    private static final String[] SYMBOLS = new String[16];

    private static String symbol(final int index, final int width)
    {
        final String text = SYMBOLS[index];
        return text.length() <= width ? text : text.substring(text.length() - width);
    }

    static
    {
        for (int i = 0; i < SYMBOLS.length; i++)
        {
            SYMBOLS[i] = "W" + i;
        }
    }
}
