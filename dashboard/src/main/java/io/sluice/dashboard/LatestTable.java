package io.sluice.dashboard;

import org.agrona.DirectBuffer;

/**
 * The latest output per key of one partition of one pipeline: an open-addressing table of
 * {@link SlotDescriptor} slots, fixed in size, so a sink can keep it on the partition thread without
 * allocating and the dashboard can read it on its own thread without locks.
 *
 * <p>Lossy by design: a key is looked for in {@value #PROBES} slots from its hash; a key that finds
 * neither itself nor a free slot replaces the probed slot with the oldest event time (counted in
 * {@link #evictions()}), so the table holds the most recent keys when there are more keys than slots.
 *
 * <p>Threading: {@link #record} on the partition thread only (single writer); reads on the dashboard
 * thread.
 */
final class LatestTable extends SlotBuffer
{
    static final int PROBES = 8;

    private final int mask;
    private long evictions;

    LatestTable(final int capacity, final int rowCapacity)
    {
        super(capacity, rowCapacity);
        if (Integer.bitCount(capacity) != 1)
        {
            throw new IllegalArgumentException("capacity must be a power of two, was " + capacity);
        }
        this.mask = capacity - 1;
    }

    void record(final long key, final long timestamp, final long sequence, final DirectBuffer row, final int offset, final int length)
    {
        final int home = (int)(mix(key) & mask);
        int target = -1;
        int oldest = home;
        long oldestTimestamp = Long.MAX_VALUE;
        for (int i = 0; i < PROBES; i++)
        {
            final int slot = (home + i) & mask;
            if (isEmpty(slot) || keyOf(slot) == key)
            {
                target = slot;
                break;
            }
            final long slotTimestamp = timestampOf(slot);
            if (slotTimestamp < oldestTimestamp)
            {
                oldestTimestamp = slotTimestamp;
                oldest = slot;
            }
        }
        if (target < 0)
        {
            target = oldest;
            evictions++;
        }
        write(target, key, timestamp, sequence, 0, row, offset, length);
    }

    long evictions()
    {
        return evictions;
    }

    private static long mix(final long key)
    {
        final long h = key * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 29);
    }
}
