package io.sluice.engine.window;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import io.sluice.schema.EventValues;

import static io.sluice.engine.window.WindowSnapshotRows.ORDER;

/**
 * What the two operators of tumbling, sliding and hopping windows share, {@link AlignedWindowOperator} (linked rows)
 * and {@link DenseWindowOperator} (dense key slots), around the rows each keeps its own way:
 * <ul>
 *   <li>an event's path up to its key's row: the pane of its time ({@link PaneCache}), events in a gap (unassigned)
 *       and late ones, draining a firing the event would change, then the watermark's move and one slice of the
 *       firing, or else the work between windows;</li>
 *   <li>the <b>incremental firing</b>: each signal (event or tick) emits at most a slice of the due results (the
 *       firing slice, or the {@link FiringPace} for events), continuing in the same order, due windows ascending
 *       (only those with rows), each window's keys in ascending (signed) key order as the {@link KeyTable} lists them
 *       (all its keys, or only the positions of the window's own keys when they are few beside the listed ones). Which
 *       event emits which result is a function of the processed sequence alone, so replays and backtests stay
 *       byte-identical. An event that would change a window still being fired first drains the firing, and an
 *       explicit watermark or the end of input emit everything due. Between windows each event sorts a few of the keys
 *       new since the last window ({@link KeyTable#sortSome}), so the event that opens the next one does not sort them
 *       all. A tick emits one slice, like an event; while a firing is in progress the engine journals continuation
 *       ticks behind it;</li>
 *   <li>the snapshot's header, watermark state and firing cursor ({@link AlignedSnapshotHeader}), and a restore's
 *       read-ahead of the rows' keys;</li>
 *   <li>the prefetch of the keys of a run's events that fall in a window ({@link CoveredKeys}).</li>
 * </ul>
 * A subclass folds an event into its key's row, says which pane with rows comes first, prepares a window and emits a
 * key's result. Threading: single writer, the partition thread.
 */
abstract sealed class PanedWindowOperator extends KeyedWindowOperator permits AlignedWindowOperator, DenseWindowOperator
{
    /**
     * Steps of the key table's sort between windows per event (a key merged or a heap level): about as much work as a
     * few results, and enough that a table of a million keys is merged within some 16,000 events.
     */
    static final int SORT_STEPS_PER_EVENT = 64;
    static final int IDLE = AlignedSnapshotHeader.IDLE;
    static final int BETWEEN_WINDOWS = AlignedSnapshotHeader.BETWEEN_WINDOWS;
    /** {@link #firingWindow} is open: keys before {@link #firingPosition} are done. */
    static final int IN_WINDOW = AlignedSnapshotHeader.IN_WINDOW;
    /** {@link #lowestPaneFrom} finding no pane with rows. */
    static final long NO_PANE = Long.MAX_VALUE;
    /** Keys of a firing slice whose state {@link #loadAhead} loads before their results are emitted, at most. */
    static final int LOAD_AHEAD_RESULTS = 64;
    /** Listed keys per row of a window above which its firing visits only the keys with rows. */
    private static final int SPARSE_KEYS_PER_ROW = 4;

    final AlignedWindows windows;
    final PaneCache paneCache;
    private final int firingSlice;
    /** Results per event while firing, from the events' density in event time. */
    final FiringPace pace;
    private final CoveredKeys coveredKeys;
    /** The open window's keys' positions in the sorted order, for a sparse window. */
    private final PositionBitmap windowKeys = new PositionBitmap();
    /** Keys of the snapshot rows a restore reads ahead. */
    private final long[] restoreKeys = new long[16];
    /** {@code windows.firstLiveWindow(watermark)}, {@link Long#MIN_VALUE} before any watermark. */
    long firstLiveWindow = Long.MIN_VALUE;
    /** {@code windows.lastFiredWindow(watermark)}, {@link Long#MIN_VALUE} before any watermark. */
    long lastFiredWindow = Long.MIN_VALUE;
    /** {@link #IDLE}, {@link #BETWEEN_WINDOWS} or {@link #IN_WINDOW}. */
    int firing = IDLE;
    /** The window being fired ({@link #IN_WINDOW}) or the first one to look at next. */
    long firingWindow;
    /** The last window due at the current watermark. */
    long firingDue;
    /** In the open window, the position in the key table's sorted order of the next key. */
    private int firingPosition;
    /**
     * Whether the open window visits only the positions marked in {@link #windowKeys} (keys with a row in the window)
     * rather than every listed key: chosen when the window's rows are few beside the listed keys, as when most keys
     * recur less often than once a window.
     */
    private boolean sparseWindow;
    /** While recovery replays: the sort of new keys between windows waits for the events after it ({@link #recovering}). */
    private boolean recovering;
    long unassignedEvents;
    /**
     * Set when the state may be better held the other way, dense key slots or linked rows ({@link DenseBound}); the
     * {@link AdaptiveWindowOperator} holding the operator reviews its layout after the signal and clears it.
     */
    boolean layoutReviewDue;
    /** What a restore's read-ahead loaded, kept only so that the JIT cannot drop the loads. */
    private long restoreTouched;

