package io.sluice.engine.pipeline;

import java.util.ArrayList;
import java.util.List;

import io.sluice.schema.Field;
import io.sluice.schema.Decimals;
import io.sluice.schema.FieldType;
import io.sluice.schema.Schema;
import io.sluice.schema.SchemaException;
import io.sluice.engine.window.Aggregators;
import io.sluice.engine.window.PrimitiveAggregator;
import io.sluice.engine.window.WindowOperatorContext;

/**
 * Declares a window stage: the window kind and its aggregates. Build-time only. The stage's output
 * events have the schema {@link #resultSchema()}: {@code key LONG, window_start TIMESTAMP,
 * window_end TIMESTAMP, flags INT} then one field per aggregate, in declaration order.
 */
public final class WindowSpec
{
    /** Result field holding the key. */
    public static final String KEY = "key";
    /** Result field holding the inclusive window start. */
    public static final String WINDOW_START = "window_start";
    /** Result field holding the exclusive window end. */
    public static final String WINDOW_END = "window_end";
    /** Result field holding FINAL / UPDATE / EARLY flags of {@link io.sluice.engine.window.WindowResultHandler}. */
    public static final String FLAGS = "flags";

    private final Schema input;
    private String kind;
    private long size;
    /**
     * Most windows one event may belong to ({@code ceil(size / hop)} for sliding and hopping
     * windows): every event updates, and every firing emits, that many windows per key, so a
     * larger ratio multiplies output and state without bound (a 3650-day window sliding by 1 ms
     * puts each event in 315 billion windows). Checked when a pipeline is built, from YAML or the DSL.
     */
    public static final long MAX_WINDOWS_PER_EVENT = 10_000;

    private long hop;
    private long gap;
    private long offset;
    private long allowedLateness;
    private boolean earlyOnUpdate;
    private int expectedEntries = 1024;
    private int firingSlice = WindowOperatorContext.FIRING_SLICE_DEFAULT;
    private int firingPace = WindowOperatorContext.FIRING_PACE_UNPACED;
    private final List<String> names = new ArrayList<>();
    private final List<FieldType> types = new ArrayList<>();
    /** Precision and scale of each DECIMAL result ({0, 0} for others). */
    private final List<int[]> decimals = new ArrayList<>();
    private final List<PrimitiveAggregator> aggregators = new ArrayList<>();

    WindowSpec(final Schema input)
    {
        this.input = input;
    }

    /**
     * Tumbling windows of a size.
     *
     * @param size of the windows.
     * @return this.
     */
    public WindowSpec tumbling(final long size)
    {
        return kind("tumbling", size, size, 0);
    }

    /**
     * Sliding windows (hop &lt; size).
     *
     * @param size of the windows.
     * @param hop  between window starts.
     * @return this.
     */
    public WindowSpec sliding(final long size, final long hop)
    {
        return kind("sliding", size, hop, 0);
    }

    /**
     * Hopping windows of any hop; hop &gt; size leaves gaps whose events are counted, not late.
     *
     * @param size of the windows.
     * @param hop  between window starts.
     * @return this.
     */
    public WindowSpec hopping(final long size, final long hop)
    {
        return kind("hopping", size, hop, 0);
    }

    /**
     * Session windows closed by a gap of inactivity.
     *
     * @param gap of inactivity.
     * @return this.
     */
    public WindowSpec session(final long gap)
    {
        return kind("session", 0, 0, gap);
    }

    private WindowSpec kind(final String kind, final long size, final long hop, final long gap)
    {
        if (this.kind != null)
        {
            throw new SchemaException("a window stage has one kind; " + this.kind + " was already chosen, then " + kind);
        }
        this.kind = kind;
        this.size = size;
        this.hop = hop;
        this.gap = gap;
        return this;
    }

    /**
     * How many windows of a size and hop one event belongs to: {@code ceil(size / hop)}, at least 1
     * (hopping windows with gaps put an event in one window or none).
     *
     * @param size of the windows, positive.
     * @param hop  between window starts, positive.
     * @return the number of windows per event.
     */
    public static long windowsPerEvent(final long size, final long hop)
    {
        return Math.max(1, size / hop + (size % hop == 0 ? 0 : 1));
    }

    /**
     * Offset of window starts from the epoch.
     *
     * @param offset of window starts.
     * @return this.
     */
    public WindowSpec offset(final long offset)
    {
        this.offset = offset;
        return this;
    }

    /**
     * How long after a window fires late events still update it.
     *
     * @param allowedLateness in event-time units.
     * @return this.
     */
    public WindowSpec allowedLateness(final long allowedLateness)
    {
        this.allowedLateness = allowedLateness;
        return this;
    }

    /**
     * Emit an EARLY result on every update before the window fires (dashboards).
     *
     * @param earlyOnUpdate whether to emit early results.
     * @return this.
     */
    public WindowSpec earlyOnUpdate(final boolean earlyOnUpdate)
    {
        this.earlyOnUpdate = earlyOnUpdate;
        return this;
    }

