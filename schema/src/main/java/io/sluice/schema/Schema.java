package io.sluice.schema;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

import org.agrona.BitUtil;

/**
 * A fixed-layout binary event type: named fields at fixed offsets. Fields are laid out in declaration
 * order, each aligned to its own width (symbols to 1, text to its 2-byte length), and the record length
 * is padded to 8 bytes. For example {@code card LONG, amount DECIMAL(12, 2), merchant SYMBOL(12),
 * note TEXT(10), ts TIMESTAMP}:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                          card (LONG)                          |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |         amount (DECIMAL 12,2: unscaled long, 330.54 = 33054)  |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    merchant (SYMBOL 12) ...                   | 16
 *  +-------------------------------+-------------------------------+
 *  |      note length (0..10)      |     note (TEXT 10) UTF-8 ...  | 28
 *  +-------------------------------+                               |
 *  |                 ... zero-padded to 10 bytes                   | 32
 *  |                                                               | 36
 *  +---------------------------------------------------------------+
 *  |                         ts (TIMESTAMP)                        | 40
 *  |                                                               |
 *  +---------------------------------------------------------------+
 * </pre>
 * A DECIMAL is a scaled long ({@link Decimals}); a TEXT field is a fixed slot of a 16-bit length and
 * its maximum number of bytes ({@link EventFlyweight#getText}). {@link #describeLayout()} prints the
 * layout of any schema. Immutable; built once.
 */
public final class Schema
{
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
    private static final Pattern SIZED_TYPE =
        Pattern.compile("\\s*(?i)(SYMBOL|TEXT|DECIMAL)\\s*\\(\\s*(\\d{1,9})\\s*(?:,\\s*(\\d{1,9})\\s*)?\\)\\s*");

    private final String name;
    private final Field[] fields;
    private final Map<String, Field> byName;
    private final int length;
    private final int layoutFingerprint;

