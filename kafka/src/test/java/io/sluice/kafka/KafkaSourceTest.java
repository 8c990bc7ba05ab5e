package io.sluice.kafka;

import static io.sluice.kafka.KafkaTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.sluice.engine.io.Backtest;
import io.sluice.engine.io.BacktestOptions;
import io.sluice.engine.io.EventTextDecoder;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.journal.Topic;
import io.sluice.schema.EventFlyweight;

class KafkaSourceTest
{
    private static final int PARTITIONS = 3;

    @TempDir
    Path dir;

    @RegisterExtension
    static final KafkaBrokerExtension broker = new KafkaBrokerExtension();

    private EngineContext engineContext(final int partitions)
    {
        return new EngineContext().directory(dir.resolve("data")).partitions(partitions).ringSize(1024)
            .journalSegmentLength(4 * 1024 * 1024).checkpointsRetained(3);
    }

    private static KafkaSourceContext source(final String topic)
    {
        return new KafkaSourceContext().bootstrapServers(broker.bootstrap()).topic(topic).groupId("sluice-test-" + topic)
            .sluiceTopic("trades").format(ValueFormat.JSON).initialBackoffMillis(50).maxBackoffMillis(500).metadataTimeoutMillis(2_000);
    }

    /**
     * With one consumer per partition (0, the default: three polling threads) and with two consumers sharing the three
     * partitions (partitions 0 and 2 on one thread, 1 on the other).
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 2})
    void shouldMatchTheReplayOfTheSameInputAcrossARestartResumingAtTheNextOffset(final int consumers) throws Exception
    {
        final String topic = "trades-roundtrip-" + consumers;
        broker.createTopics(PARTITIONS, topic);
        final List<String> first = KafkaTestSupport.trades(1, 0, 3_000);
        final List<String> second = KafkaTestSupport.trades(1, 3_000, 3_000);
        final List<String> all = new ArrayList<>(first);
        all.addAll(second);

        final KafkaTestSupport.TextSink replayed = new KafkaTestSupport.TextSink();
        Backtest.replay(List.of(KafkaTestSupport.tumbling(replayed)), List.of(KafkaTestSupport.jsonl(dir.resolve("in.jsonl"), all)),
            new BacktestOptions().partitions(PARTITIONS));

        KafkaTestSupport.produce(broker.bootstrap(), topic, PARTITIONS, first);
        final KafkaTestSupport.TextSink before = new KafkaTestSupport.TextSink();
        try (Engine engine = Engine.launch(engineContext(PARTITIONS), List.of(KafkaTestSupport.tumbling(before)));
             KafkaSource source = KafkaSource.start(engine, source(topic).consumers(consumers)))
        {
            await("the first half consumed", () -> source.records() == first.size());
            assertThat(pollingThreads(topic)).isEqualTo(consumers == 0 ? PARTITIONS : consumers);
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
            assertThat(source.state()).isEqualTo(KafkaSource.State.RUNNING);
            assertThat(source.malformed()).isZero();
        }

        KafkaTestSupport.produce(broker.bootstrap(), topic, PARTITIONS, second);
        final KafkaTestSupport.TextSink after = new KafkaTestSupport.TextSink();
        try (Engine engine = Engine.launch(engineContext(PARTITIONS), List.of(KafkaTestSupport.tumbling(after)));
             KafkaSource source = KafkaSource.start(engine, source(topic).consumers(consumers)))
        {
            // Resumed after the last journaled offset: exactly the second half arrives, nothing of the first again.
            await("the second half consumed", () -> source.records() == second.size());
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
            engine.endOfInput("trades");
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
            assertThat(source.records()).isEqualTo(second.size());
        }

        final List<String> live = new ArrayList<>(before.lines());
        live.addAll(after.lines());
        assertThat(live).hasSizeGreaterThan(100);
        assertThat(live).containsExactlyInAnyOrderElementsOf(replayed.lines());
    }

    /** The live polling threads of a source of the topic. */
    private static long pollingThreads(final String topic)
    {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.isAlive() && t.getName().matches("sluice-kafka-source-" + java.util.regex.Pattern.quote(topic) + "(-\\d+)?"))
            .count();
    }

    @Test
    void shouldKeepReportingTheLagWhileAPausedPipelineHoldsTheSourceBack() throws Exception
    {
        final String topic = "trades-held-back";
        broker.createTopics(1, topic);
        final List<String> first = KafkaTestSupport.trades(3, 0, 3_000);
        final List<String> more = KafkaTestSupport.trades(3, 3_000, 2_000);
        KafkaTestSupport.produce(broker.bootstrap(), topic, 1, first);

        try (Engine engine = Engine.launch(engineContext(1), List.of(KafkaTestSupport.tumbling(new KafkaTestSupport.TextSink()))))
        {
            engine.pause("tumbling");
            try (KafkaSource source = KafkaSource.start(engine, source(topic)))
            {
                // The paused pipeline's ring (1,024 slots) fills: the source holds the next record and its lag is
                // what is left of the topic behind it.
                await("the source held back by the full ring", () -> source.records() >= 900 &&
                    source.lag().length == 1 && source.lag()[0] == first.size() - source.records());

                KafkaTestSupport.produce(broker.bootstrap(), topic, 1, more);
                await("the lag grown by the records produced while held back", () ->
                    source.lag()[0] == first.size() + more.size() - source.records());
                assertThat(source.records()).isLessThan(first.size());

                engine.resume("tumbling");
                await("every record published and no lag left", () ->
                    source.records() == first.size() + more.size() && source.lag()[0] == 0);
                assertThat(source.state()).isEqualTo(KafkaSource.State.RUNNING);
                assertThat(source.malformed()).isZero();
            }
        }
    }

    /**
     * An exactly-once sink's commit spacing holds while input waits ({@link KafkaSink#inputWaiting}): records the source
     * has read but the partition has not processed count, not only the lag in Kafka, so a spaced commit waits for the
     * outputs of the last records read.
     */
    @Test
    void shouldReportInputWaitingUntilThePartitionHasProcessedEveryRecordRead() throws Exception
    {
        final String topic = "trades-input-waiting";
        broker.createTopics(1, topic);
        final List<String> trades = KafkaTestSupport.trades(3, 0, 500); // fewer than the ring's 1,024 slots
        KafkaTestSupport.produce(broker.bootstrap(), topic, 1, trades);

        try (Engine engine = Engine.launch(engineContext(1), List.of(KafkaTestSupport.tumbling(new KafkaTestSupport.TextSink()))))
        {
            engine.pause("tumbling");
            try (KafkaSource source = KafkaSource.start(engine, source(topic)))
            {
                await("every record read into the paused partition's ring, no lag left in Kafka", () ->
                    source.records() == trades.size() && source.lag().length == 1 && source.lag()[0] == 0);
                // Nothing left in Kafka, but the paused partition holds the records unprocessed in its ring.
                assertThat(source.inputWaiting(0)).isTrue();

                engine.resume("tumbling");
                await("the partition caught up with what the source read", () -> !source.inputWaiting(0));
                assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
                assertThat(source.lag()[0]).isZero();
            }
        }
    }

    @Test
    void shouldCountMalformedRecordsAndSendThemToTheDeadLetterTopicWithTheReason() throws Exception
    {
        final String topic = "trades-malformed";
        broker.createTopics(PARTITIONS, topic, topic + ".dlq");
        final List<String> lines = new ArrayList<>(KafkaTestSupport.trades(2, 0, 20));
        lines.add(5, "{\"account\":3,\"amount\":\"lots\",\"qty\":1,\"ts\":40}");
        lines.add(9, "not json at all, account:4,");
        KafkaTestSupport.produce(broker.bootstrap(), topic, PARTITIONS, lines.stream().filter(l -> l.startsWith("{")).toList());
        produceRaw(topic, 1, "not json at all");

        final KafkaTestSupport.TextSink out = new KafkaTestSupport.TextSink();
        try (Engine engine = Engine.launch(engineContext(PARTITIONS), List.of(KafkaTestSupport.tumbling(out)));
             KafkaSource source = KafkaSource.start(engine, source(topic).deadLetterTopic(topic + ".dlq")))
        {
            await("all records read", () -> source.records() + source.malformed() == 22);
            assertThat(source.records()).isEqualTo(20);
            assertThat(source.malformed()).isEqualTo(2);
            assertThat(source.deadLettered()).isEqualTo(2);
            assertThat(source.state()).isEqualTo(KafkaSource.State.RUNNING);
        }
        final List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestSupport.readAll(broker.bootstrap(), topic + ".dlq", 2);
        assertThat(dead).extracting(r -> new String(r.headers().lastHeader(KafkaSource.ERROR_HEADER).value(), StandardCharsets.UTF_8))
            .anySatisfy(reason -> assertThat(reason).contains("amount"))
            .anySatisfy(reason -> assertThat(reason).contains("JSON object"));
        assertThat(dead).extracting(r -> new String(r.headers().lastHeader(KafkaSource.ORIGIN_HEADER).value(), StandardCharsets.UTF_8))
            .allSatisfy(origin -> assertThat(origin).startsWith(topic + "/"));
    }

    /**
     * BINARY records are published in batches of a poll's well-formed records: the short one is in the middle of
     * one. With a ring of 16 slots the batches meet a full ring all the time (partial claims, the held-back wait).
     */
    @ParameterizedTest
    @ValueSource(ints = {1024, 16})
    void shouldReadBinaryValuesInPlaceAndDeadLetterOneOfAnotherLengthWithItsOwnBytes(final int ringSize) throws Exception
    {
        final String topic = "trades-binary-" + ringSize;
        broker.createTopics(PARTITIONS, topic, topic + ".dlq");
        final List<String> trades = KafkaTestSupport.trades(4, 0, 2_000);
        final KafkaTestSupport.TextSink replayed = new KafkaTestSupport.TextSink();
        Backtest.replay(List.of(KafkaTestSupport.tumbling(replayed)), List.of(KafkaTestSupport.jsonl(dir.resolve("in.jsonl"), trades)),
            new BacktestOptions().partitions(PARTITIONS));
        produceBinary(topic, trades.subList(0, 1_000));
        final byte[] shortValue = {1, 2, 3, 4, 5};
        produceRaw(topic, 2, "key-of-the-short-one".getBytes(StandardCharsets.UTF_8), shortValue);
        produceBinary(topic, trades.subList(1_000, trades.size()));

        final KafkaTestSupport.TextSink out = new KafkaTestSupport.TextSink();
        try (Engine engine = Engine.launch(engineContext(PARTITIONS).ringSize(ringSize), List.of(KafkaTestSupport.tumbling(out)));
             KafkaSource source = KafkaSource.start(engine, source(topic).format(ValueFormat.BINARY).deadLetterTopic(topic + ".dlq")))
        {
            await("every record read", () -> source.records() + source.malformed() == trades.size() + 1);
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
            engine.endOfInput("trades");
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
            assertThat(source.records()).isEqualTo(trades.size());
            assertThat(source.malformed()).isEqualTo(1);
            await("the short one dead-lettered", () -> source.deadLettered() == 1);
        }
        assertThat(out.lines()).hasSizeGreaterThan(100).containsExactlyInAnyOrderElementsOf(replayed.lines());
        final List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestSupport.readAll(broker.bootstrap(), topic + ".dlq", 1);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).key()).isEqualTo("key-of-the-short-one".getBytes(StandardCharsets.UTF_8));
        assertThat(dead.get(0).value()).isEqualTo(shortValue);
        assertThat(new String(dead.get(0).headers().lastHeader(KafkaSource.ERROR_HEADER).value(), StandardCharsets.UTF_8))
            .isEqualTo("binary value of 5 bytes, schema 'trade' events are " + KafkaTestSupport.TRADE.length() + " bytes");
    }

    @Test
    void shouldStopAtAMalformedRecordUnderHalt()
    {
        final String topic = "trades-halt";
        broker.createTopics(PARTITIONS, topic);
        produceRaw(topic, 0, "{\"account\":0}");
        try (Engine engine = Engine.launch(engineContext(PARTITIONS), List.of(KafkaTestSupport.tumbling(new KafkaTestSupport.TextSink())));
             KafkaSource source = KafkaSource.start(engine, source(topic).haltOnError(true)))
        {
            await("the source failed", () -> source.state() == KafkaSource.State.FAILED);
            assertThat(source.lastError()).contains(topic + "/0@0").contains("amount").contains("on_error: halt");
            assertThat(source.records()).isZero();
        }
    }

    @Test
    void shouldFailClearlyWhenPartitionCountsDiffer()
    {
        final String topic = "trades-four";
        broker.createTopics(4, topic);
        try (Engine engine = Engine.launch(engineContext(PARTITIONS), List.of(KafkaTestSupport.tumbling(new KafkaTestSupport.TextSink())));
             KafkaSource source = KafkaSource.start(engine, source(topic)))
        {
            await("the source failed", () -> source.state() == KafkaSource.State.FAILED);
            assertThat(source.lastError()).contains("'" + topic + "' has 4 partitions").contains("runs 3 partitions")
                .contains("must agree");
        }
    }

    @Test
    void shouldRetryAMissingTopicUntilItExists()
    {
        final String topic = "trades-later";
        try (Engine engine = Engine.launch(engineContext(PARTITIONS), List.of(KafkaTestSupport.tumbling(new KafkaTestSupport.TextSink())));
             KafkaSource source = KafkaSource.start(engine, source(topic)))
        {
            // Under load a metadata request may time out first ("cannot reach"): the retry after it says what is missing.
            await("a retry that found the topic missing", () -> source.retries() >= 2 && source.lastError() != null &&
                source.lastError().contains("'" + topic + "' does not exist on " + broker.bootstrap()));
            assertThat(source.state()).isEqualTo(KafkaSource.State.CONNECTING);
            assertThat(source.lastError()).contains("retrying");
            broker.createTopics(PARTITIONS, topic);
            KafkaTestSupport.produce(broker.bootstrap(), topic, PARTITIONS, KafkaTestSupport.trades(3, 0, 10));
            await("the records", () -> source.records() == 10);
            assertThat(source.state()).isEqualTo(KafkaSource.State.RUNNING);
        }
    }

    @Test
    void shouldRetryUnreachableBrokersWithBackOffAndSayWhy()
    {
        final String unreachable = KafkaTestBroker.unreachable();
        try (Engine engine = Engine.launch(engineContext(PARTITIONS), List.of(KafkaTestSupport.tumbling(new KafkaTestSupport.TextSink())));
             KafkaSource source = KafkaSource.start(engine, source("nowhere").bootstrapServers(unreachable).metadataTimeoutMillis(300)))
        {
            await("retries", () -> source.retries() >= 3);
            assertThat(source.state()).isEqualTo(KafkaSource.State.CONNECTING);
            assertThat(source.lastError()).contains("cannot reach the Kafka brokers " + unreachable).contains("retrying in");
        }
    }

    private static void produceRaw(final String topic, final int partition, final String value)
    {
        produceRaw(topic, partition, null, value.getBytes(StandardCharsets.UTF_8));
    }

    private static void produceRaw(final String topic, final int partition, final byte[] key, final byte[] value)
    {
        KafkaTestSupport.produceRaw(broker.bootstrap(), topic, partition, key, value);
    }

    /** JSON trades produced in the schema's binary layout, each to the partition of its account, acknowledged. */
    private static void produceBinary(final String topic, final List<String> lines) throws Exception
    {
        final EventTextDecoder json = EventTextDecoder.json(KafkaTestSupport.TRADE);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(),
            ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1",
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName())))
        {
            final List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (final String line : lines)
            {
                final byte[] value = new byte[KafkaTestSupport.TRADE.length()];
                json.decode(line, new EventFlyweight(KafkaTestSupport.TRADE).wrapForWrite(new UnsafeBuffer(value), 0));
                final long account = KafkaTestSupport.account(line);
                sent.add(producer.send(new ProducerRecord<>(topic, Topic.partitionFor(account, PARTITIONS), null, value)));
            }
            producer.flush();
            for (final java.util.concurrent.Future<?> f : sent)
            {
                f.get(60, TimeUnit.SECONDS);
            }
        }
    }
}
