package io.sluice.engine.window;

/**
 * Which column of a columnar window state ({@link DenseWindowOperator}, {@link ColumnarWindowOperator}) holds which
 * pane: an array of the columns' panes, {@link #EMPTY} for a free column, looked through in full (the columns held are a
 * handful: the live windows' panes and those still being emitted). Stateless.
 */
final class PaneColumns
{
    /** The pane of a free column. */
    static final long EMPTY = Long.MIN_VALUE;

    private PaneColumns()
    {
    }

    /**
     * @param panes   each column's pane.
     * @param columns in use at the start of {@code panes}.
     * @param pane    to look for.
     * @return the column holding the pane, -1 for none.
     */
    static int columnOf(final long[] panes, final int columns, final long pane)
    {
        for (int c = 0; c < columns; c++)
        {
            if (panes[c] == pane)
            {
                return c;
            }
        }
        return -1;
    }

    /**
     * @param panes   each column's pane.
     * @param columns in use at the start of {@code panes}.
     * @return the first free column, {@code columns} if none is free (the caller grows the columns).
     */
    static int freeColumn(final long[] panes, final int columns)
    {
        for (int c = 0; c < columns; c++)
        {
            if (panes[c] == EMPTY)
            {
                return c;
            }
        }
        return columns;
    }

    /**
     * Gives a closed window's first columns back: each free again, with no rows listed (their rows were reset as the
     * results went out).
     *
     * @param released    the columns, -1 for a pane that had none.
     * @param count       of them.
     * @param panes       each column's pane.
     * @param rowCount    each column's listed rows.
     * @param cachedColumn the column an operator caches for its current pane, -1 for none.
     * @return whether {@code cachedColumn} was given back (the caller forgets it).
     */
    static boolean release(final int[] released, final int count, final long[] panes, final int[] rowCount, final int cachedColumn)
    {
        boolean cachedReleased = false;
        for (int p = 0; p < count; p++)
        {
            final int column = released[p];
            if (column >= 0)
            {
                panes[column] = EMPTY;
                rowCount[column] = 0;
                cachedReleased |= column == cachedColumn;
            }
        }
        return cachedReleased;
    }
}
