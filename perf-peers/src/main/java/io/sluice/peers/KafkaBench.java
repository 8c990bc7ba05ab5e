package io.sluice.peers;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.sluice.journal.Topic;

/**
 * Input records of the Kafka benchmark and the client settings every participant shares.
 * <p>
 * A record: key = the order's key as 8 bytes big-endian (Kafka's {@code LongSerializer}), value = the order in
 * Sluice's fixed little-endian layout of {@link SluicePeer#ORDER} (what the Kafka source's BINARY format reads):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                       key (LONG, LE)                          |  0
 *  +---------------------------------------------------------------+
 *  |                      value (LONG, LE)                         |  8
 *  +---------------------------------------------------------------+
 *  |                   ts (TIMESTAMP ms, LE)                       | 16
 *  +---------------------------------------------------------------+
 * </pre>
 * (each row one 64-bit field), the record's timestamp = ts (Kafka Streams' event time), its partition the one
 * Sluice's key hash gives ({@link Topic#partitionFor}), so that Kafka partition p holds exactly the keys of Sluice
 * partition p and every key stays in one partition for both processors.
 */
final class KafkaBench
{
    /** Bytes of an input value. */
    static final int VALUE_LENGTH = 24;
    static final int KEY_OFFSET = 0;
    static final int VALUE_OFFSET = 8;
    static final int TS_OFFSET = 16;

    private KafkaBench()
    {
    }

    static byte[] value(final long key, final long value, final long ts)
    {
        return ByteBuffer.allocate(VALUE_LENGTH).order(ByteOrder.LITTLE_ENDIAN).putLong(KEY_OFFSET, key).putLong(VALUE_OFFSET, value)
            .putLong(TS_OFFSET, ts).array();
    }

    static byte[] key(final long key)
    {
        return ByteBuffer.allocate(8).putLong(key).array();
    }

    static ProducerRecord<byte[], byte[]> record(final String topic, final int partitions, final long key, final long value, final long ts)
    {
        return new ProducerRecord<>(topic, Topic.partitionFor(key, partitions), ts, key(key), value(key, value, ts));
    }

    /**
     * One record per partition, far enough ahead in event time to close every window of the data before it (no
     * processor has an end of input on a Kafka topic); its key is in no workload, so its own window is never
     * reported, and it is placed in partition p directly.
     */
    static ProducerRecord<byte[], byte[]> endMarker(final String topic, final int partition, final long ts)
    {
        final long key = -1 - partition;
        return new ProducerRecord<>(topic, partition, ts, key(key), value(key, 0, ts));
    }

    static KafkaProducer<byte[], byte[]> producer(final String bootstrap)
    {
        return producer(bootstrap, Map.of());
    }

    /** A producer with the client defaults plus {@code settings} (a {@link KafkaTuning}'s). */
    static KafkaProducer<byte[], byte[]> producer(final String bootstrap, final Map<String, String> settings)
    {
        final Properties props = new Properties();
        props.putAll(settings);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(props);
    }

    static Map<String, Object> readCommittedConsumer(final String bootstrap, final String group)
    {
        return readCommittedConsumer(bootstrap, group, Map.of());
    }

    /** A read_committed consumer's settings plus {@code settings} (a {@link KafkaTuning}'s). */
    static Map<String, Object> readCommittedConsumer(final String bootstrap, final String group, final Map<String, String> settings)
    {
        final Map<String, Object> props = new java.util.HashMap<>(settings);
        props.putAll(readCommittedDefaults(bootstrap, group));
        return props;
    }

    private static Map<String, Object> readCommittedDefaults(final String bootstrap, final String group)
    {
        return Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, group,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    }
}
