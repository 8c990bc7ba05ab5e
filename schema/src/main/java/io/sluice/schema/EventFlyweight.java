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

    private final Schema schema;
    private final int[] offsets;
    private final FieldType[] types;
    private final int[] widths;
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
        for (int i = 0; i < count; i++)
        {
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
     * Reads an integral field (LONG, INT, BOOLEAN, TIMESTAMP) as a long; a DOUBLE is truncated.
     *
     * @param field index.
     * @return the value.
     */
    @Override
    public long longValue(final int field)
    {
        final int at = offset + offsets[field];
        switch (types[field])
        {
            case LONG:
            case TIMESTAMP:
                return buffer.getLong(at);
            case INT:
                return buffer.getInt(at);
            case BOOLEAN:
                return buffer.getByte(at);
            case DOUBLE:
                return (long)buffer.getDouble(at);
            default:
                return symbolHash(field);
        }
    }

    /**
     * Reads a numeric field as a double.
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
        return longValue(field);
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
        final int at = offset + offsets[field];
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < widths[field]; i++)
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
     * Writes any numeric field from a long, converting to the field's type.
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
            default:
                throw new SchemaException("field " + schema.field(field).name() + " of " + schema.name() + " is a SYMBOL");
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