    private Schema(final String name, final Field[] fields, final int length)
    {
        this.name = name;
        this.fields = fields;
        this.length = length;
        this.layoutFingerprint = fingerprint(fields, length);
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
     * A 32-bit fingerprint of the layout: CRC-32C over every field's name, type text and offset, and
     * the record length (the schema's own name is left out: two topics may share a layout). Two
     * schemas of the same length but different fields almost surely differ here, so a producer can
     * check that the daemon's topic has the layout it writes, not only its length.
     *
     * @return the fingerprint, never 0 (0 on the wire means "not known").
     */
    public int layoutFingerprint()
    {
        return layoutFingerprint;
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
        if (!field.type().isNumeric())
        {
            throw new SchemaException("field '" + fieldName + "' of schema '" + name + "' is a " + field.type() + ", a number is needed");
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
            sb.append(String.format("  %4d  %-16s %-3d %s%n", field.offset(), field.typeText(), field.width(), field.name()));
        }
        return sb.toString();
    }

    private static int fingerprint(final Field[] fields, final int length)
    {
        final StringBuilder canonical = new StringBuilder().append(length);
        for (final Field field : fields)
        {
            canonical.append(';').append(field.name()).append(' ').append(field.typeText()).append('@').append(field.offset());
        }
        final CRC32C crc = new CRC32C();
        crc.update(canonical.toString().getBytes(StandardCharsets.UTF_8));
        final int value = (int)crc.getValue();
        return value == 0 ? 1 : value;
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
         * Adds an exact decimal field, {@code DECIMAL(precision, scale)}, stored as a scaled long
         * (see {@link Decimals}).
         *
         * @param fieldName of the field.
         * @param precision digits, 1 to 18.
         * @param scale     digits after the point, 0 to precision.
         * @return this.
         */
        public Builder decimalField(final String fieldName, final int precision, final int scale)
        {
            if (precision < 1 || precision > Decimals.MAX_PRECISION || scale < 0 || scale > precision)
            {
                throw new SchemaException("decimal field '" + fieldName + "' of schema '" + name + "' needs a precision in [1, " +
                    Decimals.MAX_PRECISION + "] and a scale in [0, precision], was " + Decimals.typeText(precision, scale));
            }
            return add(fieldName, FieldType.DECIMAL, FieldType.DECIMAL.width(), precision, scale);
        }

        /**
         * Adds a variable-length UTF-8 text field of at most {@code maxLength} bytes: a fixed slot of
         * a 16-bit length and {@code maxLength} bytes (see {@link EventFlyweight#getText}).
         *
         * @param fieldName of the field.
         * @param maxLength in bytes, 1 to {@link EventFlyweight#MAX_TEXT_LENGTH}.
         * @return this.
         */
        public Builder textField(final String fieldName, final int maxLength)
        {
            if (maxLength < 1 || maxLength > EventFlyweight.MAX_TEXT_LENGTH)
            {
                throw new SchemaException("text field '" + fieldName + "' of schema '" + name + "' needs a maximum length in [1, " +
                    EventFlyweight.MAX_TEXT_LENGTH + "] bytes, was " + maxLength);
            }
            return add(fieldName, FieldType.TEXT, EventFlyweight.TEXT_LENGTH_PREFIX + maxLength, 0, 0);
        }

        /**
         * Adds a field of any type but DECIMAL and TEXT, which need {@link #decimalField},
         * {@link #textField} or {@link #field(String, Field)}.
         *
         * @param fieldName of the field.
         * @param type      of the field.
         * @param width     in bytes for symbols; ignored for other types.
         * @return this.
         */
        public Builder field(final String fieldName, final FieldType type, final int width)
        {
            if (type == FieldType.DECIMAL || type == FieldType.TEXT)
            {
                throw new SchemaException("field '" + fieldName + "' of schema '" + name + "': a " + type +
                    " needs its " + (type == FieldType.DECIMAL ? "precision and scale" : "maximum length"));
            }
            return type == FieldType.SYMBOL ? symbolField(fieldName, width) : add(fieldName, type, type.width(), 0, 0);
        }

        /**
         * Adds a field of the same type (width, precision, scale) as another schema's field.
         *
         * @param fieldName of the new field.
         * @param like      field whose type to copy.
         * @return this.
         */
        public Builder field(final String fieldName, final Field like)
        {
            switch (like.type())
            {
                case DECIMAL:
                    return decimalField(fieldName, like.precision(), like.scale());
                case TEXT:
                    return textField(fieldName, like.maxLength());
                default:
                    return field(fieldName, like.type(), like.width());
            }
        }

        /**
         * Adds a field from its declared type: {@code LONG}, {@code INT}, {@code DOUBLE},
         * {@code BOOLEAN}, {@code TIMESTAMP}, {@code SYMBOL(width)}, {@code DECIMAL(precision, scale)}
         * or {@code TEXT(max)}, case-insensitive.
         *
         * @param fieldName of the field.
         * @param typeText  the declaration.
         * @return this.
         * @throws SchemaException naming the declaration when it is no type.
         */
        public Builder field(final String fieldName, final String typeText)
        {
            final Matcher sized = SIZED_TYPE.matcher(typeText);
            if (sized.matches())
            {
                final String kind = sized.group(1).toUpperCase(Locale.ROOT);
                final int first = parseSize(typeText, sized.group(2));
                switch (kind)
                {
                    case "SYMBOL":
                        if (sized.group(3) == null)
                        {
                            return symbolField(fieldName, first);
                        }
                        break;
                    case "TEXT":
                        if (sized.group(3) == null)
                        {
                            return textField(fieldName, first);
                        }
                        break;
                    default:
                        return decimalField(fieldName, first, sized.group(3) == null ? 0 : parseSize(typeText, sized.group(3)));
                }
                throw new SchemaException(kind + " takes one size, e.g. " + kind + "(12)");
            }
            final String upper = typeText.trim().toUpperCase(Locale.ROOT);
            switch (upper)
            {
                case "LONG":
                case "INT":
                case "DOUBLE":
                case "BOOLEAN":
                case "TIMESTAMP":
                    return field(fieldName, FieldType.valueOf(upper), 0);
                case "SYMBOL":
                    throw new SchemaException("SYMBOL needs a width in bytes, e.g. SYMBOL(12)");
                case "TEXT":
                    throw new SchemaException("TEXT needs a maximum length in bytes, e.g. TEXT(64)");
                case "DECIMAL":
                    throw new SchemaException("DECIMAL needs a precision and a scale, e.g. DECIMAL(18, 2)");
                default:
                    throw new SchemaException("'" + (typeText.length() > 80 ? typeText.substring(0, 80) + "..." : typeText) +
                        "' is not a field type (LONG, INT, DOUBLE, BOOLEAN, TIMESTAMP, SYMBOL(width), DECIMAL(precision, scale) or TEXT(max))");
            }
        }

        private static int parseSize(final String typeText, final String digits)
        {
            try
            {
                return Integer.parseInt(digits);
            }
            catch (final NumberFormatException ex)
            {
                throw new SchemaException("'" + typeText + "' has a size out of range");
            }
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
            return add(fieldName, type, width, 0, 0);
        }

        private Builder add(final String fieldName, final FieldType type, final int width, final int precision, final int scale)
        {
            checkName("field", fieldName);
            for (final Field existing : fields)
            {
                if (existing.name().equals(fieldName))
                {
                    throw new SchemaException("schema '" + name + "' declares field '" + fieldName + "' twice");
                }
            }
            final int alignment = type == FieldType.SYMBOL ? 1 : type == FieldType.TEXT ? EventFlyweight.TEXT_LENGTH_PREFIX : width;
            offset = BitUtil.align(offset, alignment);
            fields.add(new Field(fields.size(), fieldName, type, offset, width, precision, scale));
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
