package io.sluice.kafka;

import static io.sluice.kafka.KafkaTestSupport.await;
import static io.sluice.kafka.KafkaTestSupport.header;
import static io.sluice.kafka.KafkaTestSupport.refusingNines;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.journal.Topic;

/**
 * Bad input met by a scale-out daemon's group member, on a real broker: a malformed record is counted and
 * dead-lettered with its reason while the partition goes on, or, under {@code on_error: halt}, stops the member at
 * it; an event a pipeline's stage fails on under {@code on_error: dead_letter} goes to the same topic naming its Kafka
 * partition; a topic whose partition count differs from the job's stops the member naming both counts; a missing topic
 * and unreachable brokers are retried with a doubling back-off, said in the member's last error, without a crash.
 */
class KafkaGroupMemberBadInputTest
{
    private static final int PARTITIONS = 2;

    @TempDir
    Path dir;

    @RegisterExtension
    static final KafkaBrokerExtension broker = new KafkaBrokerExtension();

    @Test
    void shouldCountAndDeadLetterAMalformedRecordWithItsReasonAndGoOn()
    {
        final String topic = "member-malformed";
        broker.createTopics(PARTITIONS, topic, topic + ".dlq");
        KafkaTestSupport.produce(broker.bootstrap(), topic, PARTITIONS, KafkaTestSupport.trades(5, 0, 20));
        KafkaTestSupport.produceRaw(broker.bootstrap(), topic, 1, null, "not json at all".getBytes(StandardCharsets.UTF_8));
        KafkaTestSupport.produce(broker.bootstrap(), topic, PARTITIONS, KafkaTestSupport.trades(5, 20, 10)); // after it
        try (KafkaGroupMember member = start("malformed", source(topic).deadLetterTopic(topic + ".dlq")))
        {
            await("every record read", () -> member.records() + member.malformed() == 31);
            assertThat(member.records()).isEqualTo(30);
            assertThat(member.malformed()).isEqualTo(1);
            assertThat(member.state()).isEqualTo(KafkaGroupMember.State.RUNNING);
            assertThat(member.lastError()).startsWith("malformed record at " + topic + "/1@");
        }
        final List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestSupport.readAll(broker.bootstrap(), topic + ".dlq", 1);
        assertThat(dead).singleElement().satisfies(record ->
        {
            assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("not json at all");
            assertThat(new String(record.headers().lastHeader(KafkaSource.ERROR_HEADER).value(), StandardCharsets.UTF_8)).contains("JSON object");
            assertThat(new String(record.headers().lastHeader(KafkaSource.ORIGIN_HEADER).value(), StandardCharsets.UTF_8))
                .startsWith(topic + "/1@");
        });
    }

    @Test
    void shouldSendTheEventsAStageFailsOnToTheKafkaDeadLetterTopicNamingTheKafkaPartition()
    {
        final String topic = "member-stage-failures";
        broker.createTopics(PARTITIONS, topic, topic + ".dlq");
        final List<String> trades = KafkaTestSupport.trades(8, 0, 600);
        final List<String> nines = trades.stream().filter(line -> line.contains("\"qty\":9,")).toList();
        // Each partition runs as an engine of one partition: the failures of both must name their Kafka partition.
        assertThat(nines.stream().map(line -> Topic.partitionFor(KafkaTestSupport.account(line), PARTITIONS)).distinct()).hasSize(PARTITIONS);
        KafkaTestSupport.produce(broker.bootstrap(), topic, PARTITIONS, trades);
        KafkaTestSupport.produceRaw(broker.bootstrap(), topic, 1, null, "not json at all".getBytes(StandardCharsets.UTF_8));
        final List<ConsumerRecord<byte[], byte[]>> dead;
        try (KafkaGroupMember member = KafkaGroupMember.start(KafkaTestSupport.memberContext("stage", source(topic)
            .deadLetterTopic(topic + ".dlq"), PARTITIONS, dir).pipelines(sinks -> List.of(refusingNines(new KafkaTestSupport.TextSink())))))
        {
            await("every record read and every refused trade dead-lettered", () -> member.records() == trades.size() &&
                member.malformed() == 1 && member.stageFailuresDeadLettered() == nines.size());
            assertThat(member.state()).isEqualTo(KafkaGroupMember.State.RUNNING);
            // Read while the member runs (its producer still sending: at load 34 a read after close timed out once with
            // nothing to say why), to the end: a record sent twice would show; a failed send is the member's last error.
            dead = readDeadLetters(topic + ".dlq", nines.size() + 1, member);
        }
        assertThat(dead).hasSize(nines.size() + 1);
        final List<ConsumerRecord<byte[], byte[]>> refused = dead.stream()
            .filter(record -> header(record, KafkaSource.ORIGIN_HEADER).startsWith("pipeline checked/")).toList();
        assertThat(refused).hasSize(nines.size()).allSatisfy(record ->
        {
            final String value = new String(record.value(), StandardCharsets.UTF_8);
            assertThat(header(record, KafkaSource.ERROR_HEADER))
                .contains("pipeline 'checked'", "stage 'filter quantity below 9'", "IllegalArgumentException: quantity 9 refused");
            assertThat(header(record, KafkaSource.ORIGIN_HEADER)).isEqualTo("pipeline checked/" +
                Topic.partitionFor(KafkaTestSupport.account(value), PARTITIONS) + " stage filter quantity below 9");
        });
        assertThat(refused.stream().map(record -> new String(record.value(), StandardCharsets.UTF_8)).map(KafkaTestSupport::account))
            .containsExactlyInAnyOrderElementsOf(nines.stream().map(KafkaTestSupport::account).toList());
        assertThat(dead).filteredOn(record -> header(record, KafkaSource.ORIGIN_HEADER).startsWith(topic + "/1@")).singleElement()
            .satisfies(record -> assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("not json at all"));
    }

