package io.sluice.engine.window;

import io.sluice.schema.Decimals;
import io.sluice.schema.EventValues;

/**
 * Built-in aggregates over a numeric event field, read as long or double through
 * {@link EventValues}. All are allocation free and keep their state in primitive slots.
 * <p>
 * Conventions: min and max of doubles ignore NaN; first and last choose by event time, ties
 * going to the earliest (first) or latest (last) arrival; avg returns {@code sum / count} as a
 * double (its long result truncates); integer sums wrap on overflow as Java {@code long} does.
 */
public final class Aggregators
{
    /** {@link #kindOf}: an aggregator the layout calls through its interface. */
    static final int GENERIC = 0;
    /** {@link #kindOf}: {@link #count()}. */
    static final int COUNT = 1;
    /** {@link #kindOf}: {@link #sumLong(int)}. */
    static final int SUM_LONG = 2;
    /** {@link #kindOf}: {@link #sumDouble(int)}. */
    static final int SUM_DOUBLE = 3;
    /** {@link #kindOf}: {@link #minLong(int)}. */
    static final int MIN_LONG = 4;
    /** {@link #kindOf}: {@link #maxLong(int)}. */
    static final int MAX_LONG = 5;
    /** {@link #kindOf}: {@link #minDouble(int)}. */
    static final int MIN_DOUBLE = 6;
    /** {@link #kindOf}: {@link #maxDouble(int)}. */
    static final int MAX_DOUBLE = 7;
    /** {@link #kindOf}: {@link #avgLong(int)}. */
    static final int AVG_LONG = 8;
    /** {@link #kindOf}: {@link #avgDouble(int)}. */
    static final int AVG_DOUBLE = 9;
    /** {@link #kindOf}: {@link #sumDecimal(int, String)}. */
    static final int SUM_DECIMAL = 10;
    /** {@link #kindOf}: {@link #avgDecimal(int, String, int)}. */
    static final int AVG_DECIMAL = 11;

    private Aggregators()
    {
    }

    /**
     * Whether a kind is a count or a sum, min, max or avg of a LONG field: integer arithmetic, so folding its
     * events in any grouping and order gives the same bits (what {@link AggregateLayout#regroupsExactly()} and
     * {@link ColumnarWindowOperator#supports} rely on).
     *
     * @param kind one of the kinds of {@link #kindOf}.
     * @return whether it folds longs exactly.
     */
    static boolean foldsLongsExactly(final int kind)
    {
        switch (kind)
        {
            case COUNT:
            case SUM_LONG:
            case MIN_LONG:
            case MAX_LONG:
            case AVG_LONG:
                return true;
            default:
                return false;
        }
    }

    /**
     * Which built-in the aggregator is, for {@link AggregateLayout} to inline its arithmetic on
     * the hot path instead of a (megamorphic) interface call per aggregator per event.
     *
     * @param aggregator any aggregator.
     * @return one of the kinds above ({@link #COUNT} ... {@link #AVG_DECIMAL}), or {@link #GENERIC} for an
     *         aggregator the layout calls through its interface (first, last, user aggregators).
     */
    static int kindOf(final PrimitiveAggregator aggregator)
    {
        if (aggregator instanceof Count)
        {
            return COUNT;
        }
        if (aggregator instanceof Sum sum)
        {
            return sum.doubleField ? SUM_DOUBLE : SUM_LONG;
        }
        if (aggregator instanceof MinMax minMax)
        {
            return minMax.doubleField ? (minMax.min ? MIN_DOUBLE : MAX_DOUBLE) : (minMax.min ? MIN_LONG : MAX_LONG);
        }
        if (aggregator instanceof Avg avg)
        {
            return avg.doubleField ? AVG_DOUBLE : AVG_LONG;
        }
        if (aggregator instanceof DecimalSum decimal)
        {
            return decimal.average ? AVG_DECIMAL : SUM_DECIMAL;
        }
        return GENERIC;
    }

    /**
     * The field a built-in field aggregator reads.
     *
     * @param aggregator any aggregator.
     * @return the field index, -1 for an aggregator of no field.
     */
    static int fieldOf(final PrimitiveAggregator aggregator)
    {
        if (aggregator instanceof DecimalSum decimal)
        {
            return decimal.field;
        }
        return aggregator instanceof FieldAggregator fieldAggregator ? fieldAggregator.field : -1;
    }

