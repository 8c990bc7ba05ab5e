package io.sluice.schema;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import io.sluice.schema.EventValues;

/**
 * Zero-copy view of one event of a {@link Schema} over bytes that live elsewhere: a ring slot, a
 * mapped journal segment, a scratch buffer. Field access is by index (resolve names to indexes once,
 * when the pipeline is built). Reading never allocates; writing requires a mutable buffer.
 *
 * <p>Threading: a flyweight is owned by one thread; it holds no state beyond the wrapped region.
 */
public final class EventFlyweight implements EventValues
{
    /** System property that turns on the flyweight's own bounds checks (on in the build's tests). */
    public static final String BOUNDS_CHECKS_PROP_NAME = "sluice.bounds.checks";

    /**
     * Whether {@link #wrap} and {@link #wrapForWrite} check that the whole event lies inside the
     * buffer, failing with the schema's name instead of a later read outside the region. Static final,
     * so the JIT drops the check when off (the default); Agrona's own per-access checks follow
     * {@code agrona.disable.bounds.checks}.
     */
    public static final boolean SHOULD_BOUNDS_CHECK = Boolean.getBoolean(BOUNDS_CHECKS_PROP_NAME);

    private static final byte READ_LONG = 0;
    private static final byte READ_INT = 1;
    private static final byte READ_BYTE = 2;
    private static final byte READ_DOUBLE = 3;
    private static final byte READ_HASH = 4;

    /** Bytes of the length that starts a TEXT field's slot. */
    public static final int TEXT_LENGTH_PREFIX = 2;

    /** The largest maximum length of a TEXT field in bytes. */
    public static final int MAX_TEXT_LENGTH = 4096;

    private final Schema schema;
    private final int[] offsets;
    private final FieldType[] types;
    private final int[] widths;
    private final int[] scales;
    /**
     * Per field, how {@link #longValue} reads it ({@link #READ_LONG} and the others below): an int
     * switched on directly, where a switch over {@link FieldType} goes through the enum's ordinal and
     * a lookup table, three dependent loads more on every read of an aggregated value.
     */
    private final byte[] longReads;
    private DirectBuffer buffer;
    private MutableDirectBuffer mutableBuffer;
    private int offset;

    /**
     * Creates a view for a schema; wrap it over bytes before use.
     *
     * @param schema of the events it will view.
     */
    public EventFlyweight(final Schema schema)
    {
        this.schema = schema;
        final int count = schema.fieldCount();
        offsets = new int[count];
        types = new FieldType[count];
        widths = new int[count];
        scales = new int[count];
        longReads = new byte[count];
        for (int i = 0; i < count; i++)
        {
            longReads[i] = longRead(schema.field(i).type());
            scales[i] = schema.field(i).scale();
            offsets[i] = schema.field(i).offset();
            types[i] = schema.field(i).type();
            widths[i] = schema.field(i).width();
        }
    }

    /**
     * Views a read-only region.
     *
     * @param buffer holding the event.
     * @param offset of the event in the buffer.
     * @return this.
     */
    public EventFlyweight wrap(final DirectBuffer buffer, final int offset)
    {
        if (SHOULD_BOUNDS_CHECK)
        {
            checkRegion(buffer, offset);
        }
        this.buffer = buffer;
        this.mutableBuffer = null;
        this.offset = offset;
        return this;
    }

    /**
     * Views a writable region.
     *
     * @param buffer holding the event.
     * @param offset of the event in the buffer.
     * @return this.
     */
    public EventFlyweight wrapForWrite(final MutableDirectBuffer buffer, final int offset)
    {
        if (SHOULD_BOUNDS_CHECK)
        {
            checkRegion(buffer, offset);
        }
        this.buffer = buffer;
        this.mutableBuffer = buffer;
        this.offset = offset;
        return this;
    }

    private void checkRegion(final DirectBuffer buffer, final int offset)
    {
        if (offset < 0 || (long)offset + schema.length() > buffer.capacity())
        {
            throw new IndexOutOfBoundsException("an event of schema '" + schema.name() + "' (" + schema.length() +
                " bytes) at offset " + offset + " does not fit a buffer of " + buffer.capacity() + " bytes");
        }
    }

    /**
     * The schema of the viewed event.
     *
     * @return the schema.
     */
    public Schema schema()
    {
        return schema;
    }

    /**
     * The buffer currently viewed.
     *
     * @return the buffer.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Offset of the event in {@link #buffer()}.
     *
     * @return the offset.
     */
    public int offset()
    {
        return offset;
    }

    /**
     * Length of the event in bytes.
     *
     * @return the schema's record length.
     */
    public int length()
    {
        return schema.length();
    }

