package io.sluice.engine.window;

import io.sluice.engine.time.WatermarkGenerator;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Tumbling, sliding and hopping windows over panes (see {@link AlignedWindows}): an event
 * updates the single (key, pane) row of its time, whatever the overlap; a window's result is
 * assembled from its panes when it fires, re-fires or emits early.
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
 * Rows follow in ascending pane order. Threading: single writer, the partition thread.
 */
final class AlignedWindowOperator implements WindowOperator
{
    static final int MAGIC = 0x41574C53;
    static final int VERSION = 1;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
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

    private static final long NO_WATERMARK = WatermarkGenerator.NO_WATERMARK;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final AlignedWindows windows;
    private final boolean earlyOnUpdate;
    private final WatermarkGenerator watermarks;
    private final AggregateLayout layout;
    private final int stride;
    private final PaneStore store;
    private final WindowResultHandler resultHandler;
    private final LateEventHandler lateEventHandler;
    private final LongPairIndex scratchIndex;
    private final long[] singleState;
    private long[] scratchState;
    private long[] scratchKeys;
    private int[] scratchSlots;
    private long lateEventsDropped;
    private long unassignedEvents;
    private long windowsFired;

    AlignedWindowOperator(
        final AlignedWindows windows,
        final boolean earlyOnUpdate,
        final WatermarkGenerator watermarks,
        final AggregateLayout layout,
        final WindowResultHandler resultHandler,
        final LateEventHandler lateEventHandler,
        final int expectedEntries)
    {
        this.windows = windows;
        this.earlyOnUpdate = earlyOnUpdate;
        this.watermarks = watermarks;
        this.layout = layout;
        this.stride = layout.stride();
        this.resultHandler = resultHandler;
        this.lateEventHandler = lateEventHandler;
        this.store = new PaneStore(layout, expectedEntries);
        final int keys = Math.max(16, expectedEntries);
        this.scratchIndex = new LongPairIndex(keys);
        this.scratchState = new long[keys * stride];
        this.scratchKeys = new long[keys];
        this.scratchSlots = new int[keys];
        this.singleState = new long[stride];
    }

    @Override
    public void onEvent(final long key, final long timestamp, final EventValues values)
    {
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
            lateEventsDropped++;
            lateEventHandler.onLateEvent(key, timestamp, watermark, values);
        }
        else
        {
            final int row = store.findOrCreate(key, pane);
            layout.accumulate(store.state(), store.base(row), timestamp, values);
            if (earlyOnUpdate || (watermark != NO_WATERMARK && windows.lastFiredWindow(watermark) >= firstWindow))
            {
                emitUpdates(key, firstWindow, lastWindow, watermark);
            }
        }

