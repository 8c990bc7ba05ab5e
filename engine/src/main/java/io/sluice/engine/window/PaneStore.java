package io.sluice.engine.window;

import java.util.Arrays;

/**
 * Primitive storage of the open panes of an aligned window operator, reachable two ways: by pane
 * (sorted) and by key (sorted, each key's rows chained in pane order).
 * <p>
 * Rows hold one (key, pane) each: parallel arrays {@code rowKey}, {@code rowPane},
 * {@code rowNext} and {@code state} ({@code stride} longs per row, see {@link AggregateLayout}).
 * There is deliberately no (key, pane) hash index: the key chain finds a row in a step or two
 * for in-order and bounded out-of-order input, and saves a hash entry per row. Active pane indices are kept sorted in
 * {@code panes}, each with the head of a singly linked list (through {@code rowNext}) of the
 * rows of that pane, so a window is assembled by walking a contiguous range of panes and purging
 * expired panes is a prefix cut, done a slice of rows at a time ({@link #purgeSome}). Free rows are
 * chained through {@code rowNext} too.
 * <p>
 * Each row is also linked into its key's chain ({@code keyPrev}/{@code keyNext}, ascending pane)
 * whose ends and window cursor live in a {@link KeyTable} slot ({@code rowSlot}), so a window can
 * be assembled per key by walking only that key's rows.
 * <p>
 * Pane creation is once per key per pane, not per event; it inserts into the sorted pane array
 * and the key chain, which are appends for in-order data.
 * <p>
 * A checkpoint copies the rows incrementally ({@link PaneSnapshot}): {@code rowMark} tells, per row,
 * whether the snapshot in progress still has to copy it, so that a row is copied before its first
 * change after the barrier (copy on write, {@link #findOrCreate} and {@link #purgeSome}) or else by
 * the next slice. Outside a snapshot the marks cost nothing on the event path.
 * <p>
 * Not thread safe: owned by the operator thread.
 */
final class PaneStore implements PaneSnapshot.Rows
{
    static final int NONE = -1;

    private final AggregateLayout layout;
    private final int stride;
    private final KeyTable keys;
    private long[] rowKey;
    private int[] rowSlot;
    private int[] keyPrev;
    private int[] keyNext;
    private long[] rowPane;
    private int[] rowNext;
    private long[] state;
    /** Per row: the snapshot epoch it needs no copy for, or {@link PaneSnapshot#FREE_ROW}. */
    private int[] rowMark;
    private final PaneSnapshot snapshot;
    private int rowLimit;
    private int freeHead = NONE;
    private int rowsInUse;
    private long[] panes;
    private int[] paneHeads;
    /** Per active pane: rows it holds. */
    private int[] paneRows;
    private int paneCount;
    private long cursorPane = Long.MIN_VALUE;
    /** What {@link #prefetch} read, kept only so that the JIT cannot drop its loads. */
    private long prefetched;
    /** Rows and keys of the size hint the constructor left to {@link #reserve} or {@link #presize}; 0 once sized. */
    private int deferredRows;
    private int deferredKeys;
    /** Panes below it are dead: no window needs them; their rows are freed by {@link #purgeSome}. */
    private long purgeTarget = Long.MIN_VALUE;
    /** Rows of dead panes not yet freed. */
    private int deadRows;

    /**
     * @param initialRows  rows to pre-size for.
     * @param expectedKeys keys to pre-size the key table for: far fewer than rows when windows
     *                     overlap, and a key table sized for rows would spread the keys over
     *                     memory that every event's key lookup then misses in cache.
     */
    PaneStore(final AggregateLayout layout, final int initialRows, final int expectedKeys)
    {
        this(layout, initialRows, expectedKeys, false);
    }

