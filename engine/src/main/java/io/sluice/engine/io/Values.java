package io.sluice.engine.io;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

import io.sluice.schema.Decimals;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Field;

/**
 * Text to field values and back, shared by the CSV and JSONL formats. Parsing is strict (no
 * {@code 1d}, {@code NaN} or hex floats, integers in range) so a typo is an error, not a silent
 * wrong value. Formatting is deterministic and independent of the JDK version.
 */
final class Values
{
    private static final Pattern INTEGER = Pattern.compile("[-+]?\\d+");
    private static final Pattern DECIMAL = Pattern.compile("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?");

    private Values()
    {
    }

    /**
     * A value could not be decoded; the source adds the file, line and field.
     */
    static final class ValueException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        ValueException(final String reason)
        {
            super(reason, null, false, false);
        }
    }

    /**
     * Writes a field of a writable event from its text.
     *
     * @param out   event being filled.
     * @param field to write.
     * @param text  of the value, unquoted.
     * @throws ValueException saying why the text is not a value of the field's type.
     */
    static void parseInto(final EventFlyweight out, final Field field, final String text)
    {
        final int index = field.index();
        switch (field.type())
        {
            case LONG:
                out.putLong(index, parseLong(text, "a 64-bit integer"));
                break;
            case INT:
            {
                final long value = parseLong(text, "a 32-bit integer");
                if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE)
                {
                    throw new ValueException("'" + text + "' is out of range of a 32-bit integer");
                }
                out.putInt(index, (int)value);
                break;
            }
            case DOUBLE:
                out.putDouble(index, parseDouble(text));
                break;
            case BOOLEAN:
                out.putBoolean(index, parseBoolean(text));
                break;
            case TIMESTAMP:
                out.putLong(index, parseTimestamp(text));
                break;
            case DECIMAL:
                out.putDecimal(index, parseDecimal(field, text));
                break;
            case TEXT:
                putText(out, field, text);
                break;
            default:
                putSymbol(out, field, text);
                break;
        }
    }

    static long parseLong(final String text, final String what)
    {
        if (!INTEGER.matcher(text).matches())
        {
            throw new ValueException(text.isEmpty() ? "value is empty, " + what + " is required" : "'" + text + "' is not " + what);
        }
        try
        {
            return Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new ValueException("'" + text + "' is out of range of " + what);
        }
    }

    static double parseDouble(final String text)
    {
        if (!DECIMAL.matcher(text).matches())
        {
            throw new ValueException(text.isEmpty() ? "value is empty, a number is required" : "'" + text + "' is not a number");
        }
        final double value = Double.parseDouble(text);
        if (Double.isInfinite(value))
        {
            throw new ValueException("'" + text + "' is out of range of a double");
        }
        return value;
    }

    static boolean parseBoolean(final String text)
    {
        switch (text)
        {
            case "true":
            case "TRUE":
            case "True":
            case "1":
                return true;
            case "false":
            case "FALSE":
            case "False":
            case "0":
                return false;
            default:
                throw new ValueException("'" + text + "' is not a boolean (true, false, 1 or 0)");
        }
    }

    static long parseTimestamp(final String text)
    {
        if (INTEGER.matcher(text).matches())
        {
            return parseLong(text, "epoch milliseconds");
        }
        try
        {
            return Instant.parse(text).toEpochMilli();
        }
        catch (final DateTimeParseException | ArithmeticException ex)
        {
            throw new ValueException(text.isEmpty() ? "value is empty, a timestamp is required" :
                "'" + text + "' is neither epoch milliseconds nor an ISO-8601 instant such as 2024-03-01T09:30:00.250Z");
        }
    }

    /**
     * Parses decimal text exactly (digit by digit, never through a double) at the field's scale.
     */
    static long parseDecimal(final Field field, final String text)
    {
        try
        {
            return Decimals.parse(text, field.precision(), field.scale());
        }
        catch (final Decimals.DecimalException ex)
        {
            throw new ValueException(ex.getMessage());
        }
    }

    static void putText(final EventFlyweight out, final Field field, final String text)
    {
        final int length = EventFlyweight.utf8Length(text);
        if (length < 0)
        {
            throw new ValueException("text is not valid Unicode (a lone surrogate)");
        }
        if (length > field.maxLength())
        {
            throw new ValueException("text of " + length + " bytes is longer than the " + field.maxLength() + " of " + field.typeText() +
                " ('" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "')");
        }
        out.putText(field.index(), text);
    }

    static void putSymbol(final EventFlyweight out, final Field field, final String text)
    {
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c == 0 || c > 0x7F)
            {
                throw new ValueException("'" + text + "' has a character that is not ASCII (or is NUL) at position " + (i + 1));
            }
        }
        if (text.length() > field.width())
        {
            throw new ValueException("'" + text + "' is " + text.length() + " characters, longer than the symbol's " + field.width());
        }
        out.putSymbol(field.index(), text);
    }

    /**
     * Formats a double deterministically: the fewest significant digits that read back as the same
     * double, found with exact decimal arithmetic (so the text does not depend on the JDK's
     * {@code Double.toString}, which changed in JDK 19); plain notation for magnitudes in
     * [1e-6, 1e15), scientific otherwise; integral values keep a {@code .0}.
     *
     * @param value to format; NaN and infinities give {@code NaN}, {@code Infinity}, {@code -Infinity}.
     * @param out   to append to.
     * @return out.
     */
    static StringBuilder formatDouble(final double value, final StringBuilder out)
    {
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            return out.append(Double.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
        if (value == 0)
        {
            return out.append(1 / value < 0 ? "-0.0" : "0.0");
        }
        final double magnitude = Math.abs(value);
        if (magnitude < 1e15 && value == Math.rint(value))
        {
            return out.append((long)value).append(".0");
        }
        final BigDecimal exact = new BigDecimal(value);
        BigDecimal shortest = exact;
        for (int digits = 1; digits <= 17; digits++)
        {
            final BigDecimal candidate = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
            if (candidate.doubleValue() == value)
            {
                shortest = candidate;
                break;
            }
        }
        shortest = shortest.stripTrailingZeros();
        if (magnitude >= 1e-6 && magnitude < 1e15)
        {
            final String plain = shortest.toPlainString();
            out.append(plain);
            if (plain.indexOf('.') < 0)
            {
                out.append(".0");
            }
            return out;
        }
        final String unscaled = shortest.unscaledValue().abs().toString();
        final int exponent = unscaled.length() - 1 - shortest.scale();
        if (value < 0)
        {
            out.append('-');
        }
        out.append(unscaled.charAt(0)).append('.');
        out.append(unscaled.length() > 1 ? unscaled.substring(1) : "0");
        return out.append('E').append(exponent);
    }
}
