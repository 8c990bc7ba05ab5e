package io.sluice.loadgen;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.HdrHistogram.Histogram;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The latency-vs-rate plot of a rate sweep (PNG, headless): p50, p99, p99.9 and max of each step
 * against the step's achieved rate. The y axis is logarithmic, as a sweep's latencies span orders of
 * magnitude, and labelled in time units (ns, µs, ms, s) as {@link PercentilePlot}'s; the x axis is
 * labelled in whole events per second.
 *
 * <p>XChart's own logarithmic axis labels its ticks with the raw numbers ({@code 1E4}) and ignores a
 * custom formatter's values, so the plot draws {@code log10(nanoseconds)} on a linear axis and labels
 * each tick with the time it stands for.
 */
final class RatePlot
{
    private static final String[] SERIES = {"p50", "p99", "p99.9", "max"};
    private static final double[] PERCENTILES = {50, 99, 99.9, 100};

    private RatePlot()
    {
    }

    /**
     * Writes the plot.
     *
     * @param file   PNG to write.
     * @param groups the sweep's steps, each with its achieved rate and latency histogram of nanoseconds.
     * @return the file.
     * @throws IOException if it cannot be written.
     */
    static Path write(final Path file, final List<RunResult.GroupResult> groups) throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        final XYChart chart = new XYChartBuilder().width(900).height(560)
            .title("End-to-end latency vs achieved rate (rate sweep)")
            .xAxisTitle("achieved rate (events/s)").yAxisTitle("latency (log scale)").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.setCustomXAxisTickLabelsFormatter(RatePlot::rateLabel);
        chart.setCustomYAxisTickLabelsFormatter(RatePlot::logTimeLabel);
        final double[] rates = groups.stream().mapToDouble(RunResult.GroupResult::achievedRate).toArray();
        for (int s = 0; s < SERIES.length; s++)
        {
            final double[] ys = new double[groups.size()];
            for (int g = 0; g < ys.length; g++)
            {
                final Histogram h = groups.get(g).latency();
                final long nanos = PERCENTILES[s] == 100 ? h.getMaxValue() : h.getValueAtPercentile(PERCENTILES[s]);
                // 1 ns at least: an empty step has no latency to draw on a log scale.
                ys[g] = Math.log10(Math.max(1, nanos));
            }
            chart.addSeries(SERIES[s], rates, ys);
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    /**
     * The label of a y tick.
     *
     * @param log10Nanos the tick's value, log10 of nanoseconds.
     * @return the time it stands for, such as "1 ms" or "316 µs".
     */
    static String logTimeLabel(final Double log10Nanos)
    {
        // Three significant digits: 10^4 is 10 µs, not 10.0000000002 µs; ticks a fraction of a decade apart stay distinct.
        final double nanos = new java.math.BigDecimal(Math.pow(10, log10Nanos)).round(new java.math.MathContext(3)).doubleValue();
        return PercentilePlot.timeLabel(nanos);
    }

    /**
     * The label of an x tick.
     *
     * @param rate events per second.
     * @return the rate with thousands separators, to a tenth below 100.
     */
    static String rateLabel(final Double rate)
    {
        return String.format(Locale.ROOT, rate < 100 ? "%,.1f" : "%,.0f", rate);
    }
}
