package io.sluice.engine.io;

import io.sluice.schema.Decimals;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Field;

/**
 * A field's value as the CSV and JSONL formats write it, for tools that print events (the journal
 * dump): integers and timestamps in decimal, doubles with the fewest digits that read back the same
 * (independent of the JDK), booleans {@code true}/{@code false}, symbols and texts as their text,
 * decimals exactly with their scale's digits ({@code 330.50}).
 *
 * <p>Threading: stateless.
 */
public final class FieldText
{
    private FieldText()
    {
    }

    /**
     * Appends a field's value.
     *
     * @param event holding the value.
     * @param field to format, of the event's schema.
     * @param out   to append to.
     * @return out.
     */
    public static StringBuilder append(final EventFlyweight event, final Field field, final StringBuilder out)
    {
        switch (field.type())
        {
            case DOUBLE:
                return Values.formatDouble(event.getDouble(field.index()), out);
            case BOOLEAN:
                return out.append(event.getBoolean(field.index()));
            case SYMBOL:
                return event.getSymbol(field.index(), out);
            case TEXT:
                return event.getText(field.index(), out);
            case DECIMAL:
                return Decimals.format(event.getDecimal(field.index()), field.scale(), out);
            default:
                return out.append(event.longValue(field.index()));
        }
    }

    /**
     * Whether a field's value is text (quoted in JSON).
     *
     * @param field of a schema.
     * @return true for a symbol or a text.
     */
    public static boolean isText(final Field field)
    {
        return field.type().isText();
    }
}
