package io.sluice.peers;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.EventPublisher;
import io.sluice.engine.runtime.TurnCpuListener;
import io.sluice.engine.runtime.WaitStrategyKind;
import io.sluice.journal.Journal;
import io.sluice.journal.Partition;
import io.sluice.journal.Topic;
import io.sluice.perf.Machine;

/**
 * Where a live event's time goes: runs {@link PeersMain}'s live engine (journal on, JOURNALED, YIELD, {@link EventPublisher}
 * on the calling thread) on one query, and the backtest over the same arrays, and reports the <b>CPU time per event
 * of every thread</b> over the timed span (first publish to the last partition's end of input): the publishing
 * thread, the processing thread(s), and the engine's background threads, beside the backtest's one thread. On a
 * machine shared by many processes the wall clock mostly measures the scheduler; CPU time per thread says what each
 * stage of the live path costs, and the difference to the backtest is the live engine's own overhead around the
 * window. Every run's rows are checked against the plain loop's row for row.
 * <p>
 * For the window queries each round also times {@code rows}: the backtest through the live engine's own window
 * operator, one row at a time in runs as the processing thread hands them over ({@link SluicePeer#rowBacktest}), so
 * the processing thread's CPU per event beyond it is the live path around the operator. {@code keys} (at most
 * {@link Workload#KEYS}) shrinks the window queries' key set, and with it the keyed state: the processing thread's
 * cost with a state that stays in the cache, beside the full one, is what the state's cache misses cost.
 * <p>With {@code busy=true} (or {@code -Dsluice.livecost.busy=true}) the live engine gets a {@link TurnCpuListener} and each
 * round also prints the processing threads' <b>busy ns/slot</b>: their CPU time inside the turns that took ring slots,
 * divided by those slots. Unlike the processing threads' total CPU per event it leaves out the idle turns (YIELD
 * polling an empty ring), which move with the scheduler: it is the figure to compare two builds or two settings live
 * (perf/README.md section 126: A/A pairs within +-0.4 ns at load ~20, where the total CPU moves by +-5 ns).
 * <p>With {@code -Dsluice.livecost.span=true} each run also prints its timed span as {@code System.nanoTime} bounds, so
 * that a profiler's samples taken on the same clock ({@code perf record -k CLOCK_MONOTONIC}) can be cut to the spans.
 * <pre>{@code
 *   java @perf-peers/target/classes/peers-jvm.options -Xms3g -Xmx3g -cp 'perf-peers/target/lib/*:perf-peers/target/classes' \
 *       io.sluice.peers.LiveCostMain [orders=2000000] [joinOrders=500000] [rounds=5] [warmup=2] [partitions=2] [queries=W1,W3] [publish=runs|each] [keys=10000] [warmupJoinOrders=N] [backtest=true|false] [busy=false]
 * }</pre>
 */
public final class LiveCostMain
{
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** Pause after the launch before the timed span, to see what the engine's threads do meanwhile. */
    private static long settleMs;
    /**
     * Orders of J1's warm-up rounds' workload (and their payments), 0 for the timed rounds' workload. {@link PeersMain} warms
     * up on 100,000: its first timed round is then the first on the full workload, the round whose live rate fell below the
     * others' in every quiet round (perf/README.md section 128), which {@code warmupJoinOrders=100000} reproduces here.
     */
    private static int warmupJoinOrders;
    /**
     * Whether each round runs the backtest before the live run. {@code backtest=false} leaves the live runs alone in the
     * JVM, as in {@link PeersMain}'s {@code systems=live2}: the backtest's operators run the join's code too, and a fresh
     * one before each live run changes what the JIT has compiled when the live run starts.
     */
    private static boolean runBacktest;
    /** Whether the events are published in runs ({@link EventPublisher#publishAll}, as {@link PeersMain} does) or one by one. */
    private static boolean publishRuns;
    /** Whether the live runs report the processing threads' busy time ({@link TurnCpuListener}). */
    private static boolean busy;

    private LiveCostMain()
    {
    }