    /**
     * Reads an integral field (LONG, INT, BOOLEAN, TIMESTAMP) as a long; a DOUBLE is truncated; a
     * DECIMAL gives its unscaled value (exact, for sums, minima and maxima at the field's scale); a
     * SYMBOL or TEXT its hash.
     *
     * @param field index.
     * @return the value.
     */
    @Override
    public long longValue(final int field)
    {
        final int at = offset + offsets[field];
        switch (longReads[field])
        {
            case READ_LONG:
                return buffer.getLong(at);
            case READ_INT:
                return buffer.getInt(at);
            case READ_BYTE:
                return buffer.getByte(at);
            case READ_DOUBLE:
                return (long)buffer.getDouble(at);
            default:
                return symbolHash(field);
        }
    }

    private static byte longRead(final FieldType type)
    {
        switch (type)
        {
            case LONG:
            case TIMESTAMP:
            case DECIMAL:
                return READ_LONG;
            case INT:
                return READ_INT;
            case BOOLEAN:
                return READ_BYTE;
            case DOUBLE:
                return READ_DOUBLE;
            default:
                return READ_HASH;
        }
    }

    /**
     * Reads a numeric field as a double; a DECIMAL gives the double nearest its value.
     *
     * @param field index.
     * @return the value.
     */
    @Override
    public double doubleValue(final int field)
    {
        if (types[field] == FieldType.DOUBLE)
        {
            return buffer.getDouble(offset + offsets[field]);
        }
        if (types[field] == FieldType.DECIMAL)
        {
            return Decimals.toDouble(buffer.getLong(offset + offsets[field]), scales[field]);
        }
        return longValue(field);
    }

    /**
     * Reads a DECIMAL field's unscaled value: {@code 330.54} of a {@code DECIMAL(10, 2)} is {@code 33054}.
     *
     * @param field index.
     * @return the unscaled value.
     */
    public long getDecimal(final int field)
    {
        return buffer.getLong(offset + offsets[field]);
    }

    /**
     * The scale of a field: digits after the point of a DECIMAL, 0 for any other type.
     *
     * @param field index.
     * @return the scale.
     */
    public int scale(final int field)
    {
        return scales[field];
    }

    /**
     * Writes a DECIMAL field's unscaled value (see {@link Decimals#parse} for text).
     *
     * @param field    index.
     * @param unscaled value at the field's scale.
     * @return this.
     */
    public EventFlyweight putDecimal(final int field, final long unscaled)
    {
        mutableBuffer.putLong(offset + offsets[field], unscaled);
        return this;
    }

    /**
     * Length in bytes of a TEXT field's value.
     *
     * @param field index.
     * @return the length.
     */
    public int textLength(final int field)
    {
        return buffer.getShort(offset + offsets[field]) & 0xFFFF;
    }

    /**
     * Appends a TEXT field's value, decoded from UTF-8, to a builder without allocating; for tools
     * and sinks. A TEXT slot, little-endian:
     * <pre>
     *   0                   1                   2                   3
     *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     *  +-------------------------------+-------------------------------+
     *  |     Length (0..max bytes)     |         UTF-8 bytes ...       |
     *  +-------------------------------+                               |
     *  ...                  zero-padded to max bytes                   |
     *  +---------------------------------------------------------------+
     * </pre>
     * The padding is always zeros, so equal texts are equal bytes (a journal and its replay agree).
     *
     * @param field index.
     * @param out   to append to.
     * @return the builder.
     */
    public StringBuilder getText(final int field, final StringBuilder out)
    {
        final int at = offset + offsets[field] + TEXT_LENGTH_PREFIX;
        final int end = at + Math.min(textLength(field), widths[field] - TEXT_LENGTH_PREFIX);
        int i = at;
        while (i < end)
        {
            final int b = buffer.getByte(i) & 0xFF;
            if (b < 0x80)
            {
                out.append((char)b);
                i++;
                continue;
            }
            final int extra = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : 1;
            int codePoint = b & (0x3F >> extra);
            for (int k = 1; k <= extra && i + k < end; k++)
            {
                codePoint = (codePoint << 6) | (buffer.getByte(i + k) & 0x3F);
            }
            out.appendCodePoint(codePoint);
            i += extra + 1;
        }
        return out;
    }

