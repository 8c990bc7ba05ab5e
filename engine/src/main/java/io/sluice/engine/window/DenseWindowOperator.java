package io.sluice.engine.window;

import java.util.Arrays;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import io.sluice.engine.time.WatermarkGenerator;
import io.sluice.schema.EventValues;

import static io.sluice.engine.window.WindowSnapshotRows.ORDER;

/**
 * Tumbling, sliding and hopping windows on dense key slots: the live engine's operator for the windows the columnar
 * backtest kernel takes ({@link ColumnarWindowOperator#supports}: overlapping windows of at most
 * {@value ColumnarWindowOperator#MAX_PANES_PER_WINDOW} panes, counts and long sums, minima, maxima and averages), with
 * no allowed lateness and no early results. It gives {@link AlignedWindowOperator}'s results, in the same order,
 * after the same events, and writes and restores the same snapshots ({@link AlignedSnapshotHeader}), so either
 * operator restores the other's checkpoints. Built by {@link WindowOperatorContext#build()} when it applies.
 * <p>
 * <b>State.</b> A key gets a slot in a {@link KeyTable} (one hash probe an event, the record read shares a line
 * with nothing else the event reads). A pane with events takes a <i>column</i>: {@code keyCapacity} rows, one per key
 * slot, of {@code rowStride} longs (the aggregates' state as {@link AggregateLayout} lays it out, then a count of
 * the row's events if no aggregate counts them), in one flat array:
 * <pre>
 *   rows:  | column 0: slot 0 row | slot 1 row | ... | column 1: slot 0 row | ... |
 *          |<- rowStride longs ->|
 * </pre>
 * An event's row is at {@code ((column << slotShift) + slot) * rowStride}: no per-row record, link or pane lookup, and
 * a row is created by appending its slot to the column's list. A column is given back once the last window holding
 * its pane has emitted (the pane's rows are reset as their results go out), so the columns held are the live
 * windows' panes and those still being emitted, a handful. A key whose rows are all reset is {@link KeyTable#release
 * released}: the table forgets it after some windows without rows and reuses its slot, so the slots follow the keys
 * in use, not every key ever seen.
 * <p>
 * <b>Firing</b> is {@link AlignedWindowOperator}'s: due windows ascending (only those with rows), each window's keys
 * in ascending (signed) key order, walking the key table's sorted order (sorted a few steps per event between
 * windows, {@link KeyTable#sortSome}) or, when the window holds few of the listed keys, only the positions of its
 * own keys; at most a slice of results per event ({@link FiringPace}, the firing slice), an event for a pane of a
 * window still due first emitting everything due. Which event emits which result is a function of the processed
 * sequence alone, so replays and backtests stay byte-identical. A result of overlapping windows merges the key's
 * rows of the window's panes in pane order ({@link AggregateLayout#merge}, exact for these aggregates).
 * <p>
 * <b>Checkpoints</b> copy the rows incrementally ({@link PaneSnapshot}, a row's mark per slot and column): a row is
 * copied before its first change or reset after the barrier, or by the next slice. A restore drops the rows of
 * panes no window still due needs (an {@link AlignedWindowOperator} snapshot holds them until it frees them) and,
 * for a window half emitted at the barrier, resets the rows of its first hop for the keys done.
 * <p>
 * <b>Zero allocation</b> once the key table and the columns have grown to the working set. Threading: single writer,
 * the partition thread.
 */
final class DenseWindowOperator extends KeyedWindowOperator
{
    private static final int IDLE = AlignedSnapshotHeader.IDLE;
    private static final int BETWEEN_WINDOWS = AlignedSnapshotHeader.BETWEEN_WINDOWS;
    /** {@link #firingWindow} is open: keys before {@link #firingPosition} are done. */
    private static final int IN_WINDOW = AlignedSnapshotHeader.IN_WINDOW;
    /** A column holding no pane. */
    private static final long EMPTY = Long.MIN_VALUE;
    /** {@link #lowestHeldPane} finding none. */
    private static final long NO_PANE = Long.MAX_VALUE;
    /** Listed keys per row of a window above which its firing visits only the keys with rows. */
    private static final int SPARSE_KEYS_PER_ROW = 4;
    private static final int INITIAL_COLUMNS = 4;
    /** Keys the table starts with room for at most (it grows beyond). */
    private static final int MAX_INITIAL_KEYS = 1 << 20;

