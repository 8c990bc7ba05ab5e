package io.sluice.loadgen;

import java.util.Locale;
import java.util.Map;

/**
 * The market desk: the rule the ticks scenario ({@link MarketTickScenario}) breaks and the YAML
 * pipeline that detects it.
 * <ul>
 *   <li>price-spike: per symbol on a tumbling 5 s window, the largest and smallest net change of a
 *       tick ({@code change_bp}); alert when either is {@link #SPIKE_BP} basis points or more away from
 *       zero. Normal ticks move at most {@link #MAX_STEP_BP} plus rounding to the cent.</li>
 *   <li>ticks-e2e: every tick, declared last, into the latency probe or the output journal.</li>
 * </ul>
 */
public final class MarketDesk
{
    /** Kind of an injected spike, and name of its detector. */
    public static final String SPIKE = "price-spike";
    /** Largest move of a normal tick before rounding, basis points. */
    public static final int MAX_STEP_BP = 20;
    /** Alert when a tick moved at least this many basis points. */
    public static final int SPIKE_BP = 200;
    /** Tumbling window of the detector, simulated ms. */
    public static final long WINDOW_MS = 5_000;

    private MarketDesk()
    {
    }

    /**
     * The desk for the ticks topic.
     *
     * @return the desk.
     */
    public static YamlDesk desk()
    {
        final ScenarioTopic topic = new MarketTickScenario(1, MarketTickScenario.MIN_EVENTS).topics().get(0);
        final String pipelines = String.format(Locale.ROOT, """
              - name: %1$s
                source: %2$s
                schema: %3$s
                partition_key: symbol
                event_time: ts
                max_out_of_orderness: 1s
                window: {kind: tumbling, size: %4$dms}
                aggregates: [{up: max(change_bp)}, {down: min(change_bp)}, {ticks: count}]
                having: up >= %5$d or down <= -%5$d
                sink: %1$s
            """, SPIKE, topic.name(), topic.schema().name(), WINDOW_MS, SPIKE_BP);
        return new YamlDesk(topic, pipelines, Map.of(SPIKE, result ->
        {
            final int up = result.field("up").index();
            final int down = result.field("down").index();
            return r -> Math.max(r.getLong(up), -r.getLong(down));
        }));
    }
}
