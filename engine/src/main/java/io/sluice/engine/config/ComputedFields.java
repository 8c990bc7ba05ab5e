package io.sluice.engine.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.agrona.MutableDirectBuffer;

import io.sluice.engine.pipeline.EventMapper;
import io.sluice.engine.pipeline.EventPredicate;
import io.sluice.schema.Decimals;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Field;
import io.sluice.schema.FieldType;
import io.sluice.schema.Schema;
import io.sluice.schema.SchemaException;

/**
 * A {@code map:} or {@code select:} stage declared in YAML: the fields of the events it emits, each
 * copied from the input or computed by an expression over the input's fields, compiled once into an
 * {@link EventMapper} that writes them through pre-resolved offsets (no allocation, no boxing).
 *
 * <ul>
 *   <li>{@code map} keeps every input field, in order, and appends the computed ones.</li>
 *   <li>{@code select} emits exactly the listed fields, in the listed order: a bare name keeps an input
 *       field, {@code name: expression} computes one.</li>
 * </ul>
 * A computed field's type is the expression's (LONG for integer arithmetic, DOUBLE with a double
 * involved, DECIMAL(18, s) for exact decimal arithmetic at scale s, BOOLEAN for a condition, the
 * field's own type for a plain field name) unless declared with {@code name: {expr: ..., type: T}}; a
 * declared type may widen (an integer into DOUBLE, a LONG into TIMESTAMP, a LONG into INT, checked per
 * event, a DECIMAL into DOUBLE) or take a DECIMAL or an integer into a DECIMAL(p, s) (rounded HALF_EVEN
 * to s, more than p digits an evaluation error), but never narrows a DOUBLE into an integer or a
 * DECIMAL, nor a DECIMAL into an integer.
 *
 * <p>Threading: immutable once built; the mapper is evaluated on partition threads.
 */
final class ComputedFields
{
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
    private static final Pattern DECIMAL = Pattern.compile("(?i)DECIMAL\\s*\\(\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?\\)");

    private final String description;
    private final Schema output;
    private final EventMapper mapper;

    private ComputedFields(final String description, final Schema output, final EventMapper mapper)
    {
        this.description = description;
        this.output = output;
        this.mapper = mapper;
    }

    /**
     * Reads a {@code map:} or {@code select:} list and compiles it.
     *
     * @param node     the list.
     * @param select   true for select, false for map.
     * @param input    schema of the events the stage receives.
     * @param pipeline name, for error messages.
     * @param key      the YAML key, for error messages.
     * @return the stage.
     */
    static ComputedFields load(final YamlNode node, final boolean select, final Schema input, final String pipeline, final String key)
    {
        final List<YamlNode> items = node.sequence();
        if (items.isEmpty())
        {
            throw node.error("at least one field is required (e.g. '- avg_amount: total / charges')");
        }
        final Schema.Builder schema = Schema.builder(input.name() + "_" + key);
        final List<Writer> writers = new ArrayList<>();
        final Set<String> names = new LinkedHashSet<>();
        if (!select)
        {
            for (final Field field : input.fields())
            {
                names.add(field.name());
                schema.field(field.name(), field); // as declared: also a DECIMAL's precision and scale, a TEXT's maximum
                writers.add(new Copy(field, field.index()));
            }
        }
        for (final YamlNode item : items)
        {
            final String name;
            final YamlNode expressionNode;
            YamlNode typeNode = null;
            if (item.isMapping())
            {
                final Map<String, YamlNode> entry = item.mapping();
                if (entry.size() != 1)
                {
                    throw item.error("each field is one 'name: expression' entry, e.g. '- avg_amount: total / charges'");
                }
                final Map.Entry<String, YamlNode> only = entry.entrySet().iterator().next();
                name = only.getKey();
                if (only.getValue().isMapping())
                {
                    final Map<String, YamlNode> spec = only.getValue().mapping("expr", "type");
                    expressionNode = PipelineConfigLoader.required(spec, "expr", only.getValue());
                    typeNode = spec.get("type");
                }
                else
                {
                    expressionNode = only.getValue();
                }
            }
            else
            {
                if (!select)
                {
                    throw item.error("map keeps every field already; list only new fields as 'name: expression'");
                }
                name = item.text();
                expressionNode = item;
            }
            if (!NAME.matcher(name).matches())
            {
                throw item.error("field name '" + ConfigLimits.value(name) + "' must be letters, digits and '_', starting with a letter or '_'");
            }
            if (!names.add(name))
            {
                throw item.error("field '" + name + "' is already " + (select ? "selected" : "a field of " + input.name() +
                    "; choose another name, or use select to replace it"));
            }
            final int index = names.size() - 1;
            final String text = expressionNode.text();
            final ExpressionParser.Operand value;
            try
            {
                value = new ExpressionParser(text, input, PipelineConfigLoader.where(pipeline, key + " " + name)).parseValue();
            }
            catch (final ExpressionException ex)
            {
                throw expressionNode.error(ex.getMessage());
            }
            writers.add(writer(value, typeNode, expressionNode, name, index, schema, pipeline, key));
        }
        final Schema output;
        try
        {
            output = schema.build();
        }
        catch (final SchemaException ex)
        {
            throw node.error(ex.getMessage());
        }
        final Writer[] bound = new Writer[writers.size()];
        for (int i = 0; i < bound.length; i++)
        {
            bound[i] = writers.get(i).bind(output);
        }
        return new ComputedFields((key.equals("map") ? "" : key + " ") + String.join(", ", names), output, new Mapper(bound));
    }

