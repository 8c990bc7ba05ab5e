package io.sluice.kafka;

import java.nio.charset.StandardCharsets;

import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Field;
import io.sluice.schema.Decimals;
import io.sluice.schema.FieldType;

/**
 * Renders an output event as a Kafka record value: a JSON object (fields in schema order), a CSV line
 * (values in schema order, symbols quoted when they hold a comma or a quote) or the event's bytes.
 * Reuses one builder; the value itself is a new array, as the Kafka producer needs.
 *
 * <p>Threading: one thread per encoder.
 */
public final class EventEncoder
{
    private final ValueFormat format;
    private final StringBuilder text = new StringBuilder(256);

    /**
     * An encoder.
     *
     * @param format of the values.
     */
    public EventEncoder(final ValueFormat format)
    {
        this.format = format;
    }

    /**
     * The value of an event.
     *
     * @param event to render.
     * @return a new array holding the value.
     */
    public byte[] encode(final EventFlyweight event)
    {
        if (format == ValueFormat.BINARY)
        {
            final byte[] bytes = new byte[event.length()];
            event.buffer().getBytes(event.offset(), bytes);
            return bytes;
        }
        text.setLength(0);
        if (format == ValueFormat.JSON)
        {
            text.append('{');
        }
        for (int i = 0; i < event.schema().fieldCount(); i++)
        {
            final Field field = event.schema().field(i);
            if (i > 0)
            {
                text.append(',');
            }
            if (format == ValueFormat.JSON)
            {
                text.append('"').append(field.name()).append("\":");
            }
            appendValue(event, field);
        }
        if (format == ValueFormat.JSON)
        {
            text.append('}');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The text of one field, for a record key.
     *
     * @param event holding the field.
     * @param field index in the event's schema.
     * @return a new array holding the UTF-8 text.
     */
    public byte[] fieldText(final EventFlyweight event, final int field)
    {
        text.setLength(0);
        final Field f = event.schema().field(field);
        if (f.type() == FieldType.SYMBOL)
        {
            event.getSymbol(field, text);
        }
        else if (f.type() == FieldType.TEXT)
        {
            event.getText(field, text);
        }
        else if (f.type() == FieldType.DECIMAL)
        {
            Decimals.format(event.getDecimal(field), f.scale(), text);
        }
        else if (f.type() == FieldType.DOUBLE)
        {
            text.append(event.getDouble(field));
        }
        else
        {
            return AsciiDecimal.bytes(event.longValue(field)); // the same bytes as its text, without the text
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void appendValue(final EventFlyweight event, final Field field)
    {
        final int i = field.index();
        switch (field.type())
        {
            case SYMBOL ->
            {
                final int start = text.length();
                event.getSymbol(i, text);
                final String value = text.substring(start);
                text.setLength(start);
                quote(value);
            }
            case DOUBLE ->
            {
                final double value = event.getDouble(i);
                if (Double.isFinite(value))
                {
                    text.append(value);
                }
                else
                {
                    quote(Double.toString(value));
                }
            }
            case BOOLEAN -> text.append(event.getBoolean(i));
            case DECIMAL -> Decimals.format(event.getDecimal(i), field.scale(), text);
            case TEXT ->
            {
                final int start = text.length();
                event.getText(i, text);
                final String value = text.substring(start);
                text.setLength(start);
                quote(value);
            }
            default -> text.append(event.longValue(i));
        }
    }

    private void quote(final String value)
    {
        if (format == ValueFormat.CSV)
        {
            if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0)
            {
                text.append(value);
            }
            else
            {
                text.append('"').append(value.replace("\"", "\"\"")).append('"');
            }
            return;
        }
        text.append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (c == '"' || c == '\\')
            {
                text.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                text.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                text.append(c);
            }
        }
        text.append('"');
    }
}
