package io.sluice.perf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.runtime.BatchingPublisher;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.WaitStrategyKind;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * The micro-batching trade-off, measured: for each batch size, (1) the most events per second one
 * producer gets through the engine (journal on, a tumbling count+sum over 10k keys, one partition,
 * YIELD wait strategy), and (2) the ingest-to-processed latency at a fixed open-loop rate, with a
 * batch sent when full or when its oldest event has waited the maximum delay. Batch size 1 is the
 * baseline: an event at a time, as {@link io.sluice.engine.runtime.EventPublisher} sends them.
 *
 * <pre>{@code
 *   java @perf/target/classes/sluice-jvm.options -cp perf/target/benchmarks.jar io.sluice.perf.MicroBatchingMain \
 *       [events=3000000] [rate=200000] [maxDelayMicros=100] [batches=1,8,64,256]
 * }</pre>
 */
public final class MicroBatchingMain
{
    static final Schema EVENT = Schema.builder("tick").longField("key").longField("qty").doubleField("price")
        .timestampField("ts").longField("a").longField("b").longField("c").longField("d").build();

    private MicroBatchingMain()
    {
    }

    /**
     * Runs every batch size and prints one line each.
     *
     * @param args optional {@code key=value} settings.
     * @throws Exception if the temporary directory cannot be made.
     */
    public static void main(final String[] args) throws Exception
    {
        int events = 3_000_000;
        int rate = 200_000;
        long maxDelayMicros = 100;
        int[] batches = {1, 8, 64, 256};
        for (final String arg : args)
        {
            final String value = arg.substring(arg.indexOf('=') + 1);
            if (arg.startsWith("events="))
            {
                events = Integer.parseInt(value);
            }
            else if (arg.startsWith("rate="))
            {
                rate = Integer.parseInt(value);
            }
            else if (arg.startsWith("maxDelayMicros="))
            {
                maxDelayMicros = Long.parseLong(value);
            }
            else if (arg.startsWith("batches="))
            {
                batches = java.util.Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
            }
        }
        System.out.printf("MicroBatchingMain events=%d rate=%d/s maxDelay=%dus, 64-byte events, 1 partition, wait strategy YIELD%n",
            events, rate, maxDelayMicros);
        System.out.println("batch  max Mev/s  ratio-to-1 | at rate: p50 us   p99 us  p99.9 us   max us");
        double baseline = 0;
        for (final int batch : batches)
        {
            final double throughput = run(batch, events, 0, maxDelayMicros, null);
            baseline = baseline == 0 ? throughput : baseline;
            final Recorder recorder = new Recorder(3);
            run(batch, Math.min(events, rate * 5), rate, maxDelayMicros, recorder);
            final Histogram h = recorder.getIntervalHistogram();
            System.out.printf("%5d  %9.2f  %10.2f | %15.1f %8.1f %9.1f %8.1f%n", batch, throughput / 1e6, throughput / baseline,
                h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3,
                h.getMaxValue() / 1e3);
        }
    }

    /**
     * One run; with {@code rate == 0} as fast as possible, returning events per second.
     */
    private static double run(
        final int batch, final int events, final int rate, final long maxDelayMicros, final Recorder latency) throws Exception
    {
        final Path dir = Files.createTempDirectory("sluice-microbatch");
        final long[] outputs = {0};
        final Pipeline pipeline = Pipeline.from("ticks", EVENT).name("volume").partitionKey("key").eventTime("ts", 0)
            .window(w -> w.tumbling(1_000).count("n").sum("qty", "qty").expectedEntries(32 * 1024))
            .sink("count", (p, s, k, t, e) -> outputs[0]++)
            .build();
        final EngineContext context = new EngineContext().directory(dir).partitions(1).ringSize(16 * 1024)
            .journalSegmentLength(512 * 1024 * 1024).checkpoints(false).waitStrategy(WaitStrategyKind.YIELD)
            .latencyListener(latency == null ? null : (p, ingest, done) -> latency.recordValue(Math.max(0, done - ingest)));
        final long start;
        final long end;
        try (Engine engine = Engine.launch(context, List.of(pipeline)))
        {
            final BatchingPublisher publisher = engine.batchingPublisher("ticks", batch);
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[EVENT.length()]);
            final EventFlyweight event = new EventFlyweight(EVENT).wrapForWrite(buffer, 0);
            final long maxDelayNanos = TimeUnit.MICROSECONDS.toNanos(maxDelayMicros);
            final long intervalNanos = rate == 0 ? 0 : 1_000_000_000L / rate;
            start = System.nanoTime();
            long next = start;
            for (int i = 0; i < events; i++)
            {
                if (intervalNanos > 0)
                {
                    next += intervalNanos;
                    while (System.nanoTime() < next)
                    {
                        publisher.flushIfOlderThan(maxDelayNanos);
                        LockSupport.parkNanos(1_000);
                    }
                }
                event.putLong(0, i % 10_000).putLong(1, 1 + (i & 7)).putDouble(2, 100.0).putLong(3, i / 1_000);
                publisher.publish(buffer, 0);
                if ((i & 63) == 0)
                {
                    publisher.flushIfOlderThan(maxDelayNanos);
                }
            }
            publisher.flush();
            engine.drain(120, TimeUnit.SECONDS);
            end = System.nanoTime();
        }
        PerfFiles.deleteRecursively(dir);
        return events * 1e9 / (end - start);
    }
}
