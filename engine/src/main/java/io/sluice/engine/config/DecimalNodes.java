package io.sluice.engine.config;

import io.sluice.schema.DecimalArithmetic;
import io.sluice.schema.Decimals;
import io.sluice.schema.EventFlyweight;

/**
 * The {@link Numeric.Type#DECIMAL} nodes of compiled expressions: exact arithmetic on the unscaled
 * longs of DECIMAL(p, s) values, each node at a scale fixed at compile time, evaluated with primitive
 * longs only (no BigDecimal, no allocation; products and quotients in 128 bits by
 * {@link DecimalArithmetic}). The scale rules, applied by {@link ExpressionParser}:
 * <pre>
 *   a + b, a - b, min, max   scale max(sa, sb)     (the operand of smaller scale is scaled up, exactly)
 *   a * b                    scale sa + sb         (more than 18: refused unless rounded, see round)
 *   a / b                    scale max(sa, sb)     (rounded HALF_EVEN)
 *   -a, abs(a)               scale sa
 *   round(x, n)              scale n               (HALF_EVEN; over a product or a quotient: one rounding
 *                                                   of the exact result, never two)
 * </pre>
 * An integer operand (LONG, INT, TIMESTAMP, an integer literal) is a DECIMAL of scale 0. Every value,
 * intermediate ones included, is a DECIMAL: at most 18 digits ({@link Decimals#MAX_UNSCALED}); beyond
 * that, and for a division by zero, the operator throws its {@link ExpressionEvaluationException},
 * created once at compile time.
 *
 * <p>Threading: immutable; evaluated on partition threads.
 */
final class DecimalNodes
{
    private DecimalNodes()
    {
    }

    /**
     * A node of the value of {@code operand} at {@code toScale}: itself at its own scale; a product or a
     * quotient recomputed to round its exact result once, at {@code toScale}; anything else (an integer
     * node as scale 0) rescaled, HALF_EVEN.
     *
     * @param operand  a LONG or DECIMAL node.
     * @param toScale  0 to 18.
     * @param overflow thrown if the value has more than 18 digits at {@code toScale}.
     * @return the node.
     */
    static Numeric atScale(final Numeric operand, final int toScale, final ExpressionEvaluationException overflow)
    {
        if (operand.type == Numeric.Type.DECIMAL && operand.scale == toScale)
        {
            return operand;
        }
        if (operand instanceof Multiply && toScale < operand.scale)
        {
            final Multiply product = (Multiply)operand;
            return new Multiply(product.left, product.right, product.drop + operand.scale - toScale, product.error);
        }
        if (operand instanceof Divide)
        {
            final Divide quotient = (Divide)operand;
            return new Divide(quotient.left, quotient.right, toScale, quotient.error, quotient.overflow);
        }
        return new Rescale(operand, operand.type == Numeric.Type.DECIMAL ? operand.scale : 0, toScale, overflow);
    }

    /**
     * An operand of a DECIMAL operator at the operator's scale: an integer is checked to have at most
     * 18 digits and scaled; a DECIMAL of a smaller scale is scaled up exactly.
     *
     * @param operand  a LONG or DECIMAL node.
     * @param toScale  the operator's scale, at least the operand's.
     * @param overflow the operator's error.
     * @return the node.
     */
    static Numeric aligned(final Numeric operand, final int toScale, final ExpressionEvaluationException overflow)
    {
        if (operand.type == Numeric.Type.DECIMAL && operand.scale == toScale)
        {
            return operand;
        }
        final Rescale rescaled = new Rescale(operand, scaleOf(operand), toScale, overflow);
        if (operand.isConstant())
        {
            // A literal is aligned once, here, not per event; one that cannot be keeps the node, which throws.
            try
            {
                final long value = DecimalArithmetic.rescale(operand.longValue(null), scaleOf(operand), toScale);
                return value == Decimals.OVERFLOW ? rescaled : new Constant(value, toScale);
            }
            catch (final ExpressionEvaluationException ex)
            {
                return rescaled;
            }
        }
        return rescaled;
    }

