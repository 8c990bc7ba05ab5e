package io.sluice.engine.window;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import io.sluice.engine.time.WatermarkGenerator;
import io.sluice.schema.EventValues;

/**
 * The window kernel of the columnar backtest: tumbling windows and hopping windows with gaps ({@code hop >= size},
 * so every event is in at most one window) over counts and sums, minima, maxima and averages of long fields, with
 * no allowed lateness and no early results. It gives the same results, in the same order and after the same events,
 * as {@link AlignedWindowOperator} over the same events (one pane per window, see {@link AlignedWindows}), with
 * state laid out for a run of events given as columns ({@link #onColumns}):
 * <ul>
 *   <li><b>Keys</b> get a dense slot, in order of first sight, through one open-addressing probe
 *       ({@code index}: slot + 1 per entry, 0 empty; {@code keyOfSlot}: the key of each slot). A key keeps its slot
 *       for the run; the table grows with the keys.</li>
 *   <li><b>Windows</b> each hold a column: a block of {@code keyCapacity} rows, one per key slot, of {@code rowStride}
 *       longs (the aggregates' state as {@link AggregateLayout} lays it out, then a count of the row's events if no
 *       aggregate counts them), and the list of the slots with a row. A column is taken when its window gets its
 *       first event and given back once the window's results are out, so the columns held are the live windows
 *       and those still being emitted (a handful: the watermark bound over the hop).
 *       <pre>
 *   rows:  | column 0: slot 0 row | slot 1 row | ... | column 1: slot 0 row | ... |
 *          |<- rowStride longs ->|
 *       </pre></li>
 *   <li><b>Firing</b>: when the watermark passes a window's end - 1, its results are due, in ascending window order
 *       and, in each window, ascending (signed) key order: the column's slots are ordered by walking the keys'
 *       sorted order (kept up to date by merging the keys new since the last window) or, when the window holds
 *       few of the keys, by sorting its own slots. Each event (and tick) emits at most {@code firingSlice} due
 *       results, exactly as {@link AlignedWindowOperator} spreads a firing over the events after it, so even a
 *       stage failing under HALT stops at the same result.</li>
 * </ul>
 * Late events (all of whose windows have fired), events in gaps and the watermark follow {@link WindowOperator}'s
 * rules through the same {@link WatermarkGenerator}. It keeps no snapshot: it runs backtests, which take no
 * checkpoints. Built by {@link WindowOperatorContext#buildColumnar()}.
 * <p>
 * <b>Zero allocation</b> once the key table and the columns have grown to the working set. Threading: one thread.
 */
public final class ColumnarWindowOperator implements WindowOperator
{
    /** A column holding no window. */
    private static final long EMPTY = Long.MIN_VALUE;
    /** {@link #place}: the event is in a gap between windows. */
    private static final int UNASSIGNED = -1;
    /** {@link #place}: every window of the event has fired. */
    private static final int LATE = -2;
    /** Windows holding fewer than one key in this many are ordered by sorting their own slots. */
    private static final int SPARSE_KEYS_PER_ROW = 4;
    private static final int INITIAL_COLUMNS = 4;

    private final AlignedWindows windows;
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
    /** Reads one event of the columns for the late side output. */
    private final ColumnRow columnRow = new ColumnRow();

    // Keys.
    private int keyCapacity;
    private int slotCount;
    private long[] keyOfSlot;
    private int[] index;
    private int indexMask;
    /** Slots in ascending key order: the first {@code sortedCount} slots (the rest are new since). */
    private int[] sorted;
    private int[] spare;
    private int sortedCount;

    // Windows.
    private int columns;
    private long[] columnWindow;
    private int[] rowCount;
    /** Per column, {@code keyCapacity} entries: the slots with a row, in order of first event. */
    private int[] rowSlots;
    private long[] rows;
    /** The smallest window holding a column, {@link Long#MAX_VALUE} for none. */
    private long firstHeldWindow = Long.MAX_VALUE;

    // The window of the last event's time, so most events cost no division.
    private long cachedStart;
    private long cachedLength;
    private long cachedWindow;
    private boolean cachedGap;
    private int cachedColumn = -1;

    // Watermark and firing.
    private long watermark = NO_WATERMARK;
    /** The last window whose results are due ({@link AlignedWindows#lastFiredWindow}), {@link Long#MIN_VALUE} before any. */
    private long lastFiredWindow = Long.MIN_VALUE;
    private boolean firing;
    private int firingColumn = -1;
    private long firingStart;
    private long firingEnd;
    private int[] firingOrder;
    private int firingPosition;
    private int firingCount;

    private long lateEventsDropped;
    private long unassignedEvents;
    private long windowsFired;

    private static final long NO_WATERMARK = WatermarkGenerator.NO_WATERMARK;

