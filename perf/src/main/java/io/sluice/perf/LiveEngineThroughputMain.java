package io.sluice.perf;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.runtime.BatchingPublisher;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.EventPublisher;
import io.sluice.engine.runtime.WaitStrategyKind;
import io.sluice.schema.EventFlyweight;

/**
 * End-to-end throughput of the live engine measured the way a user measures it: a fresh engine per
 * run (journal on, JOURNALED, the engine's defaults otherwise), timed from the first publish to the last
 * result after the end of input, on W1 (tumbling 6 s, count + sum, 10k keys, 10 events per ms of event
 * time, each timestamp up to 500 ms behind the largest before it, watermark bound 500 ms). Each round
 * runs, in rotating order:
 * <ol>
 *   <li>{@code plain}: {@link PlainWatermarkTumblingLoop}, the same query over the same events in a
 *       single-threaded loop over primitive arrays (the same-run baseline);</li>
 *   <li>the engine with P partitions on T processing threads for each {@code PxT} of {@code configs},
 *       fed by one {@link EventPublisher} on the main thread, one event per {@code publish} (or {@code run}
 *       events per {@code publishAll} with {@code run > 0}, or through a {@link BatchingPublisher} with
 *       {@code batch > 0}).</li>
 * </ol>
 * The events are generated once, before any timing. Every engine run's outputs are cross-checked
 * with the plain loop's: the same number of (key, window) rows and the same total count.
 * <p>
 * Round {@code first} is the first run of each configuration in this JVM: it includes the JIT's warm-up,
 * as a fresh launch does (fully for the first configuration run; later ones find the code they share
 * with it compiled). It is reported apart and left out of the medians. {@code settleMs} waits after
 * launch before timing (to separate the journal's background preparation of its next segment);
 * {@code latency=true} sets a no-op ingest latency listener, which makes publishers and processing
 * threads read the clock per event again (to measure what those reads cost); {@code warmUp=N} warms the
 * JIT with N synthetic events at launch ({@code EngineContext.warmUpEvents}, not timed).
 * <p>
 * Besides wall-clock rates, it reports the CPU time per event of the publishing thread and of the
 * processing threads (by {@code ThreadMXBean}), and of the plain loop: on a loaded machine these say
 * what the engine costs, where the rates also say how much CPU the threads were given.
 * <pre>{@code
 *   java @perf/target/classes/sluice-jvm.options -Xms2g -Xmx2g -cp perf/target/benchmarks.jar \
 *       io.sluice.perf.LiveEngineThroughputMain rounds=5 events=2000000 configs=1x1,2x1,2x2 wait=SLEEP
 * }</pre>
 */
public final class LiveEngineThroughputMain
{
    private static final int KEYS = 10_000;
    private static final long WINDOW_MS = 6_000;
    private static final long BOUND_MS = 500;
    private static final int EVENTS_PER_MS = 10;
    private static final int EVENT_LENGTH = BenchEvents.SCHEMA.length();

    private LiveEngineThroughputMain()
    {
    }

    /** One engine configuration: partitions on processing threads. */
    private record Config(int partitions, int threads)
    {
        static Config parse(final String text)
        {
            final String[] parts = text.trim().split("x");
            return new Config(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        }

        @Override
        public String toString()
        {
            return partitions + "x" + threads;
        }
    }

