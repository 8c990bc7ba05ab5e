package io.sluice.loadgen;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * When each event is due: a sequence of fixed-rate phases (warm-up, steady, bursts, sweep steps),
 * each belonging to a group whose latencies are recorded together. Phase {@code k}'s i-th event is
 * due at {@code origin + phaseStart(k) + i * 1e9 / rate(k)} nanoseconds, computed from the index so
 * the schedule never drifts. Immutable; built before the run.
 */
public final class RatePlan
{
    /** Group of warm-up phases: recorded apart and left out of the results. */
    public static final String WARM_UP = "warm-up";
    /** Group a load run's intervals report once the plan's time is over (the target draining, late events). */
    public static final String DRAIN = "drain";
    /** Group of a steady run's measured phases. */
    public static final String MEASURE = "measure";

    /**
     * One phase.
     *
     * @param group    whose histogram records this phase's events.
     * @param rate     in events per second.
     * @param durationNs of the phase.
     * @param burst    whether this is a burst within a steady run.
     */
    public record Phase(String group, long rate, long durationNs, boolean burst)
    {
        /**
         * Events due in the phase.
         *
         * @return rate times duration.
         */
        public long events()
        {
            return Math.max(0, rate * durationNs / 1_000_000_000L);
        }

        /**
         * When the i-th event of the phase is due, from the phase start.
         *
         * @param i event index within the phase.
         * @return nanoseconds from the phase start.
         */
        public long dueNs(final long i)
        {
            // Exact integer arithmetic: no accumulated rounding, whatever the rate. Fits in a long for
            // phases of up to 9 billion events.
            return i * 1_000_000_000L / rate;
        }
    }

    private final List<Phase> phases;
    private final List<String> groups;

    private RatePlan(final List<Phase> phases)
    {
        if (phases.isEmpty())
        {
            throw new IllegalArgumentException("a rate plan needs at least one phase");
        }
        for (final Phase phase : phases)
        {
            if (phase.rate() <= 0 || phase.durationNs() <= 0)
            {
                throw new IllegalArgumentException("every phase needs a positive rate and duration: " + phase);
            }
        }
        this.phases = List.copyOf(phases);
        final LinkedHashSet<String> names = new LinkedHashSet<>();
        phases.forEach(p -> names.add(p.group()));
        this.groups = List.copyOf(names);
    }

    /**
     * A steady run: warm-up, then the measured phase at a fixed rate, optionally with bursts.
     *
     * @param rate          events per second outside bursts.
     * @param warmUpMs      of warm-up at the same rate, 0 for none.
     * @param durationMs    of the measured phase.
     * @param burstEveryMs  period of bursts, 0 for none.
     * @param burstMs       length of each burst.
     * @param burstFactor   rate multiplier during a burst.
     * @return the plan.
     */
    public static RatePlan steady(
        final long rate, final long warmUpMs, final long durationMs, final long burstEveryMs, final long burstMs,
        final double burstFactor)
    {
        final List<Phase> phases = new ArrayList<>();
        if (warmUpMs > 0)
        {
            phases.add(new Phase(WARM_UP, rate, warmUpMs * 1_000_000L, false));
        }
        if (burstEveryMs <= 0)
        {
            phases.add(new Phase(MEASURE, rate, durationMs * 1_000_000L, false));
        }
        else
        {
            if (burstMs <= 0 || burstMs >= burstEveryMs || burstFactor <= 1)
            {
                throw new IllegalArgumentException("bursts need 0 < length < period and a factor > 1");
            }
            final long burstRate = (long)(rate * burstFactor);
            long left = durationMs;
            while (left > 0)
            {
                final long quiet = Math.min(left, burstEveryMs - burstMs);
                phases.add(new Phase(MEASURE, rate, quiet * 1_000_000L, false));
                left -= quiet;
                final long burst = Math.min(left, burstMs);
                if (burst > 0)
                {
                    phases.add(new Phase(MEASURE, burstRate, burst * 1_000_000L, true));
                    left -= burst;
                }
            }
        }
        return new RatePlan(phases);
    }

    /**
     * A rate sweep: warm-up at the first rate, then each rate for the same time, recorded apart.
     *
     * @param rates    events per second, in the order to run them.
     * @param warmUpMs of warm-up at the first rate, 0 for none.
     * @param stepMs   at each rate.
     * @return the plan.
     */
    public static RatePlan sweep(final long[] rates, final long warmUpMs, final long stepMs)
    {
        final List<Phase> phases = new ArrayList<>();
        if (warmUpMs > 0)
        {
            phases.add(new Phase(WARM_UP, rates[0], warmUpMs * 1_000_000L, false));
        }
        for (final long rate : rates)
        {
            phases.add(new Phase(sweepGroup(rate), rate, stepMs * 1_000_000L, false));
        }
        return new RatePlan(phases);
    }

    /**
     * Name of the group of one sweep step.
     *
     * @param rate of the step.
     * @return the group name.
     */
    public static String sweepGroup(final long rate)
    {
        return String.format(Locale.ROOT, "rate-%d", rate);
    }

    /**
     * The phases, in order.
     *
     * @return the phases.
     */
    public List<Phase> phases()
    {
        return phases;
    }

    /**
     * The distinct groups, in order of their first phase.
     *
     * @return the group names.
     */
    public List<String> groups()
    {
        return groups;
    }

    /**
     * Index of a phase's group in {@link #groups()}.
     *
     * @param phase index.
     * @return the group index.
     */
    public int groupOf(final int phase)
    {
        return groups.indexOf(phases.get(phase).group());
    }

    /**
     * Events of the whole plan.
     *
     * @return the sum over phases.
     */
    public long totalEvents()
    {
        return phases.stream().mapToLong(Phase::events).sum();
    }

    /**
     * Length of the whole plan.
     *
     * @return nanoseconds.
     */
    public long durationNs()
    {
        return phases.stream().mapToLong(Phase::durationNs).sum();
    }

    /**
     * Planned events and duration of a group, for its target rate.
     *
     * @param group name.
     * @return {events, nanoseconds}.
     */
    public long[] plannedOf(final String group)
    {
        long events = 0;
        long nanos = 0;
        for (final Phase phase : phases)
        {
            if (phase.group().equals(group))
            {
                events += phase.events();
                nanos += phase.durationNs();
            }
        }
        return new long[] {events, nanos};
    }
}
