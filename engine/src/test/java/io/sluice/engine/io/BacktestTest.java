package io.sluice.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.config.ConfigException;
import io.sluice.engine.config.PipelineConfig;
import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.EventPublisher;
import io.sluice.engine.runtime.WaitStrategyKind;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

class BacktestTest
{
    private static final int EVENTS = 20_000;
    private static final String YAML = String.join("\n",
        "schemas:",
        "  trade:",
        "    account: LONG",
        "    venue: SYMBOL(6)",
        "    amount: DOUBLE",
        "    qty: INT",
        "    ts: TIMESTAMP",
        "pipelines:",
        "  - name: volume",
        "    source: trades",
        "    schema: trade",
        "    partition_key: account",
        "    event_time: ts",
        "    max_out_of_orderness: 50ms",
        "    filter: amount > 5 and venue != 'DARK'",
        "    window: {kind: sliding, size: 2s, hop: 500ms, allowed_lateness: 100ms}",
        "    aggregates:",
        "      - n: count",
        "      - notional: sum(amount)",
        "      - hi: max(qty)",
        "      - mean: avg(amount)",
        "      - open: first(amount)",
        "    having: n >= 2",
        "    sink: volume-out",
        "  - name: sessions",
        "    source: trades",
        "    schema: trade",
        "    partition_key: account",
        "    event_time: ts",
        "    max_out_of_orderness: 50ms",
        "    window: {kind: session, gap: 300ms}",
        "    aggregates: [{n: count}, {last_qty: last(qty)}]",
        "    sink: sessions-out",
        "  - name: big",
        "    source: trades",
        "    schema: trade",
        "    partition_key: account",
        "    event_time: ts",
        "    max_out_of_orderness: 50ms",
        "    filter: amount >= 990",
        "    sink: big-out",
        "");

    @TempDir
    Path dir;

    private Path pipelines() throws Exception
    {
        final Path file = dir.resolve("pipelines.yaml");
        Files.writeString(file, YAML, StandardCharsets.UTF_8);
        return file;
    }

