package io.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.StageLatencyListener;
import io.sluice.engine.runtime.WaitStrategyKind;

/**
 * Each live line names the phase its interval began in, against a real embedded engine: the line that
 * ends the warm-up is the warm-up's (it used to carry the next phase's name, so a run's first line,
 * all warm-up, read "measure"), and the lines after the last phase are the drain's.
 */
class LoadGeneratorIntervalTest
{
    @TempDir
    Path dir;

    @Test
    void shouldNameEachIntervalByThePhaseItBeganIn()
    {
        final long warmUpMs = 600;
        final long measureMs = 600;
        final RatePlan plan = RatePlan.steady(10_000, warmUpMs, measureMs, 0, 0, 2);
        final List<IntervalStats> intervals = new CopyOnWriteArrayList<>();
        final RunResult result = runTicks(plan, new LoadOptions().intervalMs(100).listener(intervals::add));

        assertThat(result.drained()).isTrue();
        assertThat(intervals).isNotEmpty();
        assertThat(intervals.get(0).group()).isEqualTo(RatePlan.WARM_UP);
        for (final IntervalStats stats : intervals)
        {
            final long beganNs = stats.elapsedNs() - stats.intervalNs();
            final String expected = beganNs < TimeUnit.MILLISECONDS.toNanos(warmUpMs) ? RatePlan.WARM_UP :
                beganNs < TimeUnit.MILLISECONDS.toNanos(warmUpMs + measureMs) ? RatePlan.MEASURE : "drain";
            assertThat(stats.group()).as("interval that began at %d ns", beganNs).isEqualTo(expected);
        }
        assertThat(intervals).extracting(IntervalStats::group).contains(RatePlan.MEASURE);
    }

    /**
     * The report reads a finished group's recorder no more once it came back empty (each read resets and walks
     * whole histograms on the reporter's cpu, the sender's) and warms its code on scratch histograms before the
     * sender starts: neither may lose or add an event. Every probed event is in exactly one group's totals and one
     * interval, and each report after the warm-up has its cpu time.
     */
    @Test
    void shouldCountEveryProbedEventOnceWhileSkippingFinishedGroupsAndTimeEachMeasuredReport()
    {
        countEveryProbedEventOnce(false);
    }

    /**
     * The same with the reporter yielding its cpu between the steps of each report (the demo's layout where it shares
     * the sender's cpu): the yields split a report's work, and lose or add nothing.
     */
    @Test
    void shouldCountEveryProbedEventOnceWhenTheReporterYieldsBetweenItsSteps()
    {
        countEveryProbedEventOnce(true);
    }

    private void countEveryProbedEventOnce(final boolean reporterYields)
    {
        final RatePlan plan = RatePlan.steady(10_000, 500, 500, 0, 0, 2);
        final List<IntervalStats> intervals = new CopyOnWriteArrayList<>();
        final MeasuredReportGate gate = new MeasuredReportGate(plan);
        final LoadOptions options = new LoadOptions().intervalMs(100).outputDirectory(dir.resolve("report"))
            .reporterYields(reporterYields);
        final RunResult result = runTicks(plan, options.listener(stats ->
        {
            intervals.add(stats);
            gate.onReport(options.reportSteps().measuring(), stats);
        }), null, gate);

        assertThat(result.drained()).isTrue();
        final long inTotals = result.groups().stream().mapToLong(g -> g.latency().getTotalCount()).sum();
        final IntervalStats last = intervals.get(intervals.size() - 1);
        assertThat(last.sent()).isEqualTo(plan.totalEvents());
        assertThat(inTotals).as("events in the groups' totals").isEqualTo(last.processed()).isEqualTo(plan.totalEvents());
        assertThat(result.groups().get(0).latency().getTotalCount()).as("warm-up events")
            .isEqualTo(result.groups().get(0).sent());
        // The reports of the measured phases made while the sender sends: not the last, which follows the sending.
        final long measuredIntervals = intervals.stream().filter(s -> !RatePlan.WARM_UP.equals(s.group())).count();
        assertThat(result.reportCpu().getTotalCount()).isPositive().isLessThan(measuredIntervals);
        assertThat(result.reportCpu().getMaxValue()).isPositive();
    }

