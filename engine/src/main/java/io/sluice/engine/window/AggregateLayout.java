package io.sluice.engine.window;

import io.sluice.schema.EventValues;

/**
 * The configured aggregators laid out side by side in one row of {@code stride} long slots, and
 * the {@link WindowResult} view over such a row.
 * <pre>
 *  row base
 *  v
 *  +-----------------+-----------------+-----+-----------------+
 *  | aggregator 0    | aggregator 1    | ... | aggregator n-1  |
 *  | slots() longs   | slots() longs   |     | slots() longs   |
 *  +-----------------+-----------------+-----+-----------------+
 *  |<------------------------- stride ------------------------>|
 * </pre>
 * Not thread safe: owned by one operator.
 */
final class AggregateLayout implements WindowResult
{
    private final PrimitiveAggregator[] aggregators;
    private final int[] offsets;
    private final int stride;
    private final SlotFlyweight into = new SlotFlyweight();
    private final SlotFlyweight from = new SlotFlyweight();
    private long[] resultArray;
    private int resultBase;

    AggregateLayout(final PrimitiveAggregator[] aggregators)
    {
        this.aggregators = aggregators.clone();
        this.offsets = new int[aggregators.length];
        int stride = 0;
        for (int i = 0; i < aggregators.length; i++)
        {
            offsets[i] = stride;
            stride += aggregators[i].slots();
        }
        this.stride = stride;
    }

    int stride()
    {
        return stride;
    }

    void reset(final long[] state, final int base)
    {
        for (int i = 0; i < aggregators.length; i++)
        {
            aggregators[i].reset(into.wrap(state, base + offsets[i]));
        }
    }

    void accumulate(final long[] state, final int base, final long timestamp, final EventValues values)
    {
        for (int i = 0; i < aggregators.length; i++)
        {
            aggregators[i].accumulate(into.wrap(state, base + offsets[i]), timestamp, values);
        }
    }

    void merge(final long[] intoState, final int intoBase, final long[] fromState, final int fromBase)
    {
        for (int i = 0; i < aggregators.length; i++)
        {
            aggregators[i].merge(into.wrap(intoState, intoBase + offsets[i]), from.wrap(fromState, fromBase + offsets[i]));
        }
    }

    WindowResult wrapResult(final long[] state, final int base)
    {
        resultArray = state;
        resultBase = base;
        return this;
    }

    @Override
    public int aggregateCount()
    {
        return aggregators.length;
    }

    @Override
    public long longValue(final int aggregate)
    {
        return aggregators[aggregate].resultAsLong(from.wrap(resultArray, resultBase + offsets[aggregate]));
    }

    @Override
    public double doubleValue(final int aggregate)
    {
        return aggregators[aggregate].resultAsDouble(from.wrap(resultArray, resultBase + offsets[aggregate]));
    }
}
