package io.sluice.perf;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.window.WindowOperatorContext;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.WaitStrategyKind;
import io.sluice.schema.EventFlyweight;

/**
 * Shared set-up of the end-to-end mains: argument parsing, the tumbling count+sum pipeline over
 * {@link BenchEvents}, a counting sink, and engine contexts. Build-time only.
 */
final class EngineBench
{
    /** Source topic of every end-to-end benchmark. */
    static final String TOPIC = "bench";

    private EngineBench()
    {
    }

    /**
     * Parses {@code name=value} arguments over defaults.
     *
     * @param args     of the main.
     * @param defaults name to default value, in the order to print.
     * @return the settings.
     */
    static Map<String, String> args(final String[] args, final Map<String, String> defaults)
    {
        final Map<String, String> settings = new TreeMap<>(defaults);
        for (final String arg : args)
        {
            final int eq = arg.indexOf('=');
            if (eq < 0 || !defaults.containsKey(arg.substring(0, eq)))
            {
                throw new IllegalArgumentException("unknown argument '" + arg + "'; known: " + defaults);
            }
            settings.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        return settings;
    }

    /**
     * Tumbling count + sum(amount) per key, event time from {@code ts} with the given bound.
     *
     * @param windowMs size of the windows.
     * @param bound    watermark bound (max out-of-orderness) in ms.
     * @param keys     expected distinct keys.
     * @param sink     receiving the window results.
     * @return the pipeline.
     */
    static Pipeline tumbling(final long windowMs, final long bound, final int keys, final EventSink sink)
    {
        return tumbling(windowMs, bound, keys, WindowOperatorContext.FIRING_SLICE_DEFAULT, sink);
    }

    /**
     * The tumbling pipeline with a given firing slice (results emitted per event at most while a
     * closed window fires).
     *
     * @param windowMs    window size.
     * @param bound       watermark out-of-orderness bound.
     * @param keys        expected keys.
     * @param firingSlice results per event at most.
     * @param sink        of the results.
     * @return the pipeline.
     */
    static Pipeline tumbling(final long windowMs, final long bound, final int keys, final int firingSlice, final EventSink sink)
    {
        return tumbling(windowMs, bound, keys, firingSlice, WindowOperatorContext.FIRING_PACE_UNPACED, sink);
    }

    /**
     * The tumbling pipeline with a given firing slice and a firing paced by event time.
     *
     * @param windowMs    window size.
     * @param bound       watermark out-of-orderness bound.
     * @param keys        expected keys.
     * @param firingSlice results per event at most.
     * @param firingPace  results per millisecond of event time, shared out over that millisecond's events.
     * @param sink        of the results.
     * @return the pipeline.
     */
    static Pipeline tumbling(final long windowMs, final long bound, final int keys, final int firingSlice, final int firingPace,
        final EventSink sink)
    {
        return Pipeline.from(TOPIC, BenchEvents.SCHEMA).name("tumbling").partitionKey("key").eventTime("ts", bound)
            .window(w -> w.tumbling(windowMs).count("n").sum("total", "amount").expectedEntries(2 * keys)
                .firingSlice(firingSlice).firingPace(firingPace))
            .sink("count", sink).build();
    }

    /**
     * An engine context with one partition and the journal in {@code directory}.
     *
     * @param directory    of the journal (and checkpoints).
     * @param waitStrategy of the partition thread.
     * @param ringSize     slots per ring.
     * @return the context, not concluded.
     */
    static EngineContext context(final Path directory, final WaitStrategyKind waitStrategy, final int ringSize)
    {
        return new EngineContext().directory(directory).partitions(1).ringSize(ringSize).maxEventLength(64)
            .waitStrategy(waitStrategy).journalSegmentLength(1 << 30).checkpoints(false);
    }

    /**
     * Machine and JVM line for the output.
     *
     * @return the description.
     */
    static String machine()
    {
        return "nproc=" + Runtime.getRuntime().availableProcessors() + " jvm=" + System.getProperty("java.vm.name") + " " +
            System.getProperty("java.runtime.version") + " maxHeap=" + (Runtime.getRuntime().maxMemory() >> 20) + " MiB";
    }

    /**
     * Which run goes at a step of a round, in the rotating order the throughput mains use so that no run
     * always comes first (after another run's garbage, with a cold cache) or last.
     *
     * @param step  within the round, 0-based.
     * @param round 0-based; the warm-up round (-1) uses the order of round 0.
     * @param runs  in a round.
     * @return the run, 0-based.
     */
    static int rotated(final int step, final int round, final int runs)
    {
        return (step + Math.max(0, round)) % runs;
    }

    /**
     * Smallest of some values.
     *
     * @param values to look at.
     * @return the minimum.
     */
    static double min(final double[] values)
    {
        double m = Double.MAX_VALUE;
        for (final double v : values)
        {
            m = Math.min(m, v);
        }
        return m;
    }

    /**
     * Largest of some values.
     *
     * @param values to look at.
     * @return the maximum.
     */
    static double max(final double[] values)
    {
        double m = -Double.MAX_VALUE;
        for (final double v : values)
        {
            m = Math.max(m, v);
        }
        return m;
    }

    /**
     * Median of a few values.
     *
     * @param values to take the median of (sorted in place).
     * @return the median.
     */
    static double median(final double[] values)
    {
        java.util.Arrays.sort(values);
        final int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    /**
     * Sink counting window results and the events they cover; thread-confined to the partition
     * thread while running, read after a drain.
     */
    static final class CountingSink implements EventSink
    {
        volatile long results;
        volatile long counted;
        private long localResults;
        private long localCounted;

        @Override
        public void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
        {
            localResults++;
            localCounted += event.getLong(4);
            // Release so the control thread reads totals after a drain; not on the measured hot path
            // of updates (one result per ~100 events at the densities used).
            results = localResults;
            counted = localCounted;
        }

        void reset()
        {
            localResults = 0;
            localCounted = 0;
            results = 0;
            counted = 0;
        }
    }

    /**
     * Deletes a run's directory.
     *
     * @param directory to delete.
     */
    static void delete(final Path directory)
    {
        PerfFiles.deleteRecursively(directory);
    }

    static List<Pipeline> list(final Pipeline pipeline)
    {
        return List.of(pipeline);
    }
}
