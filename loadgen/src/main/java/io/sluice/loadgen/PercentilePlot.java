package io.sluice.loadgen;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.HdrHistogram.Histogram;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A latency-by-percentile plot of HdrHistograms of nanoseconds (PNG, headless), as HdrHistogram's
 * plotter draws them: the x axis is {@code log10(1 / (1 - p))}, labelled in percentiles (90%, 99%,
 * 99.9% ...), so that each further nine of the tail gets as much room as the body; the y axis is
 * linear, labelled with units (ns, µs, ms, s). The last point of each series is its maximum.
 */
public final class PercentilePlot
{
    /** Rightmost tick: 99.9999%. */
    private static final int NINES = 6;

    private PercentilePlot()
    {
    }

    /**
     * Writes the plot.
     *
     * @param file   PNG to write.
     * @param title  of the chart.
     * @param series label to histogram of nanoseconds, in legend order; empty histograms are left out.
     * @return the file.
     * @throws IOException if it cannot be written.
     */
    public static Path write(final Path file, final String title, final Map<String, Histogram> series) throws IOException
    {
        // Before AWT's first use: no display is needed (or wanted) to render a PNG.
        System.setProperty("java.awt.headless", "true");
        final XYChart chart = new XYChartBuilder().width(960).height(600).title(title)
            .xAxisTitle("percentile").yAxisTitle("latency").build();
        // A linear y axis, as HdrHistogram's own plotter: XChart's logarithmic axis ignores custom tick labels' values.
        chart.getStyler().setMarkerSize(0).setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.setCustomXAxisTickLabelsFormatter(PercentilePlot::percentileLabel);
        chart.setCustomYAxisTickLabelsFormatter(PercentilePlot::timeLabel);
        for (final Map.Entry<String, Histogram> entry : series.entrySet())
        {
            final Histogram h = entry.getValue();
            if (h.getTotalCount() == 0)
            {
                continue;
            }
            final List<Double> xs = new ArrayList<>();
            final List<Double> ys = new ArrayList<>();
            for (double x = 0; x <= NINES + 1e-9; x += 0.02)
            {
                final double percentile = 100.0 * (1 - Math.pow(10, -x));
                xs.add(x);
                ys.add((double)h.getValueAtPercentile(percentile));
            }
            xs.add(NINES + 0.2);
            ys.add((double)h.getMaxValue());
            final XYSeries line = chart.addSeries(entry.getKey(), xs, ys);
            line.setMarker(SeriesMarkers.NONE);
        }
        if (chart.getSeriesMap().isEmpty())
        {
            chart.addSeries("no events", new double[] {0, 1}, new double[] {1, 1});
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    /**
     * The label of an x tick: the percentile it stands for, whole numbers of nines exactly (1 = 90%,
     * 2 = 99%, 3 = 99.9% ...), ticks between them to the digits that tell them apart (1.5 = 96.8%).
     *
     * @param x log10(1 / (1 - p)).
     * @return the label.
     */
    static String percentileLabel(final Double x)
    {
        final long nines = Math.round(x);
        // Every label distinct: XChart's tick placement never settles on an axis with repeated labels.
        if (Math.abs(x - nines) < 1e-6 && nines >= 0)
        {
            return nines == 0 ? "0%" : nines == 1 ? "90%" : "99" + (nines > 2 ? "." + "9".repeat((int)nines - 2) : "") + "%";
        }
        final double percentile = 100.0 * (1 - Math.pow(10, -x));
        return String.format(Locale.ROOT, "%." + Math.max(1, (int)Math.ceil(x) - 1) + "f%%", percentile);
    }

    /**
     * The label of a y tick: nanoseconds in the largest unit that keeps the number at least 1; zero
     * without a unit (it is zero in every unit).
     *
     * @param nanos the value.
     * @return the label, such as "10 µs" or "2.50 ms".
     */
    static String timeLabel(final Double nanos)
    {
        final double v = nanos;
        if (v == 0)
        {
            return "0";
        }
        if (v >= 1e9)
        {
            return number(v / 1e9) + " s";
        }
        if (v >= 1e6)
        {
            return number(v / 1e6) + " ms";
        }
        if (v >= 1e3)
        {
            return number(v / 1e3) + " \u00b5s";
        }
        return number(v) + " ns";
    }

    private static String number(final double v)
    {
        return Math.abs(v - Math.rint(v)) < 1e-9 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3g", v);
    }
}