    /**
     * Runs the measurement.
     *
     * @param args {@code name=value}: orders, joinOrders, rounds, warmup, partitions, queries, seed, settleMs, publish, keys,
     *             scratch, busy.
     * @throws Exception on failure, or when the rows differ from the plain loop's.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> a = new TreeMap<>(Map.of("orders", "2000000", "joinOrders", "500000", "rounds", "5", "warmup", "2",
            "partitions", "2", "queries", "W1,W3", "seed", "20261205", "settleMs", "0", "publish", "runs"));
        a.put("busy", Boolean.toString(Boolean.getBoolean("sluice.livecost.busy")));
        a.put("keys", Integer.toString(Workload.KEYS));
        a.put("warmupJoinOrders", "0");
        a.put("backtest", "true");
        a.put("scratch", System.getProperty("java.io.tmpdir") + "/sluice-livecost");
        for (final String arg : args)
        {
            final int eq = arg.indexOf('=');
            if (eq < 0 || !a.containsKey(arg.substring(0, eq)))
            {
                throw new IllegalArgumentException("unknown argument '" + arg + "'; known: " + a.keySet());
            }
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        final int rounds = Integer.parseInt(a.get("rounds"));
        final int warmup = Integer.parseInt(a.get("warmup"));
        final int partitions = Integer.parseInt(a.get("partitions"));
        final long seed = Long.parseLong(a.get("seed"));
        final int keys = Integer.parseInt(a.get("keys"));
        settleMs = Long.parseLong(a.get("settleMs"));
        warmupJoinOrders = Integer.parseInt(a.get("warmupJoinOrders"));
        runBacktest = Boolean.parseBoolean(a.get("backtest"));
        publishRuns = switch (a.get("publish"))
        {
            case "runs" -> true;
            case "each" -> false;
            default -> throw new IllegalArgumentException("publish must be runs or each, was '" + a.get("publish") + "'");
        };
        busy = switch (a.get("busy"))
        {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("busy must be true or false, was '" + a.get("busy") + "'");
        };
        final Path scratch = Files.createDirectories(Path.of(a.get("scratch")));
        System.out.println("LiveCostMain " + a + "; load average " + Machine.loadAverage());
        for (final String q : a.get("queries").split(","))
        {
            final Query query = Query.valueOf(q.trim());
            final Workload full = query.isJoin() ? Workload.ordersAndPayments(Integer.parseInt(a.get("joinOrders")), seed)
                : Workload.orders(Integer.parseInt(a.get("orders")), seed, keys);
            final long[][] fullReference = Rows.sorted(new PlainLoop().run(query, full).rows());
            final Workload small = query.isJoin() && warmupJoinOrders > 0 ? Workload.ordersAndPayments(warmupJoinOrders, seed + 1) : full;
            final long[][] smallReference = small == full ? fullReference : Rows.sorted(new PlainLoop().run(query, small).rows());
            System.out.printf("%n%s %s: %,d events; load average %s%n", query, query.description, full.count, Machine.loadAverage());
            final List<double[]> ratios = new ArrayList<>();
            final Map<String, List<Double>> byRole = new TreeMap<>();
            for (int round = -warmup; round < rounds; round++)
            {
                final Workload w = round < 0 ? small : full;
                final long[][] reference = round < 0 ? smallReference : fullReference;
                final PeerRun backtest = runBacktest ? SluicePeer.backtest().run(query, w) : null;
                if (backtest != null)
                {
                    check(query, "backtest", reference, backtest);
                }
                final PeerRun rows = query.isJoin() ? null : SluicePeer.rowBacktest(query, w);
                if (rows != null)
                {
                    check(query, "rows", reference, rows);
                }
                final Map<String, Long> cpu = new TreeMap<>();
                final BusyTurns turns = busy ? new BusyTurns() : null;
                final PeerRun live = runLive(query, w, partitions, scratch, cpu, turns);
                check(query, "live", reference, live);
                final double btNs = backtest == null ? Double.NaN : backtest.cpuNanos() / (double)w.count;
                final double rowsNs = rows == null ? Double.NaN : rows.cpuNanos() / (double)w.count;
                long total = 0;
                final StringBuilder line = new StringBuilder();
                for (final Map.Entry<String, Long> e : cpu.entrySet())
                {
                    total += e.getValue();
                    line.append(String.format(" %s %.1f", e.getKey(), e.getValue() / (double)w.count));
                }
                final double liveNs = total / (double)w.count;
                final double busyNs = turns == null ? Double.NaN : turns.nanosPerSlot();
                if (turns != null)
                {
                    line.append(String.format("; processing busy %.1f ns/slot over %,d slots", busyNs, turns.slots.get()));
                }
                System.out.printf("%s round %s: wall live %.3f s (%.2fM ev/s); CPU ns/event: backtest %.1f, rows %.1f, live total %.1f =%s; live/backtest CPU %.2fx%n",
                    query, round < 0 ? "warm-up" : Integer.toString(round + 1), live.nanos() / 1e9, w.count * 1e3 / live.nanos(),
                    btNs, rowsNs, liveNs, line, liveNs / btNs);
                if (round >= 0)
                {
                    ratios.add(new double[] {liveNs / btNs, liveNs});
                    cpu.forEach((role, ns) -> byRole.computeIfAbsent(role, k -> new ArrayList<>()).add(ns / (double)w.count));
                    byRole.computeIfAbsent("backtest", k -> new ArrayList<>()).add(btNs);
                    if (rows != null)
                    {
                        byRole.computeIfAbsent("rows", k -> new ArrayList<>()).add(rowsNs);
                    }
                    byRole.computeIfAbsent("live total", k -> new ArrayList<>()).add(liveNs);
                    if (turns != null)
                    {
                        byRole.computeIfAbsent("processing busy/slot", k -> new ArrayList<>()).add(busyNs);
                    }
                }
                System.gc();
            }
            final double[] r = ratios.stream().mapToDouble(x -> x[0]).sorted().toArray();
            final double[] n = ratios.stream().mapToDouble(x -> x[1]).sorted().toArray();
            System.out.printf("%s: live CPU/event median %.1f ns, %.2fx the backtest's (range %.2f-%.2f); load average %s%n", query,
                n[n.length / 2], r[r.length / 2], r[0], r[r.length - 1], Machine.loadAverage());
            final StringBuilder roles = new StringBuilder(query + " CPU ns/event by thread, median (min):");
            byRole.forEach((role, v) ->
            {
                final double[] x = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                roles.append(String.format(" %s %.1f (%.1f);", role, x[x.length / 2], x[0]));
            });
            System.out.println(roles);
        }
    }

    private static void check(final Query query, final String what, final long[][] reference, final PeerRun run)
    {
        final String difference = Rows.difference(reference, Rows.sorted(run.rows()));
        if (difference != null)
        {
            throw new IllegalStateException(query + ": " + what + " differs from the plain loop: " + difference);
        }
    }

    /**
     * {@link SluicePeer}'s live run, with every thread's CPU time over the timed span added into {@code cpu} by thread role,
     * and, with {@code turns}, the processing threads' turns that took slots summed into it (from the launch on, the
     * launch's own turns included: they take no slots before the first publish).
     */
    private static PeerRun runLive(final Query query, final Workload w, final int partitions, final Path scratch, final Map<String, Long> cpu,
        final BusyTurns turns) throws Exception
    {
        final SluicePeer.RowSink sink = new SluicePeer.RowSink(partitions, query, w);
        final Pipeline pipeline = SluicePeer.pipeline(query, sink);
        final Path dir = Files.createTempDirectory(scratch, "live-");
        try (Engine engine = Engine.launch(new EngineContext().directory(dir).partitions(partitions).waitStrategy(WaitStrategyKind.YIELD)
            .maxEventLength(64).turnCpuListener(turns), List.of(pipeline)))
        {
            final EventPublisher orders = engine.publisher("orders");
            final EventPublisher payments = query.isJoin() ? engine.publisher("payments") : null;
            if (settleMs > 0)
            {
                final Map<Long, Long> launched = threadCpu();
                Thread.sleep(settleMs);
                final Map<Long, Long> settled = threadCpu();
                final Map<String, Long> idle = new TreeMap<>();
                settled.forEach((id, t) -> idle.merge(role(id), t - launched.getOrDefault(id, 0L), Long::sum));
                idle.remove("other");
                System.out.println("  CPU ms of each thread role in the " + settleMs + " ms after the launch: " +
                    idle.entrySet().stream().map(e -> e.getKey() + " " + e.getValue() / 1_000_000.0).toList());
            }
            final long faultsBefore = processingFaults();
            final Map<Long, Long> before = threadCpu();
            final long self = THREADS.getCurrentThreadCpuTime();
            final long start = System.nanoTime();
            SluicePeer.publish(w, orders, payments, publishRuns);
            engine.endOfInput("orders");
            final long published = THREADS.getCurrentThreadCpuTime();
            sink.awaitEnd(engine);
            final Map<Long, Long> after = threadCpu();
            if (Boolean.getBoolean("sluice.livecost.span"))
            {
                // For a profiler's samples taken on CLOCK_MONOTONIC (perf record -k CLOCK_MONOTONIC): the timed span.
                System.out.printf("  timed span, System.nanoTime: %d %d%n", start, System.nanoTime());
            }
            final long faults = processingFaults() - faultsBefore;
            System.out.printf("  processing threads' page faults (minor + major): %,d, %.2f per 1,000 events%n", faults,
                faults * 1e3 / w.count);
            printWriterReservations(engine.journal());
            cpu.merge("publisher", published - self, Long::sum);
            final long me = Thread.currentThread().getId();
            for (final Map.Entry<Long, Long> e : after.entrySet())
            {
                if (e.getKey() == me)
                {
                    continue;
                }
                final long delta = e.getValue() - before.getOrDefault(e.getKey(), 0L);
                if (delta > 0)
                {
                    cpu.merge(role(e.getKey()), delta, Long::sum);
                }
            }
            return new PeerRun(sink.endNanos() - start, sink.parts());
        }
        finally
        {
            SluicePeer.deleteRecursively(dir);
        }
    }

