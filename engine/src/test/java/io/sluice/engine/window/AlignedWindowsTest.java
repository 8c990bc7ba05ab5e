package io.sluice.engine.window;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AlignedWindowsTest
{
    @Test
    void shouldUseGcdOfSizeAndHopAsPane()
    {
        assertThat(new AlignedWindows(3_600_000, 1000, 0, 0).pane).isEqualTo(1000);
        assertThat(new AlignedWindows(10, 4, 0, 0).pane).isEqualTo(2);
        assertThat(new AlignedWindows(6, 10, 0, 0).pane).isEqualTo(2);
        assertThat(new AlignedWindows(7, 3, 0, 0).pane).isEqualTo(1);
    }

    @Test
    void shouldPlacePaneInGapIntoNoWindow()
    {
        final AlignedWindows windows = new AlignedWindows(6, 10, 0, 0);

        final long pane = windows.paneOf(7);

        assertThat(windows.firstWindowOf(pane)).isGreaterThan(windows.lastWindowOf(pane));
        assertThat(windows.firstWindowOf(windows.paneOf(5))).isEqualTo(0);
        assertThat(windows.lastWindowOf(windows.paneOf(5))).isEqualTo(0);
    }

    @Test
    void shouldFloorNegativeTimesAndNormaliseNegativeOffset()
    {
        final AlignedWindows windows = new AlignedWindows(10, 5, -2, 0);

        assertThat(windows.offset).isEqualTo(3);
        final long pane = windows.paneOf(-1);
        assertThat(windows.windowStart(windows.firstWindowOf(pane))).isEqualTo(-7);
        assertThat(windows.windowStart(windows.lastWindowOf(pane))).isEqualTo(-2);
    }

    @Test
    void shouldNotOverflowAtEndOfTime()
    {
        final AlignedWindows windows = new AlignedWindows(6, 10, 4, 1L << 62);

        assertThat(windows.lastFiredWindow(Long.MAX_VALUE)).isPositive();
        assertThat(windows.firstLivePane(Long.MAX_VALUE)).isPositive();
    }

    @Test
    void shouldGiveTheFirstWatermarkAtWhichAWindowIsDue()
    {
        final java.util.Random random = new java.util.Random(12);
        for (int i = 0; i < 10_000; i++)
        {
            final long size = 1 + random.nextInt(20);
            final long hop = 1 + random.nextInt(20);
            final AlignedWindows windows = new AlignedWindows(size, hop, random.nextInt(50) - 25, 0);
            final long window = random.nextInt(2_000) - 1_000;
            final long due = windows.firingWatermark(window);
            assertThat(windows.lastFiredWindow(due)).as("size %d hop %d window %d", size, hop, window).isGreaterThanOrEqualTo(window);
            assertThat(windows.lastFiredWindow(due - 1)).as("size %d hop %d window %d", size, hop, window).isLessThan(window);
        }
    }

    @Test
    void shouldSaturateTheFiringWatermarkAtTheEndsOfTime()
    {
        final AlignedWindows windows = new AlignedWindows(6, 10, 4, 0);
        final long last = windows.lastFiredWindow(Long.MAX_VALUE);

        assertThat(windows.firingWatermark(last)).isLessThanOrEqualTo(Long.MAX_VALUE);
        assertThat(windows.lastFiredWindow(windows.firingWatermark(last))).isEqualTo(last);
        assertThat(windows.firingWatermark(last + 1)).isEqualTo(Long.MAX_VALUE);
        assertThat(windows.firingWatermark(Long.MIN_VALUE / 4)).isEqualTo(Long.MIN_VALUE);
    }
}
