package io.sluice.kafka;

import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;

/**
 * Settings of a {@link KafkaSource}: fluent setters, and one {@link #conclude()} that checks them all
 * and fails with a message naming the setting.
 */
public final class KafkaSourceContext
{
    private String bootstrapServers;
    private String topic;
    private String groupId;
    private String sluiceTopic;
    private ValueFormat format = ValueFormat.JSON;
    private boolean recordTimestamp;
    private String deadLetterTopic;
    private boolean haltOnError;
    private long pollMillis = 100;
    private long metadataTimeoutMillis = 10_000;
    private long initialBackoffMillis = 100;
    private long maxBackoffMillis = 30_000;
    private int consumers;
    private final Properties clientProperties = new Properties();
    private boolean concluded;

    /**
     * Kafka bootstrap servers.
     *
     * @param servers host:port list, comma separated.
     * @return this.
     */
    public KafkaSourceContext bootstrapServers(final String servers)
    {
        this.bootstrapServers = servers;
        return this;
    }

    /**
     * Kafka bootstrap servers.
     *
     * @return the servers.
     */
    public String bootstrapServers()
    {
        return bootstrapServers;
    }

    /**
     * The Kafka topic to read.
     *
     * @param topic name.
     * @return this.
     */
    public KafkaSourceContext topic(final String topic)
    {
        this.topic = topic;
        return this;
    }

    /**
     * The Kafka topic to read.
     *
     * @return the name.
     */
    public String topic()
    {
        return topic;
    }

    /**
     * The consumer group: completed checkpoints commit their offsets to it (monitoring, lag).
     *
     * @param groupId of the group.
     * @return this.
     */
    public KafkaSourceContext groupId(final String groupId)
    {
        this.groupId = groupId;
        return this;
    }

    /**
     * The consumer group.
     *
     * @return the group id.
     */
    public String groupId()
    {
        return groupId;
    }

    /**
     * The engine's source topic the records feed (a pipeline's {@code Pipeline.from} topic).
     *
     * @param topic of the engine.
     * @return this.
     */
    public KafkaSourceContext sluiceTopic(final String topic)
    {
        this.sluiceTopic = topic;
        return this;
    }

    /**
     * The engine's source topic.
     *
     * @return its name.
     */
    public String sluiceTopic()
    {
        return sluiceTopic;
    }

    /**
     * How record values hold events.
     *
     * @param format of the values.
     * @return this.
     */
    public KafkaSourceContext format(final ValueFormat format)
    {
        this.format = format;
        return this;
    }

    /**
     * How record values hold events.
     *
     * @return the format.
     */
    public ValueFormat format()
    {
        return format;
    }

    /**
     * Whether an event's time is the Kafka record's timestamp rather than the pipeline's event-time field.
     *
     * @param recordTimestamp true to use the record timestamp.
     * @return this.
     */
    public KafkaSourceContext recordTimestamp(final boolean recordTimestamp)
    {
        this.recordTimestamp = recordTimestamp;
        return this;
    }

    /**
     * Whether an event's time is the Kafka record's timestamp.
     *
     * @return true if so.
     */
    public boolean recordTimestamp()
    {
        return recordTimestamp;
    }

    /**
     * The Kafka topic malformed records go to, with the reason in a header; null for none (they are
     * still counted).
     *
     * @param topic name or null.
     * @return this.
     */
    public KafkaSourceContext deadLetterTopic(final String topic)
    {
        this.deadLetterTopic = topic;
        return this;
    }

    /**
     * The dead-letter topic.
     *
     * @return its name or null.
     */
    public String deadLetterTopic()
    {
        return deadLetterTopic;
    }

    /**
     * Whether a malformed record stops the source ({@code on_error: halt}) instead of being dead-lettered.
     *
     * @param halt true to stop.
     * @return this.
     */
    public KafkaSourceContext haltOnError(final boolean halt)
    {
        this.haltOnError = halt;
        return this;
    }

    /**
     * Whether a malformed record stops the source.
     *
     * @return true if so.
     */
    public boolean haltOnError()
    {
        return haltOnError;
    }

    /**
     * Longest wait of one poll.
     *
     * @param millis of a poll.
     * @return this.
     */
    public KafkaSourceContext pollMillis(final long millis)
    {
        this.pollMillis = millis;
        return this;
    }

    /**
     * Longest wait of one poll.
     *
     * @return milliseconds.
     */
    public long pollMillis()
    {
        return pollMillis;
    }

    /**
     * Longest wait for the topic's metadata per attempt.
     *
     * @param millis per attempt.
     * @return this.
     */
    public KafkaSourceContext metadataTimeoutMillis(final long millis)
    {
        this.metadataTimeoutMillis = millis;
        return this;
    }

