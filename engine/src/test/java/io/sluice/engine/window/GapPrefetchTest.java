package io.sluice.engine.window;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.sluice.engine.time.Watermarks;

/**
 * {@link WindowOperator#prefetch(long[], long[], int)} of windows with gaps (hop > size) hints only the keys of the
 * events that fall in a window: what it loads is what the keys-only hint loads for those events alone, across hops,
 * with an offset and with times before 0; without gaps it hints every key. The operators hold
 * {@link DenseWindowOperator#PREFETCH_MIN_KEYS} keys besides the one hinted, so that the dense operator's prefetch runs
 * (below that it loads nothing: {@link DensePrefetchThresholdTest}).
 */
class GapPrefetchTest
{
    private static final long KEY = 42;

    private static WindowOperator operator(final WindowOperatorContext context)
    {
        final WindowOperator operator = context.watermarks(Watermarks.boundedOutOfOrderness(1_000))
            .aggregators(Aggregators.count(), Aggregators.sumLong(0)).resultHandler((key, start, end, flags, result) -> { }).build();
        final TestEvent event = new TestEvent().set(5, 0);
        // Rows for the key in several windows, each with a count and a sum that are not 0.
        for (final long time : new long[]{-8, -1, 1, 3, 11, 13, 22})
        {
            operator.onEvent(KEY, time, event);
        }
        // Time 3 is in a window of every layout below.
        for (int other = 1; other <= DenseWindowOperator.PREFETCH_MIN_KEYS; other++)
        {
            operator.onEvent(KEY + other, 3, event);
        }
        return operator;
    }

    @Test
    void shouldHintOnlyTheEventsInAWindowWhenWindowsHaveGaps()
    {
        // Windows [10k, 10k + 6): gaps [6, 10), [16, 20), [-4, 0).
        final WindowOperator hopping = operator(new WindowOperatorContext().hopping(6, 10));

        assertThat(hopping.prefetch(keys(3), new long[]{7, 8, -3}, 3)).isZero();
        final long one = hopping.prefetch(keys(1), 1);
        assertThat(one).isNotZero();
        assertThat(hopping.prefetch(keys(1), new long[]{2}, 1)).isEqualTo(one);
        assertThat(hopping.prefetch(keys(6), new long[]{2, 8, 13, 17, 21, -2}, 6)).isEqualTo(hopping.prefetch(keys(3), 3));
        assertThat(hopping.prefetch(keys(4), new long[]{-10, -5, -4, 5}, 4)).isEqualTo(hopping.prefetch(keys(3), 3));
    }

    @Test
    void shouldApplyTheWindowsOffsetToTheGaps()
    {
        // Windows [10k + 3, 10k + 9): gaps [9, 13), [-1, 3).
        final WindowOperator shifted = operator(new WindowOperatorContext().hopping(6, 10).offset(3));

        assertThat(shifted.prefetch(keys(4), new long[]{9, 12, -1, 2}, 4)).isZero();
        assertThat(shifted.prefetch(keys(4), new long[]{3, 8, 13, 18}, 4)).isEqualTo(shifted.prefetch(keys(4), 4)).isNotZero();
    }

    @Test
    void shouldHintEveryKeyWithoutGaps()
    {
        final WindowOperator tumbling = operator(new WindowOperatorContext().tumbling(6));

        assertThat(tumbling.prefetch(keys(3), new long[]{7, 8, -3}, 3)).isEqualTo(tumbling.prefetch(keys(3), 3)).isNotZero();
    }

    private static long[] keys(final int count)
    {
        final long[] keys = new long[count];
        java.util.Arrays.fill(keys, KEY);
        return keys;
    }
}
