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
 * Built-in count and sums are folded inline ({@link Aggregators#kindOf}), other aggregators
 * through their interface; an empty row is a copy of a template row reset once at construction
 * (aggregators are stateless and deterministic, so every reset writes the same slots).
 * <p>
 * Not thread safe: owned by one operator.
 */
final class AggregateLayout implements WindowResult
{
    private final PrimitiveAggregator[] aggregators;
    private final int[] offsets;
    private final int[] kinds;
    private final int[] fields;
    private final long[] emptyRow;
    private final int stride;
    private final SlotFlyweight into = new SlotFlyweight();
    private final SlotFlyweight from = new SlotFlyweight();
    private long[] resultArray;
    private int resultBase;

    AggregateLayout(final PrimitiveAggregator[] aggregators)
    {
        this.aggregators = aggregators.clone();
        this.offsets = new int[aggregators.length];
        this.kinds = new int[aggregators.length];
        this.fields = new int[aggregators.length];
        int stride = 0;
        for (int i = 0; i < aggregators.length; i++)
        {
            offsets[i] = stride;
            kinds[i] = Aggregators.kindOf(aggregators[i]);
            fields[i] = Aggregators.fieldOf(aggregators[i]);
            stride += aggregators[i].slots();
        }
        this.stride = stride;
        this.emptyRow = new long[stride];
        for (int i = 0; i < aggregators.length; i++)
        {
            aggregators[i].reset(into.wrap(emptyRow, offsets[i]));
        }
    }

    int stride()
    {
        return stride;
    }

    void reset(final long[] state, final int base)
    {
        final long[] empty = emptyRow;
        for (int i = 0; i < empty.length; i++)
        {
            state[base + i] = empty[i];
        }
    }

    void accumulate(final long[] state, final int base, final long timestamp, final EventValues values)
    {
        for (int i = 0; i < kinds.length; i++)
        {
            final int at = base + offsets[i];
            switch (kinds[i])
            {
                case Aggregators.COUNT:
                    state[at]++;
                    break;
                case Aggregators.SUM_LONG:
                    state[at] += values.longValue(fields[i]);
                    break;
                case Aggregators.SUM_DOUBLE:
                    state[at] = Double.doubleToRawLongBits(Double.longBitsToDouble(state[at]) + values.doubleValue(fields[i]));
                    break;
                default:
                    aggregators[i].accumulate(into.wrap(state, at), timestamp, values);
                    break;
            }
        }
    }

    void merge(final long[] intoState, final int intoBase, final long[] fromState, final int fromBase)
    {
        for (int i = 0; i < kinds.length; i++)
        {
            final int to = intoBase + offsets[i];
            final int source = fromBase + offsets[i];
            switch (kinds[i])
            {
                case Aggregators.COUNT:
                case Aggregators.SUM_LONG:
                    intoState[to] += fromState[source];
                    break;
                case Aggregators.SUM_DOUBLE:
                    intoState[to] = Double.doubleToRawLongBits(
                        Double.longBitsToDouble(intoState[to]) + Double.longBitsToDouble(fromState[source]));
                    break;
                default:
                    aggregators[i].merge(into.wrap(intoState, to), from.wrap(fromState, source));
                    break;
            }
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
