package io.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.runtime.EngineContext;
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
        final Workload workload = Workload.create("ticks", 5, plan.totalEvents());
        final AlertLog alerts = new AlertLog(1, 1 << 12);
        final LatencyRecorder recorder = new LatencyRecorder(plan);
        final EngineContext context = new EngineContext().directory(dir.resolve("data")).partitions(1)
            .waitStrategy(WaitStrategyKind.SLEEP).checkpoints(false);
        final List<IntervalStats> intervals = new CopyOnWriteArrayList<>();
        final RunResult result;
        try (EmbeddedEngineTarget target = new EmbeddedEngineTarget(context, workload.embeddedPipelines(alerts, recorder)))
        {
            result = LoadGenerator.run(workload.scenario(), plan, recorder, target,
                new LoadOptions().intervalMs(100).listener(intervals::add));
        }

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
}
