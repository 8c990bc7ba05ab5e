package io.sluice.kafka;

import static io.sluice.kafka.KafkaTestSupport.await;
import static io.sluice.kafka.KafkaTestSupport.header;
import static io.sluice.kafka.KafkaTestSupport.refusingNines;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.io.Backtest;
import io.sluice.engine.io.BacktestOptions;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;

/**
 * A pipeline stage that fails on an event under {@code on_error: dead_letter}, on a real broker: the event goes to the
 * Kafka input's dead-letter topic with the pipeline, the stage and the reason, beside the input's malformed records,
 * and every other event is processed as the replay of the same input processes it.
 */
class KafkaStageDeadLettersTest
{
    private static final int PARTITIONS = 3;

    @TempDir
    Path dir;

    @RegisterExtension
    static final KafkaBrokerExtension broker = new KafkaBrokerExtension();

    @Test
    void shouldSendEventsAStageDeadLetteredToTheKafkaDeadLetterTopicWithTheReason() throws Exception
    {
        final String topic = "trades-stage-failures";
        final String deadLetterTopic = topic + ".dlq";
        broker.createTopics(PARTITIONS, topic, deadLetterTopic);
        final List<String> trades = KafkaTestSupport.trades(6, 0, 2_000);
        final long nines = trades.stream().filter(line -> line.contains("\"qty\":9,")).count();
        assertThat(nines).isGreaterThan(10);
        KafkaTestSupport.produce(broker.bootstrap(), topic, PARTITIONS, trades);
        KafkaTestSupport.produceRaw(broker.bootstrap(), topic, 2, null, "not json at all".getBytes(StandardCharsets.UTF_8));

        final KafkaTestSupport.TextSink replayed = new KafkaTestSupport.TextSink();
        Backtest.replay(List.of(refusingNines(replayed)), List.of(KafkaTestSupport.jsonl(dir.resolve("in.jsonl"), trades)),
            new BacktestOptions().partitions(PARTITIONS));

        final KafkaSourceContext sourceContext = new KafkaSourceContext().bootstrapServers(broker.bootstrap()).topic(topic)
            .groupId("sluice-test-" + topic).sluiceTopic("trades").format(ValueFormat.JSON).deadLetterTopic(deadLetterTopic).conclude();
        final KafkaTestSupport.TextSink out = new KafkaTestSupport.TextSink();
        try (KafkaStageDeadLetters stageFailures = KafkaStageDeadLetters.open(sourceContext, null))
        {
            try (Engine engine = Engine.launch(new EngineContext().directory(dir.resolve("data")).partitions(PARTITIONS)
                    .deadLetterListener(stageFailures), List.of(refusingNines(out)));
                 KafkaSource source = KafkaSource.start(engine, sourceContext))
            {
                await("every record read and every refused trade dead-lettered", () ->
                    source.records() == trades.size() && source.malformed() == 1 && stageFailures.sent() == nines);
                assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
                engine.endOfInput("trades");
                assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(stageFailures.sent()).isEqualTo(nines);
        }
        assertThat(out.lines()).hasSizeGreaterThan(100).containsExactlyInAnyOrderElementsOf(replayed.lines());

        // Read to the end: a record sent twice would show.
        final List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestSupport.readAll(broker.bootstrap(), deadLetterTopic, (int)nines + 1);
        assertThat(dead).hasSize((int)nines + 1);
        final List<ConsumerRecord<byte[], byte[]>> refused = dead.stream()
            .filter(r -> header(r, KafkaSource.ORIGIN_HEADER).startsWith("pipeline checked/")).toList();
        assertThat(refused).hasSize((int)nines).allSatisfy(record ->
        {
            assertThat(header(record, KafkaSource.ERROR_HEADER))
                .contains("pipeline 'checked'", "stage 'filter quantity below 9'", "IllegalArgumentException: quantity 9 refused");
            assertThat(header(record, KafkaSource.ORIGIN_HEADER)).contains("stage filter quantity below 9");
            assertThat(new String(record.value(), StandardCharsets.UTF_8)).startsWith("{\"account\":").contains("\"qty\":9,");
        });
        assertThat(dead).filteredOn(r -> header(r, KafkaSource.ORIGIN_HEADER).startsWith(topic + "/")).singleElement()
            .satisfies(record -> assertThat(header(record, KafkaSource.ERROR_HEADER)).contains("JSON object"));
    }

    @Test
    void shouldRefuseAnInputWithoutADeadLetterTopic()
    {
        final KafkaSourceContext noDeadLetters = new KafkaSourceContext().bootstrapServers(broker.bootstrap()).topic("trades-no-dlq")
            .groupId("sluice-test-no-dlq").sluiceTopic("trades").format(ValueFormat.JSON).conclude();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KafkaStageDeadLetters.open(noDeadLetters, null))
            .isInstanceOf(KafkaConnectorException.class).hasMessageContaining("trades-no-dlq").hasMessageContaining("no dead-letter topic");
    }
}
