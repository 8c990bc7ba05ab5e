package io.sluice.ops.demo;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import io.sluice.engine.runtime.StageLatencyListener;

/**
 * The demo's {@code --stage-times}: how long the processing threads spent on each event, told by the
 * engine's stage timers ({@link StageLatencyListener}), to tell the engine's own work from waiting. Per
 * event it records the time in the ring (published to picked up), and the work (journal append plus every
 * pipeline that processed it), and per stage the stage's time; the summary prints their percentiles, the
 * events whose work took over a millisecond, and the stage with the largest single item.
 *
 * <p>Recording starts with {@link #startMeasuring()} (the measured phase), so that the warm-up's first,
 * still interpreted, events are not counted, and ends with {@link #stopMeasuring()}, once every event sent is
 * processed: the end of input that follows (each group's end slot, whose handling emits every open window's
 * results at once, some 50 ms for the card group while the other groups' end slots wait in their rings) delays
 * no event and is not counted. The engine reads the clock a few times more per event with this on; it is off
 * by default.
 *
 * <p>Threading: {@link #onStage} on the processing threads (any number: recorders take concurrent
 * writers, the per-event sum is per thread), the rest on the command's thread.
 */
final class StageTimes implements StageLatencyListener
{
    private static final long HIGHEST_NS = 60_000_000_000L;
    private static final long SLOW_NS = 1_000_000;

    private final List<String> names;
    private final Recorder[] stages;
    private final Recorder work = new Recorder(HIGHEST_NS, 3);
    private final Recorder ringWait = new Recorder(HIGHEST_NS, 3);
    /**
     * Whether the processing threads record: from {@link #startMeasuring()} (the first measured second) until every event
     * sent is processed ({@link #stopMeasuring()}). Nothing is recorded before, so that the start costs the reporter, on the
     * sender's cpu, no flip of the recorders (one of some 34,000 buckets for each stage, each 0.3 ms or more).
     */
    private volatile boolean measuring;
    /** Per processing thread: the work of its event so far, summed as its stages are told. */
    private final ThreadLocal<long[]> eventWork = ThreadLocal.withInitial(() -> new long[1]);

    /**
     * @param names of the stages by id, as {@link io.sluice.engine.runtime.Engine#stageNames(List)}.
     */
    StageTimes(final List<String> names)
    {
        this.names = names;
        stages = new Recorder[names.size()];
        for (int i = 0; i < stages.length; i++)
        {
            stages[i] = new Recorder(HIGHEST_NS, 3);
        }
    }

    @Override
    public void onStage(final int partition, final int stage, final long nanos)
    {
        if (!measuring)
        {
            return;
        }
        final long[] sum = eventWork.get();
        if (stage == RING_WAIT)
        {
            // The first stage of the next event: the previous one's work is complete.
            if (sum[0] > 0)
            {
                work.recordValue(Math.min(HIGHEST_NS, sum[0]));
            }
            sum[0] = 0;
            ringWait.recordValue(Math.min(HIGHEST_NS, nanos));
        }
        else
        {
            sum[0] += nanos;
        }
        if (stage < stages.length)
        {
            stages[stage].recordValue(Math.min(HIGHEST_NS, nanos));
        }
    }

    /**
     * Starts the recording: the summary covers what follows. Costs a volatile write (called on the reporter's thread,
     * which shares the sender's cpu on 2 cores).
     */
    void startMeasuring()
    {
        measuring = true;
    }

    /**
     * Ends the recording: called once every event sent is processed, before the end of input.
     */
    void stopMeasuring()
    {
        measuring = false;
    }

    /**
     * Prints the summary lines.
     *
     * @param console to print to.
     */
    void print(final PrintWriter console)
    {
        final Histogram perEvent = work.getIntervalHistogram();
        final Histogram waits = ringWait.getIntervalHistogram();
        console.printf(Locale.ROOT, "  engine work  per event on its processing thread (journal append + pipelines; --stage-times, from the " +
            "first measured second to the last event): %s; %s events over 1 ms%n", percentiles(perEvent), DemoFormat.count(countAbove(perEvent, SLOW_NS)));
        console.printf(Locale.ROOT, "  ring wait    published -> picked up by the processing thread: %s%n", percentiles(waits));
        int largest = -1;
        Histogram largestStage = null;
        for (int i = 0; i < stages.length; i++)
        {
            final Histogram h = stages[i].getIntervalHistogram();
            if (i != RING_WAIT && h.getTotalCount() > 0 && (largestStage == null || h.getMaxValue() > largestStage.getMaxValue()))
            {
                largest = i;
                largestStage = h;
            }
            if (i != RING_WAIT && h.getTotalCount() > 0)
            {
                console.printf(Locale.ROOT, "    %-26s %s%n", names.get(i), percentiles(h));
            }
        }
        if (largestStage != null)
        {
            console.printf(Locale.ROOT, "  largest single item of work: %s, %s%n", names.get(largest), DemoFormat.nanos(largestStage.getMaxValue()));
        }
    }

    private static String percentiles(final Histogram h)
    {
        return String.format(Locale.ROOT, "p50 %s  p99 %s  p99.9 %s  p99.99 %s  max %s (%s events)", DemoFormat.nanos(h.getValueAtPercentile(50)),
            DemoFormat.nanos(h.getValueAtPercentile(99)), DemoFormat.nanos(h.getValueAtPercentile(99.9)),
            DemoFormat.nanos(h.getValueAtPercentile(99.99)), DemoFormat.nanos(h.getMaxValue()), DemoFormat.count(h.getTotalCount()));
    }

    private static long countAbove(final Histogram h, final long value)
    {
        return h.getTotalCount() - h.getCountBetweenValues(0, value);
    }
}
