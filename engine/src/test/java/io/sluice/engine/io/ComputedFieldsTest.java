package io.sluice.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * Computed fields of YAML pipelines ({@code map}, {@code select} before a window, {@code result_map},
 * {@code result_select} after it) and {@code having} over them: values checked against a reference
 * computed here from the same input, printed by the file sinks, identical live and in a backtest, and
 * an integer division by zero handled by the pipeline's error policy.
 */
class ComputedFieldsTest
{
    private static final int EVENTS = 20_000;
    private static final String YAML = String.join("\n",
        "schemas:",
        "  card_txn: {card: LONG, amount: LONG, qty: INT, lat: DOUBLE, lon: DOUBLE, merchant: SYMBOL(6), ts: TIMESTAMP}",
        "pipelines:",
        "  - name: norm",
        "    source: cards",
        "    schema: card_txn",
        "    partition_key: card",
        "    event_time: ts",
        "    max_out_of_orderness: 10ms",
        "    map:",
        "      - dollars: {expr: amount / 100.0, type: DOUBLE}",
        "      - cents_per_unit: amount / max(qty, 1)",
        "    window: {kind: tumbling, size: 1s}",
        "    aggregates: [{charges: count}, {total: sum(amount)}, {largest: max(amount)}, {top_dollars: max(dollars)}]",
        "    result_select:",
        "      - key",
        "      - window_start",
        "      - window_end",
        "      - charges",
        "      - largest",
        "      - avg_amount: total / charges",
        "      - ratio: {expr: 'double(largest) * (charges - 1) / (total - largest)', type: DOUBLE}",
        "      - big: top_dollars >= 500.0",
        "    having: charges >= 2 and ratio > 3",
        "    sink: norm-out",
        "  - name: spread",
        "    source: cards",
        "    schema: card_txn",
        "    partition_key: card",
        "    event_time: ts",
        "    max_out_of_orderness: 10ms",
        "    filter: merchant != 'TEST'",
        "    select:",
        "      - card",
        "      - merchant",
        "      - ts",
        "      - spread: abs(lat - lon)",
        "      - units: {expr: qty * 10, type: INT}",
        "      - late: {expr: ts + 1000, type: TIMESTAMP}",
        "    sink: spread-out",
        "  - name: per-unit",
        "    source: cards",
        "    schema: card_txn",
        "    partition_key: card",
        "    event_time: ts",
        "    max_out_of_orderness: 10ms",
        "    on_error: skip",
        "    map: [{unit_price: amount / qty}]",
        "    sink: per-unit-out",
        "");

    @TempDir
    Path dir;

    private Path yaml() throws Exception
    {
        final Path file = dir.resolve("computed.yaml");
        Files.writeString(file, YAML, StandardCharsets.UTF_8);
        return file;
    }