        advance(watermark, watermarks.onEvent(timestamp));
    }

    @Override
    public void onProcessingTime(final long processingTime)
    {
        final long watermark = watermarks.watermark();
        advance(watermark, watermarks.onProcessingTime(processingTime));
    }

    @Override
    public void advanceWatermarkTo(final long watermark)
    {
        final long previous = watermarks.watermark();
        advance(previous, watermarks.advanceTo(watermark));
    }

    @Override
    public void endOfInput()
    {
        final long previous = watermarks.watermark();
        advance(previous, watermarks.endOfInput());
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
        return store.rowsInUse();
    }

    private void emitUpdates(final long key, final long firstWindow, final long lastWindow, final long watermark)
    {
        long window = firstWindow;
        long lastFired = Long.MIN_VALUE;
        if (watermark != NO_WATERMARK)
        {
            window = Math.max(firstWindow, windows.firstLiveWindow(watermark));
            lastFired = windows.lastFiredWindow(watermark);
        }
        for (; window <= lastWindow; window++)
        {
            if (window <= lastFired)
            {
                emitOne(key, window, WindowResultHandler.UPDATE);
            }
            else if (earlyOnUpdate)
            {
                emitOne(key, window, WindowResultHandler.EARLY);
            }
            else
            {
                break;
            }
        }
    }

    private void emitOne(final long key, final long window, final int flags)
    {
        final long firstPane = windows.firstPaneOf(window);
        final long endPane = firstPane + windows.panesPerWindow;
        layout.reset(singleState, 0);
        for (int position = store.lowerBound(firstPane); position < store.paneCount(); position++)
        {
            final long pane = store.paneAt(position);
            if (pane >= endPane)
            {
                break;
            }
            final int row = store.find(key, pane);
            if (row != LongPairIndex.MISSING)
            {
                layout.merge(singleState, 0, store.state(), store.base(row));
            }
        }
        resultHandler.onResult(
            key, windows.windowStart(window), windows.windowEnd(window), flags, layout.wrapResult(singleState, 0));
    }

    private void advance(final long previous, final long watermark)
    {
        if (watermark <= previous)
        {
            return;
        }
        final long lastDue = windows.lastFiredWindow(watermark);
        long window = previous == NO_WATERMARK ? Long.MIN_VALUE : windows.lastFiredWindow(previous) + 1;
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
        store.purgeBelow(windows.firstLivePane(watermark));
    }

    private void fireWindow(final long window)
    {
        final long firstPane = windows.firstPaneOf(window);
        final long endPane = firstPane + windows.panesPerWindow;
        final long[] state = store.state();
        int keys = 0;
        for (int position = store.lowerBound(firstPane); position < store.paneCount(); position++)
        {
            if (store.paneAt(position) >= endPane)
            {
                break;
            }
            for (int row = store.headAt(position); row != PaneStore.NONE; row = store.next(row))
            {
                final long key = store.keyOf(row);
                int slot = scratchIndex.get(key, 0);
                if (slot == LongPairIndex.MISSING)
                {
                    slot = keys++;
                    ensureScratch(keys);
                    scratchIndex.putNew(key, 0, slot);
                    scratchKeys[slot] = key;
                    scratchSlots[slot] = slot;
                    layout.reset(scratchState, slot * stride);
                }
                layout.merge(scratchState, slot * stride, state, store.base(row));
            }
        }

        LongIntSorter.sort(scratchKeys, scratchSlots, keys);
        final long start = windows.windowStart(window);
        final long end = windows.windowEnd(window);
        for (int i = 0; i < keys; i++)
        {
            windowsFired++;
            resultHandler.onResult(
                scratchKeys[i], start, end, WindowResultHandler.FINAL,
                layout.wrapResult(scratchState, scratchSlots[i] * stride));
        }
        scratchIndex.clear();
    }

    private void ensureScratch(final int keys)
    {
        if (keys > scratchKeys.length)
        {
            final int capacity = scratchKeys.length << 1;
            scratchKeys = Arrays.copyOf(scratchKeys, capacity);
            scratchSlots = Arrays.copyOf(scratchSlots, capacity);
            scratchState = Arrays.copyOf(scratchState, capacity * stride);
        }
    }

    @Override
    public int snapshotLength()
    {
        return HEADER_LENGTH + watermarks.snapshotLength() + store.rowsInUse() * (16 + stride * 8);
    }

    @Override
    public int snapshotTo(final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putInt(offset + MAGIC_OFFSET, MAGIC, ORDER);
        buffer.putInt(offset + VERSION_OFFSET, VERSION, ORDER);
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

        final long[] state = store.state();
        for (int position = 0; position < store.paneCount(); position++)
        {
            for (int row = store.headAt(position); row != PaneStore.NONE; row = store.next(row))
            {
                buffer.putLong(cursor, store.keyOf(row), ORDER);
                buffer.putLong(cursor + 8, store.paneOf(row), ORDER);
                cursor += 16;
                final int base = store.base(row);
                for (int i = 0; i < stride; i++)
                {
                    buffer.putLong(cursor, state[base + i], ORDER);
                    cursor += 8;
                }
            }
        }
        return cursor - offset;
    }

    @Override
    public int restoreFrom(final DirectBuffer buffer, final int offset)
    {
        if (buffer.getInt(offset + MAGIC_OFFSET, ORDER) != MAGIC ||
            buffer.getInt(offset + VERSION_OFFSET, ORDER) != VERSION)
        {
            throw new IllegalStateException("not an aligned window snapshot of version " + VERSION);
        }
        if (buffer.getLong(offset + SIZE_OFFSET, ORDER) != windows.size ||
            buffer.getLong(offset + HOP_OFFSET, ORDER) != windows.hop ||
            buffer.getLong(offset + OFFSET_OFFSET, ORDER) != windows.offset ||
            buffer.getLong(offset + LATENESS_OFFSET, ORDER) != windows.allowedLateness ||
            buffer.getInt(offset + STRIDE_OFFSET, ORDER) != stride)
        {
            throw new IllegalStateException("snapshot was written by a differently configured window operator");
        }
        final int rowCount = buffer.getInt(offset + ROW_COUNT_OFFSET, ORDER);
        lateEventsDropped = buffer.getLong(offset + LATE_OFFSET, ORDER);
        unassignedEvents = buffer.getLong(offset + UNASSIGNED_OFFSET, ORDER);
        windowsFired = buffer.getLong(offset + FIRED_OFFSET, ORDER);
        int cursor = offset + HEADER_LENGTH;
        cursor += watermarks.restoreFrom(buffer, cursor);

        store.clear();
        for (int i = 0; i < rowCount; i++)
        {
            final int row = store.findOrCreate(buffer.getLong(cursor, ORDER), buffer.getLong(cursor + 8, ORDER));
            cursor += 16;
            final long[] state = store.state();
            final int base = store.base(row);
            for (int slot = 0; slot < stride; slot++)
            {
                state[base + slot] = buffer.getLong(cursor, ORDER);
                cursor += 8;
            }
        }
        return cursor - offset;
    }
}
