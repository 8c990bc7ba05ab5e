package io.sluice.kafka;

import java.nio.charset.StandardCharsets;

import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.engine.io.EventTextDecoder;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * Decodes a Kafka record's value into one reused event buffer of a schema, in the source's value
 * format, and says why a value does not decode. Shared by {@link KafkaSource} and
 * {@link KafkaGroupMember}.
 *
 * <p>Threading: one polling thread.
 */
final class RecordDecoder
{
    private final Schema schema;
    private final UnsafeBuffer buffer;
    private final EventFlyweight event;
    private final EventTextDecoder text;

    RecordDecoder(final Schema schema, final ValueFormat format)
    {
        this.schema = schema;
        this.buffer = new UnsafeBuffer(new byte[schema.length()]);
        this.event = new EventFlyweight(schema).wrapForWrite(buffer, 0);
        this.text = switch (format)
        {
            case JSON -> EventTextDecoder.json(schema);
            case CSV -> EventTextDecoder.csv(schema);
            case BINARY -> null;
        };
    }

    /**
     * The buffer holding the last decoded event at offset 0.
     *
     * @return the buffer.
     */
    UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * Decodes a value into {@link #buffer()}.
     *
     * @param value of the Kafka record, null for a tombstone.
     * @return why it does not decode, or null when it did.
     */
    String decode(final byte[] value)
    {
        if (value == null)
        {
            return "the record has no value (a tombstone)";
        }
        if (text == null)
        {
            if (value.length != schema.length())
            {
                return "binary value of " + value.length + " bytes, schema '" + schema.name() + "' events are " + schema.length() + " bytes";
            }
            buffer.putBytes(0, value);
            return null;
        }
        try
        {
            buffer.setMemory(0, schema.length(), (byte)0);
            text.decode(new String(value, StandardCharsets.UTF_8), event);
            return null;
        }
        catch (final IllegalArgumentException ex)
        {
            return ex.getMessage();
        }
    }
}
