package io.sluice.engine.window;

import java.util.Arrays;

/**
 * Open-addressing hash index from a pair of longs to a non-negative int, with linear probing and
 * backward-shift deletion so there are no tombstones. No allocation except when growing
 * (capacity doubles at 50% load), which is amortised and disappears once the index is warm.
 * <p>
 * Not thread safe: single writer, the operator thread.
 */
final class LongPairIndex
{
    static final int MISSING = -1;

    private long[] firsts;
    private long[] seconds;
    private int[] values;
    private int mask;
    private int size;
    private int resizeThreshold;

    LongPairIndex(final int expectedSize)
    {
        allocate(capacityFor(expectedSize));
    }

    int size()
    {
        return size;
    }

    int get(final long first, final long second)
    {
        int index = hash(first, second) & mask;
        int value;
        while ((value = values[index]) != MISSING)
        {
            if (firsts[index] == first && seconds[index] == second)
            {
                return value;
            }
            index = (index + 1) & mask;
        }
        return MISSING;
    }

    /**
     * Put a value for a pair that is known to be absent.
     */
    void putNew(final long first, final long second, final int value)
    {
        if (size >= resizeThreshold)
        {
            grow();
        }
        int index = hash(first, second) & mask;
        while (values[index] != MISSING)
        {
            index = (index + 1) & mask;
        }
        firsts[index] = first;
        seconds[index] = second;
        values[index] = value;
        size++;
    }

    int remove(final long first, final long second)
    {
        int index = hash(first, second) & mask;
        int value;
        while ((value = values[index]) != MISSING)
        {
            if (firsts[index] == first && seconds[index] == second)
            {
                values[index] = MISSING;
                size--;
                compactChain(index);
                return value;
            }
            index = (index + 1) & mask;
        }
        return MISSING;
    }

    void clear()
    {
        if (size > 0)
        {
            Arrays.fill(values, MISSING);
            size = 0;
        }
    }

    private void compactChain(final int deleteIndex)
    {
        int hole = deleteIndex;
        int index = (deleteIndex + 1) & mask;
        while (values[index] != MISSING)
        {
            final int home = hash(firsts[index], seconds[index]) & mask;
            // Move the entry back into the hole unless its home lies cyclically in (hole, index].
            if ((index < home && (home <= hole || hole <= index)) || (home <= hole && hole <= index))
            {
                firsts[hole] = firsts[index];
                seconds[hole] = seconds[index];
                values[hole] = values[index];
                values[index] = MISSING;
                hole = index;
            }
            index = (index + 1) & mask;
        }
    }

    private void grow()
    {
        final long[] oldFirsts = firsts;
        final long[] oldSeconds = seconds;
        final int[] oldValues = values;
        allocate(oldValues.length << 1);
        size = 0;
        for (int i = 0; i < oldValues.length; i++)
        {
            if (oldValues[i] != MISSING)
            {
                putNew(oldFirsts[i], oldSeconds[i], oldValues[i]);
            }
        }
    }

    private void allocate(final int capacity)
    {
        firsts = new long[capacity];
        seconds = new long[capacity];
        values = new int[capacity];
        Arrays.fill(values, MISSING);
        mask = capacity - 1;
        resizeThreshold = capacity >> 1;
    }

    private static int capacityFor(final int expectedSize)
    {
        final int wanted = Math.max(16, expectedSize) * 2;
        return Integer.highestOneBit(wanted - 1) << 1;
    }

    private static int hash(final long first, final long second)
    {
        long h = first * 0x9E3779B97F4A7C15L + second;
        h = (h ^ (h >>> 32)) * 0xBF58476D1CE4E5B9L;
        return (int)(h ^ (h >>> 29));
    }
}
