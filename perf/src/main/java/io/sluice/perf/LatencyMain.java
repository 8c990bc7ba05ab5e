package io.sluice.perf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.window.WindowOperatorContext;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.EventPublisher;
import io.sluice.engine.runtime.WaitStrategyKind;
import io.sluice.schema.EventFlyweight;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * In-process ingest-to-output latency at fixed open-loop rates, one partition, journal on, tumbling
 * count+sum over {@code keys} keys (event time = the scheduled send time, so windows close in real
 * time and each close fires every key seen in that window inside one event's processing).
 * <p>
 * <b>Open loop, corrected for coordinated omission.</b> The producer computes each event's due time
 * {@code t0 + i / rate}, spins until it is due, stamps it into the event ({@code sched}) and publishes
 * (waiting if the ring is full). A second pipeline on the same topic, fused after the window pipeline
 * on the partition thread, ends in a filter that records {@code System.nanoTime() - sched}: the
 * latency from when the event should have been sent to the end of its window processing, so a
 * producer that falls behind (full ring, descheduled) is charged to the latency. The engine's own
 * {@code latencyListener} (publish to end of processing, not corrected) is recorded alongside.
 * <p>
 * <b>Checkpoints</b> ({@code checkpointMs > 0}): after the warm-up the run alternates phases without
 * and with a checkpoint every {@code checkpointMs} (requested by a helper thread through
 * {@link Engine#checkpoint()}); events are recorded by the phase they were due in, and the partition
 * thread's checkpoint pause comes from {@code Engine.checkpoints().pauseHistogram()}.
 * <pre>{@code
 *   java @perf/target/classes/sluice-jvm.options -Xms1g -Xmx1g -cp perf/target/benchmarks.jar \
 *       io.sluice.perf.LatencyMain rates=100000,500000,1000000 seconds=5 wait=YIELD
 * }</pre>
 */
public final class LatencyMain
{
    private static final long HIGHEST = TimeUnit.SECONDS.toNanos(60);
    /** Phase ids carried in the event's qty field. */
    private static final int WARMUP = 0;
    private static final int PLAIN = 1;
    private static final int CHECKPOINTING = 2;

    private LatencyMain()
    {
    }

    /**
     * Runs the benchmark.
     *
     * @param args {@code name=value}: rates, seconds, warmup, wait, ring, keys, windowMs, checkpointMs, phases,
     *             firingSlice (results a closing window emits per event at most; 2147483647 = whole
     *             window in one event).
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("rates", "100000,500000,1000000");
        defaults.put("seconds", "5");
        defaults.put("warmup", "2");
        defaults.put("wait", "YIELD");
        defaults.put("ring", "8192");
        defaults.put("keys", "10000");
        defaults.put("windowMs", "1000");
        defaults.put("checkpointMs", "0");
        defaults.put("phases", "2");
        defaults.put("firingSlice", Integer.toString(WindowOperatorContext.FIRING_SLICE_DEFAULT));
        final Map<String, String> a = EngineBench.args(args, defaults);
        final WaitStrategyKind wait = WaitStrategyKind.valueOf(a.get("wait"));
        final int keys = Integer.parseInt(a.get("keys"));
        final long checkpointMs = Long.parseLong(a.get("checkpointMs"));
        System.out.println("LatencyMain " + a + "; " + EngineBench.machine());
        System.out.println("latency in us; 'sched' = due time -> end of processing (CO-corrected), " +
            "'publish' = engine latencyListener, publish -> end of processing");
        for (final String rate : a.get("rates").split(","))
        {
            run(Long.parseLong(rate.trim()), Long.parseLong(a.get("seconds")), Long.parseLong(a.get("warmup")), wait,
                Integer.parseInt(a.get("ring")), keys, Long.parseLong(a.get("windowMs")), checkpointMs,
                Integer.parseInt(a.get("phases")), Integer.parseInt(a.get("firingSlice")));
        }
    }

    private static void run(
        final long rate, final long seconds, final long warmup, final WaitStrategyKind wait, final int ring, final int keys,
        final long windowMs, final long checkpointMs, final int phases, final int firingSlice) throws Exception
    {
        final Histogram[] sched = {new Histogram(HIGHEST, 3), new Histogram(HIGHEST, 3), new Histogram(HIGHEST, 3)};
        final Histogram[] publish = {new Histogram(HIGHEST, 3), new Histogram(HIGHEST, 3), new Histogram(HIGHEST, 3)};
        final Histogram producerLag = new Histogram(HIGHEST, 3);
        final int[] phaseOfLast = {WARMUP};
        final Pipeline probe = Pipeline.from(EngineBench.TOPIC, BenchEvents.SCHEMA).name("probe").partitionKey("key")
            .eventTime("ts", 0)
            .filter("record latency", e ->
            {
                final int phase = (int)e.getLong(BenchEvents.QTY);
                sched[phase].recordValue(Math.min(HIGHEST, System.nanoTime() - e.getLong(BenchEvents.SCHED)));
                phaseOfLast[0] = phase;
                return false;
            })
            .sink("none", (p, s, k, t, ev) -> { })
            .build();
        final Path dir = PerfFiles.newDirectory("latency");
        final EngineContext context = EngineBench.context(dir, wait, ring).checkpoints(checkpointMs > 0)
            .latencyListener((p, ingest, done) ->
                publish[phaseOfLast[0]].recordValue(Math.min(HIGHEST, done - ingest)));
        final EngineBench.CountingSink sink = new EngineBench.CountingSink();
        final List<int[]> plan = new ArrayList<>();
        plan.add(new int[] {WARMUP, (int)warmup});
        if (checkpointMs > 0)
        {
            for (int i = 0; i < phases; i++)
            {
                plan.add(new int[] {PLAIN, (int)seconds});
                plan.add(new int[] {CHECKPOINTING, (int)seconds});
            }
        }
        else
        {
            plan.add(new int[] {PLAIN, (int)seconds});
        }
        long checkpointsTaken = 0;
        try (Engine engine = Engine.launch(context, List.of(EngineBench.tumbling(windowMs, 0, keys, firingSlice, sink), probe)))
        {
            final EventPublisher publisher = engine.publisher(EngineBench.TOPIC);
            final UnsafeBuffer staging = new UnsafeBuffer(new byte[BenchEvents.SCHEMA.length()]);
            final EventFlyweight event = new EventFlyweight(BenchEvents.SCHEMA).wrapForWrite(staging, 0);
            final long[] keyTable = BenchEvents.keyTable(keys);
            final double interval = 1e9 / rate;
            final long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
            long i = 0;
            long phaseEnd = t0;
            for (final int[] step : plan)
            {
                final int phase = step[0];
                phaseEnd += TimeUnit.SECONDS.toNanos(step[1]);
                final Checkpointer checkpointer = phase == CHECKPOINTING ? new Checkpointer(engine, checkpointMs) : null;
                while (true)
                {
                    final long due = t0 + (long)(i * interval);
                    if (due >= phaseEnd)
                    {
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
                        .putLong(BenchEvents.SCHED, due).putLong(BenchEvents.QTY, phase);
                    publisher.publish(staging, 0);
                    i++;
                }
                if (checkpointer != null)
                {
                    checkpointsTaken += checkpointer.stop();
                }
            }
            if (!engine.drain(120, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("engine did not drain");
            }
            System.out.printf("%nrate=%,d ev/s wait=%s keys=%d window=%d ms: %,d events in %.1f s (warm-up %d s not recorded)%n",
                rate, wait, keys, windowMs, i, (System.nanoTime() - t0) / 1e9, warmup);
            System.out.printf("  %-34s %10s %8s %8s %9s %9s %9s%n", "histogram", "count", "p50", "p99", "p99.9", "p99.99", "max");
            final String[] names = {"", "no checkpoints", "during checkpoints"};
            for (int phase = PLAIN; phase <= CHECKPOINTING; phase++)
            {
                if (sched[phase].getTotalCount() > 0)
                {
                    print("sched->done " + names[phase], sched[phase]);
                    print("publish->done " + names[phase], publish[phase]);
                }
            }
            print("producer lag (send - due)", producerLag);
            if (checkpointMs > 0)
            {
                final Histogram pauses = engine.checkpoints().pauseHistogram();
                print("checkpoint pause (partition thread)", pauses);
                System.out.printf("  checkpoints requested %d, completed %d, state entries %d%n", checkpointsTaken,
                    engine.checkpoints().completed(), keys);
            }
        }
        finally
        {
            EngineBench.delete(dir);
        }
    }

    private static void print(final String name, final Histogram h)
    {
        System.out.printf("  %-34s %10d %8.1f %8.1f %9.1f %9.1f %9.1f%n", name, h.getTotalCount(),
            h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3,
            h.getValueAtPercentile(99.99) / 1e3, h.getMaxValue() / 1e3);
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