    /**
     * @param initialRows  rows to pre-size for.
     * @param expectedKeys keys to pre-size the key table for (see above).
     * @param deferSizing  whether to leave the sizing to a restore ({@link #reserve}, which then sizes for the larger of
     *                     the hint and what it restores) or else to {@link #presize}: the arrays start at their smallest
     *                     and are allocated once, instead of for the hint and again, larger, for a larger snapshot.
     */
    PaneStore(final AggregateLayout layout, final int initialRows, final int expectedKeys, final boolean deferSizing)
    {
        this.layout = layout;
        this.stride = layout.stride();
        final int hintRows = Math.max(16, initialRows);
        final int hintKeys = Math.max(16, Math.min(hintRows, expectedKeys));
        deferredRows = deferSizing ? hintRows : 0;
        deferredKeys = deferSizing ? hintKeys : 0;
        final int rows = deferSizing ? 16 : hintRows;
        keys = new KeyTable(deferSizing ? 16 : hintKeys);
        rowKey = new long[rows];
        rowSlot = new int[rows];
        keyPrev = new int[rows];
        keyNext = new int[rows];
        rowPane = new long[rows];
        rowNext = new int[rows];
        state = new long[rows * stride];
        rowMark = new int[rows];
        panes = new long[64];
        paneHeads = new int[64];
        paneRows = new int[64];
        snapshot = new PaneSnapshot(this);
    }

    PaneSnapshot snapshot()
    {
        return snapshot;
    }

