package io.sluice.engine.window;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.sluice.engine.time.Watermarks;

/**
 * The dense operator's {@link WindowOperator#prefetch} loads nothing while it holds fewer than
 * {@link DenseWindowOperator#PREFETCH_MIN_KEYS} keys, and the run's keys' entries from that many on; the linked rows'
 * prefetch is not bounded so.
 */
class DensePrefetchThresholdTest
{
    private static final long KEY = 7;

    @Test
    void shouldPrefetchOnlyFromTheThresholdOfKeysHeld()
    {
        final WindowOperator operator = context().build();
        final TestEvent event = new TestEvent().set(5, 0);
        operator.onEvent(KEY, 1, event);
        for (int other = 1; other < DenseWindowOperator.PREFETCH_MIN_KEYS - 1; other++)
        {
            operator.onEvent(KEY + other, 2, event);
        }
        final long[] keys = {KEY, KEY + 1};

        assertThat(operator.prefetch(keys, 2)).isZero();
        assertThat(operator.prefetch(keys, new long[]{1, 2}, 2)).isZero();

        operator.onEvent(KEY + DenseWindowOperator.PREFETCH_MIN_KEYS, 3, event);

        assertThat(operator.prefetch(keys, 2)).isNotZero();
        assertThat(operator.prefetch(keys, new long[]{1, 2}, 2)).isEqualTo(operator.prefetch(keys, 2));
    }

    @Test
    void shouldPrefetchLinkedRowsWhateverTheKeysHeld()
    {
        final WindowOperator operator = context().denseSlots(false).build();
        operator.onEvent(KEY, 1, new TestEvent().set(5, 0));

        assertThat(operator.prefetch(new long[]{KEY}, 1)).isNotZero();
    }

    private static WindowOperatorContext context()
    {
        return new WindowOperatorContext().tumbling(6).watermarks(Watermarks.boundedOutOfOrderness(1_000))
            .aggregators(Aggregators.count(), Aggregators.sumLong(0)).resultHandler((key, start, end, flags, result) -> { });
    }
}