    /**
     * Number of events.
     *
     * @return a count aggregator.
     */
    public static PrimitiveAggregator count()
    {
        return new Count();
    }

    /**
     * Sum of a long field.
     *
     * @param field index of the field.
     * @return a sum aggregator.
     */
    public static PrimitiveAggregator sumLong(final int field)
    {
        return new Sum(field, false);
    }

    /**
     * Sum of a double field.
     *
     * @param field index of the field.
     * @return a sum aggregator.
     */
    public static PrimitiveAggregator sumDouble(final int field)
    {
        return new Sum(field, true);
    }

    /**
     * Minimum of a long field.
     *
     * @param field index of the field.
     * @return a min aggregator.
     */
    public static PrimitiveAggregator minLong(final int field)
    {
        return new MinMax(field, false, true);
    }

    /**
     * Maximum of a long field.
     *
     * @param field index of the field.
     * @return a max aggregator.
     */
    public static PrimitiveAggregator maxLong(final int field)
    {
        return new MinMax(field, false, false);
    }

    /**
     * Minimum of a double field, ignoring NaN.
     *
     * @param field index of the field.
     * @return a min aggregator.
     */
    public static PrimitiveAggregator minDouble(final int field)
    {
        return new MinMax(field, true, true);
    }

    /**
     * Maximum of a double field, ignoring NaN.
     *
     * @param field index of the field.
     * @return a max aggregator.
     */
    public static PrimitiveAggregator maxDouble(final int field)
    {
        return new MinMax(field, true, false);
    }

    /**
     * Average of a long field, summed exactly as a long.
     *
     * @param field index of the field.
     * @return an avg aggregator.
     */
    public static PrimitiveAggregator avgLong(final int field)
    {
        return new Avg(field, false);
    }

    /**
     * Average of a double field.
     *
     * @param field index of the field.
     * @return an avg aggregator.
     */
    public static PrimitiveAggregator avgDouble(final int field)
    {
        return new Avg(field, true);
    }

    /**
     * Value of a long field in the event with the smallest event time.
     *
     * @param field index of the field.
     * @return a first aggregator.
     */
    public static PrimitiveAggregator firstLong(final int field)
    {
        return new FirstLast(field, false, true);
    }

    /**
     * Value of a double field in the event with the smallest event time.
     *
     * @param field index of the field.
     * @return a first aggregator.
     */
    public static PrimitiveAggregator firstDouble(final int field)
    {
        return new FirstLast(field, true, true);
    }

    /**
     * Value of a long field in the event with the largest event time.
     *
     * @param field index of the field.
     * @return a last aggregator.
     */
    public static PrimitiveAggregator lastLong(final int field)
    {
        return new FirstLast(field, false, false);
    }

    /**
     * Value of a double field in the event with the largest event time.
     *
     * @param field index of the field.
     * @return a last aggregator.
     */
    public static PrimitiveAggregator lastDouble(final int field)
    {
        return new FirstLast(field, true, false);
    }

    /**
     * Exact sum of a DECIMAL field: the unscaled values are added as longs (the sum has the field's
     * scale). A sum beyond the 18 digits of a DECIMAL never wraps: it becomes {@link Decimals#OVERFLOW}
     * and stays so (printed {@code OVERFLOW}); the window stage counts each such result as an error
     * under its policy. Nothing is thrown mid-update, so the window's state stays consistent.
     *
     * @param field index of the DECIMAL field.
     * @param name  of the field (for descriptions).
     * @return a sum aggregator.
     */
    public static PrimitiveAggregator sumDecimal(final int field, final String name)
    {
        return new DecimalSum(field, name, false, 0);
    }

    /**
     * Average of a DECIMAL field as a double: the exact sum of its unscaled values divided by the count
     * and by {@code 10^scale}; NaN once the sum overflows 18 digits (as {@link #sumDecimal}).
     *
     * @param field index of the DECIMAL field.
     * @param name  of the field (for descriptions).
     * @param scale of the field.
     * @return an avg aggregator.
     */
    public static PrimitiveAggregator avgDecimal(final int field, final String name, final int scale)
    {
        return new DecimalSum(field, name, true, scale);
    }

    /**
     * Sum (slot 0) and, for an average, count (slot 1) of a DECIMAL's unscaled values.
     */
    private static final class DecimalSum implements PrimitiveAggregator
    {
        private final int field;
        private final String name;
        private final boolean average;
        private final int scale;

