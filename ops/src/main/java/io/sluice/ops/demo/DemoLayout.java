package io.sluice.ops.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.sluice.engine.runtime.CoreBudget;
import io.sluice.engine.runtime.WaitStrategyKind;

/**
 * The demo's thread layout, chosen from the cores the machine has, and the first lines that say which
 * and why. With a free core for every processing thread (one per partition of each topic group), the
 * engine's low-latency profile: busy-spinning threads pinned to those cores. Without, the fewest threads
 * (one partition per group) that park when idle, because spinning threads that outnumber the cores
 * only wait for one another. Options given on the command line are taken as they are.
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
     * @param groups          topic groups of the demo's pipelines (each has its partitions and their threads).
     * @param partitionsAsked partitions given on the command line, or null.
     * @param waitAsked       wait strategy given on the command line, or null.
     * @param budget          the machine's cores.
     * @return the layout.
     */
    static DemoLayout choose(final int groups, final Integer partitionsAsked, final WaitStrategyKind waitAsked, final CoreBudget budget)
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
            lines.add(String.format(Locale.ROOT, "layout: as asked: %s, wait strategy %s; %s", threads(partitions, groups), wait, machine));
        }
        else if (free >= groups)
        {
            partitions = Math.max(1, Math.min(DEFAULT_PARTITIONS, free / groups));
            wait = WaitStrategyKind.BUSY_SPIN;
            lowLatency = true;
            lines.add(String.format(Locale.ROOT, "layout: low-latency profile: %s, each busy-spinning pinned to a free core; %s",
                threads(partitions, groups), machine));
        }
        else
        {
            partitions = 1;
            wait = WaitStrategyKind.SLEEP;
            lowLatency = false;
            lines.add(String.format(Locale.ROOT, "layout: fewest threads: %s, wait strategy SLEEP (spin, yield, then park); the " +
                "low-latency profile needs a free core per processing thread (%d), %s", threads(1, groups), groups, machine));
        }
        if (budget.loadAverage() > budget.cpus())
        {
            lines.add(String.format(Locale.ROOT, "warning: load average %.1f exceeds the %d cpus: latencies below include " +
                "waiting for a CPU", budget.loadAverage(), budget.cpus()));
        }
        return new DemoLayout(partitions, wait, lowLatency, lines);
    }

    private static String threads(final int partitions, final int groups)
    {
        return String.format(Locale.ROOT, "%d partition%s x %d topic groups = %d processing threads", partitions, partitions == 1 ? "" : "s",
            groups, partitions * groups);
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