    /**
     * Pre-sizes the state for this many (key, pane) rows or sessions.
     *
     * @param expectedEntries at once.
     * @return this.
     */
    public WindowSpec expectedEntries(final int expectedEntries)
    {
        this.expectedEntries = expectedEntries;
        return this;
    }

    /**
     * Bounds the results a closing window emits per event: the results of closed windows are
     * spread over the following events, this many per event, in a deterministic order (see
     * {@link WindowOperatorContext#firingSlice(int)}).
     *
     * @param firingSlice results per event at most, at least 1.
     * @return this.
     */
    public WindowSpec firingSlice(final int firingSlice)
    {
        this.firingSlice = firingSlice;
        return this;
    }

    /**
     * Paces the firing by event time: about this many results per millisecond of event time, shared out over
     * the events of that millisecond, at most the firing slice per event (see
     * {@link WindowOperatorContext#firingPace(int)}). Tumbling, sliding and hopping windows.
     *
     * @param firingPace results per millisecond of event time, at least 1, or
     *                   {@link WindowOperatorContext#FIRING_PACE_UNPACED}.
     * @return this.
     */
    public WindowSpec firingPace(final int firingPace)
    {
        this.firingPace = firingPace;
        return this;
    }

    /**
     * Counts events.
     *
     * @param name of the result field.
     * @return this.
     */
    public WindowSpec count(final String name)
    {
        return aggregate(name, Aggregators.count(), FieldType.LONG);
    }

    /**
     * Sums a numeric field; a DOUBLE field gives a DOUBLE sum, a {@code DECIMAL(p, s)} an exact
     * {@code DECIMAL(18, s)} sum (failing, counted, beyond 18 digits), others a LONG sum.
     *
     * @param name  of the result field.
     * @param field of the input to sum.
     * @return this.
     */
    public WindowSpec sum(final String name, final String field)
    {
        final Field f = input.numericField(field);
        if (f.type() == FieldType.DECIMAL)
        {
            return decimalAggregate(name, Aggregators.sumDecimal(f.index(), f.name()), Decimals.MAX_PRECISION, f.scale());
        }
        return numeric(name, field, Aggregators::sumLong, Aggregators::sumDouble);
    }

    /**
     * Minimum of a numeric field.
     *
     * @param name  of the result field.
     * @param field of the input.
     * @return this.
     */
    public WindowSpec min(final String name, final String field)
    {
        return numeric(name, field, Aggregators::minLong, Aggregators::minDouble);
    }

    /**
     * Maximum of a numeric field.
     *
     * @param name  of the result field.
     * @param field of the input.
     * @return this.
     */
    public WindowSpec max(final String name, final String field)
    {
        return numeric(name, field, Aggregators::maxLong, Aggregators::maxDouble);
    }

    /**
     * Average of a numeric field, as a DOUBLE (of a DECIMAL: its exact sum divided by the count, as
     * the nearest double).
     *
     * @param name  of the result field.
     * @param field of the input.
     * @return this.
     */
    public WindowSpec avg(final String name, final String field)
    {
        final Field f = input.numericField(field);
        if (f.type() == FieldType.DECIMAL)
        {
            return aggregate(name, Aggregators.avgDecimal(f.index(), f.name(), f.scale()), FieldType.DOUBLE);
        }
        return f.type() == FieldType.DOUBLE ?
            aggregate(name, Aggregators.avgDouble(f.index()), FieldType.DOUBLE) :
            aggregate(name, Aggregators.avgLong(f.index()), FieldType.DOUBLE);
    }

    /**
     * Value of a numeric field in the earliest event (by event time) of the window.
     *
     * @param name  of the result field.
     * @param field of the input.
     * @return this.
     */
    public WindowSpec first(final String name, final String field)
    {
        return numeric(name, field, Aggregators::firstLong, Aggregators::firstDouble);
    }

    /**
     * Value of a numeric field in the latest event (by event time) of the window.
     *
     * @param name  of the result field.
     * @param field of the input.
     * @return this.
     */
    public WindowSpec last(final String name, final String field)
    {
        return numeric(name, field, Aggregators::lastLong, Aggregators::lastDouble);
    }

    /**
     * An aggregate of a numeric field whose result has the field's type: a DOUBLE field gives a
     * DOUBLE result, a DECIMAL one a DECIMAL of the same precision and scale (its unscaled values
     * compare and copy exactly as longs), any other number a LONG one.
     */
    private WindowSpec numeric(
        final String name,
        final String field,
        final java.util.function.IntFunction<PrimitiveAggregator> forLong,
        final java.util.function.IntFunction<PrimitiveAggregator> forDouble)
    {
        final Field f = input.numericField(field);
        if (f.type() == FieldType.DECIMAL)
        {
            return decimalAggregate(name, forLong.apply(f.index()), f.precision(), f.scale());
        }
        return f.type() == FieldType.DOUBLE ?
            aggregate(name, forDouble.apply(f.index()), FieldType.DOUBLE) :
            aggregate(name, forLong.apply(f.index()), FieldType.LONG);
    }

