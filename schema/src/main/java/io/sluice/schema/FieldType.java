package io.sluice.schema;

/**
 * Primitive field types of an event schema. Each has a fixed width; symbols have a width chosen per
 * field. All numeric values are little-endian.
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
    SYMBOL(0);

    private final int width;

    FieldType(final int width)
    {
        this.width = width;
    }

    /**
     * Width in bytes, 0 for {@link #SYMBOL} whose width is per field.
     *
     * @return the width in bytes.
     */
    public int width()
    {
        return width;
    }

    /**
     * Whether the type reads naturally as a long (LONG, INT, BOOLEAN, TIMESTAMP).
     *
     * @return true for integral types.
     */
    public boolean isIntegral()
    {
        return this == LONG || this == INT || this == BOOLEAN || this == TIMESTAMP;
    }
}
