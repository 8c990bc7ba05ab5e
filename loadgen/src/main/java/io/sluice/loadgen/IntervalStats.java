package io.sluice.loadgen;

import org.HdrHistogram.Histogram;

/**
 * What one reporting interval saw, handed to an {@link IntervalListener} on the reporter thread.
 *
 * @param elapsedNs    since the schedule's origin.
 * @param intervalNs   length of this interval.
 * @param sent         events sent so far.
 * @param processed    events that reached the latency probe so far.
 * @param group        group of the phase the interval began in (warm-up, measure, a sweep step; drain after the last).
 * @param latency      end-to-end latencies recorded in this interval, in nanoseconds, all groups;
 *                     valid only during the call.
 * @param maxLagNs     largest delay so far between an event's scheduled and actual send.
 */
public record IntervalStats(
    long elapsedNs, long intervalNs, long sent, long processed, String group, Histogram latency, long maxLagNs)
{
}
