package io.sluice.engine.window;

/**
 * Assembles the result of one window for one key from that key's chain of pane rows.
 * <p>
 * When windows do not overlap ({@code hop >= size}) it folds the at most
 * {@code panesPerWindow} rows of the window in pane order.
 * <p>
 * When they overlap it uses the van Herk/Gil-Werman scheme, which needs only an associative
 * merge: the pane axis is cut into chunks of {@code panesPerWindow} panes, so any window spans
 * the tail of one chunk {@code q} and the head of the next. Per row it keeps a suffix aggregate
 * (the row merged with every later row of the key in its chunk) and a prefix aggregate (every
 * earlier row of the key in its chunk merged with the row). A window is then
 * {@code suffix(first row in window) merge prefix(last row in window)}: one merge per key per
 * fire. Suffixes of a chunk are computed in one backward pass when the first window reaching its
 * end fires (its rows are complete by then); prefixes are extended as windows advance. Each row
 * is thus folded a constant number of times however much windows overlap.
 * <p>
 * A row needs its suffix only while its chunk is the one a window starts in, and its prefix only
 * while its chunk is the one a window ends in, never both at once, so both share one
 * {@code derived} array: computing a chunk's suffixes overwrites its no longer needed prefixes.
 * <p>
 * Every value is a fixed function of the rows and the chunk grid, never of the order in which
 * work happened, so results are bit-identical after a snapshot restore, which recomputes them.
 * A row that changes after being folded (a late event) invalidates its key's prefixes and
 * suffixes, which are then recomputed at the next fire.
 * <p>
 * <b>Few panes, exact aggregates.</b> When a window spans at most {@value #DIRECT_FOLD_MAX_PANES}
 * panes and the aggregates regroup exactly ({@link AggregateLayout#regroupsExactly}: integer
 * arithmetic gives the same bits in any grouping), overlapping windows too fold their rows in pane
 * order ({@link #foldsDirectly}): a few merges per key, where the scheme above copies and merges
 * each row into its prefix and suffix and keeps a second array of states. Double sums keep the
 * scheme, whose grouping is what their results have always been rounded by.
 * <p>
 * Not thread safe: owned by the operator thread.
 */
final class WindowAssembler
{
    private static final int NONE = PaneStore.NONE;
    /** Panes per window up to which exact aggregates of overlapping windows are folded row by row. */
    static final long DIRECT_FOLD_MAX_PANES = 4;

    private final PaneStore store;
    private final KeyTable keys;
    private final AggregateLayout layout;
    private final int stride;
    private final long panesPerWindow;
    private final boolean overlapping;
    private long[] derived;

    /**
     * @param foldDirectly whether to fold each window's rows in pane order even when windows overlap; only
     *                     allowed where {@link #foldsDirectly} says so (or else results may differ in their last bits).
     */
    WindowAssembler(final PaneStore store, final AggregateLayout layout, final AlignedWindows windows, final boolean foldDirectly)
    {
        this.store = store;
        this.keys = store.keys();
        this.layout = layout;
        this.stride = layout.stride();
        this.panesPerWindow = windows.panesPerWindow;
        this.overlapping = windows.panesPerHop < windows.panesPerWindow && !foldDirectly;
        final int capacity = overlapping ? store.rowCapacity() * stride : 0;
        derived = new long[capacity];
        if (overlapping)
        {
            keys.trackAssembly();
        }
    }

    /**
     * Whether the rows of overlapping windows may be folded in pane order with the same results as the prefix and
     * suffix scheme: the aggregates regroup exactly and a window spans few panes.
     *
     * @param windows of the operator.
     * @param layout  of its rows.
     * @return whether {@link #WindowAssembler}'s {@code foldDirectly} may be true.
     */
    static boolean foldsDirectly(final AlignedWindows windows, final AggregateLayout layout)
    {
        return windows.panesPerWindow <= DIRECT_FOLD_MAX_PANES && layout.regroupsExactly();
    }

