package io.sluice.engine.window;

import io.sluice.schema.Decimals;
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
 * The built-in count, sum, min, max and avg over LONG, DOUBLE and DECIMAL fields are folded,
 * merged and read inline ({@link Aggregators#kindOf}) with the same arithmetic as their
 * {@link PrimitiveAggregator} implementations, so a layout of several of them costs no
 * (megamorphic) interface call per aggregator per event; other aggregators (first, last, user
 * ones) go through their interface. An empty row is a copy of a template row reset once at construction
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
    /**
     * For the most common layout, one count and one sum of a LONG field (in either order): where the
     * count and the sum live in a row and the field summed, so {@link #accumulate} adds both without
     * the per-aggregate loop and switch; {@code countAt} is -1 for any other layout.
     */
    private final int countAt;
    private final int sumAt;
    private final int sumField;
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
        final boolean countAndSum = kinds.length == 2 && kinds[0] != kinds[1] &&
            (kinds[0] == Aggregators.COUNT || kinds[0] == Aggregators.SUM_LONG) &&
            (kinds[1] == Aggregators.COUNT || kinds[1] == Aggregators.SUM_LONG);
        final int sum = countAndSum && kinds[0] == Aggregators.SUM_LONG ? 0 : 1;
        this.countAt = countAndSum ? offsets[1 - sum] : -1;
        this.sumAt = countAndSum ? offsets[sum] : -1;
        this.sumField = countAndSum ? fields[sum] : -1;
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

    /**
     * Where the first count aggregate is in a row: a row with events has it above 0.
     *
     * @return its offset in the row, -1 if the layout has no count.
     */
    int countOffset()
    {
        for (int i = 0; i < kinds.length; i++)
        {
            if (kinds[i] == Aggregators.COUNT)
            {
                return offsets[i];
            }
        }
        return -1;
    }

    /**
     * Whether folding a window's events in any grouping and order gives the same bits: true when every aggregator
     * is a count or a sum, min, max or avg of a LONG field (integer arithmetic; min and max of longs pick the same
     * value). Double sums round differently when grouped differently, min and max of doubles may keep 0.0 or -0.0
     * by arrival, DECIMAL sums overflow by the running sum, and first, last and user aggregators are not known.
     *
     * @return whether the layout's results are independent of how the events are grouped into panes.
     */
    boolean regroupsExactly()
    {
        for (final int kind : kinds)
        {
            if (!Aggregators.foldsLongsExactly(kind))
            {
                return false;
            }
        }
        return true;
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
        if (countAt >= 0)
        {
            state[base + countAt]++;
            state[base + sumAt] += values.longValue(sumField);
            return;
        }
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
                    state[at] = addDouble(state[at], values.doubleValue(fields[i]));
                    break;
                case Aggregators.MIN_LONG:
                    state[at] = Math.min(state[at], values.longValue(fields[i]));
                    break;
                case Aggregators.MAX_LONG:
                    state[at] = Math.max(state[at], values.longValue(fields[i]));
                    break;
                case Aggregators.MIN_DOUBLE:
                    state[at] = minDouble(state[at], values.doubleValue(fields[i]));
                    break;
                case Aggregators.MAX_DOUBLE:
                    state[at] = maxDouble(state[at], values.doubleValue(fields[i]));
                    break;
                case Aggregators.AVG_LONG:
                    state[at] += values.longValue(fields[i]);
                    state[at + 1]++;
                    break;
                case Aggregators.AVG_DOUBLE:
                    state[at] = addDouble(state[at], values.doubleValue(fields[i]));
                    state[at + 1]++;
                    break;
                case Aggregators.SUM_DECIMAL:
                    state[at] = Decimals.addOrOverflow(state[at], values.longValue(fields[i]));
                    break;
                case Aggregators.AVG_DECIMAL:
                    state[at] = Decimals.addOrOverflow(state[at], values.longValue(fields[i]));
                    state[at + 1]++;
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
                    intoState[to] = addDouble(intoState[to], Double.longBitsToDouble(fromState[source]));
                    break;
                case Aggregators.MIN_LONG:
                    intoState[to] = Math.min(intoState[to], fromState[source]);
                    break;
                case Aggregators.MAX_LONG:
                    intoState[to] = Math.max(intoState[to], fromState[source]);
                    break;
                case Aggregators.MIN_DOUBLE:
                    intoState[to] = minDouble(intoState[to], Double.longBitsToDouble(fromState[source]));
                    break;
                case Aggregators.MAX_DOUBLE:
                    intoState[to] = maxDouble(intoState[to], Double.longBitsToDouble(fromState[source]));
                    break;
                case Aggregators.AVG_LONG:
                    intoState[to] += fromState[source];
                    intoState[to + 1] += fromState[source + 1];
                    break;
                case Aggregators.AVG_DOUBLE:
                    intoState[to] = addDouble(intoState[to], Double.longBitsToDouble(fromState[source]));
                    intoState[to + 1] += fromState[source + 1];
                    break;
                case Aggregators.SUM_DECIMAL:
                    intoState[to] = Decimals.addOrOverflow(intoState[to], fromState[source]);
                    break;
                case Aggregators.AVG_DECIMAL:
                    intoState[to] = Decimals.addOrOverflow(intoState[to], fromState[source]);
                    intoState[to + 1] += fromState[source + 1];
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
        final int at = resultBase + offsets[aggregate];
        final long[] state = resultArray;
        switch (kinds[aggregate])
        {
            case Aggregators.COUNT:
            case Aggregators.SUM_LONG:
            case Aggregators.MIN_LONG:
            case Aggregators.MAX_LONG:
                return state[at];
            case Aggregators.SUM_DOUBLE:
            case Aggregators.MIN_DOUBLE:
            case Aggregators.MAX_DOUBLE:
                return (long)Double.longBitsToDouble(state[at]);
            case Aggregators.AVG_LONG:
            case Aggregators.AVG_DOUBLE:
                return (long)average(kinds[aggregate], state, at);
            default:
                return aggregators[aggregate].resultAsLong(from.wrap(state, at));
        }
    }

    @Override
    public double doubleValue(final int aggregate)
    {
        final int at = resultBase + offsets[aggregate];
        final long[] state = resultArray;
        switch (kinds[aggregate])
        {
            case Aggregators.COUNT:
            case Aggregators.SUM_LONG:
            case Aggregators.MIN_LONG:
            case Aggregators.MAX_LONG:
                return state[at];
            case Aggregators.SUM_DOUBLE:
            case Aggregators.MIN_DOUBLE:
            case Aggregators.MAX_DOUBLE:
                return Double.longBitsToDouble(state[at]);
            case Aggregators.AVG_LONG:
            case Aggregators.AVG_DOUBLE:
                return average(kinds[aggregate], state, at);
            default:
                return aggregators[aggregate].resultAsDouble(from.wrap(state, at));
        }
    }

    /** The avg aggregators' result: sum (as a double) over count. */
    private static double average(final int kind, final long[] state, final int at)
    {
        final double sum = kind == Aggregators.AVG_DOUBLE ? Double.longBitsToDouble(state[at]) : (double)state[at];
        return sum / state[at + 1];
    }

    private static long addDouble(final long bits, final double value)
    {
        return Double.doubleToRawLongBits(Double.longBitsToDouble(bits) + value);
    }

    // A NaN value compares false either way, so it is ignored (as the min and max aggregators do).
    private static long minDouble(final long bits, final double value)
    {
        return value < Double.longBitsToDouble(bits) ? Double.doubleToRawLongBits(value) : bits;
    }

    private static long maxDouble(final long bits, final double value)
    {
        return value > Double.longBitsToDouble(bits) ? Double.doubleToRawLongBits(value) : bits;
    }
}