    /**
     * Writes a TEXT field from characters, encoded as UTF-8 and zero-padded.
     *
     * @param field index.
     * @param text  to write.
     * @return this.
     * @throws SchemaException naming the field if the text is longer than the field's maximum in
     *                         bytes, or is not well-formed UTF-16 (a lone surrogate).
     */
    public EventFlyweight putText(final int field, final CharSequence text)
    {
        final int at = offset + offsets[field] + TEXT_LENGTH_PREFIX;
        final int max = widths[field] - TEXT_LENGTH_PREFIX;
        final int length = utf8Length(text);
        if (length < 0 || length > max)
        {
            throw new SchemaException(length < 0 ? "value of text field '" + schema.field(field).name() + "' of " + schema.name() +
                " is not valid Unicode (a lone surrogate)" : "value of " + length + " bytes is longer than the " + max +
                " bytes of text field '" + schema.field(field).name() + "' of " + schema.name());
        }
        int i = at;
        for (int c = 0; c < text.length(); c++)
        {
            final char ch = text.charAt(c);
            if (ch < 0x80)
            {
                mutableBuffer.putByte(i++, (byte)ch);
            }
            else if (ch < 0x800)
            {
                mutableBuffer.putByte(i++, (byte)(0xC0 | (ch >> 6)));
                mutableBuffer.putByte(i++, (byte)(0x80 | (ch & 0x3F)));
            }
            else if (Character.isHighSurrogate(ch))
            {
                final int codePoint = Character.toCodePoint(ch, text.charAt(++c));
                mutableBuffer.putByte(i++, (byte)(0xF0 | (codePoint >> 18)));
                mutableBuffer.putByte(i++, (byte)(0x80 | ((codePoint >> 12) & 0x3F)));
                mutableBuffer.putByte(i++, (byte)(0x80 | ((codePoint >> 6) & 0x3F)));
                mutableBuffer.putByte(i++, (byte)(0x80 | (codePoint & 0x3F)));
            }
            else
            {
                mutableBuffer.putByte(i++, (byte)(0xE0 | (ch >> 12)));
                mutableBuffer.putByte(i++, (byte)(0x80 | ((ch >> 6) & 0x3F)));
                mutableBuffer.putByte(i++, (byte)(0x80 | (ch & 0x3F)));
            }
        }
        mutableBuffer.setMemory(i, at + max - i, (byte)0);
        mutableBuffer.putShort(at - TEXT_LENGTH_PREFIX, (short)length);
        return this;
    }

