package io.sluice.engine.config;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

import io.sluice.engine.pipeline.EventPredicate;
import io.sluice.schema.Decimals;
import io.sluice.schema.Field;
import io.sluice.schema.FieldType;
import io.sluice.schema.Schema;

/**
 * Recursive-descent parser and type checker of the expression language of {@link Expressions};
 * builds the evaluator tree directly (predicates of {@link Predicates}, numeric nodes of {@link
 * Numeric}), folding constant sub-expressions. Used once per expression, at load time.
 */
final class ExpressionParser
{
    private static final int END = 0;
    private static final int IDENT = 1;
    private static final int NUMBER = 2;
    private static final int STRING = 3;
    private static final int OPERATOR = 4;
    private static final int LPAREN = 5;
    private static final int RPAREN = 6;
    private static final int AND = 7;
    private static final int OR = 8;
    private static final int NOT = 9;
    private static final int MINUS = 10;
    private static final int PLUS = 11;
    private static final int STAR = 12;
    private static final int SLASH = 13;
    private static final int COMMA = 14;

    /** Comparison operators by their code in {@link Predicates}, for messages. */
    private static final String[] OPERATORS = {"=", "!=", "<", "<=", ">", ">="};

    private final String text;
    private final Schema schema;
    private final String context;
    private int pos;
    private int tokenType;
    private int tokenStart;
    private String tokenText;

    ExpressionParser(final String text, final Schema schema)
    {
        this(text, schema, null);
    }

    /**
     * @param text    of the expression.
     * @param schema  of the events it is evaluated on.
     * @param context named first in every error (compile-time and evaluation), e.g. "pipeline 'x' having"; may be null.
     */
    ExpressionParser(final String text, final Schema schema, final String context)
    {
        this.text = text == null ? "" : text;
        this.schema = schema;
        this.context = context;
    }

    /**
     * Compiles a condition.
     */
    EventPredicate parse()
    {
        final Operand result = parseTop();
        return condition(result);
    }

    /**
     * Compiles an expression of any kind: a condition, a number, a field or a literal.
     */
    Operand parseValue()
    {
        return parseTop();
    }

    private Operand parseTop()
    {
        advance();
        if (tokenType == END)
        {
            throw error(1, "empty expression");
        }
        final Operand result = parseOr();
        if (tokenType != END)
        {
            throw error(tokenStart + 1, "unexpected '" + tokenText + "'");
        }
        return result;
    }

    private Operand parseOr()
    {
        Operand left = parseAnd();
        while (tokenType == OR)
        {
            advance();
            final int column = left.column;
            left = Operand.predicate(column, new Predicates.Or(condition(left), condition(parseAnd())));
        }
        return left;
    }

    private Operand parseAnd()
    {
        Operand left = parseNot();
        while (tokenType == AND)
        {
            advance();
            final int column = left.column;
            left = Operand.predicate(column, new Predicates.And(condition(left), condition(parseNot())));
        }
        return left;
    }

    private Operand parseNot()
    {
        if (tokenType == NOT)
        {
            final int column = tokenStart + 1;
            advance();
            final EventPredicate operand = condition(parseNot());
            if (operand == Predicates.Constant.TRUE || operand == Predicates.Constant.FALSE)
            {
                return Operand.predicate(column, constant(operand == Predicates.Constant.FALSE));
            }
            return Operand.predicate(column, new Predicates.Not(operand));
        }
        return parseComparison();
    }

    private Operand parseComparison()
    {
        final Operand left = parseSum();
        if (tokenType != OPERATOR)
        {
            return left;
        }
        final int op = operator(tokenText);
        final int opColumn = tokenStart + 1;
        advance();
        final Operand right = parseSum();
        return Operand.predicate(left.column, comparison(left, op, opColumn, right));
    }

    private Operand parseSum()
    {
        Operand left = parseProduct();
        while (tokenType == PLUS || tokenType == MINUS)
        {
            final boolean plus = tokenType == PLUS;
            final int opColumn = tokenStart + 1;
            advance();
            left = arithmetic(left, plus ? PLUS : MINUS, opColumn, parseProduct());
        }
        return left;
    }

    private Operand parseProduct()
    {
        Operand left = parseSign();
        while (tokenType == STAR || tokenType == SLASH)
        {
            final int op = tokenType;
            final int opColumn = tokenStart + 1;
            advance();
            left = arithmetic(left, op, opColumn, parseSign());
        }
        return left;
    }

