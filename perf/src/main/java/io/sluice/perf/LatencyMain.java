package io.sluice.perf;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.window.WindowOperatorContext;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.EngineProfile;
import io.sluice.engine.runtime.EventPublisher;
import io.sluice.engine.runtime.JitQuiet;
import io.sluice.engine.runtime.StageLatencyListener;
import io.sluice.engine.runtime.WaitStrategyKind;
import io.sluice.loadgen.PercentilePlot;
import io.sluice.ops.demo.JvmActivity;
import io.sluice.schema.EventFlyweight;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * In-process latency at fixed open-loop rates, corrected for coordinated omission, beside its
 * same-run baselines. For each rate, one after the other, the same events (64-byte {@link BenchEvents},
 * keys over {@code keys}, event time = the scheduled send time) go through:
 * <ol>
 *   <li>{@code empty}: the engine, journal on, one partition, and a pipeline that does nothing but
 *       record the latency (the probe): ring, journal append, dispatch;</li>
 *   <li>{@code tumbling}: the same engine with a tumbling count+sum over the keys fused before the
 *       probe (each window close fires every key seen in it, {@code firingSlice} results per event);</li>
 *   <li>{@code paced}: {@code tumbling} with the firing paced by event time ({@code firingPace} results per
 *       millisecond of event time, shared out over that millisecond's events, at most {@code firingSlice}
 *       per event: {@code WindowSpec.firingPace}), so each event's share fits between two events;</li>
 *   <li>{@code open}: the same, with windows of a day, so no window closes during the run: the
 *       same-run baseline of {@code tumbling} without window closes;</li>
 *   <li>{@code unsliced}: {@code tumbling} with every window's results emitted within the event
 *       that closed it (firing slice unbounded), as before bounded work per event;</li>
 *   <li>{@code raw}: a raw Disruptor 1P1C hand-off of the same events ({@link RawDisruptorHandOff}):
 *       the same ring shape, the wait strategy and pinning the engine ended up with, a handler that
 *       records the latency: the floor of the design.</li>
 * </ol>
 * <b>Open loop.</b> The producer computes each event's due time {@code t0 + i / rate}, spins until it
 * is due, stamps it into the event ({@code sched}) and publishes (waiting if the ring is full). The
 * latency recorded is {@code nanoTime - sched} at the end of processing: a producer that falls behind
 * (full ring, descheduled) is charged to the latency. Warm-up seconds are not recorded; the warm-up goes
 * on past its seconds, open loop, until the JIT has compiled nothing for {@code jitQuietMs} (by default a
 * window and half a second, so that the quiet span holds a window close; at most 10 s more), for every mode
 * alike. Each mode's line {@code measured:} gives the safepoints, collections and JIT time of its measured
 * seconds (to the end of its drain): on 2 cores the compiler threads run on the producer's CPU. Each engine mode's
 * next line gives the journal writer's own reservations in those seconds (space the allocator duty had not reserved
 * ahead, zero-filled by the processing thread between two events).
 * <p>
 * <b>Profile.</b> {@code profile=low-latency} launches the engines with {@link EngineProfile#LOW_LATENCY}
 * (busy-spin and pinning when the machine has a free core, JIT warm-up), printing the profile's line;
 * else {@code wait} is the wait strategy. {@code listener=true} adds the engine's own latency listener
 * (publish -> end of processing, a clock read per event).
 * <p>
 * <b>Reports.</b> Per rate and mode an HdrHistogram {@code .hgrm} (microseconds) and per rate a
 * percentile plot of the three modes, in {@code out}/latency-&lt;UTC time&gt;/. {@code RESULT} lines give
 * each mode's percentiles and their ratio to the raw hand-off of the same run; with {@code open} among
 * the modes, {@code RESULT-CLOSES} lines give {@code tumbling}, {@code paced} and {@code unsliced} per percentile
 * against {@code open} (the cost of window closes, same run).
 * <p>
 * <b>Checkpoints</b> ({@code checkpointMs > 0}, tumbling only): after the warm-up the run alternates
 * phases without and with a checkpoint every {@code checkpointMs} (requested by a helper thread through
 * {@link Engine#checkpoint()}); events are recorded by the phase they were due in, and the partition's
 * checkpoint pause comes from {@code Engine.checkpoints().pauseHistogram()}.
 * <pre>{@code
 *   java @perf/target/classes/sluice-jvm.options -Xms1g -Xmx1g -cp perf/target/benchmarks.jar \
 *       io.sluice.perf.LatencyMain rates=100000,500000,1000000 seconds=5 profile=low-latency
 * }</pre>
 */
public final class LatencyMain
{
    /** Largest latency recorded; larger ones are recorded as this. */
    static final long HIGHEST = TimeUnit.SECONDS.toNanos(60);
    /**
     * Marks the run's events: the event's qty field is {@code PHASE_MARK + phase}, a value the engine's
     * JIT warm-up (synthetic numbers below 1,000) never produces, so the probe records only the run's own.
     */
    static final long PHASE_MARK = 0x5EED_0000_0000L;
    /** Phase ids (warm-up is never recorded, by the probe or the raw handler). */
    private static final int WARMUP = 0;
    private static final int PLAIN = 1;
    private static final int CHECKPOINTING = 2;
    private static final String[] PHASE_NAMES = {"warm-up", "no checkpoints", "during checkpoints"};

    private LatencyMain()
    {
    }

    /**
     * Runs the benchmark.
     *
     * @param args {@code name=value}: rates, seconds, warmup, wait, profile, modes, ring, keys, windowMs,
     *             checkpointMs, phases, listener, out, firingSlice (results a closing window emits per event
     *             at most; 2147483647 = the whole window within one event), firingPace (of the {@code paced}
     *             mode: results per millisecond of event time), stages (true: also the time
     *             each event spends in the window pipeline, from the engine's stage timers), jitQuietMs (how
     *             long the JIT must have compiled nothing before the warm-up ends; {@code auto}: windowMs + 500).
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("rates", "100000,500000,1000000");
        defaults.put("seconds", "5");
        defaults.put("warmup", "2");
        defaults.put("wait", "YIELD");
        defaults.put("profile", "standard");
        defaults.put("modes", "empty,tumbling,paced,raw");
        defaults.put("ring", "8192");
        defaults.put("keys", "10000");
        defaults.put("windowMs", "1000");
        defaults.put("checkpointMs", "0");
        defaults.put("phases", "2");
        defaults.put("listener", "false");
        defaults.put("stages", "false");
        defaults.put("out", "perf/reports");
        defaults.put("firingSlice", Integer.toString(WindowOperatorContext.FIRING_SLICE_LOW_LATENCY));
        defaults.put("firingPace", "1000");
        defaults.put("jitQuietMs", "auto");
        final Map<String, String> a = EngineBench.args(args, defaults);
        final Settings settings = new Settings(a);
        System.out.println("LatencyMain " + a + "; " + EngineBench.machine() + "; load average " + loadAverage());
        System.out.println("latency in us, from each event's scheduled send time to the end of its processing (CO-corrected)");
        final Path reports = Path.of(a.get("out")).resolve("latency-" +
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now()));
        Files.createDirectories(reports);
        if (settings.profile == EngineProfile.LOW_LATENCY)
        {
            // As the demo does: the JIT compilers, GC workers and VM thread leave the cores the processing thread
            // (or the raw consumer) will spin on, before any mode starts; the OS would otherwise put a compiler
            // thread there now and then, to take turns with the spinning thread for a scheduler slice.
            final java.util.BitSet others = io.sluice.engine.runtime.CoreBudget.ofThisMachine().others();
            final io.sluice.ops.demo.ProcessAffinity moved = io.sluice.ops.demo.ProcessAffinity.moveOtherThreads(others);
            System.out.println(moved.failure() == null ?
                "jvm threads: moved off the spinning cores, to cpus " + io.sluice.engine.runtime.CoreBudget.cpuList(others) +
                    " (JIT compilers, GC workers, VM thread; every mode alike)" :
                "jvm threads: left where the OS puts them: " + moved.failure());
        }
        for (final String rate : a.get("rates").split(","))
        {
            runRate(Long.parseLong(rate.trim()), settings, reports);
        }
        System.out.println("reports: " + PerfFiles.shown(reports));
    }

    private static void runRate(final long rate, final Settings s, final Path reports) throws Exception
    {
        final Map<String, Run> runs = new LinkedHashMap<>();
        WaitStrategyKind wait = s.wait;
        boolean pinned = false;
        for (final String mode : s.modes)
        {
            if (!"raw".equals(mode))
            {
                final Run run = runEngine(rate, mode, s);
                wait = run.wait;
                pinned = run.pinned;
                runs.put(mode, run);
            }
        }
        if (s.modes.contains("raw"))
        {
            runs.put("raw", runRaw(rate, s, wait, pinned));
        }
        System.out.printf(Locale.ROOT, "%nrate=%,d ev/s wait=%s pinned=%s keys=%d window=%d ms, load average %s%n",
            rate, wait, pinned, s.keys, s.windowMs, loadAverage());
        System.out.printf(Locale.ROOT, "  %-40s %10s %9s %9s %9s %9s %9s%n", "histogram", "count", "p50", "p99", "p99.9", "p99.99", "max");
        for (final Map.Entry<String, Run> entry : runs.entrySet())
        {
            final Run run = entry.getValue();
            for (int phase = PLAIN; phase <= CHECKPOINTING; phase++)
            {
                if (run.sched[phase].getTotalCount() > 0)
                {
                    print(entry.getKey() + " sched->done " + PHASE_NAMES[phase], run.sched[phase]);
                    if (run.publish[phase].getTotalCount() > 0)
                    {
                        print(entry.getKey() + " publish->done " + PHASE_NAMES[phase], run.publish[phase]);
                    }
                }
            }
            print(entry.getKey() + " producer lag (send - due)", run.producerLag);
            if (run.service.getTotalCount() > 0)
            {
                print(entry.getKey() + " window pipeline per event", run.service);
            }
            if (run.pauses != null)
            {
                print(entry.getKey() + " checkpoint pause (partition)", run.pauses);
                System.out.printf("  checkpoints requested %d, completed %d, state entries %d%n", run.checkpointsRequested,
                    run.checkpointsCompleted, s.keys);
            }
        }
        final Run raw = runs.get("raw");
        for (final Map.Entry<String, Run> entry : runs.entrySet())
        {
            final Histogram h = entry.getValue().sched[PLAIN];
            if (h.getTotalCount() == 0)
            {
                continue;
            }
            final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "RESULT rate=%d wait=%s pinned=%s mode=%s count=%d %s",
                rate, wait, pinned, entry.getKey(), h.getTotalCount(), percentiles(h)));
            if (raw != null && entry.getValue() != raw && raw.sched[PLAIN].getTotalCount() > 0)
            {
                line.append("; raw ").append(percentiles(raw.sched[PLAIN])).append("; ratio ").append(ratios(h, raw.sched[PLAIN]));
            }
            System.out.println(line);
        }
        final Run open = runs.get("open");
        if (open != null && open.sched[PLAIN].getTotalCount() > 0)
        {
            for (final String closing : new String[] {"tumbling", "paced", "unsliced"})
            {
                final Run run = runs.get(closing);
                if (run != null && run.sched[PLAIN].getTotalCount() > 0)
                {
                    System.out.println(String.format(Locale.ROOT, "RESULT-CLOSES rate=%d mode=%s windows closing every %d ms over %d keys %s; " +
                        "never closing %s; ratio %s", rate, closing, s.windowMs, s.keys, percentiles(run.sched[PLAIN]),
                        percentiles(open.sched[PLAIN]), ratios(run.sched[PLAIN], open.sched[PLAIN])));
                    if (run.service.getTotalCount() > 0 && open.service.getTotalCount() > 0)
                    {
                        System.out.println(String.format(Locale.ROOT, "RESULT-CLOSES-SERVICE rate=%d mode=%s window pipeline per event %s; " +
                            "never closing %s; ratio %s", rate, closing, percentiles(run.service), percentiles(open.service),
                            ratios(run.service, open.service)));
                    }
                }
            }
        }
        writeReports(rate, wait, pinned, runs, reports);
    }

    private static Run runEngine(final long rate, final String mode, final Settings s) throws Exception
    {
        final Run run = new Run();
        final Pipeline probe = Pipeline.from(EngineBench.TOPIC, BenchEvents.SCHEMA).name("probe").partitionKey("key")
            .eventTime("ts", 0)
            .filter("record latency", e ->
            {
                final long phase = e.getLong(BenchEvents.QTY) - PHASE_MARK;
                // Only the run's own phases: the engine's JIT warm-up sends synthetic values.
                if (phase == PLAIN || phase == CHECKPOINTING)
                {
                    run.sched[(int)phase].recordValue(Math.min(HIGHEST, Math.max(0, System.nanoTime() - e.getLong(BenchEvents.SCHED))));
                    run.phaseOfLast = (int)phase;
                }
                return false;
            })
            .sink("none", (p, seq, k, t, ev) -> { })
            .build();
        final Path dir = PerfFiles.newDirectory("latency");
        final EngineContext context = EngineBench.context(dir, s.wait, s.ring).checkpoints(s.checkpointMs > 0);
        if (s.profile == EngineProfile.LOW_LATENCY)
        {
            context.profile(EngineProfile.LOW_LATENCY);
        }
        if (s.stages && !"empty".equals(mode))
        {
            // Pipeline 0 is the window pipeline; reported after the probe (pipeline 1) set the phase.
            context.stageLatencyListener((p, stage, nanos) ->
            {
                if (stage == StageLatencyListener.FIRST_PIPELINE && run.phaseOfLast == PLAIN)
                {
                    run.service.recordValue(Math.min(HIGHEST, nanos));
                }
            });
        }
        if (s.listener)
        {
            context.latencyListener((p, ingest, done) -> run.publish[run.phaseOfLast].recordValue(Math.min(HIGHEST, done - ingest)));
        }
        final List<Pipeline> pipelines;
        switch (mode)
        {
            case "tumbling":
                pipelines = List.of(EngineBench.tumbling(s.windowMs, 0, s.keys, s.firingSlice, new EngineBench.CountingSink()), probe);
                break;
            case "paced":
                pipelines = List.of(EngineBench.tumbling(s.windowMs, 0, s.keys, s.firingSlice, s.firingPace,
                    new EngineBench.CountingSink()), probe);
                break;
            case "open":
                pipelines = List.of(EngineBench.tumbling(TimeUnit.DAYS.toMillis(1), 0, s.keys, s.firingSlice,
                    new EngineBench.CountingSink()), probe);
                break;
            case "unsliced":
                pipelines = List.of(EngineBench.tumbling(s.windowMs, 0, s.keys, WindowOperatorContext.FIRING_SLICE_UNBOUNDED,
                    new EngineBench.CountingSink()), probe);
                break;
            default:
                pipelines = List.of(probe);
                break;
        }
        try (Engine engine = Engine.launch(context, pipelines))
        {
            if (engine.profileReport() != null)
            {
                System.out.println(mode + ": " + engine.profileReport());
            }
            run.wait = engine.context().waitStrategy();
            run.pinned = engine.context().pinThreads();
            if (run.pinned)
            {
                producerOffSpinningCores();
            }
            final EventPublisher publisher = engine.publisher(EngineBench.TOPIC);
            final boolean checkpointing = s.checkpointMs > 0 && "tumbling".equals(mode);
            final List<int[]> plan = plan(s, checkpointing);
            final long[] requested = {0};
            final JvmActivity jvm = JvmActivity.ofThisJvm();
            final WriterReservations reservations = new WriterReservations(engine.journal().topic(EngineBench.TOPIC));
            final long extended = drive(rate, s, plan, run.producerLag, jvm, publisher::publish, phase ->
            {
                if (phase != WARMUP)
                {
                    reservations.startOnce();
                }
                if (phase == CHECKPOINTING)
                {
                    final Checkpointer checkpointer = new Checkpointer(engine, s.checkpointMs);
                    return () -> requested[0] += checkpointer.stop();
                }
                return null;
            });
            if (!engine.drain(120, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("engine did not drain");
            }
            jvm.mark();
            printWarmUp(mode, extended, s, jvm);
            System.out.printf(Locale.ROOT, "%s: %s%n", mode, reservations.describe());
            if (checkpointing)
            {
                run.pauses = engine.checkpoints().pauseHistogram();
                run.checkpointsRequested = requested[0];
                run.checkpointsCompleted = engine.checkpoints().completed();
            }
        }
        finally
        {
            EngineBench.delete(dir);
        }
        return run;
    }

    private static Run runRaw(final long rate, final Settings s, final WaitStrategyKind wait, final boolean pin) throws Exception
    {
        final Run run = new Run();
        run.wait = wait;
        run.pinned = pin;
        if (pin)
        {
            producerOffSpinningCores();
        }
        try (RawDisruptorHandOff raw = new RawDisruptorHandOff(s.ring, wait, pin, run.sched[PLAIN]))
        {
            final JvmActivity jvm = JvmActivity.ofThisJvm();
            final long extended = drive(rate, s, plan(s, false), run.producerLag, jvm, raw::publish, phase -> null);
            raw.awaitConsumed();
            jvm.mark();
            printWarmUp("raw", extended, s, jvm);
        }
        return run;
    }

    /**
     * With the processing thread (or the raw consumer) pinned to a core of its own, the producer (this
     * thread) leaves that core, for the engine and the raw hand-off alike, as the demo's sender does:
     * left where the OS puts it, it is moved onto the spinning core whenever the engine's background
     * threads run on the other one, and the two then take turns for milliseconds. Once per JVM.
     */
    private static void producerOffSpinningCores()
    {
        if (producerPlaced)
        {
            return;
        }
        producerPlaced = true;
        final java.util.BitSet others = io.sluice.engine.runtime.CoreBudget.ofThisMachine().others();
        try
        {
            if (!others.isEmpty())
            {
                net.openhft.affinity.Affinity.setAffinity(others);
                System.out.println("producer: pinned off the spinning cores, to cpus " + io.sluice.engine.runtime.CoreBudget.cpuList(others) +
                    " (engine and raw hand-off alike)");
            }
        }
        catch (final RuntimeException | LinkageError ex)
        {
            System.out.println("producer: could not leave the spinning cores: " + ex);
        }
    }

    private static void printWarmUp(final String mode, final long extendedNs, final Settings s, final JvmActivity jvm)
    {
        System.out.printf(Locale.ROOT, "%s: warm-up extended by %d ms until the JIT was quiet for %d ms%n", mode,
            TimeUnit.NANOSECONDS.toMillis(extendedNs), s.jitQuietMs);
        System.out.printf(Locale.ROOT, "%s: measured seconds to the end of the drain: %s%n", mode, jvm.counts());
    }

    /**
     * The journal writer's own reservations over the measured seconds ({@link io.sluice.journal.Partition#writerReservations()}):
     * each time the allocator duty had not reserved the space ahead, the processing thread zero-filled the next chunk
     * itself between two events, and the events behind waited (perf/README.md sections 75, 80).
     */
    private static final class WriterReservations
    {
        private final io.sluice.journal.Topic topic;
        private long countAtStart = -1;
        private long bytesAtStart;

        WriterReservations(final io.sluice.journal.Topic topic)
        {
            this.topic = topic;
        }

        /** At the first measured phase's start (the control thread, between events). */
        void startOnce()
        {
            if (countAtStart < 0)
            {
                countAtStart = count();
                bytesAtStart = bytes();
            }
        }

        String describe()
        {
            return String.format(Locale.ROOT, "the journal writer's own reservations in the measured seconds (zero-filled on the " +
                "processing thread, the allocator duty behind): %d, %.1f MiB", count() - Math.max(0, countAtStart),
                (bytes() - bytesAtStart) / 1048576.0);
        }

        private long count()
        {
            long total = 0;
            for (int p = 0; p < topic.partitionCount(); p++)
            {
                total += topic.partition(p).writerReservations();
            }
            return total;
        }

        private long bytes()
        {
            long total = 0;
            for (int p = 0; p < topic.partitionCount(); p++)
            {
                total += topic.partition(p).writerReservedBytes();
            }
            return total;
        }
    }

    /** Whether {@link #producerOffSpinningCores()} ran. */
    private static boolean producerPlaced;

    private static List<int[]> plan(final Settings s, final boolean checkpointing)
    {
        final List<int[]> plan = new ArrayList<>();
        plan.add(new int[] {WARMUP, (int)s.warmup});
        if (checkpointing)
        {
            for (int i = 0; i < s.phases; i++)
            {
                plan.add(new int[] {PLAIN, (int)s.seconds});
                plan.add(new int[] {CHECKPOINTING, (int)s.seconds});
            }
        }
        else
        {
            plan.add(new int[] {PLAIN, (int)s.seconds});
        }
        return plan;
    }

    /** Publishes one 64-byte event. */
    private interface Sender
    {
        void send(DirectBuffer buffer, int offset);
    }

    /** Starts what runs during a phase; the returned action ends it (null: nothing). */
    private interface PhaseHook
    {
        PhaseEnd start(int phase);
    }

    /** Ends what a {@link PhaseHook} started. */
    private interface PhaseEnd
    {
        void end() throws InterruptedException;
    }

    /**
     * The open loop: event {@code i} is due at {@code t0 + i / rate}; the producer spins until then,
     * stamps the due time and the phase into the event and sends it. Same events, same pacing, for
     * every mode. {@code jvm} is started when the first measured phase starts.
     */
    private static long drive(final long rate, final Settings s, final List<int[]> plan, final Histogram producerLag,
        final JvmActivity jvm, final Sender sender, final PhaseHook hook) throws InterruptedException
    {
        final int keys = s.keys;
        long extendedNs = 0;
        final UnsafeBuffer staging = new UnsafeBuffer(new byte[BenchEvents.SCHEMA.length()]);
        final EventFlyweight event = new EventFlyweight(BenchEvents.SCHEMA).wrapForWrite(staging, 0);
        final long[] keyTable = BenchEvents.keyTable(keys);
        final double interval = 1e9 / rate;
        final long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
        long i = 0;
        long phaseEnd = t0;
        final JitQuiet jit = new JitQuiet(TimeUnit.MILLISECONDS.toNanos(s.jitQuietMs));
        boolean measuring = false;
        for (final int[] step : plan)
        {
            final int phase = step[0];
            if (phase != WARMUP && !measuring)
            {
                jvm.start();
                measuring = true;
            }
            phaseEnd += TimeUnit.SECONDS.toNanos(step[1]);
            final long warmUpLimit = phaseEnd + JIT_MAX_EXTRA_NS;
            final PhaseEnd end = hook.start(phase);
            while (true)
            {
                final long due = t0 + (long)(i * interval);
                if (due >= phaseEnd)
                {
                    if (phase == WARMUP && due < warmUpLimit && !jit.quiet())
                    {
                        // The warm-up goes on, open loop, until the JIT has compiled nothing for a while.
                        phaseEnd += JIT_CHECK_NS;
                        extendedNs += JIT_CHECK_NS;
                        continue;
                    }
                    break;
                }
                long now;
                while ((now = System.nanoTime()) < due)
                {
                    Thread.onSpinWait();
                }
                if (phase != WARMUP)
                {
                    producerLag.recordValue(Math.min(HIGHEST, now - due));
                }
                event.putLong(BenchEvents.KEY, keyTable[(int)i & BenchEvents.MASK])
                    .putLong(BenchEvents.TS, (due - t0) / 1_000_000).putDouble(BenchEvents.AMOUNT, BenchEvents.amount(i))
                    .putLong(BenchEvents.SCHED, due).putLong(BenchEvents.QTY, PHASE_MARK + phase);
                sender.send(staging, 0);
                i++;
            }
            if (end != null)
            {
                end.end();
            }
        }
        return extendedNs;
    }

    /**
     * The warm-up of every mode lasts its {@code warmup} seconds and then until the JIT compiled nothing for
     * {@code jitQuietMs} ({@link JitQuiet}), checked every {@link #JIT_CHECK_NS} and at most {@link #JIT_MAX_EXTRA_NS}
     * more, so that no mode is measured while compiler threads take turns with the producer on its CPU (the engine
     * modes run first, while the code of the engine's launch is still being compiled; the raw hand-off, last, found
     * the JIT quiet).
     */
    private static final long JIT_CHECK_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long JIT_MAX_EXTRA_NS = TimeUnit.SECONDS.toNanos(10);

    private static void writeReports(final long rate, final WaitStrategyKind wait, final boolean pinned, final Map<String, Run> runs,
        final Path reports) throws IOException
    {
        final Map<String, Histogram> series = new LinkedHashMap<>();
        for (final Map.Entry<String, Run> entry : runs.entrySet())
        {
            final Histogram h = entry.getValue().sched[PLAIN];
            final Path hgrm = reports.resolve("latency-" + rate + "-" + entry.getKey() + ".hgrm");
            try (PrintStream out = new PrintStream(Files.newOutputStream(hgrm), false, StandardCharsets.UTF_8))
            {
                h.outputPercentileDistribution(out, 1000.0);
            }
            series.put(String.format(Locale.ROOT, "%s  p99 %.1f us, p99.99 %.1f us", entry.getKey(), h.getValueAtPercentile(99) / 1e3,
                h.getValueAtPercentile(99.99) / 1e3), h);
        }
        PercentilePlot.write(reports.resolve("latency-" + rate + ".png"), String.format(Locale.ROOT,
            "In-process latency at %,d ev/s open loop, %s%s (scheduled send -> processed)", rate, wait, pinned ? ", pinned" : ""), series);
    }

    static String percentiles(final Histogram h)
    {
        return String.format(Locale.ROOT, "p50=%.1f p99=%.1f p99.9=%.1f p99.99=%.1f max=%.1f us", h.getValueAtPercentile(50) / 1e3,
            h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, h.getValueAtPercentile(99.99) / 1e3, h.getMaxValue() / 1e3);
    }

    static String ratios(final Histogram h, final Histogram base)
    {
        return String.format(Locale.ROOT, "p50=%.2f p99=%.2f p99.9=%.2f p99.99=%.2f max=%.2f",
            ratio(h.getValueAtPercentile(50), base.getValueAtPercentile(50)), ratio(h.getValueAtPercentile(99), base.getValueAtPercentile(99)),
            ratio(h.getValueAtPercentile(99.9), base.getValueAtPercentile(99.9)),
            ratio(h.getValueAtPercentile(99.99), base.getValueAtPercentile(99.99)), ratio(h.getMaxValue(), base.getMaxValue()));
    }

    private static double ratio(final long value, final long base)
    {
        return base == 0 ? Double.NaN : (double)value / base;
    }

    private static void print(final String name, final Histogram h)
    {
        System.out.printf(Locale.ROOT, "  %-40s %10d %9.1f %9.1f %9.1f %9.1f %9.1f%n", name, h.getTotalCount(),
            h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3,
            h.getValueAtPercentile(99.99) / 1e3, h.getMaxValue() / 1e3);
    }

    static String loadAverage()
    {
        return String.format(Locale.ROOT, "%.1f", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /** The parsed arguments. */
    private static final class Settings
    {
        final long seconds;
        final long warmup;
        final WaitStrategyKind wait;
        final EngineProfile profile;
        final List<String> modes;
        final int ring;
        final int keys;
        final long windowMs;
        final long checkpointMs;
        final int phases;
        final boolean listener;
        final boolean stages;
        final int firingSlice;
        final int firingPace;
        final long jitQuietMs;

        Settings(final Map<String, String> a)
        {
            seconds = Long.parseLong(a.get("seconds"));
            warmup = Long.parseLong(a.get("warmup"));
            wait = WaitStrategyKind.valueOf(a.get("wait"));
            profile = EngineProfile.valueOf(a.get("profile").replace('-', '_').toUpperCase(Locale.ROOT));
            checkpointMs = Long.parseLong(a.get("checkpointMs"));
            // Checkpoint phases are a property of the tumbling engine only.
            modes = checkpointMs > 0 ? List.of("tumbling") : List.of(a.get("modes").split(","));
            for (final String mode : modes)
            {
                if (!List.of("empty", "tumbling", "paced", "open", "unsliced", "raw").contains(mode))
                {
                    throw new IllegalArgumentException("modes: '" + mode + "' is not one of empty, tumbling, paced, open, unsliced, raw");
                }
            }
            ring = Integer.parseInt(a.get("ring"));
            keys = Integer.parseInt(a.get("keys"));
            windowMs = Long.parseLong(a.get("windowMs"));
            phases = Integer.parseInt(a.get("phases"));
            listener = Boolean.parseBoolean(a.get("listener"));
            stages = Boolean.parseBoolean(a.get("stages"));
            firingSlice = Integer.parseInt(a.get("firingSlice"));
            firingPace = Integer.parseInt(a.get("firingPace"));
            // Long enough that the quiet span holds a window close: the firing code compiles at closes.
            jitQuietMs = "auto".equals(a.get("jitQuietMs")) ? windowMs + 500 : Long.parseLong(a.get("jitQuietMs"));
        }
    }

    /** The histograms of one mode at one rate. */
    private static final class Run
    {
        final Histogram[] sched = {new Histogram(HIGHEST, 3), new Histogram(HIGHEST, 3), new Histogram(HIGHEST, 3)};
        final Histogram[] publish = {new Histogram(HIGHEST, 3), new Histogram(HIGHEST, 3), new Histogram(HIGHEST, 3)};
        final Histogram producerLag = new Histogram(HIGHEST, 3);
        /** Per event of the measured phase: time in the window pipeline's fused chain ({@code stages=true}). */
        final Histogram service = new Histogram(HIGHEST, 3);
        /** Written and read by the partition thread only (the listener runs after the probe). */
        int phaseOfLast = WARMUP;
        WaitStrategyKind wait;
        boolean pinned;
        Histogram pauses;
        long checkpointsRequested;
        long checkpointsCompleted;
    }

    /**
     * Requests a checkpoint every interval until stopped, waiting for each to complete.
     */
    private static final class Checkpointer implements Runnable
    {
        private final Engine engine;
        private final long intervalMs;
        private final Thread thread;
        private volatile boolean running = true;
        private long taken;

        Checkpointer(final Engine engine, final long intervalMs)
        {
            this.engine = engine;
            this.intervalMs = intervalMs;
            this.thread = new Thread(this, "bench-checkpointer");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void run()
        {
            try
            {
                while (running)
                {
                    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(intervalMs));
                    if (running)
                    {
                        engine.checkpoint().get(60, TimeUnit.SECONDS);
                        taken++;
                    }
                }
            }
            catch (final Exception ex)
            {
                ex.printStackTrace();
            }
        }

        long stop() throws InterruptedException
        {
            running = false;
            thread.join();
            return taken;
        }
    }
}
