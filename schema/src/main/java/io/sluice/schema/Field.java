package io.sluice.schema;

/**
 * One field of a {@link Schema}: its name, type, byte offset in the record and width.
 *
 * @param index     position of the field in the schema's declaration order.
 * @param name      of the field.
 * @param type      of the field.
 * @param offset    of the field from the start of the record.
 * @param width     of the field in bytes (for TEXT the length prefix and the maximum length).
 * @param precision of a DECIMAL (digits, 1 to 18); 0 for other types.
 * @param scale     of a DECIMAL (digits after the point, 0 to precision); 0 for other types.
 */
public record Field(int index, String name, FieldType type, int offset, int width, int precision, int scale)
{
    /**
     * A field that is not a DECIMAL.
     *
     * @param index  position of the field in the schema's declaration order.
     * @param name   of the field.
     * @param type   of the field.
     * @param offset of the field from the start of the record.
     * @param width  of the field in bytes.
     */
    public Field(final int index, final String name, final FieldType type, final int offset, final int width)
    {
        this(index, name, type, offset, width, 0, 0);
    }

    /**
     * The most bytes of a TEXT field's value (its width less the length prefix).
     *
     * @return the maximum length in bytes; for other types the width.
     */
    public int maxLength()
    {
        return type == FieldType.TEXT ? width - EventFlyweight.TEXT_LENGTH_PREFIX : width;
    }

    /**
     * The type as declared, e.g. {@code LONG}, {@code SYMBOL(12)}, {@code DECIMAL(18, 2)} or {@code TEXT(64)}.
     *
     * @return the declaration.
     */
    public String typeText()
    {
        switch (type)
        {
            case SYMBOL:
                return "SYMBOL(" + width + ")";
            case TEXT:
                return "TEXT(" + maxLength() + ")";
            case DECIMAL:
                return "DECIMAL(" + precision + ", " + scale + ")";
            default:
                return type.name();
        }
    }
}
