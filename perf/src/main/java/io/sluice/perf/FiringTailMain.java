package io.sluice.perf;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.EventPublisher;
import io.sluice.engine.runtime.WaitStrategyKind;
import io.sluice.engine.time.WatermarkGenerator;
import io.sluice.journal.PartitionReader;
import io.sluice.schema.EventFlyweight;

/**
 * The tail of a sliced window firing that outlives its input: how long after the event that closes a window, with
 * nothing published after it, the window's last result reaches the sink. The closing event emits one firing slice; the
 * partition thread continues the rest itself with journaled continuation ticks once its ring has stayed empty for a
 * moment ({@code QuietContinuation.QUIET_NANOS}, 1 ms), else the engine's scheduler does at its quiet
 * tick (one to two tick intervals later). Per round: {@code keys} events of window {@code r}, one per key, published as
 * fast as the ring takes them, a pause of {@code gapMs} so the ring is empty, then one event of window {@code r + 1}
 * (the closing one), and a wait for the sink's last result of window {@code r}; the tail is that result's arrival less
 * the closing event's publish, and of it the wait before the first continuation (from the closing event's last result
 * to the next one). Printed: the tails' percentiles, rounds over 10 ms, and the continuation ticks the
 * journal holds per round (each emits one slice, so a round needs {@code ceil(keys / firingSlice) - 1} of them when no
 * other tick comes first).
 * <pre>{@code
 *   java @perf/target/classes/sluice-jvm.options -cp perf/target/benchmarks.jar io.sluice.perf.FiringTailMain \
 *       keys=5000 rounds=40 wait=SLEEP
 * }</pre>
 */
public final class FiringTailMain
{
    /** The journal's record type of a processing-time tick (the engine's {@code RingSlot.TICK}). */
    private static final int TICK_RECORD = 2;

    private FiringTailMain()
    {
    }

