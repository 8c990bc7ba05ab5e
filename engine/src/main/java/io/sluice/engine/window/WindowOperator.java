package io.sluice.engine.window;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import io.sluice.schema.EventValues;

/**
 * A keyed window aggregation over one partition: consumes events and watermark signals, emits
 * results to its {@link WindowResultHandler} and expired events to its {@link LateEventHandler}.
 * Built by {@link WindowOperatorContext#build()}.
 * <p>
 * <b>Event processing.</b> {@link #onEvent(long, long, EventValues)} first applies the event
 * against the current watermark, then lets the watermark generator observe its time and fires
 * whatever became due. Given watermark {@code W} and allowed lateness {@code L}, a window
 * {@code [start, end)}:
 * <ul>
 *   <li>fires its {@link WindowResultHandler#FINAL} result once, when {@code W >= end - 1};</li>
 *   <li>is <i>live</i> while {@code end - 1 + L > W}; its state is dropped once
 *       {@code W >= end - 1 + L};</li>
 *   <li>when it has fired but is still live, each new event for it re-emits an
 *       {@link WindowResultHandler#UPDATE} with the full updated result.</li>
 * </ul>
 * An event is <i>late</i> when none of its windows is live: it goes to the late side output and
 * {@link #lateEventsDropped()}. An event of an aligned hopping window in a gap belongs to no
 * window: it is counted by {@link #unassignedEvents()} and is never late.
 * <p>
 * <b>Zero allocation:</b> once state arrays have grown to the working set no method but the
 * snapshot ones allocates.
 * <p>
 * <b>Threading:</b> single writer; every method must be called from the partition's thread
 * (checked by an assertion: the first calling thread becomes the owner). Counter getters are
 * plain reads meant for that thread, for instance to publish them into shared-memory counters
 * on its duty cycle; they are not safe to read from other threads.
 */
public interface WindowOperator
{
    /**
     * Process one event.
     *
     * @param key       of the event.
     * @param timestamp event time of the event (or journaled processing time in processing-time
     *                  mode).
     * @param values    accessor for the event's numeric fields, read only during this call.
     */
    void onEvent(long key, long timestamp, EventValues values);

    /**
     * A hint that events of these keys come next (recovery's replay reads them ahead in the journal): an
     * operator may load their state entries together, so that the cache misses overlap instead of each
     * event waiting for its own. Changes nothing; the default does nothing.
     *
     * @param keys  of the coming events.
     * @param count of keys, from index 0.
     * @return a value depending on what was loaded, for the caller to keep (so the loads are not dropped).
     */
    default long prefetch(final long[] keys, final int count)
    {
        return 0;
    }

    /**
     * {@link #prefetch(long[], int)} for events whose times are known too: an operator may leave out the keys of
     * events that will not touch its state (those in no window), whose loads would only take room in the cache.
     * Changes nothing; the default hints every key.
     *
     * @param keys       of the coming events.
     * @param timestamps of the coming events, index for index.
     * @param count      of events, from index 0.
     * @return a value depending on what was loaded, for the caller to keep (so the loads are not dropped).
     */
    default long prefetch(final long[] keys, final long[] timestamps, final int count)
    {
        return prefetch(keys, count);
    }

    /**
     * Pass a journaled processing-time tick to the watermark generator (idle detection,
     * processing-time mode) and fire whatever became due.
     *
     * @param processingTime journaled processing timestamp, non-decreasing.
     */
    void onProcessingTime(long processingTime);

    /**
     * Whether results of a firing are still waiting to be emitted in slices (at most the firing slice per
     * event or tick): the engine journals a tick for a partition that went quiet in that state, so the
     * rest is emitted without waiting for the next event.
     *
     * @return true while a firing is in progress; false for an operator that fires whole.
     */
    default boolean firingInProgress()
    {
        return false;
    }

    /**
     * Advance the watermark explicitly (idle partition, upstream watermark) and fire whatever
     * became due. A value below the current watermark is ignored.
     *
     * @param watermark to advance to.
     */
    void advanceWatermarkTo(long watermark);

    /**
     * End of a bounded input: the watermark moves to {@link Long#MAX_VALUE}, every open window
     * fires and all state is released.
     */
    void endOfInput();

