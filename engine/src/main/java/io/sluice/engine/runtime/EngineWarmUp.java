package io.sluice.engine.runtime;

import java.util.List;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;

import io.sluice.engine.exec.PartitionDispatcher;
import io.sluice.engine.exec.PipelineInstance;
import io.sluice.engine.exec.StageErrorHandler;
import io.sluice.engine.pipeline.Pipeline;
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
 * fixed seed; symbols {@code W0..W15}; booleans true one time in eight. A processing-time tick every
 * 1,024 events (with a continuation tick behind it), a copy of the scratch state as a checkpoint makes
 * it every 64 events and an end of input at the end exercise those paths too. The copies run through
 * the partition thread's own {@link PartitionSnapshotter} as on a live partition: a barrier, then a slice
 * every {@value #SLICE_EVERY_EVENTS} events of at most {@value #SLICE_ROWS} rows, so that a copy takes several
 * slices and the events between them change rows still to copy (copy on write); warmed with copies done in one
 * slice and no event between, those branches were first taken at the first live checkpoint, where the JIT threw
 * away the compiled slice and event code (perf/README.md section 51). The copies are discarded, and {@value #EXTRA_BARRIERS} more barriers follow the end of input: a barrier runs about
 * once a second, too rarely for the JIT to get to its code in a run of hours, and interpreted it costs
 * the partition tens of microseconds per checkpoint; warmed, the barrier is compiled by C2 before the
 * first real one.
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
    private static final StageErrorHandler IGNORE = (pipeline, stage, policy, event, key, timestamp, error) -> { };

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
            warm(plan, events, sliceRows, errorLog);
        }
        return System.nanoTime() - start;
    }

    private static void warm(final SourceGroups.Plan plan, final int events, final int sliceRows, final DistinctErrorLog errorLog)
    {
        final List<Pipeline> pipelines = plan.pipelines();
        final PipelineInstance[] instances = new PipelineInstance[pipelines.size()];
        for (int i = 0; i < instances.length; i++)
        {
            instances[i] = PipelineInstance.scratch(pipelines.get(i), 0, IGNORE);
        }
        final PartitionDispatcher dispatcher = new PartitionDispatcher(instances, plan.inputs());
        final List<SourceGroups.Binding> sources = plan.sources();
        final EventFlyweight[] views = new EventFlyweight[sources.size()];
        int longest = 8;
        for (final SourceGroups.Binding binding : sources)
        {
            longest = Math.max(longest, binding.source().schema().length());
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[longest]);
        for (int s = 0; s < views.length; s++)
        {
            views[s] = new EventFlyweight(sources.get(s).source().schema());
        }
        final SplittableRandom random = new SplittableRandom(SEED);
        // Slices smaller than the scratch state, so that a copy takes several, as a live state's does.
        final int warmUpSliceRows = sliceRows == Integer.MAX_VALUE ? sliceRows : Math.min(sliceRows, SLICE_ROWS);
        try (PartitionSnapshotter snapshotter = new PartitionSnapshotter("warm-up", 0, instances, errorLog, warmUpSliceRows))
        {
            snapshotter.handover(PartitionSnapshotter.discarding());
            run(dispatcher, sources, views, buffer, random, events, snapshotter);
            for (int i = 0; i < EXTRA_BARRIERS; i++)
            {
                snapshot(snapshotter, i);
            }
        }
    }

    private static void run(
        final PartitionDispatcher dispatcher,
        final List<SourceGroups.Binding> sources,
        final EventFlyweight[] views,
        final UnsafeBuffer buffer,
        final SplittableRandom random,
        final int events,
        final PartitionSnapshotter snapshotter)
    {
        // Each source's fields once: schema().fields() copies them, and the warm-up's garbage would
        // otherwise fill the young generation for a collection soon after the engine starts accepting.
        final Field[][] fields = new Field[sources.size()][];
        for (int s = 0; s < fields.length; s++)
        {
            fields[s] = sources.get(s).source().schema().fields().toArray(new Field[0]);
        }
        for (int i = 0; i < events; i++)
        {
            final int s = i % views.length;
            final SourceGroups.Binding binding = sources.get(s);
            final EventFlyweight event = views[s].wrapForWrite(buffer, 0);
            final long time = BASE_TIME_MS + i;
            fill(event, binding, fields[s], random, time);
            final int keyField = binding.source().partitionKeyField();
            final long key = binding.keyIsSymbol() ? event.symbolHash(keyField) : event.longValue(keyField);
            dispatcher.onEvent(s, buffer, 0, key, time);
            if ((i & 1023) == 1023)
            {
                dispatcher.onProcessingTime(time);
                dispatcher.onProcessingTime(WatermarkGenerator.CONTINUATION);
            }
            if ((i & (SNAPSHOT_EVERY_EVENTS - 1)) == SNAPSHOT_EVERY_EVENTS - 1)
            {
                snapshotter.onBarrier(i, 0, NO_SOURCE_POSITIONS);
            }
            else if ((i & (SLICE_EVERY_EVENTS - 1)) == 0)
            {
                snapshotter.copySlice();
            }
        }
        dispatcher.onEndOfInput();
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

    private static void fill(
        final EventFlyweight event, final SourceGroups.Binding binding, final Field[] fields, final SplittableRandom random, final long time)
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
                case LONG, TIMESTAMP -> event.putLong(f, f == keyField ? random.nextInt(KEYS) : random.nextInt(1000));
                case INT -> event.putInt(f, f == keyField ? random.nextInt(KEYS) : random.nextInt(1000));
                case DOUBLE -> event.putDouble(f, random.nextDouble() * 1000);
                case BOOLEAN -> event.putBoolean(f, random.nextInt(8) == 0);
                case SYMBOL -> event.putSymbol(f, symbol(random.nextInt(f == keyField ? SYMBOLS.length : 4), field.width()));
                case DECIMAL -> event.putDecimal(f, random.nextInt(100_000) % Decimals.powerOfTen(field.precision()));
                case TEXT -> event.putText(f, symbol(random.nextInt(4), field.maxLength()));
                default -> throw new IllegalStateException("unknown field type " + field.type());
            }
        }
    }

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
