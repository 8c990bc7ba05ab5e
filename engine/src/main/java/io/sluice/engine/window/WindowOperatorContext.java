package io.sluice.engine.window;

import io.sluice.engine.time.WatermarkGenerator;
import io.sluice.engine.time.Watermarks;

/**
 * Configuration of a {@link WindowOperator} with fluent setters; {@link #conclude()} validates
 * everything at build time and fails fast with a clear message.
 * <p>
 * Exactly one window kind must be chosen: {@link #tumbling(long)}, {@link #sliding(long, long)},
 * {@link #hopping(long, long)} or {@link #session(long)}. Not thread safe; build-time only.
 */
public final class WindowOperatorContext
{
    /**
     * Largest magnitude accepted for times, sizes, gaps and lateness, so arithmetic cannot overflow.
     */
    public static final long MAX_TIME_MAGNITUDE = 1L << 62;

    /**
     * A {@link #firingSlice(int)} that fires every due window within the signal that closed it.
     */
    public static final int FIRING_SLICE_UNBOUNDED = Integer.MAX_VALUE;

    /**
     * The slice to use for bounded work per event: one event's extra work stays in the
     * microseconds, and a 10k-key window has emitted everything within ~160 events.
     */
    public static final int FIRING_SLICE_LOW_LATENCY = 64;

    /**
     * Default of {@link #firingSlice(int)}: {@link #FIRING_SLICE_LOW_LATENCY}.
     */
    public static final int FIRING_SLICE_DEFAULT = FIRING_SLICE_LOW_LATENCY;

    /**
     * A {@link #firingPace(int)} that leaves the firing slice alone (the default): every event emits up to
     * the firing slice while windows fire, however dense the events.
     */
    public static final int FIRING_PACE_UNPACED = FiringPace.UNPACED;

    private static final int KIND_NONE = 0;
    private static final int KIND_ALIGNED = 1;
    private static final int KIND_SESSION = 2;

    private int kind = KIND_NONE;
    private long size;
    private long hop;
    private long gap;
    private long offset;
    private long allowedLateness;
    private boolean earlyOnUpdate;
    private int expectedEntries = 1024;
    private boolean deferSizing;
    private int firingSlice = FIRING_SLICE_DEFAULT;
    private int firingPace = FIRING_PACE_UNPACED;
    private boolean denseSlots = true;
    private long denseFloorCells = DenseBound.MIN_CELLS;
    private WatermarkGenerator watermarks;
    private PrimitiveAggregator[] aggregators;
    private WindowResultHandler resultHandler;
    private LateEventHandler lateEventHandler = LateEventHandler.COUNT_ONLY;
    private String kindError;

    /**
     * Tumbling windows: adjacent, non-overlapping, {@code hop = size}.
     *
     * @param size of each window.
     * @return this for a fluent API.
     */
    public WindowOperatorContext tumbling(final long size)
    {
        return aligned(size, size, "tumbling");
    }

    /**
     * Sliding windows: overlapping, {@code hop < size}; an event belongs to {@code size / hop}
     * windows but updates only one pane.
     *
     * @param size of each window.
     * @param hop  between window starts, smaller than size.
     * @return this for a fluent API.
     */
    public WindowOperatorContext sliding(final long size, final long hop)
    {
        if (hop >= size)
        {
            kindError = "sliding windows need hop < size: size=" + size + " hop=" + hop;
        }
        return aligned(size, hop, "sliding");
    }

    /**
     * Hopping windows of any hop, including {@code hop > size}, which leaves gaps between windows
     * whose events are counted as unassigned.
     *
     * @param size of each window.
     * @param hop  between window starts.
     * @return this for a fluent API.
     */
    public WindowOperatorContext hopping(final long size, final long hop)
    {
        return aligned(size, hop, "hopping");
    }

    /**
     * Session windows: a key's session extends while events arrive less than {@code gap} apart.
     * An event at {@code t} opens {@code [t, t + gap)}; sessions of a key that overlap or touch
     * merge into one spanning both.
     *
     * @param gap of inactivity that closes a session.
     * @return this for a fluent API.
     */
    public WindowOperatorContext session(final long gap)
    {
        checkKindUnset("session");
        kind = KIND_SESSION;
        this.gap = gap;
        return this;
    }

