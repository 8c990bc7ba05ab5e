package io.sluice.schema;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.agrona.BitUtil;

/**
 * A fixed-layout binary event type: named primitive fields at fixed offsets. Fields are laid out in
 * declaration order, each aligned to its own width (symbols to 1), and the record length is padded
 * to 8 bytes. For example {@code card LONG, amount DOUBLE, merchant SYMBOL(12), ts TIMESTAMP}:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                          card (LONG)                          |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        amount (DOUBLE)                        |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    merchant (SYMBOL 12) ...                   | 16
 *  +---------------------------------------------------------------+
 *  |                          (padding)                            | 28
 *  +---------------------------------------------------------------+
 *  |                         ts (TIMESTAMP)                        | 32
 *  |                                                               |
 *  +---------------------------------------------------------------+
 * </pre>
 * {@link #describeLayout()} prints the layout of any schema. Immutable; built once.
 */
public final class Schema
{
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

    private final String name;
    private final Field[] fields;
    private final Map<String, Field> byName;
    private final int length;

    private Schema(final String name, final Field[] fields, final int length)
    {
        this.name = name;
        this.fields = fields;
        this.length = length;
        final Map<String, Field> map = new LinkedHashMap<>();
        for (final Field field : fields)
        {
            map.put(field.name(), field);
        }
        this.byName = Collections.unmodifiableMap(map);
    }

    /**
     * Starts declaring a schema.
     *
     * @param name of the event type.
     * @return a builder.
     */
    public static Builder builder(final String name)
    {
        return new Builder(name);
    }

    /**
     * The event type's name.
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * Length of a record of this schema in bytes (a multiple of 8).
     *
     * @return the record length.
     */
    public int length()
    {
        return length;
    }

    /**
     * Number of fields.
     *
     * @return the field count.
     */
    public int fieldCount()
    {
        return fields.length;
    }

    /**
     * A field by index.
     *
     * @param index of the field.
     * @return the field.
     */
    public Field field(final int index)
    {
        return fields[index];
    }

    /**
     * The fields in declaration order.
     *
     * @return the fields.
     */
    public List<Field> fields()
    {
        return List.of(fields);
    }

    /**
     * A field by name.
     *
     * @param fieldName of the field.
     * @return the field.
     * @throws SchemaException naming the schema and its fields when there is no such field.
     */
    public Field field(final String fieldName)
    {
        final Field field = byName.get(fieldName);
        if (field == null)
        {
            throw new SchemaException("schema '" + name + "' has no field '" + fieldName + "' (fields: " + byName.keySet() + ")");
        }
        return field;
    }

    /**
     * Index of a field by name.
     *
     * @param fieldName of the field.
     * @return its index.
     */
    public int indexOf(final String fieldName)
    {
        return field(fieldName).index();
    }

    /**
     * Whether the schema has a field of this name.
     *
     * @param fieldName to look for.
     * @return true if present.
     */
    public boolean hasField(final String fieldName)
    {
        return byName.containsKey(fieldName);
    }

    /**
     * A field that must be numeric (not a symbol).
     *
     * @param fieldName of the field.
     * @return the field.
     */
    public Field numericField(final String fieldName)
    {
        final Field field = field(fieldName);
        if (field.type() == FieldType.SYMBOL)
        {
            throw new SchemaException("field '" + fieldName + "' of schema '" + name + "' is a SYMBOL, a number is needed");
        }
        return field;
    }

    /**
     * The layout as text, one line per field with offset, width and type.
     *
     * @return a description of the layout.
     */
    public String describeLayout()
    {
        final StringBuilder sb = new StringBuilder(name).append(" (").append(length).append(" bytes)\n");
        for (final Field field : fields)
        {
            sb.append(String.format("  %4d  %-10s %-3d %s%n", field.offset(), field.type(), field.width(), field.name()));
        }
        return sb.toString();
    }

