package io.sluice.engine.window;

import io.sluice.engine.time.WatermarkGenerator;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static io.sluice.engine.window.WindowSnapshotRows.ORDER;
import io.sluice.schema.EventValues;

/**
 * Tumbling, sliding and hopping windows over panes (see {@link AlignedWindows}): an event
 * updates the single (key, pane) row of its time, whatever the overlap. A firing window visits
 * the keys in ascending order and assembles each key's result from its chain of rows with a
 * {@link WindowAssembler}, in constant merges per key for overlapping windows. Re-emissions
 * (UPDATE) and early results of all windows an event touched come from one
 * {@link RangeAssembler} pass over the key's rows.
 * <p>
 * Firing walks only the windows that contain at least one active pane, so a large watermark
 * jump (idle partition, end of input) costs in proportion to the state, not to the time skipped.
 * <p>
 * The snapshot's layout, which {@link DenseWindowOperator} shares, is drawn in {@link AlignedSnapshotHeader}: the
 * header, the watermark generator's state, then the rows, {@code key, pane, state}, in no particular order (a
 * checkpoint copies them incrementally, see {@link PaneSnapshot}). Threading: single writer, the partition thread.
 * <p>
 * <b>Incremental firing.</b> The event whose watermark closes windows does not emit all their
 * results: each signal (event or tick) emits at most {@code firingSlice} of them, continuing in
 * the same order (due windows ascending, each window's keys ascending), so a window over 10k keys
 * is spread over the next events instead of holding one event up behind 10k results. Which event
 * emits which result is a function of the processed sequence alone, so replays and backtests
 * stay byte-identical; a snapshot records where firing stands, so a restored operator resumes
 * the same slices. Results are exact: an event that would change a window still being fired
 * first drains the firing, panes stay until every window needing them has fired, and an explicit
 * watermark or the end of input emit everything due. The rows of the panes no window needs any more
 * are freed the same way, {@code firingSlice} rows per signal, after the results. Between windows, each event also sorts
 * a few of the keys new since the last window into the order the next one visits ({@link KeyTable#sortSome}), so the
 * event that opens a window does not sort them all. A tick emits one slice, like an event; while a
 * firing is in progress the engine journals continuation ticks behind it, so the rest follows slice
 * by slice when no event comes.
 */
final class AlignedWindowOperator extends KeyedWindowOperator
{
    /**
     * Steps of the key table's sort between windows per event (a key merged or a heap level):
     * about as much work as a few results, and enough that a table of a million keys is merged
     * within some 16,000 events.
     */
    static final int SORT_STEPS_PER_EVENT = 64;
    /** Listed keys per row of a window above which its firing visits only the keys with rows. */
    private static final int SPARSE_KEYS_PER_ROW = 4;
    private static final int IDLE = AlignedSnapshotHeader.IDLE;
    private static final int BETWEEN_WINDOWS = AlignedSnapshotHeader.BETWEEN_WINDOWS;
    /** {@code firingWindow} is open: keys before {@code firingPosition} are done. */
    private static final int IN_WINDOW = AlignedSnapshotHeader.IN_WINDOW;

    private final AlignedWindows windows;
    private final PaneStore store;
    private final WindowAssembler assembler;
    private final RangeAssembler rangeAssembler;
    private final long[] singleState;
    /** Keys of the snapshot rows a restore reads ahead (see {@link #restoreFrom}). */
    private final long[] restoreKeys = new long[16];
    /** {@link #prefetch(long[], long[], int)}: the keys of the events in a window (windows with gaps). */
    private final CoveredKeys coveredKeys;
    /** While recovery replays: the sort of new keys between windows waits for the events after it ({@link #recovering}). */
    private boolean recovering;
    /** Keeps the restore's prefetching loads from being dropped as unused. */
    private long restoreTouched;
    private long unassignedEvents;
    private long purgedBelow = Long.MIN_VALUE;
    private long livePane = Long.MIN_VALUE;
    private long lastAssembledPane = Long.MIN_VALUE;
    private final int firingSlice;
    /** Results per event while firing, from the events' density in event time. */
    private final FiringPace pace;
    /** {@link #IDLE}, {@link #BETWEEN_WINDOWS} or {@link #IN_WINDOW}. */
    private int firing = IDLE;
    /** The window being fired ({@link #IN_WINDOW}) or the first one to look at next. */
    private long firingWindow;
    /** The last window due at the current watermark. */
    private long firingDue;
    /** In the open window, the position in the key table's sorted order of the next key. */
    private int firingPosition;
    /**
     * Whether the open window visits only the positions marked in {@link #windowKeys} (keys with
     * a row in the window) rather than every listed key: chosen when the window's rows are few
     * beside the listed keys, as when most keys recur less often than once a window.
     */
    private boolean sparseWindow;
    private final PositionBitmap windowKeys = new PositionBitmap();
    /** The pane of the previous event and its windows. */
    private final PaneCache paneCache;
    /** {@code windows.firstLiveWindow(watermark)}, {@link Long#MIN_VALUE} before any watermark. */
    private long firstLiveWindow = Long.MIN_VALUE;
    /** {@code windows.lastFiredWindow(watermark)}, {@link Long#MIN_VALUE} before any watermark. */
    private long lastFiredWindow = Long.MIN_VALUE;

