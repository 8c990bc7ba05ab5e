package io.sluice.engine.window;

import java.util.Arrays;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import io.sluice.engine.time.WatermarkGenerator;
import io.sluice.schema.EventValues;

/**
 * The window kernel of the columnar backtest: tumbling, sliding and hopping windows (with gaps, {@code hop > size},
 * or overlapping, {@code hop < size}, of at most {@link #MAX_PANES_PER_WINDOW} panes a window) over counts and sums,
 * minima, maxima and averages of long fields, with no allowed lateness and no early results. It gives the same
 * results, in the same order and after the same events, as {@link AlignedWindowOperator} over the same events, with
 * state laid out for a run of events given as columns ({@link #onColumns}):
 * <ul>
 *   <li><b>Panes</b> as {@link AlignedWindows} cuts them: {@code gcd(size, hop)} long, so an event updates the one row
 *       of its key and pane however much windows overlap, and a window is its {@code size / pane} consecutive panes
 *       (tumbling windows and windows with gaps: one pane a window, see {@link AlignedWindows#onePanePerWindow}).</li>
 *   <li><b>Keys</b> get a dense slot, in order of first sight, through one open-addressing probe
 *       ({@code index}: slot + 1 per entry, 0 empty; {@code keyOfSlot}: the key of each slot), or for keys in
 *       {@code [0, 2 x key capacity)} one load of {@code directSlots}. A key keeps its slot for the run; the tables
 *       grow with the keys.</li>
 *   <li><b>Columns</b>, one per pane with events: a block of {@code keyCapacity} rows, one per key slot, of {@code rowStride}
 *       longs (the aggregates' state as {@link AggregateLayout} lays it out, then a count of the row's events if no
 *       aggregate counts them), and the list of the slots with a row. A column is taken when its pane gets its first
 *       event and given back once the last window holding the pane has emitted its results, so the columns held are
 *       the live windows' panes and those still being emitted (a handful: the window and the watermark bound over
 *       the pane).
 *       <pre>
 *   rows:  | column 0: slot 0 row | slot 1 row | ... | column 1: slot 0 row | ... |
 *          |<- rowStride longs ->|
 *       </pre></li>
 *   <li><b>Firing</b>: when the watermark passes a window's end - 1, its results are due, in ascending window order
 *       and, in each window, ascending (signed) key order: the keys with a row in any of the window's panes, ordered
 *       by walking the keys' sorted order (kept up to date by merging the keys new since the last window) or, when
 *       the window holds few of the keys, by sorting its own slots ({@link SlotHeapSort}). A key's result is its row
 *       or, for overlapping windows, its rows of the window's panes merged ({@link AggregateLayout#merge}: sums and
 *       counts add, minima and maxima pick, averages add sum and count). The rows of the window's first hop, which no
 *       later window holds, are reset as their results go out, and their columns given back after the window. Each
 *       event (and tick) emits at most {@code firingSlice} due results, exactly as {@link AlignedWindowOperator}
 *       spreads a firing over the events after it; an event for a pane of a window still due first emits every due
 *       result, as that operator does, so even a stage failing under HALT stops at the same result.</li>
 * </ul>
 * Late events (all of whose windows have fired), events in gaps and the watermark follow {@link WindowOperator}'s
 * rules through the same {@link WatermarkGenerator}; an event some of whose windows have fired counts towards the
 * others. It keeps no snapshot: it runs backtests, which take no checkpoints. Built by
 * {@link WindowOperatorContext#buildColumnar()}.
 * <p>
 * <b>Zero allocation</b> once the key table and the columns have grown to the working set. Threading: one thread.
 */