    /**
     * A constant at a larger scale if it is exactly one there (so a comparison with a field of that
     * scale compares two longs), else the operand itself.
     *
     * @param operand a node.
     * @param toScale the scale wanted.
     * @return the node.
     */
    static Numeric constantAt(final Numeric operand, final int toScale)
    {
        if (!operand.isConstant() || operand.type == Numeric.Type.DOUBLE || scaleOf(operand) >= toScale)
        {
            return operand;
        }
        try
        {
            final long value = DecimalArithmetic.rescale(operand.longValue(null), scaleOf(operand), toScale);
            return value == Decimals.OVERFLOW ? operand : new Constant(value, toScale);
        }
        catch (final ExpressionEvaluationException ex)
        {
            return operand;
        }
    }

    /**
     * The scale of an operand of a DECIMAL operator: its own, 0 for an integer.
     *
     * @param operand a LONG or DECIMAL node.
     * @return the scale.
     */
    static int scaleOf(final Numeric operand)
    {
        return operand.type == Numeric.Type.DECIMAL ? operand.scale : 0;
    }

    /**
     * A DECIMAL node; its double value is the double nearest its value.
     */
    abstract static class DecimalNode extends Numeric
    {
        DecimalNode(final int scale)
        {
            super(Type.DECIMAL, scale);
        }

        @Override
        double doubleValue(final EventFlyweight event)
        {
            return Decimals.toDouble(longValue(event), scale);
        }
    }

    /**
     * A DECIMAL field. A field holding {@link Decimals#OVERFLOW} (an aggregate sum that overflowed) has
     * no exact value: read exactly it throws; read as a double it is NaN, as everywhere else.
     */
    static final class Field extends DecimalNode
    {
        private final int field;
        private final ExpressionEvaluationException overflowed;

        Field(final int field, final int scale, final ExpressionEvaluationException overflowed)
        {
            super(scale);
            this.field = field;
            this.overflowed = overflowed;
        }

        @Override
        long longValue(final EventFlyweight event)
        {
            final long value = event.getDecimal(field);
            if (value == Decimals.OVERFLOW)
            {
                throw overflowed;
            }
            return value;
        }

        @Override
        double doubleValue(final EventFlyweight event)
        {
            return Decimals.toDouble(event.getDecimal(field), scale);
        }

        @Override
        boolean isConstant()
        {
            return false;
        }
    }

    /** A decimal literal, e.g. {@code 1.05} next to a DECIMAL operand (unscaled 105, scale 2). */
    static final class Constant extends DecimalNode
    {
        private final long unscaled;

        Constant(final long unscaled, final int scale)
        {
            super(scale);
            this.unscaled = unscaled;
        }

        @Override
        long longValue(final EventFlyweight event)
        {
            return unscaled;
        }

        @Override
        boolean isConstant()
        {
            return true;
        }
    }

    /**
     * A LONG or DECIMAL value at another scale: exact upwards, HALF_EVEN downwards; an integer is
     * read at scale 0 (and must have at most 18 digits).
     */
    static final class Rescale extends DecimalNode
    {
        private final Numeric operand;
        private final int fromScale;
        private final ExpressionEvaluationException overflow;

        Rescale(final Numeric operand, final int fromScale, final int toScale, final ExpressionEvaluationException overflow)
        {
            super(toScale);
            this.operand = operand;
            this.fromScale = fromScale;
            this.overflow = overflow;
        }

        @Override
        long longValue(final EventFlyweight event)
        {
            final long value = DecimalArithmetic.rescale(operand.longValue(event), fromScale, scale);
            if (value == Decimals.OVERFLOW)
            {
                throw overflow;
            }
            return value;
        }

        @Override
        boolean isConstant()
        {
            return operand.isConstant();
        }
    }

    /** Two operands at one scale. */
    abstract static class Binary extends DecimalNode
    {
        final Numeric left;
        final Numeric right;
        final ExpressionEvaluationException error;

        Binary(final Numeric left, final Numeric right, final int scale, final ExpressionEvaluationException error)
        {
            super(scale);
            this.left = left;
            this.right = right;
            this.error = error;
        }

        @Override
        final boolean isConstant()
        {
            return left.isConstant() && right.isConstant();
        }
    }

    /** {@code a + b} of two operands aligned to one scale. */
    static final class Add extends Binary
    {
        Add(final Numeric left, final Numeric right, final ExpressionEvaluationException overflow)
        {
            super(left, right, left.scale, overflow);
        }

        @Override
        long longValue(final EventFlyweight event)
        {
            final long sum = left.longValue(event) + right.longValue(event); // two 18-digit values never wrap
            if (sum > Decimals.MAX_UNSCALED || sum < -Decimals.MAX_UNSCALED)
            {
                throw error;
            }
            return sum;
        }
    }

