package io.sluice.loadgen;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import io.sluice.engine.pipeline.Pipeline;

/**
 * A scenario with the pipelines that detect what it injects: a {@link YamlDesk}, the same YAML in an
 * embedded engine and in a daemon. Created by name: {@code card} (or {@code cards}, the three detectors
 * of {@link CardDesk}), {@code ticks}, {@code sensors}.
 *
 * <p>Threading: build-time only.
 */
public final class Workload
{
    /** Names accepted by {@link #create}. */
    public static final List<String> NAMES = List.of("card", "ticks", "sensors");

    private final Scenario scenario;
    private final YamlDesk desk;
    private final String keyLabel;
    private final int keys;
    private final String pipelinesLine;

    private Workload(final Scenario scenario, final YamlDesk desk, final String keyLabel, final int keys, final String pipelinesLine)
    {
        this.scenario = scenario;
        this.desk = desk;
        this.keyLabel = keyLabel;
        this.keys = keys;
        this.pipelinesLine = pipelinesLine;
    }

    /**
     * Creates a workload.
     *
     * @param name   of the scenario: card, ticks or sensors.
     * @param seed   of the scenario.
     * @param events in the run.
     * @return the workload.
     * @throws IllegalArgumentException for an unknown name or too few events.
     */
    public static Workload create(final String name, final long seed, final long events)
    {
        switch (name.toLowerCase(Locale.ROOT))
        {
            case "card":
            case CardTransactionScenario.NAME:
            {
                final CardTransactionScenario cards = new CardTransactionScenario(seed, events);
                return new Workload(cards, cardDesk(), "card", cards.cards(),
                    "card-velocity (sliding 60s/5s count >= 10, cooldown 5min), amount-vs-norm (tumbling 5min, largest > 5x mean of the others), " +
                    "impossible-travel (sliding 10min/1min spread > 20 deg, cooldown 10min), cards-e2e (latency probe, last)");
            }
            case MarketTickScenario.NAME:
            {
                final MarketTickScenario ticks = new MarketTickScenario(seed, events);
                return new Workload(ticks, MarketDesk.desk(), "symbol", ticks.symbols(),
                    "price-spike (tumbling 5s, |change_bp| >= " + MarketDesk.SPIKE_BP + "), ticks-e2e (latency probe, last)");
            }
            case SensorScenario.NAME:
            {
                final SensorScenario sensors = new SensorScenario(seed, events);
                return new Workload(sensors, SensorDesk.desk(sensors.endTs()), "device", sensors.devices(),
                    "sensor-drift (tumbling 1min, mean >= " + SensorDesk.DRIFT_MEAN + "), sensor-outage (session, gap 60s), " +
                    "sensors-e2e (latency probe, last)");
            }
            default:
                throw new IllegalArgumentException("unknown scenario '" + name + "': one of " + NAMES);
        }
    }

    /**
     * Fewest events a scenario accepts.
     *
     * @param name of the scenario.
     * @return the minimum.
     */
    public static long minEvents(final String name)
    {
        switch (name.toLowerCase(Locale.ROOT))
        {
            case "card":
            case CardTransactionScenario.NAME:
                return CardTransactionScenario.MIN_EVENTS;
            case MarketTickScenario.NAME:
                return MarketTickScenario.MIN_EVENTS;
            case SensorScenario.NAME:
                return SensorScenario.MIN_EVENTS;
            default:
                throw new IllegalArgumentException("unknown scenario '" + name + "': one of " + NAMES);
        }
    }

    private static YamlDesk cardDesk()
    {
        return CardDesk.desk();
    }

    /**
     * The largest key count of the choices that leaves at least 100 events per key.
     *
     * @param events  in the run.
     * @param choices in descending order.
     * @return the key count, at least the smallest choice.
     */
    static int keysFor(final long events, final int[] choices)
    {
        for (final int count : choices)
        {
            if (count <= events / 100)
            {
                return count;
            }
        }
        return choices[choices.length - 1];
    }

    /**
     * A seeded permutation of 0 until n.
     *
     * @param n   elements.
     * @param rng drawing the permutation.
     * @return the permutation.
     */
    static int[] shuffled(final int n, final SplittableRandom rng)
    {
        final int[] values = new int[n];
        for (int i = 0; i < n; i++)
        {
            values[i] = i;
        }
        for (int i = n - 1; i > 0; i--)
        {
            final int j = rng.nextInt(i + 1);
            final int t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
        return values;
    }

    /**
     * The scenario.
     *
     * @return the scenario, positioned at its first event.
     */
    public Scenario scenario()
    {
        return scenario;
    }

    /**
     * The YAML desk a daemon runs for this scenario.
     *
     * @return the desk.
     */
    public YamlDesk desk()
    {
        return desk;
    }

    /**
     * What a key is in this scenario (card, symbol, device), for alert lines.
     *
     * @return the label.
     */
    public String keyLabel()
    {
        return keyLabel;
    }

    /**
     * Distinct keys in this run.
     *
     * @return the key count.
     */
    public int keys()
    {
        return keys;
    }

    /**
     * One line describing the embedded pipelines.
     *
     * @return the description.
     */
    public String describePipelines()
    {
        return pipelinesLine;
    }

    /**
     * The pipelines for an embedded engine: the card scenario's Java fraud desk, or the YAML desk.
     *
     * @param alerts   receiving alerts.
     * @param recorder of end-to-end latency.
     * @return the pipelines, the latency probe last.
     */
    public List<Pipeline> embeddedPipelines(final AlertLog alerts, final LatencyRecorder recorder)
    {
        return desk.pipelines(alerts, recorder);
    }

    /**
     * The alert kinds a run on a target can detect, to evaluate detections against.
     *
     * @param embedded whether the target is the embedded engine (else a daemon running the desk).
     * @return the kinds.
     */
    public List<String> evaluatedKinds(final boolean embedded)
    {
        return desk.kinds();
    }

    /**
     * Evaluates the alerts of a run against the patterns of the kinds the target could detect.
     *
     * @param embedded whether the target was the embedded engine.
     * @param alerts   the run raised.
     * @return the report.
     */
    public DetectionReport evaluate(final boolean embedded, final List<Alert> alerts)
    {
        final List<String> kinds = evaluatedKinds(embedded);
        return DetectionReport.evaluate(scenario.injected().stream().filter(p -> kinds.contains(p.kind())).toList(), alerts);
    }
}
