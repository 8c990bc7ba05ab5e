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
 * Snapshot layout (little endian), followed by {@code rowCount} rows:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Magic 'SLWA'                           |
 *  +---------------------------------------------------------------+
 *  |                          Version                              |
 *  +---------------------------------------------------------------+
 *  |                        Size (64 bits)                         |
 *  +---------------------------------------------------------------+
 *  |                         Hop (64 bits)                         |
 *  +---------------------------------------------------------------+
 *  |                       Offset (64 bits)                        |
 *  +---------------------------------------------------------------+
 *  |                  Allowed Lateness (64 bits)                   |
 *  +---------------------------------------------------------------+
 *  |                   Stride (longs per row)                      |
 *  +---------------------------------------------------------------+
 *  |                         Row Count                             |
 *  +---------------------------------------------------------------+
 *  |                 Late Events Dropped (64 bits)                 |
 *  +---------------------------------------------------------------+
 *  |                  Unassigned Events (64 bits)                  |
 *  +---------------------------------------------------------------+
 *  |                   Windows Fired (64 bits)                     |
 *  +---------------------------------------------------------------+
 *  |     Watermark generator state (its own snapshotLength())     ...
 *  +---------------------------------------------------------------+
 *  |                  Row: Key (64 bits)                           |
 *  +---------------------------------------------------------------+
 *  |                  Row: Pane Index (64 bits)                    |
 *  +---------------------------------------------------------------+
 *  |           Row: Aggregate State (Stride x 64 bits)            ...
 *  +---------------------------------------------------------------+
 * </pre>
 * Rows follow in no particular order (a checkpoint copies them incrementally, see
 * {@link PaneSnapshot}), each (key, pane) once; magic, version and row state are encoded by
 * {@link WindowSnapshotRows}. Threading: single writer, the partition thread.
 */
final class AlignedWindowOperator extends KeyedWindowOperator
{
    static final int MAGIC = 0x41574C53;
    static final int VERSION = 1;
    static final int SIZE_OFFSET = 8;
    static final int HOP_OFFSET = 16;
    static final int OFFSET_OFFSET = 24;
    static final int LATENESS_OFFSET = 32;
    static final int STRIDE_OFFSET = 40;
    static final int ROW_COUNT_OFFSET = 44;
    static final int LATE_OFFSET = 48;
    static final int UNASSIGNED_OFFSET = 56;
    static final int FIRED_OFFSET = 64;
    static final int HEADER_LENGTH = 72;

    private final AlignedWindows windows;
    private final PaneStore store;
    private final WindowAssembler assembler;
    private final RangeAssembler rangeAssembler;
    private final long[] singleState;
    private long unassignedEvents;
    private long purgedBelow = Long.MIN_VALUE;
    private long lastAssembledPane = Long.MIN_VALUE;

    AlignedWindowOperator(
        final AlignedWindows windows,
        final boolean earlyOnUpdate,
        final WatermarkGenerator watermarks,
        final AggregateLayout layout,
        final WindowResultHandler resultHandler,
        final LateEventHandler lateEventHandler,
        final int expectedEntries)
    {
        super(earlyOnUpdate, watermarks, layout, resultHandler, lateEventHandler);
        this.windows = windows;
        this.store = new PaneStore(layout, expectedEntries);
        this.assembler = new WindowAssembler(store, layout, windows);
        this.rangeAssembler = new RangeAssembler(store, layout, windows.panesPerWindow);
        this.singleState = new long[stride];
    }

    @Override
    public void onEvent(final long key, final long timestamp, final EventValues values)
    {
        assert ownerThread.isOwner() : ownerThread.describe();
        OwnerThread.checkTimestamp(timestamp);
        final long watermark = watermarks.watermark();
        final long pane = windows.paneOf(timestamp);
        final long firstWindow = windows.firstWindowOf(pane);
        final long lastWindow = windows.lastWindowOf(pane);

        if (firstWindow > lastWindow)
        {
            unassignedEvents++;
        }
        else if (watermark != NO_WATERMARK && lastWindow < windows.firstLiveWindow(watermark))
        {
            dropLate(key, timestamp, watermark, values);
        }
        else
        {
            final int row = store.findOrCreate(key, pane);
            layout.accumulate(store.state(), store.base(row), timestamp, values);
            if (pane <= lastAssembledPane)
            {
                store.keys().invalidateAssembly(store.slotOf(row));
            }
            if (earlyOnUpdate || (watermark != NO_WATERMARK && windows.lastFiredWindow(watermark) >= firstWindow))
            {
                emitUpdates(key, row, firstWindow, lastWindow, watermark);
            }
        }

        advance(watermark, watermarks.onEvent(timestamp));
    }

    @Override
    public long unassignedEvents()
    {
        return unassignedEvents;
    }