    /**
     * A report is cut into named steps at each walk of a histogram (the recorder's flip, the copy out of it, the add to
     * the totals, the .hlog line's encoding, then its deflate and write), so that a reporter that yields between steps takes the sender's cpu for one walk at a
     * time; each measured report's longest step is recorded, a listener's own steps count in its report, and the steps
     * are told apart by name. Measured are the reports of the measured phases made while the sender sends: not the
     * warm-up's, and not the last, which follows the sending and delays no event.
     */
    @Test
    void shouldCutEachReportIntoANamedStepPerHistogramWalkAndRecordTheReportsMadeWhileSending()
    {
        final RatePlan plan = RatePlan.steady(10_000, 500, 500, 0, 0, 2);
        final ReportSteps steps = new ReportSteps(false);
        final MeasuredReportGate gate = new MeasuredReportGate(plan);
        final List<Integer> stepsBeforeListener = new CopyOnWriteArrayList<>();
        final List<IntervalStats> intervals = new CopyOnWriteArrayList<>();
        final List<Boolean> measuring = new CopyOnWriteArrayList<>();
        final RunResult result = runTicks(plan, new LoadOptions().intervalMs(100).outputDirectory(dir.resolve("steps"))
            .reportSteps(steps).listener(stats ->
            {
                if (stats.latency().getTotalCount() > 0)
                {
                    stepsBeforeListener.add(steps.lastReportSteps());
                }
                intervals.add(stats);
                measuring.add(steps.measuring());
                steps.next("listener's step");
                gate.onReport(steps.measuring(), stats);
            }), null, gate);

        assertThat(result.drained()).isTrue();
        assertThat(steps.yields()).isFalse();
        assertThat(new LoadOptions().reporterYields(true).reportSteps().yields()).isTrue();
        assertThat(new LoadOptions().reportSteps().yields()).as("by default").isFalse();
        // One group with events: its flip, copy, totals and the .hlog line's two steps.
        assertThat(stepsBeforeListener).isNotEmpty().allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(5));
        for (int i = 0; i < intervals.size(); i++)
        {
            if (RatePlan.WARM_UP.equals(intervals.get(i).group()))
            {
                assertThat(measuring.get(i)).as("warm-up report %d", i).isFalse();
            }
        }
        assertThat(measuring.get(measuring.size() - 1)).as("the last report, after the sending").isFalse();
        final long measuredReports = measuring.stream().filter(m -> m).count();
        assertThat(measuredReports).isPositive();
        assertThat(steps.longestStepCpu().getTotalCount()).isEqualTo(measuredReports);
        assertThat(result.reportCpu().getTotalCount()).isEqualTo(measuredReports);
        assertThat(steps.longestStepCpu().getMaxValue()).isLessThanOrEqualTo(result.reportCpu().getMaxValue());
        assertThat(steps.slowestSteps(10)).extracting(ReportSteps.StepCpu::name).contains(LoadGenerator.STEP_FLIP,
            LoadGenerator.STEP_COPY, LoadGenerator.STEP_TOTALS, LoadGenerator.STEP_HLOG_ENCODE, LoadGenerator.STEP_HLOG, "listener's step",
            "report end");
        assertThat(steps.slowestSteps(10)).allSatisfy(s ->
        {
            assertThat(s.count()).isPositive();
            assertThat(s.maxNs()).isGreaterThanOrEqualTo(s.meanNs());
        });
        assertThat(steps.slowestSteps(2)).hasSize(2);
    }

    /**
     * The events-processed action runs once, after the processing thread took every event sent and before the end of
     * input, whose slot is taken after it: what the demo's stage times stop at, so that the end of input's work (every
     * open window's results at once, which delays no event) is not counted as an event's wait.
     */
    @Test
    void shouldRunTheEventsProcessedActionOnceEveryEventIsTakenAndBeforeTheEndOfInput()
    {
        final RatePlan plan = RatePlan.steady(10_000, 500, 500, 0, 0, 2);
        final AtomicLong slotsTaken = new AtomicLong();
        final StageLatencyListener slots = (partition, stage, nanos) ->
        {
            if (stage == StageLatencyListener.RING_WAIT)
            {
                slotsTaken.incrementAndGet();
            }
        };
        final List<Long> takenAtAction = new CopyOnWriteArrayList<>();
        final RunResult result = runTicks(plan, new LoadOptions().intervalMs(100)
            .eventsProcessed(() -> takenAtAction.add(slotsTaken.get())), slots, null);

        assertThat(result.drained()).isTrue();
        assertThat(takenAtAction).hasSize(1);
        assertThat(takenAtAction.get(0)).as("slots taken when the action ran").isGreaterThanOrEqualTo(plan.totalEvents());
        assertThat(slotsTaken.get()).as("slots taken in all: the end of input's after the action")
            .isGreaterThan(takenAtAction.get(0));
    }

    /** The ticks scenario on an embedded engine (1 partition, SLEEP, no checkpoints) at the given plan. */
    private RunResult runTicks(final RatePlan plan, final LoadOptions options)
    {
        return runTicks(plan, options, null, null);
    }

    private RunResult runTicks(
        final RatePlan plan, final LoadOptions options, final StageLatencyListener stages, final MeasuredReportGate gate)
    {
        final Workload workload = Workload.create("ticks", 5, plan.totalEvents());
        final AlertLog alerts = new AlertLog(1, 1 << 12);
        final LatencyRecorder recorder = new LatencyRecorder(plan);
        final EngineContext context = new EngineContext().directory(dir.resolve("data")).partitions(1)
            .waitStrategy(WaitStrategyKind.SLEEP).checkpoints(false);
        if (stages != null)
        {
            context.stageLatencyListener(stages);
        }
        try (EmbeddedEngineTarget target = new EmbeddedEngineTarget(context, workload.embeddedPipelines(alerts, recorder)))
        {
            return LoadGenerator.run(workload.scenario(), plan, recorder, gate == null ? target : gate.in(target), options);
        }
    }

    /**
     * Holds the sender in the middle of the measured phase until a measured report has read events, letting one event
     * through after each measured report that read none. The assertions on measured reports need one that read events,
     * and a run of wall-clock phases does not promise one: under load (reproduced with ten spinning threads on the test's
     * cpu) the processing thread took none of the measured phase's events before the sender had sent them all, so each
     * report made while sending read an empty interval and no step but the flip was ever measured. While the sender waits
     * here it has not sent everything, so every report whose interval began after the warm-up is a measured one, and the
     * event let through after an empty one is in a later one's interval: the wait ends once the engine has processed it.
     * Not a timing assumption: the wait has a deadline only so that a broken run fails instead of hanging.
     */
    private static final class MeasuredReportGate
    {
        private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(60);

        private final long holdAt;
        private volatile int measuredReports;
        private volatile boolean measuredEvents;

        MeasuredReportGate(final RatePlan plan)
        {
            // Mid-way through the measured phase (the last phase): sent < planned while the sender waits.
            this.holdAt = plan.totalEvents() - plan.phases().get(plan.phases().size() - 1).events() / 2;
        }

        /** From the interval listener (the reporter's thread), after each report. */
        void onReport(final boolean measured, final IntervalStats stats)
        {
            if (measured)
            {
                if (stats.latency().getTotalCount() > 0)
                {
                    measuredEvents = true;
                }
                measuredReports++; // the reporter's thread only writes it
            }
        }

        /** On the sender's thread, before the event with this index is sent. */
        private void beforeSend(final long index, final int[] lastRelease)
        {
            if (index < holdAt || measuredEvents)
            {
                return;
            }
            final long deadline = System.nanoTime() + DEADLINE_NS;
            while (measuredReports == lastRelease[0] && System.nanoTime() - deadline < 0)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            lastRelease[0] = measuredReports;
        }

        LoadTarget in(final LoadTarget target)
        {
            return new LoadTarget()
            {
                private final int[] lastRelease = {-1};
                private long sent;

                @Override
                public void open(final List<ScenarioTopic> topics)
                {
                    lastRelease[0] = 0;
                    target.open(topics);
                }

                @Override
                public void send(final int topic, final org.agrona.DirectBuffer buffer, final int offset)
                {
                    beforeSend(sent++, lastRelease);
                    target.send(topic, buffer, offset);
                }

                @Override
                public void send(final int topic, final org.agrona.DirectBuffer buffer, final int offset, final long scheduledNs)
                {
                    beforeSend(sent++, lastRelease);
                    target.send(topic, buffer, offset, scheduledNs);
                }

                @Override
                public boolean idle()
                {
                    return target.idle();
                }

                @Override
                public void endOfInput()
                {
                    target.endOfInput();
                }

                @Override
                public boolean awaitDrained(final long timeoutMs)
                {
                    return target.awaitDrained(timeoutMs);
                }

                @Override
                public String describe()
                {
                    return target.describe();
                }

                @Override
                public void close()
                {
                    target.close();
                }
            };
        }
    }
}
