package io.sluice.engine.window;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

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
 * <b>Incremental firing</b> ({@link PanedWindowOperator}): at most a slice of the due results per signal, in the
 * same order as an unsliced firing; panes stay until every window needing them has fired, and the rows of the panes
 * no window needs any more are freed the same way, a slice of rows per signal, after the results.
 */
final class AlignedWindowOperator extends PanedWindowOperator
{
    private final PaneStore store;
    private final WindowAssembler assembler;
    private final RangeAssembler rangeAssembler;
    private final long[] singleState;
    private long purgedBelow = Long.MIN_VALUE;
    private long livePane = Long.MIN_VALUE;
    private long lastAssembledPane = Long.MIN_VALUE;
    /** While a restore reads rows of an older snapshot on the gcd grid into one pane per window. */
    private boolean regridding;
    /** Whether each firing's end asks for a {@link #layoutReviewDue review} (an {@link AdaptiveWindowOperator}'s rows). */
    private boolean reviewsLayout;

    AlignedWindowOperator(final AlignedWindows windows, final WindowSettings settings)
    {
        this(windows, settings, WindowAssembler.foldsDirectly(windows, settings.layout()));
    }

    /**
     * @param foldDirectly whether each window's rows are folded in pane order even when windows overlap, only where
     *                     {@link WindowAssembler#foldsDirectly} allows it (tests compare both ways).
     */
    AlignedWindowOperator(final AlignedWindows windows, final WindowSettings settings, final boolean foldDirectly)
    {
        this(windows, settings, foldDirectly, false);
    }

    /**
     * @param foldDirectly see above.
     * @param deferSizing  whether the state is sized by a restore or {@link #presize()} rather than here
     *                     ({@link WindowOperatorContext#deferSizing}).
     */
    AlignedWindowOperator(final AlignedWindows windows, final WindowSettings settings, final boolean foldDirectly,
        final boolean deferSizing)
    {
        super(windows, settings);
        final int expectedEntries = settings.expectedEntries();
        // A key holds up to panesPerWindow + panesPerHop rows at once (the live window and the
        // panes of the next hop), so the rows hint divided by that is the keys hint.
        final long rowsPerKey = windows.panesPerWindow + Math.min(windows.panesPerHop, windows.panesPerWindow);
        this.store = new PaneStore(layout, expectedEntries, (int)Math.max(1, expectedEntries / rowsPerKey), deferSizing);
        this.assembler = new WindowAssembler(store, layout, windows, foldDirectly);
        this.rangeAssembler = new RangeAssembler(store, layout, windows.panesPerWindow);
        this.singleState = new long[stride];
    }

    @Override
    KeyTable keys()
    {
        return store.keys();
    }

