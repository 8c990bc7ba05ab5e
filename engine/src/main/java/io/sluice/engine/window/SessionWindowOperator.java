package io.sluice.engine.window;

import io.sluice.engine.time.WatermarkGenerator;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.Arrays;

import static io.sluice.engine.window.WindowSnapshotRows.ORDER;
import io.sluice.schema.EventValues;

/**
 * Session windows: an event at {@code t} opens {@code [t, t + gap)}; sessions of one key that
 * overlap or touch ({@code s1 <= e2 && s2 <= e1}) merge. A session fires when the watermark
 * reaches {@code end - 1}; if a later event extends it past the watermark it fires again at its
 * new end. It stays live until {@code watermark >= end - 1 + allowedLateness}.
 * <p>
 * An event is late when its own session {@code [t, t + gap)} has expired and it merges with no
 * live session. Timers sit in a {@link SessionTimerHeap}; a row's timer may be earlier than its
 * true due time (it is then re-armed when popped) but never later, so the heap sees one push per
 * session rather than one per event.
 * <p>
 * Snapshot layout (little endian), followed by {@code rowCount} rows:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Magic 'SLWS'                           |
 *  +---------------------------------------------------------------+
 *  |                          Version                              |
 *  +---------------------------------------------------------------+
 *  |                         Gap (64 bits)                         |
 *  +---------------------------------------------------------------+
 *  |                  Allowed Lateness (64 bits)                   |
 *  +---------------------------------------------------------------+
 *  |                   Stride (longs per row)                      |
 *  +---------------------------------------------------------------+
 *  |                         Row Count                             |
 *  +---------------------------------------------------------------+
 *  |                 Late Events Dropped (64 bits)                 |
 *  +---------------------------------------------------------------+
 *  |                   Windows Fired (64 bits)                     |
 *  +---------------------------------------------------------------+
 *  |     Watermark generator state (its own snapshotLength())     ...
 *  +---------------------------------------------------------------+
 *  |                  Row: Key (64 bits)                           |
 *  +---------------------------------------------------------------+
 *  |                  Row: Start (64 bits)                         |
 *  +---------------------------------------------------------------+
 *  |                  Row: End, exclusive (64 bits)                |
 *  +---------------------------------------------------------------+
 *  |           Row: Aggregate State (Stride x 64 bits)            ...
 *  +---------------------------------------------------------------+
 * </pre>
 * Rows follow in no particular order (a checkpoint copies them incrementally, a row before it
 * changes, see {@link SessionStore}), each session once. Magic, version and row state are encoded by
 * {@link WindowSnapshotRows}. Threading: single writer, the partition thread.
 */
final class SessionWindowOperator extends KeyedWindowOperator
{
    static final int MAGIC = 0x53574C53;
    static final int VERSION = 1;
    static final int GAP_OFFSET = 8;
    static final int LATENESS_OFFSET = 16;
    static final int STRIDE_OFFSET = 24;
    static final int ROW_COUNT_OFFSET = 28;
    static final int LATE_OFFSET = 32;
    static final int FIRED_OFFSET = 40;
    static final int HEADER_LENGTH = 48;
    static final int ROW_HEADER_LENGTH = 24;

    private final long gap;
    private final long allowedLateness;
    private final SessionStore store;
    private final SessionTimerHeap timers;
    private int[] dueRows;
    private int[] expiredRows;

    SessionWindowOperator(
        final long gap,
        final long allowedLateness,
        final boolean earlyOnUpdate,
        final WatermarkGenerator watermarks,
        final AggregateLayout layout,
        final WindowResultHandler resultHandler,
        final LateEventHandler lateEventHandler,
        final int expectedEntries)
    {
        super(earlyOnUpdate, watermarks, layout, resultHandler, lateEventHandler);
        this.gap = gap;
        this.allowedLateness = allowedLateness;
        this.store = new SessionStore(layout, expectedEntries);
        this.timers = new SessionTimerHeap(expectedEntries * 2);
        this.dueRows = new int[Math.max(16, expectedEntries)];
        this.expiredRows = new int[Math.max(16, expectedEntries)];
    }

