package io.sluice.kafka;

/**
 * How a Kafka record's value holds an event.
 */
public enum ValueFormat
{
    /** One JSON object per record, fields by name (the JSONL file rules). */
    JSON,
    /** One CSV line per record, the schema's fields in schema order, no header. */
    CSV,
    /** The event's bytes in Sluice's fixed binary layout of the schema (little-endian, schema length bytes). */
    BINARY;

    /**
     * Parses a configured name.
     *
     * @param name json, csv or binary (any case).
     * @return the format.
     * @throws KafkaConnectorException naming the allowed values.
     */
    public static ValueFormat of(final String name)
    {
        for (final ValueFormat format : values())
        {
            if (format.name().equalsIgnoreCase(name))
            {
                return format;
            }
        }
        throw new KafkaConnectorException("unknown Kafka value format '" + name + "' (json, csv or binary)");
    }
}
