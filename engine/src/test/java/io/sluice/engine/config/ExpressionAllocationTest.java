package io.sluice.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.sluice.engine.pipeline.EventPredicate;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * Compiled expressions allocate nothing per event: arithmetic over LONG, INT, DOUBLE and DECIMAL
 * fields (DECIMAL products and quotients in 128 bits included), functions, comparisons of computed
 * values, and the evaluation error of an integer or decimal division by zero (thrown as the
 * operator's pre-built exception); and pipelines with computed fields, DECIMAL ones summed by a window. Measured with {@link
 * com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes()} around rounds of a million
 * events after a warm-up; one round of zero is needed, so a JIT compilation or a safepoint's
 * bookkeeping in one round does not fail it. No timing is asserted.
 */
class ExpressionAllocationTest
{
    private static final int ROUNDS = 10;
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
    private static final Schema SCHEMA = Schema.builder("card")
        .longField("card").longField("amount").intField("charges").doubleField("lat").doubleField("lon")
        .longField("total").timestampField("ts").build();

    private final EventFlyweight event = new EventFlyweight(SCHEMA).wrapForWrite(new UnsafeBuffer(new byte[SCHEMA.length()]), 0);
    private final EventPredicate[] rules = {
        Expressions.compile("charges >= 4 and amount * (charges - 1) > 5.0 * (total - amount)", SCHEMA),
        Expressions.compile("max(lat, lon) - min(lat, lon) > 20.0 or abs(lat - lon) * 2 < 1", SCHEMA),
        Expressions.compile("(total - amount) / charges >= 100 and -amount + ts / 1000 < 0", SCHEMA),
        Expressions.compile("double(total) / (charges + 1) > amount / 3 and max(amount, total, card) != 0", SCHEMA),
    };
    private final EventPredicate divideByZero = Expressions.compile("amount / (charges - charges) > 1", SCHEMA);
    private long passed;
    private long failed;

    @Test
    void shouldAllocateNothingPerEvaluatedEvent()
    {
        run(0, 200_000);
        final long[] allocatedPerRound = new long[ROUNDS];
        long from = 200_000;
        int round = 0;
        do
        {
            final long before = THREADS.getCurrentThreadAllocatedBytes();
            run(from, 1_000_000);
            allocatedPerRound[round] = THREADS.getCurrentThreadAllocatedBytes() - before;
            from += 1_000_000;
        }
        while (allocatedPerRound[round] != 0 && ++round < ROUNDS);

        assertThat(passed).as("the rules pass some events").isPositive();
        assertThat(failed).as("every division by zero failed").isEqualTo(from / 64);
        assertThat(allocatedPerRound)
            .as("bytes allocated per round of 1,000,000 events (one round of zero needed)")
            .contains(0L);
    }

    @Test
    void shouldAllocateNothingPerEventThroughComputedFieldsHavingAndSuppression()
    {
        final String yaml = String.join("\n",
            "schemas:",
            "  card: {card: LONG, amount: LONG, charges: INT, lat: DOUBLE, lon: DOUBLE, total: LONG, ts: TIMESTAMP}",
            "pipelines:",
            "  - name: norm",
            "    source: cards",
            "    schema: card",
            "    partition_key: card",
            "    event_time: ts",
            "    map: [{dollars: amount / 100.0}, {far: abs(lat - lon) > 90}, {units: {expr: charges * 2, type: INT}}]",
            "    window: {kind: tumbling, size: 1s}",
            "    aggregates: [{n: count}, {sum_amount: sum(amount)}, {largest: max(amount)}, {top: max(dollars)}]",
            "    result_select: [key, window_end, n, {avg_amount: sum_amount / n}, {ratio: 'double(largest) / max(sum_amount - largest, 1)'}]",
            "    having: avg_amount > 100 and ratio * 2 > 0.01",
            "    suppress: on_change",
            "    sink: out",
            "");
        final long[] outputs = new long[1];
        final io.sluice.engine.exec.PipelineInstance instance = io.sluice.engine.exec.PipelineInstance.create(
            PipelineConfig.parse(yaml, "norm.yaml").build(d -> (partition, sequence, key, timestamp, e) -> outputs[0]++).get(0), 0,
            (pipeline, stage, policy, e, key, timestamp, error) ->
            {
                throw new AssertionError(error);
            });
        feed(instance, 0, 200_000);
        final long[] allocatedPerRound = new long[ROUNDS];
        long from = 200_000;
        int round = 0;
        do
        {
            final long before = THREADS.getCurrentThreadAllocatedBytes();
            feed(instance, from, 1_000_000);
            allocatedPerRound[round] = THREADS.getCurrentThreadAllocatedBytes() - before;
            from += 1_000_000;
        }
        while (allocatedPerRound[round] != 0 && ++round < ROUNDS);

        assertThat(outputs[0]).as("results pass").isPositive();
        assertThat(instance.suppressedOutputs()).as("unchanged results suppressed").isPositive();
        assertThat(allocatedPerRound)
            .as("bytes allocated per round of 1,000,000 events (one round of zero needed)")
            .contains(0L);
    }

