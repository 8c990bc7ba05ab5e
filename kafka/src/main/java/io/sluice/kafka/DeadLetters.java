package io.sluice.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The dead-letter topic of a Kafka input ({@link KafkaSource}, {@link KafkaGroupMember}): each
 * malformed record is sent with its original key and value and the headers {@value KafkaSource#ERROR_HEADER}
 * (the reason) and {@value KafkaSource#ORIGIN_HEADER} ({@code topic/partition@offset}), through an
 * idempotent producer.
 *
 * Also the events pipeline stages dead-lettered ({@link KafkaStageDeadLetters}).
 *
 * <p>Threading: the input's polling thread, or the partition threads of stage failures; the failure callback on the
 * producer's I/O thread.
 */
final class DeadLetters implements AutoCloseable
{
    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicLong sent = new AtomicLong();

    private DeadLetters(final String topic, final KafkaProducer<byte[], byte[]> producer)
    {
        this.topic = topic;
        this.producer = producer;
    }

    /**
     * Opens the producer of the input's dead-letter topic.
     *
     * @param source   settings of the input.
     * @param clientId of the producer.
     * @return the dead letters, or null when the input has no dead-letter topic.
     */
    static DeadLetters open(final KafkaSourceContext source, final String clientId)
    {
        if (source.deadLetterTopic() == null)
        {
            return null;
        }
        final Properties props = new Properties();
        props.putAll(source.clientProperties());
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, source.bootstrapServers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(source.metadataTimeoutMillis()));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new DeadLetters(source.deadLetterTopic(), new KafkaProducer<>(props));
    }

    /**
     * Sends a malformed record to the dead-letter topic.
     *
     * @param record    as read.
     * @param reason    why it was rejected.
     * @param where     {@code topic/partition@offset} of the record.
     * @param onFailure receiving a message if the send fails.
     */
    void send(final ConsumerRecord<ByteBuffer, ByteBuffer> record, final String reason, final String where, final Consumer<String> onFailure)
    {
        send(null, bytes(record.key()), bytes(record.value()), "malformed record", reason, where, onFailure);
    }

    /**
     * Sends a record to the dead-letter topic with the headers {@value KafkaSource#ERROR_HEADER} and
     * {@value KafkaSource#ORIGIN_HEADER}. Any thread (the producer is shared).
     *
     * @param timestamp of the record (epoch milliseconds), or null for the producer's time.
     * @param key       of the record, or null.
     * @param value     of the record.
     * @param what      the record is, for a failure's message ("malformed record").
     * @param reason    why it was rejected.
     * @param where     it came from.
     * @param onFailure receiving a message if the send fails (on the producer's I/O thread).
     */
    void send(
        final Long timestamp, final byte[] key, final byte[] value, final String what, final String reason, final String where,
        final Consumer<String> onFailure)
    {
        final ProducerRecord<byte[], byte[]> rejected = new ProducerRecord<>(topic, null, timestamp, key, value);
        rejected.headers().add(KafkaSource.ERROR_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        rejected.headers().add(KafkaSource.ORIGIN_HEADER, where.getBytes(StandardCharsets.UTF_8));
        producer.send(rejected, (metadata, ex) ->
        {
            if (ex != null)
            {
                onFailure.accept("cannot send " + what + " " + where + " to dead-letter topic '" + topic + "': " + ex);
            }
        });
        sent.incrementAndGet();
    }

    /**
     * Records sent so far.
     *
     * @return the count.
     */
    long sent()
    {
        return sent.get();
    }

    @Override
    public void close()
    {
        producer.close(Duration.ofSeconds(10));
    }

    /** A copy of the bytes from the buffer's position to its limit (the buffer is left unchanged), or null. */
    private static byte[] bytes(final ByteBuffer buffer)
    {
        if (buffer == null)
        {
            return null;
        }
        final byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
