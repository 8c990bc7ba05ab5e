package io.sluice.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.config.ConfigException;
import io.sluice.engine.config.PipelineConfig;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.EventPublisher;
import io.sluice.engine.runtime.WaitStrategyKind;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * Money computed exactly through YAML pipelines: {@code price * qty} and {@code amount * fx_rate} as
 * DECIMAL computed fields (undeclared, and declared DECIMAL(p, s) with HALF_EVEN rounding), summed
 * exactly by a window, averaged by a {@code result_map} and filtered by {@code having}; checked line
 * by line against {@link BigDecimal} over the same input, printed exactly by the file sink, identical
 * live and in a backtest; a value beyond the declared precision is a counted error of the stage.
 */
class DecimalComputedFieldsTest
{
    private static final int EVENTS = 10_000;
    private static final String YAML = String.join("\n",
        "schemas:",
        "  trade: {account: SYMBOL(8), price: 'DECIMAL(12, 4)', qty: LONG, amount: 'DECIMAL(18, 2)', fx_rate: 'DECIMAL(10, 6)', ts: TIMESTAMP}",
        "pipelines:",
        "  - name: usd",
        "    source: trades",
        "    schema: trade",
        "    partition_key: account",
        "    event_time: ts",
        "    map:",
        "      - notional: price * qty",
        "      - usd: {expr: amount * fx_rate, type: 'DECIMAL(18, 2)'}",
        "      - fee: {expr: 'max(price * qty * 0.0005, 1)', type: 'DECIMAL(12, 2)'}",
        "    window: {kind: tumbling, size: 1s}",
        "    aggregates: [{n: count}, {total_usd: sum(usd)}, {gross: sum(notional)}, {fees: sum(fee)}]",
        "    result_map:",
        "      - avg_usd: {expr: total_usd / n, type: 'DECIMAL(18, 2)'}",
        "      - net: gross - fees",
        "    having: total_usd > 1000.00 and net >= 0",
        "    sink: usd-out",
        "  - name: lines",
        "    source: trades",
        "    schema: trade",
        "    partition_key: account",
        "    event_time: ts",
        "    on_error: skip",
        "    select:",
        "      - account",
        "      - ts",
        "      - notional: price * qty",
        "      - small: {expr: 'round(price * qty, 2)', type: 'DECIMAL(8, 2)'}",
        "      - ratio: round(amount / price, 3)",
        "      - approx: price * 0.5e0",
        "    sink: lines-out",
        "");

    @TempDir
    Path dir;

    private Path yaml() throws Exception
    {
        final Path file = dir.resolve("money.yaml");
        Files.writeString(file, YAML, StandardCharsets.UTF_8);
        return file;
    }

