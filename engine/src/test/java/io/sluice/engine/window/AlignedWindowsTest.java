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
}