public final class ColumnarWindowOperator implements WindowOperator
{
    /**
     * Panes a window may span for the kernel: a result merges one row per pane, so windows of more panes (sliding
     * 1 h every 1 s: 3,600) are left to {@link AlignedWindowOperator}, which merges a constant number per result.
     */
    static final int MAX_PANES_PER_WINDOW = 16;
    /** A column holding no pane. */
    private static final long EMPTY = PaneColumns.EMPTY;
    /** {@link #firstHeldPane} with no pane held. */
    private static final long NONE = Long.MAX_VALUE;
    /** {@link #place}: the event is in a gap between windows. */
    private static final int UNASSIGNED = -1;
    /** {@link #place}: every window of the event has fired. */
    private static final int LATE = -2;
    /** Windows holding fewer than one key in this many are ordered by sorting their own slots. */
    private static final int SPARSE_KEYS_PER_ROW = 4;
    private static final int INITIAL_COLUMNS = 4;
    private static final long NO_WATERMARK = WatermarkGenerator.NO_WATERMARK;

    private final AlignedWindows windows;
    /** Panes a window spans; the first {@link #releasedPanes} of them (its first hop) are in no later window. */
    private final int panesPerWindow;
    private final int releasedPanes;
    private final WatermarkGenerator watermarks;
    private final AggregateLayout layout;
    private final WindowResultHandler resultHandler;
    private final LateEventHandler lateEventHandler;
    private final int firingSlice;
    /** Per aggregate: its kind ({@link Aggregators#kindOf}), field and offset in the row. */
    private final int[] kinds;
    private final int[] fields;
    private final int[] offsets;
    /** Where in a row its event count is: a count aggregate's slot, or one past the layout's slots. */
    private final int countAt;
    /** Whether {@link #countAt} is the kernel's own slot (no count aggregate), reset apart from the layout. */
    private final boolean ownCount;
    private final int rowStride;
    /** The peer queries' layout, one count and one long sum: the sum's offset and field, else -1. */
    private final int sumAt;
    private final int sumField;
    /** A result merged from several panes' rows. */
    private final long[] merged;
    /** Reads one event of the columns for the late side output. */
    private final ColumnRow columnRow = new ColumnRow();

    // Keys.
    private int keyCapacity;
    private int slotCount;
    private long[] keyOfSlot;
    private int[] index;
    private int indexMask;
    /**
     * Slot + 1 of each key in {@code [0, directSlots.length)}, 0 for none yet: keys that are small non-negative
     * numbers (account, instrument or sensor numbers) find their slot with one load, no hash and no key compare. Every
     * key is in {@link #index} as well; this is a shortcut to it, twice the key capacity long.
     */
    private int[] directSlots;
    /** Slots in ascending key order: the first {@code sortedCount} slots (the rest are new since). */
    private int[] sorted;
    private int[] spare;
    private int sortedCount;

    // Panes.
    private int columns;
    private long[] columnPane;
    private int[] rowCount;
    /** Per column, {@code keyCapacity} entries: the slots with a row, in order of first event. */
    private int[] rowSlots;
    private long[] rows;
    /** Rows with events in all columns, less those reset as their results went out. */
    private int rowsHeld;
    /** The smallest pane holding a column, {@link #NONE} for none. */
    private long firstHeldPane = NONE;

    // The pane of the last event's time and its windows, so most events cost no division.
    private long cachedStart;
    private long cachedLength;
    private long cachedPane;
    private long cachedFirstWindow;
    private long cachedLastWindow;
    private boolean cachedGap;
    private int cachedColumn = -1;

    // Watermark and firing.
    private long watermark = NO_WATERMARK;
    /** The last window whose results are due ({@link AlignedWindows#lastFiredWindow}), {@link Long#MIN_VALUE} before any. */
    private long lastFiredWindow = Long.MIN_VALUE;
    /**
     * The watermark from which the window after {@link #lastFiredWindow} is due: a watermark below it changes no
     * window's state, so most watermark moves cost a compare instead of a division.
     */
    private long nextDueWatermark = Long.MIN_VALUE;
    /**
     * The first window not done: windows below it have emitted their results or were due with no rows. While no
     * firing is in progress it is the window after {@link #lastFiredWindow}.
     */
    private long nextWindow = Long.MIN_VALUE;
    private boolean firing;
    private boolean windowOpen;
    /** Whether the current event emitted results before it was folded in (an event for a due window's pane). */
    private boolean drained;
    private long firingWindow;
    private long firingStart;
    private long firingEnd;
    /** The open window's panes' columns in pane order, -1 for a pane with no rows. */
    private final int[] firingColumns;
    private int[] firingOrder;
    private int firingPosition;
    private int firingCount;

