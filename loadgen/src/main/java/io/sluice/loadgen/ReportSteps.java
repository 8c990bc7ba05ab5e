package io.sluice.loadgen;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

import org.HdrHistogram.Histogram;

/**
 * The reporter's once-an-interval turn, cut into steps: at the end of each step ({@link #next}) it gives its CPU back
 * ({@link Thread#yield()}) if asked, and the thread CPU time of the step just done is recorded. Where the reporter
 * shares a CPU with the spinning sender (the demo's low-latency layout on 2 cores), each step is an absence of the
 * sender that delays every event due during it: a step of half a millisecond or more counts among the demo's
 * {@code sender away ... 500 us or more}. The longest step of each measured report ({@link #longestStepCpu}) says
 * whether the report is cut finely enough (perf/README.md sections 52, 85, 90).
 *
 * <p>Threading: the reporter's thread only (the load generator's calling thread and its interval listener); the
 * histogram is read once the run is over.
 */
public final class ReportSteps
{
    private final boolean yields;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    /** Per measured report, its longest step's thread CPU time. */
    private final Histogram longestStepCpu = new Histogram(LatencyRecorder.HIGHEST_TRACKABLE_NS, 3);
    private long stepStart;
    private long longest;
    private boolean measured;
    private int steps;

    /**
     * Steps that yield or not.
     *
     * @param yields whether the reporter gives its CPU back between two steps (a yield with nothing else runnable
     *               returns at once).
     */
    public ReportSteps(final boolean yields)
    {
        this.yields = yields;
    }

    /**
     * Whether the reporter yields between steps.
     *
     * @return true if it does.
     */
    public boolean yields()
    {
        return yields;
    }

    /**
     * A report starts: its first step starts now.
     *
     * @param measured whether the report's longest step is recorded (a report of the measured phases).
     */
    public void begin(final boolean measured)
    {
        this.measured = measured;
        longest = 0;
        steps = 0;
        stepStart = threads.getCurrentThreadCpuTime();
    }

    /**
     * Ends the current step and starts the next: the reporter yields its CPU here if asked.
     */
    public void next()
    {
        final long now = threads.getCurrentThreadCpuTime();
        longest = Math.max(longest, now - stepStart);
        steps++;
        if (yields)
        {
            Thread.yield();
        }
        stepStart = threads.getCurrentThreadCpuTime();
    }

    /**
     * The report is over: its last step ends, and its longest step is recorded if it was a measured one.
     */
    public void end()
    {
        longest = Math.max(longest, threads.getCurrentThreadCpuTime() - stepStart);
        steps++;
        if (measured)
        {
            longestStepCpu.recordValue(Math.max(0, Math.min(LatencyRecorder.HIGHEST_TRACKABLE_NS, longest)));
        }
    }

    /**
     * Steps of the last report ({@link #next} calls plus its last step).
     *
     * @return the count.
     */
    public int lastReportSteps()
    {
        return steps;
    }

    /**
     * Per measured report, the thread CPU time of its longest step, in nanoseconds.
     *
     * @return the histogram (read after the run).
     */
    public Histogram longestStepCpu()
    {
        return longestStepCpu;
    }
}
