package io.sluice.perf;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.EngineProfile;
import io.sluice.engine.runtime.EventPublisher;
import io.sluice.engine.runtime.StageLatencyListener;
import io.sluice.engine.runtime.WaitStrategyKind;
import io.sluice.engine.window.WindowOperatorContext;
import io.sluice.schema.EventFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What the first window closes of a freshly launched engine cost its processing thread: the code that runs once per
 * window (a window's opening, the sort of its keys, its firing and purge) is compiled only if the engine's JIT warm-up
 * ran it often enough ({@code EngineWarmUp}); live, a window closes a few times a second. Run it in a fresh JVM: the
 * point is the engine's first closes, which a JVM that already ran windows would not show.
 * <p>
 * One engine ({@link EngineProfile#LOW_LATENCY} by default, so with its JIT warm-up; one partition, journal on), the
 * tumbling count+sum of {@link LatencyMain} over {@code keys} keys and windows of {@code windowMs}, firing slice
 * {@code firingSlice}; {@code windows} windows of {@code perWindow} events each (event time advancing evenly, key
 * {@code i % keys}), published as fast as the ring takes them. The engine's stage timer of the pipeline
 * ({@link StageLatencyListener}) gives each event's processing time. Per close (the first event of window
 * {@code k >= 1}, which closes window {@code k - 1}): the closing event's time and the <b>close's extra</b>, the time of
 * the {@code span} events from it on minus {@code span} times the median of the last window's events before its close
 * (the firing of its results over the following events included). A preemption of the processing thread lands in
 * whichever event it strikes: read the median over closes and compare runs. The <b>slice</b> column is the median time
 * of the events after the closing one that each emit a whole firing slice ({@code keys / firingSlice - 1} of them),
 * and {@code per result} that median less the open window's median, over the slice: the firing's cost per result,
 * which a preemption of a few of those events does not move.
 * <pre>{@code
 *   java @perf/target/classes/sluice-jvm.options -Xms2g -Xmx2g -cp perf/target/benchmarks.jar \
 *       io.sluice.perf.WindowCloseMain keys=10000 windows=12 perWindow=100000
 * }</pre>
 */
public final class WindowCloseMain
{
    private WindowCloseMain()
    {
    }

    /**
     * Runs the measurement.
     *
     * @param args {@code name=value}: keys, windowMs, windows, perWindow, span, firingSlice, profile
     *             ({@code low-latency} or {@code standard}), wait (under {@code standard}), show (closes listed one by one).
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("keys", "10000");
        defaults.put("windowMs", "1000");
        defaults.put("windows", "12");
        defaults.put("perWindow", "100000");
        defaults.put("span", "2000");
        defaults.put("firingSlice", Integer.toString(WindowOperatorContext.FIRING_SLICE_LOW_LATENCY));
        defaults.put("profile", "low-latency");
        defaults.put("wait", "YIELD");
        defaults.put("show", "5");
        final Map<String, String> a = EngineBench.args(args, defaults);
        final int keys = Integer.parseInt(a.get("keys"));
        final long windowMs = Long.parseLong(a.get("windowMs"));
        final int windows = Integer.parseInt(a.get("windows"));
        final int perWindow = Integer.parseInt(a.get("perWindow"));
        final int span = Integer.parseInt(a.get("span"));
        final int show = Integer.parseInt(a.get("show"));
        final EngineProfile profile = EngineProfile.valueOf(a.get("profile").replace('-', '_').toUpperCase(java.util.Locale.ROOT));
        System.out.println("WindowCloseMain " + a + "; " + EngineBench.machine() + "; load average " + LatencyMain.loadAverage());
        final long uptimeMs0 = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
        final long nanos0 = System.nanoTime();
        final int events = windows * perWindow;
        final long[] nanos = new long[events];
        // When each close was processed, as the JVM's uptime: to line the closes up with a JIT log's stamps.
        final long[] closedAt = new long[windows];
        final long[] acceptedAt = new long[1];
        final StageLatencyListener listener = new StageLatencyListener()
        {
            private int next;

            @Override
            public void onStage(final int partition, final int stage, final long stageNanos)
            {
                if (stage == FIRST_PIPELINE && next < nanos.length)
                {
                    if (next % perWindow == 0)
                    {
                        closedAt[next / perWindow] = System.nanoTime();
                    }
                    nanos[next++] = stageNanos;
                }
            }
        };
        final Path dir = PerfFiles.newDirectory("window-close");
        try
        {
            final EngineContext context = EngineBench.context(dir, WaitStrategyKind.valueOf(a.get("wait")), 8192)
                .stageLatencyListener(listener);
            if (profile == EngineProfile.LOW_LATENCY)
            {
                context.profile(profile);
            }
            final long launched = System.nanoTime();
            try (Engine engine = Engine.launch(context, List.of(EngineBench.tumbling(windowMs, 0, keys,
                Integer.parseInt(a.get("firingSlice")), new EngineBench.CountingSink()))))
            {
                acceptedAt[0] = System.nanoTime();
                System.out.printf("launch (with the engine's JIT warm-up, if any) %.0f ms%s%n", (acceptedAt[0] - launched) / 1e6,
                    engine.profileReport() == null ? "" : "; " + engine.profileReport());
                final EventPublisher publisher = engine.publisher(EngineBench.TOPIC);
                final UnsafeBuffer staging = new UnsafeBuffer(new byte[BenchEvents.SCHEMA.length()]);
                final EventFlyweight event = new EventFlyweight(BenchEvents.SCHEMA).wrapForWrite(staging, 0);
                for (long i = 0; i < events; i++)
                {
                    event.putLong(BenchEvents.KEY, i % keys).putLong(BenchEvents.TS, i * windowMs / perWindow)
                        .putDouble(BenchEvents.AMOUNT, BenchEvents.amount(i)).putLong(BenchEvents.QTY, i);
                    publisher.publish(staging, 0);
                }
                engine.drain(600, TimeUnit.SECONDS);
            }
        }
        finally
        {
            PerfFiles.deleteRecursively(dir);
        }
        report(nanos, windows, perWindow, span, show, keys, Integer.parseInt(a.get("firingSlice")));
        final StringBuilder uptimes = new StringBuilder(String.format(java.util.Locale.ROOT,
            "at JVM uptime (s, as a JIT log's stamps): accepting %.3f, closes", uptimeMs0 / 1e3 + (acceptedAt[0] - nanos0) / 1e9));
        for (int k = 1; k < windows; k++)
        {
            uptimes.append(String.format(java.util.Locale.ROOT, " %d=%.3f", k,
                uptimeMs0 / 1e3 + (closedAt[k] - nanos0) / 1e9));
        }
        System.out.println(uptimes);
    }

    private static void report(final long[] nanos, final int windows, final int perWindow, final int span, final int show,
        final int keys, final int firingSlice)
    {
        final int fullSlices = keys / firingSlice;
        System.out.printf("%-6s %12s %14s %14s %14s %14s%n", "close", "event us", "extra us", "open median us", "slice us",
            "per result ns");
        final double[] closing = new double[windows - 1];
        final double[] extra = new double[windows - 1];
        final double[] perResult = new double[windows - 1];
        for (int k = 1; k < windows; k++)
        {
            final int boundary = k * perWindow;
            // The open window's events before the close: from the middle of window k-1 to just before the close.
            final long[] open = Arrays.copyOfRange(nanos, boundary - perWindow / 2, boundary - span);
            Arrays.sort(open);
            final long median = open[open.length / 2];
            long total = 0;
            for (int i = boundary; i < Math.min(nanos.length, boundary + span); i++)
            {
                total += nanos[i];
            }
            // The events after the closing one that each emit a whole slice (the last one emits the rest).
            final long[] slices = Arrays.copyOfRange(nanos, boundary + 1, Math.min(nanos.length, boundary + Math.max(2, fullSlices)));
            Arrays.sort(slices);
            final long sliceMedian = slices[slices.length / 2];
            closing[k - 1] = nanos[boundary] / 1e3;
            extra[k - 1] = (total - (long)span * median) / 1e3;
            perResult[k - 1] = (sliceMedian - median) / (double)firingSlice;
            if (k <= show)
            {
                System.out.printf("%-6d %12.1f %14.1f %14.3f %14.2f %14.1f%n", k, closing[k - 1], extra[k - 1], median / 1e3,
                    sliceMedian / 1e3, perResult[k - 1]);
            }
        }
        final int first = Math.min(3, closing.length);
        System.out.printf("RESULT closes 1-%d: event median %.1f us, extra median %.1f us, per result %.1f ns; closes %d-%d: " +
            "event median %.1f us, extra median %.1f us, per result %.1f ns%n", first, median(closing, 0, first),
            median(extra, 0, first), median(perResult, 0, first), first + 1, closing.length, median(closing, first, closing.length),
            median(extra, first, closing.length), median(perResult, first, closing.length));
    }

    private static double median(final double[] values, final int from, final int to)
    {
        if (to <= from)
        {
            return Double.NaN;
        }
        final double[] part = Arrays.copyOfRange(values, from, to);
        Arrays.sort(part);
        return part[part.length / 2];
    }
}