    @Override
    public String toString()
    {
        return "Schema{" + name + ", " + byName.keySet() + ", " + length + " bytes}";
    }

    /**
     * Declares the fields of a schema in order.
     */
    public static final class Builder
    {
        private final String name;
        private final List<Field> fields = new ArrayList<>();
        private int offset;

        private Builder(final String name)
        {
            checkName("schema", name);
            this.name = name;
        }

        /**
         * Adds a 64-bit integer field.
         *
         * @param fieldName of the field.
         * @return this.
         */
        public Builder longField(final String fieldName)
        {
            return add(fieldName, FieldType.LONG, 8);
        }

        /**
         * Adds a 32-bit integer field.
         *
         * @param fieldName of the field.
         * @return this.
         */
        public Builder intField(final String fieldName)
        {
            return add(fieldName, FieldType.INT, 4);
        }

        /**
         * Adds a double field.
         *
         * @param fieldName of the field.
         * @return this.
         */
        public Builder doubleField(final String fieldName)
        {
            return add(fieldName, FieldType.DOUBLE, 8);
        }

        /**
         * Adds a boolean field.
         *
         * @param fieldName of the field.
         * @return this.
         */
        public Builder booleanField(final String fieldName)
        {
            return add(fieldName, FieldType.BOOLEAN, 1);
        }

        /**
         * Adds a timestamp field (epoch milliseconds by convention).
         *
         * @param fieldName of the field.
         * @return this.
         */
        public Builder timestampField(final String fieldName)
        {
            return add(fieldName, FieldType.TIMESTAMP, 8);
        }

        /**
         * Adds a fixed-width ASCII symbol field.
         *
         * @param fieldName of the field.
         * @param width     in bytes, 1 to 256.
         * @return this.
         */
        public Builder symbolField(final String fieldName, final int width)
        {
            if (width < 1 || width > 256)
            {
                throw new SchemaException("symbol field '" + fieldName + "' of schema '" + name + "' needs a width in [1, 256], was " + width);
            }
            return add(fieldName, FieldType.SYMBOL, width);
        }

        /**
         * Adds a field of any type.
         *
         * @param fieldName of the field.
         * @param type      of the field.
         * @param width     in bytes for symbols; ignored for other types.
         * @return this.
         */
        public Builder field(final String fieldName, final FieldType type, final int width)
        {
            return type == FieldType.SYMBOL ? symbolField(fieldName, width) : add(fieldName, type, type.width());
        }

        /**
         * Pads the layout so the next field starts on a multiple of {@code alignment} bytes; used to
         * embed whole records of other schemas at their natural offsets.
         *
         * @param alignment power of two.
         * @return this.
         */
        public Builder alignTo(final int alignment)
        {
            offset = BitUtil.align(offset, alignment);
            return this;
        }

        private Builder add(final String fieldName, final FieldType type, final int width)
        {
            checkName("field", fieldName);
            for (final Field existing : fields)
            {
                if (existing.name().equals(fieldName))
                {
                    throw new SchemaException("schema '" + name + "' declares field '" + fieldName + "' twice");
                }
            }
            final int alignment = type == FieldType.SYMBOL ? 1 : width;
            offset = BitUtil.align(offset, alignment);
            fields.add(new Field(fields.size(), fieldName, type, offset, width));
            offset += width;
            return this;
        }

        /**
         * Completes the schema.
         *
         * @return the schema.
         */
        public Schema build()
        {
            if (fields.isEmpty())
            {
                throw new SchemaException("schema '" + name + "' has no fields");
            }
            return new Schema(name, fields.toArray(new Field[0]), BitUtil.align(offset, 8));
        }

        private static void checkName(final String what, final String candidate)
        {
            if (candidate == null || !NAME.matcher(candidate).matches())
            {
                throw new SchemaException("invalid " + what + " name '" + candidate + "': letters, digits and '_', starting with a letter or '_'");
            }
        }
    }
}
