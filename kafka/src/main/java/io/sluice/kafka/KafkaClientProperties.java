package io.sluice.kafka;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * What extra Kafka client settings ({@code clientProperties} of a source or sink: security settings
 * such as {@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config},
 * {@code ssl.truststore.location}) may set. The same properties go to every client of a connector
 * (consumer, producers, admin), before Sluice's own settings; a key is accepted only if one of the
 * three clients knows it, and refused if Sluice sets it itself because exactly once or the partition
 * layout depends on it (idempotence, isolation level, transactional ids, the group, offsets, acks,
 * serializers, assignment ...).
 *
 * <p>Secret values (the keys Kafka types as passwords, {@link #isSecret}) are never part of a message
 * of this class or of a Sluice log line; Kafka's own configuration log prints them as {@code [hidden]}.
 *
 * <p>Threading: stateless; any thread.
 */
public final class KafkaClientProperties
{
    /** Keys Sluice sets itself, with why an override is refused. */
    private static final Map<String, String> OWNED = Map.ofEntries(
        Map.entry("enable.idempotence", "exactly once needs idempotent producers"),
        Map.entry("transactional.id", "each sink partition's transactional id is <transactional_id>-<partition>, fencing its zombie"),
        Map.entry("transaction.timeout.ms", "set by the sink from its checkpoint interval"),
        Map.entry("isolation.level", "the source reads read_committed, so aborted outputs are never input"),
        Map.entry("acks", "idempotent and transactional producers need acks=all"),
        Map.entry("retries", "idempotent producers need retries"),
        Map.entry("max.in.flight.requests.per.connection", "more than 5 breaks the producer's ordering guarantee"),
        Map.entry("enable.auto.commit", "offsets come from the journal and the checkpoints, never from auto commit"),
        Map.entry("auto.offset.reset", "the source seeks to the offset after the last journaled one"),
        Map.entry("group.id", "set by the ingress's group"),
        Map.entry("group.instance.id", "a static member would keep a killed daemon's partitions"),
        Map.entry("group.protocol", "the scale-out member relies on the classic protocol's cooperative assignment"),
        Map.entry("partition.assignment.strategy", "the scale-out member needs cooperative-sticky assignment"),
        Map.entry("session.timeout.ms", "set by scale_out.session_timeout"),
        Map.entry("heartbeat.interval.ms", "derived from scale_out.session_timeout"),
        Map.entry("bootstrap.servers", "set by the item's bootstrap key"),
        Map.entry("client.id", "set by Sluice per client, for the brokers' logs and quotas"),
        Map.entry("key.serializer", "Sluice encodes keys itself"),
        Map.entry("value.serializer", "Sluice encodes values itself"),
        Map.entry("key.deserializer", "Sluice decodes records itself"),
        Map.entry("value.deserializer", "Sluice decodes records itself"),
        Map.entry("partitioner.class", "Sluice partition p writes Kafka partition p"),
        Map.entry("interceptor.classes", "an interceptor could change or drop records behind the journal"));

    private static final Set<String> KNOWN = known();

    private KafkaClientProperties()
    {
    }

    private static Set<String> known()
    {
        final Set<String> names = new TreeSet<>(ConsumerConfig.configNames());
        names.addAll(ProducerConfig.configNames());
        names.addAll(AdminClientConfig.configNames());
        return Set.copyOf(names);
    }

    /**
     * Why a key may not be set through the client properties.
     *
     * @param key a Kafka client property name.
     * @return null if it may be set; else the reason, a sentence naming the key.
     */
    public static String refusal(final String key)
    {
        final String owned = OWNED.get(key);
        if (owned != null)
        {
            return "'" + key + "' is set by Sluice and may not be overridden: " + owned;
        }
        if (!KNOWN.contains(key))
        {
            return "'" + key + "' is not a Kafka 4.4 consumer, producer or admin client setting";
        }
        return null;
    }

    /**
     * Whether Kafka treats a key's value as a secret (its type is PASSWORD: {@code sasl.jaas.config},
     * {@code ssl.key.password}, {@code ssl.keystore.password}, {@code ssl.truststore.password} ...).
     *
     * @param key a Kafka client property name.
     * @return true for a secret.
     */
    public static boolean isSecret(final String key)
    {
        return isPassword(ConsumerConfig.configDef(), key) || isPassword(ProducerConfig.configDef(), key) ||
            isPassword(AdminClientConfig.configDef(), key);
    }

    private static boolean isPassword(final ConfigDef def, final String key)
    {
        final ConfigDef.ConfigKey configKey = def.configKeys().get(key);
        return configKey != null && configKey.type() == ConfigDef.Type.PASSWORD;
    }

    /**
     * Checks every key of a connector's client properties.
     *
     * @param properties the client properties.
     * @param owner      naming the connector in the message, e.g. {@code Kafka source of topic 'trades'}.
     * @throws KafkaConnectorException naming the first refused key (never a value).
     */
    public static void check(final Map<?, ?> properties, final String owner)
    {
        for (final Object key : new TreeSet<>(properties.keySet().stream().map(String::valueOf).toList()))
        {
            final String refusal = refusal((String)key);
            if (refusal != null)
            {
                throw new KafkaConnectorException(owner + ": client property " + refusal);
            }
        }
    }

    /**
     * The message for brokers that refused this client's credentials (the exception's message names the
     * mechanism, never the secret).
     *
     * @param bootstrapServers the brokers.
     * @param ex               the client's exception.
     * @return the message, naming the settings to check.
     */
    public static String authenticationFailed(final String bootstrapServers, final org.apache.kafka.common.errors.AuthenticationException ex)
    {
        return "the Kafka brokers " + bootstrapServers + " refused this client's credentials (check its client_properties: " +
            "security.protocol, sasl.mechanism, sasl.jaas.config, ssl.*): " + ex.getMessage();
    }
}