    private Operand parseSign()
    {
        if (tokenType != MINUS)
        {
            return parsePrimary();
        }
        final int column = tokenStart + 1;
        advance();
        if (tokenType == NUMBER)
        {
            // A negative literal is read whole, so that -9223372036854775808 is in range.
            return number(column, "-" + tokenText);
        }
        final Operand operand = parseSign();
        final Numeric value = numeric(operand, "'-'");
        final Operand result = numericOperand(column, value.type == Numeric.Type.LONG ?
            new Numeric.LongNegate(value, evaluationError(column, "integer overflow in '-'")) :
            value.type == Numeric.Type.DECIMAL ? new DecimalNodes.Negate(value) : new Numeric.DoubleNegate(value));
        if (operand.exact != null && result.kind == Operand.DOUBLE)
        {
            result.exact = operand.exact.negate();
        }
        return result;
    }

    private Operand parsePrimary()
    {
        final int column = tokenStart + 1;
        switch (tokenType)
        {
            case IDENT:
            {
                final String name = tokenText;
                advance();
                if (tokenType == LPAREN)
                {
                    return call(column, name);
                }
                final String lower = name.toLowerCase(java.util.Locale.ROOT);
                if (lower.equals("true") || lower.equals("false"))
                {
                    return Operand.bool(column, lower.equals("true"));
                }
                if (!schema.hasField(name))
                {
                    throw error(column, "unknown field '" + name + "' (fields of " + schema.name() + ": " + fieldNames() + ")");
                }
                return Operand.field(column, schema.field(name));
            }
            case NUMBER:
                return number(column, tokenText);
            case STRING:
            {
                final String value = tokenText;
                advance();
                return Operand.string(column, value);
            }
            case LPAREN:
            {
                advance();
                final Operand inner = parseOr();
                if (tokenType != RPAREN)
                {
                    throw error(tokenType == END ? column : tokenStart + 1,
                        tokenType == END ? "'(' is never closed" : "expected ')' but found '" + tokenText + "'");
                }
                advance();
                return inner.at(column);
            }
            case END:
                throw error(column, "expected a field, number or string but the expression ended");
            default:
                throw error(column, "expected a field, number or string but found '" + tokenText + "'");
        }
    }

    /**
     * A function call: {@code abs(x)}, {@code min(a, b, ...)}, {@code max(a, b, ...)}, {@code double(x)}.
     */
    private Operand call(final int column, final String name)
    {
        final String function = name.toLowerCase(java.util.Locale.ROOT);
        final int open = tokenStart;
        advance();
        final java.util.List<Operand> arguments = new java.util.ArrayList<>();
        if (tokenType != RPAREN)
        {
            arguments.add(parseOr());
            while (tokenType == COMMA)
            {
                advance();
                arguments.add(parseOr());
            }
        }
        if (tokenType != RPAREN)
        {
            throw error(tokenType == END ? open + 1 : tokenStart + 1,
                tokenType == END ? "'(' of " + function + " is never closed" : "expected ',' or ')' but found '" + tokenText + "'");
        }
        advance();
        switch (function)
        {
            case "abs":
            case "double":
            {
                if (arguments.size() != 1)
                {
                    throw error(column, function + " takes one argument, not " + arguments.size());
                }
                final Numeric value = numeric(arguments.get(0), function + "()");
                if (function.equals("double"))
                {
                    return numericOperand(column, value.type == Numeric.Type.DOUBLE ? value : new Numeric.Widen(value));
                }
                switch (value.type)
                {
                    case LONG:
                        return numericOperand(column, new Numeric.LongAbs(value, evaluationError(column, "integer overflow in abs()")));
                    case DECIMAL:
                        return numericOperand(column, new DecimalNodes.Abs(value));
                    default:
                        return numericOperand(column, new Numeric.DoubleAbs(value));
                }
            }
            case "min":
            case "max":
            {
                if (arguments.size() < 2)
                {
                    throw error(column, function + " takes two or more arguments, not " + arguments.size());
                }
                return numericOperand(column, minMax(function.equals("min"), column, arguments));
            }
            case "round":
                return round(column, arguments);
            default:
                throw error(column, "unknown function '" + name + "' (functions: abs, min, max, double, round)");
        }
    }

