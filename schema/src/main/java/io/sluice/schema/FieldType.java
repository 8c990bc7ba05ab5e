package io.sluice.schema;

/**
 * Field types of an event schema. Each has a fixed width in the record; symbols and text have a
 * width chosen per field. All numeric values are little-endian.
 */
public enum FieldType
{
    /** 64-bit signed integer. */
    LONG(8),
    /** 32-bit signed integer. */
    INT(4),
    /** 64-bit IEEE 754 floating point. */
    DOUBLE(8),
    /** One byte, 0 or 1. */
    BOOLEAN(1),
    /** 64-bit epoch time in the unit the pipeline uses (milliseconds by convention). */
    TIMESTAMP(8),
    /** Fixed-width ASCII text, zero-padded; the width is given per field. */
    SYMBOL(0),
    /**
     * Exact decimal {@code DECIMAL(precision, scale)}: a 64-bit signed unscaled value {@code v} that
     * stands for {@code v / 10^scale}, with at most {@code precision} (1 to 18) digits, see {@link Decimals}.
     */
    DECIMAL(8),
    /**
     * UTF-8 text of at most a declared number of bytes, {@code TEXT(max)}: a 16-bit length then the
     * bytes, zero-padded to the maximum, see {@link EventFlyweight#getText}.
     */
    TEXT(0);

    private final int width;

    FieldType(final int width)
    {
        this.width = width;
    }

    /**
     * Width in bytes, 0 for {@link #SYMBOL} and {@link #TEXT} whose width is per field.
     *
     * @return the width in bytes.
     */
    public int width()
    {
        return width;
    }

    /**
     * Whether the type reads naturally as a long (LONG, INT, BOOLEAN, TIMESTAMP). A DECIMAL reads as
     * its unscaled long, which is not its value: it is not integral.
     *
     * @return true for integral types.
     */
    public boolean isIntegral()
    {
        return this == LONG || this == INT || this == BOOLEAN || this == TIMESTAMP;
    }

    /**
     * Whether the type is a number (integral, DOUBLE or DECIMAL), not text.
     *
     * @return true for numbers.
     */
    public boolean isNumeric()
    {
        return this != SYMBOL && this != TEXT;
    }

    /**
     * Whether the type is text (SYMBOL or TEXT), written quoted in JSON.
     *
     * @return true for text.
     */
    public boolean isText()
    {
        return this == SYMBOL || this == TEXT;
    }
}
