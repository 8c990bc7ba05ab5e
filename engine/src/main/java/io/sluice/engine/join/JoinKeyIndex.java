package io.sluice.engine.join;

import java.util.Arrays;

/**
 * The heads of both sides' per-key record chains of an interval join, in one open-addressing table (linear probing),
 * so that an event finds its own side's chain and its partners' with one probe, and both live in one cache line:
 * <pre>
 *  position x 2
 *  v
 *  +--------------------------+------------------------------------------------+
 *  | key (64 bits)            | left head + 2 (high 32 bits) | right head + 2 (low 32 bits) |
 *  +--------------------------+------------------------------------------------+
 * </pre>
 * A head is a record slot or {@link #NONE} (stored as 1); a value of 0 marks a free position, so any long is a valid
 * key. A key whose chains both empty keeps its position (<i>idle</i>): a key that recurs, the common case, then costs
 * no removal and re-insertion. Idle keys are dropped when the table is rebuilt, which happens when it would pass half
 * full, growing it only if the keys with records alone fill a quarter of it; so a stream of ever new keys keeps the
 * table within a small multiple of the keys with records. Positions are stable between two {@link #findOrAdd} calls
 * (only they rebuild).
 * <p>
 * Not thread safe: single writer, the operator thread.
 */
final class JoinKeyIndex
{
    static final int NONE = -1;
    /** Absent position. */
    static final int ABSENT = -1;
    private static final long FREE = 0;
    /** Both chains empty. */
    private static final long IDLE = (1L << 32) | 1L;
    private static final long LOW = 0xFFFF_FFFFL;

    private long[] table;
    private long[] spare;
    private int mask;
    /** Positions holding a key (with records or idle). */
    private int used;
    /** Positions whose key has no record on either side. */
    private int idle;

    JoinKeyIndex(final int expectedKeys)
    {
        int capacity = 16;
        while (capacity < expectedKeys * 2L && capacity < 1 << 29)
        {
            capacity <<= 1;
        }
        table = new long[capacity * 2];
        spare = new long[capacity * 2];
        mask = capacity - 1;
    }

    private static int hash(final long key)
    {
        final long h = key * 0x9E37_79B9_7F4A_7C15L;
        return (int)(h ^ (h >>> 32));
    }

    /**
     * Position of a key, or {@link #ABSENT}.
     */
    int find(final long key)
    {
        final long[] table = this.table;
        final int mask = this.mask;
        int i = hash(key) & mask;
        while (table[(i << 1) + 1] != FREE)
        {
            if (table[i << 1] == key)
            {
                return i;
            }
            i = (i + 1) & mask;
        }
        return ABSENT;
    }

    /**
     * Loads the first position each key's {@link #find} probes, one independent load per key, so that a loop over
     * many keys overlaps their cache misses. Changes nothing.
     *
     * @param keys to look at.
     * @param from first index in {@code keys}.
     * @param to   one past the last.
     * @return a value depending on what was loaded, for the caller to keep (so the loads are not dropped).
     */
    long touch(final long[] keys, final int from, final int to)
    {
        final long[] table = this.table;
        final int mask = this.mask;
        long touched = 0;
        for (int i = from; i < to; i++)
        {
            touched += table[((hash(keys[i]) & mask) << 1) + 1];
        }
        return touched;
    }

    /**
     * Position of a key, added idle (both chains empty) if absent. May rebuild the table, moving every position.
     */
    int findOrAdd(final long key)
    {
        final int found = find(key);
        if (found != ABSENT)
        {
            return found;
        }
        if ((used + 1) * 2L > mask + 1L)
        {
            rebuild();
        }
        final long[] table = this.table;
        int i = hash(key) & mask;
        while (table[(i << 1) + 1] != FREE)
        {
            i = (i + 1) & mask;
        }
        table[i << 1] = key;
        table[(i << 1) + 1] = IDLE;
        used++;
        idle++;
        return i;
    }

    /**
     * Head of one side's chain at a position.
     *
     * @param side {@link JoinResultHandler#LEFT} (0) or {@link JoinResultHandler#RIGHT} (1).
     */
    int head(final int position, final int side)
    {
        final long value = table[(position << 1) + 1];
        return (int)(side == 0 ? value >>> 32 : value & LOW) - 2;
    }

    /**
     * Sets the head of one side's chain at a position ({@link #NONE} for an empty chain).
     */
    void head(final int position, final int side, final int slot)
    {
        final int at = (position << 1) + 1;
        final long value = table[at];
        final long next = side == 0 ? ((long)(slot + 2) << 32) | (value & LOW) : (value & ~LOW) | ((slot + 2) & LOW);
        idle += (next == IDLE ? 1 : 0) - (value == IDLE ? 1 : 0);
        table[at] = next;
    }

    /**
     * Forget every key.
     */
    void clear()
    {
        Arrays.fill(table, FREE);
        used = 0;
        idle = 0;
    }

    int keysWithRecords()
    {
        return used - idle;
    }

    private void rebuild()
    {
        final int live = used - idle;
        int capacity = mask + 1;
        if ((live + 1) * 4L > capacity)
        {
            capacity <<= 1;
        }
        if (spare.length != capacity * 2)
        {
            spare = new long[capacity * 2];
        }
        else
        {
            Arrays.fill(spare, FREE);
        }
        final long[] from = table;
        final long[] to = spare;
        final int toMask = capacity - 1;
        for (int i = 0, n = from.length; i < n; i += 2)
        {
            final long value = from[i + 1];
            if (value != FREE && value != IDLE)
            {
                int j = hash(from[i]) & toMask;
                while (to[(j << 1) + 1] != FREE)
                {
                    j = (j + 1) & toMask;
                }
                to[j << 1] = from[i];
                to[(j << 1) + 1] = value;
            }
        }
        spare = from.length == to.length ? from : new long[to.length];
        table = to;
        mask = toMask;
        used = live;
        idle = 0;
    }
}