    /**
     * {@code min(a, b, ...)} or {@code max(a, b, ...)}: LONG when every argument is, DOUBLE when one is
     * (a decimal literal next to a DECIMAL is exact), else DECIMAL at the largest scale of the arguments.
     */
    private Numeric minMax(final boolean min, final int column, final java.util.List<Operand> arguments)
    {
        final String where = (min ? "min" : "max") + "()";
        final Numeric[] values = new Numeric[arguments.size()];
        boolean decimal = false;
        for (int i = 0; i < values.length; i++)
        {
            values[i] = numeric(arguments.get(i), where);
            decimal |= values[i].type == Numeric.Type.DECIMAL;
        }
        boolean anyDouble = false;
        int scale = 0;
        for (int i = 0; i < values.length; i++)
        {
            if (decimal)
            {
                values[i] = exactIfDecimalLiteral(arguments.get(i), values[i]);
            }
            anyDouble |= values[i].type == Numeric.Type.DOUBLE;
            scale = Math.max(scale, DecimalNodes.scaleOf(values[i]));
        }
        if (decimal && !anyDouble)
        {
            final ExpressionEvaluationException overflow = evaluationError(column, "decimal overflow in " + where + " (more than 18 digits)");
            Numeric result = DecimalNodes.aligned(values[0], scale, overflow);
            for (int i = 1; i < values.length; i++)
            {
                final Numeric next = DecimalNodes.aligned(values[i], scale, overflow);
                result = min ? new DecimalNodes.Min(result, next) : new DecimalNodes.Max(result, next);
            }
            return result;
        }
        Numeric result = values[0];
        for (int i = 1; i < values.length; i++)
        {
            final Numeric next = values[i];
            final boolean longs = result.type == Numeric.Type.LONG && next.type == Numeric.Type.LONG;
            if (min)
            {
                result = longs ? new Numeric.LongMin(result, next) : new Numeric.DoubleMin(result, next);
            }
            else
            {
                result = longs ? new Numeric.LongMax(result, next) : new Numeric.DoubleMax(result, next);
            }
        }
        return result;
    }

    /**
     * {@code round(x, n)}: a DECIMAL or an integer {@code x} as a DECIMAL of scale {@code n} (0 to 18),
     * HALF_EVEN; over a product or a quotient, the exact result rounded once.
     */
    private Operand round(final int column, final java.util.List<Operand> arguments)
    {
        if (arguments.size() != 2)
        {
            throw error(column, "round takes two arguments, a number and a scale (round(price * qty, 2)), not " + arguments.size());
        }
        final Operand scaleArgument = arguments.get(1);
        if (scaleArgument.kind != Operand.LONG || scaleArgument.longValue < 0 || scaleArgument.longValue > Decimals.MAX_PRECISION)
        {
            throw error(scaleArgument.column, "the scale of round() is a whole number from 0 to 18");
        }
        final int scale = (int)scaleArgument.longValue;
        final Operand argument = arguments.get(0);
        final Numeric value = argument.kind == Operand.NUMERIC ? argument.numeric : numeric(argument, "round()");
        final Numeric exact = exactIfDecimalLiteral(argument, value);
        if (exact.type == Numeric.Type.DOUBLE)
        {
            throw error(argument.column, "round() takes a DECIMAL or an integer; a double has no exact decimal value " +
                "(declare the field DECIMAL(p, s), or write the literal without an exponent)");
        }
        return numericOperand(column, DecimalNodes.atScale(exact, scale,
            evaluationError(column, "decimal overflow in round() (more than 18 digits)")));
    }

    private Operand arithmetic(final Operand left, final int op, final int opColumn, final Operand right)
    {
        final String symbol = op == PLUS ? "+" : op == MINUS ? "-" : op == STAR ? "*" : "/";
        Numeric a = numeric(left, "'" + symbol + "'");
        Numeric b = numeric(right, "'" + symbol + "'");
        if (a.type == Numeric.Type.DECIMAL || b.type == Numeric.Type.DECIMAL)
        {
            a = exactIfDecimalLiteral(left, a);
            b = exactIfDecimalLiteral(right, b);
        }
        final Numeric result;
        if (a.type == Numeric.Type.DOUBLE || b.type == Numeric.Type.DOUBLE)
        {
            switch (op)
            {
                case PLUS:
                    result = new Numeric.DoubleAdd(a, b);
                    break;
                case MINUS:
                    result = new Numeric.DoubleSubtract(a, b);
                    break;
                case STAR:
                    result = new Numeric.DoubleMultiply(a, b);
                    break;
                default:
                    result = new Numeric.DoubleDivide(a, b);
                    break;
            }
        }
        else if (a.type == Numeric.Type.DECIMAL || b.type == Numeric.Type.DECIMAL)
        {
            return decimalArithmetic(left.column, a, op, symbol, opColumn, b);
        }
        else
        {
            final ExpressionEvaluationException overflow = evaluationError(opColumn, "integer overflow in '" + symbol + "'");
            switch (op)
            {
                case PLUS:
                    result = new Numeric.LongAdd(a, b, overflow);
                    break;
                case MINUS:
                    result = new Numeric.LongSubtract(a, b, overflow);
                    break;
                case STAR:
                    result = new Numeric.LongMultiply(a, b, overflow);
                    break;
                default:
                    result = new Numeric.LongDivide(a, b, evaluationError(opColumn, "integer division by zero"), overflow);
                    break;
            }
        }
        final Operand folded = numericOperand(left.column, result);
        if (folded.kind == Operand.DOUBLE && op != SLASH)
        {
            folded.exact = exactConstant(left, op, right);
        }
        return folded;
    }