    AlignedWindowOperator(
        final AlignedWindows windows,
        final boolean earlyOnUpdate,
        final WatermarkGenerator watermarks,
        final AggregateLayout layout,
        final WindowResultHandler resultHandler,
        final LateEventHandler lateEventHandler,
        final int expectedEntries,
        final int firingSlice,
        final int firingPace)
    {
        this(windows, earlyOnUpdate, watermarks, layout, resultHandler, lateEventHandler, expectedEntries, firingSlice,
            firingPace, WindowAssembler.foldsDirectly(windows, layout));
    }

    /**
     * @param foldDirectly whether each window's rows are folded in pane order even when windows overlap, only where
     *                     {@link WindowAssembler#foldsDirectly} allows it (tests compare both ways).
     */
    AlignedWindowOperator(
        final AlignedWindows windows,
        final boolean earlyOnUpdate,
        final WatermarkGenerator watermarks,
        final AggregateLayout layout,
        final WindowResultHandler resultHandler,
        final LateEventHandler lateEventHandler,
        final int expectedEntries,
        final int firingSlice,
        final int firingPace,
        final boolean foldDirectly)
    {
        super(earlyOnUpdate, watermarks, layout, resultHandler, lateEventHandler);
        this.windows = windows;
        this.firingSlice = firingSlice;
        this.pace = new FiringPace(firingPace, firingSlice);
        // A key holds up to panesPerWindow + panesPerHop rows at once (the live window and the
        // panes of the next hop), so the rows hint divided by that is the keys hint.
        final long rowsPerKey = windows.panesPerWindow + Math.min(windows.panesPerHop, windows.panesPerWindow);
        this.store = new PaneStore(layout, expectedEntries, (int)Math.max(1, expectedEntries / rowsPerKey));
        this.assembler = new WindowAssembler(store, layout, windows, foldDirectly);
        this.rangeAssembler = new RangeAssembler(store, layout, windows.panesPerWindow);
        this.singleState = new long[stride];
        this.coveredKeys = new CoveredKeys(windows);
        this.paneCache = new PaneCache(windows);
    }

    @Override
    public void onEvent(final long key, final long timestamp, final EventValues values)
    {
        assert ownerThread.isOwner() : ownerThread.describe();
        OwnerThread.checkTimestamp(timestamp);
        pace.onEvent(timestamp);
        final long watermark = watermarks.watermark();
        final PaneCache cached = paneCache;
        if (!cached.covers(timestamp))
        {
            cached.moveTo(timestamp);
        }
        final long pane = cached.pane;
        final long firstWindow = cached.firstWindow;
        final long lastWindow = cached.lastWindow;

        if (firstWindow > lastWindow)
        {
            unassignedEvents++;
        }
        else if (lastWindow < firstLiveWindow)
        {
            dropLate(key, timestamp, watermark, values);
        }
        else
        {
            if (firing != IDLE && firstWindow <= firingDue)
            {
                // The event changes a window whose results are still being emitted: finish them
                // first, so every result is the one the window had when the watermark passed it.
                fireDue(ALL);
            }
            final int row = store.findOrCreate(key, pane);
            layout.accumulate(store.state(), store.base(row), timestamp, values);
            if (pane <= lastAssembledPane)
            {
                store.keys().invalidateAssembly(store.slotOf(row));
            }
            if (earlyOnUpdate || lastFiredWindow >= firstWindow)
            {
                emitUpdates(key, row, firstWindow, lastWindow, watermark);
            }
        }

        advance(watermark, watermarks.onEvent(timestamp));
        if (firing != IDLE)
        {
            fireDue(pace.slice());
        }
        else if (store.purgePending())
        {
            store.purgeSome(pace.slice());
        }
        else if (!recovering && store.keys().sortWorkDue())
        {
            // Between windows: sort the keys new since the last one a little per event, so the
            // event that opens the next window does not sort them all (KeyTable#sortSome).
            store.keys().sortSome(SORT_STEPS_PER_EVENT);
        }
    }