    PanedWindowOperator(final AlignedWindows windows, final WindowSettings settings)
    {
        super(settings);
        this.windows = windows;
        this.firingSlice = settings.firingSlice();
        this.pace = new FiringPace(settings.firingPace(), firingSlice);
        this.paneCache = new PaneCache(windows);
        this.coveredKeys = new CoveredKeys(windows);
    }

    /**
     * The keys with rows, in the order windows fire them.
     *
     * @return the subclass's key table.
     */
    abstract KeyTable keys();

    /**
     * Folds an event of a live window into its key's row of {@link #paneCache}'s pane (and emits what the event makes
     * the subclass emit at once).
     *
     * @param key       of the event.
     * @param timestamp of the event.
     * @param values    of the event.
     * @param watermark before the event.
     */
    abstract void fold(long key, long timestamp, EventValues values, long watermark);

    /**
     * {@link #paneCache} moved to another pane (or the gap after a window).
     */
    void paneMoved()
    {
    }

    /**
     * The work an event does between windows (no firing in progress): a few steps of the sort of new keys.
     */
    void betweenWindows()
    {
        final KeyTable keys = keys();
        if (!recovering && keys.sortWorkDue())
        {
            keys.sortSome(SORT_STEPS_PER_EVENT);
        }
    }

    @Override
    public final void onEvent(final long key, final long timestamp, final EventValues values)
    {
        assert ownerThread.isOwner() : ownerThread.describe();
        OwnerThread.checkTimestamp(timestamp);
        pace.onEvent(timestamp);
        final long watermark = watermarks.watermark();
        final PaneCache cached = paneCache;
        if (!cached.covers(timestamp))
        {
            cached.moveTo(timestamp);
            paneMoved();
        }
        if (cached.firstWindow > cached.lastWindow)
        {
            unassignedEvents++;
        }
        else if (cached.lastWindow < firstLiveWindow)
        {
            dropLate(key, timestamp, watermark, values);
        }
        else
        {
            if (firing != IDLE && cached.firstWindow <= firingDue)
            {
                // The event changes a window whose results are still being emitted: finish them
                // first, so every result is the one the window had when the watermark passed it.
                fireDue(ALL);
            }
            fold(key, timestamp, values, watermark);
        }

        advance(watermark, watermarks.onEvent(timestamp));
        if (firing != IDLE)
        {
            fireDue(pace.slice());
        }
        else
        {
            betweenWindows();
        }
    }

    /**
     * Recompute what the event path derives from the watermark, after it moved or was restored.
     *
     * @param watermark the current watermark.
     */
    final void cacheWatermark(final long watermark)
    {
        if (watermark == NO_WATERMARK)
        {
            firstLiveWindow = Long.MIN_VALUE;
            lastFiredWindow = Long.MIN_VALUE;
        }
        else
        {
            firstLiveWindow = windows.firstLiveWindow(watermark);
            lastFiredWindow = windows.lastFiredWindow(watermark);
        }
    }

    /**
     * The watermark moved from {@code previous} to {@code watermark}: the windows it makes due join the firing.
     *
     * @param previous  the watermark before, {@link #NO_WATERMARK} before any.
     * @param watermark the watermark now, above {@code previous}.
     */
    final void windowsDue(final long previous, final long watermark)
    {
        final long window = previous == NO_WATERMARK ? Long.MIN_VALUE : lastFiredWindow + 1;
        cacheWatermark(watermark);
        final long lastDue = lastFiredWindow;
        if (firing != IDLE)
        {
            firingDue = lastDue;
        }
        else if (window <= lastDue)
        {
            firing = BETWEEN_WINDOWS;
            firingWindow = window;
            firingDue = lastDue;
        }
    }

    /**
     * Emit up to {@code maxResults} due results, continuing where the previous call stopped.
     *
     * @param maxResults to emit at most.
     */
    final void fireResults(final int maxResults)
    {
        int budget = maxResults;
        while (firing != IDLE)
        {
            if (firing == BETWEEN_WINDOWS)
            {
                if (budget == 0)
                {
                    return;
                }
                final long pane = lowestPaneFrom(firingWindow == Long.MIN_VALUE ? Long.MIN_VALUE : windows.firstPaneOf(firingWindow));
                final long next = pane == NO_PANE ? Long.MAX_VALUE : Math.max(firingWindow, windows.firstWindowOf(pane));
                if (next > firingDue)
                {
                    firing = IDLE;
                    firingEnded();
                    return;
                }
                openWindow(next);
            }
            budget = fireKeys(budget);
            if (firing == IN_WINDOW)
            {
                return;
            }
        }
    }