    /**
     * Exact arithmetic with at least one DECIMAL operand and no DOUBLE one; the scale rules are those of
     * {@link DecimalNodes}.
     */
    private Operand decimalArithmetic(
        final int column, final Numeric a, final int op, final String symbol, final int opColumn, final Numeric b)
    {
        final ExpressionEvaluationException overflow =
            evaluationError(opColumn, "decimal overflow in '" + symbol + "' (more than 18 digits)");
        final int sa = DecimalNodes.scaleOf(a);
        final int sb = DecimalNodes.scaleOf(b);
        final int scale = Math.max(sa, sb);
        switch (op)
        {
            case PLUS:
                return numericOperand(column, new DecimalNodes.Add(
                    DecimalNodes.aligned(a, scale, overflow), DecimalNodes.aligned(b, scale, overflow), overflow));
            case MINUS:
                return numericOperand(column, new DecimalNodes.Subtract(
                    DecimalNodes.aligned(a, scale, overflow), DecimalNodes.aligned(b, scale, overflow), overflow));
            case STAR:
            {
                final Numeric product = new DecimalNodes.Multiply(
                    DecimalNodes.aligned(a, sa, overflow), DecimalNodes.aligned(b, sb, overflow), 0, overflow);
                if (product.scale <= Decimals.MAX_PRECISION)
                {
                    return numericOperand(column, product);
                }
                // Kept unrounded for a round() or a declared DECIMAL type around it; any other use is refused.
                final Operand unrounded = Operand.numeric(column, product);
                unrounded.unrounded = error(opColumn, "the product of DECIMAL scales " + sa + " and " + sb + " has scale " +
                    product.scale + ", more than 18; round it to the scale you need, e.g. round(... * ..., " + Math.max(sa, sb) + ")");
                return unrounded;
            }
            default:
                return numericOperand(column, new DecimalNodes.Divide(
                    DecimalNodes.aligned(a, sa, overflow), DecimalNodes.aligned(b, sb, overflow), scale,
                    evaluationError(opColumn, "decimal division by zero"), overflow));
        }
    }

    /**
     * A number operand of an operator whose other operand is a DECIMAL: a literal written with a '.'
     * and no exponent (or a constant computed from such literals with + - *) is taken exactly, as a
     * decimal of its written scale; anything else as it is.
     */
    private static Numeric exactIfDecimalLiteral(final Operand operand, final Numeric value)
    {
        if (value.type == Numeric.Type.DOUBLE && operand.kind == Operand.DOUBLE && operand.exact != null)
        {
            return new DecimalNodes.Constant(operand.exact.unscaledValue().longValueExact(), operand.exact.scale());
        }
        return value;
    }

    /**
     * The exact value of {@code left op right} for two literal constants with exact values, or null
     * when it has none within 18 digits and a scale of 0 to 18.
     */
    private static java.math.BigDecimal exactConstant(final Operand left, final int op, final Operand right)
    {
        final java.math.BigDecimal a = left.kind == Operand.LONG ? java.math.BigDecimal.valueOf(left.longValue) : left.exact;
        final java.math.BigDecimal b = right.kind == Operand.LONG ? java.math.BigDecimal.valueOf(right.longValue) : right.exact;
        if (a == null || b == null || (left.kind != Operand.LONG && left.kind != Operand.DOUBLE) ||
            (right.kind != Operand.LONG && right.kind != Operand.DOUBLE))
        {
            return null;
        }
        return exactDecimal(op == PLUS ? a.add(b) : op == MINUS ? a.subtract(b) : a.multiply(b));
    }

    /**
     * The value if it is a DECIMAL (scale 0 to 18, at most 18 digits), else null.
     */
    private static java.math.BigDecimal exactDecimal(final java.math.BigDecimal value)
    {
        return value.scale() >= 0 && value.scale() <= Decimals.MAX_PRECISION && value.precision() <= Decimals.MAX_PRECISION ?
            value : null;
    }

    /**
     * A computed number, folded into a literal when it reads no field (an integer error in a constant,
     * such as {@code 1 / 0}, is a compile-time error).
     */
    private Operand numericOperand(final int column, final Numeric value)
    {
        if (!value.isConstant())
        {
            return Operand.numeric(column, value);
        }
        try
        {
            switch (value.type)
            {
                case LONG:
                    return Operand.longNumber(column, value.longValue(null));
                case DECIMAL:
                    return Operand.numeric(column, new DecimalNodes.Constant(value.longValue(null), value.scale));
                default:
                    return Operand.doubleNumber(column, value.doubleValue(null));
            }
        }
        catch (final ExpressionEvaluationException ex)
        {
            throw new ExpressionException(ex.getMessage());
        }
    }