    /**
     * Runs the benchmark.
     *
     * @param args {@code name=value}: rounds, events, configs (PxT,...), wait, ring, segmentMb, batch, run,
     *             settleMs, latency, seed.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("rounds", "5");
        defaults.put("events", "2000000");
        defaults.put("configs", "1x1,2x1,2x2");
        defaults.put("wait", "SLEEP");
        defaults.put("ring", "8192");
        defaults.put("segmentMb", "1024");
        defaults.put("batch", "0");
        defaults.put("run", "0");
        defaults.put("settleMs", "0");
        defaults.put("latency", "false");
        defaults.put("seed", "12");
        defaults.put("warmUp", "0");
        final Map<String, String> a = EngineBench.args(args, defaults);
        final int rounds = Integer.parseInt(a.get("rounds"));
        final int events = Integer.parseInt(a.get("events"));
        final List<Config> configs = new ArrayList<>();
        for (final String config : a.get("configs").split(","))
        {
            configs.add(Config.parse(config));
        }
        final Settings settings = new Settings(WaitStrategyKind.valueOf(a.get("wait")), Integer.parseInt(a.get("ring")),
            Integer.parseInt(a.get("segmentMb")), Integer.parseInt(a.get("batch")), Integer.parseInt(a.get("run")), Long.parseLong(a.get("settleMs")),
            Boolean.parseBoolean(a.get("latency")), Integer.parseInt(a.get("warmUp")));

        System.out.println("LiveEngineThroughputMain " + a + " keys=" + KEYS + " W1 tumbling " + WINDOW_MS + " ms count+sum, " +
            EVENTS_PER_MS + " ev/ms, up to " + BOUND_MS + " ms out of order, bound " + BOUND_MS + " ms; " + EngineBench.machine() +
            "; load " + Machine.loadAverage());
        final Workload workload = Workload.generate(events, Long.parseLong(a.get("seed")));
        final PlainWatermarkTumblingLoop check = workload.runPlain();
        System.out.printf("workload: %,d events, %,d result rows, %,d late in the plain loop%n", events, check.fired(), check.late());

        final StringBuilder header = new StringBuilder(String.format("%-7s %12s", "round", "plain Mev/s"));
        for (final Config config : configs)
        {
            header.append(String.format(" %12s %8s", config + " Mev/s", "/plain"));
        }
        System.out.println(header);
        final double[] plainRates = new double[rounds];
        final double[][] rates = new double[configs.size()][rounds];
        final double[][] ratios = new double[configs.size()][rounds];
        final double[] firstRates = new double[configs.size()];
        final double[] firstRatios = new double[configs.size()];
        final double[] plainCpu = new double[rounds];
        final double[][] publisherCpu = new double[configs.size()][rounds];
        final double[][] processingCpu = new double[configs.size()][rounds];
        final double[] firstProcessingCpu = new double[configs.size()];
        for (int r = -1; r < rounds; r++)
        {
            final int steps = configs.size() + 1;
            double plain = 0;
            final double[] live = new double[configs.size()];
            for (int step = 0; step < steps; step++)
            {
                final int which = EngineBench.rotated(step, r, steps);
                if (which == 0)
                {
                    final long cpuBefore = THREADS.getCurrentThreadCpuTime();
                    plain = workload.timePlain(check);
                    if (r >= 0)
                    {
                        plainCpu[r] = (THREADS.getCurrentThreadCpuTime() - cpuBefore) / (double)events;
                    }
                }
                else
                {
                    final long[] cpu = new long[2];
                    live[which - 1] = runEngine(workload, configs.get(which - 1), settings, check, cpu);
                    if (r >= 0)
                    {
                        publisherCpu[which - 1][r] = cpu[0] / (double)events;
                        processingCpu[which - 1][r] = cpu[1] / (double)events;
                    }
                    else
                    {
                        firstProcessingCpu[which - 1] = cpu[1] / (double)events;
                    }
                }
            }
            final StringBuilder row = new StringBuilder(String.format("%-7s %12.2f", r < 0 ? "first" : Integer.toString(r + 1), plain / 1e6));
            for (int c = 0; c < configs.size(); c++)
            {
                row.append(String.format(" %12.2f %8.3f", live[c] / 1e6, live[c] / plain));
                if (r < 0)
                {
                    firstRates[c] = live[c];
                    firstRatios[c] = live[c] / plain;
                }
                else
                {
                    rates[c][r] = live[c];
                    ratios[c][r] = live[c] / plain;
                }
            }
            System.out.println(row);
            if (r >= 0)
            {
                plainRates[r] = plain;
            }
        }
        System.out.printf("median  %12.2f%n", EngineBench.median(plainRates.clone()) / 1e6);
        for (int c = 0; c < configs.size(); c++)
        {
            System.out.printf("RESULT live partitions=%d threads=%d wait=%s batch=%d median=%.2f Mev/s live/plain median=%.3f " +
                "(min %.3f max %.3f) first=%.2f Mev/s first/plain=%.3f plain median=%.2f Mev/s%n",
                configs.get(c).partitions(), configs.get(c).threads(), settings.waitStrategy(), settings.batch(),
                EngineBench.median(rates[c].clone()) / 1e6, EngineBench.median(ratios[c].clone()),
                EngineBench.min(ratios[c]), EngineBench.max(ratios[c]),
                firstRates[c] / 1e6, firstRatios[c], EngineBench.median(plainRates.clone()) / 1e6);
        }
        // CPU time per event, by thread: robust to a loaded machine, where the wall-clock rates above
        // also measure how much CPU the threads were given.
        System.out.printf("CPU ns/event (median): plain loop %.1f%n", EngineBench.median(plainCpu.clone()));
        for (int c = 0; c < configs.size(); c++)
        {
            System.out.printf("RESULT cpu partitions=%d threads=%d publisher=%.1f ns/event processing=%.1f ns/event " +
                "processing/plain=%.2f first run processing=%.1f ns/event%n", configs.get(c).partitions(), configs.get(c).threads(),
                EngineBench.median(publisherCpu[c].clone()), EngineBench.median(processingCpu[c].clone()),
                EngineBench.median(processingCpu[c].clone()) / EngineBench.median(plainCpu.clone()), firstProcessingCpu[c]);
        }
        for (int c = 1; c < configs.size(); c++)
        {
            final double[] vsFirst = new double[rounds];
            for (int r = 0; r < rounds; r++)
            {
                vsFirst[r] = rates[c][r] / rates[0][r];
            }
            System.out.printf("RESULT live %s/%s median=%.3f (min %.3f max %.3f)%n", configs.get(c), configs.get(0),
                EngineBench.median(vsFirst.clone()), EngineBench.min(vsFirst), EngineBench.max(vsFirst));
        }
        System.out.println("load " + Machine.loadAverage());
    }

    /** What every engine run shares. */
    private record Settings(WaitStrategyKind waitStrategy, int ring, int segmentMb, int batch, int run, long settleMs, boolean latency,
        int warmUp)
    {
    }