    /**
     * Offset of aligned windows from the epoch: window starts satisfy
     * {@code start == offset (mod hop)}. Default 0.
     *
     * @param offset of window starts.
     * @return this for a fluent API.
     */
    public WindowOperatorContext offset(final long offset)
    {
        this.offset = offset;
        return this;
    }

    /**
     * How long after firing a window keeps its state and accepts late events, which re-emit an
     * {@link WindowResultHandler#UPDATE}. Default 0.
     *
     * @param allowedLateness in event-time units, {@code >= 0}.
     * @return this for a fluent API.
     */
    public WindowOperatorContext allowedLateness(final long allowedLateness)
    {
        this.allowedLateness = allowedLateness;
        return this;
    }

    /**
     * Emit an {@link WindowResultHandler#EARLY} result for each not yet fired window an accepted
     * event updates, for dashboards. Costs one result per overlapping window per event (plus a
     * pass over the key's rows in those windows), so with heavy overlap it suits light traffic;
     * tumbling and session windows emit one early result per event. Default off.
     *
     * @param earlyOnUpdate whether to emit early results.
     * @return this for a fluent API.
     */
    public WindowOperatorContext earlyOnUpdate(final boolean earlyOnUpdate)
    {
        this.earlyOnUpdate = earlyOnUpdate;
        return this;
    }

    /**
     * Watermark generator of the partition. Default {@code Watermarks.boundedOutOfOrderness(0)}.
     *
     * @param watermarks generator, owned by the operator from now on.
     * @return this for a fluent API.
     */
    public WindowOperatorContext watermarks(final WatermarkGenerator watermarks)
    {
        this.watermarks = watermarks;
        return this;
    }

    /**
     * Aggregates to compute per window, readable by index in this order.
     *
     * @param aggregators one or more aggregators.
     * @return this for a fluent API.
     */
    public WindowOperatorContext aggregators(final PrimitiveAggregator... aggregators)
    {
        this.aggregators = aggregators.clone();
        return this;
    }

    /**
     * Receiver of window results. Required.
     *
     * @param resultHandler to call on the operator thread.
     * @return this for a fluent API.
     */
    public WindowOperatorContext resultHandler(final WindowResultHandler resultHandler)
    {
        this.resultHandler = resultHandler;
        return this;
    }

    /**
     * Side output for late events. Default {@link LateEventHandler#COUNT_ONLY}.
     *
     * @param lateEventHandler to call on the operator thread.
     * @return this for a fluent API.
     */
    public WindowOperatorContext lateEventHandler(final LateEventHandler lateEventHandler)
    {
        this.lateEventHandler = lateEventHandler;
        return this;
    }

    /**
     * Expected number of state entries, to pre-size arrays so steady state never grows them.
     *
     * @param expectedEntries (key, pane) rows or sessions expected at once.
     * @return this for a fluent API.
     */
    public WindowOperatorContext expectedEntries(final int expectedEntries)
    {
        this.expectedEntries = expectedEntries;
        return this;
    }

    /**
     * Results emitted per event at most while closed windows fire (tumbling, sliding, hopping and
     * session). The event whose watermark closes windows emits the first slice of their results and each
     * following event (or tick) the next, in the same order as an unsliced firing, so no event
     * waits behind a whole window's results. An event that would change a window still firing, an
     * explicit watermark, a journaled tick and the end of input emit everything due first, and a
     * snapshot records where firing stands, so results, replays and restores are exact and
     * deterministic. Session windows spread the sessions one watermark step closes the same way (an
     * event for a key with a session still to fire emits everything pending first).
     *
     * @param firingSlice results per event, at least 1; {@link #FIRING_SLICE_UNBOUNDED} fires whole
     *                    windows within the event that closed them. Default
     *                    {@link #FIRING_SLICE_DEFAULT}.
     * @return this for a fluent API.
     */
    public WindowOperatorContext firingSlice(final int firingSlice)
    {
        this.firingSlice = firingSlice;
        return this;
    }

