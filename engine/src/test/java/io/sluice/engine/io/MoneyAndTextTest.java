package io.sluice.engine.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DECIMAL and TEXT fields end to end through a YAML pipeline and the backtest: parsed from CSV and
 * JSONL text exactly, compared in a filter, summed/min/max/first/last exactly, averaged as a double,
 * an overflowing sum counted and shown as OVERFLOW, too long text a counted malformed line naming the
 * field and the line, and the outputs printed exactly.
 */
class MoneyAndTextTest
{
    private static final String PIPELINES = """
        schemas:
          payment:
            account: SYMBOL(8)
            amount: DECIMAL(18, 2)
            memo: TEXT(12)
            ts: TIMESTAMP
        pipelines:
          - name: totals
            source: payments
            schema: payment
            partition_key: account
            event_time: ts
            filter: amount >= 0.1
            window:
              kind: tumbling
              size: 10s
            aggregates:
              - n: count
              - total: sum(amount)
              - low: min(amount)
              - high: max(amount)
              - mean: avg(amount)
              - last_amount: last(amount)
            sink: out
          - name: all
            source: payments
            schema: payment
            partition_key: account
            event_time: ts
            sink: all
        """;

    private static final String CSV = """
        account,amount,memo,ts
        A,330.54,"rent, june",1000
        A,0.1,café,2000
        A,0.2,x,3000
        A,0.05,too small,4000
        B,9999999999999999.99,big,1000
        B,0.10,over,2000
        B,0.25,next,12000
        C,1.999,rounded,1000
        C,1.00,this memo is too long,1000
        """;

    @TempDir
    Path dir;

    @Test
    void shouldAggregateDecimalsExactlyAndPrintThemAsWritten() throws Exception
    {
        final Path yaml = dir.resolve("pipelines.yaml");
        Files.writeString(yaml, PIPELINES);
        final Path input = dir.resolve("payments.csv");
        Files.writeString(input, CSV);

        final BacktestSummary summary = Backtest.run(yaml, List.of(input), dir.resolve("out.csv"),
            new BacktestOptions().pipelines(List.of("totals")).malformedInput(MalformedInputPolicy.SKIP));

        assertThat(summary.malformed()).isEqualTo(2);
        assertThat(summary.errors()).contains(
            "payments.csv line 9, field 'amount': '1.999' has more than the 2 decimal places of DECIMAL(18, 2) (it would be rounded)",
            "payments.csv line 10, field 'memo': text of 21 bytes is longer than the 12 of TEXT(12) ('this memo is too long')");
        // The second B payment overflows 18 digits: the result counts as the window stage's error and shows OVERFLOW.
        assertThat(summary.pipelines().get(0).stageErrors()).isEqualTo(1);
        assertThat(summary.errors()).anyMatch(e -> e.contains("decimal overflow: aggregate 'total' has more than 18 digits; the result shows OVERFLOW"));
        assertThat(Files.readAllLines(dir.resolve("out.csv"), StandardCharsets.UTF_8)).containsExactly(
            "key,window_start,window_end,n,total,low,high,mean,last_amount",
            "B,0,10000,2,OVERFLOW,0.10,9999999999999999.99,NaN,0.10",
            "B,10000,20000,1,0.25,0.25,0.25,0.25,0.25",
            "A,0,10000,3,330.84,0.10,330.54,110.28,0.20");
    }

    @Test
    void shouldCarryDecimalsAndTextFromJsonlToJsonlExactly() throws Exception
    {
        final Path yaml = dir.resolve("pipelines.yaml");
        Files.writeString(yaml, PIPELINES);
        final Path input = dir.resolve("payments.jsonl");
        Files.writeString(input, String.join("\n",
            "{\"account\":\"A\",\"amount\":330.54,\"memo\":\"say \\\"hi\\\"\",\"ts\":1000}",
            "{\"account\":\"A\",\"amount\":\"0.1\",\"memo\":\"café\",\"ts\":2000}",
            "{\"account\":\"A\",\"amount\":1e2,\"memo\":\"exp\",\"ts\":3000}", ""), StandardCharsets.UTF_8);

        final BacktestSummary summary = Backtest.run(yaml, List.of(input), dir.resolve("all.jsonl"),
            new BacktestOptions().pipelines(List.of("all")).malformedInput(MalformedInputPolicy.SKIP));

        assertThat(summary.errors()).containsExactly(
            "payments.jsonl line 3, field 'amount': '1e2' is not a decimal number (digits with an optional '.', no exponent)");
        assertThat(Files.readAllLines(dir.resolve("all.jsonl"), StandardCharsets.UTF_8)).containsExactly(
            "{\"account\":\"A\",\"amount\":330.54,\"memo\":\"say \\\"hi\\\"\",\"ts\":1000}",
            "{\"account\":\"A\",\"amount\":0.10,\"memo\":\"café\",\"ts\":2000}");
    }
}