    /**
     * Recompute what the event path derives from the watermark, after it moved or was restored.
     */
    private void cacheWatermark(final long watermark)
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

    @Override
    public boolean firingInProgress()
    {
        return firing != IDLE;
    }

    @Override
    int firingSlice()
    {
        return firingSlice;
    }

    @Override
    public long unassignedEvents()
    {
        return unassignedEvents;
    }

    @Override
    public int stateEntries()
    {
        return store.liveRows();
    }

    private void emitUpdates(
        final long key, final int row, final long firstWindow, final long lastWindow, final long watermark)
    {
        long from = firstWindow;
        long lastFired = Long.MIN_VALUE;
        if (watermark != NO_WATERMARK)
        {
            from = Math.max(firstWindow, windows.firstLiveWindow(watermark));
            lastFired = windows.lastFiredWindow(watermark);
        }
        final long to = earlyOnUpdate ? lastWindow : Math.min(lastWindow, lastFired);
        if (from > to)
        {
            return;
        }

        rangeAssembler.prepare(row, windows.firstPaneOf(from), windows.firstPaneOf(to) + windows.panesPerWindow - 1);
        for (long window = from; window <= to; window++)
        {
            rangeAssembler.assemble(windows.firstPaneOf(window), singleState);
            resultHandler.onResult(
                key, windows.windowStart(window), windows.windowEnd(window),
                window <= lastFired ? WindowResultHandler.UPDATE : WindowResultHandler.EARLY,
                layout.wrapResult(singleState, 0));
        }
    }

    @Override
    void advance(final long previous, final long watermark)
    {
        if (watermark <= previous)
        {
            return;
        }
        cacheWatermark(watermark);
        livePane = windows.firstLivePane(watermark);
        final long lastDue = lastFiredWindow;
        if (firing != IDLE)
        {
            firingDue = lastDue;
        }
        else
        {
            final long window = previous == NO_WATERMARK ? Long.MIN_VALUE : windows.lastFiredWindow(previous) + 1;
            if (window <= lastDue)
            {
                firing = BETWEEN_WINDOWS;
                firingWindow = window;
                firingDue = lastDue;
            }
        }
        purge();
    }

    /**
     * Emit up to {@code maxResults} due results, continuing where the previous call stopped: due
     * windows in ascending order, each window's keys in ascending key order. Only windows that
     * contain at least one active pane are visited. Then frees as many rows of the panes no window
     * needs any more (see {@link PaneStore#purgeBelow}): the rows of a fired window go a slice at a
     * time too, not all in the event that fires its last key.
     */
    @Override
    void fireDue(final int maxResults)
    {
        fireResults(maxResults);
        if (store.purgePending())
        {
            store.purgeSome(maxResults);
        }
    }

