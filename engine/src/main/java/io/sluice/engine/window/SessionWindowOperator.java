package io.sluice.engine.window;

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
 * <b>Incremental firing.</b> The sessions a watermark step closes are not all emitted by the event
 * that made the step: each signal (event or tick) emits at most {@code firingSlice} of them,
 * continuing in the order an unsliced firing has (per watermark step, ascending end then key; the
 * steps in order), so thousands of sessions closing at once are spread over the events that follow
 * instead of holding one event up. Which event emits which result is a function of the processed
 * sequence alone, so replays and backtests stay byte-identical. Results are exact: an event for a key
 * with a session still waiting to fire first emits every pending result, a session waiting to fire
 * is freed only once fired, and an explicit watermark or the end of input emit everything due. A tick
 * emits one slice, like an event; while a firing is in progress the engine journals continuation ticks
 * behind it, so the rest follows slice by slice when no event comes. A snapshot marks the sessions waiting to fire (Row Flags), so a restored operator resumes the
 * same slices: pending sessions are, in firing order, exactly those ascending by (end, key). What the
 * closing event still does in proportion to the sessions it closes is popping their timers (a few
 * tens of nanoseconds each), not emitting their results.
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
 *  |     Row: Flags (64 bits; bit 0: final result due, not emitted) |
 *  +---------------------------------------------------------------+
 *  |           Row: Aggregate State (Stride x 64 bits)            ...
 *  +---------------------------------------------------------------+
 * </pre>
 * Rows follow in no particular order (a checkpoint copies them incrementally, a row before it
 * changes, see {@link SessionStore}), each session once. Version 1 snapshots (rows without Flags,
 * written before sessions fired in slices) are still read. Magic, version and row state are encoded
 * by {@link WindowSnapshotRows}. Threading: single writer, the partition thread.
 */
final class SessionWindowOperator extends KeyedWindowOperator
{
    static final int MAGIC = 0x53574C53;
    static final int VERSION = 2;
    /** Version 1 rows had no Flags field. */
    static final int VERSION_WITHOUT_FLAGS = 1;
    static final int GAP_OFFSET = 8;
    static final int LATENESS_OFFSET = 16;
    static final int STRIDE_OFFSET = 24;
    static final int ROW_COUNT_OFFSET = 28;
    static final int LATE_OFFSET = 32;
    static final int FIRED_OFFSET = 40;
    static final int HEADER_LENGTH = 48;
    static final int ROW_HEADER_LENGTH = 32;
    static final int ROW_HEADER_LENGTH_WITHOUT_FLAGS = 24;
    /** Row Flags bit: the session's final result is due but not emitted yet. */
    static final long ROW_FIRE_PENDING = 1;

    private final long gap;
    private final long allowedLateness;
    private final SessionStore store;
    private final SessionTimerHeap timers;
    private final int firingSlice;
    private int[] dueRows;
    private int[] expiredRows;
    private int[] sortScratch;
    /** Sessions due to fire, in firing order: {@code [firingHead, firingTail)}. */
    private int[] firingQueue;
    private int firingHead;
    private int firingTail;

    SessionWindowOperator(final long gap, final long allowedLateness, final WindowSettings settings)
    {
        super(settings);
        final int expectedEntries = settings.expectedEntries();
        this.firingSlice = settings.firingSlice();
        this.gap = gap;
        this.allowedLateness = allowedLateness;
        this.store = new SessionStore(layout, expectedEntries);
        this.timers = new SessionTimerHeap(expectedEntries * 2);
        this.dueRows = new int[Math.max(16, expectedEntries)];
        this.expiredRows = new int[Math.max(16, expectedEntries)];
        this.sortScratch = new int[Math.max(16, expectedEntries)];
        this.firingQueue = new int[Math.max(16, expectedEntries)];
    }

    @Override
    public void onEvent(final long key, final long timestamp, final EventValues values)
    {
        assert ownerThread.isOwner() : ownerThread.describe();
        OwnerThread.checkTimestamp(timestamp);
        final long watermark = watermarks.watermark();
        final long eventEnd = timestamp + gap;
        if (firingHead != firingTail && changesPendingSession(key, timestamp, eventEnd))
        {
            // The event changes a session whose final result is still to be emitted: emit every
            // pending result first, so each is the one the session had when the watermark passed it.
            fireDue(ALL);
        }
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
        if (firingHead != firingTail)
        {
            fireDue(firingSlice);
        }
    }

    /**
     * Whether the event would merge into a session still waiting to fire: the sessions it merges are
     * those reachable from {@code [timestamp, eventEnd]} through overlaps (a key holds few sessions).
     * Events after a close usually start new sessions, so they leave the firing in its slices.
     */
    private boolean changesPendingSession(final long key, final long timestamp, final long eventEnd)
    {
        long start = timestamp;
        long end = eventEnd;
        boolean grown = true;
        while (grown)
        {
            grown = false;
            for (int row = store.head(key); row != SessionStore.NONE; row = store.next(row))
            {
                if (store.start(row) <= end && start <= store.end(row))
                {
                    if (store.firePending(row))
                    {
                        return true;
                    }
                    if (store.start(row) < start || store.end(row) > end)
                    {
                        start = Math.min(start, store.start(row));
                        end = Math.max(end, store.end(row));
                        grown = true;
                    }
                }
            }
        }
        return false;
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

    /**
     * Pops the timers the watermark step made due: sessions whose end passed it join the firing
     * queue (ascending end then key, after the sessions of earlier steps), sessions past their
     * lateness are freed, or once fired if they are still waiting to.
     */
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

        sortByEndThenKey(dueRows, due);
        for (int i = 0; i < due; i++)
        {
            enqueue(dueRows[i]);
        }
        for (int i = 0; i < expired; i++)
        {
            final int row = expiredRows[i];
            if (!store.firePending(row))
            {
                store.free(row); // a session waiting to fire is freed once fired (see fire)
            }
        }
    }