    /**
     * The lowest pane at or above {@code from} that holds rows.
     *
     * @param from the first pane to look at.
     * @return the pane, or {@link #NO_PANE}.
     */
    abstract long lowestPaneFrom(long from);

    /**
     * Every window due has emitted its results (the firing is {@link #IDLE} again).
     */
    void firingEnded()
    {
    }

    private void openWindow(final long window)
    {
        firing = IN_WINDOW;
        firingWindow = window;
        firingPosition = 0;
        final int rows = prepareWindow(window);
        final KeyTable keys = keys();
        keys.sortForIteration();
        sparseWindow = (long)rows * SPARSE_KEYS_PER_ROW < keys.sortedCount();
        if (sparseWindow)
        {
            windowKeys.clear(keys.sortedCount());
            markKeysOfWindow(windowKeys);
        }
    }

    /**
     * Prepares the window about to fire.
     *
     * @param window about to fire.
     * @return the rows of its panes.
     */
    abstract int prepareWindow(long window);

    /**
     * Marks the sorted-order position ({@link KeyTable#rank}) of every key with a row in the window just prepared.
     *
     * @param marks to set.
     */
    abstract void markKeysOfWindow(PositionBitmap marks);

    /**
     * Emit the open window's results for its next keys, at most {@code budget} of them.
     *
     * @return the budget left, 0 if the window still has keys to visit.
     */
    private int fireKeys(final int budget)
    {
        final KeyTable keys = keys();
        int left = budget;
        final int count = keys.sortedCount();
        final boolean sparse = sparseWindow;
        if (!sparse)
        {
            loadAhead(firingPosition, (int)Math.min(count, (long)firingPosition + Math.min(left, LOAD_AHEAD_RESULTS)));
        }
        for (int i = sparse ? windowKeys.next(firingPosition, count) : firingPosition; i < count;
            i = sparse ? windowKeys.next(i + 1, count) : i + 1)
        {
            if (left == 0)
            {
                firingPosition = i;
                return 0;
            }
            if (emitResult(keys.sortedSlot(i), keys.sortedKey(i)))
            {
                left--;
            }
        }
        firing = BETWEEN_WINDOWS;
        firingWindow++;
        windowClosed();
        return left;
    }

    /**
     * Loads what {@link #emitResult} reads for the keys at some positions of the sorted order, in a loop of independent
     * loads whose cache misses overlap, where the emitting loop, a key at a time, waits for each in turn: the keys'
     * rows are rarely still in the cache a window later. A hint only: changes nothing.
     *
     * @param from first position.
     * @param to   one past the last position.
     */
    void loadAhead(final int from, final int to)
    {
    }

    /**
     * Emits the open window's result of a key, if it has rows in the window.
     *
     * @param slot of the key.
     * @param key  the key, as the sorted order holds it beside the slot ({@link KeyTable#sortedKey}).
     * @return whether a result went out.
     */
    abstract boolean emitResult(int slot, long key);

    /**
     * The window before {@link #firingWindow} has emitted every result.
     */
    abstract void windowClosed();

    @Override
    public final boolean firingInProgress()
    {
        return firing != IDLE;
    }

    @Override
    final int firingSlice()
    {
        return firingSlice;
    }

    @Override
    public final long unassignedEvents()
    {
        return unassignedEvents;
    }

    @Override
    public final void recovering(final boolean recovering)
    {
        this.recovering = recovering;
    }

    /** Keys new since the last sort that no sort has taken yet (tests: what {@link #recovering} leaves for later). */
    final int keysAwaitingSort()
    {
        return keys().pendingCount();
    }

    /**
     * Hints only the keys of events that fall in a window ({@link CoveredKeys}): with gaps between the windows
     * (hop > size) an event in a gap never touches the state.
     */
    @Override
    public final long prefetch(final long[] keys, final long[] timestamps, final int count)
    {
        if (windows.hop <= windows.size)
        {
            return prefetch(keys, count);
        }
        final long[] covered = coveredKeys.select(keys, timestamps, count);
        return prefetch(covered, coveredKeys.count());
    }

    /**
     * Bytes of the snapshot's header and watermark state.
     *
     * @return the length.
     */
    final int headerLength()
    {
        return AlignedSnapshotHeader.HEADER_LENGTH + watermarks.snapshotLength();
    }