    /**
     * Runs the measurement.
     *
     * @param args {@code name=value}: keys, rounds, warmup (rounds not counted), firingSlice, wait, tickMs (the
     *             scheduler's tick interval, 0 for none), gapMs.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("keys", "5000");
        defaults.put("rounds", "40");
        defaults.put("warmup", "10");
        defaults.put("firingSlice", "64");
        defaults.put("wait", "SLEEP");
        defaults.put("tickMs", "100");
        defaults.put("gapMs", "5");
        final Map<String, String> a = EngineBench.args(args, defaults);
        final int keys = Integer.parseInt(a.get("keys"));
        final int rounds = Integer.parseInt(a.get("rounds"));
        final int warmup = Integer.parseInt(a.get("warmup"));
        final int firingSlice = Integer.parseInt(a.get("firingSlice"));
        final long gapNanos = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(a.get("gapMs")));
        final long windowMs = 1000;
        System.out.println("FiringTailMain " + a + "; " + EngineBench.machine() + "; load average " + LatencyMain.loadAverage());
        final ArrivalSink sink = new ArrivalSink(keys, firingSlice);
        final long[] tails = new long[rounds];
        final long[] waits = new long[rounds];
        long continuations = 0;
        final Path dir = PerfFiles.newDirectory("firing-tail");
        try
        {
            final EngineContext context = EngineBench.context(dir, WaitStrategyKind.valueOf(a.get("wait")), 16384)
                .tickIntervalMillis(Long.parseLong(a.get("tickMs")));
            try (Engine engine = Engine.launch(context, List.of(EngineBench.tumbling(windowMs, 0, keys, firingSlice, sink))))
            {
                final EventPublisher publisher = engine.publisher(EngineBench.TOPIC);
                final UnsafeBuffer staging = new UnsafeBuffer(new byte[BenchEvents.SCHEMA.length()]);
                final EventFlyweight event = new EventFlyweight(BenchEvents.SCHEMA).wrapForWrite(staging, 0);
                long expected = 0;
                for (int r = 0; r < warmup + rounds; r++)
                {
                    // The first key's event of window r was the previous round's closing event.
                    for (int k = r == 0 ? 0 : 1; k < keys; k++)
                    {
                        publish(publisher, staging, event, k, r * windowMs + k * (windowMs - 1) / keys);
                    }
                    pause(gapNanos);
                    final long closing = System.nanoTime();
                    publish(publisher, staging, event, 0, (r + 1) * windowMs);
                    expected += keys;
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (sink.results < expected && System.nanoTime() < deadline)
                    {
                        Thread.onSpinWait();
                    }
                    if (sink.results < expected)
                    {
                        throw new IllegalStateException("round " + r + ": " + (expected - sink.results) + " results missing after 60 s");
                    }
                    if (r >= warmup)
                    {
                        tails[r - warmup] = sink.lastNanos - closing;
                        waits[r - warmup] = sink.continuedNanos - sink.sliceEndNanos;
                    }
                }
                engine.drain(60, TimeUnit.SECONDS);
                continuations = continuationTicks(engine);
            }
        }
        finally
        {
            PerfFiles.deleteRecursively(dir);
        }
        report(tails, waits, continuations, warmup + rounds, keys, firingSlice);
    }

    private static void publish(final EventPublisher publisher, final UnsafeBuffer staging, final EventFlyweight event, final long key,
        final long timestamp)
    {
        event.putLong(BenchEvents.KEY, key).putLong(BenchEvents.TS, timestamp).putDouble(BenchEvents.AMOUNT, 1.0)
            .putLong(BenchEvents.QTY, key);
        publisher.publish(staging, 0);
    }

    private static void pause(final long nanos)
    {
        final long until = System.nanoTime() + nanos;
        while (System.nanoTime() < until)
        {
            LockSupport.parkNanos(until - System.nanoTime());
        }
    }

    private static long continuationTicks(final Engine engine)
    {
        final long[] ticks = {0};
        try (PartitionReader reader = engine.journal().topic(EngineBench.TOPIC).partition(0).newReader())
        {
            while (reader.poll(record ->
            {
                if (record.type() == TICK_RECORD && record.timestamp() == WatermarkGenerator.CONTINUATION)
                {
                    ticks[0]++;
                }
            }, 4096) > 0)
            {
                // every record
            }
        }
        return ticks[0];
    }

    private static void report(final long[] tails, final long[] waits, final long continuations, final int allRounds, final int keys,
        final int firingSlice)
    {
        final long[] sorted = tails.clone();
        Arrays.sort(sorted);
        final long[] sortedWaits = waits.clone();
        Arrays.sort(sortedWaits);
        int over10 = 0;
        for (final long tail : tails)
        {
            over10 += tail > TimeUnit.MILLISECONDS.toNanos(10) ? 1 : 0;
        }
        final StringBuilder each = new StringBuilder();
        for (final long tail : tails)
        {
            each.append(String.format(Locale.ROOT, " %.1f", tail / 1e6));
        }
        System.out.println("tails ms, in order:" + each);
        System.out.printf(Locale.ROOT, "RESULT tail (closing event published -> last result) over %d rounds: min %.2f ms, p50 %.2f ms, " +
            "p90 %.2f ms, max %.2f ms; %d over 10 ms; continuation ticks journaled %.1f per round (%d needed per round without " +
            "other ticks)%n", tails.length, sorted[0] / 1e6, sorted[sorted.length / 2] / 1e6, sorted[sorted.length * 9 / 10] / 1e6,
            sorted[sorted.length - 1] / 1e6, over10, continuations / (double)allRounds, (keys + firingSlice - 1) / firingSlice - 1);
        System.out.printf(Locale.ROOT, "RESULT of which the wait before the first continuation (the closing event's last result -> " +
            "the first continued one): min %.2f ms, p50 %.2f ms, p90 %.2f ms, max %.2f ms%n", sortedWaits[0] / 1e6,
            sortedWaits[sortedWaits.length / 2] / 1e6, sortedWaits[sortedWaits.length * 9 / 10] / 1e6,
            sortedWaits[sortedWaits.length - 1] / 1e6);
    }

    /**
     * Counts results and notes when the last one arrived, and, per round, when the closing event's slice ended (its last
     * result) and the first continuation began (the next result); written by the partition thread, read by the driver.
     */
    private static final class ArrivalSink implements EventSink
    {
        private final int keys;
        private final int firingSlice;
        volatile long results;
        volatile long lastNanos;
        volatile long sliceEndNanos;
        volatile long continuedNanos;

        ArrivalSink(final int keys, final int firingSlice)
        {
            this.keys = keys;
            this.firingSlice = firingSlice;
        }

        @Override
        public void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
        {
            final long now = System.nanoTime();
            final long inRound = results % keys;
            if (inRound == firingSlice - 1)
            {
                sliceEndNanos = now;
            }
            else if (inRound == firingSlice)
            {
                continuedNanos = now;
            }
            lastNanos = now;
            results = results + 1; // single writer
        }
    }
}