        DecimalSum(final int field, final String name, final boolean average, final int scale)
        {
            this.field = field;
            this.name = name;
            this.average = average;
            this.scale = scale;
        }

        public int slots()
        {
            return average ? 2 : 1;
        }

        public void reset(final AggregateState state)
        {
            state.putLong(0, 0);
            if (average)
            {
                state.putLong(1, 0);
            }
        }

        public void accumulate(final AggregateState state, final long timestamp, final EventValues values)
        {
            state.putLong(0, Decimals.addOrOverflow(state.getLong(0), values.longValue(field)));
            if (average)
            {
                state.putLong(1, state.getLong(1) + 1);
            }
        }

        public void merge(final AggregateState into, final AggregateState from)
        {
            into.putLong(0, Decimals.addOrOverflow(into.getLong(0), from.getLong(0)));
            if (average)
            {
                into.putLong(1, into.getLong(1) + from.getLong(1));
            }
        }

        public long resultAsLong(final AggregateState state)
        {
            return average ? (long)resultAsDouble(state) : state.getLong(0);
        }

        public double resultAsDouble(final AggregateState state)
        {
            final long sum = state.getLong(0);
            if (!average || sum == Decimals.OVERFLOW)
            {
                return Decimals.toDouble(sum, scale);
            }
            // One correctly rounded division of exact values: the double nearest the true mean (110.28, not 110.27999999999999).
            return sum / ((double)state.getLong(1) * Decimals.powerOfTen(scale));
        }
    }

    private static final class Count implements PrimitiveAggregator
    {
        public int slots()
        {
            return 1;
        }

        public void reset(final AggregateState state)
        {
            state.putLong(0, 0);
        }

        public void accumulate(final AggregateState state, final long timestamp, final EventValues values)
        {
            state.putLong(0, state.getLong(0) + 1);
        }

        public void merge(final AggregateState into, final AggregateState from)
        {
            into.putLong(0, into.getLong(0) + from.getLong(0));
        }

        public long resultAsLong(final AggregateState state)
        {
            return state.getLong(0);
        }

        public double resultAsDouble(final AggregateState state)
        {
            return state.getLong(0);
        }
    }

    /**
     * An aggregator over one numeric field read as a long or a double. Its value slots hold a
     * long, or a double as the state stores it; the helpers here are the one place that tells
     * the two apart, so each aggregator's logic is written once for both types.
     */
    private abstract static class FieldAggregator implements PrimitiveAggregator
    {
        final int field;
        final boolean doubleField;

        FieldAggregator(final int field, final boolean doubleField)
        {
            this.field = field;
            this.doubleField = doubleField;
        }

        /**
         * Add the event's field to slot 0.
         *
         * @param state  to add to.
         * @param values of the event.
         */
        final void addValue(final AggregateState state, final EventValues values)
        {
            if (doubleField)
            {
                state.putDouble(0, state.getDouble(0) + values.doubleValue(field));
            }
            else
            {
                state.putLong(0, state.getLong(0) + values.longValue(field));
            }
        }

        /**
         * Add slot 0 of another state to slot 0.
         *
         * @param into to add to.
         * @param from to add.
         */
        final void addSlot(final AggregateState into, final AggregateState from)
        {
            if (doubleField)
            {
                into.putDouble(0, into.getDouble(0) + from.getDouble(0));
            }
            else
            {
                into.putLong(0, into.getLong(0) + from.getLong(0));
            }
        }

        /**
         * A value slot as a long, truncating a double.
         *
         * @param state holding the slot.
         * @param slot  index.
         * @return the value.
         */
        final long valueAsLong(final AggregateState state, final int slot)
        {
            return doubleField ? (long)state.getDouble(slot) : state.getLong(slot);
        }

        /**
         * A value slot as a double.
         *
         * @param state holding the slot.
         * @param slot  index.
         * @return the value.
         */
        final double valueAsDouble(final AggregateState state, final int slot)
        {
            return doubleField ? state.getDouble(slot) : (double)state.getLong(slot);
        }
    }

    private static final class Sum extends FieldAggregator
    {
        Sum(final int field, final boolean doubleField)
        {
            super(field, doubleField);
        }

        public int slots()
        {
            return 1;
        }

        public void reset(final AggregateState state)
        {
            if (doubleField)
            {
                state.putDouble(0, 0.0);
            }
            else
            {
                state.putLong(0, 0);
            }
        }

