package io.sluice.perf;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.sluice.engine.window.Aggregators;
import io.sluice.engine.window.WindowOperator;
import io.sluice.engine.window.WindowOperatorContext;
import io.sluice.engine.time.Watermarks;
import io.sluice.schema.EventValues;
import org.HdrHistogram.Histogram;

/**
 * What window firing alone does to the latency of the events behind it, on one thread, whatever else the machine
 * runs: the tumbling count+sum of {@link LatencyMain} (same keys, same event times: the scheduled send time in
 * milliseconds at {@code rate} events a second) driven straight into its {@link WindowOperator}, each
 * {@code onEvent} timed, then those service times fed to a single-server queue with the events arriving every
 * {@code 1 / rate} (a dedicated core that does nothing else): the sojourn of event {@code i} is
 * {@code max(arrival_i, done_(i-1)) + service_i - arrival_i}. Modes:
 * <ul>
 *   <li>{@code open}: windows of a day, none closes: the same-run baseline;</li>
 *   <li>{@code tumbling}: windows of {@code windowMs}, closes fired {@code firingSlice} results per event;</li>
 *   <li>{@code paced}: the same, the firing paced by event time at {@code firingPace} results per millisecond
 *       ({@link WindowOperatorContext#firingPace(int)}).</li>
 * </ul>
 * With {@code top=N} it also prints, per mode, the N events of longest service with their index and the events since
 * the last window boundary ({@code SLOWEST} lines): where in a window's life the long calls fall.
 * Rounds alternate the modes (round 0 is a warm-up, not counted). Every round of a mode runs the same events, so
 * event {@code i} does the same work in each: its service time is the least of its rounds' timings, which leaves
 * out a preemption (the thread descheduled inside one call, milliseconds on a loaded machine) unless it struck that
 * event in every round (the service line's share above 100 us counts what is left of them).
 * The first second of each round is served but not counted. The ring, the journal, the publisher and the result's
 * path past the operator (the pipeline's later stages and sink; here a counter) are not in this model:
 * {@link LatencyMain} measures them.
 * <pre>{@code
 *   java @perf/target/classes/sluice-jvm.options -Xms2g -Xmx2g -cp perf/target/benchmarks.jar \
 *       io.sluice.perf.FiringQueueMain rates=1000000,100000 seconds=5 rounds=4 modes=open,tumbling,paced
 * }</pre>
 */
public final class FiringQueueMain
{
    private static final long HIGHEST = TimeUnit.SECONDS.toNanos(60);
    private static final long[] THRESHOLDS_NS = {1_000, 5_000, 20_000, 100_000};

    private FiringQueueMain()
    {
    }

    /**
     * Runs the model.
     *
     * @param args {@code name=value}: rates, seconds (of event time per round), rounds (the first a warm-up),
     *             modes, keys, windowMs, firingSlice, firingPace, top.
     */
    public static void main(final String[] args)
    {
        final Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("rates", "1000000,100000");
        defaults.put("seconds", "5");
        defaults.put("rounds", "4");
        defaults.put("modes", "open,tumbling,paced");
        defaults.put("keys", "10000");
        defaults.put("windowMs", "1000");
        defaults.put("firingSlice", Integer.toString(WindowOperatorContext.FIRING_SLICE_LOW_LATENCY));
        defaults.put("firingPace", "1000");
        defaults.put("top", "0");
        final Map<String, String> a = EngineBench.args(args, defaults);
        System.out.println("FiringQueueMain " + a + "; " + EngineBench.machine() + "; load average " + LatencyMain.loadAverage());
        System.out.println("us; service = one onEvent of the window operator; sojourn = wait + service in a single-server queue");
        final List<String> modes = List.of(a.get("modes").split(","));
        final int rounds = Integer.parseInt(a.get("rounds"));
        for (final String rateText : a.get("rates").split(","))
        {
            final long rate = Long.parseLong(rateText);
            final long events = rate * Long.parseLong(a.get("seconds"));
            final long[] service = new long[(int)events];
            final Map<String, long[]> least = new LinkedHashMap<>();
            for (final String mode : modes)
            {
                final long[] times = new long[(int)events];
                java.util.Arrays.fill(times, Long.MAX_VALUE);
                least.put(mode, times);
            }
            for (int round = 0; round < rounds; round++)
            {
                for (int m = 0; m < modes.size(); m++)
                {
                    // Rotate the order per round, so that no mode always runs first or last.
                    final String mode = modes.get((m + round) % modes.size());
                    serve(operator(mode, a), rate, a, service);
                    if (round > 0)
                    {
                        final long[] times = least.get(mode);
                        for (int i = 0; i < times.length; i++)
                        {
                            times[i] = Math.min(times[i], service[i]);
                        }
                    }
                }
            }
            final Map<String, Histogram[]> results = new LinkedHashMap<>();
            for (final Map.Entry<String, long[]> entry : least.entrySet())
            {
                final Histogram[] histograms = {new Histogram(HIGHEST, 3), new Histogram(HIGHEST, 3)};
                queue(entry.getValue(), rate, histograms);
                results.put(entry.getKey(), histograms);
            }
            report(rate, results);
            slowest(rate, least, Integer.parseInt(a.get("top")), Long.parseLong(a.get("windowMs")));
        }
    }

