package io.sluice.kafka;

/**
 * Delivery guarantee of a {@link KafkaSink}.
 */
public enum SinkMode
{
    /**
     * One transactional producer per Sluice partition; a {@code read_committed} consumer sees every
     * output once across crashes (see {@link KafkaSink}).
     */
    EXACTLY_ONCE,
    /**
     * An idempotent producer, outputs visible at once; after a crash the replayed outputs come again,
     * with the same sequence numbers in their headers so consumers can drop them.
     */
    AT_LEAST_ONCE;

    /**
     * Parses a configured name.
     *
     * @param name exactly_once or at_least_once (any case, '-' or '_').
     * @return the mode.
     * @throws KafkaConnectorException naming the allowed values.
     */
    public static SinkMode of(final String name)
    {
        for (final SinkMode mode : values())
        {
            if (mode.name().equalsIgnoreCase(name.replace('-', '_')))
            {
                return mode;
            }
        }
        throw new KafkaConnectorException("unknown Kafka sink mode '" + name + "' (exactly_once or at_least_once)");
    }
}