    @Override
    public int rowLimit()
    {
        return rowLimit;
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
    public int stride()
    {
        return stride;
    }

    KeyTable keys()
    {
        return keys;
    }

    int slotOf(final int row)
    {
        return rowSlot[row];
    }

    int keyNext(final int row)
    {
        return keyNext[row];
    }

    int keyPrev(final int row)
    {
        return keyPrev[row];
    }

    /**
     * First pane of the window about to fire: rows inserted at or after it may become their key's
     * window cursor.
     */
    void cursorPane(final long pane)
    {
        cursorPane = pane;
    }

    /**
     * First row of the key at or after {@code pane}, advancing the key's window cursor to it.
     * The cursor only moves forward, so over a run each row is passed once.
     */
    int advanceWindowFirst(final int slot, final long pane)
    {
        int row = keys.windowFirst(slot);
        if (row == NONE)
        {
            return NONE;
        }
        while (row != NONE && rowPane[row] < pane)
        {
            row = keyNext[row];
        }
        keys.windowFirst(slot, row);
        return row;
    }

    int rowCapacity()
    {
        return rowKey.length;
    }

    @Override
    public int rowsInUse()
    {
        return rowsInUse;
    }

    int paneCount()
    {
        return paneCount;
    }

    long paneAt(final int position)
    {
        return panes[position];
    }

    int headAt(final int position)
    {
        return paneHeads[position];
    }

    int next(final int row)
    {
        return rowNext[row];
    }

    @Override
    public long keyOf(final int row)
    {
        return rowKey[row];
    }

    @Override
    public long paneOf(final int row)
    {
        return rowPane[row];
    }

    @Override
    public long[] state()
    {
        return state;
    }

    @Override
    public int base(final int row)
    {
        return row * stride;
    }

    /**
     * Loads into the cache, for each key, its index entry and key record ({@link KeyTable#prefetch})
     * and then the state of its newest row, the row an in-order event updates: the three loads
     * {@link #findOrCreate} and the accumulation take one after the other for each event, here in
     * three passes over all the keys, whose misses overlap. Changes nothing; the sum of what was read
     * goes to a field (and is returned) only so that the loads cannot be optimised away.
     */
    long prefetch(final long[] eventKeys, final int count)
    {
        final int[] tails = keys.prefetch(eventKeys, count);
        final long[] state = this.state;
        final int stride = this.stride;
        long touched = 0;
        for (int i = 0; i < count; i++)
        {
            touched += state[Math.max(tails[i], 0) * stride];
        }
        prefetched = touched;
        return touched;
    }

    /**
     * Row of (key, pane), created empty if absent. Found by walking the key's chain from whichever
     * end is nearer in pane terms: in-order input hits the tail at once, out-of-order input
     * within the watermark bound takes a few steps, and only late events walk further.
     */
    int findOrCreate(final long key, final long pane)
    {
        int slot = keys.find(key);
        int previous = NONE;
        if (slot == NONE)
        {
            slot = keys.add(key);
        }
        else
        {
            final int tail = keys.tail(slot);
            if (tail != NONE)
            {
                final long tailPane = keys.tailPane(slot);
                // In-order input: the key's newest row, known from its key record alone.
                previous = tailPane == pane ? tail : previousInChain(slot, tail, tailPane, pane);
                if (previous != NONE && (previous == tail ? tailPane : rowPane[previous]) == pane)
                {
                    if (snapshot.inProgress())
                    {
                        snapshot.beforeChange(previous); // the caller changes the row: copy it first if the snapshot needs it
                    }
                    return previous;
                }
            }
        }

        return newRow(key, pane, slot, previous);
    }

    /**
     * Row of (key, pane) for a restore, created empty if absent: {@link #findOrCreate}'s result by a path of its own.
     * A restore creates a row for nearly every snapshot row and a key for most, where the events after it find
     * both; through {@link #findOrCreate} the restore would have the JIT compile that method (and {@link KeyTable#find})
     * for new keys, a profile the replay then contradicts at its first event: the code is made not entrant and
     * compiled again while the replay runs. Here the keys go in by {@link KeyTable#restoreSlot}, so the events' lookup
     * is compiled for what the events do. The row's creation ({@link #newRow}) is shared. No snapshot is in progress
     * during a restore, so no row is copied before its change.
     */
    int restoreRow(final long key, final long pane)
    {
        final int slot = keys.restoreSlot(key);
        final int tail = keys.tail(slot);
        int previous = NONE;
        if (tail != NONE)
        {
            // A key's second or later row in the snapshot (windows of several panes, or rows merged on a new grid).
            previous = previousInChain(slot, tail, keys.tailPane(slot), pane);
            if (previous != NONE && rowPane[previous] == pane)
            {
                return previous;
            }
        }
        return newRow(key, pane, slot, previous);
    }

    /**
     * A new row of (key, pane), linked into the key's chain after {@code previous} ({@link #NONE}: at its head) and
     * into its pane's list, the pane made active if it was not.
     */
    private int newRow(final long key, final long pane, final int slot, final int previous)
    {
        final int row = allocateRow();
        rowMark[row] = snapshot.epoch(); // created after any barrier in progress: not part of that snapshot
        rowKey[row] = key;
        rowPane[row] = pane;
        rowSlot[row] = slot;
        layout.reset(state, row * stride);
        linkIntoKeyChain(slot, row, pane, previous);

        final int position = lowerBound(pane);
        if (position == paneCount || panes[position] != pane)
        {
            insertPane(position, pane);
        }
        rowNext[row] = paneHeads[position];
        paneHeads[position] = row;
        paneRows[position]++;
        return row;
    }

    /**
     * The key's last row with a pane at or below {@code pane}, or {@link #NONE}.
     */
    private int previousInChain(final int slot, final int tail, final long tailPane, final long pane)
    {
        if (tailPane <= pane)
        {
            // In-order input: the key's newest row, or a new one after it. Checked first so
            // the common case never reads the head, a row up to a window old and cold in cache.
            return tail;
        }
        final int head = keys.head(slot);
        int previous = NONE;
        if (pane - rowPane[head] < tailPane - pane)
        {
            int next = head;
            while (next != NONE && rowPane[next] <= pane)
            {
                previous = next;
                next = keyNext[next];
            }
        }
        else
        {
            previous = tail;
            while (previous != NONE && rowPane[previous] > pane)
            {
                previous = keyPrev[previous];
            }
        }
        return previous;
    }

    private void linkIntoKeyChain(final int slot, final int row, final long pane, final int previous)
    {
        final int next = previous == NONE ? keys.head(slot) : keyNext[previous];
        if (previous == NONE && next == NONE)
        {
            keys.revive(slot); // the first row of an empty chain
        }
        keyPrev[row] = previous;
        keyNext[row] = next;
        if (previous == NONE)
        {
            keys.head(slot, row);
        }
        else
        {
            keyNext[previous] = row;
        }
        if (next == NONE)
        {
            keys.tail(slot, row, pane);
        }
        else
        {
            keyPrev[next] = row;
        }

        // Keep the cursor at or before the key's first row at or after cursorPane.
        final int windowFirst = keys.windowFirst(slot);
        if (pane >= cursorPane && (windowFirst == NONE || windowFirst == next))
        {
            keys.windowFirst(slot, row);
        }
    }

    /**
     * Position of the first active pane with index at or above {@code pane}, or
     * {@link #paneCount()} if there is none.
     */
    int lowerBound(final long pane)
    {
        if (paneCount == 0 || panes[paneCount - 1] < pane)
        {
            return paneCount;
        }
        if (panes[paneCount - 1] == pane)
        {
            return paneCount - 1; // in-order input: a new row of the newest pane
        }
        int low = 0;
        int high = paneCount - 1;
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            if (panes[mid] < pane)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }

    /**
     * Rows held by the panes {@code [firstPane, lastPane]}.
     */
    int rowsOfPanes(final long firstPane, final long lastPane)
    {
        int rows = 0;
        for (int position = lowerBound(firstPane); position < paneCount && panes[position] <= lastPane; position++)
        {
            rows += paneRows[position];
        }
        return rows;
    }

    /**
     * Mark the sorted-order position ({@link KeyTable#rank}) of every key with a row in the panes
     * {@code [firstPane, lastPane]}; the key table must have been sorted since those rows were created.
     */
    void markKeysOfPanes(final long firstPane, final long lastPane, final PositionBitmap marks)
    {
        for (int position = lowerBound(firstPane); position < paneCount && panes[position] <= lastPane; position++)
        {
            for (int row = paneHeads[position]; row != NONE; row = rowNext[row])
            {
                marks.set(keys.rank(rowSlot[row]));
            }
        }
    }

    /**
     * Makes room, in an empty store (a restore, after {@link #clear()}), for the rows and keys about to be
     * inserted, so that they go in without the arrays growing and the key index being rehashed on the way.
     * Only grows.
     *
     * @param rows about to be inserted.
     * @param keys expected among them.
     */
    void reserve(final int rows, final int keys)
    {
        final int sizedRows = Math.max(rows, deferredRows);
        final int sizedKeys = Math.max(keys, deferredKeys);
        deferredRows = 0;
        deferredKeys = 0;
        if (sizedRows > rowKey.length)
        {
            growRows(sizedRows);
        }
        this.keys.reserve(sizedKeys);
    }

    /**
     * Allocates what the constructor left unsized ({@code deferSizing}) for its hint, in an empty store; nothing when
     * the store was sized already.
     */
    void presize()
    {
        if (deferredRows != 0 && rowsInUse == 0 && keys.size() == 0)
        {
            reserve(0, 0);
        }
    }

    /**
     * Release every row and pane, keeping the arrays for reuse.
     */
    void clear()
    {
        snapshot.complete();
        keys.clear();
        cursorPane = Long.MIN_VALUE;
        rowLimit = 0;
        rowsInUse = 0;
        freeHead = NONE;
        paneCount = 0;
        purgeTarget = Long.MIN_VALUE;
        deadRows = 0;
    }

    /**
     * Declares every pane with index below {@code firstLivePane} dead: no window needs its rows any more.
     * The rows are freed later, a slice at a time ({@link #purgeSome}), so that the event that closes a
     * window over thousands of keys does not also free thousands of rows. A dead row is never read: its
     * pane is below every pane a firing, an assembly or an event's lookup starts from, and late events
     * for it are dropped before they reach the store. It stays in use (and in a snapshot taken
     * meanwhile, whose restore declares it dead again) until freed; {@link #liveRows()} does not count it.
     * O(panes).
     *
     * @param firstLivePane the lowest pane a window still needs.
     */
    void purgeBelow(final long firstLivePane)
    {
        if (firstLivePane <= purgeTarget)
        {
            return;
        }
        purgeTarget = firstLivePane;
        int dead = 0;
        for (int position = 0; position < paneCount && panes[position] < firstLivePane; position++)
        {
            dead += paneRows[position];
        }
        deadRows = dead;
    }

    /**
     * Whether rows of dead panes are still to be freed.
     *
     * @return true while {@link #purgeSome} has work.
     */
    boolean purgePending()
    {
        return deadRows > 0;
    }

    /**
     * Rows in use that a window still needs: {@link #rowsInUse()} less the rows of dead panes not yet freed.
     *
     * @return the live rows.
     */
    int liveRows()
    {
        return rowsInUse - deadRows;
    }

    /**
     * Frees up to {@code budget} rows of dead panes, lowest pane first, so that each freed row is the
     * head of its key's chain.
     *
     * @param budget rows to free at most, at least 1; {@link Integer#MAX_VALUE} for all.
     */
    void purgeSome(final int budget)
    {
        int left = budget;
        while (left > 0 && paneCount > 0 && panes[0] < purgeTarget)
        {
            int row = paneHeads[0];
            while (row != NONE && left > 0)
            {
                final int next = rowNext[row];
                if (snapshot.inProgress())
                {
                    snapshot.beforeChange(row);
                }
                rowMark[row] = PaneSnapshot.FREE_ROW;
                unlinkChainHead(row);
                rowNext[row] = freeHead;
                freeHead = row;
                rowsInUse--;
                deadRows--;
                paneRows[0]--;
                left--;
                row = next;
            }
            paneHeads[0] = row;
            if (row == NONE)
            {
                paneCount--;
                System.arraycopy(panes, 1, panes, 0, paneCount);
                System.arraycopy(paneHeads, 1, paneHeads, 0, paneCount);
                System.arraycopy(paneRows, 1, paneRows, 0, paneCount);
            }
        }
    }

    /**
     * Purging walks panes in ascending order, so a purged row is always the head of its chain.
     */
    private void unlinkChainHead(final int row)
    {
        final int slot = rowSlot[row];
        final int next = keyNext[row];
        if (keys.windowFirst(slot) == row)
        {
            keys.windowFirst(slot, next);
        }
        if (next == NONE)
        {
            keys.release(slot);
        }
        else
        {
            keyPrev[next] = NONE;
            keys.head(slot, next);
        }
    }

    private void insertPane(final int position, final long pane)
    {
        if (paneCount == panes.length)
        {
            panes = Arrays.copyOf(panes, paneCount << 1);
            paneHeads = Arrays.copyOf(paneHeads, paneCount << 1);
            paneRows = Arrays.copyOf(paneRows, paneCount << 1);
        }
        System.arraycopy(panes, position, panes, position + 1, paneCount - position);
        System.arraycopy(paneHeads, position, paneHeads, position + 1, paneCount - position);
        System.arraycopy(paneRows, position, paneRows, position + 1, paneCount - position);
        panes[position] = pane;
        paneHeads[position] = NONE;
        paneRows[position] = 0;
        paneCount++;
    }

    private int allocateRow()
    {
        rowsInUse++;
        if (freeHead != NONE)
        {
            final int row = freeHead;
            freeHead = rowNext[row];
            return row;
        }
        if (rowLimit == rowKey.length)
        {
            growRows(rowLimit << 1);
        }
        return rowLimit++;
    }

    private void growRows(final int capacity)
    {
        rowKey = Arrays.copyOf(rowKey, capacity);
        rowSlot = Arrays.copyOf(rowSlot, capacity);
        keyPrev = Arrays.copyOf(keyPrev, capacity);
        keyNext = Arrays.copyOf(keyNext, capacity);
        rowPane = Arrays.copyOf(rowPane, capacity);
        rowNext = Arrays.copyOf(rowNext, capacity);
        state = Arrays.copyOf(state, capacity * stride);
        rowMark = Arrays.copyOf(rowMark, capacity);
    }
}