    private final AlignedWindows windows;
    private final int panesPerWindow;
    /** The first panes of a window (its first hop) that no later window holds: reset as their results go out. */
    private final int releasedPanes;
    private final int firingSlice;
    private final FiringPace pace;
    /** Where a row counts its events: a count aggregate's slot, or one past the layout's slots ({@link #ownCount}). */
    private final int countAt;
    private final boolean ownCount;
    private final int rowStride;
    private final KeyTable keys;
    private final PaneCache paneCache;
    private final CoveredKeys coveredKeys;
    private final PaneSnapshot snapshot;
    /** The open window's keys' positions in the sorted order, for a sparse window. */
    private final PositionBitmap windowKeys = new PositionBitmap();
    /** A result merged from several panes' rows; a snapshot row's state read for a merge. */
    private final long[] merged;
    private final long[] restoreRow;
    /** Keys of the snapshot rows a restore reads ahead. */
    private final long[] restoreKeys = new long[16];

    /** Key slots per column, {@code 1 << slotShift}, the key table's capacity. */
    private int keyCapacity;
    private int slotShift;
    /** Per slot: rows held in all columns. */
    private int[] slotRows;
    private int columns;
    /** Per column: its pane, or {@link #EMPTY}. */
    private long[] columnPane;
    /** Per column: entries in its list of slots with a row. */
    private int[] rowCount;
    /** Per column, {@code keyCapacity} entries: the slots with a row, in order of first event. */
    private int[] rowSlots;
    private long[] rows;
    /** Per row: the snapshot epoch it needs no copy for, or {@link PaneSnapshot#FREE_ROW}. */
    private int[] rowMark;
    private int rowsHeld;
    /** The column of {@link #paneCache}'s pane, -1 until an event of the pane takes it. */
    private int cachedColumn = -1;

    /** {@code windows.lastFiredWindow(watermark)}, {@link Long#MIN_VALUE} before any watermark. */
    private long lastFiredWindow = Long.MIN_VALUE;
    /** The watermark from which the window after {@link #lastFiredWindow} is due: below it nothing becomes due. */
    private long nextDueWatermark = Long.MIN_VALUE;
    /** {@link #IDLE}, {@link #BETWEEN_WINDOWS} or {@link #IN_WINDOW}. */
    private int firing = IDLE;
    /** The window being fired ({@link #IN_WINDOW}) or the first one to look at next. */
    private long firingWindow;
    /** The last window due at the current watermark. */
    private long firingDue;
    /** In the open window, the position in the key table's sorted order of the next key. */
    private int firingPosition;
    private boolean sparseWindow;
    /** The open window's panes' columns in pane order, -1 for a pane with no rows. */
    private final int[] firingColumns;
    private long firingStart;
    private long firingEnd;
    /** While recovery replays: the sort of new keys between windows waits for the events after it. */
    private boolean recovering;
    private long unassignedEvents;
    /** What {@link #prefetch} and a restore's read-ahead loaded, kept only so that the JIT cannot drop the loads. */
    private long prefetched;

