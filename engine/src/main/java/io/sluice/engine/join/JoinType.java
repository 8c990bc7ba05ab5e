package io.sluice.engine.join;

/**
 * Which unmatched rows a join emits, null-padded, besides its matches.
 */
public enum JoinType
{
    /**
     * Only matches.
     */
    INNER(false, false),

    /**
     * Matches, and every left row without a match padded with a null right side.
     */
    LEFT(true, false),

    /**
     * Matches, and every right row without a match padded with a null left side (interval joins
     * only; a right table join is a left join with the sides swapped).
     */
    RIGHT(false, true),

    /**
     * Matches and the unmatched rows of both sides (full outer join).
     */
    OUTER(true, true);

    private final boolean keepsLeft;
    private final boolean keepsRight;

    JoinType(final boolean keepsLeft, final boolean keepsRight)
    {
        this.keepsLeft = keepsLeft;
        this.keepsRight = keepsRight;
    }

    /**
     * Whether unmatched left rows are emitted null-padded.
     *
     * @return true for {@link #LEFT} and {@link #OUTER}.
     */
    public boolean keepsLeft()
    {
        return keepsLeft;
    }

    /**
     * Whether unmatched right rows are emitted null-padded.
     *
     * @return true for {@link #RIGHT} and {@link #OUTER}.
     */
    public boolean keepsRight()
    {
        return keepsRight;
    }

    /**
     * Whether unmatched rows of a side are emitted null-padded.
     *
     * @param side {@link JoinResultHandler#LEFT} or {@link JoinResultHandler#RIGHT}.
     * @return true if that side's unmatched rows are kept.
     */
    public boolean keeps(final int side)
    {
        return side == JoinResultHandler.LEFT ? keepsLeft : keepsRight;
    }
}
