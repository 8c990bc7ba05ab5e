package io.sluice.engine.window;

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
    private Aggregators()
    {
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
        return new SumLong(field);
    }

    /**
     * Sum of a double field.
     *
     * @param field index of the field.
     * @return a sum aggregator.
     */
    public static PrimitiveAggregator sumDouble(final int field)
    {
        return new SumDouble(field);
    }

    /**
     * Minimum of a long field.
     *
     * @param field index of the field.
     * @return a min aggregator.
     */
    public static PrimitiveAggregator minLong(final int field)
    {
        return new MinMaxLong(field, true);
    }

    /**
     * Maximum of a long field.
     *
     * @param field index of the field.
     * @return a max aggregator.
     */
    public static PrimitiveAggregator maxLong(final int field)
    {
        return new MinMaxLong(field, false);
    }

    /**
     * Minimum of a double field, ignoring NaN.
     *
     * @param field index of the field.
     * @return a min aggregator.
     */
    public static PrimitiveAggregator minDouble(final int field)
    {
        return new MinMaxDouble(field, true);
    }

    /**
     * Maximum of a double field, ignoring NaN.
     *
     * @param field index of the field.
     * @return a max aggregator.
     */
    public static PrimitiveAggregator maxDouble(final int field)
    {
        return new MinMaxDouble(field, false);
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

    private static final class SumLong implements PrimitiveAggregator
    {
        private final int field;

        SumLong(final int field)
        {
            this.field = field;
        }

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
            state.putLong(0, state.getLong(0) + values.longValue(field));
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

    private static final class SumDouble implements PrimitiveAggregator
    {
        private final int field;

        SumDouble(final int field)
        {
            this.field = field;
        }

        public int slots()
        {
            return 1;
        }

        public void reset(final AggregateState state)
        {
            state.putDouble(0, 0.0);
        }

        public void accumulate(final AggregateState state, final long timestamp, final EventValues values)
        {
            state.putDouble(0, state.getDouble(0) + values.doubleValue(field));
        }

        public void merge(final AggregateState into, final AggregateState from)
        {
            into.putDouble(0, into.getDouble(0) + from.getDouble(0));
        }

        public long resultAsLong(final AggregateState state)
        {
            return (long)state.getDouble(0);
        }

        public double resultAsDouble(final AggregateState state)
        {
            return state.getDouble(0);
        }
    }

    private static final class MinMaxLong implements PrimitiveAggregator
    {
        private final int field;
        private final boolean min;

        MinMaxLong(final int field, final boolean min)
        {
            this.field = field;
            this.min = min;
        }

        public int slots()
        {
            return 1;
        }

        public void reset(final AggregateState state)
        {
            state.putLong(0, min ? Long.MAX_VALUE : Long.MIN_VALUE);
        }

        public void accumulate(final AggregateState state, final long timestamp, final EventValues values)
        {
            fold(state, values.longValue(field));
        }

        public void merge(final AggregateState into, final AggregateState from)
        {
            fold(into, from.getLong(0));
        }

        private void fold(final AggregateState state, final long value)
        {
            final long current = state.getLong(0);
            if (min ? value < current : value > current)
            {
                state.putLong(0, value);
            }
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

    private static final class MinMaxDouble implements PrimitiveAggregator
    {
        private final int field;
        private final boolean min;

        MinMaxDouble(final int field, final boolean min)
        {
            this.field = field;
            this.min = min;
        }

        public int slots()
        {
            return 1;
        }

        public void reset(final AggregateState state)
        {
            state.putDouble(0, min ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY);
        }

        public void accumulate(final AggregateState state, final long timestamp, final EventValues values)
        {
            fold(state, values.doubleValue(field));
        }

        public void merge(final AggregateState into, final AggregateState from)
        {
            fold(into, from.getDouble(0));
        }

        private void fold(final AggregateState state, final double value)
        {
            final double current = state.getDouble(0);
            if (min ? value < current : value > current)
            {
                state.putDouble(0, value);
            }
        }

        public long resultAsLong(final AggregateState state)
        {
            return (long)state.getDouble(0);
        }

        public double resultAsDouble(final AggregateState state)
        {
            return state.getDouble(0);
        }
    }

    private static final class Avg implements PrimitiveAggregator
    {
        private final int field;
        private final boolean doubleField;

        Avg(final int field, final boolean doubleField)
        {
            this.field = field;
            this.doubleField = doubleField;
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
            if (doubleField)
            {
                state.putDouble(0, state.getDouble(0) + values.doubleValue(field));
            }
            else
            {
                state.putLong(0, state.getLong(0) + values.longValue(field));
            }
            state.putLong(1, state.getLong(1) + 1);
        }

        public void merge(final AggregateState into, final AggregateState from)
        {
            if (doubleField)
            {
                into.putDouble(0, into.getDouble(0) + from.getDouble(0));
            }
            else
            {
                into.putLong(0, into.getLong(0) + from.getLong(0));
            }
            into.putLong(1, into.getLong(1) + from.getLong(1));
        }

        public long resultAsLong(final AggregateState state)
        {
            return (long)resultAsDouble(state);
        }

        public double resultAsDouble(final AggregateState state)
        {
            final double sum = doubleField ? state.getDouble(0) : (double)state.getLong(0);
            return sum / state.getLong(1);
        }
    }

    private static final class FirstLast implements PrimitiveAggregator
    {
        private final int field;
        private final boolean doubleField;
        private final boolean first;

        FirstLast(final int field, final boolean doubleField, final boolean first)
        {
            this.field = field;
            this.doubleField = doubleField;
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
            return doubleField ? (long)Double.longBitsToDouble(state.getLong(1)) : state.getLong(1);
        }

        public double resultAsDouble(final AggregateState state)
        {
            return doubleField ? Double.longBitsToDouble(state.getLong(1)) : (double)state.getLong(1);
        }
    }
}
