package io.sluice.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.sluice.engine.pipeline.EventPredicate;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * Compiled expressions allocate nothing per event: arithmetic over LONG, INT and DOUBLE fields,
 * functions, comparisons of computed values, and the evaluation error of an integer division by zero
 * (thrown as the operator's pre-built exception). Measured with {@link
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