    private long lateEventsDropped;
    private long unassignedEvents;
    private long windowsFired;

    ColumnarWindowOperator(final AlignedWindows windows, final PrimitiveAggregator[] aggregators, final WindowSettings settings)
    {
        if (windows.panesPerWindow > MAX_PANES_PER_WINDOW)
        {
            throw new IllegalArgumentException("the columnar kernel takes windows of at most " + MAX_PANES_PER_WINDOW + " panes: " +
                windows.panesPerWindow);
        }
        this.windows = windows;
        this.panesPerWindow = (int)windows.panesPerWindow;
        this.releasedPanes = (int)Math.min(windows.panesPerHop, windows.panesPerWindow);
        this.watermarks = settings.watermarks();
        this.layout = settings.layout();
        this.resultHandler = settings.resultHandler();
        this.lateEventHandler = settings.lateEventHandler();
        this.firingSlice = settings.firingSlice();
        final int expectedEntries = settings.expectedEntries();
        this.kinds = new int[aggregators.length];
        this.fields = new int[aggregators.length];
        this.offsets = new int[aggregators.length];
        int offset = 0;
        int count = -1;
        for (int i = 0; i < aggregators.length; i++)
        {
            kinds[i] = Aggregators.kindOf(aggregators[i]);
            fields[i] = Aggregators.fieldOf(aggregators[i]);
            offsets[i] = offset;
            if (kinds[i] == Aggregators.COUNT && count < 0)
            {
                count = offset;
            }
            offset += aggregators[i].slots();
        }
        this.ownCount = count < 0;
        this.countAt = ownCount ? offset : count;
        this.rowStride = ownCount ? offset + 1 : offset;
        final boolean countAndSum = kinds.length == 2 && !ownCount &&
            (kinds[0] == Aggregators.SUM_LONG || kinds[1] == Aggregators.SUM_LONG);
        final int sum = kinds[0] == Aggregators.SUM_LONG ? 0 : 1;
        this.sumAt = countAndSum ? offsets[sum] : -1;
        this.sumField = countAndSum ? fields[sum] : -1;
        this.merged = new long[rowStride];
        this.firingColumns = new int[panesPerWindow];

        // A key holds a row in each pane of its live window and, for a while, in the next pane.
        final int keysHint = Math.max(1, expectedEntries / (panesPerWindow + 1));
        this.keyCapacity = Math.max(16, Integer.highestOneBit(Math.min(1 << 20, keysHint) - 1) << 1);
        this.columns = INITIAL_COLUMNS;
        allocateKeys(keyCapacity);
        this.columnPane = new long[columns];
        Arrays.fill(columnPane, EMPTY);
        this.rowCount = new int[columns];
        this.rowSlots = new int[columns * keyCapacity];
        this.rows = new long[columns * keyCapacity * rowStride];
        for (int c = 0; c < columns; c++)
        {
            resetRows(c, 0, keyCapacity);
        }
    }

