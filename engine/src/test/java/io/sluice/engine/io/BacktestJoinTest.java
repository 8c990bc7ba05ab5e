package io.sluice.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.config.PipelineConfig;
import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.EventPublisher;
import io.sluice.engine.runtime.WaitStrategyKind;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * Backtests of join pipelines over one file per topic: the merge by event time, byte-identical
 * outputs, and the same outputs (with the same sequence numbers) as a live engine fed the same
 * events in the same merged order.
 */
class BacktestJoinTest
{
    private static final int PARTITIONS = 4;
    private static final String YAML = String.join("\n",
        "schemas:",
        "  order: {order_id: LONG, amount: DOUBLE, ts: TIMESTAMP}",
        "  payment: {order_id: LONG, paid: DOUBLE, ts: TIMESTAMP}",
        "  trade: {account: SYMBOL(8), qty: INT, price: DOUBLE, ts: TIMESTAMP}",
        "  account: {account_id: SYMBOL(8), limit: LONG, deleted: BOOLEAN, ts: TIMESTAMP}",
        "pipelines:",
        "  - name: paid",
        "    join:",
        "      kind: interval",
        "      type: outer",
        "      left: {source: orders, schema: order, partition_key: order_id, event_time: ts, max_out_of_orderness: 100ms}",
        "      right: {source: payments, schema: payment, partition_key: order_id, event_time: ts, max_out_of_orderness: 100ms}",
        "      lower: -200ms",
        "      upper: 2s",
        "      allowed_lateness: 50ms",
        "    sink: paid",
        "  - name: unpaid-per-second",
        "    join:",
        "      kind: interval",
        "      type: left",
        "      left: {source: orders, schema: order, partition_key: order_id, event_time: ts, max_out_of_orderness: 100ms}",
        "      right: {source: payments, schema: payment, partition_key: order_id, event_time: ts, max_out_of_orderness: 100ms}",
        "      lower: -200ms",
        "      upper: 2s",
        "      prefixes: {left: o, right: p}",
        "    filter: join_flags = 2",
        "    window: {kind: tumbling, size: 1s}",
        "    aggregates: [{n: count}, {total: sum(o_amount)}]",
        "    sink: unpaid",
        "  - name: over-limit",
        "    join:",
        "      kind: lookup",
        "      type: left",
        "      left: {source: trades, schema: trade, partition_key: account, event_time: ts, max_out_of_orderness: 20ms}",
        "      right: {source: accounts, schema: account, partition_key: account_id, event_time: ts, table: true, delete_flag: deleted}",
        "    filter: join_flags = 2 or trades_qty > accounts_limit",
        "    sink: over-limit",
        "  - name: as-of",
        "    join:",
        "      kind: lookup",
        "      type: inner",
        "      versions: 8",
        "      left: {source: trades, schema: trade, partition_key: account, event_time: ts, max_out_of_orderness: 20ms}",
        "      right: {source: accounts, schema: account, partition_key: account_id, event_time: ts, table: true, delete_flag: deleted}",
        "    sink: as-of",
        "");

    @TempDir
    Path dir;