    /**
     * An operand as a numeric node: a number literal, a numeric field (LONG, INT, TIMESTAMP, DOUBLE)
     * or a computed number.
     */
    private Numeric numeric(final Operand operand, final String where)
    {
        if (operand.unrounded != null)
        {
            throw operand.unrounded;
        }
        switch (operand.kind)
        {
            case Operand.NUMERIC:
                return operand.numeric;
            case Operand.LONG:
                return new Numeric.LongConstant(operand.longValue);
            case Operand.DOUBLE:
                return new Numeric.DoubleConstant(operand.doubleValue);
            case Operand.FIELD:
            {
                final Field field = operand.field;
                switch (field.type())
                {
                    case LONG:
                    case TIMESTAMP:
                        return new Numeric.LongField(field.index());
                    case INT:
                        return new Numeric.IntField(field.index());
                    case DOUBLE:
                        return new Numeric.DoubleField(field.index());
                    case DECIMAL:
                        return decimalField(operand.column, field);
                    default:
                        throw error(operand.column, field.type() + " field '" + field.name() + "' is not a number, so " + where +
                            " cannot take it");
                }
            }
            case Operand.STRING:
                throw error(operand.column, "the string '" + operand.string + "' is not a number, so " + where + " cannot take it");
            case Operand.BOOLEAN:
                throw error(operand.column, operand.bool + " is not a number, so " + where + " cannot take it");
            default:
                throw error(operand.column, "a condition is not a number, so " + where + " cannot take it");
        }
    }

    /**
     * A DECIMAL field read exactly; it throws, naming the field, if it holds an overflowed aggregate.
     */
    DecimalNodes.Field decimalField(final int column, final Field field)
    {
        return new DecimalNodes.Field(field.index(), field.scale(), evaluationError(column, "DECIMAL field '" + field.name() +
            "' is OVERFLOW (an aggregate beyond 18 digits), which has no exact value"));
    }

    private Operand number(final int column, final String literal)
    {
        advance();
        final boolean integral = literal.indexOf('.') < 0 && literal.indexOf('e') < 0 && literal.indexOf('E') < 0;
        if (integral)
        {
            try
            {
                return Operand.longNumber(column, Long.parseLong(literal));
            }
            catch (final NumberFormatException ex)
            {
                throw error(column, "integer " + literal + " is out of range of a 64-bit long");
            }
        }
        final double value = Double.parseDouble(literal);
        if (Double.isInfinite(value))
        {
            throw error(column, "number " + literal + " is out of range of a double");
        }
        final Operand operand = Operand.doubleNumber(column, value);
        if (literal.indexOf('e') < 0 && literal.indexOf('E') < 0)
        {
            // Kept exactly too: next to a DECIMAL operand the literal is a decimal of its written scale.
            operand.exact = exactDecimal(new java.math.BigDecimal(literal));
        }
        return operand;
    }

    /**
     * An operand used as a condition: a comparison or a combination of them, true/false, or a BOOLEAN field.
     */
    private EventPredicate condition(final Operand operand)
    {
        if (operand.kind == Operand.PREDICATE)
        {
            return operand.predicate;
        }
        if (operand.kind == Operand.BOOLEAN)
        {
            return operand.bool ? Predicates.Constant.TRUE : Predicates.Constant.FALSE;
        }
        if (operand.kind == Operand.FIELD && operand.field.type() == FieldType.BOOLEAN)
        {
            return new Predicates.LongFieldLiteral(operand.field.index(), Predicates.NE, 0);
        }
        final String what = operand.kind == Operand.FIELD ?
            "field '" + operand.field.name() + "' is a " + operand.field.type() + ", not a condition" :
            operand.kind == Operand.NUMERIC ? "a computed number is not a condition" : "a literal alone is not a condition";
        throw error(operand.column, what + "; compare it with = != < <= > >=");
    }

    private EventPredicate comparison(final Operand left, final int op, final int opColumn, final Operand right)
    {
        if (left.kind == Operand.PREDICATE || right.kind == Operand.PREDICATE)
        {
            throw error(opColumn, "a condition cannot be compared; combine conditions with and, or, not");
        }
        if (left.kind == Operand.NUMERIC || right.kind == Operand.NUMERIC ||
            (isDecimalField(left) && isNumber(right)) || (isDecimalField(right) && isNumber(left)))
        {
            return computedComparison(left, op, opColumn, right);
        }
        if (left.kind != Operand.FIELD && right.kind == Operand.FIELD)
        {
            return comparison(right, Predicates.mirror(op), opColumn, left);
        }
        if (left.kind != Operand.FIELD)
        {
            return fold(left, op, opColumn, right);
        }
        final Field field = left.field;
        switch (field.type())
        {
            case SYMBOL:
                return symbolComparison(field, op, opColumn, right);
            case TEXT:
                throw error(opColumn, "TEXT field '" + field.name() + "' cannot be compared; compare SYMBOL fields");
            case BOOLEAN:
                if (right.kind == Operand.BOOLEAN || (right.kind == Operand.FIELD && right.field.type() == FieldType.BOOLEAN))
                {
                    requireEquality(op, opColumn, "BOOLEAN field '" + field.name() + "'");
                    return right.kind == Operand.BOOLEAN ?
                        new Predicates.LongFieldLiteral(field.index(), op, right.bool ? 1 : 0) :
                        new Predicates.LongFields(field.index(), op, right.field.index());
                }
                throw error(right.column, "BOOLEAN field '" + field.name() + "' can only be compared with true, false or another BOOLEAN field");
            default:
                return numericComparison(field, op, opColumn, right);
        }
    }