    ColumnarWindowOperator(
        final AlignedWindows windows,
        final WatermarkGenerator watermarks,
        final PrimitiveAggregator[] aggregators,
        final WindowResultHandler resultHandler,
        final LateEventHandler lateEventHandler,
        final int expectedEntries,
        final int firingSlice)
    {
        this.windows = windows;
        this.watermarks = watermarks;
        this.layout = new AggregateLayout(aggregators);
        this.resultHandler = resultHandler;
        this.lateEventHandler = lateEventHandler;
        this.firingSlice = firingSlice;
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

        // A key holds a row in its live window and, for a while, in the next one.
        this.keyCapacity = Math.max(16, Integer.highestOneBit(Math.min(1 << 20, Math.max(1, expectedEntries / 2)) - 1) << 1);
        this.columns = INITIAL_COLUMNS;
        allocateKeys(keyCapacity);
        this.columnWindow = new long[columns];
        java.util.Arrays.fill(columnWindow, EMPTY);
        this.rowCount = new int[columns];
        this.rowSlots = new int[columns * keyCapacity];
        this.rows = new long[columns * keyCapacity * rowStride];
        for (int c = 0; c < columns; c++)
        {
            resetRows(c, 0, keyCapacity);
        }
    }

    /**
     * Whether the kernel gives exactly {@link AlignedWindowOperator}'s results for these aggregators: every one a
     * count or a sum, min, max or avg of a long field.
     */
    static boolean supports(final PrimitiveAggregator[] aggregators)
    {
        for (final PrimitiveAggregator aggregator : aggregators)
        {
            switch (Aggregators.kindOf(aggregator))
            {
                case Aggregators.COUNT:
                case Aggregators.SUM_LONG:
                case Aggregators.MIN_LONG:
                case Aggregators.MAX_LONG:
                case Aggregators.AVG_LONG:
                    break;
                default:
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
        for (int i = from; i < to; i++)
        {
            final long key = keys[i];
            final long time = times[i];
            final int base = place(key, time);
            if (base >= 0)
            {
                if (sumAt >= 0)
                {
                    final long[] rows = this.rows;
                    rows[base + countAt]++;
                    rows[base + sumAt] += columns[sumField][i];
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
     * The row of an event, taking its window's column and its key's slot if they have none yet.
     *
     * @return the row's first index in {@link #rows}, or {@link #UNASSIGNED} or {@link #LATE}.
     */
    private int place(final long key, final long time)
    {
        OwnerThread.checkTimestamp(time);
        if (Long.compareUnsigned(time - cachedStart, cachedLength) >= 0)
        {
            cacheWindow(time);
        }
        if (cachedGap)
        {
            unassignedEvents++;
            return UNASSIGNED;
        }
        if (cachedWindow <= lastFiredWindow)
        {
            return LATE;
        }
        final int slot = slotOf(key);
        int column = cachedColumn;
        if (column < 0)
        {
            column = take(cachedWindow);
            cachedColumn = column;
        }
        final int row = column * keyCapacity + slot;
        final int base = row * rowStride;
        if (rows[base + countAt] == 0)
        {
            rowSlots[column * keyCapacity + rowCount[column]++] = slot;
        }
        return base;
    }

    private void cacheWindow(final long time)
    {
        final long window = windows.paneOf(time);
        final long start = windows.offset + window * windows.pane;
        if (time - start < windows.size)
        {
            cachedStart = start;
            cachedLength = windows.size;
            cachedGap = false;
            cachedWindow = window;
            cachedColumn = -1;
        }
        else
        {
            cachedStart = start + windows.size;
            cachedLength = windows.pane - windows.size;
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
     * @return whether results were emitted.
     */
    private boolean afterEvent(final long time)
    {
        final long next = watermarks.onEvent(time);
        if (next > watermark)
        {
            advance(next);
        }
        return firing && emit(firingSlice) > 0;
    }

    private void advance(final long next)
    {
        watermark = next;
        lastFiredWindow = windows.lastFiredWindow(next);
        if (firstHeldWindow <= lastFiredWindow)
        {
            firing = true;
        }
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
            if (firingColumn < 0)
            {
                if (firstHeldWindow > lastFiredWindow)
                {
                    firing = false;
                    return emitted;
                }
                if (emitted == budget)
                {
                    return emitted;
                }
                openFiring(columnOf(firstHeldWindow));
            }
            final int column = firingColumn;
            final long[] rows = this.rows;
            final int columnBase = column * keyCapacity;
            while (firingPosition < firingCount)
            {
                if (emitted == budget)
                {
                    return emitted;
                }
                final int slot = firingOrder[firingPosition++];
                final int base = (columnBase + slot) * rowStride;
                windowsFired++;
                emitted++;
                resultHandler.onResult(keyOfSlot[slot], firingStart, firingEnd, WindowResultHandler.FINAL, layout.wrapResult(rows, base));
                resetRow(base);
            }
            release(column);
        }
    }

    /** Orders the due window's slots by key. */
    private void openFiring(final int column)
    {
        final long window = columnWindow[column];
        final int count = rowCount[column];
        final int[] order = firingOrder;
        if ((long)count * SPARSE_KEYS_PER_ROW < slotCount)
        {
            System.arraycopy(rowSlots, column * keyCapacity, order, 0, count);
            heapSortByKey(order, count);
        }
        else
        {
            sortKeys();
            final long[] rows = this.rows;
            final int columnBase = column * keyCapacity;
            int listed = 0;
            for (int i = 0; i < slotCount; i++)
            {
                final int slot = sorted[i];
                if (rows[(columnBase + slot) * rowStride + countAt] != 0)
                {
                    order[listed++] = slot;
                }
            }
        }
        firingColumn = column;
        firingPosition = 0;
        firingCount = count;
        firingStart = windows.windowStart(window);
        firingEnd = windows.windowEnd(window);
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

    /** The column of a window, taken for it if it has none. */
    private int take(final long window)
    {
        int free = -1;
        for (int c = 0; c < columns; c++)
        {
            if (columnWindow[c] == window)
            {
                return c;
            }
            if (free < 0 && columnWindow[c] == EMPTY)
            {
                free = c;
            }
        }
        if (free < 0)
        {
            free = columns;
            growColumns();
        }
        columnWindow[free] = window;
        firstHeldWindow = Math.min(firstHeldWindow, window);
        return free;
    }

    private int columnOf(final long window)
    {
        for (int c = 0; c < columns; c++)
        {
            if (columnWindow[c] == window)
            {
                return c;
            }
        }
        throw new IllegalStateException("no column holds window " + window);
    }

    /** Gives a fired window's column back; its rows were reset as their results went out. */
    private void release(final int column)
    {
        columnWindow[column] = EMPTY;
        rowCount[column] = 0;
        firingColumn = -1;
        if (cachedColumn == column)
        {
            cachedColumn = -1;
        }
        long first = Long.MAX_VALUE;
        for (int c = 0; c < columns; c++)
        {
            if (columnWindow[c] != EMPTY)
            {
                first = Math.min(first, columnWindow[c]);
            }
        }
        firstHeldWindow = first;
    }

    private void growColumns()
    {
        final int grown = columns * 2;
        columnWindow = java.util.Arrays.copyOf(columnWindow, grown);
        java.util.Arrays.fill(columnWindow, columns, grown, EMPTY);
        rowCount = java.util.Arrays.copyOf(rowCount, grown);
        rowSlots = java.util.Arrays.copyOf(rowSlots, grown * keyCapacity);
        rows = java.util.Arrays.copyOf(rows, grown * keyCapacity * rowStride);
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
        return slot;
    }

    private void allocateKeys(final int capacity)
    {
        keyOfSlot = keyOfSlot == null ? new long[capacity] : java.util.Arrays.copyOf(keyOfSlot, capacity);
        sorted = sorted == null ? new int[capacity] : java.util.Arrays.copyOf(sorted, capacity);
        spare = new int[capacity];
        firingOrder = firingOrder == null ? new int[capacity] : java.util.Arrays.copyOf(firingOrder, capacity);
        // At most half full: a probe ends within a few entries.
        index = new int[capacity * 2];
        indexMask = index.length - 1;
        for (int slot = 0; slot < slotCount; slot++)
        {
            int i = hash(keyOfSlot[slot]) & indexMask;
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
        heapSortByKey(order, fresh);
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

    /** In place and allocation free (unlike Arrays.sort's merge buffers): slots by ascending key. */
    private void heapSortByKey(final int[] slots, final int count)
    {
        for (int i = (count >>> 1) - 1; i >= 0; i--)
        {
            siftDown(slots, i, count);
        }
        for (int end = count - 1; end > 0; end--)
        {
            final int top = slots[0];
            slots[0] = slots[end];
            slots[end] = top;
            siftDown(slots, 0, end);
        }
    }

    private void siftDown(final int[] heap, final int start, final int length)
    {
        final long[] keys = keyOfSlot;
        int parent = start;
        final int moving = heap[parent];
        final long key = keys[moving];
        while (true)
        {
            int child = (parent << 1) + 1;
            if (child >= length)
            {
                break;
            }
            if (child + 1 < length && keys[heap[child + 1]] > keys[heap[child]])
            {
                child++;
            }
            if (keys[heap[child]] <= key)
            {
                break;
            }
            heap[parent] = heap[child];
            parent = child;
        }
        heap[parent] = moving;
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

    @Override
    public int stateEntries()
    {
        int entries = 0;
        for (int c = 0; c < columns; c++)
        {
            entries += rowCount[c];
        }
        return entries - (firingColumn < 0 ? 0 : firingPosition);
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
