package io.sluice.loadgen;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * The outcome of a load run.
 *
 * @param groups         one per group of the plan, in order (warm-up first if there was one).
 * @param sent           events sent in all.
 * @param planned        events the plan had.
 * @param elapsedNs      from the schedule's origin to the end of draining.
 * @param maxLagNs       largest delay between an event's scheduled and actual send.
 * @param drained        whether every event was processed before the drain timeout.
 * @param stoppedEarly   whether the run was cut at its deadline (the target could not keep up).
 * @param files          written, by what they are ("hlog", "hgrm", "percentiles-png", "rate-png").
 * @param senderLag      per measured event (warm-up excluded), how late the sender sent it: actual minus
 *                       scheduled send time, ns. Part of every latency, which starts at the scheduled time.
 * @param reportCpu      per report after the warm-up (the drain's last included), the CPU time the reporting thread
 *                       spent on it, its listener's work included, ns: time taken from the sender's CPU wherever the
 *                       two share one.
 * @param senderAbsences per time the sender was away from its wait for the next event in the measured phases (a gap
 *                       of at least 20 us between two of its clock reads, not a planned nap), its length, ns: the
 *                       events due meanwhile are what {@code senderLag} counts late.
 * @param senderHeldSends per send of the measured phases that took 20 us or more (held by a full ring, or the sender
 *                       taken off its cpu during it), its length, ns.
 */
public record RunResult(
    List<GroupResult> groups, long sent, long planned, long elapsedNs, long maxLagNs, boolean drained,
    boolean stoppedEarly, Map<String, Path> files, Histogram senderLag, Histogram reportCpu, Histogram senderAbsences,
    Histogram senderHeldSends)
{
    /**
     * The results of one group of phases.
     *
     * @param name         of the group.
     * @param targetRate   planned events per second.
     * @param achievedRate events sent per second of the group's actual sending time.
     * @param sent         events sent in the group.
     * @param latency      end-to-end latency of the group's events, in nanoseconds.
     */
    public record GroupResult(String name, double targetRate, double achievedRate, long sent, Histogram latency)
    {
    }

    /**
     * The measured groups (every group but the warm-up).
     *
     * @return the groups.
     */
    public List<GroupResult> measured()
    {
        return groups.stream().filter(g -> !g.name().equals(RatePlan.WARM_UP)).toList();
    }

    /**
     * The latency of every measured group together.
     *
     * @return a new histogram.
     */
    public Histogram measuredLatency()
    {
        final Histogram all = new Histogram(LatencyRecorder.HIGHEST_TRACKABLE_NS, 3);
        measured().forEach(g -> all.add(g.latency()));
        return all;
    }
}