    @Override
    void fold(final long key, final long timestamp, final EventValues values, final long watermark)
    {
        final long pane = paneCache.pane;
        final long firstWindow = paneCache.firstWindow;
        final long lastWindow = paneCache.lastWindow;
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

    /**
     * Between windows the rows of panes no window needs any more are freed first, a slice per event.
     */
    @Override
    void betweenWindows()
    {
        if (store.purgePending())
        {
            store.purgeSome(pace.slice());
        }
        else
        {
            super.betweenWindows();
        }
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
        windowsDue(previous, watermark);
        livePane = windows.firstLivePane(watermark);
        purge();
    }

    /**
     * Emit up to {@code maxResults} due results ({@link PanedWindowOperator}'s order), only windows that contain at
     * least one active pane visited. Then frees as many rows of the panes no window needs any more (see
     * {@link PaneStore#purgeBelow}): the rows of a fired window go a slice at a time too, not all in the event that
     * fires its last key.
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

    @Override
    long lowestPaneFrom(final long from)
    {
        final int position = store.lowerBound(from);
        return position == store.paneCount() ? NO_PANE : store.paneAt(position);
    }

    @Override
    void firingEnded()
    {
        purge();
        layoutReviewDue = reviewsLayout; // the windows due are out: the state may fit dense slots again
    }

    /**
     * Asks for a {@link #layoutReviewDue review} at the end of each firing: the operator holds an
     * {@link AdaptiveWindowOperator}'s state on linked rows for now.
     */
    void reviewLayoutAfterFirings()
    {
        reviewsLayout = true;
    }

    /**
     * @return panes with rows that a window still needs (those of dead panes are freed a slice at a time).
     */
    int panesHeld()
    {
        return store.paneCount() - (purgedBelow == Long.MIN_VALUE ? 0 : store.lowerBound(purgedBelow));
    }

    /**
     * @return keys held, those with rows and the empty ones not forgotten yet.
     */
    int keysHeld()
    {
        return store.keys().size();
    }

    @Override
    int prepareWindow(final long window)
    {
        final long firstPane = windows.firstPaneOf(window);
        final long lastPane = firstPane + windows.panesPerWindow - 1;
        store.cursorPane(firstPane);
        // Rows changed from now on in panes up to the window's last invalidate assembled state.
        lastAssembledPane = Math.max(lastAssembledPane, lastPane);
        return store.rowsOfPanes(firstPane, lastPane);
    }

    @Override
    void markKeysOfWindow(final PositionBitmap marks)
    {
        final long firstPane = windows.firstPaneOf(firingWindow);
        store.markKeysOfPanes(firstPane, firstPane + windows.panesPerWindow - 1, marks);
    }

    @Override
    boolean emitResult(final int slot, final long key)
    {
        final long firstPane = windows.firstPaneOf(firingWindow);
        final int first = store.advanceWindowFirst(slot, firstPane);
        if (first == PaneStore.NONE || store.paneOf(first) > firstPane + windows.panesPerWindow - 1)
        {
            return false;
        }
        assembler.assemble(slot, first, firstPane, singleState);
        windowsFired++;
        resultHandler.onResult(key, windows.windowStart(firingWindow), windows.windowEnd(firingWindow),
            WindowResultHandler.FINAL, layout.wrapResult(singleState, 0));
        return true;
    }

    @Override
    void windowClosed()
    {
        purge();
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
    public int snapshotLength()
    {
        return headerLength() + store.rowsInUse() * PaneSnapshot.rowLength(stride);
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
        int cursor = putHeader(buffer, offset, store.rowsInUse());
        cursor += store.snapshot().begin(buffer, cursor);
        return cursor - offset;
    }

    /**
     * Restores one row, on the gcd grid into one pane per window ({@link #regridding}) merged into its window's row,
     * which earlier rows of the same window may have created (the layout regroups exactly, so the merge order is free).
     */
    @Override
    void restoreRow(final long key, final long pane, final DirectBuffer buffer, final int stateAt)
    {
        final int rowsBefore = store.rowsInUse();
        final int row = store.restoreRow(key, regridding ? windows.windowOfGcdPane(pane) : pane);
        if (store.rowsInUse() > rowsBefore)
        {
            WindowSnapshotRows.getState(buffer, stateAt, store.state(), store.base(row), stride);
            return;
        }
        WindowSnapshotRows.getState(buffer, stateAt, singleState, 0, stride);
        layout.merge(store.state(), store.base(row), singleState, 0);
    }

    @Override
    public boolean continueSnapshot(final int budget)
    {
        assert ownerThread.isOwner() : ownerThread.describe();
        return store.snapshot().copySlice(budget);
    }

    @Override
    public void presize()
    {
        assert ownerThread.isOwner() : ownerThread.describe();
        store.presize();
        assembler.sizeForStore();
    }

    @Override
    public int restoreFrom(final DirectBuffer buffer, final int offset)
    {
        assert ownerThread.isOwner() : ownerThread.describe();
        final int version = AlignedSnapshotHeader.check(buffer, offset, windows, stride);
        final int rowCount = AlignedSnapshotHeader.rowCount(buffer, offset);
        store.clear();
        int cursor = restoreHeader(buffer, offset, version);
        purgedBelow = Long.MIN_VALUE;
        lastAssembledPane = Long.MIN_VALUE;
        final long watermark = watermarks.watermark();
        livePane = watermark == NO_WATERMARK ? Long.MIN_VALUE : windows.firstLivePane(watermark);
        // Sized once for what follows (keys estimated as one per pane of a window), not grown row by row; a store whose
        // sizing was deferred to here is sized for the larger of this and the build's hint.
        store.reserve(rowCount, (int)Math.max(1, rowCount / windows.panesPerWindow));
        assembler.sizeForStore();
        // Rows of an older snapshot are on the gcd grid: into one pane per window, each goes to its window's row.
        regridding = AlignedSnapshotHeader.regrid(version, windows);
        cursor = restoreRows(buffer, cursor, rowCount);
        regridding = false;
        restoreFiringCursor(buffer, offset, version);
        // Rows of panes that were dead but not yet freed at the barrier are dead again, as they were live.
        purge();
        return cursor - offset;
    }
}