    /**
     * Whether the kernel gives exactly {@link AlignedWindowOperator}'s results for these windows and aggregators:
     * windows of at most {@link #MAX_PANES_PER_WINDOW} panes ({@code size / gcd(size, hop)} for overlapping ones;
     * tumbling windows and windows with gaps are one pane each), and every aggregator a count or a sum, min, max or
     * avg of a long field.
     *
     * @param size        the windows' size.
     * @param hop         the windows' hop (the slide).
     * @param aggregators the windows' aggregators.
     * @return whether {@link WindowOperatorContext#buildColumnar()} may build the kernel.
     */
    static boolean supports(final long size, final long hop, final PrimitiveAggregator[] aggregators)
    {
        if (hop < size && size / AlignedWindows.gcd(size, hop) > MAX_PANES_PER_WINDOW)
        {
            return false;
        }
        for (final PrimitiveAggregator aggregator : aggregators)
        {
            if (!Aggregators.foldsLongsExactly(Aggregators.kindOf(aggregator)))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Processes events given as columns, in index order, from {@code from} until the first event after which
     * results were emitted (so the caller can look at what they caused, a halt, before the next event) or
     * {@code to}.
     *
     * @param keys    each event's key.
     * @param times   each event's event time.
     * @param columns each field's values by field index of the input schema (the aggregates' fields are read here).
     * @param from    first event to process.
     * @param to      one past the last event to process.
     * @return one past the last event processed.
     * @throws IllegalArgumentException for an event time outside [-2^62, 2^62], the events before it processed.
     */
    public int onColumns(final long[] keys, final long[] times, final long[][] columns, final int from, final int to)
    {
        // The count-and-sum layout's column and offsets in locals: the loop's calls would otherwise have them reloaded.
        final long[] sums = sumAt >= 0 ? columns[sumField] : null;
        final int countAt = this.countAt;
        final int sumAt = this.sumAt;
        for (int i = from; i < to; i++)
        {
            final long key = keys[i];
            final long time = times[i];
            final int base = place(key, time);
            if (base >= 0)
            {
                if (sums != null)
                {
                    final long[] rows = this.rows;
                    rows[base + countAt]++;
                    rows[base + sumAt] += sums[i];
                }
                else
                {
                    foldColumns(base, columns, i);
                }
            }
            else if (base == LATE)
            {
                dropLate(key, time, columnRow.wrap(columns, i));
            }
            if (afterEvent(time))
            {
                return i + 1;
            }
        }
        return to;
    }

    @Override
    public void onEvent(final long key, final long timestamp, final EventValues values)
    {
        final int base = place(key, timestamp);
        if (base >= 0)
        {
            final long[] rows = this.rows;
            for (int a = 0; a < kinds.length; a++)
            {
                fold(rows, base + offsets[a], kinds[a], kinds[a] == Aggregators.COUNT ? 0 : values.longValue(fields[a]));
            }
            if (ownCount)
            {
                rows[base + countAt]++;
            }
        }
        else if (base == LATE)
        {
            dropLate(key, timestamp, values);
        }
        afterEvent(timestamp);
    }

    private void foldColumns(final int base, final long[][] columns, final int event)
    {
        final long[] rows = this.rows;
        for (int a = 0; a < kinds.length; a++)
        {
            fold(rows, base + offsets[a], kinds[a], kinds[a] == Aggregators.COUNT ? 0 : columns[fields[a]][event]);
        }
        if (ownCount)
        {
            rows[base + countAt]++;
        }
    }

    /** The arithmetic of {@link AggregateLayout#accumulate} for the kinds the kernel supports. */
    private static void fold(final long[] rows, final int at, final int kind, final long value)
    {
        switch (kind)
        {
            case Aggregators.COUNT:
                rows[at]++;
                break;
            case Aggregators.SUM_LONG:
                rows[at] += value;
                break;
            case Aggregators.MIN_LONG:
                rows[at] = Math.min(rows[at], value);
                break;
            case Aggregators.MAX_LONG:
                rows[at] = Math.max(rows[at], value);
                break;
            default: // AVG_LONG
                rows[at] += value;
                rows[at + 1]++;
                break;
        }
    }

    /**
     * The row of an event, taking its pane's column and its key's slot if they have none yet. An event for a pane of
     * a window still due first emits every due result ({@link AlignedWindowOperator} does the same), so each result
     * is the window's as the watermark passed it.
     *
     * @return the row's first index in {@link #rows}, or {@link #UNASSIGNED} or {@link #LATE}.
     */
    private int place(final long key, final long time)
    {
        OwnerThread.checkTimestamp(time);
        if (Long.compareUnsigned(time - cachedStart, cachedLength) >= 0)
        {
            cachePane(time);
        }
        if (cachedGap)
        {
            unassignedEvents++;
            return UNASSIGNED;
        }
        if (cachedFirstWindow <= lastFiredWindow)
        {
            if (cachedLastWindow <= lastFiredWindow)
            {
                return LATE;
            }
            if (firing && emit(Integer.MAX_VALUE) > 0)
            {
                drained = true;
            }
        }
        final int slot = slotOf(key);
        int column = cachedColumn;
        if (column < 0)
        {
            column = take(cachedPane);
            cachedColumn = column;
        }
        final int row = column * keyCapacity + slot;
        final int base = row * rowStride;
        if (rows[base + countAt] == 0)
        {
            rowSlots[column * keyCapacity + rowCount[column]++] = slot;
            rowsHeld++;
        }
        return base;
    }

    private void cachePane(final long time)
    {
        final long pane = windows.paneOf(time);
        final long start = windows.offset + pane * windows.pane;
        if (time - start < windows.covered)
        {
            cachedStart = start;
            cachedLength = windows.covered;
            cachedGap = false;
            cachedPane = pane;
            cachedFirstWindow = windows.firstWindowOf(pane);
            cachedLastWindow = windows.lastWindowOf(pane);
            cachedColumn = -1;
        }
        else
        {
            // One pane per window: the gap after the window's span belongs to no window.
            cachedStart = start + windows.covered;
            cachedLength = windows.pane - windows.covered;
            cachedGap = true;
        }
    }

    private void dropLate(final long key, final long time, final EventValues values)
    {
        lateEventsDropped++;
        lateEventHandler.onLateEvent(key, time, watermark, values);
    }

    /**
     * The watermark's move after an event and the results it makes due, at most a slice.
     *
     * @return whether results were emitted in the event (also before it was folded in).
     */
    private boolean afterEvent(final long time)
    {
        final long next = watermarks.onEvent(time);
        if (next > watermark)
        {
            advance(next);
        }
        final boolean emitted = firing && emit(firingSlice) > 0 || drained;
        drained = false;
        return emitted;
    }

    private void advance(final long next)
    {
        watermark = next;
        if (next < nextDueWatermark)
        {
            // No window more is due. Not firing, nextWindow is already lastFiredWindow + 1 (set when the last firing
            // ended or by the advance before), so the rest would change nothing.
            return;
        }
        lastFiredWindow = windows.lastFiredWindow(next);
        nextDueWatermark = windows.firingWatermark(lastFiredWindow + 1);
        if (firing)
        {
            return;
        }
        if (firstHeldPane != NONE && dueWindow() <= lastFiredWindow)
        {
            firing = true;
        }
        else
        {
            // The windows due have no rows: done, as AlignedWindowOperator passes over them.
            nextWindow = lastFiredWindow + 1;
        }
    }

    /** The next window with rows to emit (due if at or below {@link #lastFiredWindow}); only with a pane held. */
    private long dueWindow()
    {
        return Math.max(nextWindow, windows.firstWindowOf(firstHeldPane));
    }

    /**
     * Emits up to {@code budget} due results: due windows ascending, each window's keys ascending.
     *
     * @return the results emitted.
     */
    private int emit(final int budget)
    {
        int emitted = 0;
        while (true)
        {
            if (!windowOpen)
            {
                if (firstHeldPane == NONE || dueWindow() > lastFiredWindow)
                {
                    // Every window due is done, also those with no rows.
                    firing = false;
                    nextWindow = lastFiredWindow + 1;
                    return emitted;
                }
                if (emitted == budget)
                {
                    return emitted;
                }
                openFiring(dueWindow());
            }
            while (firingPosition < firingCount)
            {
                if (emitted == budget)
                {
                    return emitted;
                }
                emitResult(firingOrder[firingPosition++]);
                emitted++;
            }
            closeFiring();
        }
    }

    /** The open window's result of one key, its rows of the window's first hop reset after. */
    private void emitResult(final int slot)
    {
        final long[] rows = this.rows;
        final int[] panes = firingColumns;
        final int capacity = keyCapacity;
        windowsFired++;
        if (panesPerWindow == 1)
        {
            final int base = (panes[0] * capacity + slot) * rowStride;
            resultHandler.onResult(keyOfSlot[slot], firingStart, firingEnd, WindowResultHandler.FINAL, layout.wrapResult(rows, base));
            resetRow(base);
            rowsHeld--;
            return;
        }
        final long[] result = merged;
        if (sumAt >= 0)
        {
            long count = 0;
            long sum = 0;
            for (int p = 0; p < panesPerWindow; p++)
            {
                final int column = panes[p];
                if (column >= 0)
                {
                    final int base = (column * capacity + slot) * rowStride;
                    count += rows[base + countAt];
                    sum += rows[base + sumAt];
                }
            }
            result[countAt] = count;
            result[sumAt] = sum;
        }
        else
        {
            layout.reset(result, 0);
            for (int p = 0; p < panesPerWindow; p++)
            {
                final int column = panes[p];
                if (column >= 0 && rows[(column * capacity + slot) * rowStride + countAt] != 0)
                {
                    layout.merge(result, 0, rows, (column * capacity + slot) * rowStride);
                }
            }
        }
        resultHandler.onResult(keyOfSlot[slot], firingStart, firingEnd, WindowResultHandler.FINAL, layout.wrapResult(result, 0));
        for (int p = 0; p < releasedPanes; p++)
        {
            final int column = panes[p];
            if (column >= 0)
            {
                final int base = (column * capacity + slot) * rowStride;
                if (rows[base + countAt] != 0)
                {
                    resetRow(base);
                    rowsHeld--;
                }
            }
        }
    }

    /** Opens a due window: its panes' columns, and its keys ordered. */
    private void openFiring(final long window)
    {
        final long firstPane = windows.firstPaneOf(window);
        long rowsOfPanes = 0;
        for (int p = 0; p < panesPerWindow; p++)
        {
            final int column = columnOf(firstPane + p);
            firingColumns[p] = column;
            rowsOfPanes += column < 0 ? 0 : rowCount[column];
        }
        final int[] order = firingOrder;
        int listed = 0;
        if (rowsOfPanes * SPARSE_KEYS_PER_ROW < slotCount)
        {
            for (int p = 0; p < panesPerWindow; p++)
            {
                final int column = firingColumns[p];
                if (column < 0)
                {
                    continue;
                }
                for (int r = column * keyCapacity, end = r + rowCount[column]; r < end; r++)
                {
                    final int slot = rowSlots[r];
                    if (!hasRow(slot, p))
                    {
                        order[listed++] = slot;
                    }
                }
            }
            SlotHeapSort.sort(order, 0, listed, keyOfSlot, 1, 0);
        }
        else
        {
            sortKeys();
            for (int i = 0; i < slotCount; i++)
            {
                final int slot = sorted[i];
                if (hasRow(slot, panesPerWindow))
                {
                    order[listed++] = slot;
                }
            }
        }
        windowOpen = true;
        firingWindow = window;
        firingPosition = 0;
        firingCount = listed;
        firingStart = windows.windowStart(window);
        firingEnd = windows.windowEnd(window);
    }

    /** Whether the slot has a row in any of the open window's first {@code panes} panes. */
    private boolean hasRow(final int slot, final int panes)
    {
        for (int p = 0; p < panes; p++)
        {
            final int column = firingColumns[p];
            if (column >= 0 && rows[(column * keyCapacity + slot) * rowStride + countAt] != 0)
            {
                return true;
            }
        }
        return false;
    }

    /** Closes the open window: the columns of its first hop given back (their rows were reset as results went out). */
    private void closeFiring()
    {
        if (PaneColumns.release(firingColumns, releasedPanes, columnPane, rowCount, cachedColumn))
        {
            cachedColumn = -1;
        }
        windowOpen = false;
        nextWindow = firingWindow + 1;
        long first = NONE;
        for (int c = 0; c < columns; c++)
        {
            if (columnPane[c] != EMPTY)
            {
                first = Math.min(first, columnPane[c]);
            }
        }
        firstHeldPane = first;
    }

    private void resetRow(final int base)
    {
        layout.reset(rows, base);
        if (ownCount)
        {
            rows[base + countAt] = 0;
        }
    }

    private void resetRows(final int column, final int fromSlot, final int toSlot)
    {
        for (int slot = fromSlot; slot < toSlot; slot++)
        {
            resetRow((column * keyCapacity + slot) * rowStride);
        }
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
            growColumns();
        }
        columnPane[free] = pane;
        firstHeldPane = Math.min(firstHeldPane, pane);
        return free;
    }

