package io.sluice.engine.window;

import java.util.Arrays;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import io.sluice.schema.EventValues;

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
 * windows' panes and those still being emitted, a handful, unless due windows queue up behind a firing that is bounded
 * per event, or many panes are live at once: then the columns outgrow the rows they hold, and once their cells pass the
 * {@link DenseBound} the operator asks for a {@link #layoutReviewDue review}, upon which its
 * {@link AdaptiveWindowOperator} hands the state to linked rows. The key table counts each key's rows in an array of
 * counts, 16 keys a cache line ({@link KeyTable#countRow}); a key with none is forgotten after some windows and its
 * slot reused, so the slots follow the keys in use, not every key ever seen.
 * <p>
 * <b>Firing</b> is {@link PanedWindowOperator}'s, as for linked rows: due windows ascending, each window's keys in
 * ascending key order, at most a slice of results per signal, in an order that is a function of the processed
 * sequence alone. A result of overlapping windows merges the key's rows of the window's panes in pane order
 * ({@link AggregateLayout#merge}, exact for these aggregates).
 * <p>
 * <b>Checkpoints</b> copy the rows incrementally ({@link PaneSnapshot}, a row's mark per slot and column): a row is
 * copied before its first change or reset after the barrier, or by the next slice. A restore drops the rows of
 * panes no window still due needs (an {@link AlignedWindowOperator} snapshot holds them until it frees them) and,
 * for a window half emitted at the barrier, resets the rows of its first hop for the keys done.
 * <p>
 * <b>Zero allocation</b> once the key table and the columns have grown to the working set. Threading: single writer,
 * the partition thread.
 */
final class DenseWindowOperator extends PanedWindowOperator
{
    /** A column holding no pane. */
    private static final long EMPTY = PaneColumns.EMPTY;
    private static final int INITIAL_COLUMNS = 4;
    /** Keys the table starts with room for at most (it grows beyond). */
    private static final int MAX_INITIAL_KEYS = 1 << 20;

    private final int panesPerWindow;
    /** The first panes of a window (its first hop) that no later window holds: reset as their results go out. */
    private final int releasedPanes;
    /** Where a row counts its events: a count aggregate's slot, or one past the layout's slots ({@link #ownCount}). */
    private final int countAt;
    private final boolean ownCount;
    private final int rowStride;
    private final KeyTable keys;
    private final PaneSnapshot snapshot;
    /** Cells (columns x key slots) past which the state is better held on linked rows. */
    private final DenseBound bound;
    /** Cells of the first layout, which never asks for a review. */
    private final long initialCells;
    /** The most cells laid out at once. */
    private long peakCells;
    /** While a restore reads rows: the snapshot's rows, which the bound allows for; else 0. */
    private int restoringRows;
    /** A result merged from several panes' rows; a snapshot row's state read for a merge. */
    private final long[] merged;
    private final long[] restoreRow;

    /** Key slots per column, {@code 1 << slotShift}, the key table's capacity. */
    private int keyCapacity;
    private int slotShift;
    private int columns;
    /** Per column: its pane, or {@link #EMPTY}. */
    private long[] columnPane;
    /** Per column: entries in its list of slots with a row. */
    private int[] rowCount;
    /** Per column, {@code keyCapacity} entries: the slots with a row, in order of first event. */
    private int[] rowSlots;
    private long[] rows;
    /**
     * Per row: the snapshot epoch it needs no copy for, written only while a snapshot is in progress (a row created
     * outside one keeps an older epoch, so the next snapshot copies it); a row with no events reads as
     * {@link PaneSnapshot#FREE_ROW} whatever it holds.
     */
    private int[] rowMark;
    private int rowsHeld;
    /** The column of {@link #paneCache}'s pane, -1 until an event of the pane takes it. */
    private int cachedColumn = -1;

    /** The watermark from which the window after {@link #lastFiredWindow} is due: below it nothing becomes due. */
    private long nextDueWatermark = Long.MIN_VALUE;
    /** The open window's panes' columns in pane order, -1 for a pane with no rows. */
    private final int[] firingColumns;
    private long firingStart;
    private long firingEnd;
    /** While a restore reads rows: rows of panes below it were dead at the barrier; whether they are on the gcd grid. */
    private long restoreFirstPane;
    private boolean regridding;
    /** What {@link #prefetch} loaded, kept only so that the JIT cannot drop the loads. */
    private long prefetched;

    DenseWindowOperator(final AlignedWindows windows, final WindowSettings settings, final DenseBound bound)
    {
        super(windows, settings);
        if (windows.panesPerWindow > ColumnarWindowOperator.MAX_PANES_PER_WINDOW || windows.allowedLateness != 0 ||
            earlyOnUpdate)
        {
            throw new IllegalArgumentException("dense window slots take windows of at most " +
                ColumnarWindowOperator.MAX_PANES_PER_WINDOW + " panes, no allowed lateness and no early results: " +
                windows.panesPerWindow + " panes, lateness " + windows.allowedLateness + ", early " + earlyOnUpdate);
        }
        final int expectedEntries = settings.expectedEntries();
        this.panesPerWindow = (int)windows.panesPerWindow;
        this.releasedPanes = (int)Math.min(windows.panesPerHop, windows.panesPerWindow);
        final int count = layout.countOffset();
        this.ownCount = count < 0;
        this.countAt = ownCount ? stride : count;
        this.rowStride = ownCount ? stride + 1 : stride;
        this.merged = new long[rowStride];
        this.restoreRow = new long[stride];
        this.firingColumns = new int[panesPerWindow];
        this.snapshot = new PaneSnapshot(new SnapshotRows());
        this.bound = bound;
        // A key holds a row in each pane of its live window and, for a while, in the next pane.
        final int keysHint = Math.min(MAX_INITIAL_KEYS, Math.max(16, expectedEntries / (panesPerWindow + 1)));
        this.keys = new KeyTable(Integer.highestOneBit(keysHint - 1) << 1, true);
        this.columns = INITIAL_COLUMNS;
        this.initialCells = (long)INITIAL_COLUMNS * keys.capacity();
        layOut(keys.capacity(), INITIAL_COLUMNS, null, 0);
    }

    /**
     * The cells a dense layout of a state takes: a column per pane, doubled from {@value #INITIAL_COLUMNS} as needed,
     * of a slot per key, a power of two.
     *
     * @param panes with rows.
     * @param keys  held.
     * @return columns x key slots.
     */
    static long layoutCells(final int panes, final int keys)
    {
        return (long)powerOfTwoAtLeast(Math.max(INITIAL_COLUMNS, panes)) * powerOfTwoAtLeast(Math.max(16, keys));
    }

    private static int powerOfTwoAtLeast(final int value)
    {
        return value <= 1 ? 1 : Integer.highestOneBit(value - 1) << 1;
    }

    @Override
    KeyTable keys()
    {
        return keys;
    }

    @Override
    void paneMoved()
    {
        cachedColumn = -1;
    }

    @Override
    void fold(final long key, final long timestamp, final EventValues values, final long watermark)
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

    /** A new (empty) row of a key in a column: listed in the column, counted, and its key's. */
    private void addRow(final int column, final int slot, final int row)
    {
        rowSlots[(column << slotShift) + rowCount[column]++] = slot;
        if (snapshot.inProgress())
        {
            rowMark[row] = snapshot.epoch(); // created after the barrier: not part of the snapshot
        }
        rowsHeld++;
        keys.countRow(slot);
    }

    /** Resets a row whose result went out (or that a restore found done): its key empty if it was its last. */
    private void removeRow(final int column, final int slot)
    {
        final int row = (column << slotShift) + slot;
        if (snapshot.inProgress())
        {
            snapshot.beforeChange(row);
        }
        resetRow(row * rowStride);
        rowsHeld--;
        keys.uncountRow(slot);
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
        final long cells = (long)columnCount * capacity;
        if (cells * rowStride > Integer.MAX_VALUE - 8)
        {
            throw new IllegalStateException("dense window slots: " + columnCount + " columns of " + capacity + " key slots of " +
                rowStride + " longs exceed an array; rows held " + rowsHeld + ", keys " + keys.size());
        }
        peakCells = Math.max(peakCells, cells);
        if (cells > initialCells && bound.exceeded(cells, (long)Math.max(rowsHeld, restoringRows) + keys.size()))
        {
            layoutReviewDue = true; // the columns outgrew the rows: the state goes to linked rows after this signal
        }
        final int shift = Integer.numberOfTrailingZeros(capacity);
        final long[] grown = new long[columnCount * capacity * rowStride];
        final int[] grownSlots = new int[columnCount * capacity];
        final int[] grownMarks = new int[columnCount * capacity];
        final long[] previousPanes = columnPane;
        columnPane = new long[columnCount];
        Arrays.fill(columnPane, EMPTY);
        rowCount = rowCount == null ? new int[columnCount] : Arrays.copyOf(rowCount, columnCount);
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
        final int held = PaneColumns.columnOf(columnPane, columns, pane);
        if (held >= 0)
        {
            return held;
        }
        final int free = PaneColumns.freeColumn(columnPane, columns);
        if (free == columns)
        {
            layOut(keyCapacity, columns * 2, rows, keyCapacity);
        }
        columnPane[free] = pane;
        return free;
    }

    /** The column of a pane, -1 if it has none (no rows). */
    private int columnOf(final long pane)
    {
        return PaneColumns.columnOf(columnPane, columns, pane);
    }

    @Override
    long lowestPaneFrom(final long from)
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
        windowsDue(previous, watermark);
        nextDueWatermark = windows.firingWatermark(lastFiredWindow + 1);
    }

    @Override
    void fireDue(final int maxResults)
    {
        fireResults(maxResults);
    }

    @Override
    int prepareWindow(final long window)
    {
        firingStart = windows.windowStart(window);
        firingEnd = windows.windowEnd(window);
        final long firstPane = windows.firstPaneOf(window);
        int rowsOfPanes = 0;
        for (int p = 0; p < panesPerWindow; p++)
        {
            final int column = columnOf(firstPane + p);
            firingColumns[p] = column;
            rowsOfPanes += column < 0 ? 0 : rowCount[column];
        }
        return rowsOfPanes;
    }

    @Override
    void markKeysOfWindow(final PositionBitmap marks)
    {
        for (int p = 0; p < panesPerWindow; p++)
        {
            final int column = firingColumns[p];
            if (column < 0)
            {
                continue;
            }
            for (int r = column << slotShift, end = r + rowCount[column]; r < end; r++)
            {
                marks.set(keys.rank(rowSlots[r]));
            }
        }
    }

    /** The keys' rows in the open window's panes (their keys are read in order, beside the sorted slots). */
    @Override
    void loadAhead(final int from, final int to)
    {
        final KeyTable keys = this.keys;
        final long[] rows = this.rows;
        final int[] panes = firingColumns;
        long touched = 0;
        for (int i = from; i < to; i++)
        {
            final int slot = keys.sortedSlot(i);
            for (int p = 0; p < panesPerWindow; p++)
            {
                final int column = panes[p];
                touched += column < 0 ? 0 : rows[((column << slotShift) + slot) * rowStride + countAt];
            }
        }
        prefetched = touched;
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

    /** The open window's result of one key, if it has rows in the window; its rows of the window's first hop reset after. */
    @Override
    boolean emitResult(final int slot, final long key)
    {
        if (!hasRow(slot))
        {
            return false;
        }
        windowsFired++;
        final int[] panes = firingColumns;
        if (panesPerWindow == 1)
        {
            resultHandler.onResult(key, firingStart, firingEnd, WindowResultHandler.FINAL,
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
            resultHandler.onResult(key, firingStart, firingEnd, WindowResultHandler.FINAL, layout.wrapResult(result, 0));
        }
        releaseRows(slot);
        return true;
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

    /** The open window is done: the columns of its first hop given back (their rows were reset as results went out). */
    @Override
    void windowClosed()
    {
        if (PaneColumns.release(firingColumns, releasedPanes, columnPane, rowCount, cachedColumn))
        {
            cachedColumn = -1;
        }
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

    /**
     * @return the most cells (columns x key slots) laid out at once, the memory the rows took at their largest.
     */
    long peakCells()
    {
        return peakCells;
    }

    /**
     * Loads each key's index entry and key record, then its row in the column of the last event's pane (the row an
     * in-order event updates), in passes over all the keys, whose misses overlap. Changes nothing.
     */
    @Override
    public long prefetch(final long[] eventKeys, final int count)
    {
        final int[] slots = keys.prefetchSlots(eventKeys, count);
        final int column = cachedColumn;
        final long[] rows = this.rows;
        final int first = column << slotShift;
        long touched = 0;
        for (int i = 0; i < count; i++)
        {
            // The slots found (their records were loaded), and with a pane's column their rows in it.
            final int slot = slots[i];
            touched += slot < 0 ? 0 : slot + 1 + (column < 0 ? 0 : rows[(first + slot) * rowStride]);
        }
        prefetched = touched;
        return touched;
    }

    @Override
    public int snapshotLength()
    {
        return headerLength() + rowsHeld * PaneSnapshot.rowLength(stride);
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
        int cursor = putHeader(buffer, offset, rowsHeld);
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
        final int rowCount = AlignedSnapshotHeader.rowCount(buffer, offset);
        clear();
        int cursor = restoreHeader(buffer, offset, version);
        final long watermark = watermarks.watermark();
        nextDueWatermark = watermark == NO_WATERMARK ? Long.MIN_VALUE : windows.firingWatermark(lastFiredWindow + 1);
        // Rows of panes below every window still to fire were dead at the barrier, not yet freed by the linked rows.
        long firstNeeded = watermark == NO_WATERMARK ? Long.MIN_VALUE : windows.firstLivePane(watermark);
        if (AlignedSnapshotHeader.firingState(buffer, offset, version) != IDLE)
        {
            final long window = AlignedSnapshotHeader.firingWindow(buffer, offset);
            firstNeeded = Math.min(firstNeeded, window == Long.MIN_VALUE ? Long.MIN_VALUE : windows.firstPaneOf(window));
        }
        restoreFirstPane = firstNeeded;
        regridding = AlignedSnapshotHeader.regrid(version, windows);
        restoringRows = rowCount;
        reserveKeys(rowCount / panesPerWindow);
        cursor = restoreRows(buffer, cursor, rowCount);
        restoringRows = 0;
        regridding = false;
        restoreFiringCursor(buffer, offset, version);
        return cursor - offset;
    }

    /**
     * The keys before the position had emitted their results at the barrier: their rows of the window's first hop are
     * reset, as after their results.
     */
    @Override
    void keysDone(final int position)
    {
        for (int i = 0; i < position; i++)
        {
            releaseRows(keys.sortedSlot(i));
        }
    }

    /**
     * One snapshot row into its key's row of its pane, merged into it if earlier rows (the gcd grid) made it. Once the
     * layout is past the bound the rest is skipped: the state is restored into linked rows instead.
     */
    @Override
    void restoreRow(final long key, final long stored, final DirectBuffer buffer, final int at)
    {
        if (layoutReviewDue)
        {
            return;
        }
        final long pane = regridding ? windows.windowOfGcdPane(stored) : stored;
        if (pane < restoreFirstPane)
        {
            return;
        }
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
                resetRow(((c << slotShift) + rowSlots[r]) * rowStride);
            }
            rowCount[c] = 0;
            columnPane[c] = EMPTY;
        }
        keys.clear();
        rowsHeld = 0;
        layoutReviewDue = false;
        cachedColumn = -1;
        paneCache.clear();
        nextDueWatermark = Long.MIN_VALUE;
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
            return rows[row * rowStride + countAt] == 0 ? PaneSnapshot.FREE_ROW : rowMark[row];
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