    private Path input(final long seed) throws Exception
    {
        final Random random = new Random(seed);
        final StringBuilder csv = new StringBuilder("account,price,qty,amount,fx_rate,ts\n");
        for (int i = 0; i < EVENTS; i++)
        {
            final BigDecimal price = BigDecimal.valueOf(1 + random.nextInt(2_000_000), 4);
            final long qty = random.nextInt(20) == 0 ? 200_000 + random.nextInt(100_000) : 1 + random.nextInt(500);
            final BigDecimal amount = BigDecimal.valueOf(random.nextInt(1_000_000) - 100_000, 2);
            final BigDecimal fx = BigDecimal.valueOf(500_000 + random.nextInt(1_500_000), 6);
            csv.append("ACC").append(random.nextInt(20)).append(',').append(price.toPlainString()).append(',').append(qty).append(',')
                .append(amount.toPlainString()).append(',').append(fx.toPlainString()).append(',').append(i * 3L).append('\n');
        }
        final Path file = dir.resolve("trades.csv");
        Files.writeString(file, csv, StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void shouldComputeMoneyExactlyAsBigDecimalDoes() throws Exception
    {
        final Path input = input(21);
        final BacktestSummary summary = Backtest.run(yaml(), List.of(input), dir.resolve("out.csv"), new BacktestOptions().partitions(3));

        final TreeMap<String, BigDecimal[]> windows = new TreeMap<>();
        final List<String> expectedLines = new ArrayList<>();
        long tooBig = 0;
        for (final String line : Files.readAllLines(input).subList(1, EVENTS + 1))
        {
            final String[] f = line.split(",");
            final BigDecimal price = new BigDecimal(f[1]);
            final BigDecimal qty = new BigDecimal(f[2]);
            final BigDecimal amount = new BigDecimal(f[3]);
            final BigDecimal fx = new BigDecimal(f[4]);
            final long ts = Long.parseLong(f[5]);
            final BigDecimal notional = price.multiply(qty);
            final BigDecimal usd = amount.multiply(fx).setScale(2, RoundingMode.HALF_EVEN);
            final BigDecimal fee = notional.multiply(new BigDecimal("0.0005")).max(BigDecimal.ONE.setScale(8)).setScale(2, RoundingMode.HALF_EVEN);
            final BigDecimal[] w = windows.computeIfAbsent(f[0] + "," + (ts / 1000 * 1000), k -> new BigDecimal[] {
                BigDecimal.ZERO, BigDecimal.ZERO.setScale(2), BigDecimal.ZERO.setScale(4), BigDecimal.ZERO.setScale(2)});
            w[0] = w[0].add(BigDecimal.ONE);
            w[1] = w[1].add(usd);
            w[2] = w[2].add(notional);
            w[3] = w[3].add(fee);

            final BigDecimal small = notional.setScale(2, RoundingMode.HALF_EVEN);
            if (small.precision() - small.scale() > 6)
            {
                tooBig++; // beyond DECIMAL(8, 2): an error of the stage, the event skipped
                continue;
            }
            expectedLines.add(String.join(",", f[0], f[5], notional.toPlainString(), small.toPlainString(),
                amount.divide(price, 3, RoundingMode.HALF_EVEN).toPlainString(), String.valueOf(price.doubleValue() * 0.5)));
        }
        final TreeMap<String, String> expected = new TreeMap<>();
        windows.forEach((accountStart, w) ->
        {
            final BigDecimal net = w[2].subtract(w[3].setScale(4));
            if (w[1].compareTo(new BigDecimal("1000.00")) > 0 && net.signum() >= 0)
            {
                final long start = Long.parseLong(accountStart.split(",")[1]);
                expected.put(accountStart, String.join(",", accountStart, String.valueOf(start + 1000), w[0].toPlainString(),
                    w[1].toPlainString(), w[2].toPlainString(), w[3].toPlainString(),
                    w[1].divide(w[0], 2, RoundingMode.HALF_EVEN).toPlainString(), net.toPlainString()));
            }
        });
        final List<String> usd = Files.readAllLines(dir.resolve("out.usd.csv"));
        assertThat(usd.get(0)).isEqualTo("key,window_start,window_end,n,total_usd,gross,fees,avg_usd,net");
        final TreeMap<String, String> actual = new TreeMap<>();
        for (final String row : usd.subList(1, usd.size()))
        {
            final String[] f = row.split(",");
            actual.put(f[0] + "," + f[1], row);
        }
        assertThat(expected).hasSizeGreaterThan(100);
        assertThat(actual).isEqualTo(expected);

        final List<String> lines = Files.readAllLines(dir.resolve("out.lines.csv"));
        assertThat(lines.get(0)).isEqualTo("account,ts,notional,small,ratio,approx");
        final List<String> sortedActual = new ArrayList<>(lines.subList(1, lines.size()));
        sortedActual.sort(null);
        expectedLines.sort(null);
        assertThat(tooBig).isPositive();
        assertThat(sortedActual).isEqualTo(expectedLines);
        final BacktestSummary.PipelineCounts counts = summary.pipelines().stream().filter(p -> p.name().equals("lines")).findFirst().get();
        assertThat(counts.stageErrors()).isEqualTo(tooBig);
        assertThat(summary.errors()).anyMatch(e -> e.contains(
            "pipeline 'lines' select small: the value has more than the 8 digits of DECIMAL(8, 2)"));
    }

    @Test
    void shouldProduceTheSameDecimalOutputsLiveAndInABacktest() throws Exception
    {
        final Path input = input(22);
        final PipelineConfig config = PipelineConfig.load(yaml());
        final BacktestTest.CapturingSink backtested = new BacktestTest.CapturingSink(4);
        Backtest.replay(config.build(d -> backtested), List.of(input), new BacktestOptions().partitions(4));

        final BacktestTest.CapturingSink live = new BacktestTest.CapturingSink(4);
        final List<Pipeline> pipelines = config.build(d -> live);
        final Schema schema = config.schemas().get("trade");
        try (Engine engine = Engine.launch(new EngineContext().directory(dir.resolve("engine")).partitions(4).ringSize(1024)
            .journalSegmentLength(4 * 1024 * 1024).waitStrategy(WaitStrategyKind.SLEEP), pipelines))
        {
            final EventPublisher publisher = engine.publisher("trades");
            final EventFlyweight event = new EventFlyweight(schema).wrapForWrite(new UnsafeBuffer(new byte[schema.length()]), 0);
            try (EventFileSource source = EventFileSource.open(input, schema, MalformedInputPolicy.STOP))
            {
                while (source.next(event))
                {
                    publisher.publish(event.buffer(), 0);
                }
            }
            engine.endOfInput("trades");
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
        }
        long total = 0;
        for (int p = 0; p < 4; p++)
        {
            assertThat(live.lines(p)).as("partition " + p).isEqualTo(backtested.lines(p));
            total += backtested.lines(p).size();
        }
        assertThat(total).isGreaterThan(EVENTS / 2);
    }

    @Test
    void shouldRefuseMistypedDecimalFieldsNamingPipelineKeyAndColumn()
    {
        final String[][] cases = {
            {"      - usd: {expr: amount * fx_rate, type: 'DECIMAL(18, 2)'}", "      - usd: {expr: amount * fx_rate, type: LONG}",
                "pipelines[0].map[1].usd.type: 'usd' is a DECIMAL expression; declare it DECIMAL(p, s) or DOUBLE " +
                "(a decimal is never narrowed silently into an integer)"},
            {"      - usd: {expr: amount * fx_rate, type: 'DECIMAL(18, 2)'}", "      - usd: {expr: amount * 1e0, type: 'DECIMAL(18, 2)'}",
                "pipelines[0].map[1].usd.type: 'usd' is a DOUBLE expression, which has no exact decimal value"},
            {"      - usd: {expr: amount * fx_rate, type: 'DECIMAL(18, 2)'}", "      - usd: {expr: amount * fx_rate, type: 'DECIMAL(19, 2)'}",
                "pipelines[0].map[1].usd.type: 'DECIMAL(19, 2)' is no DECIMAL type: the precision is 1 to 18 digits, the scale 0 to the precision"},
            {"      - notional: price * qty", "      - notional: price * fx_rate * fx_rate * fx_rate",
                "pipelines[0].map[0].notional: pipeline 'usd' map notional: the product of DECIMAL scales 16 and 6 has scale 22, " +
                "more than 18; round it to the scale you need, e.g. round(... * ..., 16) at column 27"},
            {"      - notional: price * qty", "      - notional: price * account",
                "pipelines[0].map[0].notional: pipeline 'usd' map notional: SYMBOL field 'account' is not a number, so '*' cannot take it " +
                "at column 9 of 'price * account'"},
            {"      - ratio: round(amount / price, 3)", "      - ratio: round(amount * fx_rate * price, 20)",
                "pipelines[1].select[4].ratio: pipeline 'lines' select ratio: the scale of round() is a whole number from 0 to 18 at column 33"},
        };
        for (final String[] c : cases)
        {
            assertThat(YAML).contains(c[0]);
            assertThatThrownBy(() -> PipelineConfig.parse(YAML.replace(c[0], c[1]), "bad.yaml"))
                .as(c[1]).isInstanceOf(ConfigException.class).hasMessageContaining(c[2]);
        }
    }
}
