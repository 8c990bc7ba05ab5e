package io.sluice.engine.io;

import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * Decodes one event from one record of text, with exactly the rules of the file sources (so a
 * connector's records and a replayed file decode alike): a JSON object ({@link FileFormat#JSONL}
 * rules) or a CSV line whose values are the schema's fields in schema order (no header; quoting as in
 * {@link FileFormat#CSV} files).
 *
 * <p>Threading: one thread per decoder.
 */
public final class EventTextDecoder
{
    private final EventFileSource decoder;

    private EventTextDecoder(final EventFileSource decoder)
    {
        this.decoder = decoder;
    }

    /**
     * A decoder of JSON objects.
     *
     * @param schema of the events.
     * @return the decoder.
     */
    public static EventTextDecoder json(final Schema schema)
    {
        return new EventTextDecoder(new JsonlEventSource(null, schema, MalformedInputPolicy.SKIP, null));
    }

    /**
     * A decoder of CSV lines holding the schema's fields in schema order.
     *
     * @param schema of the events.
     * @return the decoder.
     */
    public static EventTextDecoder csv(final Schema schema)
    {
        final CsvEventSource source = new CsvEventSource(null, schema, MalformedInputPolicy.SKIP, null);
        source.headerInSchemaOrder();
        return new EventTextDecoder(source);
    }

    /**
     * Decodes one record into an event.
     *
     * @param text of the record.
     * @param out  event to write, wrapped for writing.
     * @throws IllegalArgumentException naming the field (when one is at fault) and what is wrong.
     */
    public void decode(final String text, final EventFlyweight out)
    {
        try
        {
            decoder.decode(text, out);
        }
        catch (final EventFileSource.LineException ex)
        {
            throw new IllegalArgumentException(ex.field == null ? ex.getMessage() : "field '" + ex.field + "' " + ex.getMessage(), ex);
        }
    }
}
