package io.sluice.ops.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.sluice.engine.runtime.CoreBudget;
import io.sluice.engine.runtime.WaitStrategyKind;

/**
 * The demo's thread layout, chosen from the cores the machine has, and the first lines that say which
 * and why. The engine runs the partitions of all topic groups on at most {@code maxThreads} processing
 * threads (its default: one per core but one), so what the low-latency profile needs is a free core for
 * each processing thread it starts, plus a CPU outside those for the load generator's sender (which spins
 * between sends), the reporter, the engine's background duties and the JVM's own threads. With those, the
 * profile: processing threads busy-spinning pinned to the free cores, everything else kept on the other
 * CPUs (even a 2-core machine qualifies with one processing thread). The sender, which spins between
 * sends, then gets a free core of its own when one is left over; otherwise it shares the other CPUs with
 * everything else, and the threads there that nothing on the hot path waits for (concurrent GC, the JVM's
 * service threads) move to {@code SCHED_IDLE} ({@link SenderPriority}), so that they run when the sender
 * leaves the CPU instead of taking turns with it a scheduler tick at a time. Without the profile, the fewest threads (one
 * partition per group) that park when idle, because spinning threads that outnumber the cores only wait
 * for one another. Options given on the command line are taken as they are.
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
    private final boolean senderOwnCore;
    private final List<String> lines;
    private final int cpus;
    private final double loadAverage;

    private DemoLayout(
        final int partitions, final WaitStrategyKind waitStrategy, final boolean lowLatency, final boolean senderOwnCore,
        final List<String> lines, final int cpus, final double loadAverage)
    {
        this.cpus = cpus;
        this.loadAverage = loadAverage;
        this.senderOwnCore = senderOwnCore;
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
        boolean senderOwnCore = false;
        final List<String> lines = new ArrayList<>();
        final int spreadPartitions = Math.max(1, Math.min(DEFAULT_PARTITIONS, free / Math.max(1, groups)));
        final int spinning = Math.min(maxThreads, spreadPartitions * groups);
        if (partitionsAsked != null || waitAsked != null)
        {
            partitions = partitionsAsked != null ? partitionsAsked : DEFAULT_PARTITIONS;
            wait = waitAsked != null ? waitAsked : WaitStrategyKind.SLEEP;
            lowLatency = false;
            lines.add(String.format(Locale.ROOT, "layout: as asked: %s, wait strategy %s; %s", threads(partitions, groups, maxThreads), wait.configName(), machine));
        }
        else if (free >= spinning && !budget.others().isEmpty())
        {
            partitions = spreadPartitions;
            wait = WaitStrategyKind.BUSY_SPIN;
            lowLatency = true;
            senderOwnCore = free > spinning;
            final String others = CoreBudget.cpuList(budget.others());
            lines.add(String.format(Locale.ROOT, "layout: low-latency profile: %s, %s; %s; %s",
                threads(partitions, groups, maxThreads), (spinning == 1 ? "" : "each ") + "busy-spinning pinned to " +
                (free == 1 ? "cpu " : "a free core of cpus ") + CoreBudget.cpuList(budget.pinnable()), senderOwnCore ?
                "the load generator's sender spinning on the free core left, alone; the reporter, the engine's background duties and " +
                "the JVM's own threads on cpu " + others :
                "the load generator's sender spinning on cpu " + others + " beside the reporter, the engine's background duties and " +
                "the JVM's own threads, all at normal priority", machine));
        }
        else
        {
            partitions = 1;
            wait = WaitStrategyKind.SLEEP;
            lowLatency = false;
            lines.add(String.format(Locale.ROOT, "layout: fewest threads: %s, wait strategy SLEEP (spin, yield, then park); the " +
                "low-latency profile needs a free core for each of its %d processing thread%s and a cpu besides for the sender, %s",
                threads(1, groups, maxThreads), spinning, spinning == 1 ? "" : "s", machine));
        }
        if (budget.loadAverage() > budget.cpus())
        {
            lines.add(String.format(Locale.ROOT, "warning: load average %.1f exceeds the %d cpus: latencies below include " +
                "waiting for a CPU", budget.loadAverage(), budget.cpus()));
        }
        return new DemoLayout(partitions, wait, lowLatency, senderOwnCore, lines, budget.cpus(), budget.loadAverage());
    }

    /**
     * The summary's line of the machine's load: the warning of the first lines is the load when the demo started, and
     * other processes may have started or ended since; a load average above the cpus at either end means the latencies
     * include waiting for a CPU.
     *
     * @param loadAtEnd one-minute load average once the run is over, negative if unknown.
     * @return the line, or null when the load is unknown.
     */
    String loadLine(final double loadAtEnd)
    {
        if (loadAverage < 0 || loadAtEnd < 0)
        {
            return null;
        }
        final boolean above = Math.max(loadAverage, loadAtEnd) > cpus;
        return String.format(Locale.ROOT, "  load         average %.1f at the start, %.1f at the end, on %d cpus: %s", loadAverage, loadAtEnd,
            cpus, above ? "above the cpus, so the latencies above include waiting for a CPU" : "within the cpus");
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

    /**
     * Whether the sender spins on a free core of its own (a reserved core left after the processing
     * threads'), rather than on the other CPUs beside everything else at lower priority.
     *
     * @return true if it has a core of its own.
     */
    boolean senderOwnCore()
    {
        return senderOwnCore;
    }

    List<String> lines()
    {
        return lines;
    }

    /**
     * CPUs of the machine when the layout was chosen (before any thread was moved off the spinning cores).
     *
     * @return the count.
     */
    int cpus()
    {
        return cpus;
    }
}