    /**
     * Writes the snapshot's header (the firing cursor included) and the watermark state.
     *
     * @param buffer   to write into.
     * @param offset   at which the snapshot starts.
     * @param rowCount rows that follow.
     * @return the cursor after the watermark state.
     */
    final int putHeader(final MutableDirectBuffer buffer, final int offset, final int rowCount)
    {
        final boolean afterKey = firing == IN_WINDOW && firingPosition > 0;
        final long resumeKey = afterKey ? keys().sortedKey(firingPosition - 1) : 0;
        final int cursor = offset + AlignedSnapshotHeader.put(buffer, offset, windows, stride, rowCount, lateEventsDropped,
            unassignedEvents, windowsFired, afterKey ? AlignedSnapshotHeader.IN_WINDOW_AFTER_KEY : firing, firingWindow, firingDue,
            resumeKey, pace);
        return cursor + watermarks.snapshotTo(buffer, cursor);
    }

    /**
     * Reads a snapshot's counters, pace and watermark state (after {@link AlignedSnapshotHeader#check}); the firing
     * is {@link #IDLE} until {@link #restoreFiringCursor}.
     *
     * @param buffer  to read from.
     * @param offset  at which the snapshot starts.
     * @param version of the snapshot.
     * @return the cursor after the watermark state, where the rows start.
     */
    final int restoreHeader(final DirectBuffer buffer, final int offset, final int version)
    {
        lateEventsDropped = AlignedSnapshotHeader.lateEvents(buffer, offset);
        unassignedEvents = AlignedSnapshotHeader.unassignedEvents(buffer, offset);
        windowsFired = AlignedSnapshotHeader.windowsFired(buffer, offset);
        final int cursor = AlignedSnapshotHeader.restorePace(buffer, offset, version, pace);
        final int rowsAt = cursor + watermarks.restoreFrom(buffer, cursor);
        cacheWatermark(watermarks.watermark());
        firing = IDLE;
        return rowsAt;
    }

    /**
     * Reads a snapshot's rows, a batch at a time: the batch's keys' index entries and records are loaded together
     * first, so that the lookups' cache misses overlap (a restore of a million keys is otherwise a miss per row, in
     * turn). Each row goes to {@link #restoreRow}.
     *
     * @param buffer   to read from.
     * @param from     where the rows start.
     * @param rowCount rows to read.
     * @return the cursor after the rows.
     */
    final int restoreRows(final DirectBuffer buffer, final int from, final int rowCount)
    {
        final int rowLength = PaneSnapshot.rowLength(stride);
        final long[] ahead = restoreKeys;
        final KeyTable keys = keys();
        long touched = 0;
        int cursor = from;
        for (int i = 0; i < rowCount; )
        {
            final int batch = Math.min(ahead.length, rowCount - i);
            for (int b = 0; b < batch; b++)
            {
                ahead[b] = buffer.getLong(cursor + b * rowLength, ORDER);
            }
            touched += keys.touch(ahead, batch);
            for (int b = 0; b < batch; b++, i++, cursor += rowLength)
            {
                restoreRow(buffer.getLong(cursor, ORDER), buffer.getLong(cursor + 8, ORDER), buffer, cursor + 16);
            }
        }
        restoreTouched = touched;
        return cursor;
    }

    /**
     * Restores one snapshot row.
     *
     * @param key     of the row.
     * @param pane    of the row, as the snapshot holds it.
     * @param buffer  holding the row.
     * @param stateAt where the row's aggregate state starts.
     */
    abstract void restoreRow(long key, long pane, DirectBuffer buffer, int stateAt);

    /**
     * Re-opens a firing that was half done when the snapshot was taken, once the rows are back.
     *
     * @param buffer  to read from.
     * @param offset  at which the snapshot starts.
     * @param version of the snapshot.
     */
    final void restoreFiringCursor(final DirectBuffer buffer, final int offset, final int version)
    {
        final int state = AlignedSnapshotHeader.firingState(buffer, offset, version);
        firing = IDLE;
        if (state == IDLE)
        {
            return;
        }
        firingDue = AlignedSnapshotHeader.firingDue(buffer, offset);
        firingWindow = AlignedSnapshotHeader.firingWindow(buffer, offset);
        firing = BETWEEN_WINDOWS;
        if (state == BETWEEN_WINDOWS)
        {
            return;
        }
        openWindow(firingWindow);
        if (state == AlignedSnapshotHeader.IN_WINDOW_AFTER_KEY)
        {
            // Keys are visited in ascending order, so everything up to the resume key is done;
            // keys the snapshotted operator had not listed yet hold no row of this window.
            firingPosition = keys().positionAfter(AlignedSnapshotHeader.resumeKey(buffer, offset));
            keysDone(firingPosition);
        }
    }

    /**
     * A restore re-opened a window whose keys before a position (in the sorted order) had emitted their results.
     *
     * @param position of the first key not done.
     */
    void keysDone(final int position)
    {
    }
}
