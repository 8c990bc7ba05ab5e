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
 * New keys are inserted into the sorted order (an array shift, once per key lifetime); keys
 * whose chain empties are dropped in one compaction pass. Not thread safe: operator thread.
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
        compactIfNeeded();
        final int slot = allocateSlot();
        keys[slot] = key;
        heads[slot] = NONE;
        tails[slot] = NONE;
        windowFirst[slot] = NONE;
        invalidateAssembly(slot);
        index.putNew(key, 0, slot);
        insertSorted(slot, key);
        return slot;
    }

    /**
     * Forget a key whose chain is now empty; its slot leaves the sorted order at the next
     * compaction.
     */
    void release(final int slot)
    {
        index.remove(keys[slot], 0);
        heads[slot] = NONE;
        nextFree[slot] = freeSlots;
        freeSlots = slot;
        needsCompaction = true;
    }

    void invalidateAll()
    {
        for (int slot = 0; slot < slotLimit; slot++)
        {
            invalidateAssembly(slot);
        }
    }

    void compactIfNeeded()
    {
        if (!needsCompaction)
        {
            return;
        }
        int kept = 0;
        for (int i = 0; i < sortedCount; i++)
        {
            final int slot = sorted[i];
            if (heads[slot] != NONE)
            {
                sorted[kept++] = slot;
            }
        }
        sortedCount = kept;
        needsCompaction = false;
    }

    void clear()
    {
        index.clear();
        slotLimit = 0;
        sortedCount = 0;
        freeSlots = NONE;
        needsCompaction = false;
    }

    private void insertSorted(final int slot, final long key)
    {
        int low = 0;
        int high = sortedCount;
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            if (keys[sorted[mid]] < key)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        System.arraycopy(sorted, low, sorted, low + 1, sortedCount - low);
        sorted[low] = slot;
        sortedCount++;
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
            nextFree = Arrays.copyOf(nextFree, capacity);
        }
        return slotLimit++;
    }
}