    /**
     * Paces the firing of closed tumbling, sliding and hopping windows by event time: about {@code firingPace}
     * results per unit of event time (a millisecond in the engine's configuration), shared out over the events
     * of that unit and at most {@link #firingSlice(int)} per event. The events per unit are read from the
     * events' own timestamps (those that carried the previous highest event time, over the time it then moved
     * on), so the results per event fall as the events get denser: with a pace of 1,000, one per event at a
     * million events a second, ten at 100,000 a second, the firing slice at 10,000 a second or fewer. A
     * window's results then follow its close over about {@code results / firingPace} milliseconds of event
     * time, and no event waits behind more work than fits between two events. Same results, in the same
     * order, as unpaced; which event emits which is a function of the processed sequence alone, and a
     * snapshot holds the pace, so replays, backtests and restores are byte-identical. Ticks, an explicit
     * watermark and the end of input are not paced.
     *
     * @param firingPace results per unit of event time, at least 1; {@link #FIRING_PACE_UNPACED} (the default)
     *                   leaves every event its firing slice. Session windows take no pace.
     * @return this for a fluent API.
     */
    public WindowOperatorContext firingPace(final int firingPace)
    {
        this.firingPace = firingPace;
        return this;
    }

    /**
     * Whether the operator's state is sized later than its build: by {@link WindowOperator#restoreFrom}, for the larger of
     * {@link #expectedEntries} and what the snapshot holds, or else by {@link WindowOperator#presize()}. For a launch
     * that builds its operators before it knows whether (and how large) a checkpoint will be restored into them: the
     * state is then allocated once, not for the hint and again, larger, for the snapshot. Off by default; operators
     * other than the tumbling, sliding and hopping one over panes size at build either way.
     *
     * @param deferSizing true to leave the sizing to a restore or {@link WindowOperator#presize()}.
     * @return this.
     */
    public WindowOperatorContext deferSizing(final boolean deferSizing)
    {
        this.deferSizing = deferSizing;
        return this;
    }

    /**
     * Whether {@link #build()} may lay tumbling, sliding and hopping windows out on dense key slots (on by default):
     * the operator then keeps a key's rows of a pane at a place given by the key's slot, in flat arrays, instead of in
     * linked rows, for windows of at most 16 panes ({@code size / gcd(size, hop)} for overlapping ones) with no allowed
     * lateness, no early results and only counts and sums, minima, maxima and averages of long fields. Results,
     * their order, which event emits them and the snapshots are the same either way; false keeps the linked rows
     * (tests compare the two).
     * <p>
     * A dense pane costs a whole column (a row for every key slot) however few keys it holds, so the operator holds its
     * state on linked rows while dense columns would take more than 16 times the rows and keys held (above a floor of
     * 262,144 cells): when due windows queue up behind a firing that is bounded per event (events far apart in event
     * time, each crossing several hops), when many panes are live at once, or when keys recur less than once a window.
     * It comes back to dense slots once they would take at most half of that. Its memory is proportional to the
     * state held whatever the input.
     *
     * @param denseSlots whether dense slots may be used.
     * @return this for a fluent API.
     */
    public WindowOperatorContext denseSlots(final boolean denseSlots)
    {
        this.denseSlots = denseSlots;
        return this;
    }

    /**
     * The floor of the dense layout's bound (tests: a small one makes the state move between dense slots and linked
     * rows often).
     *
     * @param cells a dense layout may always take.
     * @return this for a fluent API.
     */
    WindowOperatorContext denseFloorCells(final long cells)
    {
        this.denseFloorCells = cells;
        return this;
    }

