package io.sluice.perf;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.EngineProfile;
import io.sluice.engine.runtime.EventPublisher;
import io.sluice.engine.runtime.WaitStrategyKind;
import io.sluice.schema.EventFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Allocation proof (performance target: "a run of at least 50M events under -XX:+UseEpsilonGC with a small
 * heap that does not run out"): one partition, journal on (1 GiB segments, rolls included),
 * tumbling 1 s count+sum over 10k keys, {@code events} 64-byte events published by this thread.
 * Epsilon never collects, so any per-event allocation anywhere in the process (producer, ring,
 * journal, operator, sink, background threads) accumulates until the heap is exhausted. The heap
 * used before and after the measured run is printed; the journal directory is deleted at the end.
 * <pre>{@code
 *   java @perf/target/classes/sluice-jvm.options -XX:+UnlockExperimentalVMOptions -XX:+UseEpsilonGC \
 *       -Xms40m -Xmx40m -XX:+AlwaysPreTouch \
 *       -cp perf/target/benchmarks.jar io.sluice.perf.AllocationMain events=50000000
 * }</pre>
 * {@code profile=low-latency} runs the same with {@link EngineProfile#LOW_LATENCY} (busy-spin, pinned where a core is
 * free, the journal's idle work on the processing thread, the mapped journal writer, the profile's JIT warm-up): the
 * profile's promise of no allocation with latency recording off, proven the same way.
 */
public final class AllocationMain
{
    private static final int KEYS = 10_000;

    private AllocationMain()
    {
    }

    /**
     * Runs the proof.
     *
     * @param args {@code name=value}: events, warmup, wait, profile ({@code standard} or {@code low-latency}).
     */
    public static void main(final String[] args)
    {
        final Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("events", "50000000");
        defaults.put("warmup", "2000000");
        defaults.put("wait", "YIELD");
        defaults.put("profile", "standard");
        final Map<String, String> a = EngineBench.args(args, defaults);
        final EngineProfile profile = EngineProfile.valueOf(a.get("profile").replace('-', '_').toUpperCase(Locale.ROOT));
        final long events = Long.parseLong(a.get("events"));
        final long warmup = Long.parseLong(a.get("warmup"));
        final WaitStrategyKind wait = WaitStrategyKind.valueOf(a.get("wait"));
        final Runtime runtime = Runtime.getRuntime();
        System.out.println("AllocationMain " + a + "; " + EngineBench.machine() + " gc=" +
            java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream().map(b -> b.getName()).toList());
        final Path dir = PerfFiles.newDirectory("allocation");
        final EngineBench.CountingSink sink = new EngineBench.CountingSink();
        final long[] keyTable = BenchEvents.keyTable(KEYS);
        final UnsafeBuffer staging = new UnsafeBuffer(new byte[BenchEvents.SCHEMA.length()]);
        final EventFlyweight event = new EventFlyweight(BenchEvents.SCHEMA).wrapForWrite(staging, 0);
        final EngineContext context = EngineBench.context(dir, wait, 8192);
        if (profile == EngineProfile.LOW_LATENCY)
        {
            context.profile(EngineProfile.LOW_LATENCY);
        }
        try (Engine engine = Engine.launch(context, List.of(EngineBench.tumbling(1_000, 0, KEYS, sink))))
        {
            if (engine.profileReport() != null)
            {
                System.out.println("profile: " + engine.profileReport());
            }
            final EventPublisher publisher = engine.publisher(EngineBench.TOPIC);
            final int timeShift = 10;
            for (long i = 0; i < warmup; i++)
            {
                BenchEvents.write(event, keyTable, i, timeShift, 0);
                publisher.publish(staging, 0);
            }
            engine.drain(600, TimeUnit.SECONDS);
            final long usedBefore = runtime.totalMemory() - runtime.freeMemory();
            final long start = System.nanoTime();
            for (long i = warmup, end = warmup + events; i < end; i++)
            {
                BenchEvents.write(event, keyTable, i, timeShift, 0);
                publisher.publish(staging, 0);
            }
            engine.drain(600, TimeUnit.SECONDS);
            final long elapsed = System.nanoTime() - start;
            final long usedAfter = runtime.totalMemory() - runtime.freeMemory();
            System.out.printf("measured %,d events in %.1f s (%.2f M ev/s); heap used before %,d B, after %,d B: " +
                "%,d B over the run = %.6f B/event; max heap %,d B; results %,d%n",
                events, elapsed / 1e9, events * 1e3 / elapsed, usedBefore, usedAfter, usedAfter - usedBefore,
                (usedAfter - usedBefore) / (double)events, runtime.maxMemory(), sink.results);
            final long journaled = engine.journal().topic(EngineBench.TOPIC).partition(0).endOffset();
            System.out.printf("journaled records: %,d (expected %,d)%n", journaled, warmup + events);
        }
        finally
        {
            EngineBench.delete(dir);
        }
        System.out.println("RESULT completed without OutOfMemoryError");
    }
}
