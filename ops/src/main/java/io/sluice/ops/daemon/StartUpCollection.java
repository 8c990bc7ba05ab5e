package io.sluice.ops.daemon;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's one collection of its start-up garbage, after a network warm-up, before it says it runs. The warm-up
 * (a whole scratch daemon driven for seconds) and the launch leave ~20 MB in the young generation; left there, their
 * collection came with the first minutes of traffic, a young pause of 40-160 ms on a loaded 2-core machine that stops
 * the processing thread too (every collection does): one of the causes of a network benchmark round over twice its raw
 * ping-pong (section 89 of perf/README.md). The demo does the same before its first event.
 *
 * <p>Threading: the daemon's starting thread, once.
 */
final class StartUpCollection
{
    private StartUpCollection()
    {
    }

    /**
     * Collects the garbage now.
     *
     * @return the line to log: the heap in use before and after, and how long it took.
     */
    static String collect()
    {
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        final long before = memory.getHeapMemoryUsage().getUsed();
        final long start = System.nanoTime();
        System.gc();
        final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        final long after = memory.getHeapMemoryUsage().getUsed();
        return String.format(Locale.ROOT, "start-up garbage collected before running (after the network warm-up): heap in use " +
            "%,d MB -> %,d MB in %,d ms", before >> 20, after >> 20, tookMs);
    }
}