    /**
     * Validate the configuration and apply defaults.
     *
     * @return this once valid.
     * @throws IllegalStateException describing the first invalid setting.
     */
    public WindowOperatorContext conclude()
    {
        if (kindError != null)
        {
            throw new IllegalStateException(kindError);
        }
        if (kind == KIND_NONE)
        {
            throw new IllegalStateException("no window kind: call tumbling, sliding, hopping or session");
        }
        if (kind == KIND_ALIGNED)
        {
            checkRange("size", size, 1);
            checkRange("hop", hop, 1);
            checkRange("offset", Math.abs(offset), 0);
        }
        else
        {
            checkRange("gap", gap, 1);
        }
        checkRange("allowedLateness", allowedLateness, 0);
        if (aggregators == null || aggregators.length == 0)
        {
            throw new IllegalStateException("at least one aggregator is required");
        }
        for (final PrimitiveAggregator aggregator : aggregators)
        {
            if (aggregator == null || aggregator.slots() < 1)
            {
                throw new IllegalStateException("aggregators must be non-null with slots() >= 1");
            }
        }
        if (resultHandler == null)
        {
            throw new IllegalStateException("resultHandler is required");
        }
        if (lateEventHandler == null)
        {
            throw new IllegalStateException("lateEventHandler must not be null");
        }
        if (expectedEntries < 1)
        {
            throw new IllegalStateException("expectedEntries must be >= 1: " + expectedEntries);
        }
        if (firingSlice < 1)
        {
            throw new IllegalStateException("firingSlice must be >= 1: " + firingSlice);
        }
        if (firingPace < 1)
        {
            throw new IllegalStateException("firingPace must be >= 1: " + firingPace);
        }
        if (kind == KIND_SESSION && firingPace != FIRING_PACE_UNPACED)
        {
            throw new IllegalStateException("firingPace applies to tumbling, sliding and hopping windows, not sessions: " +
                firingPace);
        }
        if (watermarks == null)
        {
            watermarks = Watermarks.boundedOutOfOrderness(0);
        }
        return this;
    }

    /**
     * Conclude and build the operator.
     *
     * @return a new operator for one partition.
     */
    public WindowOperator build()
    {
        conclude();
        final WindowSettings settings = settings();
        final AggregateLayout layout = settings.layout();
        if (kind == KIND_SESSION)
        {
            return new SessionWindowOperator(gap, allowedLateness, settings);
        }
        // Windows with gaps are one pane each when the aggregators do not mind the grouping (AlignedWindows).
        final AlignedWindows windows = new AlignedWindows(size, hop, offset, allowedLateness, hop > size && layout.regroupsExactly());
        if (denseSlots && allowedLateness == 0 && !earlyOnUpdate && ColumnarWindowOperator.supports(size, hop, aggregators))
        {
            return new AdaptiveWindowOperator(windows, settings, denseFloorCells);
        }
        return new AlignedWindowOperator(windows, settings, WindowAssembler.foldsDirectly(windows, layout), deferSizing);
    }

    /**
     * Conclude and build the columnar backtest kernel ({@link ColumnarWindowOperator}) when it gives exactly
     * {@link #build()}'s results for this configuration: tumbling, sliding or hopping windows (overlapping ones of at
     * most 16 panes a window, a pane being {@code gcd(size, hop)}), no allowed lateness, no early results, no firing
     * pace, and every aggregator a count or a sum, min, max or avg of a long field.
     *
     * @return the kernel, or null when the configuration needs {@link #build()}'s operator.
     */
    public ColumnarWindowOperator buildColumnar()
    {
        conclude();
        if (kind != KIND_ALIGNED || allowedLateness != 0 || earlyOnUpdate || firingPace != FIRING_PACE_UNPACED ||
            !ColumnarWindowOperator.supports(size, hop, aggregators))
        {
            return null;
        }
        return new ColumnarWindowOperator(new AlignedWindows(size, hop, offset, 0, true), aggregators, settings());
    }

    private WindowSettings settings()
    {
        return new WindowSettings(earlyOnUpdate, watermarks, new AggregateLayout(aggregators), resultHandler, lateEventHandler,
            expectedEntries, firingSlice, firingPace);
    }

    private WindowOperatorContext aligned(final long size, final long hop, final String name)
    {
        checkKindUnset(name);
        kind = KIND_ALIGNED;
        this.size = size;
        this.hop = hop;
        return this;
    }

    private void checkKindUnset(final String name)
    {
        if (kind != KIND_NONE && kindError == null)
        {
            kindError = "window kind set twice, second was " + name;
        }
    }

    private static void checkRange(final String name, final long value, final long min)
    {
        if (value < min || value > MAX_TIME_MAGNITUDE)
        {
            throw new IllegalStateException(name + " must be in [" + min + ", 2^62]: " + value);
        }
    }
}