    @Override
    public void onEvent(final long key, final long timestamp, final EventValues values)
    {
        assert ownerThread.isOwner() : ownerThread.describe();
        OwnerThread.checkTimestamp(timestamp);
        final long watermark = watermarks.watermark();
        final long eventEnd = timestamp + gap;
        int target = SessionStore.NONE;
        for (int row = store.head(key); row != SessionStore.NONE; row = store.next(row))
        {
            if (store.start(row) <= eventEnd && timestamp <= store.end(row) &&
                (target == SessionStore.NONE || store.start(row) < store.start(target)))
            {
                target = row;
            }
        }

        if (target == SessionStore.NONE && watermark != NO_WATERMARK && eventEnd - 1 <= watermark - allowedLateness)
        {
            dropLate(key, timestamp, watermark, values);
        }
        else
        {
            if (target == SessionStore.NONE)
            {
                target = store.create(key, timestamp, eventEnd);
            }
            else
            {
                target = absorbOverlapping(key, target, timestamp, eventEnd);
            }
            store.beforeChange(target);
            layout.accumulate(store.state(), store.base(target), timestamp, values);
            afterUpdate(target, watermark);
        }

        advance(watermark, watermarks.onEvent(timestamp));
    }

    private int absorbOverlapping(final long key, final int target, final long timestamp, final long eventEnd)
    {
        long start = Math.min(store.start(target), timestamp);
        long end = Math.max(store.end(target), eventEnd);
        int row = store.head(key);
        while (row != SessionStore.NONE)
        {
            final int next = store.next(row);
            if (row != target && store.start(row) <= end && start <= store.end(row))
            {
                start = Math.min(start, store.start(row));
                end = Math.max(end, store.end(row));
                store.beforeChange(target);
                layout.merge(store.state(), store.base(target), store.state(), store.base(row));
                store.free(row);
                // The span grew, so sessions passed over earlier may now touch it: rescan.
                row = store.head(key);
                store.span(target, start, end);
                continue;
            }
            row = next;
        }
        store.span(target, start, end);
        return target;
    }

    private void afterUpdate(final int row, final long watermark)
    {
        final long last = store.end(row) - 1;
        final boolean fired = watermark != NO_WATERMARK && last <= watermark;
        if (fired)
        {
            emit(row, WindowResultHandler.UPDATE);
        }
        else if (earlyOnUpdate)
        {
            emit(row, WindowResultHandler.EARLY);
        }

        final long due = fired ? last + allowedLateness : last;
        if (due < store.timerTime(row))
        {
            timers.push(due, row, store.newTimer(row, due));
        }
    }

    private void emit(final int row, final int flags)
    {
        resultHandler.onResult(
            store.key(row), store.start(row), store.end(row), flags, layout.wrapResult(store.state(), store.base(row)));
    }

    @Override
    void advance(final long previous, final long watermark)
    {
        if (watermark <= previous)
        {
            return;
        }
        int due = 0;
        int expired = 0;
        while (timers.size() > 0 && timers.peekTime() <= watermark)
        {
            final int row = timers.peekRow();
            final int generation = timers.peekGeneration();
            timers.pop();
            if (generation != store.generation(row))
            {
                continue;
            }
            final long last = store.end(row) - 1;
            if (last > watermark)
            {
                timers.push(last, row, store.newTimer(row, last));
                continue;
            }
            if (previous == NO_WATERMARK || last > previous)
            {
                dueRows = ensure(dueRows, due);
                dueRows[due++] = row;
            }
            if (last <= watermark - allowedLateness)
            {
                expiredRows = ensure(expiredRows, expired);
                expiredRows[expired++] = row;
            }
            else
            {
                final long expiry = last + allowedLateness;
                timers.push(expiry, row, store.newTimer(row, expiry));
            }
        }

        sortByEndThenKey(due);
        for (int i = 0; i < due; i++)
        {
            windowsFired++;
            emit(dueRows[i], WindowResultHandler.FINAL);
        }
        for (int i = 0; i < expired; i++)
        {
            store.free(expiredRows[i]);
        }
    }

    @Override
    void fireDue(final int maxResults)
    {
        // Sessions fire in advance(): each key's session closes at its own time, so a watermark
        // step emits only the sessions that ended within it, not one result per key.
    }

    @Override
    int firingSlice()
    {
        return ALL;
    }

