package io.sluice.engine.io;

import java.nio.file.Path;

import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * CSV output: a header line, then one line per output; text values are quoted only when they hold
 * a comma, a quote, a line break or edge spaces.
 */
final class CsvEventSink extends EventFileSink
{
    CsvEventSink(final Path file, final Schema schema, final boolean writeEmit, final io.sluice.engine.pipeline.KeyNames keyNames)
    {
        super(file, schema, writeEmit, keyNames);
    }

    CsvEventSink(
        final Path file, final Schema schema, final boolean writeEmit, final io.sluice.engine.pipeline.KeyNames keyNames, final boolean append)
    {
        super(file, schema, writeEmit, keyNames, append);
    }

    @Override
    void begin()
    {
        line.setLength(0);
        for (int i = 0; i < names.length; i++)
        {
            line.append(i == 0 ? "" : ",").append(names[i]);
        }
        writeLine();
    }

    @Override
    void render(final EventFlyweight event)
    {
        for (int i = 0; i < names.length; i++)
        {
            if (i > 0)
            {
                line.append(',');
            }
            final int start = line.length();
            appendValue(event, i);
            if (isText(i) && needsQuotes(start))
            {
                final String value = line.substring(start);
                line.setLength(start);
                line.append('"').append(value.replace("\"", "\"\"")).append('"');
            }
        }
    }

    private boolean needsQuotes(final int start)
    {
        final int end = line.length();
        if (end > start && (line.charAt(start) == ' ' || line.charAt(end - 1) == ' '))
        {
            return true;
        }
        for (int i = start; i < end; i++)
        {
            final char c = line.charAt(i);
            if (c == ',' || c == '"' || c == '\n' || c == '\r')
            {
                return true;
            }
        }
        return false;
    }
}
