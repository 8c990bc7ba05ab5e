package io.sluice.loadgen;

import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * End-to-end latency from each event's SCHEDULED send time to its arrival at a sink, recorded in one
 * HdrHistogram {@link Recorder} per group of the {@link RatePlan}. The group is found from the
 * scheduled time itself (phases are contiguous in time from the origin), so events need no phase
 * field. Because the clock starts at the scheduled time, not at the actual send, a sender that falls
 * behind (a stalled target, a full ring) makes every later event's latency include the wait: no
 * coordinated omission.
 *
 * <p>Threading: {@link #record} from any number of sink threads (wait-free, no allocation);
 * {@link #start} once before the first event; interval reads from one reporter thread.
 */
public final class LatencyRecorder
{
    /** Largest latency tracked; larger ones are recorded as this (one hour). */
    public static final long HIGHEST_TRACKABLE_NS = 3_600_000_000_000L;

    /** Ints between two groups' marks in {@link #recordedSinceTaken}: 64 bytes, so the sinks of two groups share no line. */
    private static final int MARK_STRIDE = 16;

    private final Recorder[] recorders;
    /**
     * Per group, at {@code (group + 1) * MARK_STRIDE}: 1 once a sink recorded into the group since the reporter last
     * took the mark ({@link #takeRecorded}). A sink stores it only when it reads 0, once per report interval, so the line
     * is written once an interval, not once an event.
     */
    private final AtomicIntegerArray recordedSinceTaken;
    private final long[] phaseStartOffsets;
    private final int[] phaseGroups;
    private final long[] phaseStarts;
    private volatile long origin = Long.MIN_VALUE;

    /**
     * Creates recorders for a plan.
     *
     * @param plan whose groups are recorded apart.
     */
    public LatencyRecorder(final RatePlan plan)
    {
        final List<RatePlan.Phase> phases = plan.phases();
        recorders = new Recorder[plan.groups().size()];
        for (int g = 0; g < recorders.length; g++)
        {
            recorders[g] = new Recorder(1, HIGHEST_TRACKABLE_NS, 3);
        }
        recordedSinceTaken = new AtomicIntegerArray((recorders.length + 2) * MARK_STRIDE);
        phaseStartOffsets = new long[phases.size()];
        phaseGroups = new int[phases.size()];
        phaseStarts = new long[phases.size()];
        long at = 0;
        for (int p = 0; p < phases.size(); p++)
        {
            phaseStartOffsets[p] = at;
            phaseGroups[p] = plan.groupOf(p);
            at += phases.get(p).durationNs();
        }
    }

    /**
     * Fixes the schedule's origin; called by the sender before the first event is due.
     *
     * @param originNs {@link System#nanoTime()} at which the plan starts.
     */
    public void start(final long originNs)
    {
        for (int p = 0; p < phaseStarts.length; p++)
        {
            phaseStarts[p] = originNs + phaseStartOffsets[p];
        }
        // Volatile: publishes phaseStarts to the sink threads, which read origin first.
        origin = originNs;
    }

    /**
     * Start of a phase on the {@link System#nanoTime()} clock.
     *
     * @param phase index.
     * @return its absolute start.
     */
    public long phaseStart(final int phase)
    {
        return phaseStarts[phase];
    }

    /**
     * Records one event's end-to-end latency.
     *
     * @param scheduledNs the event's scheduled send time.
     * @param nowNs       when it reached the sink.
     */
    public void record(final long scheduledNs, final long nowNs)
    {
        if (origin == Long.MIN_VALUE)
        {
            return;
        }
        final long[] phaseStarts = this.phaseStarts;
        // The phase is the number of later phases already started: counted without a branch, so that every
        // phase runs the same compiled code (a loop that stopped at the warm-up's phase throughout the
        // warm-up would meet an untaken branch at the first measured event, and deoptimise on the sink's
        // thread, the processing thread, at the start of the measurement).
        int p = 0;
        for (int i = 1; i < phaseStarts.length; i++)
        {
            p += (int)(~(scheduledNs - phaseStarts[i]) >>> 63);
        }
        final long latency = nowNs - scheduledNs;
        final int group = phaseGroups[p];
        recorders[group].recordValue(latency < 1 ? 1 : Math.min(latency, HIGHEST_TRACKABLE_NS));
        final int mark = (group + 1) * MARK_STRIDE;
        // After the value: a reporter that takes the mark and then reads the interval finds the value in it or the mark set.
        if (recordedSinceTaken.get(mark) == 0)
        {
            recordedSinceTaken.set(mark, 1);
        }
    }

    /**
     * Whether any event was recorded into a group since the last call for it, clearing the mark: call it before each
     * {@link #interval} of the group, and a later call returns true if an event was recorded after that read. Cheaper
     * than a read (a read flips the recorder and walks a whole histogram), so a reporter may skip a finished group's read
     * while this says nothing came, without assuming that nothing will: a sink that lags behind its group's end (a
     * processing thread waiting for a cpu) still has its events read. Reporter thread only.
     *
     * @param group index.
     * @return true if an event was recorded into it since the last call (the first call: since the start).
     */
    public boolean takeRecorded(final int group)
    {
        return recordedSinceTaken.getAndSet((group + 1) * MARK_STRIDE, 0) != 0;
    }

    /**
     * Number of groups.
     *
     * @return the group count.
     */
    public int groups()
    {
        return recorders.length;
    }

    /**
     * Takes the histogram of a group's events recorded since the last call.
     *
     * @param group   index.
     * @param recycle a histogram this method returned before for the same group, or null.
     * @return the interval histogram.
     */
    public Histogram interval(final int group, final Histogram recycle)
    {
        return recorders[group].getIntervalHistogram(recycle);
    }
}
