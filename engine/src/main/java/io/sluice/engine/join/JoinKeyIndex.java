package io.sluice.engine.join;

import java.util.Arrays;

/**
 * The heads of both sides' per-key record chains of an interval join, so that an event finds its own side's chain and
 * its partners' with one lookup, both heads in one long.
 * <p>
 * <b>Small keys are found directly.</b> A key in {@code [0, directLimit)} (numeric ids, the common case) has its heads
 * at {@code direct[key]}: one load, no hash, no probe, no key to compare, and neighbouring keys share a line, so 10k
 * keys take 80 KB where the hashed table spreads them over every line of its positions. The direct table is allocated
 * with the first key in its range (a join of hashed or large keys never has one) and its range is the hashed table's
 * capacity, growing with it up to {@link #MAX_DIRECT_KEYS}; a direct key never leaves it (its entry is idle while both
 * chains are empty).
 * <p>
 * <b>Other keys</b> (negative, at or above {@code directLimit}) are in an open-addressing table (linear probing):
 * <pre>
 *  index i x 2
 *  v
 *  +--------------------------+------------------------------------------------+
 *  | key (64 bits)            | left head + 2 (high 32 bits) | right head + 2 (low 32 bits) |
 *  +--------------------------+------------------------------------------------+
 * </pre>
 * A head is a record slot or {@link #NONE} (stored as 1); a value of 0 marks a free position, so any long is a valid
 * key. A key whose chains both empty keeps its position (<i>idle</i>): a key that recurs, the common case, then costs
 * no removal and re-insertion. Idle keys are dropped when the table is rebuilt, which happens when it would pass half
 * full, growing it only if the keys with records alone fill a quarter of it; so a stream of ever new keys keeps the
 * table within a small multiple of the keys with records. A direct entry holds the second long of a position alone,
 * {@code IDLE} while both chains are empty.
 * <p>
 * A <i>position</i> names a key's heads: the key itself for a direct key, {@code directLimit + i} for index {@code i}
 * of the hashed table. Positions are stable between two {@link #findOrAdd} calls (only they rebuild, moving hashed
 * positions and possibly widening the direct range).
 * <p>
 * Not thread safe: single writer, the operator thread.
 */
final class JoinKeyIndex
{
    static final int NONE = -1;
    /** Absent position. */
    static final int ABSENT = -1;
    /** Widest direct range: keys from 0 up to a million (8 MiB of heads). */
    static final int MAX_DIRECT_KEYS = 1 << 20;
    private static final long FREE = 0;
    /** Both chains empty. */
    private static final long IDLE = (1L << 32) | 1L;
    private static final long LOW = 0xFFFF_FFFFL;
    private static final long[] NO_DIRECT = new long[0];