    private void sortByEndThenKey(final int length)
    {
        // Insertion sort: the due set per advance is usually tiny and nearly ordered by end.
        for (int i = 1; i < length; i++)
        {
            final int row = dueRows[i];
            int j = i - 1;
            while (j >= 0 && after(dueRows[j], row))
            {
                dueRows[j + 1] = dueRows[j];
                j--;
            }
            dueRows[j + 1] = row;
        }
    }

    private boolean after(final int a, final int b)
    {
        final long endA = store.end(a);
        final long endB = store.end(b);
        if (endA != endB)
        {
            return endA > endB;
        }
        return store.key(a) > store.key(b);
    }

    private static int[] ensure(final int[] array, final int index)
    {
        return index < array.length ? array : Arrays.copyOf(array, array.length << 1);
    }

    @Override
    public long unassignedEvents()
    {
        return 0;
    }

    @Override
    public int stateEntries()
    {
        return store.rowsInUse();
    }

    @Override
    public int snapshotLength()
    {
        return HEADER_LENGTH + watermarks.snapshotLength() + store.rowsInUse() * store.snapshotRowLength();
    }

    @Override
    public int snapshotTo(final MutableDirectBuffer buffer, final int offset)
    {
        final int length = beginSnapshot(buffer, offset);
        continueSnapshot(ALL);
        return length;
    }

    /**
     * Writes the header, counters and watermark state now and fixes the image of the sessions, which
     * follow in {@link #continueSnapshot} slices or before they change (see {@link SessionStore}).
     */
    @Override
    public int beginSnapshot(final MutableDirectBuffer buffer, final int offset)
    {
        assert ownerThread.isOwner() : ownerThread.describe();
        WindowSnapshotRows.putHeader(buffer, offset, MAGIC, VERSION);
        buffer.putLong(offset + GAP_OFFSET, gap, ORDER);
        buffer.putLong(offset + LATENESS_OFFSET, allowedLateness, ORDER);
        buffer.putInt(offset + STRIDE_OFFSET, stride, ORDER);
        buffer.putInt(offset + ROW_COUNT_OFFSET, store.rowsInUse(), ORDER);
        buffer.putLong(offset + LATE_OFFSET, lateEventsDropped, ORDER);
        buffer.putLong(offset + FIRED_OFFSET, windowsFired, ORDER);
        int cursor = offset + HEADER_LENGTH;
        cursor += watermarks.snapshotTo(buffer, cursor);
        cursor += store.beginSnapshot(buffer, cursor);
        return cursor - offset;
    }

    @Override
    public boolean continueSnapshot(final int budget)
    {
        return store.copySlice(budget);
    }

    @Override
    public int restoreFrom(final DirectBuffer buffer, final int offset)
    {
        assert ownerThread.isOwner() : ownerThread.describe();
        WindowSnapshotRows.checkHeader(
            buffer, offset, MAGIC, VERSION, "not a session window snapshot of version " + VERSION);
        if (buffer.getLong(offset + GAP_OFFSET, ORDER) != gap ||
            buffer.getLong(offset + LATENESS_OFFSET, ORDER) != allowedLateness ||
            buffer.getInt(offset + STRIDE_OFFSET, ORDER) != stride)
        {
            throw WindowSnapshotRows.configurationMismatch();
        }
        final int rowCount = buffer.getInt(offset + ROW_COUNT_OFFSET, ORDER);
        lateEventsDropped = buffer.getLong(offset + LATE_OFFSET, ORDER);
        windowsFired = buffer.getLong(offset + FIRED_OFFSET, ORDER);
        int cursor = offset + HEADER_LENGTH;
        cursor += watermarks.restoreFrom(buffer, cursor);
        final long watermark = watermarks.watermark();

        store.clear();
        timers.clear();
        for (int i = 0; i < rowCount; i++)
        {
            final int row = store.create(
                buffer.getLong(cursor, ORDER), buffer.getLong(cursor + 8, ORDER), buffer.getLong(cursor + 16, ORDER));
            cursor = WindowSnapshotRows.getState(buffer, cursor + 24, store.state(), store.base(row), stride);
            final long last = store.end(row) - 1;
            final long due = watermark != NO_WATERMARK && last <= watermark ? last + allowedLateness : last;
            timers.push(due, row, store.newTimer(row, due));
        }
        return cursor - offset;
    }
}