    /** The column of a pane, -1 if it has none (no rows). */
    private int columnOf(final long pane)
    {
        return PaneColumns.columnOf(columnPane, columns, pane);
    }

    private void growColumns()
    {
        final int grown = columns * 2;
        columnPane = Arrays.copyOf(columnPane, grown);
        Arrays.fill(columnPane, columns, grown, EMPTY);
        rowCount = Arrays.copyOf(rowCount, grown);
        rowSlots = Arrays.copyOf(rowSlots, grown * keyCapacity);
        rows = Arrays.copyOf(rows, grown * keyCapacity * rowStride);
        final int previous = columns;
        columns = grown;
        for (int c = previous; c < grown; c++)
        {
            resetRows(c, 0, keyCapacity);
        }
    }

    /** The slot of a key, given one if it is new. */
    private int slotOf(final long key)
    {
        final int[] direct = directSlots;
        if (Long.compareUnsigned(key, direct.length) < 0 && direct[(int)key] != 0)
        {
            return direct[(int)key] - 1;
        }
        final int[] index = this.index;
        int i = hash(key) & indexMask;
        while (true)
        {
            final int entry = index[i];
            if (entry == 0)
            {
                break;
            }
            if (keyOfSlot[entry - 1] == key)
            {
                return entry - 1;
            }
            i = (i + 1) & indexMask;
        }
        if (slotCount == keyCapacity)
        {
            growKeys();
            return slotOf(key);
        }
        final int slot = slotCount++;
        keyOfSlot[slot] = key;
        index[i] = slot + 1;
        if (Long.compareUnsigned(key, directSlots.length) < 0)
        {
            directSlots[(int)key] = slot + 1;
        }
        return slot;
    }

