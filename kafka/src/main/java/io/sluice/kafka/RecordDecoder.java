package io.sluice.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.engine.io.EventTextDecoder;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * Decodes a Kafka record's value into an event of a schema, in the source's value format, and says
 * why a value does not decode. Shared by {@link KafkaSource} and {@link KafkaGroupMember}.
 *
 * <p>The value is the consumer's view of its fetch buffer ({@code ByteBufferDeserializer} returns
 * the record's slice itself, no copy). A BINARY value is not copied here either: {@link #buffer()}
 * then views the record's own bytes, and the only copy is the publisher's into the ring slot; a
 * text value is parsed into one reused event buffer.
 *
 * <p>Threading: one polling thread; {@link #buffer()} is valid until the next {@link #decode}.
 */
final class RecordDecoder
{
    private final Schema schema;
    private final UnsafeBuffer buffer;
    private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
    private final EventFlyweight event;
    private DirectBuffer decoded;
    private final EventTextDecoder text;

    RecordDecoder(final Schema schema, final ValueFormat format)
    {
        this.schema = schema;
        this.buffer = new UnsafeBuffer(new byte[schema.length()]);
        this.event = new EventFlyweight(schema).wrapForWrite(buffer, 0);
        this.decoded = buffer;
        this.text = switch (format)
        {
            case JSON -> EventTextDecoder.json(schema);
            case CSV -> EventTextDecoder.csv(schema);
            case BINARY -> null;
        };
    }

    /**
     * The buffer holding the last decoded event at offset 0: a view of the record's value (BINARY) or
     * the decoder's own event buffer (text formats).
     *
     * @return the buffer, valid until the next {@link #decode}.
     */
    DirectBuffer buffer()
    {
        return decoded;
    }

    /**
     * Whether a decoded event is a view of its record's value (BINARY), which stays valid while the record is
     * held, so that several records can be checked first and published after; a text format decodes into the
     * decoder's one buffer.
     *
     * @return true for BINARY values.
     */
    boolean viewsValues()
    {
        return text == null;
    }

    /**
     * Decodes a value, making {@link #buffer()} hold the event.
     *
     * @param value of the Kafka record from its position to its limit (left unchanged), null for a
     *              tombstone.
     * @return why it does not decode, or null when it did.
     */
    String decode(final ByteBuffer value)
    {
        if (value == null)
        {
            return "the record has no value (a tombstone)";
        }
        final int length = value.remaining();
        if (text == null)
        {
            if (length != schema.length())
            {
                return "binary value of " + length + " bytes, schema '" + schema.name() + "' events are " + schema.length() + " bytes";
            }
            view.wrap(value, value.position(), length);
            decoded = view;
            return null;
        }
        decoded = buffer;
        try
        {
            buffer.setMemory(0, schema.length(), (byte)0);
            text.decode(utf8(value), event);
            return null;
        }
        catch (final IllegalArgumentException ex)
        {
            return ex.getMessage();
        }
    }

    private static String utf8(final ByteBuffer value)
    {
        if (value.hasArray())
        {
            return new String(value.array(), value.arrayOffset() + value.position(), value.remaining(), StandardCharsets.UTF_8);
        }
        return StandardCharsets.UTF_8.decode(value.duplicate()).toString();
    }
}