    private static boolean isDecimalField(final Operand operand)
    {
        return operand.kind == Operand.FIELD && operand.field.type() == FieldType.DECIMAL;
    }

    /**
     * Whether the operand is a number literal or a numeric field (a DECIMAL one compares exactly with it).
     */
    private static boolean isNumber(final Operand operand)
    {
        return operand.kind == Operand.LONG || operand.kind == Operand.DOUBLE ||
            (operand.kind == Operand.FIELD && operand.field.type().isNumeric() && operand.field.type() != FieldType.BOOLEAN);
    }

    private EventPredicate numericComparison(final Field field, final int op, final int opColumn, final Operand right)
    {
        final boolean fieldIsDouble = field.type() == FieldType.DOUBLE || field.type() == FieldType.DECIMAL;
        switch (right.kind)
        {
            case Operand.LONG:
                return fieldIsDouble ?
                    new Predicates.DoubleFieldLiteral(field.index(), op, right.longValue) :
                    new Predicates.LongFieldLiteral(field.index(), op, right.longValue);
            case Operand.DOUBLE:
                return new Predicates.DoubleFieldLiteral(field.index(), op, right.doubleValue);
            case Operand.FIELD:
            {
                final FieldType other = right.field.type();
                if (other == FieldType.SYMBOL || other == FieldType.BOOLEAN || other == FieldType.TEXT)
                {
                    throw error(right.column, field.type() + " field '" + field.name() + "' cannot be compared with " + other +
                        " field '" + right.field.name() + "'");
                }
                return fieldIsDouble || other == FieldType.DOUBLE || other == FieldType.DECIMAL ?
                    new Predicates.DoubleFields(field.index(), op, right.field.index()) :
                    new Predicates.LongFields(field.index(), op, right.field.index());
            }
            case Operand.STRING:
                if (field.type() == FieldType.TIMESTAMP)
                {
                    return new Predicates.LongFieldLiteral(field.index(), op, instant(right));
                }
                throw error(right.column, field.type() + " field '" + field.name() + "' cannot be compared with the string '" +
                    right.string + "'" + (field.type() == FieldType.TIMESTAMP ? "" : "; strings compare with SYMBOL fields"));
            default:
                throw error(right.column, field.type() + " field '" + field.name() + "' cannot be compared with " + right.bool);
        }
    }

    /**
     * A comparison of which at least one side is computed: both sides numeric, compared as longs when
     * both are LONG, else as doubles.
     */
    private EventPredicate computedComparison(final Operand left, final int op, final int opColumn, final Operand right)
    {
        final String symbol = "'" + OPERATORS[op] + "'";
        Numeric a = numeric(left, symbol);
        Numeric b = numeric(right, symbol);
        if (a.type == Numeric.Type.DECIMAL || b.type == Numeric.Type.DECIMAL)
        {
            a = exactIfDecimalLiteral(left, a);
            b = exactIfDecimalLiteral(right, b);
            if (a.type != Numeric.Type.DOUBLE && b.type != Numeric.Type.DOUBLE)
            {
                return new Predicates.DecimalCompare(
                    DecimalNodes.constantAt(a, DecimalNodes.scaleOf(b)), op, DecimalNodes.constantAt(b, DecimalNodes.scaleOf(a)));
            }
        }
        return a.type == Numeric.Type.LONG && b.type == Numeric.Type.LONG ?
            new Predicates.LongCompare(a, op, b) :
            new Predicates.DoubleCompare(a, op, b);
    }

    private long instant(final Operand literal)
    {
        try
        {
            return Instant.parse(literal.string).toEpochMilli();
        }
        catch (final DateTimeParseException | ArithmeticException ex)
        {
            throw error(literal.column, "'" + literal.string + "' is not an ISO-8601 instant such as 2024-03-01T09:30:00Z");
        }
    }

