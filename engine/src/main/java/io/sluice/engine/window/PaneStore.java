package io.sluice.engine.window;

import java.util.Arrays;

/**
 * Primitive storage of the open panes of an aligned window operator.
 * <p>
 * Rows hold one (key, pane) each: parallel arrays {@code rowKey}, {@code rowPane},
 * {@code rowNext} and {@code state} ({@code stride} longs per row, see {@link AggregateLayout}).
 * A {@link LongPairIndex} maps (key, pane) to its row. Active pane indices are kept sorted in
 * {@code panes}, each with the head of a singly linked list (through {@code rowNext}) of the
 * rows of that pane, so a window is assembled by walking a contiguous range of panes and purging
 * expired panes is a prefix cut. Free rows are chained through {@code rowNext} too.
 * <p>
 * Pane creation is once per key per pane, not per event; it inserts into the sorted pane array,
 * which is an append for in-order data. Not thread safe: owned by the operator thread.
 */
final class PaneStore
{
    static final int NONE = -1;

    private final AggregateLayout layout;
    private final int stride;
    private final LongPairIndex index;
    private long[] rowKey;
    private long[] rowPane;
    private int[] rowNext;
    private long[] state;
    private int rowLimit;
    private int freeHead = NONE;
    private int rowsInUse;
    private long[] panes;
    private int[] paneHeads;
    private int paneCount;

    PaneStore(final AggregateLayout layout, final int initialRows)
    {
        this.layout = layout;
        this.stride = layout.stride();
        final int rows = Math.max(16, initialRows);
        index = new LongPairIndex(rows);
        rowKey = new long[rows];
        rowPane = new long[rows];
        rowNext = new int[rows];
        state = new long[rows * stride];
        panes = new long[64];
        paneHeads = new int[64];
    }

    int rowsInUse()
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

    long keyOf(final int row)
    {
        return rowKey[row];
    }

    long paneOf(final int row)
    {
        return rowPane[row];
    }

    long[] state()
    {
        return state;
    }

    int base(final int row)
    {
        return row * stride;
    }

    int find(final long key, final long pane)
    {
        return index.get(key, pane);
    }

    int findOrCreate(final long key, final long pane)
    {
        final int existing = index.get(key, pane);
        if (existing != LongPairIndex.MISSING)
        {
            return existing;
        }

        final int row = allocateRow();
        rowKey[row] = key;
        rowPane[row] = pane;
        layout.reset(state, row * stride);
        index.putNew(key, pane, row);

        int position = lowerBound(pane);
        if (position == paneCount || panes[position] != pane)
        {
            insertPane(position, pane);
        }
        rowNext[row] = paneHeads[position];
        paneHeads[position] = row;
        return row;
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
     * Release every row and pane, keeping the arrays for reuse.
     */
    void clear()
    {
        index.clear();
        rowLimit = 0;
        rowsInUse = 0;
        freeHead = NONE;
        paneCount = 0;
    }

    /**
     * Drop every pane with index below {@code firstLivePane} and free its rows.
     */
    void purgeBelow(final long firstLivePane)
    {
        final int cut = lowerBound(firstLivePane);
        if (cut == 0)
        {
            return;
        }
        for (int position = 0; position < cut; position++)
        {
            int row = paneHeads[position];
            while (row != NONE)
            {
                final int next = rowNext[row];
                index.remove(rowKey[row], rowPane[row]);
                rowNext[row] = freeHead;
                freeHead = row;
                rowsInUse--;
                row = next;
            }
        }
        paneCount -= cut;
        System.arraycopy(panes, cut, panes, 0, paneCount);
        System.arraycopy(paneHeads, cut, paneHeads, 0, paneCount);
    }

    private void insertPane(final int position, final long pane)
    {
        if (paneCount == panes.length)
        {
            panes = Arrays.copyOf(panes, paneCount << 1);
            paneHeads = Arrays.copyOf(paneHeads, paneCount << 1);
        }
        System.arraycopy(panes, position, panes, position + 1, paneCount - position);
        System.arraycopy(paneHeads, position, paneHeads, position + 1, paneCount - position);
        panes[position] = pane;
        paneHeads[position] = NONE;
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
            final int capacity = rowLimit << 1;
            rowKey = Arrays.copyOf(rowKey, capacity);
            rowPane = Arrays.copyOf(rowPane, capacity);
            rowNext = Arrays.copyOf(rowNext, capacity);
            state = Arrays.copyOf(state, capacity * stride);
        }
        return rowLimit++;
    }
}
