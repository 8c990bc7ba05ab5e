package io.sluice.perf;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.sluice.engine.join.JoinType;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.Source;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.EngineProfile;
import io.sluice.engine.runtime.EventPublisher;
import io.sluice.engine.runtime.WaitStrategyKind;
import io.sluice.schema.EventFlyweight;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The partition thread's checkpoint pause with a checkpoint every second while events flow, by state
 * size, against copying the whole state at the barrier in the same run (issue 13: "the partition
 * thread's pause p99/max ... must be microseconds, independent of the state size").
 * <p>
 * Per pipeline, state size ({@code keys}) and copy mode, a fresh engine: one partition, journal on,
 * {@code keys} events to fill the state (one per key), then {@code seconds} of events over the keys
 * ({@code i % keys}) published as fast as the ring takes them, with
 * {@code checkpointIntervalMillis(1000)}; before each pipeline's runs, a warm-up engine of the same
 * pipeline over {@value #WARM_UP_SLICES} slices' worth of keys (4,096 at the default {@code sliceRows}) with a checkpoint
 * every 5 ms, so that the barrier's code is compiled, and compiled having seen copies that take several slices with events
 * between them (over 1,000 keys every copy ended in its first slice, and the processing thread's compiled code was thrown
 * away at the measured engine's first barrier, perf/README.md section 56) (a
 * checkpoint a second in a run of seconds would measure the interpreter); it goes on past its seconds until
 * {@value #WARM_UP_CHECKPOINTS} of its checkpoints completed (the JVM's first checkpoint waits for Chronicle Map to
 * generate its classes: seconds, which took a 3 s warm-up whole). Pipelines ({@code pipelines=}): {@code tumbling} (1-day
 * count+sum: every key's row stays open), {@code session} (session windows of a 1-day gap, count+sum:
 * every key's session stays open and grows), {@code join} (a stream-table lookup join whose table
 * holds one row per key, filled first; the measured phase alternates a stream event and a table
 * upsert of the same key, so the table's rows keep changing while they are copied), {@code interval}
 * (an interval join [0, 1 day], type left: one left record per key first, then left and right events
 * alternately, each right event matching, hence changing, the left records of its key; the state
 * grows during the run, as no record completes). Modes: {@code sliced} (the default:
 * at the barrier headers only, the window rows copied {@code sliceRows} per slice between events,
 * copy on write) and {@code barrier} ({@code checkpointSliceRows(Integer.MAX_VALUE)}: the whole state
 * copied at the barrier, the behaviour before incremental copying).
 * <p>
 * Reported from the engine's HdrHistograms: the <b>pause</b> (time from a barrier reaching the
 * partition to the partition taking its next slot, {@code Engine.checkpoints().pauseHistogram()})
 * and each <b>slice</b> of copying between events ({@code sliceHistogram()}), p50/p99/max, with the
 * checkpoints completed and the events/s achieved, and the first measured barrier's pause apart from the others
 * (the first barrier of a live engine can be a one-off: perf/README.md section 51). With {@code hgrm=DIR} each histogram is also
 * written as an HdrHistogram percentile distribution ({@code .hgrm}, microseconds).
 * <pre>{@code
 *   java @perf/target/classes/sluice-jvm.options -Xms4g -Xmx4g -cp perf/target/benchmarks.jar \
 *       io.sluice.perf.CheckpointPauseMain keys=100000,1000000 seconds=10
 * }</pre>
 */
public final class CheckpointPauseMain
{
    /** Checkpoints the warm-up completes at least, past its seconds if need be. */
    private static final long WARM_UP_CHECKPOINTS = 100;

    /** The warm-up's state, in slices: each of its copies takes this many. */
    private static final int WARM_UP_SLICES = 4;

    /** The join's table topic. */
    private static final String TABLE = "bench-table";

    private CheckpointPauseMain()
    {
    }

    /**
     * Runs the benchmark.
     *
     * @param args {@code name=value}: pipelines and keys (comma-separated), seconds, sliceRows, wait, hgrm,
     *             checkpointMs (between checkpoints, 1000), warmup (seconds of a warm-up engine of 4 slices of keys per
     *             pipeline, 0 for none), warmupCheckpointMs (between its checkpoints, 5), profile
     *             ({@code standard} or {@code low-latency}: busy-spin pinned and the engine's JIT warm-up).
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("pipelines", "tumbling,session,join");
        defaults.put("keys", "100000,1000000");
        defaults.put("seconds", "10");
        defaults.put("sliceRows", String.valueOf(EngineContext.Configuration.CHECKPOINT_SLICE_ROWS_DEFAULT));
        defaults.put("wait", "SLEEP");
        defaults.put("hgrm", "");
        defaults.put("checkpointMs", "1000");
        defaults.put("warmup", "3");
        defaults.put("warmupCheckpointMs", "5");
        defaults.put("profile", "standard");
        final Map<String, String> a = EngineBench.args(args, defaults);
        final long seconds = Long.parseLong(a.get("seconds"));
        final int sliceRows = Integer.parseInt(a.get("sliceRows"));
        final WaitStrategyKind wait = WaitStrategyKind.valueOf(a.get("wait"));
        final long checkpointMs = Long.parseLong(a.get("checkpointMs"));
        final long warmupSeconds = Long.parseLong(a.get("warmup"));
        final long warmupCheckpointMs = Long.parseLong(a.get("warmupCheckpointMs"));
        final EngineProfile profile = EngineProfile.valueOf(a.get("profile").replace('-', '_').toUpperCase(java.util.Locale.ROOT));
        final Path hgrm = a.get("hgrm").isEmpty() ? null : Files.createDirectories(Path.of(a.get("hgrm")));
        System.out.println("CheckpointPauseMain " + a + "; " + EngineBench.machine());
        System.out.printf("%-9s %-9s %-8s %6s %9s | %10s %10s %10s | %10s %10s %10s %8s%n", "pipeline", "keys", "mode", "ckpts", "Mev/s",
            "pause p50", "pause p99", "pause max", "slice p50", "slice p99", "slice max", "slices");
        for (final String pipelineName : a.get("pipelines").split(","))
        {
            final String pipeline = pipelineName.trim();
            // Chronicle Map generates and compiles its classes at its first use in a JVM (seconds on a busy
            // machine, on the checkpoint thread), and a barrier a second is too rare for the JIT to compile the
            // barrier's code within a run: pay both in a warm-up of this pipeline with a checkpoint every
            // warmupCheckpointMs, not in the measured modes.
            if (warmupSeconds > 0)
            {
                run(pipeline, (int)Math.min(1_000_000, (long)WARM_UP_SLICES * sliceRows), warmupSeconds, sliceRows, wait, warmupCheckpointMs, profile, "warm-up", null, WARM_UP_CHECKPOINTS);
            }
            for (final String keyCount : a.get("keys").split(","))
            {
                final int keys = Integer.parseInt(keyCount.trim());
                final Histogram sliced = run(pipeline, keys, seconds, sliceRows, wait, checkpointMs, profile, "sliced", hgrm, 0);
                final Histogram barrier = run(pipeline, keys, seconds, Integer.MAX_VALUE, wait, checkpointMs, profile, "barrier", hgrm, 0);
                System.out.printf("RESULT %s keys=%d sliced pause p99 %.1f us max %.1f us; whole state at the barrier pause p99 " +
                    "%.1f us max %.1f us; barrier/sliced p99 %.1fx%n", pipeline, keys, sliced.getValueAtPercentile(99) / 1e3,
                    sliced.getMaxValue() / 1e3, barrier.getValueAtPercentile(99) / 1e3, barrier.getMaxValue() / 1e3,
                    (double)barrier.getValueAtPercentile(99) / Math.max(1, sliced.getValueAtPercentile(99)));
            }
        }
    }

    private static Pipeline pipeline(final String name, final int keys)
    {
        switch (name)
        {
            case "tumbling":
                return EngineBench.tumbling(TimeUnit.DAYS.toMillis(1), 0, keys, new EngineBench.CountingSink());
            case "session":
                return Pipeline.from(EngineBench.TOPIC, BenchEvents.SCHEMA).name("session").partitionKey("key").eventTime("ts", 0)
                    .window(w -> w.session(TimeUnit.DAYS.toMillis(1)).count("n").sum("total", "amount").expectedEntries(2 * keys))
                    .sink("count", new EngineBench.CountingSink()).build();
            case "join":
                return Pipeline.join("lookup",
                        Source.stream(EngineBench.TOPIC, BenchEvents.SCHEMA).partitionKey("key").eventTime("ts", 0),
                        Source.table(TABLE, BenchEvents.SCHEMA).partitionKey("key").eventTime("ts", 0))
                    .lookup().type(JoinType.LEFT).expectedEntries(2 * keys)
                    .then()
                    .sink("count", new EngineBench.CountingSink()).build();
            case "interval":
                return Pipeline.join("interval",
                        Source.stream(EngineBench.TOPIC, BenchEvents.SCHEMA).partitionKey("key").eventTime("ts", 0),
                        Source.stream(TABLE, BenchEvents.SCHEMA).partitionKey("key").eventTime("ts", 0))
                    .interval(0, TimeUnit.DAYS.toMillis(1)).type(JoinType.LEFT).expectedEntries(2 * keys)
                    .then()
                    .sink("count", new EngineBench.CountingSink()).build();
            default:
                throw new IllegalArgumentException("pipelines: tumbling, session, join or interval, not " + name);
        }
    }

    private static Histogram run(
        final String pipeline,
        final int keys,
        final long seconds,
        final int sliceRows,
        final WaitStrategyKind wait,
        final long checkpointMs,
        final EngineProfile profile,
        final String mode,
        final Path hgrm,
        final long minCheckpoints)
        throws Exception
    {
        final Path dir = PerfFiles.newDirectory("checkpoint-pause");
        try
        {
            final EngineContext context = EngineBench.context(dir, wait, 8192).checkpoints(true).checkpointIntervalMillis(checkpointMs)
                .checkpointSliceRows(sliceRows).checkpointsRetained(1);
            if (profile == EngineProfile.LOW_LATENCY)
            {
                context.profile(profile);
            }
            final long events;
            final long elapsed;
            final Histogram pauses;
            final Histogram slices;
            final long completed;
            Histogram firstPause = null;
            Histogram laterPauses = null;
            final boolean join = pipeline.equals("join");
            final boolean interval = pipeline.equals("interval");
            try (Engine engine = Engine.launch(context, List.of(pipeline(pipeline, keys))))
            {
                final EventPublisher stream = engine.publisher(EngineBench.TOPIC);
                // The join's second input: the table of the lookup, the right stream of the interval join.
                final EventPublisher other = join || interval ? engine.publisher(TABLE) : stream;
                // The state: one row per key (the table's rows for the lookup, left records for the
                // interval join, window rows or sessions otherwise).
                final EventPublisher publisher = join ? other : stream;
                final UnsafeBuffer staging = new UnsafeBuffer(new byte[BenchEvents.SCHEMA.length()]);
                final EventFlyweight event = new EventFlyweight(BenchEvents.SCHEMA).wrapForWrite(staging, 0);
                long i = 0;
                for (; i < keys; i++)
                {
                    publish(publisher, staging, event, i, keys);
                }
                engine.drain(600, TimeUnit.SECONDS);
                // Count only the checkpoints of the measured phase: those that started while it ran.
                final long before = engine.checkpoints().completed();
                final Histogram pausesBefore = engine.checkpoints().pauseHistogram();
                final Histogram slicesBefore = engine.checkpoints().sliceHistogram();
                final long start = System.nanoTime();
                final long end = start + TimeUnit.SECONDS.toNanos(seconds);
                final long first = i;
                Histogram pausesToFirst = null;
                // The warm-up goes on past its seconds until its checkpoints complete (at most a minute more): the first
                // checkpoint of a JVM waits for Chronicle Map to generate its classes, seconds on the checkpoint thread.
                final long deadline = end + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < end ||
                    (engine.checkpoints().completed() - before < minCheckpoints && System.nanoTime() < deadline))
                {
                    for (int batch = 0; batch < 1024; batch++, i++)
                    {
                        publish((join || interval) && (i & 1) == 0 ? other : stream, staging, event, i, keys);
                    }
                    if (pausesToFirst == null && engine.checkpoints().completed() > before)
                    {
                        // The first measured barrier's pause apart from the others: a one-off there (the JIT
                        // meeting the live engine's state for the first time) is not the steady pause.
                        pausesToFirst = engine.checkpoints().pauseHistogram();
                    }
                }
                engine.drain(600, TimeUnit.SECONDS);
                elapsed = System.nanoTime() - start;
                events = i - first;
                completed = engine.checkpoints().completed() - before;
                if (engine.checkpoints().failed() > 0)
                {
                    System.out.println("  " + engine.checkpoints().failed() + " checkpoints FAILED");
                }
                pauses = engine.checkpoints().pauseHistogram();
                if (pausesToFirst != null)
                {
                    firstPause = pausesToFirst.copy();
                    firstPause.subtract(pausesBefore);
                    laterPauses = pauses.copy();
                    laterPauses.subtract(pausesToFirst);
                }
                pauses.subtract(pausesBefore);
                slices = engine.checkpoints().sliceHistogram();
                slices.subtract(slicesBefore);
            }
            System.out.printf("%-9s %-9d %-8s %6d %9.2f | %10s %10s %10s | %10s %10s %10s %8d%n", pipeline, keys, mode, completed,
                events / (elapsed / 1e3), us(pauses, 50), us(pauses, 99), us(pauses, 100),
                us(slices, 50), us(slices, 99), us(slices, 100), slices.getTotalCount());
            if (firstPause != null && firstPause.getTotalCount() == 1)
            {
                System.out.printf("%-9s %-9d %-8s first barrier's pause %s us; the %d after it: p50 %s, max %s us%n", pipeline, keys, mode,
                    us(firstPause, 100), laterPauses.getTotalCount(), us(laterPauses, 50), us(laterPauses, 100));
            }
            if (hgrm != null)
            {
                write(hgrm.resolve("checkpoint-pause-" + pipeline + "-" + keys + "-" + mode + ".hgrm"), pauses);
                if (slices.getTotalCount() > 0)
                {
                    write(hgrm.resolve("checkpoint-slice-" + pipeline + "-" + keys + "-" + mode + ".hgrm"), slices);
                }
            }
            return pauses;
        }
        finally
        {
            PerfFiles.deleteRecursively(dir);
        }
    }

    private static void publish(
        final EventPublisher publisher, final UnsafeBuffer staging, final EventFlyweight event, final long i, final int keys)
    {
        event.putLong(BenchEvents.KEY, i % keys).putLong(BenchEvents.TS, i >> 10)
            .putDouble(BenchEvents.AMOUNT, BenchEvents.amount(i)).putLong(BenchEvents.QTY, i);
        publisher.publish(staging, 0);
    }

    private static String us(final Histogram histogram, final double percentile)
    {
        if (histogram.getTotalCount() == 0)
        {
            return "-";
        }
        final long nanos = percentile >= 100 ? histogram.getMaxValue() : histogram.getValueAtPercentile(percentile);
        return String.format("%.1f", nanos / 1e3);
    }

    private static void write(final Path file, final Histogram histogram) throws IOException
    {
        try (PrintStream out = new PrintStream(new FileOutputStream(file.toFile()), false, "UTF-8"))
        {
            histogram.outputPercentileDistribution(out, 1000.0);
        }
    }
}