    /**
     * Assemble the window {@code [firstPane, firstPane + panesPerWindow)} of the key whose first
     * row in it is {@code first}.
     *
     * @param slot      of the key.
     * @param first     the key's first row at or after firstPane, inside the window.
     * @param firstPane of the window.
     * @param out       state array receiving the result at offset 0.
     */
    void assemble(final int slot, final int first, final long firstPane, final long[] out)
    {
        final long lastPane = firstPane + panesPerWindow - 1;
        if (!overlapping)
        {
            fold(first, lastPane, out);
            return;
        }

        ensureCapacity();
        final long chunk = Math.floorDiv(firstPane, panesPerWindow);
        final long boundary = (chunk + 1) * panesPerWindow;
        final boolean firstInChunk = store.paneOf(first) < boundary;
        layout.reset(out, 0);
        if (firstInChunk)
        {
            if (keys.suffixChunk(slot) != chunk)
            {
                computeSuffixes(slot, first, boundary, chunk);
            }
            layout.merge(out, 0, derived, first * stride);
        }
        if (lastPane >= boundary)
        {
            final int row = extendPrefixes(slot, firstInChunk ? store.keyNext(keys.suffixLast(slot)) : first,
                chunk + 1, lastPane);
            if (row != NONE)
            {
                layout.merge(out, 0, derived, row * stride);
            }
        }
    }

    private void fold(final int first, final long lastPane, final long[] out)
    {
        final long[] state = store.state();
        layout.reset(out, 0);
        for (int row = first; row != NONE && store.paneOf(row) <= lastPane; row = store.keyNext(row))
        {
            layout.merge(out, 0, state, store.base(row));
        }
    }

    private void computeSuffixes(final int slot, final int first, final long boundary, final long chunk)
    {
        final long[] state = store.state();
        int last = first;
        for (int next = store.keyNext(last); next != NONE && store.paneOf(next) < boundary; next = store.keyNext(last))
        {
            last = next;
        }
        System.arraycopy(state, store.base(last), derived, last * stride, stride);
        int later = last;
        while (later != first)
        {
            final int row = store.keyPrev(later);
            System.arraycopy(state, store.base(row), derived, row * stride, stride);
            layout.merge(derived, row * stride, derived, later * stride);
            later = row;
        }
        keys.suffix(slot, chunk, last);
    }

    /**
     * Extend the key's prefixes in {@code chunk} up to {@code lastPane}.
     *
     * @param chunkFirst the key's first row at or after the chunk start, or NONE.
     * @return the key's last row in the chunk up to lastPane, or NONE if it has none.
     */
    private int extendPrefixes(final int slot, final int chunkFirst, final long chunk, final long lastPane)
    {
        final long[] state = store.state();
        int last = NONE;
        int candidate = chunkFirst;
        if (keys.prefixChunk(slot) == chunk)
        {
            last = keys.prefixRow(slot);
            if (last != NONE)
            {
                candidate = store.keyNext(last);
            }
        }
        while (candidate != NONE && store.paneOf(candidate) <= lastPane)
        {
            if (last == NONE)
            {
                System.arraycopy(state, store.base(candidate), derived, candidate * stride, stride);
            }
            else
            {
                // prefix(candidate) = prefix(last) merge row(candidate), a left fold in pane order.
                System.arraycopy(derived, last * stride, derived, candidate * stride, stride);
                layout.merge(derived, candidate * stride, state, store.base(candidate));
            }
            last = candidate;
            candidate = store.keyNext(candidate);
        }
        keys.prefix(slot, chunk, last);
        return last;
    }

    /**
     * Sizes the scratch of overlapping windows for the store's rows, as the constructor did: for a store whose sizing was
     * deferred ({@link PaneStore#presize}, a restore), before its rows go in, rather than at the first firing.
     */
    void sizeForStore()
    {
        if (overlapping)
        {
            ensureCapacity();
        }
    }

    private void ensureCapacity()
    {
        final int needed = store.rowCapacity() * stride;
        if (derived.length < needed)
        {
            derived = new long[needed];
            keys.invalidateAll();
        }
    }
}
