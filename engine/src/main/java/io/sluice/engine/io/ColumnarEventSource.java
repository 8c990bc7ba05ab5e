package io.sluice.engine.io;

import io.sluice.schema.Schema;

/**
 * Events of one topic for a {@link Backtest}, handed over a batch at a time as columns
 * ({@link Backtest#replayColumns}): the source writes the key, the event time and every value of up to
 * {@link EventColumns#capacity()} events into their fields' columns, with no call, flyweight write or decode per
 * event. The schema's fields must all be LONG or TIMESTAMP ({@link EventColumns}).
 *
 * <p>When the pipeline is a window first (tumbling, sliding or hopping, an overlapping window spanning at most 16 panes
 * of {@code gcd(size, hop)}; counts and sums, minima, maxima and averages of long fields; no allowed lateness or early
 * results) and it is the only pipeline, the
 * batch goes to the window as columns, whose state is laid out for it (see the engine's columnar window kernel);
 * otherwise the backtest reads the columns event by event. Either way the results are those of
 * {@link Backtest#replayEvents} over the same events, in the same order.
 *
 * <pre>{@code
 *   long[] key = ..., value = ..., ts = ...;            // 1M orders in memory
 *   Backtest.replayColumns(List.of(pipeline),
 *       Map.of("orders", ColumnarEventSource.of(ORDER, 1_000_000, key, value, ts)), new BacktestOptions().partitions(1));
 * }</pre>
 *
 * <p>Threading: called on the backtest's thread only, one batch at a time.
 */
@FunctionalInterface
public interface ColumnarEventSource
{
    /**
     * Writes the next events into the columns, event {@code i} at index {@code i} of every field's column, from 0.
     *
     * @param columns to fill, of the topic's schema; their previous contents are not needed any more.
     * @return events written, from 1 to {@link EventColumns#capacity()}; 0 when there are no more (the source is
     *         not called again).
     */
    int fill(EventColumns columns);

    /**
     * Events held in one array per field, read once, in order.
     *
     * @param schema of the events (every field LONG or TIMESTAMP).
     * @param count  of events, from index 0 of every array.
     * @param fields one array per field of the schema, in field order, each holding at least {@code count} values.
     * @return a source copying them into the columns, a batch at a time.
     * @throws IllegalArgumentException if the arrays do not match the schema's fields or hold fewer than {@code count}.
     */
    static ColumnarEventSource of(final Schema schema, final int count, final long[]... fields)
    {
        if (fields.length != schema.fieldCount())
        {
            throw new IllegalArgumentException(fields.length + " arrays for the " + schema.fieldCount() + " fields of schema '" +
                schema.name() + "'");
        }
        for (int f = 0; f < fields.length; f++)
        {
            if (count < 0 || fields[f].length < count)
            {
                throw new IllegalArgumentException("field '" + schema.field(f).name() + "' holds " + fields[f].length + " values, " +
                    count + " events given");
            }
        }
        final int[] next = {0};
        return columns ->
        {
            final int from = next[0];
            final int n = Math.min(columns.capacity(), count - from);
            for (int f = 0; f < fields.length; f++)
            {
                System.arraycopy(fields[f], from, columns.column(f), 0, n);
            }
            next[0] = from + n;
            return n;
        };
    }
}
