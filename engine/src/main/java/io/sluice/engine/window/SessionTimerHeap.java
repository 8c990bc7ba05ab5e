package io.sluice.engine.window;

import java.util.Arrays;

/**
 * Binary min-heap of (time, row, generation) timers over primitive arrays. Timers are never
 * removed in place: an owner invalidates one by bumping the row's generation, and stale timers
 * are skipped when popped. Not thread safe: owned by the operator thread.
 */
final class SessionTimerHeap
{
    private long[] times;
    private int[] rows;
    private int[] generations;
    private int size;

    SessionTimerHeap(final int initialCapacity)
    {
        final int capacity = Math.max(16, initialCapacity);
        times = new long[capacity];
        rows = new int[capacity];
        generations = new int[capacity];
    }

    int size()
    {
        return size;
    }

    long peekTime()
    {
        return times[0];
    }

    int peekRow()
    {
        return rows[0];
    }

    int peekGeneration()
    {
        return generations[0];
    }

    void clear()
    {
        size = 0;
    }

    void push(final long time, final int row, final int generation)
    {
        if (size == times.length)
        {
            final int capacity = size << 1;
            times = Arrays.copyOf(times, capacity);
            rows = Arrays.copyOf(rows, capacity);
            generations = Arrays.copyOf(generations, capacity);
        }
        int child = size++;
        while (child > 0)
        {
            final int parent = (child - 1) >>> 1;
            if (times[parent] <= time)
            {
                break;
            }
            set(child, times[parent], rows[parent], generations[parent]);
            child = parent;
        }
        set(child, time, row, generation);
    }

    void pop()
    {
        final int last = --size;
        final long time = times[last];
        final int row = rows[last];
        final int generation = generations[last];
        int parent = 0;
        while (true)
        {
            int child = (parent << 1) + 1;
            if (child >= size)
            {
                break;
            }
            if (child + 1 < size && times[child + 1] < times[child])
            {
                child++;
            }
            if (times[child] >= time)
            {
                break;
            }
            set(parent, times[child], rows[child], generations[child]);
            parent = child;
        }
        if (size > 0)
        {
            set(parent, time, row, generation);
        }
    }

    private void set(final int index, final long time, final int row, final int generation)
    {
        times[index] = time;
        rows[index] = row;
        generations[index] = generation;
    }
}
