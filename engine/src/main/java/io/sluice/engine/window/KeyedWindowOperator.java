package io.sluice.engine.window;

import io.sluice.engine.time.WatermarkGenerator;
import io.sluice.schema.EventValues;

/**
 * What aligned (row store or dense slots) and session window operators share around their own state: the single-writer
 * check, the watermark signals that only move the watermark and fire what became due, the late
 * side output and the counters every window operator keeps. A subclass holds the keyed state
 * and decides in {@link #advance(long, long)} what fires and expires.
 * <p>
 * Subclasses are final, so the per-event call from their {@code onEvent} to {@code advance} is
 * bound statically. Threading: single writer, the partition thread.
 */
abstract sealed class KeyedWindowOperator implements WindowOperator
    permits PanedWindowOperator, SessionWindowOperator
{
    static final long NO_WATERMARK = WatermarkGenerator.NO_WATERMARK;
    /** A budget for {@link #fireDue(int)} that emits everything due. */
    static final int ALL = Integer.MAX_VALUE;

    final boolean earlyOnUpdate;
    final WatermarkGenerator watermarks;
    final AggregateLayout layout;
    final int stride;
    final WindowResultHandler resultHandler;
    final OwnerThread ownerThread = new OwnerThread();
    long lateEventsDropped;
    long windowsFired;
    private final LateEventHandler lateEventHandler;

    KeyedWindowOperator(final WindowSettings settings)
    {
        this.earlyOnUpdate = settings.earlyOnUpdate();
        this.watermarks = settings.watermarks();
        this.layout = settings.layout();
        this.stride = layout.stride();
        this.resultHandler = settings.resultHandler();
        this.lateEventHandler = settings.lateEventHandler();
    }

    /**
     * Fire what became due and expire what is no longer live after the watermark moved.
     *
     * @param previous  watermark before the signal, {@link #NO_WATERMARK} before any.
     * @param watermark after the signal; nothing happens unless it is above {@code previous}.
     */
    abstract void advance(long previous, long watermark);

    /**
     * Emit results that became due but were not emitted yet, at most {@code maxResults} of them:
     * an operator that fires incrementally spreads a large firing over the signals that follow,
     * one slice each, so that no single event waits behind thousands of results. The slices are a
     * function of the processed sequence alone. An operator that fires everything in
     * {@link #advance(long, long)} has nothing left here.
     *
     * @param maxResults to emit at most, {@link #ALL} to drain.
     */
    abstract void fireDue(int maxResults);

    /**
     * Count an event none of whose windows is live and send it to the late side output.
     *
     * @param key       of the event.
     * @param timestamp event time of the event.
     * @param watermark the event was late against.
     * @param values    accessor for the event's fields.
     */
    final void dropLate(final long key, final long timestamp, final long watermark, final EventValues values)
    {
        lateEventsDropped++;
        lateEventHandler.onLateEvent(key, timestamp, watermark, values);
    }

    @Override
    public final void onProcessingTime(final long processingTime)
    {
        assert ownerThread.isOwner() : ownerThread.describe();
        // One slice, like an event: a tick that leaves a firing in progress is followed by a journaled
        // continuation tick (the partition thread queues one), so the rest comes slice by slice without
        // waiting for events that may not come, and no event waits behind more than one slice.
        final long watermark = watermarks.watermark();
        advance(watermark, watermarks.onProcessingTime(processingTime));
        fireDue(firingSlice());
    }

    @Override
    public final void advanceWatermarkTo(final long watermark)
    {
        assert ownerThread.isOwner() : ownerThread.describe();
        final long previous = watermarks.watermark();
        advance(previous, watermarks.advanceTo(watermark));
        fireDue(ALL);
    }

    @Override
    public final void endOfInput()
    {
        assert ownerThread.isOwner() : ownerThread.describe();
        final long previous = watermarks.watermark();
        advance(previous, watermarks.endOfInput());
        fireDue(ALL);
    }

    /**
     * Results emitted per signal at most while a firing is spread over signals.
     *
     * @return the slice, {@link #ALL} for an operator that does not slice.
     */
    abstract int firingSlice();

    @Override
    public final long watermark()
    {
        return watermarks.watermark();
    }

    @Override
    public final long lateEventsDropped()
    {
        return lateEventsDropped;
    }

    @Override
    public final long windowsFired()
    {
        return windowsFired;
    }

    @Override
    public final void releaseOwnership()
    {
        ownerThread.release();
    }
}
