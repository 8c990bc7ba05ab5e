package io.sluice.perf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.EventPublisher;
import io.sluice.engine.runtime.WaitStrategyKind;
import io.sluice.schema.EventFlyweight;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Restart time from a checkpoint against a full replay, in the same run (issue 12, performance target: "Restart
 * with 1M keys of state and 10M journaled events since the checkpoint: ready in <= 1 s, and >= 20x
 * faster than a full replay from offset zero").
 * <p>
 * Set-up (untimed): {@code partitions} partitions (default 2, one per core of the 2-core machines the target is
 * stated for), tumbling 1-day count+sum (so every key's state stays open), keys
 * {@code i % keys}. {@code history} events are journaled, then a checkpoint holding {@code keys} keys
 * of state is taken (its pause on the partition thread is printed), then {@code tail} more events are
 * journaled. The engine's close writes a final checkpoint, so the checkpoint directory as it was
 * after the first checkpoint is kept aside and put back before every timed restart: the journal then
 * holds {@code history + tail} events, the newest checkpoint is at offset {@code history}.
 * <p>
 * Timed, alternating for {@code rounds}: {@code Engine.launch} with checkpoints (load the checkpoint,
 * replay {@code tail} events, start) and with checkpoints off (replay all {@code history + tail}
 * events from offset zero); ready = when launch returns, which is also caught up (the restore and the replay end
 * before ingress accepts). Reported per launch: the wall time, the CPU time of the whole process during it (every
 * recovering thread, the checkpoint load, the JIT and the GC: on a machine shared with other work the wall time
 * mostly measures waiting for a core) and the engine's last recovery event (journal open, checkpoint load beside
 * it, restore and replay, wall and CPU). Beside them, per round, the same {@code history + tail} events through
 * the same pipeline in a backtest ({@code Backtest.replayEvents}: one thread, one instance holding every key, no
 * journal), wall and CPU, the speed the replay (straight from the mapped journal, through the same dispatcher, no
 * ring) should match.
 * <p>
 * <b>A warm JVM.</b> The timed launches run in the JVM whose set-up wrote the checkpoint, so the engine's and the
 * journal's classes are loaded and their code compiled before them: "ready" here is a restart's own work, not a fresh
 * process's (see perf/README.md, sections 65, 69 and 70; a restart no longer opens the checkpoint's Chronicle Map files,
 * whose first use in a process cost 1.5-2 s of CPU).
 * <p>
 * <b>What the ratio can show.</b> A restart after {@code tail} events must replay those {@code tail} events, at the
 * speed the full replay replays all {@code history + tail}: full/restart is at most {@code (history + tail) / tail}
 * whatever either costs. At the target's 10M events since the checkpoint, 20x thus needs a journal of at least
 * 200M events (19 GB of 96-byte frames here), which this machine's page cache does not hold: the main prints,
 * beside the measured ratio, the history before the checkpoint at which this run's restart would be 20x a full
 * replay at this run's full-replay rate (derived, not measured).
 * <pre>{@code
 *   java @perf/target/classes/sluice-jvm.options -Xms6g -Xmx6g -XX:+AlwaysPreTouch -cp perf/target/benchmarks.jar \
 *       io.sluice.perf.RestartMain keys=1000000 history=20000000 tail=10000000 partitions=2 rounds=3
 * }</pre>
 * {@code -XX:+AlwaysPreTouch}: without it, the launches' and the backtest's CPU times include a page fault for each
 * heap page they are the first to touch, which depends on what ran before them in the JVM rather than on their own
 * work (the backtest prints its minor faults and kernel time beside its CPU time).
 * {@code partitions=N} spreads the keys over N partitions, recovered in parallel on up to one thread per core;
 * {@code segmentMiB=M} sets the journal's segment
 * length (default: the engine's, 64 MiB); {@code sized=false} leaves the window stage's default size hint instead of
 * telling it the keys to expect; {@code backtest=false} leaves out the backtest of every round (its columns print NaN): a
 * round is then the two launches only; {@code fresh=N} adds N restarts each in a JVM of its own, timed from the process's
 * start to ready ({@link FreshRestart}: the JVM's start, class loading and the JIT included);
 * {@code childJvm="<flags>"} adds JVM flags (space-separated) to those children, e.g. a class data sharing archive
 * ({@code -XX:ArchiveClassesAtExit=<file>} in one run, {@code -XX:SharedArchiveFile=<file>} in the next); {@code cds=true}
 * does that within the run: one untimed fresh restart writes the archive at its exit, the timed ones map it (what the
 * launcher does for the daemon from its second run on, {@code SLUICE_CDS=auto}). By default the children run as the
 * launcher runs the daemon ({@code sluice run}): with that archive ({@code cds=true}), with transparent huge pages
 * ({@code hugePages=true}, the launcher's {@code SLUICE_HUGE_PAGES=on}) and with its JIT thresholds ({@code daemonJit=true},
 * {@link FreshRestart#DAEMON_COMPILE_THRESHOLDS}); {@code cds=false hugePages=false daemonJit=false} gives the bare JVM the
 * fresh restarts ran in before section 92 of perf/README.md.
 * {@code setUpOnly=<dir>} writes the set-up into {@code <dir>} (the checkpoint kept aside in
 * {@code <dir>/checkpoints-aside}), keeps it and exits: restarts in processes of their own can then be run by hand,
 * e.g. two builds alternated from the same set-up, each as {@code RestartMain child=<dir> keys=.. partitions=..
 * segmentMiB=.. sized=..} after replacing {@code <dir>/checkpoints} with a copy of the aside one; the child prints its
 * ready line, the CPU to ready of every thread of the process by name, and the recovery's phases.
 */
public final class RestartMain
{
    /** Partitions of the topic; recovery restores and replays them in parallel, one recovering thread per core. */
    private static int partitions = 2;
    /**
     * Journal segment length: the engine's default unless {@code segmentMiB} says otherwise. A journal's open
     * checks every segment (record count, index, CRC32C) and the unwritten part of the tail segment, so the
     * segment length is part of what a restart costs.
     */
    private static int segmentLength = io.sluice.journal.JournalContext.DEFAULT_SEGMENT_LENGTH;
    /**
     * CPU time of the launching thread in the last timed launch: on a machine shared with other work the
     * wall time mostly measures waiting for a core, the CPU time the recovery's own work. With one partition the
     * recovery runs on it; with more, on recovering threads.
     */
    private static double lastLaunchCpu;
    /** CPU time of the whole process during the last timed launch: every recovering thread, the checkpoint load, JIT, GC. */
    private static double lastLaunchProcessCpu;
    /** CPU time of the backtest's thread in the last {@link #timeBacktest}. */
    private static double lastBacktestCpu;
    /**
     * Of {@link #lastBacktestCpu}, the time in the kernel, and the thread's minor page faults: the backtest allocates
     * its state on the heap, and heap pages no earlier phase touched cost a fault each (a second or more of kernel time
     * at 1M keys), so how much the launches before it allocated moves its CPU time unless the heap is pre-touched
     * ({@code -XX:+AlwaysPreTouch}).
     */
    private static double lastBacktestSystemCpu;
    private static long lastBacktestFaults;
    /**
     * Whether the window stage is told how many keys to expect ({@code expectedEntries}, default); {@code sized=false}
     * leaves the stage's default hint, as a pipeline that does not set it.
     */
    private static boolean sizedWindows = true;

    private RestartMain()
    {
    }

    /**
     * Runs the benchmark.
     *
     * @param args {@code name=value}: keys, history, tail, rounds, partitions, segmentMiB, sized, backtest, fresh, childJvm,
     *             cds, hugePages, daemonJit, setUpOnly.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("keys", "1000000");
        defaults.put("history", "20000000");
        defaults.put("tail", "10000000");
        defaults.put("rounds", "3");
        defaults.put("partitions", "2");
        defaults.put("segmentMiB", Integer.toString(io.sluice.journal.JournalContext.DEFAULT_SEGMENT_LENGTH >> 20));
        defaults.put("sized", "true");
        defaults.put("backtest", "true");
        defaults.put("fresh", "0");
        defaults.put("child", "");
        defaults.put("childJvm", "");
        defaults.put("cds", "true");
        defaults.put("hugePages", "true");
        defaults.put("daemonJit", "true");
        defaults.put("setUpOnly", "");
        final Map<String, String> a = EngineBench.args(args, defaults);
        final int keys = Integer.parseInt(a.get("keys"));
        final long history = Long.parseLong(a.get("history"));
        final long tail = Long.parseLong(a.get("tail"));
        final int rounds = Integer.parseInt(a.get("rounds"));
        partitions = Integer.parseInt(a.get("partitions"));
        segmentLength = Integer.parseInt(a.get("segmentMiB")) << 20;
        sizedWindows = Boolean.parseBoolean(a.get("sized"));
        final boolean withBacktest = Boolean.parseBoolean(a.get("backtest"));
        final int freshRestarts = Integer.parseInt(a.get("fresh"));
        if (!a.get("child").isEmpty())
        {
            restartAsChild(Path.of(a.get("child")), keys);
            return;
        }
        System.out.println("RestartMain " + a + "; " + EngineBench.machine());
        if (!a.get("setUpOnly").isEmpty())
        {
            final Path kept = Path.of(a.get("setUpOnly"));
            setUp(kept, kept.resolve("checkpoints"), kept.resolve("checkpoints-aside"), history, tail, keys);
            System.out.println("set up in " + kept + ": before each restart (child=" + kept + "), replace its checkpoints " +
                "directory with a copy of checkpoints-aside");
            return;
        }
        final Path dir = PerfFiles.newDirectory("restart");
        final Path checkpoints = dir.resolve("checkpoints");
        final Path aside = PerfFiles.newDirectory("restart-aside");
        try
        {
            setUp(dir, checkpoints, aside, history, tail, keys);
            // Ready = Engine.launch returned: the restore and the replay are done before ingress accepts, so ready is
            // also caught up. Both launches replay at the same per-event speed, so the sizes cap the ratio.
            System.out.printf("ready = launch returned, recovery complete (caught up); full/restart is at most " +
                "(history + tail) / tail = %.1f at these sizes%n", (double)(history + tail) / tail);
            System.out.printf("%-7s %14s %14s %10s %12s %s%n", "round", "restart s", "full replay s", "full/restart", "backtest s",
                "  (CPU s of the process: restart, full replay; of the backtest's thread)");
            final double[] ratios = new double[rounds];
            final double[] restarts = new double[rounds];
            final double[] fulls = new double[rounds];
            final double[] backtests = new double[rounds];
            final double[] restartCpu = new double[rounds];
            final double[] fullCpu = new double[rounds];
            final double[] restartProcessCpu = new double[rounds];
            final double[] fullProcessCpu = new double[rounds];
            final double[] backtestCpu = new double[rounds];
            for (int r = 0; r < rounds; r++)
            {
                double restart = 0;
                double full = 0;
                for (int step = 0; step < 2; step++)
                {
                    if ((step + r) % 2 == 0)
                    {
                        PerfFiles.deleteRecursively(checkpoints);
                        copy(aside, checkpoints);
                        restart = timeLaunch(dir, true, keys, r == 0);
                        restartCpu[r] = lastLaunchCpu;
                        restartProcessCpu[r] = lastLaunchProcessCpu;
                    }
                    else
                    {
                        full = timeLaunch(dir, false, keys, r == 0);
                        fullCpu[r] = lastLaunchCpu;
                        fullProcessCpu[r] = lastLaunchProcessCpu;
                    }
                }
                ratios[r] = full / restart;
                restarts[r] = restart;
                fulls[r] = full;
                final double backtest = withBacktest ? timeBacktest(history + tail, keys) : Double.NaN;
                backtests[r] = backtest;
                backtestCpu[r] = lastBacktestCpu;
                final double replayRate = (history + tail) / full;
                System.out.printf("%-7d %14.3f %14.3f %10.2f %12.3f   (CPU %.3f, %.3f; %.3f of which system %.3f, %,d minor faults) " +
                    "(full replay %.2f M ev/s, backtest of the same events %.2f M ev/s; restart minus the tail at the replay rate = " +
                    "%.3f s of checkpoint load + launch)%n", r + 1, restart, full, full / restart, backtest, restartProcessCpu[r],
                    fullProcessCpu[r], backtestCpu[r], lastBacktestSystemCpu, lastBacktestFaults, replayRate / 1e6,
                    (history + tail) / backtest / 1e6, restart - tail / replayRate);
            }
            final double restartMedian = EngineBench.median(restarts);
            final double fullMedian = EngineBench.median(fulls);
            System.out.printf("RESULT keys=%d history=%d tail=%d restart median %.3f s, full replay median %.3f s, " +
                "full/restart median %.2f; backtest median %.3f s (replay/backtest time %.2f)%n", keys, history, tail,
                restartMedian, fullMedian, EngineBench.median(ratios), EngineBench.median(backtests),
                fullMedian / EngineBench.median(backtests));
            // What the ratio could be with a longer history, at this run's rates: a full replay of H + tail events at the
            // full replay's rate against this restart (derived from the medians, not measured), by wall time and by the
            // process's CPU time (which a machine shared with other work distorts less).
            final double fullRate = (history + tail) / fullMedian;
            final double history20 = Math.max(0, 20 * restartMedian * fullRate - tail);
            final double fullCpuRate = (history + tail) / EngineBench.median(fullProcessCpu);
            final double history20Cpu = Math.max(0, 20 * EngineBench.median(restartProcessCpu) * fullCpuRate - tail);
            System.out.printf("RESULT partitions=%d process cpu: restart median %.3f s, full replay median %.3f s (%.0f ns per replayed " +
                "event, all threads), backtest thread median %.3f s (%.0f ns per event); full/restart by cpu %.2f; at one replay speed for " +
                "both launches the ratio is (history + tail) / tail, capped at %.1f by the sizes; derived: 20x at a history of " +
                "%.0f M events before the checkpoint (this run's full-replay rate %.2f M ev/s; by cpu %.0f M)%n",
                partitions, EngineBench.median(restartProcessCpu), EngineBench.median(fullProcessCpu),
                EngineBench.median(fullProcessCpu) * 1e9 / (history + tail), EngineBench.median(backtestCpu),
                EngineBench.median(backtestCpu) * 1e9 / (history + tail),
                EngineBench.median(fullProcessCpu) / EngineBench.median(restartProcessCpu), (double)(history + tail) / tail,
                history20 / 1e6, fullRate / 1e6, history20Cpu / 1e6);
            if (partitions == 1)
            {
                System.out.printf("RESULT cpu of the launching thread (recovery runs on it with one partition): restart median %.3f s, " +
                    "full replay median %.3f s (%.0f ns per replayed event), full/restart %.2f%n", EngineBench.median(restartCpu),
                    EngineBench.median(fullCpu), EngineBench.median(fullCpu) * 1e9 / (history + tail),
                    EngineBench.median(fullCpu) / EngineBench.median(restartCpu));
            }
            timeFreshRestarts(freshRestarts, dir, checkpoints, aside, a);
        }
        finally
        {
            PerfFiles.deleteRecursively(dir);
            PerfFiles.deleteRecursively(aside);
        }
    }

    /**
     * The untimed set-up: {@code history} events journaled in {@code dir}, a checkpoint of {@code keys} keys copied to
     * {@code aside}, then {@code tail} more events journaled.
     */
    private static void setUp(final Path dir, final Path checkpoints, final Path aside, final long history, final long tail,
        final int keys) throws Exception
    {
        long t = System.nanoTime();
        try (Engine engine = Engine.launch(context(dir, true), List.of(pipeline(keys))))
        {
            publish(engine, 0, history, keys);
            engine.drain(600, TimeUnit.SECONDS);
            System.out.printf("journaled %,d history events in %.1f s%n", history, (System.nanoTime() - t) / 1e9);
            t = System.nanoTime();
            engine.checkpoint().get(600, TimeUnit.SECONDS);
            final Histogram pause = engine.checkpoints().pauseHistogram();
            System.out.printf("checkpoint of %,d keys complete in %.2f s; partition-thread pause max %.2f ms (%d pauses)%n",
                keys, (System.nanoTime() - t) / 1e9, pause.getMaxValue() / 1e6, pause.getTotalCount());
            PerfFiles.deleteRecursively(aside);
            copy(checkpoints, aside);
            System.out.printf("checkpoint files on disk: %,d bytes%n", size(aside));
            t = System.nanoTime();
            publish(engine, history, tail, keys);
            engine.drain(600, TimeUnit.SECONDS);
            System.out.printf("journaled %,d tail events in %.1f s%n", tail, (System.nanoTime() - t) / 1e9);
        }
    }

    /**
     * {@code fresh=N}: N restarts, each in a JVM of its own ({@link FreshRestart}), after the rounds, from the same
     * checkpoint put back each time.
     */
    private static void timeFreshRestarts(
        final int count, final Path dir, final Path checkpoints, final Path aside, final Map<String, String> a)
        throws IOException, InterruptedException
    {
        if (count <= 0)
        {
            return;
        }
        final List<String> childArgs = List.of("child=" + dir, "keys=" + a.get("keys"), "partitions=" + a.get("partitions"),
            "segmentMiB=" + a.get("segmentMiB"), "sized=" + a.get("sized"));
        final List<String> childJvm = new ArrayList<>();
        if (Boolean.parseBoolean(a.get("hugePages")))
        {
            childJvm.add(FreshRestart.DAEMON_HUGE_PAGES);
        }
        if (Boolean.parseBoolean(a.get("daemonJit")))
        {
            childJvm.add(FreshRestart.DAEMON_COMPILE_THRESHOLDS);
        }
        childJvm.addAll(List.of(a.get("childJvm").split(" ")));
        if (Boolean.parseBoolean(a.get("cds")))
        {
            childJvm.addAll(classDataSharing(dir, checkpoints, aside, childArgs, childJvm));
        }
        final double[] startToReady = new double[count];
        final double[] launch = new double[count];
        final double[] cpu = new double[count];
        for (int i = 0; i < count; i++)
        {
            PerfFiles.deleteRecursively(checkpoints);
            copy(aside, checkpoints);
            final FreshRestart.Timing timing = FreshRestart.run(childJvm, childArgs);
            startToReady[i] = timing.startToReadySeconds();
            launch[i] = timing.launchSeconds();
            cpu[i] = timing.processCpuSeconds();
            System.out.printf("fresh process %d: start -> ready %.3f s, of which Engine.launch %.3f s; the process's CPU to ready %.3f s, " +
                "its minor page faults %,d%n", i + 1, startToReady[i], launch[i], cpu[i], timing.minorFaults());
        }
        System.out.printf("RESULT fresh process restart (its own JVM, start -> ready): median %.3f s, Engine.launch in it median %.3f s, " +
            "process CPU to ready median %.3f s%n", EngineBench.median(startToReady), EngineBench.median(launch), EngineBench.median(cpu));
    }

    /**
     * {@code cds=true}: one untimed restart in a JVM of its own writes a dynamic class data sharing archive of what it
     * loaded when it exits ({@code -XX:ArchiveClassesAtExit}), as the launcher's {@code SLUICE_CDS=on} does on a first
     * run; the timed restarts then map it ({@code -XX:SharedArchiveFile}) as the launcher does, at the address it was
     * written for ({@link FreshRestart#DAEMON_ARCHIVE_MAPPING}).
     *
     * @return the flags that make a child use the archive.
     */
    private static List<String> classDataSharing(
        final Path dir, final Path checkpoints, final Path aside, final List<String> childArgs, final List<String> childJvm)
        throws IOException, InterruptedException
    {
        final Path archive = dir.resolve("restart-cds.jsa");
        Files.deleteIfExists(archive);
        PerfFiles.deleteRecursively(checkpoints);
        copy(aside, checkpoints);
        final List<String> dump = new ArrayList<>(childJvm);
        dump.addAll(List.of("-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        FreshRestart.run(dump, childArgs);
        System.out.printf("class data sharing: archive of %,d bytes written at the exit of one untimed restart%n", Files.size(archive));
        final List<String> mapping = new ArrayList<>(List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        mapping.addAll(FreshRestart.DAEMON_ARCHIVE_MAPPING);
        return mapping;
    }

    /** Child mode of {@link FreshRestart}: one restart from the checkpoint in {@code dir}, its ready line, exit. */
    private static void restartAsChild(final Path dir, final int keys)
    {
        final long start = System.nanoTime();
        try (Engine engine = Engine.launch(context(dir, true), List.of(pipeline(keys))))
        {
            final double launch = (System.nanoTime() - start) / 1e9;
            System.out.println(FreshRestart.READY_PREFIX + "launch_s=" + launch + " process_cpu_s=" + processCpuNanos() / 1e9 +
                " process_minflt=" + ThreadFaults.minorOfProcess());
            System.out.println("  CPU to ready by thread (ended threads not counted): " + ThreadCpuByName.describe());
            System.out.println("  " + engine.recoveryEvents().get(engine.recoveryEvents().size() - 1));
        }
    }

    private static double timeLaunch(final Path dir, final boolean fromCheckpoint, final int keys, final boolean print)
    {
        final java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        final long processCpu = processCpuNanos();
        final long cpu = threads.getCurrentThreadCpuTime();
        final long start = System.nanoTime();
        final Engine engine = Engine.launch(context(dir, fromCheckpoint), List.of(pipeline(keys)));
        final double seconds = (System.nanoTime() - start) / 1e9;
        lastLaunchCpu = (threads.getCurrentThreadCpuTime() - cpu) / 1e9;
        lastLaunchProcessCpu = (processCpuNanos() - processCpu) / 1e9;
        final List<String> events = engine.recoveryEvents();
        if (print)
        {
            System.out.println("  " + (fromCheckpoint ? "restart" : "full replay") + " recovery: " + events.subList(0, events.size() - 1));
        }
        System.out.println("  " + (fromCheckpoint ? "restart:     " : "full replay: ") + events.get(events.size() - 1));
        engine.close();
        return seconds;
    }

    private static long processCpuNanos()
    {
        return ((com.sun.management.OperatingSystemMXBean)java.lang.management.ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    }

    /**
     * The same events through the same pipeline in a backtest (one thread, no journal, no engine): the
     * speed a replay straight from the journal should match. Includes the end of input's firing of
     * every key's window, which the replay does not do.
     */
    private static double timeBacktest(final long events, final int keys)
    {
        final long[] next = {0};
        final io.sluice.engine.io.EventSource source = event ->
        {
            final long i = next[0];
            if (i == events)
            {
                return false;
            }
            next[0] = i + 1;
            event.putLong(BenchEvents.KEY, i % keys).putLong(BenchEvents.TS, i >> 10)
                .putDouble(BenchEvents.AMOUNT, BenchEvents.amount(i)).putLong(BenchEvents.QTY, i);
            return true;
        };
        final java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        final long faults = ThreadFaults.minor();
        final long cpu = threads.getCurrentThreadCpuTime();
        final long user = threads.getCurrentThreadUserTime();
        final long start = System.nanoTime();
        io.sluice.engine.io.Backtest.replayEvents(List.of(EngineBench.tumbling(TimeUnit.DAYS.toMillis(1), 0, keys,
            new EngineBench.CountingSink())), Map.of(EngineBench.TOPIC, source), new io.sluice.engine.io.BacktestOptions());
        final double seconds = (System.nanoTime() - start) / 1e9;
        final long cpuNanos = threads.getCurrentThreadCpuTime() - cpu;
        lastBacktestCpu = cpuNanos / 1e9;
        lastBacktestSystemCpu = (cpuNanos - (threads.getCurrentThreadUserTime() - user)) / 1e9;
        lastBacktestFaults = ThreadFaults.minor() - faults;
        return seconds;
    }

    private static EngineContext context(final Path dir, final boolean checkpoints)
    {
        return EngineBench.context(dir, WaitStrategyKind.SLEEP, 8192).partitions(partitions).checkpoints(checkpoints)
            .journalSegmentLength(segmentLength);
    }

    private static io.sluice.engine.pipeline.Pipeline pipeline(final int keys)
    {
        if (!sizedWindows)
        {
            // The window stage's default size hint (1,024 rows): the restore and the replay grow the state as they go.
            return io.sluice.engine.pipeline.Pipeline.from(EngineBench.TOPIC, BenchEvents.SCHEMA).name("tumbling").partitionKey("key")
                .eventTime("ts", 0).window(w -> w.tumbling(TimeUnit.DAYS.toMillis(1)).count("n").sum("total", "amount"))
                .sink("count", new EngineBench.CountingSink()).build();
        }
        return EngineBench.tumbling(TimeUnit.DAYS.toMillis(1), 0, Math.max(1, keys / partitions), new EngineBench.CountingSink());
    }

    private static void publish(final Engine engine, final long from, final long count, final int keys)
    {
        final EventPublisher publisher = engine.publisher(EngineBench.TOPIC);
        final UnsafeBuffer staging = new UnsafeBuffer(new byte[BenchEvents.SCHEMA.length()]);
        final EventFlyweight event = new EventFlyweight(BenchEvents.SCHEMA).wrapForWrite(staging, 0);
        for (long i = from, end = from + count; i < end; i++)
        {
            event.putLong(BenchEvents.KEY, i % keys).putLong(BenchEvents.TS, i >> 10)
                .putDouble(BenchEvents.AMOUNT, BenchEvents.amount(i)).putLong(BenchEvents.QTY, i);
            publisher.publish(staging, 0);
        }
    }

    private static long size(final Path directory)
    {
        try (Stream<Path> walk = Files.walk(directory))
        {
            long total = 0;
            for (final Path path : walk.toList())
            {
                total += Files.isRegularFile(path) ? Files.size(path) : 0;
            }
            return total;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void copy(final Path from, final Path to)
    {
        try (Stream<Path> walk = Files.walk(from))
        {
            for (final Path source : walk.toList())
            {
                final Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source))
                {
                    Files.createDirectories(target);
                }
                else
                {
                    Files.copy(source, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