    private Path input(final String name, final long seed, final int events) throws Exception
    {
        final Random random = new Random(seed);
        final StringBuilder csv = new StringBuilder("ts,account,venue,amount,qty\n");
        final String[] venues = {"XLON", "XNYS", "DARK", "XPAR"};
        for (int i = 0; i < events; i++)
        {
            final long ts = i * 3L + random.nextInt(60) - (random.nextInt(100) == 0 ? 400 : 0);
            csv.append(ts).append(',').append(random.nextInt(300)).append(',').append(venues[random.nextInt(4)]).append(',')
                .append(random.nextInt(100_000) / 100.0).append(',').append(1 + random.nextInt(50)).append('\n');
        }
        final Path file = dir.resolve(name);
        Files.writeString(file, csv, StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void shouldWriteByteIdenticalOutputsAcrossRuns() throws Exception
    {
        final Path yaml = pipelines();
        final List<Path> inputs = List.of(input("a.csv", 1, EVENTS), input("b.csv", 2, 2_000));
        for (final String extension : new String[] {"csv", "jsonl"})
        {
            final BacktestSummary first = Backtest.run(yaml, inputs, dir.resolve("one." + extension), new BacktestOptions());
            final BacktestSummary second = Backtest.run(yaml, inputs, dir.resolve("two." + extension), new BacktestOptions());
            assertThat(first.outputs()).hasSize(3);
            assertThat(first.events()).isEqualTo(EVENTS + 2_000);
            assertThat(first.malformed()).isZero();
            assertThat(first.pipelines()).isEqualTo(second.pipelines());
            for (int i = 0; i < 3; i++)
            {
                assertThat(Files.size(first.outputs().get(i))).isPositive();
                assertThat(Files.mismatch(first.outputs().get(i), second.outputs().get(i))).as(first.outputs().get(i).toString()).isEqualTo(-1L);
            }
            assertThat(first.outputs().get(0).getFileName().toString()).isEqualTo("one.volume." + extension);
        }
        final List<String> volume = Files.readAllLines(dir.resolve("one.volume.csv"));
        assertThat(volume.get(0)).isEqualTo("key,window_start,window_end,emit,n,notional,hi,mean,open");
        assertThat(Files.readAllLines(dir.resolve("one.sessions.csv")).get(0)).isEqualTo("key,window_start,window_end,n,last_qty");
        assertThat(Files.readAllLines(dir.resolve("one.big.csv")).get(0)).isEqualTo("account,venue,amount,qty,ts");
        // Late events in the second file (it starts again at time 0) are counted, not lost silently.
        assertThat(Backtest.run(yaml, inputs, dir.resolve("x.csv"), new BacktestOptions()).pipelines().get(0).lateEvents()).isPositive();
    }

    @Test
    void shouldProduceWhatTheLiveEngineProducesForTheSameEvents() throws Exception
    {
        final Path input = input("a.csv", 3, EVENTS);
        final PipelineConfig config = PipelineConfig.load(pipelines());

        final CapturingSink backtested = new CapturingSink(4);
        final BacktestSummary summary = Backtest.replay(config.build(d -> backtested), List.of(input), new BacktestOptions().partitions(4));
        assertThat(summary.events()).isEqualTo(EVENTS);

        final CapturingSink live = new CapturingSink(4);
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
        assertThat(total).isEqualTo(summary.outputCount()).isGreaterThan(1_000);
    }

    @Test
    void shouldSkipAndCountMalformedLinesOrStopOnTheFirst() throws Exception
    {
        final Path yaml = pipelines();
        final Path input = dir.resolve("bad.jsonl");
        Files.writeString(input, String.join("\n",
            "{\"account\":1,\"venue\":\"XLON\",\"amount\":995.5,\"qty\":1,\"ts\":10}",
            "{\"account\":1,\"venue\":\"XLON\",\"amount\":\"lots\",\"qty\":1,\"ts\":11}",
            "{\"account\":2,\"venue\":\"XLON\",\"amount\":999,\"qty\":1,\"ts\":12}", ""), StandardCharsets.UTF_8);
        final BacktestSummary summary = Backtest.run(yaml, List.of(input), dir.resolve("out.jsonl"),
            new BacktestOptions().pipelines(List.of("big")).malformedInput(MalformedInputPolicy.SKIP));
        assertThat(summary.malformed()).isEqualTo(1);
        assertThat(summary.events()).isEqualTo(2);
        assertThat(summary.errors()).containsExactly("bad.jsonl line 2, field 'amount': expected a number, found the string \"lots\"");
        assertThat(summary.outputs()).containsExactly(dir.resolve("out.jsonl"));
        assertThat(Files.readAllLines(dir.resolve("out.jsonl"))).containsExactlyInAnyOrder(
            "{\"account\":1,\"venue\":\"XLON\",\"amount\":995.5,\"qty\":1,\"ts\":10}",
            "{\"account\":2,\"venue\":\"XLON\",\"amount\":999.0,\"qty\":1,\"ts\":12}");

        assertThatThrownBy(() -> Backtest.run(yaml, List.of(input), dir.resolve("out2.jsonl"), new BacktestOptions()))
            .isInstanceOf(MalformedInputException.class).hasMessageContaining("line 2, field 'amount'");
    }

    @Test
    void shouldRenderSymbolKeysAndReportConfigErrorsBeforeReadingInput() throws Exception
    {
        final Path yaml = dir.resolve("venues.yaml");
        Files.writeString(yaml, YAML.replace("partition_key: account", "partition_key: venue"), StandardCharsets.UTF_8);
        final Path input = input("a.csv", 5, 2_000);
        Backtest.run(yaml, List.of(input), dir.resolve("venues.csv"), new BacktestOptions().pipelines(List.of("sessions")));
        final List<String> lines = Files.readAllLines(dir.resolve("venues.csv"));
        assertThat(lines.subList(1, lines.size())).allMatch(l -> l.matches("(XLON|XNYS|DARK|XPAR),-?\\d+,-?\\d+,\\d+,\\d+"));

        final Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, YAML.replace("size: 2s", "size: 2x"), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Backtest.run(bad, List.of(dir.resolve("missing.csv")), dir.resolve("o.csv"), new BacktestOptions()))
            .isInstanceOf(ConfigException.class).hasMessageStartingWith("pipelines[0].window.size: '2x' is not a duration");
        final Path processing = dir.resolve("processing.yaml");
        Files.writeString(processing, String.join("\n", "schemas: {trade: {account: LONG, venue: SYMBOL(6), amount: DOUBLE, qty: INT, ts: TIMESTAMP}}",
            "pipelines: [{name: big, source: trades, schema: trade, partition_key: account, processing_time: true, sink: out}]"),
            StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Backtest.run(processing, List.of(input), dir.resolve("p.csv"), new BacktestOptions().pipelines(List.of("big"))))
            .isInstanceOf(BacktestException.class).hasMessageContaining("processing time");
    }

    /**
     * Renders outputs per partition in arrival order, with their sequence numbers.
     */
    static final class CapturingSink implements EventSink
    {
        private final List<List<String>> lines = new ArrayList<>();

        CapturingSink(final int partitions)
        {
            for (int p = 0; p < partitions; p++)
            {
                lines.add(new ArrayList<>());
            }
        }

        @Override
        public synchronized void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
        {
            final StringBuilder sb = new StringBuilder(event.schema().name()).append(' ').append(sequence).append(' ')
                .append(key).append(' ').append(timestamp);
            for (int i = 0; i < event.schema().fieldCount(); i++)
            {
                sb.append(' ');
                switch (event.schema().field(i).type())
                {
                    case DOUBLE -> sb.append(Double.doubleToRawLongBits(event.getDouble(i)));
                    case SYMBOL -> event.getSymbol(i, sb);
                    default -> sb.append(event.longValue(i));
                }
            }
            lines.get(partition).add(sb.toString());
        }

        synchronized List<String> lines(final int partition)
        {
            return new ArrayList<>(lines.get(partition));
        }
    }
}