    /**
     * Launches a fresh engine, times the first publish to the last result after the end of input, and
     * checks the outputs against the plain loop.
     */
    private static double runEngine(final Workload workload, final Config config, final Settings settings,
        final PlainWatermarkTumblingLoop check, final long[] cpu)
    {
        final Path dir = PerfFiles.newDirectory("live-engine");
        final PartitionCountingSink sink = new PartitionCountingSink(config.partitions());
        final EngineContext context = new EngineContext().directory(dir).partitions(config.partitions())
            .processingThreads(config.threads()).ringSize(settings.ring()).maxEventLength(EVENT_LENGTH)
            .waitStrategy(settings.waitStrategy()).journalSegmentLength(settings.segmentMb() << 20).warmUpEvents(settings.warmUp());
        if (settings.latency())
        {
            context.latencyListener((partition, ingestNanos, doneNanos) -> { });
        }
        final long elapsed;
        try (Engine engine = Engine.launch(context, EngineBench.list(EngineBench.tumbling(WINDOW_MS, BOUND_MS, KEYS, sink))))
        {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(settings.settleMs()));
            final UnsafeBuffer events = workload.encoded;
            final int n = workload.events;
            final long[] processingIds = processingThreadIds();
            final long processingCpuBefore = cpuNanos(processingIds);
            final long publisherCpuBefore = THREADS.getCurrentThreadCpuTime();
            final long start = System.nanoTime();
            if (settings.batch() > 0)
            {
                final BatchingPublisher publisher = engine.batchingPublisher(EngineBench.TOPIC, settings.batch());
                for (int i = 0, offset = 0; i < n; i++, offset += EVENT_LENGTH)
                {
                    publisher.publish(events, offset);
                }
                publisher.flush();
            }
            else if (settings.run() > 0)
            {
                final EventPublisher publisher = engine.publisher(EngineBench.TOPIC);
                for (int i = 0; i < n; i += settings.run())
                {
                    publisher.publishAll(events, i * EVENT_LENGTH, Math.min(settings.run(), n - i));
                }
            }
            else
            {
                final EventPublisher publisher = engine.publisher(EngineBench.TOPIC);
                for (int i = 0, offset = 0; i < n; i++, offset += EVENT_LENGTH)
                {
                    publisher.publish(events, offset);
                }
            }
            engine.endOfInput(EngineBench.TOPIC);
            if (!engine.drain(600, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("engine " + config + " did not drain");
            }
            elapsed = System.nanoTime() - start;
            cpu[0] = THREADS.getCurrentThreadCpuTime() - publisherCpuBefore;
            cpu[1] = cpuNanos(processingIds) - processingCpuBefore;
        }
        finally
        {
            EngineBench.delete(dir);
        }
        if (sink.results() != check.fired() || sink.counted() != check.firedCount())
        {
            throw new IllegalStateException("engine " + config + " gave " + sink.results() + " rows counting " + sink.counted() +
                " events; the plain loop " + check.fired() + " rows counting " + check.firedCount());
        }
        return workload.events * 1e9 / elapsed;
    }

