package io.sluice.loadgen;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.HdrHistogram.Histogram;

/**
 * The reporter's once-an-interval turn, cut into named steps: at the end of each step ({@link #next}) it gives its CPU
 * back ({@link Thread#yield()}) if asked, and the thread CPU time of the step just done is recorded under its name.
 * Where the reporter shares a CPU with the spinning sender (the demo's low-latency layout on 2 cores), each step is an
 * absence of the sender that delays every event due during it: a step of half a millisecond or more counts among the
 * demo's {@code sender away ... 500 us or more}. The longest step of each measured report ({@link #longestStepCpu})
 * says whether the report is cut finely enough, and {@link #slowestSteps} which step it was (perf/README.md sections
 * 52, 85, 90, 94).
 *
 * <p>Only the reports made while the sender sends are measured: the last report follows the sending (and reads what
 * only the summary needs, such as every other process's scheduler statistics), so it delays no event.
 *
 * <p>Threading: the reporter's thread only (the load generator's calling thread and its interval listener); the
 * results are read once the run is over.
 */
public final class ReportSteps
{
    /** Most distinct step names tracked; the steps of a report are a fixed few. */
    private static final int MAX_NAMES = 64;

    private final boolean yields;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    /** Per measured report, its longest step's thread CPU time. */
    private final Histogram longestStepCpu = new Histogram(LatencyRecorder.HIGHEST_TRACKABLE_NS, 3);
    /** Per step name (compared by identity first: names are constants), over the measured reports. */
    private final String[] names = new String[MAX_NAMES];
    private final long[] maxNs = new long[MAX_NAMES];
    private final long[] totalNs = new long[MAX_NAMES];
    private final long[] counts = new long[MAX_NAMES];
    private int namesUsed;
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
     * @param measured whether the report's steps are recorded (a report of the measured phases made while the sender
     *                 sends).
     */
    public void begin(final boolean measured)
    {
        this.measured = measured;
        longest = 0;
        steps = 0;
        stepStart = threads.getCurrentThreadCpuTime();
    }

    /**
     * Whether the report under way is measured (see {@link #begin}).
     *
     * @return true if its steps are recorded.
     */
    public boolean measuring()
    {
        return measured;
    }

    /**
     * Ends the current step and starts the next: the reporter yields its CPU here if asked.
     *
     * @param step what the step just ended did, a constant (e.g. {@code "recorder flip"}).
     */
    public void next(final String step)
    {
        finishStep(step);
        if (yields)
        {
            Thread.yield();
        }
        stepStart = threads.getCurrentThreadCpuTime();
    }

    /**
     * The report is over: its last step ends, and its longest step is recorded if it was a measured one.
     *
     * @param step what the last step did.
     */
    public void end(final String step)
    {
        finishStep(step);
        if (measured)
        {
            longestStepCpu.recordValue(clamp(longest));
        }
    }

    private void finishStep(final String step)
    {
        final long cpu = threads.getCurrentThreadCpuTime() - stepStart;
        longest = Math.max(longest, cpu);
        steps++;
        if (measured)
        {
            final int i = indexOf(step);
            if (i >= 0)
            {
                maxNs[i] = Math.max(maxNs[i], cpu);
                totalNs[i] += cpu;
                counts[i]++;
            }
        }
    }

    private int indexOf(final String step)
    {
        for (int i = 0; i < namesUsed; i++)
        {
            if (names[i] == step)
            {
                return i;
            }
        }
        for (int i = 0; i < namesUsed; i++)
        {
            if (names[i].equals(step))
            {
                return i;
            }
        }
        if (namesUsed == MAX_NAMES)
        {
            return -1;
        }
        names[namesUsed] = step;
        return namesUsed++;
    }

    private static long clamp(final long ns)
    {
        return Math.max(0, Math.min(LatencyRecorder.HIGHEST_TRACKABLE_NS, ns));
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

    /**
     * The measured reports' steps by name, the longest first (by their longest time).
     *
     * @param most how many to return at most.
     * @return the steps (read after the run).
     */
    public List<StepCpu> slowestSteps(final int most)
    {
        final List<StepCpu> all = new ArrayList<>(namesUsed);
        for (int i = 0; i < namesUsed; i++)
        {
            all.add(new StepCpu(names[i], counts[i], maxNs[i], totalNs[i] / Math.max(1, counts[i])));
        }
        all.sort(Comparator.comparingLong(StepCpu::maxNs).reversed());
        return all.subList(0, Math.min(most, all.size()));
    }

    /**
     * One named step's thread CPU time over the measured reports.
     *
     * @param name   of the step.
     * @param count  times it ran in measured reports.
     * @param maxNs  its longest, ns.
     * @param meanNs its mean, ns.
     */
    public record StepCpu(String name, long count, long maxNs, long meanNs)
    {
    }
}