    private static Writer writer(
        final ExpressionParser.Operand value, final YamlNode typeNode, final YamlNode at, final String name, final int index,
        final Schema.Builder schema, final String pipeline, final String key)
    {
        final Declared declared = typeNode == null ? null : type(typeNode);
        final String what = "'" + name + "'";
        switch (value.kind)
        {
            case ExpressionParser.Operand.FIELD:
            {
                final Field field = value.field;
                if (declared == null || declared.sameAs(field))
                {
                    schema.field(name, field); // the same type: width, or precision and scale of a DECIMAL, or maximum of a TEXT
                    return new Copy(field, index);
                }
                if (!field.type().isNumeric() || field.type() == FieldType.BOOLEAN)
                {
                    throw typeNode.error(field.typeText() + " field '" + field.name() + "' cannot become " + declared + " in " + what);
                }
                return numeric(fieldNode(field, pipeline, key, name), declared, typeNode, name, index, schema, pipeline, key);
            }
            case ExpressionParser.Operand.PREDICATE:
            case ExpressionParser.Operand.BOOLEAN:
            {
                if (declared != null && declared.type != FieldType.BOOLEAN)
                {
                    throw typeNode.error(what + " is a condition, so its type is BOOLEAN, not " + declared);
                }
                schema.field(name, FieldType.BOOLEAN, 0);
                final EventPredicate predicate = value.kind == ExpressionParser.Operand.BOOLEAN ?
                    (value.bool ? Predicates.Constant.TRUE : Predicates.Constant.FALSE) : value.predicate;
                return new Condition(predicate, index);
            }
            case ExpressionParser.Operand.LONG:
                return numeric(new Numeric.LongConstant(value.longValue), declared, typeNode, name, index, schema, pipeline, key);
            case ExpressionParser.Operand.DOUBLE:
                if (declared != null && declared.type == FieldType.DECIMAL && value.exact != null)
                {
                    // A literal written without an exponent is exact: 0.25 into DECIMAL(10, 2).
                    return numeric(new DecimalNodes.Constant(value.exact.unscaledValue().longValueExact(), value.exact.scale()),
                        declared, typeNode, name, index, schema, pipeline, key);
                }
                return numeric(new Numeric.DoubleConstant(value.doubleValue), declared, typeNode, name, index, schema, pipeline, key);
            case ExpressionParser.Operand.NUMERIC:
                if (value.unrounded != null && (declared == null || declared.type != FieldType.DECIMAL))
                {
                    throw at.error(value.unrounded.getMessage() + ", or declare " + what + " DECIMAL(p, s)");
                }
                return numeric(value.numeric, declared, typeNode, name, index, schema, pipeline, key);
            default:
                throw at.error(what + ": a string literal is not a field value; compute a number or a condition, or name a field");
        }
    }

    private static Numeric fieldNode(final Field field, final String pipeline, final String key, final String name)
    {
        switch (field.type())
        {
            case LONG:
            case TIMESTAMP:
                return new Numeric.LongField(field.index());
            case INT:
                return new Numeric.IntField(field.index());
            case DOUBLE:
                return new Numeric.DoubleField(field.index());
            default:
                return new DecimalNodes.Field(field.index(), field.scale(), new ExpressionEvaluationException(
                    PipelineConfigLoader.where(pipeline, key + " " + name) + ": DECIMAL field '" + field.name() +
                    "' is OVERFLOW (an aggregate beyond 18 digits), which has no exact value"));
        }
    }

