package io.sluice.loadgen;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * The sensor desk: the rules the sensors scenario ({@link SensorScenario}) breaks and the YAML
 * pipelines that detect them.
 * <ul>
 *   <li>sensor-drift: per device on a tumbling 1 min window, the mean value; alert at
 *       {@link #DRIFT_MEAN} or above (normal means stay at or below 23).</li>
 *   <li>sensor-outage: per device a session window with a {@link #OUTAGE_GAP_MS} gap: a session closes
 *       only when its device has been silent that long (normal devices report every 10 to 20 s).
 *       Sessions closed by the end of the input (an embedded run fires every open window then) end
 *       after the last event and are not outages: the {@code having} keeps sessions that ended before
 *       the scenario's last event time, which is why the desk is made per run.</li>
 *   <li>sensors-e2e: every reading, declared last, into the latency probe or the output journal.</li>
 * </ul>
 */
public final class SensorDesk
{
    /** Kind of an injected drift, and name of its detector. */
    public static final String DRIFT = "sensor-drift";
    /** Kind of an injected outage, and name of its detector. */
    public static final String OUTAGE = "sensor-outage";
    /** Alert when a device's one-minute mean is at least this. */
    public static final double DRIFT_MEAN = 26.0;
    /** Tumbling window of the drift detector, simulated ms. */
    public static final long DRIFT_WINDOW_MS = 60_000;
    /** Silence after which a device's session closes, simulated ms. */
    public static final long OUTAGE_GAP_MS = 60_000;

    private SensorDesk()
    {
    }

    /**
     * The desk for a run of the sensors topic.
     *
     * @param endTs simulated time just past the run's last event ({@link SensorScenario#endTs()}).
     * @return the desk.
     */
    public static YamlDesk desk(final long endTs)
    {
        final ScenarioTopic topic = new SensorScenario(1, SensorScenario.MIN_EVENTS).topics().get(0);
        final String pipelines = String.format(Locale.ROOT, """
              - name: %1$s
                source: %3$s
                schema: %4$s
                partition_key: device
                event_time: ts
                max_out_of_orderness: 1s
                window: {kind: tumbling, size: %5$dms}
                aggregates: [{mean: avg(value)}, {readings: count}]
                having: mean >= %6$.1f
                sink: %1$s
              - name: %2$s
                source: %3$s
                schema: %4$s
                partition_key: device
                event_time: ts
                max_out_of_orderness: 1s
                window: {kind: session, gap: %7$dms}
                aggregates: [{readings: count}]
                having: "window_end < '%8$s'"
                sink: %2$s
            """, DRIFT, OUTAGE, topic.name(), topic.schema().name(), DRIFT_WINDOW_MS, DRIFT_MEAN, OUTAGE_GAP_MS,
            Instant.ofEpochMilli(endTs));
        return new YamlDesk(topic, pipelines, Map.of(
            DRIFT, result ->
            {
                final int mean = result.field("mean").index();
                return r -> r.getDouble(mean);
            },
            OUTAGE, result ->
            {
                // Readings in the session the silence closed.
                final int readings = result.field("readings").index();
                return r -> r.getLong(readings);
            }));
    }
}
