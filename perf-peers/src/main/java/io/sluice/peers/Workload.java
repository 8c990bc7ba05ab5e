package io.sluice.peers;

import java.util.PriorityQueue;

/**
 * The generated input every system of the comparison reads, held in primitive arrays (generation is never timed).
 * <ul>
 *   <li>Orders {@code (key, value, ts)}: keys uniform over {@link #KEYS}, values in [1, 1000].</li>
 *   <li>{@link #EVENTS_PER_MS} events per ms of event time: event {@code i} is due at {@code i / 10} ms and its
 *       timestamp is up to {@link #DISORDER_MS} behind that (never below 0), so every timestamp is at most
 *       500 ms behind the largest before it (checked as the events are generated) and, with the watermark bound of
 *       {@link #BOUND_MS}, no event is ever late in any system.</li>
 *   <li>With payments (query J1): for about one order in two, a payment {@code (key, value, ts)} for the order's
 *       key, timestamped 0-500 ms after the order, placed in the sequence when its time is due; orders and payments
 *       share the one sequence (and its 10 events per ms).</li>
 * </ul>
 * Deterministic for a seed. Threading: built on one thread, then read-only.
 */
final class Workload
{
    /** Distinct keys. */
    static final int KEYS = 10_000;
    /** Events per ms of event time. */
    static final int EVENTS_PER_MS = 10;
    /** Largest distance of a timestamp behind the largest before it. */
    static final long DISORDER_MS = 500;
    /** Watermark bound (max out-of-orderness) every system is given. */
    static final long BOUND_MS = 500;
    /** Type of an order event. */
    static final byte ORDER = 0;
    /** Type of a payment event. */
    static final byte PAYMENT = 1;

    final byte[] type;
    final long[] key;
    final long[] value;
    final long[] ts;
    final int count;
    final int orders;
    final long maxTs;

    private Workload(final byte[] type, final long[] key, final long[] value, final long[] ts, final int count, final int orders)
    {
        this.type = type;
        this.key = key;
        this.value = value;
        this.ts = ts;
        this.count = count;
        this.orders = orders;
        long max = 0;
        for (int i = 0; i < count; i++)
        {
            max = Math.max(max, ts[i]);
        }
        this.maxTs = max;
    }

    /**
     * Orders only (W1-W3).
     *
     * @param orders to generate.
     * @param seed   of the generator.
     * @return the workload.
     */
    static Workload orders(final int orders, final long seed)
    {
        return generate(orders, false, seed, KEYS);
    }

    /**
     * Orders only over fewer keys than {@link #KEYS}, otherwise as {@link #orders(int, long)}: for measuring what the
     * size of the keyed state costs ({@link LiveCostMain}'s {@code keys}).
     *
     * @param orders to generate.
     * @param seed   of the generator.
     * @param keys   distinct keys, 1 to {@link #KEYS}.
     * @return the workload.
     */
    static Workload orders(final int orders, final long seed, final int keys)
    {
        if (keys < 1 || keys > KEYS)
        {
            throw new IllegalArgumentException("keys must be 1 to " + KEYS + ", was " + keys);
        }
        return generate(orders, false, seed, keys);
    }

    /**
     * Orders with about one payment per two orders, interleaved (J1).
     *
     * @param orders to generate.
     * @param seed   of the generator.
     * @return the workload.
     */
    static Workload ordersAndPayments(final int orders, final long seed)
    {
        return generate(orders, true, seed, KEYS);
    }

    private static Workload generate(final int orders, final boolean payments, final long seed, final int keys)
    {
        final int capacity = payments ? orders + orders / 2 + 1024 : orders;
        byte[] type = new byte[capacity];
        long[] key = new long[capacity];
        long[] value = new long[capacity];
        long[] ts = new long[capacity];
        final SplitMix random = new SplitMix(seed);
        final PriorityQueue<long[]> pending = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
        int n = 0;
        int ordersMade = 0;
        long maxTs = 0;
        for (long slot = 0; ordersMade < orders || !pending.isEmpty(); slot++)
        {
            if (n == type.length)
            {
                final int grown = n + (n >> 2) + 1024;
                type = java.util.Arrays.copyOf(type, grown);
                key = java.util.Arrays.copyOf(key, grown);
                value = java.util.Arrays.copyOf(value, grown);
                ts = java.util.Arrays.copyOf(ts, grown);
            }
            final long due = slot / EVENTS_PER_MS;
            final long[] head = pending.peek();
            if (head != null && (head[0] <= due || ordersMade == orders))
            {
                pending.poll();
                type[n] = PAYMENT;
                ts[n] = head[0];
                key[n] = head[1];
                value[n] = head[2];
            }
            else
            {
                type[n] = ORDER;
                ts[n] = Math.max(0, due - random.below(DISORDER_MS + 1));
                key[n] = random.below(keys);
                value[n] = 1 + random.below(1000);
                ordersMade++;
                if (payments && random.below(2) == 0)
                {
                    pending.add(new long[] {ts[n] + random.below(DISORDER_MS + 1), key[n], 1 + random.below(1000)});
                }
            }
            if (ts[n] < maxTs - DISORDER_MS)
            {
                throw new IllegalStateException("generator broke its own bound: event " + n + " at " + ts[n] +
                    " is more than " + DISORDER_MS + " ms behind " + maxTs);
            }
            maxTs = Math.max(maxTs, ts[n]);
            n++;
        }
        return new Workload(type, key, value, ts, n, ordersMade);
    }

    /** Number of payments. */
    int payments()
    {
        return count - orders;
    }

    /** SplitMix64: small, fast, fixed sequence for a seed. */
    static final class SplitMix
    {
        private long state;

        SplitMix(final long seed)
        {
            this.state = seed;
        }

        long next()
        {
            long z = (state += 0x9E3779B97F4A7C15L);
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        long below(final long bound)
        {
            return Long.remainderUnsigned(next(), bound);
        }
    }
}
