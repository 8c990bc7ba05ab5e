package io.sluice.engine.window;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AggregatorsTest
{
    private final long[] state = new long[4];
    private final long[] other = new long[4];
    private final SlotFlyweight flyweight = new SlotFlyweight().wrap(state, 0);
    private final SlotFlyweight otherFlyweight = new SlotFlyweight().wrap(other, 0);
    private final TestEvent event = new TestEvent();

    @Test
    void shouldKeepEarliestArrivalForFirstOnTiedTimestamps()
    {
        final PrimitiveAggregator first = Aggregators.firstLong(0);
        first.reset(flyweight);

        first.accumulate(flyweight, 5, event.set(1, 0));
        first.accumulate(flyweight, 5, event.set(2, 0));
        first.accumulate(flyweight, 6, event.set(3, 0));

        assertThat(first.resultAsLong(flyweight)).isEqualTo(1);
    }

    @Test
    void shouldKeepLatestArrivalForLastOnTiedTimestamps()
    {
        final PrimitiveAggregator last = Aggregators.lastDouble(1);
        last.reset(flyweight);

        last.accumulate(flyweight, 5, event.set(0, 1.5));
        last.accumulate(flyweight, 5, event.set(0, 2.5));
        last.accumulate(flyweight, 4, event.set(0, 3.5));

        assertThat(last.resultAsDouble(flyweight)).isEqualTo(2.5);
        assertThat(last.resultAsLong(flyweight)).isEqualTo(2);
    }

    @Test
    void shouldMergeFirstAndLastByEventTime()
    {
        final PrimitiveAggregator first = Aggregators.firstDouble(1);
        first.reset(flyweight);
        first.reset(otherFlyweight);
        first.accumulate(flyweight, 10, event.set(0, 1.0));
        first.accumulate(otherFlyweight, 3, event.set(0, 7.0));

        first.merge(flyweight, otherFlyweight);

        assertThat(first.resultAsDouble(flyweight)).isEqualTo(7.0);
    }

    @Test
    void shouldIgnoreNaNInMinAndMax()
    {
        final PrimitiveAggregator min = Aggregators.minDouble(1);
        min.reset(flyweight);

        min.accumulate(flyweight, 1, event.set(0, 3.0));
        min.accumulate(flyweight, 2, event.set(0, Double.NaN));
        min.accumulate(flyweight, 3, event.set(0, -1.0));

        assertThat(min.resultAsDouble(flyweight)).isEqualTo(-1.0);
    }

    @Test
    void shouldAverageExactlySummedLongs()
    {
        final PrimitiveAggregator avg = Aggregators.avgLong(0);
        avg.reset(flyweight);

        avg.accumulate(flyweight, 1, event.set(Long.MAX_VALUE / 2, 0));
        avg.accumulate(flyweight, 2, event.set(2, 0));

        assertThat(avg.resultAsDouble(flyweight)).isEqualTo((Long.MAX_VALUE / 2 + 2) / 2.0);
        assertThat(avg.resultAsLong(flyweight)).isEqualTo((long)((Long.MAX_VALUE / 2 + 2) / 2.0));
    }

    @Test
    void shouldExposeCountAndSumsInBothViews()
    {
        final PrimitiveAggregator count = Aggregators.count();
        final PrimitiveAggregator sum = Aggregators.sumDouble(1);
        count.reset(flyweight);
        sum.reset(otherFlyweight);

        count.accumulate(flyweight, 1, event.set(0, 2.75));
        sum.accumulate(otherFlyweight, 1, event.set(0, 2.75));

        assertThat(count.resultAsDouble(flyweight)).isEqualTo(1.0);
        assertThat(sum.resultAsLong(otherFlyweight)).isEqualTo(2);
        assertThat(sum.resultAsDouble(otherFlyweight)).isEqualTo(2.75);
    }
}
