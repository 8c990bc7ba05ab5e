package io.sluice.engine.window;

import java.util.Arrays;

/**
 * The keys that currently own pane rows, each with a stable slot, kept in ascending key order
 * so a window fires its keys in a deterministic order without sorting. Per slot it holds the
 * head and tail of the key's chain of rows (ascending pane order, links live in
 * {@link PaneStore}), {@code windowFirst}, a row at or before the key's first row in the
 * window about to fire, and the cursors of {@link WindowAssembler}: which chunk's suffixes and
 * prefixes are computed and up to which row.
 * <p>
 * New keys go to an unsorted pending list and released keys stay where they are, marked dead,
 * so neither costs more than O(1). {@link #sortForIteration()}, called before a window fires,
 * heap-sorts the pending keys and merges them with the sorted ones, dropping the dead, in
 * O(keys + new keys x log new keys); high-cardinality churn (every window a new key set) thus
 * costs the same as sorting each window's keys, and a stable key set costs one linear pass.
 * A released slot is reused only after that pass, so a slot is never listed twice.
 * <p>
 * Not thread safe: operator thread.
 */
final class KeyTable
{
    static final int NONE = -1;
    static final long NO_CHUNK = Long.MIN_VALUE;

    private final LongPairIndex index;
    private long[] keys;
    private int[] heads;
    private int[] tails;
    private int[] windowFirst;
    private long[] suffixChunk;
    private int[] suffixLast;
    private long[] prefixChunk;
    private int[] prefixRow;
    private int[] sorted;
    private int sortedCount;
    private int[] pending;
    private int pendingCount;
    private int[] spare;
    private int slotLimit;
    private int freeSlots = NONE;
    private int[] nextFree;
    private boolean needsCompaction;

    KeyTable(final int expectedKeys)
    {
        final int capacity = Math.max(16, expectedKeys);
        index = new LongPairIndex(capacity);
        keys = new long[capacity];
        heads = new int[capacity];
        tails = new int[capacity];
        windowFirst = new int[capacity];
        suffixChunk = new long[capacity];
        suffixLast = new int[capacity];
        prefixChunk = new long[capacity];
        prefixRow = new int[capacity];
        sorted = new int[capacity];
        pending = new int[capacity];
        spare = new int[capacity];
        nextFree = new int[capacity];
    }

    int sortedCount()
    {
        return sortedCount;
    }

    int sortedSlot(final int position)
    {
        return sorted[position];
    }

    long key(final int slot)
    {
        return keys[slot];
    }

    int head(final int slot)
    {
        return heads[slot];
    }

    void head(final int slot, final int row)
    {
        heads[slot] = row;
    }

    int tail(final int slot)
    {
        return tails[slot];
    }

    void tail(final int slot, final int row)
    {
        tails[slot] = row;
    }

    int windowFirst(final int slot)
    {
        return windowFirst[slot];
    }

    void windowFirst(final int slot, final int row)
    {
        windowFirst[slot] = row;
    }

    long suffixChunk(final int slot)
    {
        return suffixChunk[slot];
    }

    int suffixLast(final int slot)
    {
        return suffixLast[slot];
    }

    void suffix(final int slot, final long chunk, final int lastRow)
    {
        suffixChunk[slot] = chunk;
        suffixLast[slot] = lastRow;
    }

    long prefixChunk(final int slot)
    {
        return prefixChunk[slot];
    }

    int prefixRow(final int slot)
    {
        return prefixRow[slot];
    }

    void prefix(final int slot, final long chunk, final int lastRow)
    {
        prefixChunk[slot] = chunk;
        prefixRow[slot] = lastRow;
    }

    /**
     * Forget computed prefixes and suffixes of the key, after one of its assembled rows changed.
     */
    void invalidateAssembly(final int slot)
    {
        suffixChunk[slot] = NO_CHUNK;
        prefixChunk[slot] = NO_CHUNK;
    }

    /**
     * Slot of a key that owns rows, or {@link #NONE}.
     */
    int find(final long key)
    {
        final int slot = index.get(key, 0);
        return slot == LongPairIndex.MISSING ? NONE : slot;
    }

