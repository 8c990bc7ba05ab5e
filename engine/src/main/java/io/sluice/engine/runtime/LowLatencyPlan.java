package io.sluice.engine.runtime;

import java.util.Locale;

/**
 * What {@link EngineProfile#LOW_LATENCY} does on a given machine: how the processing threads wait,
 * whether they are pinned, and the one line that says so. A pure function of the number of spinning
 * threads wanted and the {@link CoreBudget}, so that every outcome is testable on any machine.
 *
 * <p>The profile is honoured when every processing thread gets a pinnable core of its own. Otherwise
 * the next best thing, in this order: busy-spin unpinned when the cores suffice but cannot be pinned;
 * else yield (spin, then give the core to whoever is runnable), because spinning threads that
 * outnumber the cores starve each other and everything else.
 */
final class LowLatencyPlan
{
    private final boolean honoured;
    private final WaitStrategyKind waitStrategy;
    private final boolean pin;
    private final String line;

    private LowLatencyPlan(final boolean honoured, final WaitStrategyKind waitStrategy, final boolean pin, final String line)
    {
        this.honoured = honoured;
        this.waitStrategy = waitStrategy;
        this.pin = pin;
        this.line = line;
    }

    /**
     * Decides the layout.
     *
     * @param threads      processing threads that would spin.
     * @param budget       of the machine.
     * @param warmUpEvents synthetic events the pipelines are warmed with (stated in the line).
     * @return the plan.
     */
    static LowLatencyPlan decide(final int threads, final CoreBudget budget, final int warmUpEvents)
    {
        final int free = budget.pinnableCount();
        final String duties = "background duties on low-priority threads" +
            (budget.others().isEmpty() ? "" : " on cpu " + CoreBudget.cpuList(budget.others()));
        final String warm = warmUpEvents > 0 ? String.format(Locale.ROOT, "; JIT warmed with %,d synthetic events per pipeline group", warmUpEvents) :
            "; no JIT warm-up";
        final String load = budget.loadAverage() > budget.cpus() ? String.format(Locale.ROOT,
            "; load average %.1f on %d cpus: latencies include waiting for a CPU", budget.loadAverage(), budget.cpus()) : "";
        if (free >= threads)
        {
            return new LowLatencyPlan(true, WaitStrategyKind.BUSY_SPIN, true, String.format(Locale.ROOT,
                "profile low-latency: %s busy-spin%s, each pinned to its own core of cpus %s (%s); %s%s%s",
                threads(threads), threads == 1 ? "s" : "", CoreBudget.cpuList(budget.pinnable()),
                budget.isolated() ? "isolated" : "not isolated: the OS may still run other threads there, see docs/low-latency.md",
                duties, warm, load));
        }
        final String why = String.format(Locale.ROOT, "profile low-latency NOT honoured: %s to spin, %d free core%s (%d cpus, pinnable %s%s)",
            threads(threads), free, free == 1 ? "" : "s", budget.cpus(), budget.canPin() ? CoreBudget.cpuList(budget.pinnable()) : "none",
            budget.canPin() ? (budget.isolated() ? ", isolated" : ", none isolated") : ": no affinity support");
        if (!budget.canPin() && budget.cpus() - 1 >= threads)
        {
            return new LowLatencyPlan(false, WaitStrategyKind.BUSY_SPIN, false,
                why + "; instead: " + threads(threads) + " busy-spin unpinned; " + duties + warm + load);
        }
        return new LowLatencyPlan(false, WaitStrategyKind.YIELD, false,
            why + "; instead: " + threads(threads) + " yield (spin, then give way), unpinned; " + duties + warm + load);
    }

    private static String threads(final int threads)
    {
        return threads + " processing thread" + (threads == 1 ? "" : "s");
    }

    boolean honoured()
    {
        return honoured;
    }

    WaitStrategyKind waitStrategy()
    {
        return waitStrategy;
    }

    boolean pin()
    {
        return pin;
    }

    String line()
    {
        return line;
    }
}