    private Path write(final String name, final CharSequence text) throws Exception
    {
        final Path file = dir.resolve(name);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    /** Orders at ~10 ms apart (disordered within 100 ms); most paid once or twice within [-300, 2500] ms, some never. */
    private Map<String, Path> inputs(final long seed, final int orders) throws Exception
    {
        final Random random = new Random(seed);
        final StringBuilder orderCsv = new StringBuilder("order_id,amount,ts\n");
        final List<long[]> payments = new ArrayList<>();
        for (int i = 0; i < orders; i++)
        {
            final long ts = i * 10L + random.nextInt(90);
            orderCsv.append(i).append(',').append(random.nextInt(100_000) / 100.0).append(',').append(ts).append('\n');
            final int paid = random.nextInt(10) == 0 ? 0 : random.nextInt(8) == 0 ? 2 : 1;
            for (int p = 0; p < paid; p++)
            {
                payments.add(new long[] {i, ts - 300 + random.nextInt(2_800)});
            }
        }
        // Payments arrive roughly in time order, disordered within the bound.
        payments.sort((a, b) -> Long.compare(a[1], b[1]));
        final StringBuilder paymentCsv = new StringBuilder("ts,order_id,paid\n");
        for (int i = 0; i < payments.size(); i++)
        {
            final int swap = Math.min(payments.size() - 1, i + random.nextInt(3));
            final long[] p = payments.get(swap);
            payments.set(swap, payments.get(i));
            payments.set(i, p);
            paymentCsv.append(payments.get(i)[1]).append(',').append(payments.get(i)[0]).append(',').append(random.nextInt(1000)).append('\n');
        }

        final StringBuilder accountCsv = new StringBuilder("account_id,limit,deleted,ts\n");
        final StringBuilder tradeCsv = new StringBuilder("account,qty,price,ts\n");
        for (int t = 0; t < orders; t++)
        {
            final long ts = t * 10L;
            if (random.nextInt(4) == 0)
            {
                accountCsv.append("AC").append(random.nextInt(60)).append(',').append(random.nextInt(100)).append(',')
                    .append(random.nextInt(12) == 0).append(',').append(ts + random.nextInt(10)).append('\n');
            }
            tradeCsv.append("AC").append(random.nextInt(60)).append(',').append(1 + random.nextInt(120)).append(',')
                .append(random.nextInt(10_000) / 100.0).append(',').append(ts + random.nextInt(15)).append('\n');
        }
        final Map<String, Path> inputs = new LinkedHashMap<>();
        inputs.put("orders", write("orders.csv", orderCsv));
        inputs.put("payments", write("payments.csv", paymentCsv));
        inputs.put("trades", write("trades.csv", tradeCsv));
        inputs.put("accounts", write("accounts.csv", accountCsv));
        return inputs;
    }

    @Test
    void shouldWriteByteIdenticalJoinOutputsAcrossRuns() throws Exception
    {
        final Path yaml = write("joins.yaml", YAML);
        final Map<String, Path> inputs = inputs(11, 4_000);
        final BacktestSummary first = Backtest.run(yaml, inputs, dir.resolve("one.csv"), new BacktestOptions());
        final BacktestSummary second = Backtest.run(yaml, inputs, dir.resolve("two.csv"), new BacktestOptions());
        assertThat(first.outputs()).hasSize(4);
        assertThat(first.inputs()).extracting(BacktestSummary.Input::file).containsExactlyElementsOf(inputs.values());
        assertThat(first.pipelines()).isEqualTo(second.pipelines());
        for (int i = 0; i < 4; i++)
        {
            assertThat(first.pipelines().get(i).outputs()).as(first.pipelines().get(i).name()).isPositive();
            assertThat(Files.mismatch(first.outputs().get(i), second.outputs().get(i))).as(first.outputs().get(i).toString()).isEqualTo(-1L);
        }
        assertThat(Files.readAllLines(dir.resolve("one.paid.csv")).get(0))
            .isEqualTo("key,join_flags,orders_order_id,orders_amount,orders_ts,payments_order_id,payments_paid,payments_ts");
        assertThat(Files.readAllLines(dir.resolve("one.unpaid-per-second.csv")).get(0)).isEqualTo("key,window_start,window_end,n,total");
        // A symbol key is written as the symbol, not its hash.
        final List<String> overLimit = Files.readAllLines(dir.resolve("one.over-limit.csv"));
        assertThat(overLimit.get(0)).startsWith("key,join_flags,trades_account,");
        assertThat(overLimit.subList(1, overLimit.size())).allMatch(line -> line.matches("AC\\d+,[02],AC\\d+,.*"));
        // Every order is emitted: matched with its payments, or else exactly once null-padded.
        final java.util.Set<String> matched = new java.util.HashSet<>();
        final List<String> unpaid = new ArrayList<>();
        for (final String line : Files.readAllLines(dir.resolve("one.paid.csv")).subList(1, (int)first.pipelines().get(0).outputs() + 1))
        {
            final String[] f = line.split(",");
            (f[1].equals("0") ? matched : f[1].equals("2") ? unpaid : new ArrayList<String>()).add(f[2]);
        }
        assertThat(unpaid).isNotEmpty().doesNotHaveDuplicates().doesNotContainAnyElementsOf(matched);
        assertThat(matched.size() + unpaid.size()).isEqualTo(4_000);
    }

    @Test
    void shouldProduceWhatTheLiveEngineProducesForTheSameEventsInTheMergedOrder() throws Exception
    {
        final Map<String, Path> inputs = inputs(23, 5_000);
        final PipelineConfig config = PipelineConfig.parse(YAML, "joins.yaml");
        final List<String> names = new ArrayList<>();
        config.pipelines().forEach(d -> names.add(d.name()));

        final Map<String, BacktestTest.CapturingSink> backtested = sinks(names);
        final BacktestSummary summary = Backtest.replay(config.build(d -> backtested.get(d.name())), inputs,
            new BacktestOptions().partitions(PARTITIONS));

        final Map<String, BacktestTest.CapturingSink> live = sinks(names);
        final List<Pipeline> pipelines = config.build(d -> live.get(d.name()));
        try (Engine engine = Engine.launch(new EngineContext().directory(dir.resolve("engine")).partitions(PARTITIONS).ringSize(1024)
            .journalSegmentLength(4 * 1024 * 1024).waitStrategy(WaitStrategyKind.SLEEP), pipelines))
        {
            publishMerged(engine, config, inputs);
            engine.endOfInput("orders");
            engine.endOfInput("trades");
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
        }
        for (int i = 0; i < names.size(); i++)
        {
            long total = 0;
            for (int p = 0; p < PARTITIONS; p++)
            {
                // Same rows, same order, same sequence numbers, per pipeline and partition.
                assertThat(live.get(names.get(i)).lines(p)).as(names.get(i) + " partition " + p)
                    .isEqualTo(backtested.get(names.get(i)).lines(p));
                total += backtested.get(names.get(i)).lines(p).size();
            }
            assertThat(total).as(names.get(i)).isEqualTo(summary.pipelines().get(i).outputs()).isPositive();
        }
    }

    @Test
    void shouldMergeInputsByEventTimeKeepingEachFilesOrderAndBreakingTiesByInputOrder() throws Exception
    {
        final Schema tagged = Schema.builder("tagged").longField("k").symbolField("tag", 4).timestampField("ts").build();
        final List<String> seen = new ArrayList<>();
        final EventSink sink = (partition, sequence, key, timestamp, event) -> seen.add(event.getSymbol(1, new StringBuilder()).toString());
        final List<Pipeline> pipelines = List.of(
            Pipeline.from("a", tagged).name("a").partitionKey("k").eventTime("ts", 100).sink("all", sink).build(),
            Pipeline.from("b", tagged).name("b").partitionKey("k").eventTime("ts", 100).sink("all", sink).build());
        final Map<String, Path> inputs = new LinkedHashMap<>();
        // a3 is out of order within its file: it stays after a2, the merge never reorders one file.
        inputs.put("b", write("b.csv", "k,tag,ts\n1,b1,10\n1,b2,20\n1,b3,20\n1,b4,40\n"));
        inputs.put("a", write("a.csv", "k,tag,ts\n1,a1,5\n1,a2,30\n1,a3,20\n1,a4,40\n"));
        Backtest.replay(pipelines, inputs, new BacktestOptions().partitions(1));
        assertThat(seen).containsExactly("a1", "b1", "b2", "b3", "a2", "a3", "b4", "a4");
    }

    @Test
    void shouldRefuseMissingAndUnreadInputsAndTopicLessInputsForSeveralTopics() throws Exception
    {
        final Path yaml = write("joins.yaml", YAML);
        final Map<String, Path> inputs = inputs(5, 10);
        final Map<String, Path> missing = new LinkedHashMap<>(inputs);
        missing.remove("payments");
        assertThatThrownBy(() -> Backtest.run(yaml, missing, dir.resolve("o.csv"), new BacktestOptions()))
            .isInstanceOf(BacktestException.class).hasMessageContaining("topic 'payments' has no input");
        final Map<String, Path> extra = new LinkedHashMap<>(inputs);
        extra.put("fills", inputs.get("orders"));
        assertThatThrownBy(() -> Backtest.run(yaml, extra, dir.resolve("o.csv"), new BacktestOptions()))
            .isInstanceOf(BacktestException.class).hasMessageContaining("input for topic 'fills', which no selected pipeline reads");
        assertThatThrownBy(() -> Backtest.run(yaml, List.of(inputs.get("orders")), dir.resolve("o.csv"), new BacktestOptions()))
            .isInstanceOf(BacktestException.class).hasMessageContaining("give one input per topic");
        // Selecting the trades pipelines needs only their two topics.
        final Map<String, Path> trades = new LinkedHashMap<>();
        trades.put("trades", inputs.get("trades"));
        trades.put("accounts", inputs.get("accounts"));
        assertThat(Backtest.run(yaml, trades, dir.resolve("t.csv"), new BacktestOptions().pipelines(List.of("over-limit", "as-of")))
            .outputs()).hasSize(2);
    }

    private static Map<String, BacktestTest.CapturingSink> sinks(final List<String> names)
    {
        final Map<String, BacktestTest.CapturingSink> sinks = new LinkedHashMap<>();
        names.forEach(name -> sinks.put(name, new BacktestTest.CapturingSink(PARTITIONS)));
        return sinks;
    }

    /** Publishes every event to its topic in the backtest's merged order, computed here independently. */
    private static void publishMerged(final Engine engine, final PipelineConfig config, final Map<String, Path> inputs) throws Exception
    {
        final List<String> topics = new ArrayList<>(inputs.keySet());
        final List<List<byte[]>> events = new ArrayList<>();
        final List<List<Long>> times = new ArrayList<>();
        for (final String topic : topics)
        {
            final Schema schema = config.pipelines().stream().flatMap(d -> d.sources().stream())
                .filter(s -> s.topic().equals(topic)).findFirst().orElseThrow().schema();
            final int time = schema.field("ts").index();
            final List<byte[]> topicEvents = new ArrayList<>();
            final List<Long> topicTimes = new ArrayList<>();
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[schema.length()]);
            final EventFlyweight event = new EventFlyweight(schema).wrapForWrite(buffer, 0);
            try (EventFileSource source = EventFileSource.open(inputs.get(topic), schema, MalformedInputPolicy.STOP))
            {
                while (source.next(event))
                {
                    final byte[] copy = new byte[schema.length()];
                    buffer.getBytes(0, copy);
                    topicEvents.add(copy);
                    topicTimes.add(event.getLong(time));
                }
            }
            events.add(topicEvents);
            times.add(topicTimes);
        }
        final int[] next = new int[topics.size()];
        final List<EventPublisher> publishers = new ArrayList<>();
        topics.forEach(topic -> publishers.add(engine.publisher(topic)));
        while (true)
        {
            int earliest = -1;
            for (int t = 0; t < topics.size(); t++)
            {
                if (next[t] < events.get(t).size() &&
                    (earliest < 0 || times.get(t).get(next[t]) < times.get(earliest).get(next[earliest])))
                {
                    earliest = t;
                }
            }
            if (earliest < 0)
            {
                return;
            }
            publishers.get(earliest).publish(new UnsafeBuffer(events.get(earliest).get(next[earliest]++)), 0);
        }
    }
}
