package io.sluice.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.kafka.KafkaTestBroker;

/** The benchmark's loads and reads fail naming what went wrong, against a real broker. */
class TopicLoadTest
{
    @TempDir
    Path directory;

    @Test
    void shouldReportASendTheProducerFailedOnlyToItsCallbackAndNameWhereAStalledReadStands() throws Exception
    {
        try (KafkaTestBroker broker = KafkaTestBroker.start(directory))
        {
            broker.createTopics(2, "load");
            final TopicLoad.Sends sends = new TopicLoad.Sends();
            try (KafkaProducer<byte[], byte[]> producer = KafkaBench.producer(broker.bootstrap()))
            {
                for (int i = 0; i < 10; i++)
                {
                    producer.send(KafkaBench.record("load", 2, i, i, 1_000 + i), sends);
                }
                // Larger than the producer's max.request.size: refused without a throw, told to the callback alone.
                producer.send(new ProducerRecord<>("load", 0, 2_000L, null, new byte[2 * 1024 * 1024]), sends);
                producer.flush();
            }
            assertThatThrownBy(() -> sends.check("the test's load")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the test's load: 1 sends failed").hasCauseInstanceOf(RecordTooLargeException.class);
            assertThat(TopicLoad.written(broker.bootstrap(), "load", 2)).isEqualTo(10);

            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaBench.readCommittedConsumer(broker.bootstrap(), "g")))
            {
                final List<TopicPartition> tps = List.of(new TopicPartition("load", 0), new TopicPartition("load", 1));
                consumer.assign(tps);
                consumer.seekToBeginning(tps);
                tps.forEach(tp -> consumer.position(tp, Duration.ofSeconds(60)));
                assertThatThrownBy(() -> TopicLoad.until(consumer, 11, broker.bootstrap(), "the test's read", 2))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("the test's read: read 10 of 11 records, none for 2 s")
                    .hasMessageContaining("load-0 position").hasMessageContaining("last stable offset").hasMessageContaining("high watermark");
            }
        }
    }

    @Test
    void shouldReturnOnceEveryRecordIsRead() throws Exception
    {
        try (KafkaTestBroker broker = KafkaTestBroker.start(directory))
        {
            broker.createTopics(1, "all");
            try (KafkaProducer<byte[], byte[]> producer = KafkaBench.producer(broker.bootstrap(), Map.of()))
            {
                for (int i = 0; i < 5; i++)
                {
                    producer.send(new ProducerRecord<>("all", 0, 1_000L + i, null, new byte[8]));
                }
            }
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaBench.readCommittedConsumer(broker.bootstrap(), "g")))
            {
                consumer.assign(List.of(new TopicPartition("all", 0)));
                consumer.seekToBeginning(List.of(new TopicPartition("all", 0)));
                final TopicLoad.Read read = TopicLoad.until(consumer, 5, broker.bootstrap(), "the test's read", 60);
                assertThat(read.records()).isEqualTo(5);
                assertThat(read.firstNanos()).as("the first record's time").isNotZero();
            }
        }
    }
}