    private EventPredicate symbolComparison(final Field field, final int op, final int opColumn, final Operand right)
    {
        requireEquality(op, opColumn, "SYMBOL field '" + field.name() + "'");
        final boolean negate = op == Predicates.NE;
        if (right.kind == Operand.FIELD && right.field.type() == FieldType.SYMBOL)
        {
            return new Predicates.SymbolFields(field, right.field, negate);
        }
        if (right.kind != Operand.STRING)
        {
            throw error(right.column, "SYMBOL field '" + field.name() + "' can only be compared with a quoted string or another SYMBOL field");
        }
        final String value = right.string;
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (c == 0 || c > 0x7F)
            {
                throw error(right.column, "symbol literal '" + value + "' must be ASCII without NUL");
            }
        }
        if (value.length() > field.width())
        {
            throw error(right.column, "'" + value + "' is longer than the " + field.width() + " bytes of SYMBOL field '" +
                field.name() + "', so it could never match");
        }
        return new Predicates.SymbolLiteral(field.index(), value.getBytes(StandardCharsets.US_ASCII), negate);
    }

    private EventPredicate fold(final Operand left, final int op, final int opColumn, final Operand right)
    {
        if (left.kind == Operand.BOOLEAN && right.kind == Operand.BOOLEAN)
        {
            requireEquality(op, opColumn, "booleans");
            return constant((left.bool == right.bool) == (op == Predicates.EQ));
        }
        final boolean leftNumber = left.kind == Operand.LONG || left.kind == Operand.DOUBLE;
        final boolean rightNumber = right.kind == Operand.LONG || right.kind == Operand.DOUBLE;
        if (leftNumber && rightNumber)
        {
            if (left.kind == Operand.LONG && right.kind == Operand.LONG)
            {
                return constant(Predicates.compare(op, left.longValue, right.longValue));
            }
            return constant(Predicates.compare(op, left.asDouble(), right.asDouble()));
        }
        if (left.kind == Operand.STRING && right.kind == Operand.STRING)
        {
            requireEquality(op, opColumn, "strings");
            return constant(left.string.equals(right.string) == (op == Predicates.EQ));
        }
        throw error(opColumn, "cannot compare these literals");
    }

    private static EventPredicate constant(final boolean value)
    {
        return value ? Predicates.Constant.TRUE : Predicates.Constant.FALSE;
    }

    private void requireEquality(final int op, final int opColumn, final String what)
    {
        if (op != Predicates.EQ && op != Predicates.NE)
        {
            throw error(opColumn, what + " can only be compared with = or !=");
        }
    }

    private static int operator(final String op)
    {
        switch (op)
        {
            case "=":
            case "==":
                return Predicates.EQ;
            case "!=":
            case "<>":
                return Predicates.NE;
            case "<":
                return Predicates.LT;
            case "<=":
                return Predicates.LE;
            case ">":
                return Predicates.GT;
            default:
                return Predicates.GE;
        }
    }

    private String fieldNames()
    {
        final StringBuilder names = new StringBuilder();
        for (final Field field : schema.fields())
        {
            names.append(names.length() == 0 ? "" : ", ").append(field.name());
        }
        return names.toString();
    }

    private void advance()
    {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos)))
        {
            pos++;
        }
        tokenStart = pos;
        if (pos >= text.length())
        {
            tokenType = END;
            tokenText = "";
            return;
        }
        final char c = text.charAt(pos);
        if (Character.isLetter(c) || c == '_')
        {
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_'))
            {
                pos++;
            }
            tokenText = text.substring(tokenStart, pos);
            switch (tokenText.toLowerCase(java.util.Locale.ROOT))
            {
                case "and":
                    tokenType = AND;
                    break;
                case "or":
                    tokenType = OR;
                    break;
                case "not":
                    tokenType = NOT;
                    break;
                default:
                    tokenType = IDENT;
            }
        }
        else if (Character.isDigit(c) || (c == '.' && pos + 1 < text.length() && Character.isDigit(text.charAt(pos + 1))))
        {
            lexNumber();
        }
        else if (c == '\'' || c == '"')
        {
            lexString(c);
        }
        else
        {
            lexSymbol(c);
        }
    }

    private void lexNumber()
    {
        while (pos < text.length() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '.'))
        {
            pos++;
        }
        if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E'))
        {
            pos++;
            if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-'))
            {
                pos++;
            }
            while (pos < text.length() && Character.isDigit(text.charAt(pos)))
            {
                pos++;
            }
        }
        tokenText = text.substring(tokenStart, pos);
        tokenType = NUMBER;
        if (pos < text.length() && (Character.isLetter(text.charAt(pos)) || text.charAt(pos) == '_'))
        {
            throw error(tokenStart + 1, "'" + tokenText + text.charAt(pos) + "...' is not a number");
        }
        if (!tokenText.matches("(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?"))
        {
            throw error(tokenStart + 1, "'" + tokenText + "' is not a number");
        }
    }

    private void lexString(final char quote)
    {
        final StringBuilder value = new StringBuilder();
        pos++;
        while (true)
        {
            if (pos >= text.length())
            {
                throw error(tokenStart + 1, "string is never closed");
            }
            final char ch = text.charAt(pos++);
            if (ch == quote)
            {
                if (pos < text.length() && text.charAt(pos) == quote)
                {
                    value.append(quote); // a doubled quote stands for one, SQL style
                    pos++;
                    continue;
                }
                break;
            }
            value.append(ch);
        }
        tokenText = value.toString();
        tokenType = STRING;
    }

    private void lexSymbol(final char c)
    {
        final char next = pos + 1 < text.length() ? text.charAt(pos + 1) : 0;
        final String two = "" + c + next;
        switch (two)
        {
            case "==":
            case "!=":
            case "<>":
            case "<=":
            case ">=":
                pos += 2;
                tokenText = two;
                tokenType = OPERATOR;
                return;
            case "&&":
                pos += 2;
                tokenText = two;
                tokenType = AND;
                return;
            case "||":
                pos += 2;
                tokenText = two;
                tokenType = OR;
                return;
            default:
                break;
        }
        pos++;
        tokenText = String.valueOf(c);
        switch (c)
        {
            case '=':
            case '<':
            case '>':
                tokenType = OPERATOR;
                break;
            case '!':
                tokenType = NOT;
                break;
            case '(':
                tokenType = LPAREN;
                break;
            case ')':
                tokenType = RPAREN;
                break;
            case '-':
                tokenType = MINUS;
                break;
            case '+':
                tokenType = PLUS;
                break;
            case '*':
                tokenType = STAR;
                break;
            case '/':
                tokenType = SLASH;
                break;
            case ',':
                tokenType = COMMA;
                break;
            default:
                throw error(tokenStart + 1, "unexpected character '" + c + "'");
        }
    }

    private ExpressionException error(final int column, final String reason)
    {
        return new ExpressionException(context, text, column, reason);
    }

    /**
     * The error an operator throws when it cannot evaluate an event, created once here.
     */
    private ExpressionEvaluationException evaluationError(final int column, final String reason)
    {
        return new ExpressionEvaluationException(ExpressionException.message(context, text, column, reason));
    }

    /**
     * A compiled (sub-)expression, typed: a field, a literal, a computed number or a condition.
     */
    static final class Operand
    {
        static final int FIELD = 0;
        static final int LONG = 1;
        static final int DOUBLE = 2;
        static final int STRING = 3;
        static final int BOOLEAN = 4;
        static final int NUMERIC = 5;
        static final int PREDICATE = 6;

        final int kind;
        final int column;
        Numeric numeric;
        EventPredicate predicate;
        Field field;
        long longValue;
        double doubleValue;
        String string;
        boolean bool;
        /** The exact value of a DOUBLE literal written without an exponent, or of + - * of such; else null. */
        java.math.BigDecimal exact;
        /** Set on a DECIMAL product of scale above 18: thrown by any use but round() or a declared DECIMAL type. */
        ExpressionException unrounded;

        private Operand(final int kind, final int column)
        {
            this.kind = kind;
            this.column = column;
        }

        static Operand field(final int column, final Field field)
        {
            final Operand operand = new Operand(FIELD, column);
            operand.field = field;
            return operand;
        }

        static Operand longNumber(final int column, final long value)
        {
            final Operand operand = new Operand(LONG, column);
            operand.longValue = value;
            return operand;
        }

        static Operand doubleNumber(final int column, final double value)
        {
            final Operand operand = new Operand(DOUBLE, column);
            operand.doubleValue = value;
            return operand;
        }

        static Operand string(final int column, final String value)
        {
            final Operand operand = new Operand(STRING, column);
            operand.string = value;
            return operand;
        }

        static Operand numeric(final int column, final Numeric value)
        {
            final Operand operand = new Operand(NUMERIC, column);
            operand.numeric = value;
            return operand;
        }

        static Operand predicate(final int column, final EventPredicate value)
        {
            final Operand operand = new Operand(PREDICATE, column);
            operand.predicate = value;
            return operand;
        }

        /**
         * The same operand reported at another column (a parenthesised one at its '(').
         */
        Operand at(final int newColumn)
        {
            final Operand operand = new Operand(kind, newColumn);
            operand.numeric = numeric;
            operand.predicate = predicate;
            operand.field = field;
            operand.longValue = longValue;
            operand.doubleValue = doubleValue;
            operand.string = string;
            operand.bool = bool;
            operand.exact = exact;
            operand.unrounded = unrounded;
            return operand;
        }

        static Operand bool(final int column, final boolean value)
        {
            final Operand operand = new Operand(BOOLEAN, column);
            operand.bool = value;
            return operand;
        }

        double asDouble()
        {
            return kind == LONG ? longValue : doubleValue;
        }
    }
}
