package io.sluice.perf;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EventPublisher;
import io.sluice.engine.runtime.WaitStrategyKind;
import io.sluice.schema.EventFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * End-to-end throughput of one partition with the journal on: 64-byte events over 10k keys, tumbling
 * 1 s count + sum(amount), as ratios to two baselines measured in the same run, in rotating order each
 * round (median ratios reported):
 * <ol>
 *   <li>{@code plain}: {@link PlainTumblingLoop}, the same query in a single-threaded loop over
 *       primitive arrays (the performance targets' baseline);</li>
 *   <li>{@code raw}: {@link RawDisruptorHandOff}, the same events from the same producer through a
 *       ring of the same shape and wait strategy to a consumer thread that reads them;</li>
 *   <li>{@code engine}: {@link Engine} with one partition: publisher -> ring -> partition thread
 *       (journal append, window operator, sink). Timed from the first publish until the partition
 *       has processed the last event ({@link Engine#drain}); launch and the first segment's
 *       pre-allocation are not timed. The journal's background zero-fill of the next spare segment
 *       (1 GiB here), started at launch, overlaps the timed run unless {@code settleMs} waits it out.</li>
 * </ol>
 * Producer = the main thread; the consumer/partition thread is the only other busy thread.
 * <pre>{@code
 *   java @perf/target/classes/sluice-jvm.options -Xms2g -Xmx2g -cp perf/target/benchmarks.jar \
 *       io.sluice.perf.EngineThroughputMain rounds=5 events=10000000 wait=YIELD
 * }</pre>
 */
public final class EngineThroughputMain
{
    private static final int KEYS = 10_000;

    private EngineThroughputMain()
    {
    }

    /**
     * Runs the benchmark.
     *
     * @param args {@code name=value}: rounds, events, wait, ring, eventsPerMs (power of two).
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("rounds", "5");
        defaults.put("events", "10000000");
        defaults.put("wait", "YIELD");
        defaults.put("ring", "8192");
        defaults.put("eventsPerMs", "1024");
        defaults.put("settleMs", "0");
        final Map<String, String> a = EngineBench.args(args, defaults);
        final int rounds = Integer.parseInt(a.get("rounds"));
        final long events = Long.parseLong(a.get("events"));
        final WaitStrategyKind wait = WaitStrategyKind.valueOf(a.get("wait"));
        final int ring = Integer.parseInt(a.get("ring"));
        final int timeShift = Integer.numberOfTrailingZeros(Integer.parseInt(a.get("eventsPerMs")));
        final long settleMs = Long.parseLong(a.get("settleMs"));
        final long[] keyTable = BenchEvents.keyTable(KEYS);

        System.out.println("EngineThroughputMain " + a + " keys=" + KEYS + " window=tumbling 1 s, count+sum; " + EngineBench.machine());
        System.out.printf("%-7s %12s %12s %12s %10s %10s %14s%n",
            "round", "plain Mev/s", "raw Mev/s", "engine Mev/s", "eng/plain", "eng/raw", "results ok");
        final double[] engPlain = new double[rounds];
        final double[] engRaw = new double[rounds];
        final double[] plainRates = new double[rounds];
        final double[] rawRates = new double[rounds];
        final double[] engRates = new double[rounds];
        for (int r = -1; r < rounds; r++)
        {
            double plain = 0;
            double raw = 0;
            double engine = 0;
            String ok = "";
            for (int step = 0; step < 3; step++)
            {
                final int which = EngineBench.rotated(step, r, 3);
                if (which == 0)
                {
                    plain = runPlain(keyTable, events, timeShift);
                }
                else if (which == 1)
                {
                    raw = runRaw(keyTable, events, timeShift, ring, wait);
                }
                else
                {
                    final double[] out = new double[2];
                    engine = runEngine(keyTable, events, timeShift, ring, wait, settleMs, out);
                    ok = out[1] == events ? "yes" : ("NO " + (long)out[1]);
                }
            }
            System.out.printf("%-7s %12.2f %12.2f %12.2f %10.3f %10.3f %14s%n",
                r < 0 ? "warmup" : Integer.toString(r + 1), plain / 1e6, raw / 1e6, engine / 1e6, engine / plain, engine / raw, ok);
            if (r >= 0)
            {
                engPlain[r] = engine / plain;
                engRaw[r] = engine / raw;
                plainRates[r] = plain;
                rawRates[r] = raw;
                engRates[r] = engine;
            }
        }
        System.out.printf("median  %12.2f %12.2f %12.2f %10.3f %10.3f%n",
            EngineBench.median(plainRates.clone()) / 1e6, EngineBench.median(rawRates.clone()) / 1e6,
            EngineBench.median(engRates.clone()) / 1e6, EngineBench.median(engPlain.clone()), EngineBench.median(engRaw.clone()));
        System.out.printf("RESULT wait=%s engine/plain median=%.3f (min %.3f max %.3f) engine/raw median=%.3f (min %.3f max %.3f)%n",
            wait, EngineBench.median(engPlain.clone()), EngineBench.min(engPlain), EngineBench.max(engPlain),
            EngineBench.median(engRaw.clone()), EngineBench.min(engRaw), EngineBench.max(engRaw));
    }

    private static double runPlain(final long[] keyTable, final long events, final int timeShift)
    {
        final PlainTumblingLoop loop = new PlainTumblingLoop(KEYS, 1_000);
        final long start = System.nanoTime();
        loop.run(keyTable, 0, events, timeShift);
        loop.fire();
        final long elapsed = System.nanoTime() - start;
        if (loop.checksum() == 42)
        {
            System.out.print("");
        }
        return events * 1e9 / elapsed;
    }

    private static double runRaw(
        final long[] keyTable, final long events, final int timeShift, final int ring, final WaitStrategyKind wait)
    {
        final UnsafeBuffer staging = new UnsafeBuffer(new byte[BenchEvents.SCHEMA.length()]);
        final EventFlyweight event = new EventFlyweight(BenchEvents.SCHEMA).wrapForWrite(staging, 0);
        try (RawDisruptorHandOff handOff = new RawDisruptorHandOff(ring, wait))
        {
            final long start = System.nanoTime();
            for (long i = 0; i < events; i++)
            {
                BenchEvents.write(event, keyTable, i, timeShift, 0);
                handOff.publish(staging, 0);
            }
            handOff.awaitConsumed();
            final long elapsed = System.nanoTime() - start;
            if (handOff.consumed() != events)
            {
                throw new IllegalStateException("raw consumer saw " + handOff.consumed() + " of " + events);
            }
            return events * 1e9 / elapsed;
        }
    }

    private static double runEngine(
        final long[] keyTable, final long events, final int timeShift, final int ring, final WaitStrategyKind wait,
        final long settleMs, final double[] out) throws InterruptedException
    {
        final Path dir = PerfFiles.newDirectory("engine-throughput");
        final EngineBench.CountingSink sink = new EngineBench.CountingSink();
        final UnsafeBuffer staging = new UnsafeBuffer(new byte[BenchEvents.SCHEMA.length()]);
        final EventFlyweight event = new EventFlyweight(BenchEvents.SCHEMA).wrapForWrite(staging, 0);
        try (Engine engine = Engine.launch(EngineBench.context(dir, wait, ring),
            EngineBench.list(EngineBench.tumbling(1_000, 0, KEYS, sink))))
        {
            final EventPublisher publisher = engine.publisher(EngineBench.TOPIC);
            // The journal zero-fills a spare segment (as long as a segment) on a background thread at
            // launch; settleMs > 0 lets that finish before timing, to separate its cost.
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(settleMs));
            final long start = System.nanoTime();
            for (long i = 0; i < events; i++)
            {
                BenchEvents.write(event, keyTable, i, timeShift, 0);
                publisher.publish(staging, 0);
            }
            if (!engine.drain(600, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("engine did not drain");
            }
            final long elapsed = System.nanoTime() - start;
            engine.endOfInput(EngineBench.TOPIC);
            engine.drain(600, TimeUnit.SECONDS);
            out[0] = sink.results;
            out[1] = sink.counted;
            return events * 1e9 / elapsed;
        }
        finally
        {
            EngineBench.delete(dir);
        }
    }
}