    /**
     * Longest wait for the topic's metadata per attempt.
     *
     * @return milliseconds.
     */
    public long metadataTimeoutMillis()
    {
        return metadataTimeoutMillis;
    }

    /**
     * First back-off after a failed connection attempt; it doubles up to {@link #maxBackoffMillis()}.
     *
     * @param millis of the first back-off.
     * @return this.
     */
    public KafkaSourceContext initialBackoffMillis(final long millis)
    {
        this.initialBackoffMillis = millis;
        return this;
    }

    /**
     * First back-off after a failed connection attempt.
     *
     * @return milliseconds.
     */
    public long initialBackoffMillis()
    {
        return initialBackoffMillis;
    }

    /**
     * Longest back-off between connection attempts.
     *
     * @param millis of the longest back-off.
     * @return this.
     */
    public KafkaSourceContext maxBackoffMillis(final long millis)
    {
        this.maxBackoffMillis = millis;
        return this;
    }

    /**
     * Longest back-off between connection attempts.
     *
     * @return milliseconds.
     */
    public long maxBackoffMillis()
    {
        return maxBackoffMillis;
    }

    /**
     * How many consumers read the topic, each on its own polling thread with its share of the partitions
     * (partition {@code p} goes to consumer {@code p % consumers}). 0, the default, runs one per partition:
     * the Kafka client's per-record decoding, most of a source's CPU, then runs on as many threads as the
     * topic has partitions. More than the partitions runs one per partition.
     *
     * @param consumers 0 for one per partition, else at least 1.
     * @return this.
     */
    public KafkaSourceContext consumers(final int consumers)
    {
        this.consumers = consumers;
        return this;
    }

    /**
     * How many consumers read a topic of {@code partitions} partitions.
     *
     * @param partitions of the topic (= of the engine's source topic).
     * @return between 1 and {@code partitions}.
     */
    public int consumersFor(final int partitions)
    {
        return consumers == 0 ? partitions : Math.min(consumers, partitions);
    }

    /**
     * Extra Kafka client properties (security settings), applied before Sluice's own.
     *
     * @param properties to add.
     * @return this.
     */
    public KafkaSourceContext clientProperties(final Map<String, String> properties)
    {
        clientProperties.putAll(properties);
        return this;
    }

    /**
     * Extra Kafka client properties.
     *
     * @return the properties (live).
     */
    public Properties clientProperties()
    {
        return clientProperties;
    }

    /**
     * The settings every consumer of this source starts from: the extra client properties, then the brokers, the
     * group, the client id, no auto-commit (offsets are committed after the checkpoint that covers them), only what
     * producers committed ({@code read_committed}: an aborted transaction upstream never reaches the journal), the
     * earliest offset for a partition the group has none for, raw byte buffers for key and value, and the reconnect
     * back-off.
     *
     * @param clientId of the consumer.
     * @return new properties; the caller may add its own.
     */
    Properties consumerProperties(final String clientId)
    {
        final Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteBufferDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteBufferDeserializer.class.getName());
        props.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, String.valueOf(maxBackoffMillis()));
        return props;
    }

    /**
     * Checks every setting once.
     *
     * @return this.
     * @throws KafkaConnectorException naming the missing or invalid setting.
     */
    public KafkaSourceContext conclude()
    {
        if (concluded)
        {
            return this;
        }
        require(bootstrapServers, "bootstrap servers");
        require(topic, "topic");
        require(groupId, "group");
        require(sluiceTopic, "sluice topic (the pipeline source it feeds)");
        if (format == null)
        {
            throw new KafkaConnectorException("Kafka source of topic '" + topic + "': no value format");
        }
        if (consumers < 0)
        {
            throw new KafkaConnectorException("Kafka source of topic '" + topic + "': consumers must be 0 (one per partition) or more, not " +
                consumers);
        }
        if (pollMillis <= 0 || metadataTimeoutMillis <= 0 || initialBackoffMillis <= 0 || maxBackoffMillis < initialBackoffMillis)
        {
            throw new KafkaConnectorException("Kafka source of topic '" + topic + "': poll, metadata timeout and back-offs must be " +
                "positive and the longest back-off at least the first");
        }
        KafkaClientProperties.check(clientProperties, "Kafka source of topic '" + topic + "'");
        concluded = true;
        return this;
    }

    private void require(final String value, final String what)
    {
        if (value == null || value.isBlank())
        {
            throw new KafkaConnectorException("Kafka source" + (topic == null ? "" : " of topic '" + topic + "'") + ": no " + what + " configured");
        }
    }
}
