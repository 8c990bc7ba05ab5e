package io.sluice.engine.config;

import io.sluice.schema.EventFlyweight;

/**
 * A compiled numeric (sub-)expression: a node of the tree {@link ExpressionParser} builds once, at
 * load time, and evaluates per event by reading fields through the event's flyweight and combining
 * primitives. No node allocates or boxes; every node is immutable, so a tree may be shared by the
 * instances of every partition.
 *
 * <p>Typing is decided at compile time, per node ({@link #type}):
 * <ul>
 *   <li>{@link Type#LONG}: integer literals and LONG, INT and TIMESTAMP fields, and every operator
 *       whose operands are all LONG. Integer arithmetic is exact: a result outside the 64-bit range,
 *       and a division by zero, throw the node's {@link ExpressionEvaluationException}. {@code /}
 *       truncates toward zero, as in Java and SQL.</li>
 *   <li>{@link Type#DOUBLE}: literals with a '.' or an exponent, DOUBLE fields, and every operator with
 *       at least one DOUBLE operand (the LONG operand is widened). IEEE 754 throughout: {@code x / 0.0}
 *       is an infinity, {@code 0.0 / 0.0} NaN, and NaN compares false with everything but {@code !=}.
 *       A DECIMAL operand is widened to the double nearest its value.</li>
 *   <li>{@link Type#DECIMAL}: DECIMAL(p, s) fields, and every operator with a DECIMAL operand and no
 *       DOUBLE one. The node evaluates through {@link #longValue} to the unscaled long of its value at
 *       its {@link #scale}, fixed at compile time; the compiler aligns the scales of the operands (an
 *       integer is a DECIMAL of scale 0). Exact, as LONG arithmetic: a result of more than 18 digits,
 *       and a division by zero, throw the node's {@link ExpressionEvaluationException}; products and
 *       quotients round once, HALF_EVEN. The nodes are those of {@link DecimalNodes}.</li>
 * </ul>
 *
 * <p>Threading: immutable; evaluated on partition threads.
 */
abstract class Numeric
{
    /**
     * The type a node evaluates to, fixed at compile time.
     */
    enum Type
    {
        /** A 64-bit integer, read through {@link #longValue}. */
        LONG,
        /** A 64-bit IEEE 754 float, read through {@link #doubleValue}. */
        DOUBLE,
        /** An exact decimal: the unscaled long read through {@link #longValue}, at the node's {@link #scale}. */
        DECIMAL
    }

    final Type type;

    /**
     * Digits after the point of a DECIMAL node's value (its unscaled long stands for {@code v / 10^scale});
     * 0 for LONG and DOUBLE nodes. At most 18, except on a product the compiler must still round
     * ({@link DecimalNodes.Multiply} before {@code round()}), which is never evaluated unrounded.
     */
    final int scale;

    Numeric(final Type type)
    {
        this(type, 0);
    }

    Numeric(final Type type, final int scale)
    {
        this.type = type;
        this.scale = scale;
    }

    /**
     * The value of a LONG node, or the unscaled value of a DECIMAL node (never called on a DOUBLE
     * node: the compiler reads those with {@link #doubleValue}).
     *
     * @param event being evaluated.
     * @return the value.
     */
    abstract long longValue(EventFlyweight event);

    /**
     * The value as a double; a LONG node widens its value, a DECIMAL node gives the double nearest its value.
     *
     * @param event being evaluated.
     * @return the value.
     */
    abstract double doubleValue(EventFlyweight event);

    /**
     * Whether the node reads no field, so the compiler may fold it into a literal.
     *
     * @return true for a constant.
     */
    abstract boolean isConstant();

    /**
     * A node evaluating to a long; its double value is the widened long.
     */
    abstract static class LongNode extends Numeric
    {
        LongNode()
        {
            super(Type.LONG);
        }

        @Override
        final double doubleValue(final EventFlyweight event)
        {
            return longValue(event);
        }
    }

    /**
     * A node evaluating to a double.
     */
    abstract static class DoubleNode extends Numeric
    {
        DoubleNode()
        {
            super(Type.DOUBLE);
        }

        @Override
        final long longValue(final EventFlyweight event)
        {
            throw new IllegalStateException("a DOUBLE expression is read as a double");
        }
    }

    /**
     * A node with two operands.
     */
    abstract static class LongBinary extends LongNode
    {
        final Numeric left;
        final Numeric right;
        final ExpressionEvaluationException error;