    int slotOf(final long key)
    {
        final int existing = index.get(key, 0);
        if (existing != LongPairIndex.MISSING)
        {
            return existing;
        }
        final int slot = allocateSlot();
        keys[slot] = key;
        heads[slot] = NONE;
        tails[slot] = NONE;
        windowFirst[slot] = NONE;
        invalidateAssembly(slot);
        index.putNew(key, 0, slot);
        pending[pendingCount++] = slot;
        return slot;
    }

    /**
     * Forget a key whose chain is now empty; its slot leaves the sorted order, and becomes
     * reusable, at the next {@link #sortForIteration()}.
     */
    void release(final int slot)
    {
        index.remove(keys[slot], 0);
        heads[slot] = NONE;
        needsCompaction = true;
    }

    void invalidateAll()
    {
        for (int slot = 0; slot < slotLimit; slot++)
        {
            invalidateAssembly(slot);
        }
    }

    /**
     * Bring the sorted order up to date: merge in new keys, drop released ones.
     */
    void sortForIteration()
    {
        if (pendingCount == 0 && !needsCompaction)
        {
            return;
        }
        sortPendingByKey();
        int merged = 0;
        int i = 0;
        int j = 0;
        while (i < sortedCount || j < pendingCount)
        {
            final int slot;
            if (j == pendingCount || (i < sortedCount && keys[sorted[i]] < keys[pending[j]]))
            {
                slot = sorted[i++];
            }
            else
            {
                slot = pending[j++];
            }
            if (heads[slot] == NONE)
            {
                nextFree[slot] = freeSlots;
                freeSlots = slot;
            }
            else
            {
                spare[merged++] = slot;
            }
        }
        final int[] previous = sorted;
        sorted = spare;
        spare = previous;
        sortedCount = merged;
        pendingCount = 0;
        needsCompaction = false;
    }

    void clear()
    {
        index.clear();
        slotLimit = 0;
        sortedCount = 0;
        pendingCount = 0;
        freeSlots = NONE;
        needsCompaction = false;
    }

    private void sortPendingByKey()
    {
        // Heap sort: in place and allocation free, unlike Arrays.sort's merge buffers.
        for (int i = (pendingCount >>> 1) - 1; i >= 0; i--)
        {
            siftDown(i, pendingCount);
        }
        for (int end = pendingCount - 1; end > 0; end--)
        {
            final int top = pending[0];
            pending[0] = pending[end];
            pending[end] = top;
            siftDown(0, end);
        }
    }

    private void siftDown(final int start, final int length)
    {
        int parent = start;
        while (true)
        {
            int child = (parent << 1) + 1;
            if (child >= length)
            {
                return;
            }
            if (child + 1 < length && keys[pending[child + 1]] > keys[pending[child]])
            {
                child++;
            }
            if (keys[pending[child]] <= keys[pending[parent]])
            {
                return;
            }
            final int swap = pending[parent];
            pending[parent] = pending[child];
            pending[child] = swap;
            parent = child;
        }
    }

    private int allocateSlot()
    {
        if (freeSlots != NONE)
        {
            final int slot = freeSlots;
            freeSlots = nextFree[slot];
            return slot;
        }
        if (slotLimit == keys.length)
        {
            final int capacity = slotLimit << 1;
            keys = Arrays.copyOf(keys, capacity);
            heads = Arrays.copyOf(heads, capacity);
            tails = Arrays.copyOf(tails, capacity);
            windowFirst = Arrays.copyOf(windowFirst, capacity);
            suffixChunk = Arrays.copyOf(suffixChunk, capacity);
            suffixLast = Arrays.copyOf(suffixLast, capacity);
            prefixChunk = Arrays.copyOf(prefixChunk, capacity);
            prefixRow = Arrays.copyOf(prefixRow, capacity);
            sorted = Arrays.copyOf(sorted, capacity);
            pending = Arrays.copyOf(pending, capacity);
            spare = Arrays.copyOf(spare, capacity);
            nextFree = Arrays.copyOf(nextFree, capacity);
        }
        return slotLimit++;
    }
}
