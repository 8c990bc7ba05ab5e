package io.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RatePlotTest
{
    @TempDir
    Path dir;

    @Test
    void shouldLabelTheLogarithmicYAxisInTimeUnitsAndTheXAxisInWholeRates()
    {
        assertThat(RatePlot.logTimeLabel(2.0)).isEqualTo("100 ns");
        assertThat(RatePlot.logTimeLabel(4.0)).isEqualTo("10 \u00b5s");
        assertThat(RatePlot.logTimeLabel(4.5)).isEqualTo("31.6 \u00b5s");
        assertThat(RatePlot.logTimeLabel(6.0)).isEqualTo("1 ms");
        assertThat(RatePlot.logTimeLabel(9.0)).isEqualTo("1 s");
        assertThat(RatePlot.rateLabel(999.9999819819823)).isEqualTo("1,000");
        assertThat(RatePlot.rateLabel(125_000.0)).isEqualTo("125,000");
        assertThat(RatePlot.rateLabel(12.5)).isEqualTo("12.5");
    }

    @Test
    void shouldWriteAPngOfASweep() throws Exception
    {
        final Histogram slow = new Histogram(3);
        final Histogram fast = new Histogram(3);
        for (int i = 1; i <= 1_000; i++)
        {
            fast.recordValue(10_000L + i);
            slow.recordValue(5_000_000L + 1_000L * i);
        }
        final List<RunResult.GroupResult> groups = List.of(
            new RunResult.GroupResult("rate-1000", 1_000, 999.9999819819823, 1_000, fast),
            new RunResult.GroupResult("rate-3000", 3_000, 2_999.5, 1_000, slow));
        final Path file = RatePlot.write(dir.resolve("rate.png"), groups);
        final BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image.getWidth()).isEqualTo(900);
        assertThat(image.getHeight()).isEqualTo(560);
    }
}