        LongBinary(final Numeric left, final Numeric right, final ExpressionEvaluationException error)
        {
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

    /**
     * A node with two operands, at least one a DOUBLE.
     */
    abstract static class DoubleBinary extends DoubleNode
    {
        final Numeric left;
        final Numeric right;

        DoubleBinary(final Numeric left, final Numeric right)
        {
            this.left = left;
            this.right = right;
        }

        @Override
        final boolean isConstant()
        {
            return left.isConstant() && right.isConstant();
        }
    }

    static final class LongConstant extends LongNode
    {
        private final long value;

        LongConstant(final long value)
        {
            this.value = value;
        }

        @Override
        long longValue(final EventFlyweight event)
        {
            return value;
        }

        @Override
        boolean isConstant()
        {
            return true;
        }
    }

    static final class DoubleConstant extends DoubleNode
    {
        private final double value;

        DoubleConstant(final double value)
        {
            this.value = value;
        }

        @Override
        double doubleValue(final EventFlyweight event)
        {
            return value;
        }

        @Override
        boolean isConstant()
        {
            return true;
        }
    }

    /** A LONG or TIMESTAMP field. */
    static final class LongField extends LongNode
    {
        private final int field;

        LongField(final int field)
        {
            this.field = field;
        }

        @Override
        long longValue(final EventFlyweight event)
        {
            return event.getLong(field);
        }

        @Override
        boolean isConstant()
        {
            return false;
        }
    }

    /** An INT field, widened. */
    static final class IntField extends LongNode
    {
        private final int field;

        IntField(final int field)
        {
            this.field = field;
        }

        @Override
        long longValue(final EventFlyweight event)
        {
            return event.getInt(field);
        }

        @Override
        boolean isConstant()
        {
            return false;
        }
    }

    /** A DOUBLE field. */
    static final class DoubleField extends DoubleNode
    {
        private final int field;

        DoubleField(final int field)
        {
            this.field = field;
        }

        @Override
        double doubleValue(final EventFlyweight event)
        {
            return event.getDouble(field);
        }

        @Override
        boolean isConstant()
        {
            return false;
        }
    }

    static final class LongAdd extends LongBinary
    {
        LongAdd(final Numeric left, final Numeric right, final ExpressionEvaluationException overflow)
        {
            super(left, right, overflow);
        }

        @Override
        long longValue(final EventFlyweight event)
        {
            final long a = left.longValue(event);
            final long b = right.longValue(event);
            final long r = a + b;
            if (((a ^ r) & (b ^ r)) < 0) // both operands' signs differ from the result's: it wrapped
            {
                throw error;
            }
            return r;
        }
    }

    static final class LongSubtract extends LongBinary
    {
        LongSubtract(final Numeric left, final Numeric right, final ExpressionEvaluationException overflow)
        {
            super(left, right, overflow);
        }

        @Override
        long longValue(final EventFlyweight event)
        {
            final long a = left.longValue(event);
            final long b = right.longValue(event);
            final long r = a - b;
            if (((a ^ b) & (a ^ r)) < 0) // operands of different signs and the result's sign is not a's: it wrapped
            {
                throw error;
            }
            return r;
        }
    }

    static final class LongMultiply extends LongBinary
    {
        LongMultiply(final Numeric left, final Numeric right, final ExpressionEvaluationException overflow)
        {
            super(left, right, overflow);
        }

        @Override
        long longValue(final EventFlyweight event)
        {
            final long a = left.longValue(event);
            final long b = right.longValue(event);
            final long r = a * b;
            if (Math.multiplyHigh(a, b) != (r >> 63)) // the high half of the 128-bit product is not the sign of the low
            {
                throw error;
            }
            return r;
        }
    }

    static final class LongDivide extends LongBinary
    {
        private final ExpressionEvaluationException overflow;

        LongDivide(final Numeric left, final Numeric right, final ExpressionEvaluationException byZero,
            final ExpressionEvaluationException overflow)
        {
            super(left, right, byZero);
            this.overflow = overflow;
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
            if (b == -1 && a == Long.MIN_VALUE)
            {
                throw overflow;
            }
            return a / b;
        }
    }

    static final class LongNegate extends LongNode
    {
        private final Numeric operand;
        private final ExpressionEvaluationException overflow;

        LongNegate(final Numeric operand, final ExpressionEvaluationException overflow)
        {
            this.operand = operand;
            this.overflow = overflow;
        }

        @Override
        long longValue(final EventFlyweight event)
        {
            final long a = operand.longValue(event);
            if (a == Long.MIN_VALUE)
            {
                throw overflow;
            }
            return -a;
        }

        @Override
        boolean isConstant()
        {
            return operand.isConstant();
        }
    }

    static final class LongAbs extends LongNode
    {
        private final Numeric operand;
        private final ExpressionEvaluationException overflow;

        LongAbs(final Numeric operand, final ExpressionEvaluationException overflow)
        {
            this.operand = operand;
            this.overflow = overflow;
        }

        @Override
        long longValue(final EventFlyweight event)
        {
            final long a = operand.longValue(event);
            if (a == Long.MIN_VALUE)
            {
                throw overflow;
            }
            return Math.abs(a);
        }

        @Override
        boolean isConstant()
        {
            return operand.isConstant();
        }
    }

    static final class LongMin extends LongBinary
    {
        LongMin(final Numeric left, final Numeric right)
        {
            super(left, right, null);
        }

        @Override
        long longValue(final EventFlyweight event)
        {
            return Math.min(left.longValue(event), right.longValue(event));
        }
    }

    static final class LongMax extends LongBinary
    {
        LongMax(final Numeric left, final Numeric right)
        {
            super(left, right, null);
        }

        @Override
        long longValue(final EventFlyweight event)
        {
            return Math.max(left.longValue(event), right.longValue(event));
        }
    }

    static final class DoubleAdd extends DoubleBinary
    {
        DoubleAdd(final Numeric left, final Numeric right)
        {
            super(left, right);
        }

        @Override
        double doubleValue(final EventFlyweight event)
        {
            return left.doubleValue(event) + right.doubleValue(event);
        }
    }

    static final class DoubleSubtract extends DoubleBinary
    {
        DoubleSubtract(final Numeric left, final Numeric right)
        {
            super(left, right);
        }

        @Override
        double doubleValue(final EventFlyweight event)
        {
            return left.doubleValue(event) - right.doubleValue(event);
        }
    }

    static final class DoubleMultiply extends DoubleBinary
    {
        DoubleMultiply(final Numeric left, final Numeric right)
        {
            super(left, right);
        }

        @Override
        double doubleValue(final EventFlyweight event)
        {
            return left.doubleValue(event) * right.doubleValue(event);
        }
    }

    static final class DoubleDivide extends DoubleBinary
    {
        DoubleDivide(final Numeric left, final Numeric right)
        {
            super(left, right);
        }

        @Override
        double doubleValue(final EventFlyweight event)
        {
            return left.doubleValue(event) / right.doubleValue(event);
        }
    }

    static final class DoubleMin extends DoubleBinary
    {
        DoubleMin(final Numeric left, final Numeric right)
        {
            super(left, right);
        }

        @Override
        double doubleValue(final EventFlyweight event)
        {
            return Math.min(left.doubleValue(event), right.doubleValue(event));
        }
    }

    static final class DoubleMax extends DoubleBinary
    {
        DoubleMax(final Numeric left, final Numeric right)
        {
            super(left, right);
        }

        @Override
        double doubleValue(final EventFlyweight event)
        {
            return Math.max(left.doubleValue(event), right.doubleValue(event));
        }
    }

    /** Unary minus of a DOUBLE. */
    static final class DoubleNegate extends DoubleNode
    {
        private final Numeric operand;

        DoubleNegate(final Numeric operand)
        {
            this.operand = operand;
        }

        @Override
        double doubleValue(final EventFlyweight event)
        {
            return -operand.doubleValue(event);
        }

        @Override
        boolean isConstant()
        {
            return operand.isConstant();
        }
    }

    static final class DoubleAbs extends DoubleNode
    {
        private final Numeric operand;

        DoubleAbs(final Numeric operand)
        {
            this.operand = operand;
        }

        @Override
        double doubleValue(final EventFlyweight event)
        {
            return Math.abs(operand.doubleValue(event));
        }

        @Override
        boolean isConstant()
        {
            return operand.isConstant();
        }
    }

    /** {@code double(x)}: a LONG widened, so that {@code /} divides as doubles. */
    static final class Widen extends DoubleNode
    {
        private final Numeric operand;

        Widen(final Numeric operand)
        {
            this.operand = operand;
        }

        @Override
        double doubleValue(final EventFlyweight event)
        {
            return operand.doubleValue(event);
        }

        @Override
        boolean isConstant()
        {
            return operand.isConstant();
        }
    }
}
