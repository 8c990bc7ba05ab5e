package io.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.WaitStrategyKind;

/**
 * The ticks and sensors scenarios against an embedded engine running their YAML desks: every
 * injected pattern is detected and no alert is false. Nothing here depends on timing: the rate only
 * decides how fast the run goes.
 */
class EmbeddedDetectionTest
{
    private static final long RATE = 40_000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"ticks", "sensors"})
    void shouldDetectEveryInjectedPatternWithoutFalseAlerts(final String name)
    {
        final RatePlan plan = RatePlan.steady(RATE, 0, 3_000, 0, 0, 2);
        final Workload workload = Workload.create(name, 11, plan.totalEvents());
        final AlertLog alerts = new AlertLog(2, 1 << 14);
        final LatencyRecorder recorder = new LatencyRecorder(plan);
        final EngineContext context = new EngineContext().directory(dir.resolve("data")).partitions(2)
            .waitStrategy(WaitStrategyKind.SLEEP).checkpoints(false);
        final RunResult result;
        try (EmbeddedEngineTarget target = new EmbeddedEngineTarget(context, workload.embeddedPipelines(alerts, recorder)))
        {
            result = LoadGenerator.run(workload.scenario(), plan, recorder, target, new LoadOptions().outputDirectory(dir.resolve("out")));
        }

        assertThat(result.drained()).isTrue();
        assertThat(result.sent()).isEqualTo(plan.totalEvents());
        assertThat(result.measuredLatency().getTotalCount()).isEqualTo(plan.totalEvents());
        final DetectionReport report = workload.evaluate(true, alerts.all());
        assertThat(report.injected()).as(report.lines().toString()).isPositive();
        assertThat(report.detected()).as(report.lines().toString()).isEqualTo(report.injected());
        assertThat(report.falseAlerts()).as(report.lines().toString()).isZero();
        assertThat(report.kinds().keySet()).containsExactlyInAnyOrderElementsOf(workload.desk().kinds());
        assertThat(alerts.dropped()).isZero();
        assertThat(dir.resolve("out").resolve("latency.hgrm")).isNotEmptyFile();
    }
}
