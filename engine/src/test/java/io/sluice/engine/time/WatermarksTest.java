package io.sluice.engine.time;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WatermarksTest
{
    @Test
    void shouldTrailMaxEventTimeByBoundPlusOne()
    {
        final WatermarkGenerator watermarks = Watermarks.boundedOutOfOrderness(5);

        assertThat(watermarks.watermark()).isEqualTo(WatermarkGenerator.NO_WATERMARK);
        assertThat(watermarks.onEvent(100)).isEqualTo(94);
        assertThat(watermarks.onEvent(90)).isEqualTo(94);
        assertThat(watermarks.onEvent(101)).isEqualTo(95);
    }

    @Test
    void shouldHandleNegativeEventTimes()
    {
        final WatermarkGenerator watermarks = Watermarks.boundedOutOfOrderness(0);

        assertThat(watermarks.onEvent(-10)).isEqualTo(-11);
    }

    @Test
    void shouldNeverMoveBackwards()
    {
        final WatermarkGenerator watermarks = Watermarks.boundedOutOfOrderness(0);

        watermarks.advanceTo(1000);
        assertThat(watermarks.onEvent(10)).isEqualTo(1000);
        assertThat(watermarks.advanceTo(5)).isEqualTo(1000);
    }

    @Test
    void shouldAdvanceIdlePartitionFromJournaledTicksOnlyAfterTimeout()
    {
        final WatermarkGenerator watermarks = Watermarks.boundedOutOfOrderness(10, 100);

        watermarks.onEvent(1000);
        assertThat(watermarks.onProcessingTime(5000)).isEqualTo(989);
        assertThat(watermarks.onProcessingTime(5099)).isEqualTo(989);
        assertThat(watermarks.onProcessingTime(5100)).isEqualTo(5089);
        watermarks.onEvent(1);
        assertThat(watermarks.onProcessingTime(5150)).isEqualTo(5089);
        assertThat(watermarks.onProcessingTime(5200)).isEqualTo(5089);
        assertThat(watermarks.onProcessingTime(5250)).isEqualTo(5239);
    }

    @Test
    void shouldIgnoreTicksWithoutIdleTimeout()
    {
        final WatermarkGenerator watermarks = Watermarks.boundedOutOfOrderness(10);

        watermarks.onEvent(50);
        watermarks.onProcessingTime(0);
        assertThat(watermarks.onProcessingTime(1_000_000)).isEqualTo(39);
    }

    @Test
    void shouldFollowTicksInProcessingTimeMode()
    {
        final WatermarkGenerator watermarks = Watermarks.processingTime();

        assertThat(watermarks.onEvent(100)).isEqualTo(99);
        assertThat(watermarks.onProcessingTime(150)).isEqualTo(149);
    }

    @Test
    void shouldMoveToEndOfTimeAtEndOfInput()
    {
        final WatermarkGenerator watermarks = Watermarks.boundedOutOfOrderness(10);

        assertThat(watermarks.endOfInput()).isEqualTo(Long.MAX_VALUE);
        assertThat(watermarks.onEvent(5)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void shouldRestoreExactStateFromSnapshot()
    {
        final WatermarkGenerator original = Watermarks.boundedOutOfOrderness(10, 100);
        original.onEvent(1000);
        original.onProcessingTime(7);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        assertThat(original.snapshotTo(buffer, 4)).isEqualTo(original.snapshotLength());

        final WatermarkGenerator restored = Watermarks.boundedOutOfOrderness(10, 100);
        assertThat(restored.restoreFrom(buffer, 4)).isEqualTo(original.snapshotLength());

        assertThat(restored.watermark()).isEqualTo(989);
        assertThat(restored.onProcessingTime(107)).isEqualTo(original.onProcessingTime(107));
        assertThat(restored.onEvent(1001)).isEqualTo(original.onEvent(1001));
    }

    @Test
    void shouldRejectNegativeBound()
    {
        assertThatThrownBy(() -> Watermarks.boundedOutOfOrderness(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
