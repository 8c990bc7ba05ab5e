package io.sluice.engine.io;

import java.io.InputStream;
import java.nio.file.Path;

import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Field;
import io.sluice.schema.FieldType;
import io.sluice.schema.Schema;

/**
 * JSON Lines events: one JSON object per line, every field of the schema present by name, other
 * keys ignored whatever their value. Numbers go to numeric fields (integral fields need integral
 * numbers), strings to SYMBOL and TEXT fields, {@code true}/{@code false} to BOOLEAN fields; a TIMESTAMP takes
 * epoch milliseconds or an ISO-8601 instant string; a DECIMAL a number or a string, parsed from its
 * text exactly. {@code null} is refused: events have no nulls.
 */
final class JsonlEventSource extends EventFileSource
{
    private final boolean[] seen;
    private String line;
    private int pos;
    private int depth;

    JsonlEventSource(final Path file, final Schema schema, final MalformedInputPolicy policy, final InputStream reader)
    {
        super(file, schema, policy, reader);
        this.seen = new boolean[schema.fieldCount()];
    }

    @Override
    void start()
    {
    }

    @Override
    void decode(final String text, final EventFlyweight out)
    {
        line = text;
        pos = 0;
        depth = 0;
        java.util.Arrays.fill(seen, false);
        skipWhitespace();
        expect('{', "a line must hold one JSON object");
        skipWhitespace();
        if (peek() == '}')
        {
            pos++;
        }
        else
        {
            while (true)
            {
                skipWhitespace();
                if (peek() != '"')
                {
                    throw malformed(null, "expected a quoted key at column " + (pos + 1));
                }
                final String key = string();
                skipWhitespace();
                expect(':', "expected ':' after key \"" + key + "\"");
                skipWhitespace();
                if (schema.hasField(key))
                {
                    final Field field = schema.field(key);
                    if (seen[field.index()])
                    {
                        throw malformed(key, "appears twice in the object");
                    }
                    seen[field.index()] = true;
                    value(field, out);
                }
                else
                {
                    skipValue();
                }
                skipWhitespace();
                final char c = peek();
                pos++;
                if (c == '}')
                {
                    break;
                }
                if (c != ',')
                {
                    throw malformed(null, c == 0 ? "the object is never closed" : "expected ',' or '}' at column " + pos);
                }
            }
        }
        skipWhitespace();
        if (pos < line.length())
        {
            throw malformed(null, "unexpected text after the object at column " + (pos + 1));
        }
        for (int i = 0; i < seen.length; i++)
        {
            if (!seen[i])
            {
                throw malformed(schema.field(i).name(), "is missing");
            }
        }
    }

    private void value(final Field field, final EventFlyweight out)
    {
        final char c = peek();
        try
        {
            if (c == '"')
            {
                final String text = string();
                if (field.type() == FieldType.SYMBOL)
                {
                    Values.putSymbol(out, field, text);
                }
                else if (field.type() == FieldType.TEXT || field.type() == FieldType.DECIMAL)
                {
                    // A decimal as a string ("330.54") is common in JSON from money systems; parsed as exactly.
                    Values.parseInto(out, field, text);
                }
                else if (field.type() == FieldType.TIMESTAMP)
                {
                    out.putLong(field.index(), Values.parseTimestamp(text));
                }
                else
                {
                    throw malformed(field.name(), "expected a " + describe(field) + ", found the string \"" + text + "\"");
                }
            }
            else if (c == '-' || (c >= '0' && c <= '9'))
            {
                final String number = number();
                if (field.type().isText() || field.type() == FieldType.BOOLEAN)
                {
                    throw malformed(field.name(), "expected a " + describe(field) + ", found the number " + number);
                }
                if (field.type() == FieldType.DECIMAL)
                {
                    // The number's own text, digit by digit: 330.54 is 33054 at scale 2, never a double first.
                    Values.parseInto(out, field, number);
                }
                else if (field.type() != FieldType.DOUBLE && (number.indexOf('.') >= 0 || number.indexOf('e') >= 0 || number.indexOf('E') >= 0))
                {
                    throw malformed(field.name(), number + " is not an integer, and the field is a " + field.type());
                }
                else
                {
                    Values.parseInto(out, field, number);
                }
            }
            else if (line.startsWith("true", pos) || line.startsWith("false", pos))
            {
                final boolean value = line.startsWith("true", pos);
                pos += value ? 4 : 5;
                if (field.type() != FieldType.BOOLEAN)
                {
                    throw malformed(field.name(), "expected a " + describe(field) + ", found " + value);
                }
                out.putBoolean(field.index(), value);
            }
            else if (line.startsWith("null", pos))
            {
                throw malformed(field.name(), "is null; events have no nulls");
            }
            else
            {
                throw malformed(field.name(), "expected a " + describe(field) + " at column " + (pos + 1));
            }
        }
        catch (final Values.ValueException ex)
        {
            throw malformed(field.name(), ex.getMessage());
        }
    }