    @Override
    public int stateEntries()
    {
        return store.rowsInUse();
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
        final long lastDue = windows.lastFiredWindow(watermark);
        long window = previous == NO_WATERMARK ? Long.MIN_VALUE : windows.lastFiredWindow(previous) + 1;
        if (window > lastDue)
        {
            // Common case: the watermark moved within a window, nothing fires and nothing expires
            // that was not already expired by the window boundary.
            final long firstLivePane = windows.firstLivePane(watermark);
            if (firstLivePane > purgedBelow)
            {
                purgedBelow = firstLivePane;
                store.purgeBelow(firstLivePane);
            }
            return;
        }
        while (window <= lastDue)
        {
            final long fromPane = window == Long.MIN_VALUE ? Long.MIN_VALUE : windows.firstPaneOf(window);
            final int position = store.lowerBound(fromPane);
            if (position == store.paneCount())
            {
                break;
            }
            final long next = Math.max(window, windows.firstWindowOf(store.paneAt(position)));
            if (next > lastDue)
            {
                break;
            }
            fireWindow(next);
            window = next + 1;
        }
        purgedBelow = windows.firstLivePane(watermark);
        store.purgeBelow(purgedBelow);
    }

    private void fireWindow(final long window)
    {
        final long firstPane = windows.firstPaneOf(window);
        final long lastPane = firstPane + windows.panesPerWindow - 1;
        final long start = windows.windowStart(window);
        final long end = windows.windowEnd(window);
        final KeyTable keys = store.keys();
        keys.sortForIteration();
        store.cursorPane(firstPane);
        for (int i = 0, count = keys.sortedCount(); i < count; i++)
        {
            final int slot = keys.sortedSlot(i);
            final int first = store.advanceWindowFirst(slot, firstPane);
            if (first == PaneStore.NONE || store.paneOf(first) > lastPane)
            {
                continue;
            }
            assembler.assemble(slot, first, firstPane, singleState);
            windowsFired++;
            resultHandler.onResult(
                keys.key(slot), start, end, WindowResultHandler.FINAL, layout.wrapResult(singleState, 0));
        }
        lastAssembledPane = Math.max(lastAssembledPane, lastPane);
    }

    @Override
    public int snapshotLength()
    {
        return HEADER_LENGTH + watermarks.snapshotLength() + store.rowsInUse() * PaneSnapshot.rowLength(stride);
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
        WindowSnapshotRows.putHeader(buffer, offset, MAGIC, VERSION);
        buffer.putLong(offset + SIZE_OFFSET, windows.size, ORDER);
        buffer.putLong(offset + HOP_OFFSET, windows.hop, ORDER);
        buffer.putLong(offset + OFFSET_OFFSET, windows.offset, ORDER);
        buffer.putLong(offset + LATENESS_OFFSET, windows.allowedLateness, ORDER);
        buffer.putInt(offset + STRIDE_OFFSET, stride, ORDER);
        buffer.putInt(offset + ROW_COUNT_OFFSET, store.rowsInUse(), ORDER);
        buffer.putLong(offset + LATE_OFFSET, lateEventsDropped, ORDER);
        buffer.putLong(offset + UNASSIGNED_OFFSET, unassignedEvents, ORDER);
        buffer.putLong(offset + FIRED_OFFSET, windowsFired, ORDER);
        int cursor = offset + HEADER_LENGTH;
        cursor += watermarks.snapshotTo(buffer, cursor);
        cursor += store.snapshot().begin(buffer, cursor);
        return cursor - offset;
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
        WindowSnapshotRows.checkHeader(
            buffer, offset, MAGIC, VERSION, "not an aligned window snapshot of version " + VERSION);
        if (buffer.getLong(offset + SIZE_OFFSET, ORDER) != windows.size ||
            buffer.getLong(offset + HOP_OFFSET, ORDER) != windows.hop ||
            buffer.getLong(offset + OFFSET_OFFSET, ORDER) != windows.offset ||
            buffer.getLong(offset + LATENESS_OFFSET, ORDER) != windows.allowedLateness ||
            buffer.getInt(offset + STRIDE_OFFSET, ORDER) != stride)
        {
            throw WindowSnapshotRows.configurationMismatch();
        }
        final int rowCount = buffer.getInt(offset + ROW_COUNT_OFFSET, ORDER);
        lateEventsDropped = buffer.getLong(offset + LATE_OFFSET, ORDER);
        unassignedEvents = buffer.getLong(offset + UNASSIGNED_OFFSET, ORDER);
        windowsFired = buffer.getLong(offset + FIRED_OFFSET, ORDER);
        int cursor = offset + HEADER_LENGTH;
        cursor += watermarks.restoreFrom(buffer, cursor);

        store.clear();
        purgedBelow = Long.MIN_VALUE;
        lastAssembledPane = Long.MIN_VALUE;
        for (int i = 0; i < rowCount; i++)
        {
            final int row = store.findOrCreate(buffer.getLong(cursor, ORDER), buffer.getLong(cursor + 8, ORDER));
            cursor = WindowSnapshotRows.getState(buffer, cursor + 16, store.state(), store.base(row), stride);
        }
        return cursor - offset;
    }
}