    /**
     * The input, generated once: keys uniform over {@code [0, 10k)}, 10 events per ms, each timestamp up
     * to 500 ms behind the largest before it, amounts in quarters; encoded as 64-byte events for the
     * engine and kept as arrays for the plain loop.
     */
    private static final class Workload
    {
        final int events;
        final int[] keys;
        final long[] timestamps;
        final double[] amounts;
        final UnsafeBuffer encoded;

        private Workload(final int events)
        {
            this.events = events;
            this.keys = new int[events];
            this.timestamps = new long[events];
            this.amounts = new double[events];
            this.encoded = new UnsafeBuffer(ByteBuffer.allocateDirect(events * EVENT_LENGTH));
        }

        static Workload generate(final int events, final long seed)
        {
            final Workload workload = new Workload(events);
            final SplittableRandom random = new SplittableRandom(seed);
            final EventFlyweight event = new EventFlyweight(BenchEvents.SCHEMA);
            for (int i = 0; i < events; i++)
            {
                final long newest = i / EVENTS_PER_MS;
                workload.keys[i] = random.nextInt(KEYS);
                // At most BOUND_MS behind the newest so far (the newest is i / EVENTS_PER_MS or later).
                workload.timestamps[i] = newest - random.nextInt((int)BOUND_MS + 1);
                workload.amounts[i] = (i & 1023) * 0.25;
                event.wrapForWrite(workload.encoded, i * EVENT_LENGTH).putLong(BenchEvents.KEY, workload.keys[i])
                    .putLong(BenchEvents.TS, workload.timestamps[i]).putDouble(BenchEvents.AMOUNT, workload.amounts[i])
                    .putLong(BenchEvents.SCHED, 0).putLong(BenchEvents.QTY, i);
            }
            return workload;
        }

        PlainWatermarkTumblingLoop runPlain()
        {
            final PlainWatermarkTumblingLoop loop = new PlainWatermarkTumblingLoop(KEYS, WINDOW_MS, BOUND_MS);
            final int[] keys = this.keys;
            final long[] timestamps = this.timestamps;
            final double[] amounts = this.amounts;
            for (int i = 0; i < events; i++)
            {
                loop.onEvent(keys[i], timestamps[i], amounts[i]);
            }
            loop.endOfInput();
            return loop;
        }

        double timePlain(final PlainWatermarkTumblingLoop check)
        {
            final long start = System.nanoTime();
            final PlainWatermarkTumblingLoop loop = runPlain();
            final long elapsed = System.nanoTime() - start;
            if (loop.checksum() != check.checksum() || loop.fired() != check.fired())
            {
                throw new IllegalStateException("the plain loop is not deterministic");
            }
            return events * 1e9 / elapsed;
        }
    }

    /**
     * Counts result rows and the events they cover per partition (each partition's counters written
     * only by the thread processing it, 128 bytes apart), read after a drain.
     */
    private static final class PartitionCountingSink implements EventSink
    {
        private static final int STRIDE = 16;
        private final long[] counters;
        private final int partitions;

        PartitionCountingSink(final int partitions)
        {
            this.partitions = partitions;
            this.counters = new long[(partitions + 1) * STRIDE];
        }

        @Override
        public void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
        {
            final int at = (partition + 1) * STRIDE;
            counters[at]++;
            counters[at + 1] += event.getLong(4);
        }

        long results()
        {
            long total = 0;
            for (int p = 0; p < partitions; p++)
            {
                total += counters[(p + 1) * STRIDE];
            }
            return total;
        }

        long counted()
        {
            long total = 0;
            for (int p = 0; p < partitions; p++)
            {
                total += counters[(p + 1) * STRIDE + 1];
            }
            return total;
        }
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private static long[] processingThreadIds()
    {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("sluice-processing-"))
            .mapToLong(Thread::getId).toArray();
    }

    private static long cpuNanos(final long[] threadIds)
    {
        long total = 0;
        for (final long id : threadIds)
        {
            total += Math.max(0, THREADS.getThreadCpuTime(id));
        }
        return total;
    }
}
