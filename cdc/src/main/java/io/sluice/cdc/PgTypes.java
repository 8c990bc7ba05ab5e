package io.sluice.cdc;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteOrder;

import org.agrona.DirectBuffer;

import io.sluice.schema.Decimals;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Field;
import io.sluice.schema.FieldType;

/**
 * PostgreSQL's built-in types this source maps to event fields, and their conversion from binary send
 * format (what pgoutput sends with {@code binary 'true'} and {@code COPY ... (FORMAT binary)} writes).
 *
 * <pre>
 *   PostgreSQL                      event field
 *   smallint, integer               INT, LONG, DOUBLE
 *   bigint                          LONG, DOUBLE
 *   real, double precision          DOUBLE
 *   numeric(p, s), p &lt;= 18       DECIMAL(p', s') with s' &gt;= s and p' - s' &gt;= p - s (every value fits, exactly)
 *   numeric                         LONG (scaled by 10^scale: 12.34 with scale 2 is 1234), DOUBLE
 *   boolean                         BOOLEAN
 *   timestamp, timestamptz, date    TIMESTAMP, LONG (epoch milliseconds, UTC)
 *   text, varchar, char, name       SYMBOL(width) (ASCII; a longer value is an error)
 * </pre>
 * Anything else is refused at start, naming the table and column; so is a numeric column without a
 * precision, or of more than 18 digits, or whose values would not all fit, into a DECIMAL field. A NULL
 * becomes the field's zero value.
 */
final class PgTypes
{
    static final int BOOL = 16;
    static final int NAME = 19;
    static final int INT8 = 20;
    static final int INT2 = 21;
    static final int INT4 = 23;
    static final int TEXT = 25;
    static final int FLOAT4 = 700;
    static final int FLOAT8 = 701;
    static final int BPCHAR = 1042;
    static final int VARCHAR = 1043;
    static final int DATE = 1082;
    static final int TIMESTAMP = 1114;
    static final int TIMESTAMPTZ = 1184;
    static final int NUMERIC = 1700;

    /** Microseconds from 1970-01-01 to PostgreSQL's epoch 2000-01-01 (UTC). */
    static final long PG_EPOCH_MICROS = 946_684_800_000_000L;
    private static final long[] POW10 = {
        1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L, 100_000_000L, 1_000_000_000L,
        10_000_000_000L, 100_000_000_000L, 1_000_000_000_000L, 10_000_000_000_000L, 100_000_000_000_000L,
        1_000_000_000_000_000L, 10_000_000_000_000_000L, 100_000_000_000_000_000L, 1_000_000_000_000_000_000L};

    private PgTypes()
    {
    }

    /**
     * A name for a type OID, for messages.
     *
     * @param oid of the type.
     * @return its SQL name, or "type OID n".
     */
    static String name(final int oid)
    {
        switch (oid)
        {
            case BOOL: return "boolean";
            case NAME: return "name";
            case INT8: return "bigint";
            case INT2: return "smallint";
            case INT4: return "integer";
            case TEXT: return "text";
            case FLOAT4: return "real";
            case FLOAT8: return "double precision";
            case BPCHAR: return "character";
            case VARCHAR: return "character varying";
            case DATE: return "date";
            case TIMESTAMP: return "timestamp";
            case TIMESTAMPTZ: return "timestamp with time zone";
            case NUMERIC: return "numeric";
            default: return "type OID " + oid;
        }
    }

    /**
     * Why a column of a type cannot fill a field, or null if it can.
     *
     * @param oid      the column's type.
     * @param typeName the column's type as SQL writes it, for the message.
     * @param typmod   the column's type modifier (a numeric's precision and scale), -1 if none.
     * @param target   the field.
     * @return the reason, or null.
     */
    static String incompatibility(final int oid, final String typeName, final int typmod, final Field target)
    {
        final FieldType field = target.type();
        if (oid == NUMERIC && field == FieldType.DECIMAL)
        {
            return decimalIncompatibility(typeName, typmod, target);
        }
        final boolean ok;
        switch (oid)
        {
            case INT2:
            case INT4:
                ok = field == FieldType.INT || field == FieldType.LONG || field == FieldType.DOUBLE;
                break;
            case INT8:
                ok = field == FieldType.LONG || field == FieldType.DOUBLE;
                break;
            case FLOAT4:
            case FLOAT8:
                ok = field == FieldType.DOUBLE;
                break;
            case NUMERIC:
                ok = field == FieldType.LONG || field == FieldType.DOUBLE;
                break;
            case BOOL:
                ok = field == FieldType.BOOLEAN;
                break;
            case DATE:
            case TIMESTAMP:
            case TIMESTAMPTZ:
                ok = field == FieldType.TIMESTAMP || field == FieldType.LONG;
                break;
            case TEXT:
            case VARCHAR:
            case BPCHAR:
            case NAME:
                ok = field == FieldType.SYMBOL;
                break;
            default:
                return "unsupported column type " + typeName + " (supported: smallint, integer, bigint, real, double precision, " +
                    "numeric, boolean, date, timestamp, timestamptz, text, varchar, char, name)";
        }
        return ok ? null : "a " + typeName + " column cannot fill a " + target.typeText() + " field";
    }

