package io.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.sluice.engine.io.Backtest;
import io.sluice.engine.io.BacktestOptions;
import io.sluice.engine.io.EventSource;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.schema.Schema;

/**
 * The card detectors written in YAML ({@link CardDesk}, the file the demo runs) against the same rules
 * written in the Java DSL ({@link FraudDesk}): on the same generated card transactions, replayed at
 * full speed through both, they raise the same alerts (kind, card, window and value), and those find
 * every injected pattern with no false alert.
 */
class CardDeskCrossCheckTest
{
    private static final int EVENTS = 400_000;
    private static final int PARTITIONS = 2;

    @Test
    void shouldRaiseTheSameAlertsFromTheYamlDetectorsAsFromTheJavaDslOnes()
    {
        final CardTransactionScenario scenario = new CardTransactionScenario(7, EVENTS);
        final Schema schema = CardTransactionScenario.SCHEMA;
        final UnsafeBuffer events = new UnsafeBuffer(new byte[schema.length() * EVENTS]);
        for (int i = 0; i < EVENTS; i++)
        {
            assertThat(scenario.next(events, i * schema.length())).isZero();
        }

        final AlertLog yamlAlerts = new AlertLog(PARTITIONS, 1 << 16);
        final List<Pipeline> yaml = CardDesk.desk().pipelines(yamlAlerts, null);
        final AlertLog javaAlerts = new AlertLog(PARTITIONS, 1 << 16);
        final List<Pipeline> java = FraudDesk.cardPipelines(javaAlerts, null, scenario.cards());
        // The latency probes (last in both) measure a live run; a replay has no send times.
        replay(yaml.subList(0, yaml.size() - 1), schema, events);
        replay(java.subList(0, java.size() - 1), schema, events);

        final List<Alert> fromYaml = sorted(yamlAlerts.all());
        final List<Alert> fromJava = sorted(javaAlerts.all());
        assertThat(fromYaml).isEqualTo(fromJava);
        for (final String kind : List.of(FraudRules.VELOCITY, FraudRules.AMOUNT, FraudRules.TRAVEL))
        {
            assertThat(fromYaml).as(kind).anyMatch(a -> a.kind().equals(kind));
        }
        assertThat(yamlAlerts.dropped()).isZero();

        final DetectionReport report = DetectionReport.evaluate(scenario.injected(), fromYaml);
        assertThat(report.injected()).as(report.lines().toString()).isEqualTo(6);
        assertThat(report.detected()).as(report.lines().toString()).isEqualTo(report.injected());
        assertThat(report.falseAlerts()).as(report.lines().toString()).isZero();
    }

    private static void replay(final List<Pipeline> pipelines, final Schema schema, final UnsafeBuffer events)
    {
        Backtest.replayEvents(pipelines, Map.of(CardTransactionScenario.TOPIC, EventSource.of(schema, events, 0, EVENTS)),
            new BacktestOptions().partitions(PARTITIONS));
    }

    private static List<Alert> sorted(final List<Alert> alerts)
    {
        final List<Alert> copy = new ArrayList<>(alerts);
        copy.sort(Comparator.comparing(Alert::kind).thenComparingLong(Alert::key).thenComparingLong(Alert::start)
            .thenComparingInt(Alert::partition));
        return copy;
    }
}
