package io.sluice.peers;

/**
 * The four queries of the comparison. Windows are epoch-aligned {@code [start, end)}; an event at {@code t}
 * belongs to every window with {@code start = k * hop} and {@code start <= t < start + size}, including windows
 * that start before 0; a window's result is {@code (key, start, end, count, sum(value))}. J1 pairs an order at
 * {@code t} with a payment of its key at {@code p} when {@code |t - p| <= 2 s} (inner), as rows
 * {@code (key, order ts, payment ts, order value, payment value)}.
 */
enum Query
{
    /** Tumbling 6 s, count + sum. */
    W1("tumbling 6 s, count+sum", 6_000, 6_000),
    /** Sliding 6 s every 2 s, count + sum. */
    W2("sliding 6 s / 2 s, count+sum", 6_000, 2_000),
    /** Hopping 6 s every 10 s (4 s gaps), count + sum. */
    W3("hopping 6 s every 10 s (gaps), count+sum", 6_000, 10_000),
    /** Interval join of orders and payments, +-2 s, inner. */
    J1("interval join orders/payments +-2 s", 2_000, 2_000);

    final String description;
    /** Window size, or the join's bound. */
    final long size;
    /** Window hop, or the join's bound. */
    final long hop;

    Query(final String description, final long size, final long hop)
    {
        this.description = description;
        this.size = size;
        this.hop = hop;
    }

    boolean isJoin()
    {
        return this == J1;
    }
}