    /**
     * A numeric(p, s) column fills a DECIMAL(p', s') field when every value of the column is a value of
     * the field: p &lt;= 18, s' &gt;= s and p' - s' &gt;= p - s. Checked once, at start, so no row can fail.
     * The type modifier is {@code ((p << 16) | (s & 0x7FF)) + 4}, the scale an 11-bit signed number
     * (negative scales exist from PostgreSQL 15).
     */
    private static String decimalIncompatibility(final String typeName, final int typmod, final Field target)
    {
        if (typmod < 4)
        {
            return "a numeric column without a precision (" + typeName + ") cannot fill a " + target.typeText() +
                " field: its values may have any number of digits; declare the column numeric(p, s) with p <= 18, " +
                "or make the field DOUBLE";
        }
        final int precision = ((typmod - 4) >> 16) & 0xFFFF;
        final int scale = (((typmod - 4) & 0x7FF) ^ 1024) - 1024;
        if (precision > Decimals.MAX_PRECISION)
        {
            return "a " + typeName + " column has up to " + precision + " digits, more than the 18 of a DECIMAL field; " +
                "declare the column numeric(p, s) with p <= 18, or make the field DOUBLE";
        }
        if (scale < 0 || scale > target.scale() || precision - scale > target.precision() - target.scale())
        {
            final int integerDigits = Math.max(0, precision - Math.max(scale, 0));
            return "a " + typeName + " column's values do not all fit a " + target.typeText() + " field; declare it DECIMAL(p, s) " +
                "with s >= " + Math.max(scale, 0) + " and p - s >= " + integerDigits + " (e.g. " +
                Decimals.typeText(Math.min(Decimals.MAX_PRECISION, integerDigits + Math.max(scale, target.scale())),
                Math.max(scale, target.scale())) + ")";
        }
        return null;
    }

    /**
     * Writes a value in binary send format into a field. The caller has checked
     * {@link #incompatibility(int, String, int, Field)}.
     *
     * @param oid    the column's type.
     * @param src    holding the value.
     * @param offset of the value.
     * @param length of the value.
     * @param event  to write into.
     * @param field  index in the event.
     * @param type   of the field.
     * @param scale  for numeric into LONG: decimal places kept; into DECIMAL: the field's scale.
     * @return null on success, or why the value does not fit (the caller adds table, column and row).
     */
    static String write(
        final int oid, final DirectBuffer src, final int offset, final int length,
        final EventFlyweight event, final int field, final FieldType type, final int scale)
    {
        switch (oid)
        {
            case INT2:
                event.putNumber(field, (long)src.getShort(offset, ByteOrder.BIG_ENDIAN));
                return null;
            case INT4:
                event.putNumber(field, (long)src.getInt(offset, ByteOrder.BIG_ENDIAN));
                return null;
            case INT8:
                event.putNumber(field, src.getLong(offset, ByteOrder.BIG_ENDIAN));
                return null;
            case FLOAT4:
                event.putDouble(field, Float.intBitsToFloat(src.getInt(offset, ByteOrder.BIG_ENDIAN)));
                return null;
            case FLOAT8:
                event.putDouble(field, Double.longBitsToDouble(src.getLong(offset, ByteOrder.BIG_ENDIAN)));
                return null;
            case BOOL:
                event.putBoolean(field, src.getByte(offset) != 0);
                return null;
            case DATE:
            {
                final int days = src.getInt(offset, ByteOrder.BIG_ENDIAN);
                if (days == Integer.MAX_VALUE || days == Integer.MIN_VALUE)
                {
                    return "date is infinity";
                }
                event.putLong(field, days * 86_400_000L + PG_EPOCH_MICROS / 1000);
                return null;
            }
            case TIMESTAMP:
            case TIMESTAMPTZ:
            {
                final long micros = src.getLong(offset, ByteOrder.BIG_ENDIAN);
                if (micros == Long.MAX_VALUE || micros == Long.MIN_VALUE)
                {
                    return "timestamp is infinity";
                }
                event.putLong(field, Math.floorDiv(micros, 1000L) + PG_EPOCH_MICROS / 1000);
                return null;
            }
            case NUMERIC:
                return numeric(src, offset, event, field, type, scale);
            case TEXT:
            case VARCHAR:
            case BPCHAR:
            case NAME:
                return symbol(oid, src, offset, length, event, field);
            default:
                return "unsupported type " + name(oid);
        }
    }