    /**
     * An aggregate whose result is a DECIMAL: its aggregator's long result is the unscaled value.
     *
     * @param name       of the result field.
     * @param aggregator whose {@code resultAsLong} is the unscaled result.
     * @param precision  of the result.
     * @param scale      of the result.
     * @return this.
     */
    public WindowSpec decimalAggregate(final String name, final PrimitiveAggregator aggregator, final int precision, final int scale)
    {
        aggregate(name, aggregator, FieldType.LONG);
        types.set(types.size() - 1, FieldType.DECIMAL);
        decimals.set(decimals.size() - 1, new int[] {precision, scale});
        return this;
    }

    /**
     * A user-defined aggregate.
     *
     * @param name       of the result field.
     * @param aggregator stateless primitive aggregator; reads input fields by index.
     * @param resultType LONG or DOUBLE: how the result is read and stored.
     * @return this.
     */
    public WindowSpec aggregate(final String name, final PrimitiveAggregator aggregator, final FieldType resultType)
    {
        if (resultType != FieldType.LONG && resultType != FieldType.DOUBLE)
        {
            throw new SchemaException("aggregate '" + name + "' result type must be LONG or DOUBLE, was " + resultType);
        }
        names.add(name);
        types.add(resultType);
        decimals.add(new int[] {0, 0});
        aggregators.add(aggregator);
        return this;
    }

    /**
     * The window kind: tumbling, sliding, hopping or session.
     *
     * @return the kind.
     */
    public String kind()
    {
        return kind;
    }

    /**
     * Length of an aligned window.
     *
     * @return the size.
     */
    public long size()
    {
        return size;
    }

    /**
     * Distance between the starts of aligned windows.
     *
     * @return the hop.
     */
    public long hop()
    {
        return hop;
    }

    /**
     * Inactivity gap that closes a session window.
     *
     * @return the gap.
     */
    public long gap()
    {
        return gap;
    }

    /**
     * Offset of aligned windows from the epoch.
     *
     * @return the offset.
     */
    public long offset()
    {
        return offset;
    }

    /**
     * How long after its end a window still accepts late events.
     *
     * @return the allowed lateness.
     */
    public long allowedLateness()
    {
        return allowedLateness;
    }

    /**
     * Whether a window emits an early result on every update.
     *
     * @return true for early results.
     */
    public boolean earlyOnUpdate()
    {
        return earlyOnUpdate;
    }

    /**
     * Sizing hint for the window's state.
     *
     * @return the expected number of entries.
     */
    public int expectedEntries()
    {
        return expectedEntries;
    }

    /**
     * Results a closing window emits per event at most.
     *
     * @return the firing slice.
     */
    public int firingSlice()
    {
        return firingSlice;
    }

    /**
     * Results per millisecond of event time a firing is paced at.
     *
     * @return the pace, {@link WindowOperatorContext#FIRING_PACE_UNPACED} when not paced.
     */
    public int firingPace()
    {
        return firingPace;
    }

    /**
     * The aggregators, in result order; a new array on each call (build time only).
     *
     * @return the aggregators.
     */
    public PrimitiveAggregator[] aggregators()
    {
        return aggregators.toArray(new PrimitiveAggregator[0]);
    }

    /**
     * The type of an aggregate's result field.
     *
     * @param aggregate index of the aggregate.
     * @return the field type.
     */
    public FieldType resultType(final int aggregate)
    {
        return types.get(aggregate);
    }

    void validate()
    {
        if (kind == null)
        {
            throw new SchemaException("window stage needs a kind: tumbling, sliding, hopping or session");
        }
        if (!kind.equals("session") && size > 0 && hop > 0 && windowsPerEvent(size, hop) > MAX_WINDOWS_PER_EVENT)
        {
            throw new SchemaException("window " + kind + "(size " + size + ", hop " + hop + ") puts every event in " +
                windowsPerEvent(size, hop) + " windows, more than the limit of " + MAX_WINDOWS_PER_EVENT +
                " (use a larger hop or a smaller size)");
        }
        if (aggregators.isEmpty())
        {
            throw new SchemaException("window stage (" + kind + ") needs at least one aggregate");
        }
    }

    /**
     * The schema of this stage's output events.
     *
     * @return the result schema.
     */
    public Schema resultSchema()
    {
        final Schema.Builder builder = Schema.builder(input.name() + "_" + (kind == null ? "window" : kind))
            .longField(KEY).timestampField(WINDOW_START).timestampField(WINDOW_END).intField(FLAGS);
        for (int i = 0; i < names.size(); i++)
        {
            if (types.get(i) == FieldType.DECIMAL)
            {
                builder.decimalField(names.get(i), decimals.get(i)[0], decimals.get(i)[1]);
            }
            else
            {
                builder.field(names.get(i), types.get(i), 0);
            }
        }
        return builder.build();
    }

    @Override
    public String toString()
    {
        return kind + (kind != null && kind.equals("session") ? "(gap " + gap + ")" : "(size " + size + ", hop " + hop + ")") +
            " " + names;
    }
}
