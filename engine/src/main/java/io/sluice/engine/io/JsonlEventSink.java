package io.sluice.engine.io;

import java.nio.file.Path;

import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * JSON Lines output: one object per output, keys in column order, no spaces. Doubles that JSON
 * cannot represent (NaN, infinities) are written as strings.
 */
final class JsonlEventSink extends EventFileSink
{
    JsonlEventSink(final Path file, final Schema schema, final boolean writeEmit, final io.sluice.engine.pipeline.KeyNames keyNames)
    {
        super(file, schema, writeEmit, keyNames);
    }

    JsonlEventSink(
        final Path file, final Schema schema, final boolean writeEmit, final io.sluice.engine.pipeline.KeyNames keyNames, final boolean append)
    {
        super(file, schema, writeEmit, keyNames, append);
    }

    @Override
    void begin()
    {
    }

    @Override
    void render(final EventFlyweight event)
    {
        line.append('{');
        for (int i = 0; i < names.length; i++)
        {
            if (i > 0)
            {
                line.append(',');
            }
            line.append('"').append(names[i]).append("\":");
            final int start = line.length();
            appendValue(event, i);
            final boolean nonFinite = (kinds[i] == DOUBLE && (line.charAt(line.length() - 1) == 'N' || line.charAt(line.length() - 1) == 'y')) ||
                (kinds[i] == DECIMAL && line.charAt(line.length() - 1) == 'W');
            if (isText(i) || nonFinite)
            {
                final String value = line.substring(start);
                line.setLength(start);
                quote(value);
            }
        }
        line.append('}');
    }

    private void quote(final String value)
    {
        line.append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"':
                    line.append("\\\"");
                    break;
                case '\\':
                    line.append("\\\\");
                    break;
                case '\n':
                    line.append("\\n");
                    break;
                case '\r':
                    line.append("\\r");
                    break;
                case '\t':
                    line.append("\\t");
                    break;
                default:
                    if (c < 0x20)
                    {
                        line.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        line.append(c);
                    }
            }
        }
        line.append('"');
    }
}
