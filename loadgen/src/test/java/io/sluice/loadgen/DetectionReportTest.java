package io.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class DetectionReportTest
{
    @Test
    void shouldCountDetectedMissedAndFalseAlertsPerKind()
    {
        final List<InjectedPattern> patterns = List.of(
            new InjectedPattern("velocity", 1, 1_000, 5_000, 12),
            new InjectedPattern("velocity", 2, 1_000, 5_000, 12),
            new InjectedPattern("amount", 3, 7_000, 7_000, 1));
        final List<Alert> alerts = List.of(
            // Two overlapping windows on the same burst: one detection, no false alert.
            new Alert("velocity", 1, 0, 6_000, 12, 0),
            new Alert("velocity", 1, 5_000, 11_000, 10, 0),
            // Right card, window before the burst: false.
            new Alert("velocity", 2, 0, 1_000, 10, 1),
            // Right window, wrong card: false; right card, wrong kind: false too.
            new Alert("amount", 4, 5_000, 10_000, 9, 0),
            new Alert("velocity", 3, 5_000, 10_000, 9, 0));

        final DetectionReport report = DetectionReport.evaluate(patterns, alerts);

        assertThat(report.kinds().get("velocity")).isEqualTo(new DetectionReport.KindCounts(2, 1, 4, 2, 2));
        assertThat(report.kinds().get("velocity").missed()).isEqualTo(1);
        assertThat(report.kinds().get("amount")).isEqualTo(new DetectionReport.KindCounts(1, 0, 1, 1, 1));
        assertThat(report.injected()).isEqualTo(3);
        assertThat(report.detected()).isEqualTo(1);
        assertThat(report.falseAlerts()).isEqualTo(3);
        assertThat(report.lines()).last().asString().contains("detected   1 of   3 injected, missed   2, false alerts   3");
    }

    @Test
    void shouldReadAlertsBackFromEveryPartitionLogInOrder()
    {
        final AlertLog log = new AlertLog(2, 2);
        final int kind = log.kind("velocity");
        log.append(1, kind, 10, 0, 60, 11);
        log.append(0, kind, 20, 5, 65, 12);
        log.append(0, kind, 21, 5, 65, 12);
        log.append(0, kind, 22, 5, 65, 12);
        final List<Alert> drained = new ArrayList<>();
        assertThat(log.drainTo(drained)).isEqualTo(3);
        assertThat(drained).extracting(Alert::key).containsExactly(20L, 21L, 10L);
        assertThat(log.dropped()).isEqualTo(1);
        assertThat(log.all()).hasSize(3);
    }
}