    DenseWindowOperator(
        final AlignedWindows windows,
        final WatermarkGenerator watermarks,
        final AggregateLayout layout,
        final WindowResultHandler resultHandler,
        final LateEventHandler lateEventHandler,
        final int expectedEntries,
        final int firingSlice,
        final int firingPace)
    {
        super(false, watermarks, layout, resultHandler, lateEventHandler);
        if (windows.panesPerWindow > ColumnarWindowOperator.MAX_PANES_PER_WINDOW || windows.allowedLateness != 0)
        {
            throw new IllegalArgumentException("dense window slots take windows of at most " +
                ColumnarWindowOperator.MAX_PANES_PER_WINDOW + " panes and no allowed lateness: " + windows.panesPerWindow +
                " panes, lateness " + windows.allowedLateness);
        }
        this.windows = windows;
        this.panesPerWindow = (int)windows.panesPerWindow;
        this.releasedPanes = (int)Math.min(windows.panesPerHop, windows.panesPerWindow);
        this.firingSlice = firingSlice;
        this.pace = new FiringPace(firingPace, firingSlice);
        final int count = layout.countOffset();
        this.ownCount = count < 0;
        this.countAt = ownCount ? stride : count;
        this.rowStride = ownCount ? stride + 1 : stride;
        this.merged = new long[rowStride];
        this.restoreRow = new long[stride];
        this.firingColumns = new int[panesPerWindow];
        this.paneCache = new PaneCache(windows);
        this.coveredKeys = new CoveredKeys(windows);
        this.snapshot = new PaneSnapshot(new SnapshotRows());
        // A key holds a row in each pane of its live window and, for a while, in the next pane.
        final int keysHint = Math.min(MAX_INITIAL_KEYS, Math.max(16, expectedEntries / (panesPerWindow + 1)));
        this.keys = new KeyTable(Integer.highestOneBit(keysHint - 1) << 1);
        this.columns = INITIAL_COLUMNS;
        layOut(keys.capacity(), INITIAL_COLUMNS, null, 0);
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
            cachedColumn = -1;
        }
        if (cached.firstWindow > cached.lastWindow)
        {
            unassignedEvents++;
        }
        else if (cached.lastWindow <= lastFiredWindow)
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
            fold(key, timestamp, values);
        }

        advance(watermark, watermarks.onEvent(timestamp));
        if (firing != IDLE)
        {
            fireDue(pace.slice());
        }
        else if (!recovering && keys.sortWorkDue())
        {
            // Between windows: sort the keys new since the last one a little per event (KeyTable#sortSome).
            keys.sortSome(AlignedWindowOperator.SORT_STEPS_PER_EVENT);
        }
    }

    private void fold(final long key, final long timestamp, final EventValues values)
    {
        final int slot = slotOf(key);
        int column = cachedColumn;
        if (column < 0)
        {
            column = take(paneCache.pane);
            cachedColumn = column;
        }
        final int row = (column << slotShift) + slot;
        final int base = row * rowStride;
        final long[] rows = this.rows;
        if (rows[base + countAt] == 0)
        {
            addRow(column, slot, row);
        }
        else if (snapshot.inProgress())
        {
            snapshot.beforeChange(row); // copied first if the snapshot in progress still needs it
        }
        layout.accumulate(rows, base, timestamp, values);
        if (ownCount)
        {
            rows[base + countAt]++;
        }
    }

    /** The slot of a key, given one (and room in every column) if it has none. */
    private int slotOf(final long key)
    {
        int slot = keys.find(key);
        if (slot == KeyTable.NONE)
        {
            slot = keys.add(key);
            if (slot >= keyCapacity)
            {
                layOut(keys.capacity(), columns, rows, keyCapacity);
            }
        }
        return slot;
    }

    /** A new (empty) row of a key in a column: listed in the column, counted, its key held. */
    private void addRow(final int column, final int slot, final int row)
    {
        rowSlots[(column << slotShift) + rowCount[column]++] = slot;
        rowMark[row] = snapshot.epoch(); // created after any barrier in progress: not part of that snapshot
        rowsHeld++;
        if (slotRows[slot]++ == 0)
        {
            keys.hold(slot);
        }
    }

    /** Resets a row whose result went out (or that a restore found done): its key released if it was its last. */
    private void removeRow(final int column, final int slot)
    {
        final int row = (column << slotShift) + slot;
        if (snapshot.inProgress())
        {
            snapshot.beforeChange(row);
        }
        resetRow(row * rowStride);
        rowMark[row] = PaneSnapshot.FREE_ROW;
        rowsHeld--;
        if (--slotRows[slot] == 0)
        {
            keys.release(slot);
        }
    }

    private void resetRow(final int base)
    {
        layout.reset(rows, base);
        if (ownCount)
        {
            rows[base + countAt] = 0;
        }
    }

    private boolean present(final int column, final int slot)
    {
        return rows[((column << slotShift) + slot) * rowStride + countAt] != 0;
    }

    /**
     * The arrays for {@code capacity} key slots and {@code columnCount} columns, the rows of {@code previousRows}
     * (laid out for {@code previousCapacity} slots, null for none) moved to their place. A snapshot in progress is
     * completed first: its rows' numbers change.
     */
    private void layOut(final int capacity, final int columnCount, final long[] previousRows, final int previousCapacity)
    {
        snapshot.complete();
        final int shift = Integer.numberOfTrailingZeros(capacity);
        final long[] grown = new long[columnCount * capacity * rowStride];
        final int[] grownSlots = new int[columnCount * capacity];
        final int[] grownMarks = new int[columnCount * capacity];
        Arrays.fill(grownMarks, PaneSnapshot.FREE_ROW);
        final long[] previousPanes = columnPane;
        columnPane = new long[columnCount];
        Arrays.fill(columnPane, EMPTY);
        rowCount = rowCount == null ? new int[columnCount] : Arrays.copyOf(rowCount, columnCount);
        slotRows = slotRows == null ? new int[capacity] : Arrays.copyOf(slotRows, capacity);
        final int previousColumns = previousPanes == null ? 0 : previousPanes.length;
        final long[] empty = new long[rowStride];
        layout.reset(empty, 0);
        for (int row = 0, rowsTotal = columnCount * capacity; row < rowsTotal; row++)
        {
            System.arraycopy(empty, 0, grown, row * rowStride, rowStride);
        }
        for (int c = 0; c < previousColumns; c++)
        {
            columnPane[c] = previousPanes[c];
            System.arraycopy(previousRows, c * previousCapacity * rowStride, grown, c * capacity * rowStride, previousCapacity * rowStride);
            System.arraycopy(rowSlots, c * previousCapacity, grownSlots, c * capacity, rowCount[c]);
            System.arraycopy(rowMark, c * previousCapacity, grownMarks, c * capacity, previousCapacity);
        }
        rows = grown;
        rowSlots = grownSlots;
        rowMark = grownMarks;
        keyCapacity = capacity;
        slotShift = shift;
        columns = columnCount;
    }

    /** The column of a pane, taken for it if it has none. */
    private int take(final long pane)
    {
        int free = -1;
        for (int c = 0; c < columns; c++)
        {
            if (columnPane[c] == pane)
            {
                return c;
            }
            if (free < 0 && columnPane[c] == EMPTY)
            {
                free = c;
            }
        }
        if (free < 0)
        {
            free = columns;
            layOut(keyCapacity, columns * 2, rows, keyCapacity);
        }
        columnPane[free] = pane;
        return free;
    }

    /** The column of a pane, -1 if it has none (no rows). */
    private int columnOf(final long pane)
    {
        for (int c = 0; c < columns; c++)
        {
            if (columnPane[c] == pane)
            {
                return c;
            }
        }
        return -1;
    }

    /** The smallest pane at or above {@code from} holding a column, {@link #NO_PANE} for none. */
    private long lowestHeldPane(final long from)
    {
        long lowest = NO_PANE;
        for (int c = 0; c < columns; c++)
        {
            final long pane = columnPane[c];
            if (pane != EMPTY && pane >= from && pane < lowest)
            {
                lowest = pane;
            }
        }
        return lowest;
    }

    @Override
    void advance(final long previous, final long watermark)
    {
        if (watermark <= previous || watermark < nextDueWatermark)
        {
            return; // no window more is due
        }
        final long lastDue = windows.lastFiredWindow(watermark);
        final long window = previous == NO_WATERMARK ? Long.MIN_VALUE : lastFiredWindow + 1;
        lastFiredWindow = lastDue;
        nextDueWatermark = windows.firingWatermark(lastDue + 1);
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
     * Emit up to {@code maxResults} due results, continuing where the previous call stopped: due windows in ascending
     * order (only those with rows), each window's keys in ascending key order.
     */
    @Override
    void fireDue(final int maxResults)
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
                final long pane = lowestHeldPane(firingWindow == Long.MIN_VALUE ? Long.MIN_VALUE : windows.firstPaneOf(firingWindow));
                final long next = pane == NO_PANE ? Long.MAX_VALUE : Math.max(firingWindow, windows.firstWindowOf(pane));
                if (next > firingDue)
                {
                    firing = IDLE;
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
        firingStart = windows.windowStart(window);
        firingEnd = windows.windowEnd(window);
        final long firstPane = windows.firstPaneOf(window);
        long rowsOfPanes = 0;
        for (int p = 0; p < panesPerWindow; p++)
        {
            final int column = columnOf(firstPane + p);
            firingColumns[p] = column;
            rowsOfPanes += column < 0 ? 0 : rowCount[column];
        }
        keys.sortForIteration();
        sparseWindow = rowsOfPanes * SPARSE_KEYS_PER_ROW < keys.sortedCount();
        if (sparseWindow)
        {
            windowKeys.clear(keys.sortedCount());
            for (int p = 0; p < panesPerWindow; p++)
            {
                final int column = firingColumns[p];
                if (column < 0)
                {
                    continue;
                }
                for (int r = column << slotShift, end = r + rowCount[column]; r < end; r++)
                {
                    windowKeys.set(keys.rank(rowSlots[r]));
                }
            }
        }
    }

    /**
     * Emit the open window's results for its next keys, at most {@code budget} of them.
     *
     * @return the budget left, 0 if the window still has keys to visit.
     */
    private int fireKeys(final int budget)
    {
        final KeyTable keys = this.keys;
        final int count = keys.sortedCount();
        final boolean sparse = sparseWindow;
        int left = budget;
        for (int i = sparse ? windowKeys.next(firingPosition, count) : firingPosition; i < count;
            i = sparse ? windowKeys.next(i + 1, count) : i + 1)
        {
            if (left == 0)
            {
                firingPosition = i;
                return 0;
            }
            final int slot = keys.sortedSlot(i);
            if (hasRow(slot))
            {
                left--;
                emitResult(slot);
            }
        }
        closeWindow();
        return left;
    }

    /** Whether the key has a row in any of the open window's panes. */
    private boolean hasRow(final int slot)
    {
        for (int p = 0; p < panesPerWindow; p++)
        {
            final int column = firingColumns[p];
            if (column >= 0 && present(column, slot))
            {
                return true;
            }
        }
        return false;
    }

    /** The open window's result of one key; its rows of the window's first hop reset after. */
    private void emitResult(final int slot)
    {
        windowsFired++;
        final int[] panes = firingColumns;
        if (panesPerWindow == 1)
        {
            resultHandler.onResult(keys.key(slot), firingStart, firingEnd, WindowResultHandler.FINAL,
                layout.wrapResult(rows, ((panes[0] << slotShift) + slot) * rowStride));
        }
        else
        {
            final long[] result = merged;
            layout.reset(result, 0);
            for (int p = 0; p < panesPerWindow; p++)
            {
                final int column = panes[p];
                if (column >= 0 && present(column, slot))
                {
                    layout.merge(result, 0, rows, ((column << slotShift) + slot) * rowStride);
                }
            }
            resultHandler.onResult(keys.key(slot), firingStart, firingEnd, WindowResultHandler.FINAL, layout.wrapResult(result, 0));
        }
        releaseRows(slot);
    }

    /** Resets the key's rows of the open window's first hop, which no later window holds. */
    private void releaseRows(final int slot)
    {
        for (int p = 0; p < releasedPanes; p++)
        {
            final int column = firingColumns[p];
            if (column >= 0 && present(column, slot))
            {
                removeRow(column, slot);
            }
        }
    }

    /** Closes the open window: the columns of its first hop given back (their rows were reset as results went out). */
    private void closeWindow()
    {
        for (int p = 0; p < releasedPanes; p++)
        {
            final int column = firingColumns[p];
            if (column >= 0)
            {
                columnPane[column] = EMPTY;
                rowCount[column] = 0;
                if (cachedColumn == column)
                {
                    cachedColumn = -1;
                }
            }
        }
        firing = BETWEEN_WINDOWS;
        firingWindow++;
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

    /**
     * Rows held: a key's row in a pane, counted until the last window holding the pane has emitted its result.
     */
    @Override
    public int stateEntries()
    {
        return rowsHeld;
    }

    /**
     * Key slots per column (tests: the slots follow the keys in use).
     */
    int keySlots()
    {
        return keyCapacity;
    }

    @Override
    public void recovering(final boolean recovering)
    {
        this.recovering = recovering;
    }

    @Override
    public long prefetch(final long[] eventKeys, final int count)
    {
        return prefetchRows(eventKeys, count);
    }

    /**
     * Hints only the keys of events that fall in a window ({@link CoveredKeys}): with gaps between the windows
     * (hop > size) an event in a gap never touches the state.
     */
    @Override
    public long prefetch(final long[] eventKeys, final long[] timestamps, final int count)
    {
        if (windows.hop <= windows.size)
        {
            return prefetchRows(eventKeys, count);
        }
        final long[] covered = coveredKeys.select(eventKeys, timestamps, count);
        return prefetchRows(covered, coveredKeys.count());
    }

    /**
     * Loads each key's index entry and key record, then its row in the column of the last event's pane (the row an
     * in-order event updates), in passes over all the keys, whose misses overlap. Changes nothing.
     */
    private long prefetchRows(final long[] eventKeys, final int count)
    {
        final int[] slots = keys.prefetchSlots(eventKeys, count);
        final int column = cachedColumn;
        long touched = 0;
        if (column >= 0)
        {
            final long[] rows = this.rows;
            final int first = column << slotShift;
            for (int i = 0; i < count; i++)
            {
                final int slot = slots[i];
                touched += slot < 0 ? 0 : rows[(first + slot) * rowStride];
            }
        }
        prefetched = touched;
        return touched;
    }

    @Override
    public int snapshotLength()
    {
        return AlignedSnapshotHeader.HEADER_LENGTH + watermarks.snapshotLength() + rowsHeld * PaneSnapshot.rowLength(stride);
    }

    @Override
    public int snapshotTo(final MutableDirectBuffer buffer, final int offset)
    {
        final int length = beginSnapshot(buffer, offset);
        snapshot.complete();
        return length;
    }

    /**
     * Writes the header and the watermark state now and fixes the rows as they are (see {@link PaneSnapshot}); the
     * rows follow in {@link #continueSnapshot} slices, or as they change.
     */
    @Override
    public int beginSnapshot(final MutableDirectBuffer buffer, final int offset)
    {
        assert ownerThread.isOwner() : ownerThread.describe();
        snapshot.complete();
        final boolean afterKey = firing == IN_WINDOW && firingPosition > 0;
        int cursor = offset + AlignedSnapshotHeader.put(buffer, offset, windows, stride, rowsHeld, lateEventsDropped,
            unassignedEvents, windowsFired, afterKey ? AlignedSnapshotHeader.IN_WINDOW_AFTER_KEY : firing, firingWindow, firingDue,
            afterKey ? keys.key(keys.sortedSlot(firingPosition - 1)) : 0, pace);
        cursor += watermarks.snapshotTo(buffer, cursor);
        cursor += snapshot.begin(buffer, cursor);
        return cursor - offset;
    }

    @Override
    public boolean continueSnapshot(final int budget)
    {
        assert ownerThread.isOwner() : ownerThread.describe();
        return snapshot.copySlice(budget);
    }

    @Override
    public int restoreFrom(final DirectBuffer buffer, final int offset)
    {
        assert ownerThread.isOwner() : ownerThread.describe();
        final int version = AlignedSnapshotHeader.check(buffer, offset, windows, stride);
        // Rows of an older snapshot are on the gcd grid: into one pane per window, each goes to its window's row.
        final boolean regrid = AlignedSnapshotHeader.regrid(version, windows);
        final int state = AlignedSnapshotHeader.firingState(buffer, offset, version);
        final int rowCount = AlignedSnapshotHeader.rowCount(buffer, offset);
        int cursor = AlignedSnapshotHeader.restorePace(buffer, offset, version, pace);
        cursor += watermarks.restoreFrom(buffer, cursor);
        clear();
        lateEventsDropped = AlignedSnapshotHeader.lateEvents(buffer, offset);
        unassignedEvents = AlignedSnapshotHeader.unassignedEvents(buffer, offset);
        windowsFired = AlignedSnapshotHeader.windowsFired(buffer, offset);
        final long watermark = watermarks.watermark();
        if (watermark != NO_WATERMARK)
        {
            lastFiredWindow = windows.lastFiredWindow(watermark);
            nextDueWatermark = windows.firingWatermark(lastFiredWindow + 1);
        }
        if (state != IDLE)
        {
            firing = BETWEEN_WINDOWS;
            firingWindow = AlignedSnapshotHeader.firingWindow(buffer, offset);
            firingDue = AlignedSnapshotHeader.firingDue(buffer, offset);
        }
        // Rows of panes below every window still to fire were dead at the barrier, not yet freed.
        long firstNeeded = watermark == NO_WATERMARK ? Long.MIN_VALUE : windows.firstLivePane(watermark);
        if (firing != IDLE)
        {
            firstNeeded = Math.min(firstNeeded, firingWindow == Long.MIN_VALUE ? Long.MIN_VALUE : windows.firstPaneOf(firingWindow));
        }
        reserveKeys(rowCount / panesPerWindow);
        cursor = restoreRows(buffer, cursor, rowCount, regrid, firstNeeded);
        if (state >= IN_WINDOW)
        {
            openWindow(firingWindow);
            if (state == AlignedSnapshotHeader.IN_WINDOW_AFTER_KEY)
            {
                // Keys are visited in ascending order, so everything up to the resume key is done (its rows of the
                // window's first hop reset, as after their results); keys not listed then hold no row of this window.
                firingPosition = keys.positionAfter(AlignedSnapshotHeader.resumeKey(buffer, offset));
                for (int i = 0; i < firingPosition; i++)
                {
                    releaseRows(keys.sortedSlot(i));
                }
            }
        }
        return cursor - offset;
    }

    /**
     * Reads a snapshot's rows, a batch at a time: the batch's keys' index entries and records are loaded together
     * first, so that the lookups' cache misses overlap.
     *
     * @return the cursor after the rows.
     */
    private int restoreRows(final DirectBuffer buffer, final int from, final int rowCount, final boolean regrid, final long firstNeeded)
    {
        final int rowLength = PaneSnapshot.rowLength(stride);
        final long[] ahead = restoreKeys;
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
                final long stored = buffer.getLong(cursor + 8, ORDER);
                final long pane = regrid ? windows.windowOfGcdPane(stored) : stored;
                if (pane >= firstNeeded)
                {
                    restoreRow(buffer.getLong(cursor, ORDER), pane, buffer, cursor + 16);
                }
            }
        }
        prefetched = touched;
        return cursor;
    }

    /** One snapshot row into its key's row of its pane, merged into it if earlier rows (the gcd grid) made it. */
    private void restoreRow(final long key, final long pane, final DirectBuffer buffer, final int at)
    {
        final int slot = slotOf(key);
        final int column = take(pane);
        final int row = (column << slotShift) + slot;
        final int base = row * rowStride;
        if (rows[base + countAt] == 0)
        {
            addRow(column, slot, row);
            WindowSnapshotRows.getState(buffer, at, rows, base, stride);
            if (ownCount)
            {
                rows[base + countAt] = 1; // a row with events; the count is not in the snapshot, only that there is one
            }
        }
        else
        {
            WindowSnapshotRows.getState(buffer, at, restoreRow, 0, stride);
            layout.merge(rows, base, restoreRow, 0);
        }
    }

    /** Room for the keys a restore is about to insert, so the columns are not laid out again on the way. */
    private void reserveKeys(final int expected)
    {
        keys.reserve(Integer.highestOneBit(Math.max(16, expected) - 1) << 1); // a power of two, as the columns need
        if (keys.capacity() > keyCapacity)
        {
            layOut(keys.capacity(), columns, rows, keyCapacity);
        }
    }

    /** Forgets every row, column and key, keeping the arrays; the firing and the counters start afresh. */
    private void clear()
    {
        snapshot.complete();
        for (int c = 0; c < columns; c++)
        {
            for (int r = c << slotShift, end = r + rowCount[c]; r < end; r++)
            {
                final int row = (c << slotShift) + rowSlots[r];
                resetRow(row * rowStride);
                rowMark[row] = PaneSnapshot.FREE_ROW;
            }
            rowCount[c] = 0;
            columnPane[c] = EMPTY;
        }
        Arrays.fill(slotRows, 0);
        keys.clear();
        rowsHeld = 0;
        cachedColumn = -1;
        paneCache.clear();
        lastFiredWindow = Long.MIN_VALUE;
        nextDueWatermark = Long.MIN_VALUE;
        firing = IDLE;
    }

    /** The rows as {@link PaneSnapshot} copies them: row number {@code (column << slotShift) + slot}. */
    private final class SnapshotRows implements PaneSnapshot.Rows
    {
        @Override
        public int rowLimit()
        {
            return columns << slotShift;
        }

        @Override
        public int rowsInUse()
        {
            return rowsHeld;
        }

        @Override
        public int rowMark(final int row)
        {
            return rowMark[row];
        }

        @Override
        public void rowMark(final int row, final int mark)
        {
            rowMark[row] = mark;
        }

        @Override
        public long keyOf(final int row)
        {
            return keys.key(row & (keyCapacity - 1));
        }

        @Override
        public long paneOf(final int row)
        {
            return columnPane[row >>> slotShift];
        }

        @Override
        public long[] state()
        {
            return rows;
        }

        @Override
        public int base(final int row)
        {
            return row * rowStride;
        }

        @Override
        public int stride()
        {
            return stride;
        }
    }
}