    private void allocateKeys(final int capacity)
    {
        keyOfSlot = keyOfSlot == null ? new long[capacity] : Arrays.copyOf(keyOfSlot, capacity);
        sorted = sorted == null ? new int[capacity] : Arrays.copyOf(sorted, capacity);
        spare = new int[capacity];
        firingOrder = firingOrder == null ? new int[capacity] : Arrays.copyOf(firingOrder, capacity);
        // At most half full: a probe ends within a few entries.
        index = new int[capacity * 2];
        indexMask = index.length - 1;
        directSlots = new int[capacity * 2];
        for (int slot = 0; slot < slotCount; slot++)
        {
            final long key = keyOfSlot[slot];
            if (Long.compareUnsigned(key, directSlots.length) < 0)
            {
                directSlots[(int)key] = slot + 1;
            }
            int i = hash(key) & indexMask;
            while (index[i] != 0)
            {
                i = (i + 1) & indexMask;
            }
            index[i] = slot + 1;
        }
    }

    /** Twice the key slots: every column's rows and slot list move to their place in the wider layout. */
    private void growKeys()
    {
        final int previous = keyCapacity;
        final int grown = previous * 2;
        final long[] oldRows = rows;
        final int[] oldSlots = rowSlots;
        keyCapacity = grown;
        allocateKeys(grown);
        rows = new long[columns * grown * rowStride];
        rowSlots = new int[columns * grown];
        for (int c = 0; c < columns; c++)
        {
            System.arraycopy(oldRows, c * previous * rowStride, rows, c * grown * rowStride, previous * rowStride);
            System.arraycopy(oldSlots, c * previous, rowSlots, c * grown, rowCount[c]);
            resetRows(c, previous, grown);
        }
    }