    @Test
    void shouldAllocateNothingPerEventWithDecimalArithmeticAndDecimalComputedFields()
    {
        final Schema trade = Schema.builder("trade").longField("account").decimalField("price", 12, 4).longField("qty")
            .decimalField("amount", 18, 2).decimalField("fx", 10, 6).timestampField("ts").build();
        final EventFlyweight e = new EventFlyweight(trade).wrapForWrite(new UnsafeBuffer(new byte[trade.length()]), 0);
        final EventPredicate[] decimalRules = {
            Expressions.compile("round(amount * fx, 2) > price * qty and amount / qty >= 1.25", trade),
            Expressions.compile("abs(price - amount) + min(price, fx, qty) > max(amount, 0.5) - 100", trade),
            // 128-bit paths: a product beyond 64 bits rounded back, a quotient with a wide dividend.
            Expressions.compile("round(price * fx, 2) != 0 or round(amount / fx, 6) < -price", trade),
        };
        final EventPredicate decimalByZero = Expressions.compile("amount / (qty - qty) > 1", trade);
        final String yaml = String.join("\n",
            "schemas:",
            "  trade: {account: LONG, price: 'DECIMAL(12, 4)', qty: LONG, amount: 'DECIMAL(18, 2)', fx: 'DECIMAL(10, 6)', ts: TIMESTAMP}",
            "pipelines:",
            "  - name: usd",
            "    source: trades",
            "    schema: trade",
            "    partition_key: account",
            "    event_time: ts",
            "    map: [{usd: {expr: amount * fx, type: 'DECIMAL(18, 2)'}}, {notional: price * qty}]",
            "    window: {kind: tumbling, size: 1s}",
            "    aggregates: [{n: count}, {total: sum(usd)}, {gross: sum(notional)}]",
            "    result_map: [{avg_usd: {expr: total / n, type: 'DECIMAL(18, 2)'}}]",
            "    having: avg_usd > 0 and gross > 0",
            "    sink: out",
            "");
        final long[] outputs = new long[1];
        final io.sluice.engine.exec.PipelineInstance instance = io.sluice.engine.exec.PipelineInstance.create(
            PipelineConfig.parse(yaml, "usd.yaml").build(d -> (partition, sequence, key, timestamp, ev) -> outputs[0]++).get(0), 0,
            (pipeline, stage, policy, ev, key, timestamp, error) ->
            {
                throw new AssertionError(error);
            });
        final long[] counts = new long[2];
        final Runnable[] round = new Runnable[1];
        final long[] from = {0};
        round[0] = () ->
        {
            for (long i = from[0], end = from[0] + 1_000_000; i < end; i++)
            {
                final long account = i % 100;
                final long ts = i / 10;
                final boolean wide = (i & 1023) == 0; // values whose products and quotients need 128 bits
                final long amount = wide ? 999_999_999_999L : (i * 7919) % 10_000_000 - 1_000_000;
                e.putLong(0, account).putDecimal(1, wide ? 99_999_999_999L : 10_000 + (i * 31) % 5_000_000).putLong(2, 1 + i % 40)
                    .putDecimal(3, amount).putDecimal(4, wide ? 9_999_999_999L : 500_000 + (i * 13) % 1_000_000).putLong(5, ts);
                for (final EventPredicate rule : decimalRules)
                {
                    counts[0] += rule.test(e) ? 1 : 0;
                }
                if ((i & 63) == 0)
                {
                    try
                    {
                        decimalByZero.test(e);
                    }
                    catch (final ExpressionEvaluationException ex)
                    {
                        counts[1]++;
                    }
                }
                instance.onEvent(e.buffer(), 0, account, ts);
            }
            from[0] += 1_000_000;
        };
        round[0].run();
        final long[] allocatedPerRound = new long[ROUNDS];
        int r = 0;
        do
        {
            final long before = THREADS.getCurrentThreadAllocatedBytes();
            round[0].run();
            allocatedPerRound[r] = THREADS.getCurrentThreadAllocatedBytes() - before;
        }
        while (allocatedPerRound[r] != 0 && ++r < ROUNDS);

        assertThat(counts[0]).as("the rules pass some events").isPositive();
        assertThat(counts[1]).as("every decimal division by zero failed").isEqualTo((from[0] + 63) / 64);
        assertThat(outputs[0]).as("results pass").isPositive();
        assertThat(allocatedPerRound)
            .as("bytes allocated per round of 1,000,000 events (one round of zero needed)")
            .contains(0L);
    }

    /** 100 cards, 10 events per millisecond; a card's amounts change every 3 s, so 2 of 3 results repeat the last. */
    private void feed(final io.sluice.engine.exec.PipelineInstance instance, final long from, final int count)
    {
        for (long i = from, end = from + count; i < end; i++)
        {
            final long card = i % 100;
            final long ts = i / 10;
            event.putLong(0, card).putLong(1, 500 + card * 7 + (ts / 3_000) % 2).putInt(2, 1 + (int)(i % 40))
                .putDouble(3, (i % 180) - 90.0).putDouble(4, ((i * 31) % 360) - 180.0).putLong(5, 0).putLong(6, ts);
            instance.onEvent(event.buffer(), 0, card, ts);
        }
    }

    private void run(final long from, final int count)
    {
        for (long i = from, end = from + count; i < end; i++)
        {
            event.putLong(0, i % 1000).putLong(1, 500 + (i * 7919) % 100_000).putInt(2, 1 + (int)(i % 40))
                .putDouble(3, (i % 180) - 90.0).putDouble(4, ((i * 31) % 360) - 180.0).putLong(5, 10_000 + (i % 50_000))
                .putLong(6, 1_700_000_000_000L + i);
            for (final EventPredicate rule : rules)
            {
                if (rule.test(event))
                {
                    passed++;
                }
            }
            if ((i & 63) == 0)
            {
                try
                {
                    divideByZero.test(event);
                }
                catch (final ExpressionEvaluationException ex)
                {
                    failed++;
                }
            }
        }
    }
}