    private long[] table;
    private long[] spare;
    private int mask;
    /** Hashed positions holding a key (with records or idle). */
    private int used;
    /** Hashed positions whose key has no record on either side. */
    private int idle;
    /** Heads of the keys in {@code [0, directLimit)}, by key; {@link #NO_DIRECT} until the first such key. */
    private long[] direct = NO_DIRECT;
    /** Keys below this are direct; the first hashed position. */
    private int directLimit;
    /** Direct keys with a record on either side. */
    private int directLive;

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
        directLimit = Math.min(capacity, MAX_DIRECT_KEYS);
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
        if (Long.compareUnsigned(key, direct.length) < 0)
        {
            return (int)key;
        }
        final int i = findHashed(key);
        return i == ABSENT ? ABSENT : directLimit + i;
    }

    private int findHashed(final long key)
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
     * Loads the entry each key's {@link #find} reads first (its direct entry or its first probe), one independent load
     * per key, so that a loop over many keys overlaps their cache misses. Changes nothing.
     *
     * @param keys to look at.
     * @param from first index in {@code keys}.
     * @param to   one past the last.
     * @return a value depending on what was loaded, for the caller to keep (so the loads are not dropped).
     */
    long touch(final long[] keys, final int from, final int to)
    {
        final long[] table = this.table;
        final long[] direct = this.direct;
        final int mask = this.mask;
        long touched = 0;
        for (int i = from; i < to; i++)
        {
            final long key = keys[i];
            touched += Long.compareUnsigned(key, direct.length) < 0 ? direct[(int)key] : table[((hash(key) & mask) << 1) + 1];
        }
        return touched;
    }

    /**
     * Position of a key, added idle (both chains empty) if absent. May rebuild the hashed table, moving every hashed
     * position.
     */
    int findOrAdd(final long key)
    {
        if (Long.compareUnsigned(key, directLimit) < 0)
        {
            if (direct.length == 0)
            {
                growDirect(directLimit);
            }
            return (int)key;
        }
        final int found = findHashed(key);
        if (found != ABSENT)
        {
            return directLimit + found;
        }
        if ((used + 1) * 2L > mask + 1L)
        {
            rebuild();
            if (Long.compareUnsigned(key, directLimit) < 0)
            {
                // The rebuild widened the direct range over this key.
                if (direct.length == 0)
                {
                    growDirect(directLimit);
                }
                return (int)key;
            }
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
        return directLimit + i;
    }

    /**
     * Head of one side's chain at a position.
     *
     * @param side {@link JoinResultHandler#LEFT} (0) or {@link JoinResultHandler#RIGHT} (1).
     */
    int head(final int position, final int side)
    {
        final long value = position < directLimit ? direct[position] : table[((position - directLimit) << 1) + 1];
        return (int)(side == 0 ? value >>> 32 : value & LOW) - 2;
    }

    /**
     * Sets the head of one side's chain at a position ({@link #NONE} for an empty chain).
     */
    void head(final int position, final int side, final int slot)
    {
        if (position < directLimit)
        {
            final long value = direct[position];
            final long next = withHead(value, side, slot);
            directLive += (value == IDLE ? 1 : 0) - (next == IDLE ? 1 : 0);
            direct[position] = next;
        }
        else
        {
            final int at = ((position - directLimit) << 1) + 1;
            final long value = table[at];
            final long next = withHead(value, side, slot);
            idle += (next == IDLE ? 1 : 0) - (value == IDLE ? 1 : 0);
            table[at] = next;
        }
    }

    private static long withHead(final long value, final int side, final int slot)
    {
        return side == 0 ? ((long)(slot + 2) << 32) | (value & LOW) : (value & ~LOW) | ((slot + 2) & LOW);
    }

    /**
     * Forget every key.
     */
    void clear()
    {
        Arrays.fill(table, FREE);
        Arrays.fill(direct, IDLE);
        used = 0;
        idle = 0;
        directLive = 0;
    }

    int keysWithRecords()
    {
        return used - idle + directLive;
    }

    private void growDirect(final int length)
    {
        final int from = direct.length;
        direct = Arrays.copyOf(direct, length);
        Arrays.fill(direct, from, length, IDLE);
    }

    private void rebuild()
    {
        final int live = used - idle;
        int capacity = mask + 1;
        if ((live + 1) * 4L > capacity)
        {
            capacity <<= 1;
        }
        final int limit = Math.min(capacity, MAX_DIRECT_KEYS);
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
        int moved = 0;
        for (int i = 0, n = from.length; i < n; i += 2)
        {
            final long value = from[i + 1];
            if (value != FREE && value != IDLE)
            {
                final long key = from[i];
                if (Long.compareUnsigned(key, limit) < 0)
                {
                    // A hashed key the wider direct range now covers.
                    if (direct.length < limit)
                    {
                        growDirect(limit);
                    }
                    direct[(int)key] = value;
                    directLive++;
                    continue;
                }
                int j = hash(key) & toMask;
                while (to[(j << 1) + 1] != FREE)
                {
                    j = (j + 1) & toMask;
                }
                to[j << 1] = key;
                to[(j << 1) + 1] = value;
                moved++;
            }
        }
        if (direct.length != 0 && direct.length < limit)
        {
            growDirect(limit);
        }
        spare = from.length == to.length ? from : new long[to.length];
        table = to;
        mask = toMask;
        directLimit = limit;
        used = moved;
        idle = 0;
    }
}