    private Path input(final long seed) throws Exception
    {
        final Random random = new Random(seed);
        final StringBuilder csv = new StringBuilder("card,amount,qty,lat,lon,merchant,ts\n");
        final String[] merchants = {"ACME", "TEST", "SHOP"};
        for (int i = 0; i < EVENTS; i++)
        {
            final long amount = random.nextInt(20) == 0 ? 50_000 + random.nextInt(50_000) : 500 + random.nextInt(5_000);
            csv.append(random.nextInt(50)).append(',').append(amount).append(',').append(random.nextInt(10)).append(',')
                .append(random.nextInt(18_000) / 100.0 - 90).append(',').append(random.nextInt(36_000) / 100.0 - 180).append(',')
                .append(merchants[random.nextInt(3)]).append(',').append(i * 2L).append('\n');
        }
        final Path file = dir.resolve("cards.csv");
        Files.writeString(file, csv, StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void shouldComputeFieldsBeforeAndAfterTheWindowAndFilterOnThem() throws Exception
    {
        final Path input = input(11);
        final BacktestSummary summary = Backtest.run(yaml(), List.of(input), dir.resolve("out.csv"), new BacktestOptions().partitions(3));
        final List<String> norm = Files.readAllLines(dir.resolve("out.norm.csv"));
        assertThat(norm.get(0)).isEqualTo("key,window_start,window_end,charges,largest,avg_amount,ratio,big");

        // The reference: the same rule computed here over the input, per card and second.
        final TreeMap<String, String> expected = new TreeMap<>();
        final TreeMap<String, long[]> windows = new TreeMap<>();
        for (final String line : Files.readAllLines(input).subList(1, EVENTS + 1))
        {
            final String[] f = line.split(",");
            final long card = Long.parseLong(f[0]);
            final long amount = Long.parseLong(f[1]);
            final long start = Long.parseLong(f[6]) / 1000 * 1000;
            final long[] w = windows.computeIfAbsent(String.format(Locale.ROOT, "%d,%d", card, start), k -> new long[3]);
            w[0]++;
            w[1] += amount;
            w[2] = Math.max(w[2], amount);
        }
        windows.forEach((cardStart, w) ->
        {
            final double ratio = (double)w[2] * (w[0] - 1) / (w[1] - w[2]);
            if (w[0] >= 2 && ratio > 3)
            {
                final long start = Long.parseLong(cardStart.split(",")[1]);
                expected.put(cardStart, String.format(Locale.ROOT, "%s,%d,%d,%d,%d,%s,%s", cardStart, start + 1000, w[0], w[2],
                    w[1] / w[0], ratio, w[2] >= 50_000));
            }
        });
        final TreeMap<String, String> actual = new TreeMap<>();
        for (final String row : norm.subList(1, norm.size()))
        {
            final String[] f = row.split(",");
            actual.put(f[0] + "," + f[1], row);
        }
        assertThat(expected).hasSizeGreaterThan(20);
        assertThat(actual).isEqualTo(expected);

        final List<String> spread = Files.readAllLines(dir.resolve("out.spread.csv"));
        assertThat(spread.get(0)).isEqualTo("card,merchant,ts,spread,units,late");
        final List<String> inputLines = Files.readAllLines(input);
        int checked = 0;
        for (final String row : spread.subList(1, spread.size()))
        {
            final String[] f = row.split(",");
            final String[] in = inputLines.get(1 + (int)(Long.parseLong(f[2]) / 2)).split(",");
            assertThat(f[1]).isNotEqualTo("TEST").isEqualTo(in[5]);
            assertThat(Double.parseDouble(f[3])).isEqualTo(Math.abs(Double.parseDouble(in[3]) - Double.parseDouble(in[4])));
            assertThat(Integer.parseInt(f[4])).isEqualTo(Integer.parseInt(in[2]) * 10);
            assertThat(Long.parseLong(f[5])).isEqualTo(Long.parseLong(f[2]) + 1000);
            checked++;
        }
        assertThat(checked).isGreaterThan(EVENTS / 2);

        // qty is 0 in about a tenth of the events: each is an evaluation error, skipped and counted; the rest go on.
        long zeroQty = 0;
        for (final String line : inputLines.subList(1, EVENTS + 1))
        {
            zeroQty += line.split(",")[2].equals("0") ? 1 : 0;
        }
        final BacktestSummary.PipelineCounts perUnit = summary.pipelines().stream().filter(p -> p.name().equals("per-unit")).findFirst().get();
        assertThat(perUnit.stageErrors()).isEqualTo(zeroQty).isPositive();
        assertThat(perUnit.outputs()).isEqualTo(EVENTS - zeroQty);
        assertThat(perUnit.haltedPartitions()).isZero();
        assertThat(Files.readAllLines(dir.resolve("out.per-unit.csv")).get(0)).isEqualTo("card,amount,qty,lat,lon,merchant,ts,unit_price");
    }

    @Test
    void shouldHaltOnlyTheFailingPipelineOnAnEvaluationErrorUnderTheHaltPolicy() throws Exception
    {
        final Path yaml = dir.resolve("halt.yaml");
        Files.writeString(yaml, YAML.replace("    on_error: skip\n", "    on_error: halt\n"), StandardCharsets.UTF_8);
        final BacktestSummary summary = Backtest.run(yaml, List.of(input(13)), dir.resolve("halt.csv"), new BacktestOptions().partitions(3));
        final BacktestSummary.PipelineCounts perUnit = summary.pipelines().stream().filter(p -> p.name().equals("per-unit")).findFirst().get();
        assertThat(perUnit.haltedPartitions()).isEqualTo(3);
        assertThat(perUnit.stageErrors()).isEqualTo(3);
        final BacktestSummary.PipelineCounts spread = summary.pipelines().stream().filter(p -> p.name().equals("spread")).findFirst().get();
        assertThat(spread.haltedPartitions()).isZero();
        assertThat(spread.eventsIn()).isEqualTo(EVENTS);
    }

    @Test
    void shouldProduceTheSameComputedOutputsLiveAndInABacktest() throws Exception
    {
        final Path input = input(12);
        final PipelineConfig config = PipelineConfig.load(yaml());
        final BacktestTest.CapturingSink backtested = new BacktestTest.CapturingSink(4);
        Backtest.replay(config.build(d -> backtested), List.of(input), new BacktestOptions().partitions(4));

        final BacktestTest.CapturingSink live = new BacktestTest.CapturingSink(4);
        final List<Pipeline> pipelines = config.build(d -> live);
        final Schema schema = config.schemas().get("card_txn");
        try (Engine engine = Engine.launch(new EngineContext().directory(dir.resolve("engine")).partitions(4).ringSize(1024)
            .journalSegmentLength(4 * 1024 * 1024).waitStrategy(WaitStrategyKind.SLEEP), pipelines))
        {
            final EventPublisher publisher = engine.publisher("cards");
            final EventFlyweight event = new EventFlyweight(schema).wrapForWrite(new UnsafeBuffer(new byte[schema.length()]), 0);
            try (EventFileSource source = EventFileSource.open(input, schema, MalformedInputPolicy.STOP))
            {
                while (source.next(event))
                {
                    publisher.publish(event.buffer(), 0);
                }
            }
            engine.endOfInput("cards");
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
        }
        long total = 0;
        for (int p = 0; p < 4; p++)
        {
            assertThat(live.lines(p)).as("partition " + p).isEqualTo(backtested.lines(p));
            total += backtested.lines(p).size();
        }
        assertThat(total).isGreaterThan(EVENTS);
    }

    @Test
    void shouldRefuseMistypedOrMisplacedComputedFieldsNamingThePipeline()
    {
        final List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {"      - cents_per_unit: amount / max(qty, 1)", "      - cents_per_unit: merchant * 2",
            "pipelines[0].map[1].cents_per_unit: pipeline 'norm' map cents_per_unit: SYMBOL field 'merchant' is not a number, so '*' cannot take it at column 1"});
        cases.add(new String[] {"      - cents_per_unit: amount / max(qty, 1)", "      - amount: amount * 2",
            "pipelines[0].map[1]: field 'amount' is already a field of card_txn; choose another name, or use select to replace it"});
        cases.add(new String[] {"      - cents_per_unit: amount / max(qty, 1)", "      - cents_per_unit: {expr: lat * 2, type: LONG}",
            "pipelines[0].map[1].cents_per_unit.type: 'cents_per_unit' is a DOUBLE expression; declare it DOUBLE"});
        cases.add(new String[] {"      - avg_amount: total / charges", "      - avg_amount: total / chargez",
            "pipelines[0].result_select[5].avg_amount: pipeline 'norm' result_select avg_amount: unknown field 'chargez'"});
        cases.add(new String[] {"    having: charges >= 2 and ratio > 3", "    having: charges >= 2 and total > 3",
            "pipelines[0].having: pipeline 'norm' having: unknown field 'total' (fields of card_txn_map_tumbling_result_select: key, window_start"});
        cases.add(new String[] {"    select:\n      - card", "    result_select:\n      - card",
            "pipelines[1].result_select: 'result_select' needs a 'window' (without one, use 'select')"});
        cases.add(new String[] {"    map: [{unit_price: amount / qty}]", "    map: [{unit_price: amount / qty}]\n    select: [card]",
            "pipelines[2].select: choose 'map' (keep every field, add computed ones) or 'select' (exactly the listed fields), not both"});
        cases.add(new String[] {"    map: [{unit_price: amount / qty}]", "    map: [card]",
            "pipelines[2].map[0]: map keeps every field already; list only new fields as 'name: expression'"});
        for (final String[] c : cases)
        {
            assertThat(YAML).contains(c[0]);
            assertThatThrownBy(() -> PipelineConfig.parse(YAML.replace(c[0], c[1]), "bad.yaml"))
                .as(c[1]).isInstanceOf(ConfigException.class).hasMessageContaining(c[2]);
        }
    }
}