    /**
     * Prints, per topic partition, the reservations the journal writer made on its own (processing) thread because the
     * allocator duty was behind ({@link Partition#writerReservations()}): zero where the duty keeps up; with staged writes,
     * the writer's {@code pwrite}s and records per {@code pwrite}.
     */
    private static void printWriterReservations(final Journal journal)
    {
        final StringBuilder line = new StringBuilder("  writer's own reservations (allocator duty behind), count / KiB:");
        for (final String name : new TreeSet<>(journal.topicNames()))
        {
            final Topic topic = journal.topic(name);
            for (int p = 0; p < topic.partitionCount(); p++)
            {
                final Partition partition = topic.partition(p);
                line.append(' ').append(name).append('/').append(p).append(' ').append(partition.writerReservations())
                    .append(" / ").append(partition.writerReservedBytes() >> 10);
                if (partition.writer().stagedWriteCount() > 0)
                {
                    // Staged writes (JournalContext#stagedWrites): the writer's pwrites, and records per pwrite.
                    line.append(" (pwrites ").append(partition.writer().stagedWriteCount()).append(", records/pwrite ")
                        .append(partition.endOffset() / partition.writer().stagedWriteCount()).append(')');
                }
            }
        }
        System.out.println(line);
    }

    /**
     * The processing threads' turns that took slots, summed: CPU time and slots. Called on the processing threads, once
     * per turn (~1,000 slots when the threads are behind the publisher), so two atomic adds a turn cost well under 1 ns
     * a slot.
     */
    private static final class BusyTurns implements TurnCpuListener
    {
        private final AtomicLong cpuNanos = new AtomicLong();
        private final AtomicLong slots = new AtomicLong();

