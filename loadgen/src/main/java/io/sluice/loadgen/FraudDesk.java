package io.sluice.loadgen;

import java.util.ArrayList;
import java.util.List;

import io.sluice.engine.join.JoinResultHandler;
import io.sluice.engine.join.JoinType;
import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.Source;
import io.sluice.engine.pipeline.WindowSpec;
import io.sluice.schema.Schema;

/**
 * The fraud desk's pipeline set in the Java DSL, with the rules of {@link FraudRules}. The demo and the
 * load generator run the card detectors from YAML ({@link CardDesk}); the card pipelines here are the
 * same rules written with the DSL, kept as its example and checked against the YAML (same alerts). The
 * order pipelines (joins) are what the demo runs.
 * <ul>
 *   <li>card-velocity: charges per card on a sliding 60 s window (hop 5 s); alert at 10 or more, then
 *       no alert of the card for 5 minutes of event time (one burst lies in up to 12 windows).</li>
 *   <li>amount-vs-norm: per card on a tumbling 5 min window, the largest charge against the mean of
 *       the card's other charges in the same window (count, sum and max give it: mean of the others
 *       = (sum - max) / (count - 1)); alert above 5 times. Micro-charges (under $5) are kept out of
 *       the norm. A norm learned over the card's history (a running average joined back to each
 *       charge) needs a window result fed into a join, which the DSL does not chain yet; the
 *       in-window norm is the closest the current operators give, and with about 30 charges per
 *       card per window it is a fair norm.</li>
 *   <li>orders-payments: orders LEFT interval-joined to payments on the order id within
 *       [0, {@link OrderRules#PAYMENT_WINDOW_MS}]; the null-padded row of an order no payment met
 *       (emitted once the watermark has passed its interval) is an unpaid order, a matched row whose
 *       amounts differ a payment mismatch.</li>
 *   <li>orders-accounts: orders (keyed by account) LEFT lookup-joined to the accounts table as of
 *       their journaled position; a missing row (a closed account) or a blocked one is a blocked
 *       account, an amount above the row's limit an order over the limit.</li>
 *   <li>impossible-travel: per card on a sliding 10 min window (hop 1 min), the spread of merchant
 *       latitudes and longitudes; alert above 20 degrees (about 2,000 km in at most 10 minutes), then
 *       no alert of the card for 10 minutes of event time.</li>
 *   <li>cards-e2e, orders-e2e, payments-e2e, orders-by-account-e2e: every event into the latency
 *       probe; declared after the detectors of their topic, so the latency covers the journal append
 *       and the detectors run before it on the partition thread. The accounts changelog has no probe:
 *       a table topic is read only by its join.</li>
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
        return cardPipelines(alerts, recorder, cards, SinkTap.NONE);
    }

    /**
     * The card pipelines, each detector's sink passed through a tap (e.g. onto a dashboard's board).
     *
     * @param alerts   receiving the detectors' alerts.
     * @param recorder of end-to-end latency.
     * @param cards    expected distinct cards, to size the window state.
     * @param tap      wraps each detector's sink; build-time only.
     * @return the pipelines, the latency probe last.
     */
    public static List<Pipeline> cardPipelines(final AlertLog alerts, final LatencyRecorder recorder, final int cards, final SinkTap tap)
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
                .expectedEntries(cards * rowsPerCard(FraudRules.VELOCITY_WINDOW_MS, FraudRules.VELOCITY_HOP_MS)), spec));
        final Schema velocityResult = spec[0].resultSchema();
        final int charges = velocityResult.field("charges").index();
        velocity.filter("charges >= " + FraudRules.VELOCITY_THRESHOLD, r -> r.getLong(charges) >= FraudRules.VELOCITY_THRESHOLD)
            .suppressCooldown(FraudRules.VELOCITY_COOLDOWN_MS, cards)
            .sink("alerts", tap.tap(FraudRules.VELOCITY, new AlertSink(alerts, FraudRules.VELOCITY, r -> r.getLong(charges), velocityResult)));

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
            .sink("alerts", tap.tap(FraudRules.AMOUNT, new AlertSink(alerts, FraudRules.AMOUNT,
                r -> r.getLong(largest) * (r.getLong(n) - 1) / (double)Math.max(1, r.getLong(total) - r.getLong(largest)),
                normResult)));

        final Pipeline.Builder travel = Pipeline.from(topic, schema).name(FraudRules.TRAVEL)
            .partitionKey("card").eventTime("ts", bound)
            .window(w -> declared(w.sliding(FraudRules.TRAVEL_WINDOW_MS, FraudRules.TRAVEL_HOP_MS)
                .min("lat_min", "lat").max("lat_max", "lat").min("lon_min", "lon").max("lon_max", "lon")
                .expectedEntries(cards * rowsPerCard(FraudRules.TRAVEL_WINDOW_MS, FraudRules.TRAVEL_HOP_MS)), spec));
        final Schema travelResult = spec[0].resultSchema();
        final int latMin = travelResult.field("lat_min").index();
        final int latMax = travelResult.field("lat_max").index();
        final int lonMin = travelResult.field("lon_min").index();
        final int lonMax = travelResult.field("lon_max").index();
        travel.filter("spread > " + FraudRules.TRAVEL_DEGREES + " degrees", r ->
                r.getDouble(latMax) - r.getDouble(latMin) > FraudRules.TRAVEL_DEGREES ||
                r.getDouble(lonMax) - r.getDouble(lonMin) > FraudRules.TRAVEL_DEGREES)
            .suppressCooldown(FraudRules.TRAVEL_COOLDOWN_MS, cards)
            .sink("alerts", tap.tap(FraudRules.TRAVEL, new AlertSink(alerts, FraudRules.TRAVEL,
                r -> Math.max(r.getDouble(latMax) - r.getDouble(latMin), r.getDouble(lonMax) - r.getDouble(lonMin)), travelResult)));

        final Pipeline probe = Pipeline.from(topic, schema).name(topic + "-e2e")
            .partitionKey("card").eventTime("ts", bound)
            .sink("latency probe", new LatencyProbeSink(recorder, sentNs))
            .build();
        return List.of(velocity.build(), norm.build(), travel.build(), probe);
    }

    /**
     * The join pipelines over the orders-and-payments scenario's topics, each followed by the latency
     * probes of its stream topics.
     *
     * @param alerts     receiving the detectors' alerts.
     * @param recorder   of end-to-end latency.
     * @param openOrders expected orders within one payment window, to size the interval join's state.
     * @param accounts   expected accounts, to size the table.
     * @return the pipelines.
     */
    public static List<Pipeline> orderPipelines(
        final AlertLog alerts, final LatencyRecorder recorder, final int openOrders, final int accounts)
    {
        return orderPipelines(alerts, recorder, openOrders, accounts, SinkTap.NONE);
    }

    /**
     * The join pipelines, each detector's sink passed through a tap (e.g. onto a dashboard's board).
     *
     * @param alerts     receiving the detectors' alerts.
     * @param recorder   of end-to-end latency.
     * @param openOrders expected orders within one payment window, to size the interval join's state.
     * @param accounts   expected accounts, to size the table.
     * @param tap        wraps each detector's sink; build-time only.
     * @return the pipelines.
     */
    public static List<Pipeline> orderPipelines(
        final AlertLog alerts, final LatencyRecorder recorder, final int openOrders, final int accounts, final SinkTap tap)
    {
        final Schema order = OrderPaymentScenario.ORDER;
        final Schema payment = OrderPaymentScenario.PAYMENT;
        final Schema account = OrderPaymentScenario.ACCOUNT;
        final long bound = OrderRules.MAX_OUT_OF_ORDERNESS_MS;
        final List<Pipeline> pipelines = new ArrayList<>();

        final Pipeline.JoinBuilder paid = Pipeline.join(OrderRules.PAYMENTS_JOIN,
                Source.stream(OrderPaymentScenario.ORDERS, order).partitionKey("order_id").eventTime("ts", bound),
                Source.stream(OrderPaymentScenario.PAYMENTS, payment).partitionKey("order_id").eventTime("ts", bound))
            .interval(0, OrderRules.PAYMENT_WINDOW_MS).type(JoinType.LEFT).prefixes("order", "payment")
            .expectedEntries(Math.max(1_024, openOrders));
        final Schema paidRows = rowsOf(paid);
        final int paidFlags = paidRows.field("join_flags").index();
        final int ordered = paidRows.field("order_amount").index();
        final int settled = paidRows.field("payment_amount").index();
        pipelines.add(paid.then().filter("unpaid, or paid another amount", r ->
                r.getInt(paidFlags) == JoinResultHandler.RIGHT_NULL ||
                r.getInt(paidFlags) == JoinResultHandler.MATCH && r.getLong(settled) != r.getLong(ordered))
            .sink("alerts", tap.tap(OrderRules.PAYMENTS_JOIN, new JoinAlertSink(alerts, new String[] {OrderRules.UNPAID, OrderRules.MISMATCH},
                r -> r.getInt(paidFlags) == JoinResultHandler.RIGHT_NULL ? 0 : 1,
                r -> r.getInt(paidFlags) == JoinResultHandler.RIGHT_NULL ? r.getLong(ordered) / 100.0 :
                    (r.getLong(settled) - r.getLong(ordered)) / 100.0,
                paidRows, "order_ts")))
            .build());
        pipelines.add(probe(OrderPaymentScenario.ORDERS, order, "order_id", recorder));
        pipelines.add(probe(OrderPaymentScenario.PAYMENTS, payment, "order_id", recorder));

        final Pipeline.JoinBuilder enriched = Pipeline.join(OrderRules.ACCOUNTS_JOIN,
                Source.stream(OrderPaymentScenario.ORDERS_BY_ACCOUNT, order).partitionKey("account").eventTime("ts", bound),
                Source.table(OrderPaymentScenario.ACCOUNTS, account).partitionKey("account").deleteFlag("deleted")
                    .eventTime("ts", bound))
            .lookup().type(JoinType.LEFT).prefixes("order", "account")
            .expectedEntries(Math.max(1_024, accounts));
        final Schema rows = rowsOf(enriched);
        final int flags = rows.field("join_flags").index();
        final int amount = rows.field("order_amount").index();
        final int limit = rows.field("account_limit").index();
        final int status = rows.field("account_status").index();
        pipelines.add(enriched.then().filter("closed, blocked or over the limit", r ->
                r.getInt(flags) == JoinResultHandler.RIGHT_NULL || r.getLong(status) == OrderRules.BLOCKED_STATUS ||
                r.getLong(amount) > r.getLong(limit))
            .sink("alerts", tap.tap(OrderRules.ACCOUNTS_JOIN, new JoinAlertSink(alerts, new String[] {OrderRules.BLOCKED, OrderRules.OVER_LIMIT},
                r -> r.getInt(flags) == JoinResultHandler.RIGHT_NULL || r.getLong(status) == OrderRules.BLOCKED_STATUS ? 0 : 1,
                r -> r.getInt(flags) == JoinResultHandler.RIGHT_NULL || r.getLong(status) == OrderRules.BLOCKED_STATUS ?
                    r.getLong(amount) / 100.0 : r.getLong(amount) / (double)Math.max(1, r.getLong(limit)),
                rows, "order_ts")))
            .build());
        pipelines.add(probe(OrderPaymentScenario.ORDERS_BY_ACCOUNT, order, "account", recorder));
        return List.copyOf(pipelines);
    }

    /**
     * The schema of a join's rows, read from a throwaway build of it (the builder keeps it private);
     * build-time only.
     */
    private static Schema rowsOf(final Pipeline.JoinBuilder join)
    {
        return join.then().sink("none", (partition, sequence, key, timestamp, event) -> { }).build().join().output();
    }

    private static Pipeline probe(final String topic, final Schema schema, final String key, final LatencyRecorder recorder)
    {
        return Pipeline.from(topic, schema).name(topic + "-e2e")
            .partitionKey(key).eventTime("ts", OrderRules.MAX_OUT_OF_ORDERNESS_MS)
            .sink("latency probe", new LatencyProbeSink(recorder, schema.field(ScenarioTopic.SENT_NS).index()))
            .build();
    }

    /**
     * Wraps a detector pipeline's sink at build time, e.g. to copy its alerts onto a dashboard.
     */
    @FunctionalInterface
    public interface SinkTap
    {
        /** Leaves every sink as it is. */
        SinkTap NONE = (pipeline, sink) -> sink;

        /**
         * Wraps one detector's sink.
         *
         * @param pipeline name of the detector pipeline.
         * @param sink     the detector's own sink, which the wrapper must call.
         * @return the sink the pipeline gets.
         */
        EventSink tap(String pipeline, EventSink sink);
    }

    private static void declared(final WindowSpec declared, final WindowSpec[] holder)
    {
        holder[0] = declared;
    }

    /**
     * Rows a card holds at most in a sliding window's state: one per pane of the window and one of the
     * next hop. Sizing the state for every card's rows at start keeps it from growing (a copy of every
     * row in one event) in the middle of a run.
     */
    private static int rowsPerCard(final long windowMs, final long hopMs)
    {
        return (int)(windowMs / hopMs) + 1;
    }
}