        public void accumulate(final AggregateState state, final long timestamp, final EventValues values)
        {
            addValue(state, values);
        }

        public void merge(final AggregateState into, final AggregateState from)
        {
            addSlot(into, from);
        }

        public long resultAsLong(final AggregateState state)
        {
            return valueAsLong(state, 0);
        }

        public double resultAsDouble(final AggregateState state)
        {
            return valueAsDouble(state, 0);
        }
    }

    private static final class MinMax extends FieldAggregator
    {
        private final boolean min;

        MinMax(final int field, final boolean doubleField, final boolean min)
        {
            super(field, doubleField);
            this.min = min;
        }

        public int slots()
        {
            return 1;
        }

        public void reset(final AggregateState state)
        {
            if (doubleField)
            {
                state.putDouble(0, min ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY);
            }
            else
            {
                state.putLong(0, min ? Long.MAX_VALUE : Long.MIN_VALUE);
            }
        }

        public void accumulate(final AggregateState state, final long timestamp, final EventValues values)
        {
            if (doubleField)
            {
                foldDouble(state, values.doubleValue(field));
            }
            else
            {
                foldLong(state, values.longValue(field));
            }
        }

        public void merge(final AggregateState into, final AggregateState from)
        {
            if (doubleField)
            {
                foldDouble(into, from.getDouble(0));
            }
            else
            {
                foldLong(into, from.getLong(0));
            }
        }

        private void foldLong(final AggregateState state, final long value)
        {
            if (min ? value < state.getLong(0) : value > state.getLong(0))
            {
                state.putLong(0, value);
            }
        }

        // A NaN value compares false either way, so it is ignored.
        private void foldDouble(final AggregateState state, final double value)
        {
            if (min ? value < state.getDouble(0) : value > state.getDouble(0))
            {
                state.putDouble(0, value);
            }
        }

        public long resultAsLong(final AggregateState state)
        {
            return valueAsLong(state, 0);
        }

        public double resultAsDouble(final AggregateState state)
        {
            return valueAsDouble(state, 0);
        }
    }

    private static final class Avg extends FieldAggregator
    {
        Avg(final int field, final boolean doubleField)
        {
            super(field, doubleField);
        }

        public int slots()
        {
            return 2;
        }

        public void reset(final AggregateState state)
        {
            state.putLong(0, doubleField ? Double.doubleToRawLongBits(0.0) : 0L);
            state.putLong(1, 0);
        }

        public void accumulate(final AggregateState state, final long timestamp, final EventValues values)
        {
            addValue(state, values);
            state.putLong(1, state.getLong(1) + 1);
        }

        public void merge(final AggregateState into, final AggregateState from)
        {
            addSlot(into, from);
            into.putLong(1, into.getLong(1) + from.getLong(1));
        }

        public long resultAsLong(final AggregateState state)
        {
            return (long)resultAsDouble(state);
        }

        public double resultAsDouble(final AggregateState state)
        {
            return valueAsDouble(state, 0) / state.getLong(1);
        }
    }

    private static final class FirstLast extends FieldAggregator
    {
        private final boolean first;

        FirstLast(final int field, final boolean doubleField, final boolean first)
        {
            super(field, doubleField);
            this.first = first;
        }

        public int slots()
        {
            return 2;
        }

        public void reset(final AggregateState state)
        {
            state.putLong(0, first ? Long.MAX_VALUE : Long.MIN_VALUE);
            state.putLong(1, 0);
        }

        public void accumulate(final AggregateState state, final long timestamp, final EventValues values)
        {
            final long current = state.getLong(0);
            // Ties: first keeps the earliest arrival, last takes the latest.
            if (first ? timestamp < current : timestamp >= current)
            {
                state.putLong(0, timestamp);
                state.putLong(1, doubleField ?
                    Double.doubleToRawLongBits(values.doubleValue(field)) : values.longValue(field));
            }
        }

        public void merge(final AggregateState into, final AggregateState from)
        {
            final long timestamp = from.getLong(0);
            if (first ? timestamp < into.getLong(0) : timestamp > into.getLong(0))
            {
                into.putLong(0, timestamp);
                into.putLong(1, from.getLong(1));
            }
        }

        public long resultAsLong(final AggregateState state)
        {
            return valueAsLong(state, 1);
        }

        public double resultAsDouble(final AggregateState state)
        {
            return valueAsDouble(state, 1);
        }
    }
}
