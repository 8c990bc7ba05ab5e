package io.sluice.ops.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.sluice.engine.runtime.CoreBudget;
import io.sluice.engine.runtime.WaitStrategyKind;

/**
 * The demo's thread layout, chosen from the cores the machine has, and the first lines that say which
 * and why. With a free core for every topic group, the engine's low-latency profile: busy-spinning
 * threads pinned to those cores. Without, the fewest partitions (one per group) on threads that park when
 * idle, because spinning threads that outnumber the cores only wait for one another. Either way the
 * engine runs the partitions of all groups on at most {@code maxThreads} processing threads (its
 * default: one per core but one), and the first line says how many it starts. Options given on the
 * command line are taken as they are.
 *
 * <p>Immutable; build-time only.
 */
final class DemoLayout
{
    /** Partitions per group the demo uses by default when the cores allow. */
    static final int DEFAULT_PARTITIONS = 2;

    private final int partitions;
    private final WaitStrategyKind waitStrategy;
    private final boolean lowLatency;
    private final List<String> lines;

    private DemoLayout(final int partitions, final WaitStrategyKind waitStrategy, final boolean lowLatency, final List<String> lines)
    {
        this.partitions = partitions;
        this.waitStrategy = waitStrategy;
        this.lowLatency = lowLatency;
        this.lines = List.copyOf(lines);
    }

    /**
     * Chooses the layout.
     *
     * @param groups          topic groups of the demo's pipelines (each has its partitions).
     * @param maxThreads      processing threads the engine starts at most (it starts min(this, partitions)).
     * @param partitionsAsked partitions given on the command line, or null.
     * @param waitAsked       wait strategy given on the command line, or null.
     * @param budget          the machine's cores.
     * @return the layout.
     */
    static DemoLayout choose(
        final int groups, final int maxThreads, final Integer partitionsAsked, final WaitStrategyKind waitAsked, final CoreBudget budget)
    {
        final int free = budget.pinnableCount();
        final String machine = String.format(Locale.ROOT, "this machine has %d cpus, %d free for a spinning thread%s", budget.cpus(), free,
            budget.isolated() ? " (isolated)" : free > 0 ? " (all but the first, not isolated)" : "");
        final int partitions;
        final WaitStrategyKind wait;
        final boolean lowLatency;
        final List<String> lines = new ArrayList<>();
        if (partitionsAsked != null || waitAsked != null)
        {
            partitions = partitionsAsked != null ? partitionsAsked : DEFAULT_PARTITIONS;
            wait = waitAsked != null ? waitAsked : WaitStrategyKind.SLEEP;
            lowLatency = false;
            lines.add(String.format(Locale.ROOT, "layout: as asked: %s, wait strategy %s; %s", threads(partitions, groups, maxThreads), wait, machine));
        }
        else if (free >= groups)
        {
            partitions = Math.max(1, Math.min(DEFAULT_PARTITIONS, free / groups));
            wait = WaitStrategyKind.BUSY_SPIN;
            lowLatency = true;
            lines.add(String.format(Locale.ROOT, "layout: low-latency profile: %s, each busy-spinning pinned to a free core; %s",
                threads(partitions, groups, maxThreads), machine));
        }
        else
        {
            partitions = 1;
            wait = WaitStrategyKind.SLEEP;
            lowLatency = false;
            lines.add(String.format(Locale.ROOT, "layout: fewest threads: %s, wait strategy SLEEP (spin, yield, then park); the " +
                "low-latency profile needs a free core per topic group (%d), %s", threads(1, groups, maxThreads), groups, machine));
        }
        if (budget.loadAverage() > budget.cpus())
        {
            lines.add(String.format(Locale.ROOT, "warning: load average %.1f exceeds the %d cpus: latencies below include " +
                "waiting for a CPU", budget.loadAverage(), budget.cpus()));
        }
        return new DemoLayout(partitions, wait, lowLatency, lines);
    }

    private static String threads(final int partitions, final int groups, final int maxThreads)
    {
        final int threads = Math.min(maxThreads, partitions * groups);
        return String.format(Locale.ROOT, "%d partition%s x %d topic groups on %d processing thread%s", partitions,
            partitions == 1 ? "" : "s", groups, threads, threads == 1 ? "" : "s");
    }

    int partitions()
    {
        return partitions;
    }

    WaitStrategyKind waitStrategy()
    {
        return waitStrategy;
    }

    boolean lowLatency()
    {
        return lowLatency;
    }

    List<String> lines()
    {
        return lines;
    }
}