    /**
     * The current watermark.
     *
     * @return the watermark, {@link Long#MIN_VALUE} before any.
     */
    long watermark();

    /**
     * Events sent to the late side output because all their windows had expired.
     *
     * @return the count of late events.
     */
    long lateEventsDropped();

    /**
     * Events that belonged to no window (gaps of hopping windows).
     *
     * @return the count of unassigned events.
     */
    long unassignedEvents();

    /**
     * Final window results emitted, one per key and window.
     *
     * @return the count of fired windows.
     */
    long windowsFired();

    /**
     * Entries of state currently held: (key, pane) rows for aligned windows, sessions for session
     * windows.
     *
     * @return the number of state entries.
     */
    int stateEntries();

    /**
     * Upper bound of the bytes {@link #snapshotTo(MutableDirectBuffer, int)} would write now.
     *
     * @return the snapshot length in bytes.
     */
    int snapshotLength();

    /**
     * Write all operator state (open panes or sessions per key, watermark generator, counters)
     * into a buffer. The layout is documented by the implementation's descriptor.
     *
     * @param buffer to write into, with at least {@link #snapshotLength()} bytes from offset.
     * @param offset in the buffer at which to start.
     * @return the number of bytes written.
     */
    int snapshotTo(MutableDirectBuffer buffer, int offset);

    /**
     * Starts a snapshot of the state as it is now (a checkpoint barrier) whose bulk may be written
     * later: what is not written yet follows in {@link #continueSnapshot} slices, and the operator
     * copies any part it is about to change before changing it, so the finished bytes are exactly
     * {@link #snapshotTo} at this call. The buffer must stay untouched by others until the snapshot is
     * complete. By default the whole snapshot is written at once.
     *
     * @param buffer to write into, with at least {@link #snapshotLength()} bytes from offset.
     * @param offset in the buffer at which to start.
     * @return the number of bytes the complete snapshot takes.
     */
    default int beginSnapshot(final MutableDirectBuffer buffer, final int offset)
    {
        return snapshotTo(buffer, offset);
    }

    /**
     * Writes the next part of the snapshot {@link #beginSnapshot begun} at the last barrier, a bounded
     * amount of work.
     *
     * @param budget units of state (rows) to look at, at least 1; {@link Integer#MAX_VALUE} for all.
     * @return true once the snapshot is complete (also when none is in progress).
     */
    default boolean continueSnapshot(final int budget)
    {
        return true;
    }

    /**
     * Replace all state with a snapshot written by an operator of identical configuration.
     * Continuing after a restore emits exactly what the snapshotted operator would have emitted.
     *
     * @param buffer to read from.
     * @param offset in the buffer at which the snapshot starts.
     * @return the number of bytes read.
     * @throws IllegalStateException if the snapshot was written by a differently configured
     *                               operator.
     */
    int restoreFrom(DirectBuffer buffer, int offset);

    /**
     * Allocates the state an operator built with {@link WindowOperatorContext#deferSizing} left unsized, for its
     * {@link WindowOperatorContext#expectedEntries} hint: for a launch whose checkpoint turned out not to be restored.
     * An operator that is used without it still works, growing its state from the smallest size. Nothing happens when
     * the state is sized already (by its build, a restore or an earlier call); the default does nothing.
     */
    default void presize()
    {
    }

    /**
     * Whether recovery is replaying the journal through the operator, before the engine is ready. While it is, the
     * operator may leave to the events after it the work that only prepares later firings between windows (sorting
     * the keys new since the last window, a bounded number of steps per event): a window that fires during the
     * replay still does what is left of it first, so outputs do not depend on this, and it keeps that work off
     * the time to ready. By default nothing changes.
     *
     * @param recovering true from before the replay's first event to after its last.
     */
    default void recovering(final boolean recovering)
    {
    }

    /**
     * Hands the operator to another thread: the next thread that calls it becomes its owner. Used
     * when recovery (restore, replay) runs on a start-up thread and processing then moves to the
     * partition thread; the hand-off itself must be ordered by a happens-before edge (a thread start).
     */
    void releaseOwnership();
}
