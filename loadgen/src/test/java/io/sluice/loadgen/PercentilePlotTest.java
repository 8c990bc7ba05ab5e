package io.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.imageio.ImageIO;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PercentilePlotTest
{
    @TempDir
    Path dir;

    @Test
    void shouldLabelTheXAxisInPercentilesAndTheYAxisInTimeUnits()
    {
        assertThat(PercentilePlot.percentileLabel(1.0)).isEqualTo("90%");
        assertThat(PercentilePlot.percentileLabel(2.0)).isEqualTo("99%");
        assertThat(PercentilePlot.percentileLabel(3.0)).isEqualTo("99.9%");
        assertThat(PercentilePlot.percentileLabel(5.0)).isEqualTo("99.999%");
        assertThat(PercentilePlot.percentileLabel(1.5)).isEqualTo("96.8%");
        assertThat(PercentilePlot.timeLabel(100.0)).isEqualTo("100 ns");
        assertThat(PercentilePlot.timeLabel(10_000.0)).isEqualTo("10 \u00b5s");
        assertThat(PercentilePlot.timeLabel(0.0)).isEqualTo("0");
        assertThat(PercentilePlot.timeLabel(2_500_000.0)).isEqualTo("2.50 ms");
        assertThat(PercentilePlot.timeLabel(1e9)).isEqualTo("1 s");
    }

    @Test
    void shouldWriteAPngWithOneSeriesPerNonEmptyHistogram() throws Exception
    {
        final Histogram fast = new Histogram(3);
        final Histogram slow = new Histogram(3);
        for (int i = 1; i <= 10_000; i++)
        {
            fast.recordValue(1_000 + i);
            slow.recordValue(100_000 + 10L * i);
        }
        final Map<String, Histogram> series = new LinkedHashMap<>();
        series.put("fast", fast);
        series.put("slow", slow);
        series.put("empty", new Histogram(3));
        final Path file = PercentilePlot.write(dir.resolve("plot.png"), "test", series);
        final BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image.getWidth()).isEqualTo(960);
        assertThat(image.getHeight()).isEqualTo(600);
    }
}
