package io.sluice.engine.window;

import java.util.Arrays;

/**
 * Assembles consecutive windows of one key on demand, for re-emitting (UPDATE) or early (EARLY)
 * results of every window an event touched. It gathers the key's rows covering all those windows
 * once (walking the key's chain from the updated row), folds prefixes and suffixes per chunk of
 * {@code panesPerWindow} panes as {@link WindowAssembler} does, and then yields each window in
 * one merge. A late event in a sliding 1h/1s window thus costs O(rows in two hours of the key)
 * for its 3600 results, not O(3600 x 3600) lookups.
 * <p>
 * Not thread safe: owned by the operator thread.
 */
final class RangeAssembler
{
    private static final int NONE = PaneStore.NONE;

    private final PaneStore store;
    private final AggregateLayout layout;
    private final int stride;
    private final long panesPerWindow;
    private long[] panes;
    private long[] prefix;
    private long[] suffix;
    private int count;
    private int first;
    private int last;

    RangeAssembler(final PaneStore store, final AggregateLayout layout, final long panesPerWindow)
    {
        this.store = store;
        this.layout = layout;
        this.stride = layout.stride();
        this.panesPerWindow = panesPerWindow;
        panes = new long[64];
        prefix = new long[64 * stride];
        suffix = new long[64 * stride];
    }

    /**
     * Gather the rows of the key owning {@code row} with panes in {@code [lowPane, highPane]}
     * and fold their chunk prefixes and suffixes.
     *
     * @param row      a row of the key inside the range.
     * @param lowPane  first pane of the first window to assemble.
     * @param highPane last pane of the last window to assemble.
     */
    void prepare(final int row, final long lowPane, final long highPane)
    {
        int start = row;
        for (int previous = store.keyPrev(start); previous != NONE && store.paneOf(previous) >= lowPane;
            previous = store.keyPrev(start))
        {
            start = previous;
        }

        final long[] state = store.state();
        count = 0;
        for (int r = start; r != NONE && store.paneOf(r) <= highPane; r = store.keyNext(r))
        {
            ensureCapacity(count + 1);
            final long pane = store.paneOf(r);
            panes[count] = pane;
            final int base = count * stride;
            System.arraycopy(state, store.base(r), suffix, base, stride);
            if (count > 0 && chunkOf(panes[count - 1]) == chunkOf(pane))
            {
                System.arraycopy(prefix, base - stride, prefix, base, stride);
                layout.merge(prefix, base, state, store.base(r));
            }
            else
            {
                System.arraycopy(state, store.base(r), prefix, base, stride);
            }
            count++;
        }
        for (int i = count - 2; i >= 0; i--)
        {
            if (chunkOf(panes[i]) == chunkOf(panes[i + 1]))
            {
                layout.merge(suffix, i * stride, suffix, (i + 1) * stride);
            }
        }
        first = 0;
        last = -1;
    }

    /**
     * Assemble the next window; windows must be requested in ascending order.
     *
     * @param firstPane of the window.
     * @param out       state array receiving the result at offset 0.
     */
    void assemble(final long firstPane, final long[] out)
    {
        final long lastPane = firstPane + panesPerWindow - 1;
        final long boundary = (chunkOf(firstPane) + 1) * panesPerWindow;
        while (first < count && panes[first] < firstPane)
        {
            first++;
        }
        while (last + 1 < count && panes[last + 1] <= lastPane)
        {
            last++;
        }
        layout.reset(out, 0);
        if (first <= last)
        {
            if (panes[first] < boundary)
            {
                layout.merge(out, 0, suffix, first * stride);
            }
            if (panes[last] >= boundary)
            {
                layout.merge(out, 0, prefix, last * stride);
            }
        }
    }

    private long chunkOf(final long pane)
    {
        return Math.floorDiv(pane, panesPerWindow);
    }

    private void ensureCapacity(final int rows)
    {
        if (rows > panes.length)
        {
            final int capacity = panes.length << 1;
            panes = Arrays.copyOf(panes, capacity);
            prefix = Arrays.copyOf(prefix, capacity * stride);
            suffix = Arrays.copyOf(suffix, capacity * stride);
        }
    }
}