        @Override
        public void onTurn(final int partition, final int slots, final long cpuNanos)
        {
            this.cpuNanos.addAndGet(cpuNanos);
            this.slots.addAndGet(slots);
        }

        /** @return the CPU nanoseconds per slot over the turns so far, NaN before the first. */
        double nanosPerSlot()
        {
            final long n = slots.get();
            return n == 0 ? Double.NaN : cpuNanos.get() / (double)n;
        }
    }

    private static String role(final long id)
    {
        final java.lang.management.ThreadInfo info = THREADS.getThreadInfo(id);
        final String name = info == null ? "gone" : info.getThreadName();
        if (name.startsWith("sluice-processing") || name.startsWith("sluice-partition"))
        {
            return "processing";
        }
        if (name.startsWith("sluice"))
        {
            return name.replaceAll("-?[0-9]+$", "");
        }
        return "other";
    }

    /**
     * Page faults (minor and major, {@code /proc/self/task/<tid>/stat} fields 10 and 12) the processing threads took so
     * far: a store into a journal page that is not mapped writable (not yet pre-touched, or write-protected again by
     * its writeback) takes one, and a Java profiler counts its time as the storing method's.
     */
    private static long processingFaults() throws java.io.IOException
    {
        long faults = 0;
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/self/task")))
        {
            for (final Path task : (Iterable<Path>)tasks::iterator)
            {
                final String stat;
                try
                {
                    stat = Files.readString(task.resolve("stat"));
                }
                catch (final java.nio.file.NoSuchFileException gone)
                {
                    continue;
                }
                catch (final java.io.IOException exited)
                {
                    // A thread that ended between the listing and the read: its stat answers "No such process" (ESRCH).
                    continue;
                }
                final int open = stat.indexOf('(');
                final int close = stat.lastIndexOf(')');
                final String name = stat.substring(open + 1, close);
                if (name.startsWith("sluice-processi") || name.startsWith("sluice-partitio"))
                {
                    // After the name: state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt.
                    final String[] fields = stat.substring(close + 2).split(" ");
                    faults += Long.parseLong(fields[7]) + Long.parseLong(fields[9]);
                }
            }
        }
        return faults;
    }

    private static Map<Long, Long> threadCpu()
    {
        final long[] ids = THREADS.getAllThreadIds();
        final Map<Long, Long> cpu = new HashMap<>();
        for (final long id : ids)
        {
            final long t = THREADS.getThreadCpuTime(id);
            if (t > 0)
            {
                cpu.put(id, t);
            }
        }
        return cpu;
    }
}