    private static String describe(final Field field)
    {
        switch (field.type())
        {
            case SYMBOL:
            case TEXT:
                return "string";
            case DECIMAL:
                return "decimal number or string";
            case BOOLEAN:
                return "true or false";
            case TIMESTAMP:
                return "number (epoch milliseconds) or ISO-8601 string";
            default:
                return "number";
        }
    }

    private String number()
    {
        final int start = pos;
        if (peek() == '-')
        {
            pos++;
        }
        if (peek() == '0')
        {
            pos++;
        }
        else if (!digits())
        {
            throw malformed(null, "malformed number at column " + (start + 1));
        }
        if (peek() == '.')
        {
            pos++;
            if (!digits())
            {
                throw malformed(null, "malformed number at column " + (start + 1));
            }
        }
        if (peek() == 'e' || peek() == 'E')
        {
            pos++;
            if (peek() == '+' || peek() == '-')
            {
                pos++;
            }
            if (!digits())
            {
                throw malformed(null, "malformed number at column " + (start + 1));
            }
        }
        return line.substring(start, pos);
    }

    private boolean digits()
    {
        final int start = pos;
        while (peek() >= '0' && peek() <= '9')
        {
            pos++;
        }
        return pos > start;
    }

    private String string()
    {
        final int start = pos;
        pos++; // opening quote
        final StringBuilder value = new StringBuilder();
        while (true)
        {
            if (pos >= line.length())
            {
                throw malformed(null, "string starting at column " + (start + 1) + " is never closed");
            }
            final char c = line.charAt(pos++);
            if (c == '"')
            {
                return value.toString();
            }
            if (c < 0x20)
            {
                throw malformed(null, "control character in a string at column " + pos);
            }
            if (c != '\\')
            {
                value.append(c);
                continue;
            }
            final char escape = pos < line.length() ? line.charAt(pos++) : 0;
            switch (escape)
            {
                case '"':
                case '\\':
                case '/':
                    value.append(escape);
                    break;
                case 'b':
                    value.append('\b');
                    break;
                case 'f':
                    value.append('\f');
                    break;
                case 'n':
                    value.append('\n');
                    break;
                case 'r':
                    value.append('\r');
                    break;
                case 't':
                    value.append('\t');
                    break;
                case 'u':
                    if (pos + 4 > line.length())
                    {
                        throw malformed(null, "truncated \\u escape at column " + (pos - 1));
                    }
                    try
                    {
                        value.append((char)Integer.parseInt(line.substring(pos, pos + 4), 16));
                    }
                    catch (final NumberFormatException ex)
                    {
                        throw malformed(null, "bad \\u escape at column " + (pos - 1));
                    }
                    pos += 4;
                    break;
                default:
                    throw malformed(null, "bad escape at column " + (pos - 1));
            }
        }
    }

    private void skipValue()
    {
        final char c = peek();
        if (c == '"')
        {
            string();
        }
        else if (c == '-' || (c >= '0' && c <= '9'))
        {
            number();
        }
        else if (line.startsWith("true", pos) || line.startsWith("null", pos))
        {
            pos += 4;
        }
        else if (line.startsWith("false", pos))
        {
            pos += 5;
        }
        else if (c == '{' || c == '[')
        {
            final char close = c == '{' ? '}' : ']';
            if (++depth > 64)
            {
                throw malformed(null, "values nested deeper than 64 levels");
            }
            pos++;
            skipWhitespace();
            if (peek() == close)
            {
                pos++;
                depth--;
                return;
            }
            while (true)
            {
                skipWhitespace();
                if (c == '{')
                {
                    if (peek() != '"')
                    {
                        throw malformed(null, "expected a quoted key at column " + (pos + 1));
                    }
                    string();
                    skipWhitespace();
                    expect(':', "expected ':' at column " + (pos + 1));
                    skipWhitespace();
                }
                skipValue();
                skipWhitespace();
                final char next = peek();
                pos++;
                if (next == close)
                {
                    depth--;
                    return;
                }
                if (next != ',')
                {
                    throw malformed(null, "expected ',' or '" + close + "' at column " + pos);
                }
            }
        }
        else
        {
            throw malformed(null, "expected a JSON value at column " + (pos + 1));
        }
    }

    private void skipWhitespace()
    {
        while (pos < line.length())
        {
            final char c = line.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            {
                return;
            }
            pos++;
        }
    }

    private char peek()
    {
        return pos < line.length() ? line.charAt(pos) : 0;
    }

    private void expect(final char c, final String reason)
    {
        if (peek() != c)
        {
            throw malformed(null, reason);
        }
        pos++;
    }

    private EventFileSource.LineException malformed(final String field, final String reason)
    {
        return new EventFileSource.LineException(field, reason);
    }
}