    private static String symbol(
        final int oid, final DirectBuffer src, final int offset, final int length, final EventFlyweight event, final int field)
    {
        int end = length;
        if (oid == BPCHAR)
        {
            // char(n) is blank-padded; the padding is not part of the value in PostgreSQL's comparisons.
            while (end > 0 && src.getByte(offset + end - 1) == ' ')
            {
                end--;
            }
        }
        final int width = event.schema().field(field).width();
        if (end > width)
        {
            return "value of " + end + " bytes is longer than the " + width + " bytes of the symbol field";
        }
        final org.agrona.MutableDirectBuffer dst = (org.agrona.MutableDirectBuffer)event.buffer();
        final int at = event.offset() + event.schema().field(field).offset();
        for (int i = 0; i < width; i++)
        {
            final byte b = i < end ? src.getByte(offset + i) : 0;
            if (b < 0)
            {
                return "value is not ASCII (byte " + i + ")";
            }
            dst.putByte(at + i, b);
        }
        return null;
    }

    /**
     * numeric in binary send format:
     * <pre>
     *  +-------------+------------+-----------+------------+------------------------------+
     *  | ndigits (16)| weight (16)| sign (16) | dscale (16)| ndigits x digit (16, 0..9999)|
     *  +-------------+------------+-----------+------------+------------------------------+
     * </pre>
     * value = sign * sum(digit[i] * 10000^(weight - i)); sign 0x0000 positive, 0x4000 negative,
     * 0xC000 NaN, 0xD000 +infinity, 0xF000 -infinity.
     */
    private static String numeric(
        final DirectBuffer src, final int offset, final EventFlyweight event, final int field, final FieldType type, final int scale)
    {
        final int ndigits = src.getShort(offset, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        final int weight = src.getShort(offset + 2, ByteOrder.BIG_ENDIAN);
        final int sign = src.getShort(offset + 4, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        if (sign == 0xC000)
        {
            if (type == FieldType.DOUBLE)
            {
                event.putDouble(field, Double.NaN);
                return null;
            }
            return "numeric NaN does not fit a " + type + " field";
        }
        if (sign == 0xD000 || sign == 0xF000)
        {
            if (type == FieldType.DOUBLE)
            {
                event.putDouble(field, sign == 0xD000 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY);
                return null;
            }
            return "numeric infinity does not fit a " + type + " field";
        }
        final int targetScale = type == FieldType.DOUBLE ? -1 : scale;
        // Fast path: accumulate value * 10^scale in a long; digits below the scale must be zero.
        long unscaled = 0;
        boolean overflow = false;
        boolean lostDigits = false;
        final int fractionDigits = targetScale < 0 ? 0 : targetScale;
        for (int i = 0; i < ndigits && !overflow; i++)
        {
            final int digit = src.getShort(offset + 8 + 2 * i, ByteOrder.BIG_ENDIAN);
            // Position of this base-10000 digit in decimal places: 4 * (weight - i) is its exponent.
            final int exponent = 4 * (weight - i) + fractionDigits;
            if (exponent >= 0)
            {
                final long part;
                if (exponent >= POW10.length)
                {
                    overflow = digit != 0;
                    continue;
                }
                part = (long)digit * POW10[exponent];
                if (part / POW10[exponent] != digit || unscaled > Long.MAX_VALUE - part)
                {
                    overflow = true;
                }
                unscaled += part;
            }
            else if (exponent > -4)
            {
                final long div = POW10[-exponent];
                unscaled += digit / div;
                if (digit % div != 0)
                {
                    lostDigits = true;
                }
                if (unscaled < 0)
                {
                    overflow = true;
                }
            }
            else if (digit != 0)
            {
                lostDigits = true;
            }
        }
        if (type == FieldType.DOUBLE)
        {
            event.putDouble(field, toBigDecimal(src, offset, ndigits, weight, sign).doubleValue());
            return null;
        }
        if (overflow)
        {
            return "numeric " + toBigDecimal(src, offset, ndigits, weight, sign).toPlainString() + " scaled by 10^" + scale +
                " does not fit a " + type;
        }
        if (lostDigits)
        {
            return "numeric " + toBigDecimal(src, offset, ndigits, weight, sign).toPlainString() + " has more than " + scale +
                " decimal places (the field's scale)";
        }
        if (type == FieldType.DECIMAL)
        {
            if (unscaled > Decimals.MAX_UNSCALED)
            {
                return "numeric " + toBigDecimal(src, offset, ndigits, weight, sign).toPlainString() + " has more than 18 digits";
            }
            event.putDecimal(field, sign == 0x4000 ? -unscaled : unscaled);
            return null;
        }
        event.putLong(field, sign == 0x4000 ? -unscaled : unscaled);
        return null;
    }

    private static BigDecimal toBigDecimal(final DirectBuffer src, final int offset, final int ndigits, final int weight, final int sign)
    {
        BigInteger value = BigInteger.ZERO;
        final BigInteger base = BigInteger.valueOf(10_000);
        for (int i = 0; i < ndigits; i++)
        {
            value = value.multiply(base).add(BigInteger.valueOf(src.getShort(offset + 8 + 2 * i, ByteOrder.BIG_ENDIAN)));
        }
        // The last digit has exponent weight - (ndigits - 1), in units of 10^4.
        final BigDecimal d = new BigDecimal(value).scaleByPowerOfTen(4 * (weight - ndigits + 1));
        return sign == 0x4000 ? d.negate() : d;
    }
}
