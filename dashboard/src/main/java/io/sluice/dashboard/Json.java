package io.sluice.dashboard;

/**
 * A minimal JSON writer over a {@link StringBuilder} for the frames the dashboard pushes: the
 * dashboard thread writes a few kilobytes a second, so clarity beats a library here. Strings are
 * escaped per RFC 8259, and {@code <}, {@code >} and {@code &} as unicode escapes so that no text
 * from a pipeline can ever be read as markup.
 *
 * <p>Threading: one instance per thread.
 */
final class Json
{
    private final StringBuilder out;
    private boolean first = true;

    Json(final StringBuilder out)
    {
        this.out = out;
    }

    Json open()
    {
        comma();
        out.append('{');
        first = true;
        return this;
    }

    Json close()
    {
        out.append('}');
        first = false;
        return this;
    }

    Json openArray()
    {
        comma();
        out.append('[');
        first = true;
        return this;
    }

    Json closeArray()
    {
        out.append(']');
        first = false;
        return this;
    }

    Json name(final String name)
    {
        comma();
        string(out, name);
        out.append(':');
        first = true;
        return this;
    }

    Json value(final String value)
    {
        comma();
        if (value == null)
        {
            out.append("null");
        }
        else
        {
            string(out, value);
        }
        return this;
    }

    Json value(final long value)
    {
        comma();
        out.append(value);
        return this;
    }

    Json value(final double value)
    {
        comma();
        if (Double.isFinite(value))
        {
            out.append(value);
        }
        else
        {
            out.append("null");
        }
        return this;
    }

    Json value(final boolean value)
    {
        comma();
        out.append(value);
        return this;
    }

    Json raw(final String json)
    {
        comma();
        out.append(json);
        return this;
    }

    Json field(final String name, final String value)
    {
        return name(name).value(value);
    }

    Json field(final String name, final long value)
    {
        return name(name).value(value);
    }

    Json field(final String name, final double value)
    {
        return name(name).value(value);
    }

    Json field(final String name, final boolean value)
    {
        return name(name).value(value);
    }

    private void comma()
    {
        if (!first)
        {
            out.append(',');
        }
        first = false;
    }

    static void string(final StringBuilder out, final String text)
    {
        out.append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default ->
                {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029)
                    {
                        out.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * A JSON string literal.
     *
     * @param text to quote.
     * @return the literal.
     */
    static String quote(final String text)
    {
        final StringBuilder out = new StringBuilder(text.length() + 2);
        string(out, text);
        return out.toString();
    }
}
