package io.sluice.kafka;

/**
 * A Kafka source or sink cannot do what it was configured to: the message names the topic, the
 * brokers or the setting, and what is wrong.
 */
public class KafkaConnectorException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** Whether trying again later may succeed (brokers unreachable, topic missing, not yet authorized). */
    private final boolean retriable;

    /**
     * An error that trying again will not clear (a setting, a partition-count mismatch).
     *
     * @param message naming what and where.
     */
    public KafkaConnectorException(final String message)
    {
        this(message, null, false);
    }

    /**
     * An error with its cause that trying again will not clear.
     *
     * @param message naming what and where.
     * @param cause   from the Kafka client.
     */
    public KafkaConnectorException(final String message, final Throwable cause)
    {
        this(message, cause, false);
    }

    /**
     * An error, saying whether trying again later may clear it.
     *
     * @param message   naming what and where.
     * @param cause     from the Kafka client, or null.
     * @param retriable whether the condition may pass (unreachable brokers, a topic not yet created, an
     *                  ACL not yet granted).
     */
    public KafkaConnectorException(final String message, final Throwable cause, final boolean retriable)
    {
        super(message, cause);
        this.retriable = retriable;
    }

    /**
     * Whether trying again later may succeed.
     *
     * @return true for unreachable brokers, a missing topic, a refused authorization and the like.
     */
    public boolean retriable()
    {
        return retriable;
    }
}