    /** Brings {@link #sorted} up to date: the keys new since the last sort sorted and merged in. */
    private void sortKeys()
    {
        final int fresh = slotCount - sortedCount;
        if (fresh == 0)
        {
            return;
        }
        final int[] merged = spare;
        final int[] order = firingOrder; // free until the caller fills it
        for (int i = 0; i < fresh; i++)
        {
            order[i] = sortedCount + i;
        }
        SlotHeapSort.sort(order, 0, fresh, keyOfSlot, 1, 0);
        int i = 0;
        int j = 0;
        int out = 0;
        while (i < sortedCount || j < fresh)
        {
            if (j == fresh || (i < sortedCount && keyOfSlot[sorted[i]] < keyOfSlot[order[j]]))
            {
                merged[out++] = sorted[i++];
            }
            else
            {
                merged[out++] = order[j++];
            }
        }
        spare = sorted;
        sorted = merged;
        sortedCount = out;
    }

    private static int hash(final long key)
    {
        final long h = key * 0x9E3779B97F4A7C15L;
        return (int)(h ^ (h >>> 32));
    }

    @Override
    public void onProcessingTime(final long processingTime)
    {
        final long next = watermarks.onProcessingTime(processingTime);
        if (next > watermark)
        {
            advance(next);
        }
        if (firing)
        {
            emit(firingSlice);
        }
    }

