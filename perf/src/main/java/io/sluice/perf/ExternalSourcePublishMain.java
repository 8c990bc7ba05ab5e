package io.sluice.perf;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.ExternalSourcePublisher;
import io.sluice.engine.runtime.WaitStrategyKind;

/**
 * The publishing thread's CPU per event of an external source (a Kafka reader's side of the ring), one event per
 * claim of the ring ({@link ExternalSourcePublisher#tryPublish}) against a claim per run of up to {@code batch} events
 * ({@link ExternalSourcePublisher#tryClaim}, {@code put}, {@code publishClaimed}), alternated per round in the same
 * JVM. The events arrive in "polls" of {@code poll} events, as a Kafka consumer hands them over; the engine runs
 * the tumbling count+sum over {@code keys} keys on one partition with its journal on, as the Kafka benchmark does.
 * A full ring parks the publisher (1 us, doubling to 256 us, as the Kafka reader's held-back wait), so the CPU
 * counted is the publishing, not a spin. The thread's CPU is the JVM's per-thread clock (ns).
 * <pre>{@code
 *   java @perf/target/classes/sluice-jvm.options -Xms2g -Xmx2g -cp perf/target/benchmarks.jar \
 *       io.sluice.perf.ExternalSourcePublishMain [events=4000000] [rounds=5] [poll=500] [batch=256] [keys=10000] [ring=8192]
 * }</pre>
 * The first round is a warm-up and not reported.
 */
public final class ExternalSourcePublishMain
{
    private static final long FIRST_PARK_NANOS = 1_000;
    private static final long MAX_PARK_NANOS = 256_000;

    private ExternalSourcePublishMain()
    {
    }

    /**
     * Runs the comparison.
     *
     * @param args {@code name=value}: events, rounds, poll, batch, keys, ring, dir.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("events", "4000000");
        defaults.put("rounds", "5");
        defaults.put("poll", "500");
        defaults.put("batch", "256");
        defaults.put("keys", "10000");
        defaults.put("ring", "8192");
        defaults.put("dir", System.getProperty("java.io.tmpdir"));
        final Map<String, String> a = EngineBench.args(args, defaults);
        System.out.println("ExternalSourcePublishMain " + a + "; " + EngineBench.machine() + "; load average " + LatencyMain.loadAverage());
        final int events = Integer.parseInt(a.get("events"));
        final int poll = Integer.parseInt(a.get("poll"));
        final int keys = Integer.parseInt(a.get("keys"));
        final long[] keyTable = BenchEvents.keyTable(keys);
        final UnsafeBuffer polled = new UnsafeBuffer(new byte[poll * BenchEvents.SCHEMA.length()]);
        final ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        final List<String> modes = List.of("one per claim", "batch of up to " + a.get("batch"));
        for (int round = 0; round < Integer.parseInt(a.get("rounds")); round++)
        {
            for (int step = 0; step < modes.size(); step++)
            {
                final int mode = EngineBench.rotated(step, round, modes.size());
                final int batch = mode == 0 ? 1 : Integer.parseInt(a.get("batch"));
                final Path dir = Files.createTempDirectory(Path.of(a.get("dir")), "publish-");
                // Room for the 8-byte source position behind the 64-byte event.
                try (Engine engine = Engine.launch(EngineBench.context(dir, WaitStrategyKind.SLEEP, Integer.parseInt(a.get("ring"))).maxEventLength(72),
                    List.of(EngineBench.tumbling(1_000, 0, keys, (partition, sequence, key, timestamp, event) -> { }))))
                {
                    final ExternalSourcePublisher publisher = engine.externalSource(EngineBench.TOPIC);
                    final long[] claims = {0};
                    final long startCpu = cpu.getCurrentThreadCpuTime();
                    final long start = System.nanoTime();
                    for (int first = 0; first < events; first += poll)
                    {
                        final int n = Math.min(poll, events - first);
                        fillPoll(polled, first, n, keyTable);
                        claims[0] += batch == 1 ? publishOneByOne(publisher, polled, first, n) : publishBatches(publisher, polled, first, n, batch);
                    }
                    final long publishedCpu = cpu.getCurrentThreadCpuTime() - startCpu;
                    final long published = System.nanoTime() - start;
                    if (!engine.drain(120, TimeUnit.SECONDS))
                    {
                        throw new IllegalStateException("the engine did not drain within 120 s");
                    }
                    final long drained = System.nanoTime() - start;
                    if (round > 0)
                    {
                        System.out.printf("round %d %-20s publisher %6.1f ns cpu/event, %5.1f events per claim; published in %,d ms, " +
                            "drained in %,d ms (%,.0f ev/s)%n", round, modes.get(mode), (double)publishedCpu / events,
                            (double)events / claims[0], published / 1_000_000, drained / 1_000_000, events * 1e9 / drained);
                    }
                }
                finally
                {
                    PerfFiles.deleteRecursively(dir);
                }
            }
        }
        System.out.println("load average " + LatencyMain.loadAverage());
    }

    /** Event {@code first + i} at {@code i}: key from the table, event time 1,000 events per ms. */
    private static void fillPoll(final UnsafeBuffer polled, final int first, final int n, final long[] keyTable)
    {
        final int length = BenchEvents.SCHEMA.length();
        for (int i = 0; i < n; i++)
        {
            final int event = first + i;
            polled.putLong(i * length, keyTable[event & BenchEvents.MASK]);
            polled.putLong(i * length + 8, event / 1_000);
            polled.putDouble(i * length + 16, (event & 1023) * 0.25);
        }
    }

    private static long publishOneByOne(final ExternalSourcePublisher publisher, final UnsafeBuffer polled, final int first, final int n)
    {
        final int length = BenchEvents.SCHEMA.length();
        for (int i = 0; i < n; i++)
        {
            long park = FIRST_PARK_NANOS;
            while (!publisher.tryPublish(0, polled, i * length, first + i))
            {
                LockSupport.parkNanos(park);
                park = Math.min(MAX_PARK_NANOS, park << 1);
            }
        }
        return n;
    }

    private static long publishBatches(
        final ExternalSourcePublisher publisher, final UnsafeBuffer polled, final int first, final int n, final int batch)
    {
        final int length = BenchEvents.SCHEMA.length();
        long claims = 0;
        long park = FIRST_PARK_NANOS;
        for (int i = 0; i < n; )
        {
            final int claimed = publisher.tryClaim(0, Math.min(batch, n - i));
            if (claimed == 0)
            {
                LockSupport.parkNanos(park);
                park = Math.min(MAX_PARK_NANOS, park << 1);
                continue;
            }
            park = FIRST_PARK_NANOS;
            for (int k = 0; k < claimed; k++, i++)
            {
                publisher.put(polled, i * length, first + i);
            }
            publisher.publishClaimed();
            claims++;
        }
        return claims;
    }
}