    private void enqueue(final int row)
    {
        if (firingTail == firingQueue.length)
        {
            if (firingHead > 0)
            {
                System.arraycopy(firingQueue, firingHead, firingQueue, 0, firingTail - firingHead);
                firingTail -= firingHead;
                firingHead = 0;
            }
            else
            {
                firingQueue = Arrays.copyOf(firingQueue, firingQueue.length << 1);
            }
        }
        store.firePending(row, true);
        firingQueue[firingTail++] = row;
    }

    /**
     * Emits up to {@code maxResults} pending final results in firing order, freeing each session that
     * is past its lateness once fired.
     */
    @Override
    void fireDue(final int maxResults)
    {
        final long expiredThrough = watermarks.watermark() - allowedLateness;
        int budget = maxResults;
        while (firingHead != firingTail && budget-- > 0)
        {
            final int row = firingQueue[firingHead++];
            store.firePending(row, false);
            windowsFired++;
            emit(row, WindowResultHandler.FINAL);
            if (store.end(row) - 1 <= expiredThrough)
            {
                store.free(row);
            }
        }
        if (firingHead == firingTail)
        {
            firingHead = 0;
            firingTail = 0;
        }
    }

    @Override
    public boolean firingInProgress()
    {
        return firingHead != firingTail;
    }

    @Override
    int firingSlice()
    {
        return firingSlice;
    }

    /**
     * Sorts rows by (end, key): insertion sort for the usual few, a merge sort when a watermark step
     * closes many sessions at once (an insertion sort would be quadratic there).
     */
    private void sortByEndThenKey(final int[] rows, final int length)
    {
        if (length <= 32)
        {
            insertionSort(rows, 0, length);
            return;
        }
        if (sortScratch.length < length)
        {
            sortScratch = new int[Math.max(length, sortScratch.length << 1)];
        }
        for (int from = 0; from < length; from += 32)
        {
            insertionSort(rows, from, Math.min(length, from + 32));
        }
        int[] source = rows;
        int[] target = sortScratch;
        for (int width = 32; width < length; width <<= 1)
        {
            for (int from = 0; from < length; from += width << 1)
            {
                final int middle = Math.min(length, from + width);
                final int to = Math.min(length, from + (width << 1));
                int left = from;
                int right = middle;
                for (int i = from; i < to; i++)
                {
                    target[i] = left < middle && (right >= to || !after(source[left], source[right])) ?
                        source[left++] : source[right++];
                }
            }
            final int[] swap = source;
            source = target;
            target = swap;
        }
        if (source != rows)
        {
            System.arraycopy(source, 0, rows, 0, length);
        }
    }

    private void insertionSort(final int[] rows, final int from, final int to)
    {
        for (int i = from + 1; i < to; i++)
        {
            final int row = rows[i];
            int j = i - 1;
            while (j >= from && after(rows[j], row))
            {
                rows[j + 1] = rows[j];
                j--;
            }
            rows[j + 1] = row;
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
        final int version = buffer.getInt(offset + WindowSnapshotRows.VERSION_OFFSET, ORDER);
        WindowSnapshotRows.checkHeader(
            buffer, offset, MAGIC, version == VERSION_WITHOUT_FLAGS ? VERSION_WITHOUT_FLAGS : VERSION,
            "not a session window snapshot of version " + VERSION_WITHOUT_FLAGS + " or " + VERSION);
        if (buffer.getLong(offset + GAP_OFFSET, ORDER) != gap ||
            buffer.getLong(offset + LATENESS_OFFSET, ORDER) != allowedLateness ||
            buffer.getInt(offset + STRIDE_OFFSET, ORDER) != stride)
        {
            throw WindowSnapshotRows.configurationMismatch();
        }
        final int rowHeaderLength = version == VERSION_WITHOUT_FLAGS ? ROW_HEADER_LENGTH_WITHOUT_FLAGS : ROW_HEADER_LENGTH;
        final int rowCount = buffer.getInt(offset + ROW_COUNT_OFFSET, ORDER);
        lateEventsDropped = buffer.getLong(offset + LATE_OFFSET, ORDER);
        windowsFired = buffer.getLong(offset + FIRED_OFFSET, ORDER);
        int cursor = offset + HEADER_LENGTH;
        cursor += watermarks.restoreFrom(buffer, cursor);
        final long watermark = watermarks.watermark();

        store.clear();
        timers.clear();
        firingHead = 0;
        firingTail = 0;
        int pending = 0;
        for (int i = 0; i < rowCount; i++)
        {
            final int row = store.create(
                buffer.getLong(cursor, ORDER), buffer.getLong(cursor + 8, ORDER), buffer.getLong(cursor + 16, ORDER));
            if (rowHeaderLength == ROW_HEADER_LENGTH && (buffer.getLong(cursor + 24, ORDER) & ROW_FIRE_PENDING) != 0)
            {
                dueRows = ensure(dueRows, pending);
                dueRows[pending++] = row;
            }
            cursor = WindowSnapshotRows.getState(buffer, cursor + rowHeaderLength, store.state(), store.base(row), stride);
            final long last = store.end(row) - 1;
            final long due = watermark != NO_WATERMARK && last <= watermark ? last + allowedLateness : last;
            timers.push(due, row, store.newTimer(row, due));
        }
        // The firing queue was ascending by (end, key) across watermark steps, as each step's sessions
        // end after the previous step's watermark: sorting the pending sessions rebuilds it.
        sortByEndThenKey(dueRows, pending);
        for (int i = 0; i < pending; i++)
        {
            enqueue(dueRows[i]);
        }
        return cursor - offset;
    }
}