    @Override
    public boolean firingInProgress()
    {
        return firing;
    }

    @Override
    public void advanceWatermarkTo(final long target)
    {
        final long next = watermarks.advanceTo(target);
        if (next > watermark)
        {
            advance(next);
        }
        if (firing)
        {
            emit(Integer.MAX_VALUE);
        }
    }

    @Override
    public void endOfInput()
    {
        final long next = watermarks.endOfInput();
        if (next > watermark)
        {
            advance(next);
        }
        if (firing)
        {
            emit(Integer.MAX_VALUE);
        }
    }

    @Override
    public long watermark()
    {
        return watermarks.watermark();
    }

    @Override
    public long lateEventsDropped()
    {
        return lateEventsDropped;
    }

    @Override
    public long unassignedEvents()
    {
        return unassignedEvents;
    }

    @Override
    public long windowsFired()
    {
        return windowsFired;
    }

    /**
     * Rows held: a key's row in a pane, counted until the last window holding the pane has emitted its result.
     */
    @Override
    public int stateEntries()
    {
        return rowsHeld;
    }

    @Override
    public int snapshotLength()
    {
        throw noSnapshots();
    }

    @Override
    public int snapshotTo(final MutableDirectBuffer buffer, final int offset)
    {
        throw noSnapshots();
    }

    @Override
    public int restoreFrom(final DirectBuffer buffer, final int offset)
    {
        throw noSnapshots();
    }

    private static UnsupportedOperationException noSnapshots()
    {
        return new UnsupportedOperationException("the columnar window kernel runs backtests, which take no checkpoints: it keeps no snapshot");
    }

    @Override
    public void releaseOwnership()
    {
    }

    /** One event of the columns seen as {@link EventValues}, for the late side output. */
    private static final class ColumnRow implements EventValues
    {
        private long[][] columns;
        private int event;

        ColumnRow wrap(final long[][] columns, final int event)
        {
            this.columns = columns;
            this.event = event;
            return this;
        }

        @Override
        public long longValue(final int field)
        {
            return columns[field][event];
        }

        @Override
        public double doubleValue(final int field)
        {
            return columns[field][event];
        }
    }
}
