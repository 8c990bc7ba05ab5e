package io.sluice.engine.window;

import java.util.Arrays;

import org.agrona.MutableDirectBuffer;

import io.sluice.engine.state.CopyOnWriteRows;

import static io.sluice.engine.window.WindowSnapshotRows.ORDER;

/**
 * Primitive storage of open sessions: parallel arrays of key, start, end (exclusive), timer
 * generation and due time, plus {@code stride} longs of aggregate state per row. A
 * {@link LongPairIndex} maps each key to the head of its (short) list of sessions chained through
 * {@code next}; free rows are chained the same way.
 * <p>
 * A checkpoint copies the rows incrementally ({@link CopyOnWriteRows}): a row is copied before its
 * span or state changes ({@link #beforeChange}, which the operator calls before it changes the
 * aggregate state in place) or before it is freed. Each row is written as drawn in
 * {@link SessionWindowOperator}. Not thread safe: owned by the operator thread.
 */
final class SessionStore
{
    static final int NONE = -1;

    private final AggregateLayout layout;
    private final int stride;
    private final LongPairIndex heads;
    private final CopyOnWriteRows snapshot;
    private long[] key;
    private long[] start;
    private long[] end;
    private long[] timerTime;
    private int[] generation;
    private int[] next;
    private boolean[] firePending;
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
        firePending = new boolean[rows];
        state = new long[rows * stride];
        snapshot = new CopyOnWriteRows(this::writeRow, rows);
    }

    /**
     * Bytes of one row in a snapshot.
     *
     * @return the length in bytes.
     */
    int snapshotRowLength()
    {
        return SessionWindowOperator.ROW_HEADER_LENGTH + stride * 8;
    }

    /**
     * Fixes the image of the rows in use at a checkpoint barrier; they follow in {@link #copySlice}
     * slices or before they change.
     *
     * @param buffer receiving the rows.
     * @param offset of the first row.
     * @return the bytes the rows take.
     */
    int beginSnapshot(final MutableDirectBuffer buffer, final int offset)
    {
        final int length = rowsInUse * snapshotRowLength();
        snapshot.begin(buffer, offset, rowLimit, rowsInUse, length);
        return length;
    }

    boolean copySlice(final int budget)
    {
        return snapshot.copySlice(budget);
    }

    /**
     * The operator is about to change a row's aggregate state in place.
     *
     * @param row about to change.
     */
    void beforeChange(final int row)
    {
        snapshot.beforeChange(row);
    }

    /**
     * Whether the row's final result is due but not emitted yet (a firing spread over events).
     *
     * @param row in use.
     * @return true while its firing is pending.
     */
    boolean firePending(final int row)
    {
        return firePending[row];
    }

    /**
     * Marks or clears the row's pending firing; part of its snapshot.
     *
     * @param row     in use.
     * @param pending whether its final result is due but not emitted yet.
     */
    void firePending(final int row, final boolean pending)
    {
        snapshot.beforeChange(row);
        firePending[row] = pending;
    }

    private int writeRow(final int row, final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putLong(offset, key[row], ORDER);
        buffer.putLong(offset + 8, start[row], ORDER);
        buffer.putLong(offset + 16, end[row], ORDER);
        buffer.putLong(offset + 24, firePending[row] ? SessionWindowOperator.ROW_FIRE_PENDING : 0L, ORDER);
        return WindowSnapshotRows.putState(buffer, offset + SessionWindowOperator.ROW_HEADER_LENGTH, state, row * stride, stride);
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
        snapshot.beforeChange(row);
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
        firePending[row] = false;
        layout.reset(state, row * stride);
        snapshot.created(row);
        final int head = heads.remove(sessionKey, 0);
        next[row] = head == LongPairIndex.MISSING ? NONE : head;
        heads.putNew(sessionKey, 0, row);
        return row;
    }

    void free(final int row)
    {
        snapshot.beforeFree(row);
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
        snapshot.complete();
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
            firePending = Arrays.copyOf(firePending, capacity);
            state = Arrays.copyOf(state, capacity * stride);
            snapshot.ensureCapacity(capacity);
        }
        return rowLimit++;
    }
}