    /**
     * Prints, per mode, the {@code top} events with the longest service (the least of their rounds) after the first
     * second, each with where it falls: its index and the events since the last window boundary of {@code windowMs}.
     */
    private static void slowest(final long rate, final Map<String, long[]> least, final int top, final long windowMs)
    {
        if (top <= 0)
        {
            return;
        }
        final long eventsPerWindow = rate * windowMs / 1_000;
        for (final Map.Entry<String, long[]> entry : least.entrySet())
        {
            final long[] times = entry.getValue();
            final Integer[] order = new Integer[times.length - (int)rate];
            for (int i = 0; i < order.length; i++)
            {
                order[i] = (int)rate + i;
            }
            java.util.Arrays.sort(order, (x, y) -> Long.compare(times[y], times[x]));
            final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "SLOWEST rate=%d mode=%s:", rate, entry.getKey()));
            for (int i = 0; i < Math.min(top, order.length); i++)
            {
                line.append(String.format(Locale.ROOT, " %.1f us at %d (+%d)", times[order[i]] / 1e3, order[i], order[i] % eventsPerWindow));
            }
            System.out.println(line);
        }
    }

    private static WindowOperator operator(final String mode, final Map<String, String> a)
    {
        final long windowMs = "open".equals(mode) ? TimeUnit.DAYS.toMillis(1) : Long.parseLong(a.get("windowMs"));
        final int keys = Integer.parseInt(a.get("keys"));
        final WindowOperatorContext context = new WindowOperatorContext()
            .tumbling(windowMs)
            .watermarks(Watermarks.boundedOutOfOrderness(0))
            .aggregators(Aggregators.count(), Aggregators.sumDouble(BenchEvents.AMOUNT))
            .expectedEntries(2 * keys)
            .firingSlice(Integer.parseInt(a.get("firingSlice")))
            .resultHandler((key, start, end, flags, result) -> Sink.results++);
        if ("paced".equals(mode))
        {
            context.firingPace(Integer.parseInt(a.get("firingPace")));
        }
        else if (!"open".equals(mode) && !"tumbling".equals(mode))
        {
            throw new IllegalArgumentException("modes: '" + mode + "' is not one of open, tumbling, paced");
        }
        return context.build();
    }

    /** Times each event's {@code onEvent} into {@code service}. */
    private static void serve(final WindowOperator operator, final long rate, final Map<String, String> a, final long[] service)
    {
        final long[] keyTable = BenchEvents.keyTable(Integer.parseInt(a.get("keys")));
        final Values values = new Values();
        final double msPerEvent = 1e3 / rate;
        for (int i = 0; i < service.length; i++)
        {
            values.amount = BenchEvents.amount(i);
            final long key = keyTable[i & BenchEvents.MASK];
            final long timestamp = (long)(i * msPerEvent);
            final long start = System.nanoTime();
            operator.onEvent(key, timestamp, values);
            service[i] = System.nanoTime() - start;
        }
    }

    private static void queue(final long[] service, final long rate, final Histogram[] into)
    {
        final double interval = 1e9 / rate;
        long done = 0;
        for (int i = 0; i < service.length; i++)
        {
            final long arrival = (long)(i * interval);
            done = Math.max(arrival, done) + service[i];
            if (i < rate)
            {
                // The first second: the operator's first events (its arrays touched, hundreds of us once); no window
                // closes before its end.
                continue;
            }
            into[0].recordValue(Math.min(HIGHEST, service[i]));
            into[1].recordValue(Math.min(HIGHEST, done - arrival));
        }
    }

    private static void report(final long rate, final Map<String, Histogram[]> results)
    {
        System.out.printf(Locale.ROOT, "%nrate=%,d ev/s, load average %s%n", rate, LatencyMain.loadAverage());
        final StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "  %-22s %10s %8s %8s %8s %8s %9s",
            "mode", "count", "p50", "p99", "p99.9", "p99.99", "max"));
        for (final long threshold : THRESHOLDS_NS)
        {
            header.append(String.format(Locale.ROOT, " %9s", "> " + threshold / 1_000 + " us"));
        }
        System.out.println(header);
        for (final Map.Entry<String, Histogram[]> entry : results.entrySet())
        {
            row(entry.getKey() + " service", entry.getValue()[0]);
            row(entry.getKey() + " sojourn", entry.getValue()[1]);
        }
        final Histogram[] open = results.get("open");
        for (final Map.Entry<String, Histogram[]> entry : results.entrySet())
        {
            if (open != null && entry.getValue() != open)
            {
                System.out.println(String.format(Locale.ROOT, "RESULT-FIRING-QUEUE rate=%d mode=%s sojourn %s; open %s; ratio %s", rate,
                    entry.getKey(), LatencyMain.percentiles(entry.getValue()[1]), LatencyMain.percentiles(open[1]),
                    LatencyMain.ratios(entry.getValue()[1], open[1])));
            }
        }
    }

    private static void row(final String name, final Histogram h)
    {
        final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-22s %10d %8.2f %8.2f %8.2f %8.2f %9.1f", name,
            h.getTotalCount(), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3,
            h.getValueAtPercentile(99.99) / 1e3, h.getMaxValue() / 1e3));
        for (final long threshold : THRESHOLDS_NS)
        {
            final long above = h.getTotalCount() - h.getCountBetweenValues(0, threshold);
            line.append(String.format(Locale.ROOT, " %8.3f%%", 100.0 * above / h.getTotalCount()));
        }
        System.out.println(line);
    }

    /** The event's fields: field 0 the key (unused), {@link BenchEvents#AMOUNT} the amount. */
    private static final class Values implements EventValues
    {
        double amount;

        @Override
        public long longValue(final int field)
        {
            return (long)amount;
        }

        @Override
        public double doubleValue(final int field)
        {
            return amount;
        }
    }

    /** Keeps the results from being optimised away. */
    private static final class Sink
    {
        static long results;
    }
}
