package io.sluice.kafka;

/**
 * A Kafka source or sink cannot do what it was configured to: the message names the topic, the
 * brokers or the setting, and what is wrong.
 */
public class KafkaConnectorException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * An error.
     *
     * @param message naming what and where.
     */
    public KafkaConnectorException(final String message)
    {
        super(message);
    }

    /**
     * An error with its cause.
     *
     * @param message naming what and where.
     * @param cause   from the Kafka client.
     */
    public KafkaConnectorException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
