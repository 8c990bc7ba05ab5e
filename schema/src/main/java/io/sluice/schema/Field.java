package io.sluice.schema;

/**
 * One field of a {@link Schema}: its name, type, byte offset in the record and width.
 *
 * @param index  position of the field in the schema's declaration order.
 * @param name   of the field.
 * @param type   of the field.
 * @param offset of the field from the start of the record.
 * @param width  of the field in bytes.
 */
public record Field(int index, String name, FieldType type, int offset, int width)
{
}
