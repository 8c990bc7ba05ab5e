package io.sluice.perf;

import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;
import io.sluice.schema.EventValues;

/**
 * The 64-byte benchmark event of the engine benchmarks (DESIGN.md: "64-byte events, 10k keys,
 * tumbling count+sum") and the deterministic input stream they all share.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                         key (LONG)                            |  0
 *  +---------------------------------------------------------------+
 *  |                      ts (TIMESTAMP, ms)                       |  8
 *  +---------------------------------------------------------------+
 *  |                       amount (DOUBLE)                         | 16
 *  +---------------------------------------------------------------+
 *  |          sched (LONG, System.nanoTime() it was due)           | 24
 *  +---------------------------------------------------------------+
 *  |                qty, pad1, pad2, pad3 (LONG x 4)               | 32
 *  +---------------------------------------------------------------+
 * </pre>
 * Each 64-bit field takes two rows of the diagram in Schema's own drawings; one row per field here.
 * <p>
 * Input stream: event {@code i} has key {@code KEYS_TABLE[i & MASK]} (uniform over the key count,
 * drawn once from a fixed seed), event time {@code i >> timeShift} ms (so {@code 1000 << timeShift}
 * events per second of event time, in order) and amount {@code (i & 1023) * 0.25}.
 */
final class BenchEvents
{
    /** The 64-byte schema. */
    static final Schema SCHEMA = Schema.builder("bench")
        .longField("key").timestampField("ts").doubleField("amount").longField("sched")
        .longField("qty").longField("pad1").longField("pad2").longField("pad3").build();
    /** Field indexes. */
    static final int KEY = 0;
    static final int TS = 1;
    static final int AMOUNT = 2;
    static final int SCHED = 3;
    static final int QTY = 4;
    /** Length of the key table: a power of two. */
    static final int TABLE_LENGTH = 1 << 20;
    static final int MASK = TABLE_LENGTH - 1;

    static
    {
        if (SCHEMA.length() != 64)
        {
            throw new IllegalStateException("benchmark schema must be 64 bytes: " + SCHEMA.describeLayout());
        }
    }

    private BenchEvents()
    {
    }

    /**
     * A table of keys uniform over {@code [0, keys)}, from a fixed seed.
     *
     * @param keys distinct keys.
     * @return {@link #TABLE_LENGTH} keys.
     */
    static long[] keyTable(final int keys)
    {
        final long[] table = new long[TABLE_LENGTH];
        long x = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < TABLE_LENGTH; i++)
        {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            table[i] = Long.remainderUnsigned(x, keys);
        }
        return table;
    }

    /**
     * Amount of event {@code i}.
     *
     * @param i index of the event.
     * @return its amount.
     */
    static double amount(final long i)
    {
        return (i & 1023) * 0.25;
    }

    /**
     * Writes event {@code i} of the stream through a flyweight already wrapped for write.
     *
     * @param event     flyweight over the 64 bytes to write.
     * @param keyTable  from {@link #keyTable(int)}.
     * @param i         index of the event.
     * @param timeShift events per ms = {@code 1 << timeShift}.
     * @param sched     System.nanoTime() the event was due, or 0.
     */
    static void write(final EventFlyweight event, final long[] keyTable, final long i, final int timeShift, final long sched)
    {
        event.putLong(KEY, keyTable[(int)i & MASK]).putLong(TS, i >> timeShift).putDouble(AMOUNT, amount(i))
            .putLong(SCHED, sched).putLong(QTY, i);
    }

    /**
     * A mutable {@link EventValues} for driving operators directly (field {@link #AMOUNT} as a
     * double, everything else as the long {@code value}).
     */
    static final class Values implements EventValues
    {
        double amount;
        long value;

        @Override
        public long longValue(final int field)
        {
            return field == AMOUNT ? (long)amount : value;
        }

        @Override
        public double doubleValue(final int field)
        {
            return field == AMOUNT ? amount : value;
        }
    }
}
