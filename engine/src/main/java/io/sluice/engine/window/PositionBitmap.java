package io.sluice.engine.window;

/**
 * A set of positions {@code [0, limit)} as bits, for visiting a few marked positions of a long
 * sorted list in ascending order without walking the unmarked ones. Grows as needed; no
 * allocation once warm.
 * <p>
 * Not thread safe: owned by the operator thread.
 */
final class PositionBitmap
{
    private long[] words = new long[16];

    /**
     * Empty the set and make room for positions below {@code limit}.
     *
     * @param limit one past the largest position that may be set.
     */
    void clear(final int limit)
    {
        final int needed = (limit + 63) >>> 6;
        if (words.length < needed)
        {
            words = new long[Math.max(needed, words.length << 1)];
            return;
        }
        for (int i = 0; i < needed; i++)
        {
            words[i] = 0;
        }
    }

    void set(final int position)
    {
        words[position >>> 6] |= 1L << position;
    }

    /**
     * The smallest set position at or after {@code from}, or {@code limit} if there is none below it.
     *
     * @param from  first position to look at.
     * @param limit the limit given to {@link #clear(int)}.
     * @return the position found, or {@code limit}.
     */
    int next(final int from, final int limit)
    {
        if (from >= limit)
        {
            return limit;
        }
        int index = from >>> 6;
        long word = words[index] & (-1L << from);
        final int last = (limit - 1) >>> 6;
        while (word == 0)
        {
            if (++index > last)
            {
                return limit;
            }
            word = words[index];
        }
        return Math.min(limit, (index << 6) + Long.numberOfTrailingZeros(word));
    }
}