    private void fireResults(final int maxResults)
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
                final long fromPane = firingWindow == Long.MIN_VALUE ? Long.MIN_VALUE : windows.firstPaneOf(firingWindow);
                final int position = store.lowerBound(fromPane);
                final long next = position == store.paneCount() ?
                    Long.MAX_VALUE : Math.max(firingWindow, windows.firstWindowOf(store.paneAt(position)));
                if (position == store.paneCount() || next > firingDue)
                {
                    firing = IDLE;
                    purge();
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

    private void openWindow(final long window)
    {
        firing = IN_WINDOW;
        firingWindow = window;
        firingPosition = 0;
        final long firstPane = windows.firstPaneOf(window);
        final long lastPane = firstPane + windows.panesPerWindow - 1;
        final KeyTable keys = store.keys();
        keys.sortForIteration();
        sparseWindow = (long)store.rowsOfPanes(firstPane, lastPane) * SPARSE_KEYS_PER_ROW < keys.sortedCount();
        if (sparseWindow)
        {
            windowKeys.clear(keys.sortedCount());
            store.markKeysOfPanes(firstPane, lastPane, windowKeys);
        }
        store.cursorPane(firstPane);
        // Rows changed from now on in panes up to the window's last invalidate assembled state.
        lastAssembledPane = Math.max(lastAssembledPane, firstPane + windows.panesPerWindow - 1);
    }

    /**
     * Emit the open window's results for its next keys, at most {@code budget} of them.
     *
     * @return the budget left, 0 if the window still has keys to visit.
     */
    private int fireKeys(final int budget)
    {
        final long window = firingWindow;
        final long firstPane = windows.firstPaneOf(window);
        final long lastPane = firstPane + windows.panesPerWindow - 1;
        final long start = windows.windowStart(window);
        final long end = windows.windowEnd(window);
        final KeyTable keys = store.keys();
        int left = budget;
        final int count = keys.sortedCount();
        final boolean sparse = sparseWindow;
        for (int i = sparse ? windowKeys.next(firingPosition, count) : firingPosition; i < count;
            i = sparse ? windowKeys.next(i + 1, count) : i + 1)
        {
            if (left == 0)
            {
                firingPosition = i;
                return 0;
            }
            final int slot = keys.sortedSlot(i);
            final int first = store.advanceWindowFirst(slot, firstPane);
            if (first == PaneStore.NONE || store.paneOf(first) > lastPane)
            {
                continue;
            }
            assembler.assemble(slot, first, firstPane, singleState);
            windowsFired++;
            left--;
            resultHandler.onResult(
                keys.key(slot), start, end, WindowResultHandler.FINAL, layout.wrapResult(singleState, 0));
        }
        firing = BETWEEN_WINDOWS;
        firingWindow = window + 1;
        purge();
        return left;
    }

    /**
     * Free the panes no live window needs, keeping those of windows still due to fire.
     */
    private void purge()
    {
        long below = livePane;
        if (firing != IDLE)
        {
            below = Math.min(below, firingWindow == Long.MIN_VALUE ? Long.MIN_VALUE : windows.firstPaneOf(firingWindow));
        }
        if (below > purgedBelow)
        {
            purgedBelow = below;
            store.purgeBelow(below);
        }
    }

    @Override
    public long prefetch(final long[] keys, final int count)
    {
        return store.prefetch(keys, count);
    }

    @Override
    public void recovering(final boolean recovering)
    {
        this.recovering = recovering;
    }

    /** Keys new since the last sort that no sort has taken yet (tests: what {@link #recovering} leaves for later). */
    int keysAwaitingSort()
    {
        return store.keys().pendingCount();
    }

    /**
     * Hints only the keys of events that fall in a window ({@link CoveredKeys}): with gaps between the windows
     * (hop > size) an event in a gap never touches the state.
     */
    @Override
    public long prefetch(final long[] keys, final long[] timestamps, final int count)
    {
        if (windows.hop <= windows.size)
        {
            return store.prefetch(keys, count);
        }
        final long[] covered = coveredKeys.select(keys, timestamps, count);
        return store.prefetch(covered, coveredKeys.count());
    }

    @Override
    public int snapshotLength()
    {
        return AlignedSnapshotHeader.HEADER_LENGTH + watermarks.snapshotLength() + store.rowsInUse() * PaneSnapshot.rowLength(stride);
    }

    @Override
    public int snapshotTo(final MutableDirectBuffer buffer, final int offset)
    {
        final int length = beginSnapshot(buffer, offset);
        store.snapshot().complete();
        return length;
    }

    /**
     * Writes the header and the watermark state now and fixes the rows as they are (see
     * {@link PaneSnapshot}); the rows follow in {@link #continueSnapshot} slices, or as they change.
     */
    @Override
    public int beginSnapshot(final MutableDirectBuffer buffer, final int offset)
    {
        assert ownerThread.isOwner() : ownerThread.describe();
        store.snapshot().complete();
        int state = firing;
        long resumeKey = 0;
        if (firing == IN_WINDOW && firingPosition > 0)
        {
            state = AlignedSnapshotHeader.IN_WINDOW_AFTER_KEY;
            resumeKey = store.keys().key(store.keys().sortedSlot(firingPosition - 1));
        }
        int cursor = offset + AlignedSnapshotHeader.put(buffer, offset, windows, stride, store.rowsInUse(), lateEventsDropped,
            unassignedEvents, windowsFired, state, firingWindow, firingDue, resumeKey, pace);
        cursor += watermarks.snapshotTo(buffer, cursor);
        cursor += store.snapshot().begin(buffer, cursor);
        return cursor - offset;
    }

    /**
     * Re-open a firing that was half done when the snapshot was taken, once the rows are back.
     */
    private void restoreFiringCursor(final DirectBuffer buffer, final int offset, final int state)
    {
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
            firingPosition = store.keys().positionAfter(AlignedSnapshotHeader.resumeKey(buffer, offset));
        }
    }

