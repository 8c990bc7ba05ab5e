package io.sluice.peers;

import java.util.List;

/**
 * The baseline: each query as a plain single-threaded loop over the workload's primitive arrays, with no journal,
 * no ring and no framework. Windows: one slot per open window in a small ring (start = k * hop, slot k mod R),
 * count and sum per key in primitive arrays, each slot's touched keys in a list so firing costs in proportion to
 * the keys seen, a window fired when the watermark (max ts - bound - 1) reaches its end - 1. Join: per key and
 * side a ring of (ts, value), evicted from its head by the watermark, scanned for partners within the bound.
 */
final class PlainLoop implements PeerSystem
{
    @Override
    public String name()
    {
        return "plain loop (1 thread)";
    }

    @Override
    public PeerRun run(final Query query, final Workload workload)
    {
        final Rows rows = new Rows(query.isJoin() ? workload.count * 3 : workload.count / 2);
        final long start;
        final long end;
        final long cpuStart;
        final long cpuEnd;
        if (query.isJoin())
        {
            final Join join = new Join(Workload.KEYS, 64, query.size);
            cpuStart = PeerRun.threadCpuNanos();
            start = System.nanoTime();
            join.run(workload, rows);
            end = System.nanoTime();
            cpuEnd = PeerRun.threadCpuNanos();
        }
        else
        {
            final Windows windows = new Windows(Workload.KEYS, query.size, query.hop);
            cpuStart = PeerRun.threadCpuNanos();
            start = System.nanoTime();
            windows.run(workload, rows);
            end = System.nanoTime();
            cpuEnd = PeerRun.threadCpuNanos();
        }
        return new PeerRun(end - start, List.of(rows), cpuEnd - cpuStart);
    }

    /** Aligned windows (tumbling, sliding, hopping with gaps) over a ring of window slots. */
    static final class Windows
    {
        private final int keys;
        private final long size;
        private final long hop;
        private final int slots;
        private final long[] slotStart;
        private final long[] count;
        private final long[] sum;
        private final int[] touched;
        private final int[] touchedCount;

        Windows(final int keys, final long size, final long hop)
        {
            this.keys = keys;
            this.size = size;
            this.hop = hop;
            // Open windows start within (max ts - bound - size, max ts]: at most this many hops apart.
            this.slots = (int)((size + Workload.BOUND_MS + hop - 1) / hop) + 2;
            this.slotStart = new long[slots];
            java.util.Arrays.fill(slotStart, Long.MIN_VALUE);
            this.count = new long[slots * keys];
            this.sum = new long[slots * keys];
            this.touched = new int[slots * keys];
            this.touchedCount = new int[slots];
        }

        void run(final Workload w, final Rows rows)
        {
            final long[] keyOf = w.key;
            final long[] valueOf = w.value;
            final long[] tsOf = w.ts;
            long maxTs = Long.MIN_VALUE;
            long nextToFire = Math.floorDiv(tsOf[0] - Workload.DISORDER_MS - size, hop);
            for (int i = 0, n = w.count; i < n; i++)
            {
                final long t = tsOf[i];
                final int key = (int)keyOf[i];
                final long v = valueOf[i];
                for (long k = Math.floorDiv(t, hop); k * hop > t - size; k--)
                {
                    final int slot = (int)Math.floorMod(k, (long)slots);
                    final long start = k * hop;
                    if (slotStart[slot] != start)
                    {
                        if (touchedCount[slot] != 0)
                        {
                            throw new IllegalStateException("plain loop: window slot " + slot + " still holds window " + slotStart[slot]);
                        }
                        slotStart[slot] = start;
                    }
                    final int at = slot * keys + key;
                    if (count[at]++ == 0)
                    {
                        touched[slot * keys + touchedCount[slot]++] = key;
                    }
                    sum[at] += v;
                }
                if (t > maxTs)
                {
                    maxTs = t;
                    final long watermark = maxTs - Workload.BOUND_MS - 1;
                    while (nextToFire * hop + size - 1 <= watermark)
                    {
                        fire(nextToFire++, rows);
                    }
                }
            }
            for (long k = nextToFire, last = Math.floorDiv(maxTs, hop); k <= last; k++)
            {
                fire(k, rows);
            }
        }

        private void fire(final long k, final Rows rows)
        {
            final int slot = (int)Math.floorMod(k, (long)slots);
            final long start = k * hop;
            if (slotStart[slot] != start)
            {
                return;
            }
            final int base = slot * keys;
            for (int i = 0, n = touchedCount[slot]; i < n; i++)
            {
                final int key = touched[base + i];
                rows.add(key, start, start + size, count[base + key], sum[base + key]);
                count[base + key] = 0;
                sum[base + key] = 0;
            }
            touchedCount[slot] = 0;
            slotStart[slot] = Long.MIN_VALUE;
        }
    }

    /** Interval join: per key and side a ring of (ts, value). */
    static final class Join
    {
        private final int capacity;
        private final long bound;
        private final long[][] ts = new long[2][];
        private final long[][] value = new long[2][];
        private final int[][] head = new int[2][];
        private final int[][] size = new int[2][];

        Join(final int keys, final int capacity, final long bound)
        {
            this.capacity = capacity;
            this.bound = bound;
            for (int side = 0; side < 2; side++)
            {
                ts[side] = new long[keys * capacity];
                value[side] = new long[keys * capacity];
                head[side] = new int[keys];
                size[side] = new int[keys];
            }
        }

        void run(final Workload w, final Rows rows)
        {
            long maxTs = Long.MIN_VALUE;
            for (int i = 0, n = w.count; i < n; i++)
            {
                final int side = w.type[i];
                final int other = 1 - side;
                final int key = (int)w.key[i];
                final long t = w.ts[i];
                final long v = w.value[i];
                // Nothing older than this can match an event still to come (each is at most the bound behind max).
                final long horizon = maxTs - Workload.BOUND_MS - 1 - bound;
                evict(other, key, horizon);
                final long[] otherTs = ts[other];
                final long[] otherValue = value[other];
                final int base = key * capacity;
                for (int j = 0, h = head[other][key], s = size[other][key]; j < s; j++)
                {
                    final int at = base + ((h + j) & (capacity - 1));
                    final long p = otherTs[at];
                    if (p >= t - bound && p <= t + bound)
                    {
                        if (side == Workload.ORDER)
                        {
                            rows.add(key, t, p, v, otherValue[at]);
                        }
                        else
                        {
                            rows.add(key, p, t, otherValue[at], v);
                        }
                    }
                }
                evict(side, key, horizon);
                final int s = size[side][key];
                if (s == capacity)
                {
                    throw new IllegalStateException("plain join: more than " + capacity + " live entries for key " + key);
                }
                final int at = base + ((head[side][key] + s) & (capacity - 1));
                ts[side][at] = t;
                value[side][at] = v;
                size[side][key] = s + 1;
                maxTs = Math.max(maxTs, t);
            }
        }

        private void evict(final int side, final int key, final long horizon)
        {
            final long[] sideTs = ts[side];
            final int base = key * capacity;
            int h = head[side][key];
            int s = size[side][key];
            while (s > 0 && sideTs[base + h] < horizon)
            {
                h = (h + 1) & (capacity - 1);
                s--;
            }
            head[side][key] = h;
            size[side][key] = s;
        }
    }
}
