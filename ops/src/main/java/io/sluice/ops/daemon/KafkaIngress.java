package io.sluice.ops.daemon;

import io.sluice.kafka.KafkaConnectorException;
import io.sluice.kafka.KafkaSource;
import io.sluice.kafka.KafkaSourceContext;
import io.sluice.kafka.ValueFormat;

/**
 * The {@code kafka} ingress: reads a Kafka topic into a source topic, exactly once (see the kafka
 * module's {@code KafkaSource} and docs/kafka.md): each record is journaled with its offset and a
 * restart resumes after the last offset journaled.
 *
 * <pre>{@code
 * ingress:
 *   - type: kafka
 *     topic: trades                  # the pipelines' source topic
 *     bootstrap: 127.0.0.1:9092
 *     kafka_topic: trades            # default: topic
 *     group: sluice.desk1            # default: sluice.<topic>; checkpoints commit offsets to it (lag)
 *     format: json                   # json, csv or binary
 *     time: field                    # field (the pipeline's event time) or record (Kafka timestamp)
 *     dead_letter_topic: trades.dlq  # malformed records, with the reason in a header
 *     on_error: dead_letter          # dead_letter or halt
 *     client_properties: {...}       # Kafka client settings (security), see KafkaClientSettings
 * }</pre>
 *
 * <p>Threading: created and closed on the control thread; polls on {@code sluice-kafka-source-<topic>[-<n>]}, one
 * thread per partition by default.
 */
final class KafkaIngress implements DaemonComponent, io.sluice.ops.jmx.KafkaIngressControl
{
    static final String TYPE = "kafka";

    private final KafkaSourceContext settings;
    private volatile KafkaSource source;
    private KafkaIngressCounters counters;

    private KafkaIngress(final KafkaSourceContext settings)
    {
        this.settings = settings;
    }

    @Override
    public String name()
    {
        return "kafka-ingress " + settings.bootstrapServers() + "/" + settings.topic() + " -> " + settings.sluiceTopic();
    }

    @Override
    public void start(final DaemonComponentContext context)
    {
        final KafkaSource started = KafkaSource.start(context.engine(), settings);
        source = started;
        counters = new KafkaIngressCounters(started, context.countersManager(), context.engine().partitionCount());
    }

    /**
     * The agent that copies the source's figures into the counters file; the daemon runs it on its
     * statistics thread (not the engine's duties thread, which a paused partition's full ring can hold).
     *
     * @return the agent, null before start.
     */
    KafkaIngressCounters counters()
    {
        return counters;
    }

    /**
     * The source's settings (a scale-out daemon's group member reads the same topic).
     *
     * @return the concluded settings.
     */
    @Override
    public KafkaSourceContext settings()
    {
        return settings;
    }

    /**
     * The running source, for status; null before start.
     *
     * @return the source or null.
     */
    @Override
    public KafkaSource source()
    {
        return source;
    }

    /**
     * Whether records of a partition wait in Kafka that the source has not handed to the engine yet (an exactly-once
     * sink's commit spacing holds only then). Any thread.
     *
     * @param partition of the engine.
     * @return true if input waits; false before start or after close.
     */
    boolean inputWaiting(final int partition)
    {
        final KafkaSource running = source;
        return running != null && running.inputWaiting(partition);
    }

    @Override
    public void close()
    {
        if (source != null)
        {
            // The counters stay allocated with their last figures: the stats thread may still read the source.
            source.close();
            source = null;
        }
    }

    /** Creates {@code kafka} ingress items. */
    static final class Factory implements DaemonComponentFactory
    {
        @Override
        public String type()
        {
            return TYPE;
        }

        @Override
        public DaemonComponent create(final DaemonComponent.Role role, final ConfigSection settings)
        {
            if (role != DaemonComponent.Role.INGRESS)
            {
                settings.error("type", "kafka is an ingress type; Kafka outputs are sinks of type kafka");
                return null;
            }
            final String topic = settings.string("topic", null);
            final String bootstrap = settings.string("bootstrap", null);
            if (topic == null)
            {
                settings.error("topic", "is required (the pipelines' source topic the records feed)");
            }
            if (bootstrap == null)
            {
                settings.error("bootstrap", "is required (Kafka bootstrap servers, host:port,...)");
            }
            final String kafkaTopic = settings.string("kafka_topic", topic);
            final String group = settings.string("group", "sluice." + topic);
            final String format = settings.choice("format", "json", "json", "csv", "binary");
            final String time = settings.choice("time", "field", "field", "record");
            final String deadLetters = settings.has("dead_letter_topic") ? settings.string("dead_letter_topic", null) : null;
            final String onError = settings.choice("on_error", "dead_letter", "dead_letter", "halt");
            final java.util.Map<String, String> clientProperties = KafkaClientSettings.read(settings, System::getenv);
            if (topic == null || bootstrap == null || format == null || time == null || onError == null)
            {
                return null;
            }
            try
            {
                return new KafkaIngress(new KafkaSourceContext().bootstrapServers(bootstrap).topic(kafkaTopic).groupId(group)
                    .sluiceTopic(topic).format(ValueFormat.of(format)).recordTimestamp("record".equals(time))
                    .deadLetterTopic(deadLetters).haltOnError("halt".equals(onError)).clientProperties(clientProperties).conclude());
            }
            catch (final KafkaConnectorException ex)
            {
                settings.error("type", ex.getMessage());
                return null;
            }
        }
    }
}