    /**
     * Restore one row of a snapshot on the gcd grid into one pane per window: merged into its window's row, which
     * earlier rows of the same window may have created (the layout regroups exactly, so the merge order is free).
     *
     * @return the cursor after the row.
     */
    private int restoreGcdRow(final DirectBuffer buffer, final int cursor)
    {
        final long key = buffer.getLong(cursor, ORDER);
        final long window = windows.windowOfGcdPane(buffer.getLong(cursor + 8, ORDER));
        final int rowsBefore = store.rowsInUse();
        final int row = store.findOrCreate(key, window);
        if (store.rowsInUse() > rowsBefore)
        {
            return WindowSnapshotRows.getState(buffer, cursor + 16, store.state(), store.base(row), stride);
        }
        final int next = WindowSnapshotRows.getState(buffer, cursor + 16, singleState, 0, stride);
        layout.merge(store.state(), store.base(row), singleState, 0);
        return next;
    }

    @Override
    public boolean continueSnapshot(final int budget)
    {
        assert ownerThread.isOwner() : ownerThread.describe();
        return store.snapshot().copySlice(budget);
    }

    @Override
    public int restoreFrom(final DirectBuffer buffer, final int offset)
    {
        assert ownerThread.isOwner() : ownerThread.describe();
        final int version = AlignedSnapshotHeader.check(buffer, offset, windows, stride);
        // Rows of an older snapshot are on the gcd grid: into one pane per window, each goes to its window's row.
        final boolean regrid = AlignedSnapshotHeader.regrid(version, windows);
        final int firingState = AlignedSnapshotHeader.firingState(buffer, offset, version);
        final int rowCount = AlignedSnapshotHeader.rowCount(buffer, offset);
        lateEventsDropped = AlignedSnapshotHeader.lateEvents(buffer, offset);
        unassignedEvents = AlignedSnapshotHeader.unassignedEvents(buffer, offset);
        windowsFired = AlignedSnapshotHeader.windowsFired(buffer, offset);
        int cursor = AlignedSnapshotHeader.restorePace(buffer, offset, version, pace);
        cursor += watermarks.restoreFrom(buffer, cursor);

        store.clear();
        purgedBelow = Long.MIN_VALUE;
        lastAssembledPane = Long.MIN_VALUE;
        final long watermark = watermarks.watermark();
        cacheWatermark(watermark);
        livePane = watermark == NO_WATERMARK ? Long.MIN_VALUE : windows.firstLivePane(watermark);
        // The rows' keys are read ahead a batch at a time and their index entries loaded together, so the
        // lookups' cache misses overlap (a restore of a million keys is otherwise a miss per row, in turn).
        // Sized once for what follows (keys estimated as one per pane of a window), not grown row by row.
        store.reserve(rowCount, (int)Math.max(1, rowCount / windows.panesPerWindow));
        final int rowLength = PaneSnapshot.rowLength(stride);
        final long[] ahead = restoreKeys;
        long touched = 0;
        for (int i = 0; i < rowCount; )
        {
            final int batch = Math.min(ahead.length, rowCount - i);
            for (int b = 0; b < batch; b++)
            {
                ahead[b] = buffer.getLong(cursor + b * rowLength, ORDER);
            }
            touched += store.keys().touch(ahead, batch);
            for (int b = 0; b < batch; b++, i++)
            {
                if (regrid)
                {
                    cursor = restoreGcdRow(buffer, cursor);
                    continue;
                }
                final int row = store.findOrCreate(buffer.getLong(cursor, ORDER), buffer.getLong(cursor + 8, ORDER));
                cursor = WindowSnapshotRows.getState(buffer, cursor + 16, store.state(), store.base(row), stride);
            }
        }
        restoreTouched = touched;
        restoreFiringCursor(buffer, offset, firingState);
        // Rows of panes that were dead but not yet freed at the barrier are dead again, as they were live.
        purge();
        return cursor - offset;
    }
}
