package io.sluice.loadgen;

import java.util.List;

import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.WindowSpec;
import io.sluice.engine.schema.Schema;

/**
 * The fraud desk's pipeline set over the card scenario's topic, with the rules of {@link FraudRules}:
 * <ul>
 *   <li>card-velocity: charges per card on a sliding 60 s window (hop 5 s); alert at 10 or more.</li>
 *   <li>amount-vs-norm: per card on a tumbling 5 min window, the largest charge against the mean of
 *       the card's other charges in the same window (count, sum and max give it: mean of the others
 *       = (sum - max) / (count - 1)); alert above 5 times. Micro-charges (under $5) are kept out of
 *       the norm. A norm learned over the card's history (a running average joined back to each
 *       charge) needs a window result fed into a join, which the DSL does not chain yet; the
 *       in-window norm is the closest the current operators give, and with about 30 charges per
 *       card per window it is a fair norm.</li>
 *   <li>impossible-travel: per card on a sliding 10 min window (hop 1 min), the spread of merchant
 *       latitudes and longitudes; alert above 20 degrees (about 2,000 km in at most 10 minutes).</li>
 *   <li>cards-e2e: every charge into the latency probe; declared last, so its latency covers the
 *       journal append and the three detectors run before it on the partition thread.</li>
 * </ul>
 */
public final class FraudDesk
{
    private FraudDesk()
    {
    }

    /**
     * The card pipelines.
     *
     * @param alerts   receiving the detectors' alerts.
     * @param recorder of end-to-end latency.
     * @param cards    expected distinct cards, to size the window state.
     * @return the pipelines, the latency probe last.
     */
    public static List<Pipeline> cardPipelines(final AlertLog alerts, final LatencyRecorder recorder, final int cards)
    {
        final Schema schema = CardTransactionScenario.SCHEMA;
        final String topic = CardTransactionScenario.TOPIC;
        final long bound = FraudRules.MAX_OUT_OF_ORDERNESS_MS;
        final int amount = schema.field("amount").index();
        final int sentNs = schema.field(ScenarioTopic.SENT_NS).index();
        // The window stage's declaration, kept to read the result schema the detector filters see.
        final WindowSpec[] spec = new WindowSpec[1];

        final Pipeline.Builder velocity = Pipeline.from(topic, schema).name(FraudRules.VELOCITY)
            .partitionKey("card").eventTime("ts", bound)
            .window(w -> declared(w.sliding(FraudRules.VELOCITY_WINDOW_MS, FraudRules.VELOCITY_HOP_MS).count("charges")
                .expectedEntries(cards * 4), spec));
        final Schema velocityResult = spec[0].resultSchema();
        final int charges = velocityResult.field("charges").index();
        velocity.filter("charges >= " + FraudRules.VELOCITY_THRESHOLD, r -> r.getLong(charges) >= FraudRules.VELOCITY_THRESHOLD)
            .sink("alerts", new AlertSink(alerts, FraudRules.VELOCITY, r -> r.getLong(charges), velocityResult));

        final Pipeline.Builder norm = Pipeline.from(topic, schema).name(FraudRules.AMOUNT)
            .partitionKey("card").eventTime("ts", bound)
            .filter("amount >= " + FraudRules.NORM_MIN_AMOUNT, e -> e.getLong(amount) >= FraudRules.NORM_MIN_AMOUNT)
            .window(w -> declared(w.tumbling(FraudRules.NORM_WINDOW_MS).count("charges").sum("total", "amount")
                .max("largest", "amount").expectedEntries(cards * 2), spec));
        final Schema normResult = spec[0].resultSchema();
        final int n = normResult.field("charges").index();
        final int total = normResult.field("total").index();
        final int largest = normResult.field("largest").index();
        norm.filter("largest > " + FraudRules.NORM_FACTOR + " x mean of the others", r ->
            {
                final long count = r.getLong(n);
                final long max = r.getLong(largest);
                return count >= FraudRules.NORM_MIN_CHARGES && max * (count - 1) > FraudRules.NORM_FACTOR * (r.getLong(total) - max);
            })
            .sink("alerts", new AlertSink(alerts, FraudRules.AMOUNT,
                r -> r.getLong(largest) * (r.getLong(n) - 1) / (double)Math.max(1, r.getLong(total) - r.getLong(largest)),
                normResult));

        final Pipeline.Builder travel = Pipeline.from(topic, schema).name(FraudRules.TRAVEL)
            .partitionKey("card").eventTime("ts", bound)
            .window(w -> declared(w.sliding(FraudRules.TRAVEL_WINDOW_MS, FraudRules.TRAVEL_HOP_MS)
                .min("lat_min", "lat").max("lat_max", "lat").min("lon_min", "lon").max("lon_max", "lon")
                .expectedEntries(cards * 4), spec));
        final Schema travelResult = spec[0].resultSchema();
        final int latMin = travelResult.field("lat_min").index();
        final int latMax = travelResult.field("lat_max").index();
        final int lonMin = travelResult.field("lon_min").index();
        final int lonMax = travelResult.field("lon_max").index();
        travel.filter("spread > " + FraudRules.TRAVEL_DEGREES + " degrees", r ->
                r.getDouble(latMax) - r.getDouble(latMin) > FraudRules.TRAVEL_DEGREES ||
                r.getDouble(lonMax) - r.getDouble(lonMin) > FraudRules.TRAVEL_DEGREES)
            .sink("alerts", new AlertSink(alerts, FraudRules.TRAVEL,
                r -> Math.max(r.getDouble(latMax) - r.getDouble(latMin), r.getDouble(lonMax) - r.getDouble(lonMin)), travelResult));

        final Pipeline probe = Pipeline.from(topic, schema).name(topic + "-e2e")
            .partitionKey("card").eventTime("ts", bound)
            .sink("latency probe", new LatencyProbeSink(recorder, sentNs))
            .build();
        return List.of(velocity.build(), norm.build(), travel.build(), probe);
    }

    private static void declared(final WindowSpec declared, final WindowSpec[] holder)
    {
        holder[0] = declared;
    }
}