    private static List<ConsumerRecord<byte[], byte[]>> readDeadLetters(final String topic, final int expected, final KafkaGroupMember member)
    {
        try
        {
            return KafkaTestSupport.readAll(broker.bootstrap(), topic, expected);
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError(ex.getMessage() + "; member's last error: " + member.lastError() + ", state " + member.state(), ex);
        }
    }

    @Test
    void shouldStopAtAMalformedRecordUnderHalt()
    {
        final String topic = "member-halt";
        broker.createTopics(PARTITIONS, topic);
        KafkaTestSupport.produceRaw(broker.bootstrap(), topic, 0, null, "{\"account\":0}".getBytes(StandardCharsets.UTF_8));
        try (KafkaGroupMember member = start("halt", source(topic).haltOnError(true)))
        {
            await("the member stopped", () -> member.state() == KafkaGroupMember.State.FAILED);
            assertThat(member.lastError()).contains("malformed record at " + topic + "/0@0").contains("amount").contains("on_error: halt");
            assertThat(member.records()).isZero();
            assertThat(member.malformed()).isZero();
        }
    }

    @Test
    void shouldStopNamingBothCountsWhenTheTopicHasAnotherPartitionCount()
    {
        final String topic = "member-four";
        broker.createTopics(4, topic);
        try (KafkaGroupMember member = start("four", source(topic)))
        {
            await("the member stopped", () -> member.state() == KafkaGroupMember.State.FAILED);
            assertThat(member.lastError()).contains("Kafka topic '" + topic + "' has 4 partitions but the job is configured for " + PARTITIONS);
        }
    }

    @Test
    void shouldRetryAMissingTopicWithBackOffUntilItExists()
    {
        final String topic = "member-later";
        try (KafkaGroupMember member = start("later", source(topic)))
        {
            // Under load a metadata request may time out first ("cannot reach"): a later retry says what is missing.
            await("a retry that found the topic missing, the back-off doubled to its longest", () -> member.lastError() != null &&
                member.lastError().equals("Kafka topic '" + topic + "' does not exist on " + broker.bootstrap() + " (retrying in 400 ms)"));
            assertThat(member.state()).isEqualTo(KafkaGroupMember.State.CONNECTING);
            broker.createTopics(PARTITIONS, topic);
            KafkaTestSupport.produce(broker.bootstrap(), topic, PARTITIONS, KafkaTestSupport.trades(6, 0, 10));
            await("the records", () -> member.records() == 10);
            assertThat(member.state()).isEqualTo(KafkaGroupMember.State.RUNNING);
        }
    }

    @Test
    void shouldRetryUnreachableBrokersWithADoublingBackOffAndSayWhy()
    {
        final String unreachable = KafkaTestBroker.unreachable();
        try (KafkaGroupMember member = start("nowhere", source("nowhere").bootstrapServers(unreachable)))
        {
            await("retries until the back-off reached its longest", () -> member.lastError() != null &&
                member.lastError().contains("(retrying in 400 ms)"));
            assertThat(member.lastError()).startsWith("cannot reach the Kafka brokers " + unreachable + " for topic 'nowhere'");
            assertThat(member.state()).isEqualTo(KafkaGroupMember.State.CONNECTING);
        }
    }

    /** A source whose retries back off from 50 ms, doubling to 400 ms, each metadata request waiting at most 300 ms. */
    private static KafkaSourceContext source(final String topic)
    {
        return new KafkaSourceContext().bootstrapServers(broker.bootstrap()).topic(topic).groupId("sluice.member." + topic)
            .sluiceTopic("trades").format(ValueFormat.JSON).initialBackoffMillis(50).maxBackoffMillis(400).metadataTimeoutMillis(300);
    }

    private KafkaGroupMember start(final String job, final KafkaSourceContext source)
    {
        return KafkaGroupMember.start(KafkaTestSupport.memberContext(job, source, PARTITIONS, dir));
    }
}