    /**
     * The UTF-8 length of characters, or -1 if they hold a lone surrogate.
     *
     * @param text to measure.
     * @return the length in bytes, or -1.
     */
    public static int utf8Length(final CharSequence text)
    {
        int length = 0;
        for (int c = 0; c < text.length(); c++)
        {
            final char ch = text.charAt(c);
            if (ch < 0x80)
            {
                length++;
            }
            else if (ch < 0x800)
            {
                length += 2;
            }
            else if (Character.isHighSurrogate(ch))
            {
                if (c + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(c + 1)))
                {
                    return -1;
                }
                c++;
                length += 4;
            }
            else if (Character.isLowSurrogate(ch))
            {
                return -1;
            }
            else
            {
                length += 3;
            }
        }
        return length;
    }

    /**
     * Reads a LONG or TIMESTAMP field directly.
     *
     * @param field index.
     * @return the value.
     */
    public long getLong(final int field)
    {
        return buffer.getLong(offset + offsets[field]);
    }

    /**
     * Reads an INT field directly.
     *
     * @param field index.
     * @return the value.
     */
    public int getInt(final int field)
    {
        return buffer.getInt(offset + offsets[field]);
    }

    /**
     * Reads a DOUBLE field directly.
     *
     * @param field index.
     * @return the value.
     */
    public double getDouble(final int field)
    {
        return buffer.getDouble(offset + offsets[field]);
    }

    /**
     * Reads a BOOLEAN field.
     *
     * @param field index.
     * @return the value.
     */
    public boolean getBoolean(final int field)
    {
        return buffer.getByte(offset + offsets[field]) != 0;
    }

    /**
     * Appends a SYMBOL field's characters (up to the first zero byte) to a builder; for tools and
     * sinks, not the hot path of a pipeline.
     *
     * @param field index.
     * @param out   to append to.
     * @return the builder.
     */
    public StringBuilder getSymbol(final int field, final StringBuilder out)
    {
        final int at = offset + offsets[field];
        for (int i = 0; i < widths[field]; i++)
        {
            final byte b = buffer.getByte(at + i);
            if (b == 0)
            {
                break;
            }
            out.append((char)(b & 0xFF));
        }
        return out;
    }

    /**
     * Whether a SYMBOL field equals an ASCII value given as bytes (zero-padded comparison), without
     * allocating.
     *
     * @param field index.
     * @param ascii value, at most the field's width.
     * @return true if equal.
     */
    public boolean symbolEquals(final int field, final byte[] ascii)
    {
        final int at = offset + offsets[field];
        final int width = widths[field];
        if (ascii.length > width)
        {
            return false;
        }
        for (int i = 0; i < width; i++)
        {
            final byte expected = i < ascii.length ? ascii[i] : 0;
            if (buffer.getByte(at + i) != expected)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * A stable 64-bit hash of a SYMBOL field's bytes (FNV-1a), used to key by a symbol.
     *
     * @param field index.
     * @return the hash.
     */
    public long symbolHash(final int field)
    {
        return symbolHash(buffer, offset + offsets[field], widths[field]);
    }

    /**
     * The hash {@link #symbolHash(int)} gives a symbol field: FNV-1a over all its bytes, zero padding
     * included. For whoever must recompute a key from a symbol's bytes (a key names file, a tool).
     *
     * @param buffer holding the symbol's bytes.
     * @param at     offset of the first byte.
     * @param width  of the symbol field in bytes.
     * @return the hash.
     */
    public static long symbolHash(final DirectBuffer buffer, final int at, final int width)
    {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < width; i++)
        {
            hash ^= buffer.getByte(at + i) & 0xFF;
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    /**
     * Writes a LONG or TIMESTAMP field.
     *
     * @param field index.
     * @param value to write.
     * @return this.
     */
    public EventFlyweight putLong(final int field, final long value)
    {
        mutableBuffer.putLong(offset + offsets[field], value);
        return this;
    }

    /**
     * Writes an INT field.
     *
     * @param field index.
     * @param value to write.
     * @return this.
     */
    public EventFlyweight putInt(final int field, final int value)
    {
        mutableBuffer.putInt(offset + offsets[field], value);
        return this;
    }

    /**
     * Writes a DOUBLE field.
     *
     * @param field index.
     * @param value to write.
     * @return this.
     */
    public EventFlyweight putDouble(final int field, final double value)
    {
        mutableBuffer.putDouble(offset + offsets[field], value);
        return this;
    }

    /**
     * Writes a BOOLEAN field.
     *
     * @param field index.
     * @param value to write.
     * @return this.
     */
    public EventFlyweight putBoolean(final int field, final boolean value)
    {
        mutableBuffer.putByte(offset + offsets[field], (byte)(value ? 1 : 0));
        return this;
    }

    /**
     * Writes any numeric field from a long, converting to the field's type (a DECIMAL is scaled:
     * {@code 5} at scale 2 is stored as {@code 500}).
     *
     * @param field index.
     * @param value to write.
     * @return this.
     */
    public EventFlyweight putNumber(final int field, final long value)
    {
        final int at = offset + offsets[field];
        switch (types[field])
        {
            case LONG:
            case TIMESTAMP:
                mutableBuffer.putLong(at, value);
                break;
            case INT:
                mutableBuffer.putInt(at, (int)value);
                break;
            case BOOLEAN:
                mutableBuffer.putByte(at, (byte)(value != 0 ? 1 : 0));
                break;
            case DOUBLE:
                mutableBuffer.putDouble(at, value);
                break;
            case DECIMAL:
                mutableBuffer.putLong(at, Math.multiplyExact(value, Decimals.powerOfTen(scales[field])));
                break;
            default:
                throw new SchemaException("field " + schema.field(field).name() + " of " + schema.name() + " is a " + types[field]);
        }
        return this;
    }

    /**
     * Writes any numeric field from a double, converting to the field's type.
     *
     * @param field index.
     * @param value to write.
     * @return this.
     */
    public EventFlyweight putNumber(final int field, final double value)
    {
        if (types[field] == FieldType.DOUBLE)
        {
            mutableBuffer.putDouble(offset + offsets[field], value);
            return this;
        }
        if (types[field] == FieldType.DECIMAL)
        {
            // Rounded to the scale, half away from zero; exact decimals should come as text (Decimals.parse).
            mutableBuffer.putLong(offset + offsets[field], Math.round(value * Decimals.powerOfTen(scales[field])));
            return this;
        }
        return putNumber(field, (long)value);
    }

    /**
     * Writes a SYMBOL field from ASCII text, zero-padding it; text longer than the width is an error.
     *
     * @param field index.
     * @param text  ASCII characters.
     * @return this.
     */
    public EventFlyweight putSymbol(final int field, final CharSequence text)
    {
        final int width = widths[field];
        if (text.length() > width)
        {
            throw new SchemaException("value '" + text + "' is longer than the " + width + " bytes of symbol field '" +
                schema.field(field).name() + "' of " + schema.name());
        }
        final int at = offset + offsets[field];
        for (int i = 0; i < width; i++)
        {
            mutableBuffer.putByte(at + i, i < text.length() ? (byte)text.charAt(i) : 0);
        }
        return this;
    }

    /**
     * Copies a whole event of the same schema into this (writable) view.
     *
     * @param source event to copy.
     * @return this.
     */
    public EventFlyweight copyFrom(final EventFlyweight source)
    {
        mutableBuffer.putBytes(offset, source.buffer, source.offset, schema.length());
        return this;
    }

    /**
     * Zeroes the event's bytes.
     *
     * @return this.
     */
    public EventFlyweight clear()
    {
        mutableBuffer.setMemory(offset, schema.length(), (byte)0);
        return this;
    }
}
