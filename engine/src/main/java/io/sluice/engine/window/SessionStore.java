package io.sluice.engine.window;

import java.util.Arrays;

/**
 * Primitive storage of open sessions: parallel arrays of key, start, end (exclusive), timer
 * generation and due time, plus {@code stride} longs of aggregate state per row. A
 * {@link LongPairIndex} maps each key to the head of its (short) list of sessions chained through
 * {@code next}; free rows are chained the same way. Not thread safe: owned by the operator thread.
 */
final class SessionStore
{
    static final int NONE = -1;

    private final AggregateLayout layout;
    private final int stride;
    private final LongPairIndex heads;
    private long[] key;
    private long[] start;
    private long[] end;
    private long[] timerTime;
    private int[] generation;
    private int[] next;
    private long[] state;
    private int rowLimit;
    private int freeHead = NONE;
    private int rowsInUse;

    SessionStore(final AggregateLayout layout, final int initialRows)
    {
        this.layout = layout;
        this.stride = layout.stride();
        final int rows = Math.max(16, initialRows);
        heads = new LongPairIndex(rows);
        key = new long[rows];
        start = new long[rows];
        end = new long[rows];
        timerTime = new long[rows];
        generation = new int[rows];
        next = new int[rows];
        state = new long[rows * stride];
    }

    int rowsInUse()
    {
        return rowsInUse;
    }

    int rowLimit()
    {
        return rowLimit;
    }

    int head(final long sessionKey)
    {
        final int row = heads.get(sessionKey, 0);
        return row == LongPairIndex.MISSING ? NONE : row;
    }

    int next(final int row)
    {
        return next[row];
    }

    long key(final int row)
    {
        return key[row];
    }

    long start(final int row)
    {
        return start[row];
    }

    long end(final int row)
    {
        return end[row];
    }

    void span(final int row, final long newStart, final long newEnd)
    {
        start[row] = newStart;
        end[row] = newEnd;
    }

    long timerTime(final int row)
    {
        return timerTime[row];
    }

    int generation(final int row)
    {
        return generation[row];
    }

    /**
     * Record a new timer for the row, invalidating any earlier one.
     *
     * @return the generation the new timer must carry.
     */
    int newTimer(final int row, final long time)
    {
        timerTime[row] = time;
        return ++generation[row];
    }

    boolean inUse(final int row)
    {
        return timerTime[row] != Long.MIN_VALUE;
    }

    long[] state()
    {
        return state;
    }

    int base(final int row)
    {
        return row * stride;
    }

    int create(final long sessionKey, final long sessionStart, final long sessionEnd)
    {
        final int row = allocateRow();
        key[row] = sessionKey;
        start[row] = sessionStart;
        end[row] = sessionEnd;
        timerTime[row] = Long.MAX_VALUE;
        layout.reset(state, row * stride);
        final int head = heads.remove(sessionKey, 0);
        next[row] = head == LongPairIndex.MISSING ? NONE : head;
        heads.putNew(sessionKey, 0, row);
        return row;
    }

    void free(final int row)
    {
        final long sessionKey = key[row];
        final int head = heads.remove(sessionKey, 0);
        if (head == row)
        {
            if (next[row] != NONE)
            {
                heads.putNew(sessionKey, 0, next[row]);
            }
        }
        else
        {
            heads.putNew(sessionKey, 0, head);
            int previous = head;
            while (next[previous] != row)
            {
                previous = next[previous];
            }
            next[previous] = next[row];
        }
        generation[row]++;
        timerTime[row] = Long.MIN_VALUE;
        next[row] = freeHead;
        freeHead = row;
        rowsInUse--;
    }

    void clear()
    {
        heads.clear();
        Arrays.fill(timerTime, 0, rowLimit, Long.MIN_VALUE);
        rowLimit = 0;
        rowsInUse = 0;
        freeHead = NONE;
    }

    private int allocateRow()
    {
        rowsInUse++;
        if (freeHead != NONE)
        {
            final int row = freeHead;
            freeHead = next[row];
            return row;
        }
        if (rowLimit == key.length)
        {
            final int capacity = rowLimit << 1;
            key = Arrays.copyOf(key, capacity);
            start = Arrays.copyOf(start, capacity);
            end = Arrays.copyOf(end, capacity);
            timerTime = Arrays.copyOf(timerTime, capacity);
            generation = Arrays.copyOf(generation, capacity);
            next = Arrays.copyOf(next, capacity);
            state = Arrays.copyOf(state, capacity * stride);
        }
        return rowLimit++;
    }
}