    private static Writer numeric(
        final Numeric value, final Declared declared, final YamlNode typeNode, final String name, final int index,
        final Schema.Builder schema, final String pipeline, final String key)
    {
        final FieldType type = declared != null ? declared.type :
            value.type == Numeric.Type.DOUBLE ? FieldType.DOUBLE : value.type == Numeric.Type.DECIMAL ? FieldType.DECIMAL : FieldType.LONG;
        final String where = PipelineConfigLoader.where(pipeline, key + " " + name);
        switch (type)
        {
            case DOUBLE:
                schema.field(name, FieldType.DOUBLE, 0);
                return new DoubleValue(value, index);
            case LONG:
            case TIMESTAMP:
            case INT:
                if (value.type != Numeric.Type.LONG)
                {
                    throw typeNode.error("'" + name + "' is a " + value.type + " expression; declare it " +
                        (value.type == Numeric.Type.DOUBLE ? "DOUBLE (a double" : "DECIMAL(p, s) or DOUBLE (a decimal") +
                        " is never narrowed silently into an integer)");
                }
                schema.field(name, type, 0);
                if (type == FieldType.INT)
                {
                    return new IntValue(value, index, new ExpressionEvaluationException(where + ": the value is out of the range of an INT field"));
                }
                return new LongValue(value, index);
            case DECIMAL:
            {
                if (value.type == Numeric.Type.DOUBLE)
                {
                    throw typeNode.error("'" + name + "' is a DOUBLE expression, which has no exact decimal value; declare it DOUBLE, " +
                        "or compute it from DECIMAL fields and literals without exponents");
                }
                final int precision = declared == null ? Decimals.MAX_PRECISION : declared.precision;
                final int scale = declared == null ? value.scale : declared.scale;
                schema.decimalField(name, precision, scale);
                final Numeric atScale = DecimalNodes.atScale(value, scale, new ExpressionEvaluationException(where +
                    ": the value has more than 18 digits at scale " + scale));
                return new DecimalValue(atScale, index, precision, new ExpressionEvaluationException(where +
                    ": the value has more than the " + precision + " digits of " + Decimals.typeText(precision, scale)));
            }
            default:
                throw typeNode.error("'" + name + "' is a number; declare it LONG, INT, DOUBLE, TIMESTAMP or DECIMAL(p, s), not " + type);
        }
    }

    private static Declared type(final YamlNode node)
    {
        final String text = node.text().trim();
        final java.util.regex.Matcher decimal = DECIMAL.matcher(text);
        if (decimal.matches())
        {
            final int precision = decimal.group(1).length() > 2 ? Integer.MAX_VALUE : Integer.parseInt(decimal.group(1));
            final int scale = decimal.group(2) == null ? 0 : decimal.group(2).length() > 2 ? Integer.MAX_VALUE : Integer.parseInt(decimal.group(2));
            if (precision < 1 || precision > Decimals.MAX_PRECISION || scale > precision)
            {
                throw node.error("'" + ConfigLimits.value(text) + "' is no DECIMAL type: the precision is 1 to 18 digits, the scale 0 to the precision");
            }
            return new Declared(FieldType.DECIMAL, precision, scale);
        }
        switch (text.toUpperCase(Locale.ROOT))
        {
            case "LONG":
                return new Declared(FieldType.LONG, 0, 0);
            case "INT":
                return new Declared(FieldType.INT, 0, 0);
            case "DOUBLE":
                return new Declared(FieldType.DOUBLE, 0, 0);
            case "BOOLEAN":
                return new Declared(FieldType.BOOLEAN, 0, 0);
            case "TIMESTAMP":
                return new Declared(FieldType.TIMESTAMP, 0, 0);
            default:
                throw node.error("'" + ConfigLimits.value(node.text()) +
                    "' is not a computed field type (LONG, INT, DOUBLE, BOOLEAN, TIMESTAMP or DECIMAL(precision, scale))");
        }
    }

    /**
     * A declared type of a computed field: its kind, and the precision and scale of a DECIMAL.
     */
    private record Declared(FieldType type, int precision, int scale)
    {
        boolean sameAs(final Field field)
        {
            return type == field.type() && (type != FieldType.DECIMAL || (precision == field.precision() && scale == field.scale()));
        }

        @Override
        public String toString()
        {
            return type == FieldType.DECIMAL ? Decimals.typeText(precision, scale) : type.name();
        }
    }