    /** {@code a - b} of two operands aligned to one scale. */
    static final class Subtract extends Binary
    {
        Subtract(final Numeric left, final Numeric right, final ExpressionEvaluationException overflow)
        {
            super(left, right, left.scale, overflow);
        }

        @Override
        long longValue(final EventFlyweight event)
        {
            final long difference = left.longValue(event) - right.longValue(event); // never wraps either
            if (difference > Decimals.MAX_UNSCALED || difference < -Decimals.MAX_UNSCALED)
            {
                throw error;
            }
            return difference;
        }
    }

    /**
     * {@code a * b}: the exact 128-bit product of the unscaled values, at scale {@code sa + sb}, or
     * rounded once to {@code sa + sb - drop} when a {@code round()} or a declared type asks for a
     * smaller scale.
     */
    static final class Multiply extends Binary
    {
        final int drop;

        /**
         * @param left     at its scale (an integer: checked to 18 digits, scale 0).
         * @param right    likewise.
         * @param drop     decimal places rounded away from the exact product.
         * @param overflow thrown beyond 18 digits.
         */
        Multiply(final Numeric left, final Numeric right, final int drop, final ExpressionEvaluationException overflow)
        {
            super(left, right, left.scale + right.scale - drop, overflow);
            this.drop = drop;
        }

        @Override
        long longValue(final EventFlyweight event)
        {
            final long product = DecimalArithmetic.multiply(left.longValue(event), right.longValue(event), drop);
            if (product == Decimals.OVERFLOW)
            {
                throw error;
            }
            return product;
        }
    }

    /** {@code a / b}, the exact quotient rounded once, HALF_EVEN, at the node's scale. */
    static final class Divide extends Binary
    {
        private final ExpressionEvaluationException overflow;
        private final int exponent;

        /**
         * @param left     dividend at its scale (an integer: checked to 18 digits, scale 0).
         * @param right    divisor likewise.
         * @param scale    of the quotient, 0 to 18.
         * @param byZero   thrown when the divisor is zero.
         * @param overflow thrown beyond 18 digits.
         */
        Divide(final Numeric left, final Numeric right, final int scale, final ExpressionEvaluationException byZero,
            final ExpressionEvaluationException overflow)
        {
            super(left, right, scale, byZero);
            this.overflow = overflow;
            this.exponent = scale + right.scale - left.scale;
        }

        @Override
        long longValue(final EventFlyweight event)
        {
            final long a = left.longValue(event);
            final long b = right.longValue(event);
            if (b == 0)
            {
                throw error;
            }
            final long quotient = DecimalArithmetic.divide(a, b, exponent);
            if (quotient == Decimals.OVERFLOW)
            {
                throw overflow;
            }
            return quotient;
        }
    }

    /** {@code min} of operands aligned to one scale. */
    static final class Min extends Binary
    {
        Min(final Numeric left, final Numeric right)
        {
            super(left, right, left.scale, null);
        }

        @Override
        long longValue(final EventFlyweight event)
        {
            return Math.min(left.longValue(event), right.longValue(event));
        }
    }

    /** {@code max} of operands aligned to one scale. */
    static final class Max extends Binary
    {
        Max(final Numeric left, final Numeric right)
        {
            super(left, right, left.scale, null);
        }

        @Override
        long longValue(final EventFlyweight event)
        {
            return Math.max(left.longValue(event), right.longValue(event));
        }
    }

    /** {@code -a}: an 18-digit value negated is one, so it never fails. */
    static final class Negate extends DecimalNode
    {
        private final Numeric operand;

        Negate(final Numeric operand)
        {
            super(operand.scale);
            this.operand = operand;
        }

        @Override
        long longValue(final EventFlyweight event)
        {
            return -operand.longValue(event);
        }

        @Override
        boolean isConstant()
        {
            return operand.isConstant();
        }
    }

    /** {@code abs(a)}; never fails. */
    static final class Abs extends DecimalNode
    {
        private final Numeric operand;

        Abs(final Numeric operand)
        {
            super(operand.scale);
            this.operand = operand;
        }

        @Override
        long longValue(final EventFlyweight event)
        {
            return Math.abs(operand.longValue(event));
        }

        @Override
        boolean isConstant()
        {
            return operand.isConstant();
        }
    }
}
