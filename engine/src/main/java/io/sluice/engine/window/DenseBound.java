package io.sluice.engine.window;

/**
 * How large a {@link DenseWindowOperator}'s columns may grow. A dense pane is a column of a row for every key slot
 * however few keys it holds, so its memory is {@code columns x keySlots} cells where linked rows
 * ({@link AlignedWindowOperator}) hold one row per (key, pane) with events: a state with many panes and few keys in
 * each (due windows queued behind a firing that is bounded per event, a watermark bound of many panes, keys that
 * recur less than once a window) is far larger dense. The bound keeps the cells within {@link #DENSITY} times the live
 * state (rows and keys held), or within a floor for small states:
 * <pre>
 *   cells &lt;= max(floorCells, DENSITY * (rows + keys))
 * </pre>
 * A dense layout past the bound hands its state to linked rows ({@link AdaptiveWindowOperator}); linked rows hand it
 * back once a dense layout would take at most {@code 1 / HAND_BACK_MARGIN} of the bound, so that a state near the
 * bound does not go back and forth. Stateless once built.
 */
final class DenseBound
{
    /** Dense cells per live row or key at most. */
    static final long DENSITY = 16;
    /**
     * How far below the bound a dense layout must be to be taken back: a tumbling window's steady state, 4 columns of
     * up to twice as many slots as keys, is 3-4 cells per row and key.
     */
    static final long HAND_BACK_MARGIN = 2;
    /** The floor of the bound: 262,144 cells, a few MiB, never handed over. */
    static final long MIN_CELLS = 1L << 18;

    private final long floorCells;

    /**
     * @param floorCells cells a dense layout may always take.
     */
    DenseBound(final long floorCells)
    {
        this.floorCells = floorCells;
    }

    /**
     * @param liveEntries rows and keys held.
     * @return the cells a dense layout may take for them.
     */
    long cells(final long liveEntries)
    {
        return Math.max(floorCells, DENSITY * liveEntries);
    }

    /**
     * @param cells       of a dense layout.
     * @param liveEntries rows and keys it holds.
     * @return whether the layout is past the bound (its state goes to linked rows).
     */
    boolean exceeded(final long cells, final long liveEntries)
    {
        return cells > cells(liveEntries);
    }

    /**
     * @param cells       a dense layout would take.
     * @param liveEntries rows and keys it would hold.
     * @return whether the layout is well within the bound (a state on linked rows comes back to dense slots).
     */
    boolean fitsWell(final long cells, final long liveEntries)
    {
        return cells * HAND_BACK_MARGIN <= cells(liveEntries);
    }
}