    /**
     * What the stage does, for people: its key and its fields.
     *
     * @return the description.
     */
    String description()
    {
        return description;
    }

    /**
     * The schema of the events the stage emits.
     *
     * @return the output schema.
     */
    Schema output()
    {
        return output;
    }

    /**
     * The compiled mapper.
     *
     * @return the mapper, immutable and allocation-free.
     */
    EventMapper mapper()
    {
        return mapper;
    }

    /**
     * Writes every output field in turn.
     */
    private static final class Mapper implements EventMapper
    {
        private final Writer[] writers;

        Mapper(final Writer[] writers)
        {
            this.writers = writers;
        }

        @Override
        public boolean map(final EventFlyweight in, final EventFlyweight out)
        {
            for (final Writer writer : writers)
            {
                writer.write(in, out);
            }
            return true;
        }
    }

    /**
     * Writes one output field; built before the output schema exists, then bound to it.
     */
    private abstract static class Writer
    {
        final int index;

        Writer(final int index)
        {
            this.index = index;
        }

        Writer bind(final Schema output)
        {
            return this;
        }

        abstract void write(EventFlyweight in, EventFlyweight out);
    }

    /** An input field copied byte for byte (any fixed-width type). */
    private static final class Copy extends Writer
    {
        private final int inOffset;
        private final int width;
        private final int outOffset;

        Copy(final Field in, final int index)
        {
            this(in.offset(), in.width(), index, -1);
        }

        private Copy(final int inOffset, final int width, final int index, final int outOffset)
        {
            super(index);
            this.inOffset = inOffset;
            this.width = width;
            this.outOffset = outOffset;
        }

        @Override
        Writer bind(final Schema output)
        {
            return new Copy(inOffset, width, index, output.field(index).offset());
        }

        @Override
        void write(final EventFlyweight in, final EventFlyweight out)
        {
            // The stage wraps its output over a mutable buffer of its own (wrapForWrite).
            ((MutableDirectBuffer)out.buffer()).putBytes(out.offset() + outOffset, in.buffer(), in.offset() + inOffset, width);
        }
    }

    private static final class LongValue extends Writer
    {
        private final Numeric value;

        LongValue(final Numeric value, final int index)
        {
            super(index);
            this.value = value;
        }

        @Override
        void write(final EventFlyweight in, final EventFlyweight out)
        {
            out.putLong(index, value.longValue(in));
        }
    }

    private static final class IntValue extends Writer
    {
        private final Numeric value;
        private final ExpressionEvaluationException outOfRange;

        IntValue(final Numeric value, final int index, final ExpressionEvaluationException outOfRange)
        {
            super(index);
            this.value = value;
            this.outOfRange = outOfRange;
        }

        @Override
        void write(final EventFlyweight in, final EventFlyweight out)
        {
            final long v = value.longValue(in);
            if (v != (int)v)
            {
                throw outOfRange;
            }
            out.putInt(index, (int)v);
        }
    }

    /**
     * A DECIMAL value at the field's scale, checked against the field's precision.
     */
    private static final class DecimalValue extends Writer
    {
        private final Numeric value;
        private final long limit;
        private final ExpressionEvaluationException tooManyDigits;

        DecimalValue(final Numeric value, final int index, final int precision, final ExpressionEvaluationException tooManyDigits)
        {
            super(index);
            this.value = value;
            this.limit = Decimals.powerOfTen(precision) - 1;
            this.tooManyDigits = tooManyDigits;
        }

        @Override
        void write(final EventFlyweight in, final EventFlyweight out)
        {
            final long v = value.longValue(in);
            if (v > limit || v < -limit)
            {
                throw tooManyDigits;
            }
            out.putDecimal(index, v);
        }
    }

    private static final class DoubleValue extends Writer
    {
        private final Numeric value;

        DoubleValue(final Numeric value, final int index)
        {
            super(index);
            this.value = value;
        }

        @Override
        void write(final EventFlyweight in, final EventFlyweight out)
        {
            out.putDouble(index, value.doubleValue(in));
        }
    }

    private static final class Condition extends Writer
    {
        private final EventPredicate predicate;

        Condition(final EventPredicate predicate, final int index)
        {
            super(index);
            this.predicate = predicate;
        }

        @Override
        void write(final EventFlyweight in, final EventFlyweight out)
        {
            out.putBoolean(index, predicate.test(in));
        }
    }
}
