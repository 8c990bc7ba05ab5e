package io.sluice.engine.config;

import org.agrona.DirectBuffer;

import io.sluice.engine.pipeline.EventPredicate;
import io.sluice.schema.DecimalArithmetic;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Field;

/**
 * The nodes a compiled expression is made of. Each is immutable, reads fields by pre-resolved index
 * or offset, and compares primitives, so a tree may be shared across partition threads and evaluated
 * without allocating.
 */
final class Predicates
{
    static final int EQ = 0;
    static final int NE = 1;
    static final int LT = 2;
    static final int LE = 3;
    static final int GT = 4;
    static final int GE = 5;

    private Predicates()
    {
    }

    /**
     * The operator that gives the same result with the operands swapped ({@code a < b} is {@code b > a}).
     */
    static int mirror(final int op)
    {
        switch (op)
        {
            case LT:
                return GT;
            case LE:
                return GE;
            case GT:
                return LT;
            case GE:
                return LE;
            default:
                return op;
        }
    }

    static boolean compare(final int op, final long a, final long b)
    {
        switch (op)
        {
            case EQ:
                return a == b;
            case NE:
                return a != b;
            case LT:
                return a < b;
            case LE:
                return a <= b;
            case GT:
                return a > b;
            default:
                return a >= b;
        }
    }

    static boolean compare(final int op, final double a, final double b)
    {
        switch (op)
        {
            case EQ:
                return a == b;
            case NE:
                return a != b;
            case LT:
                return a < b;
            case LE:
                return a <= b;
            case GT:
                return a > b;
            default:
                return a >= b;
        }
    }

    static final class Constant implements EventPredicate
    {
        static final Constant TRUE = new Constant(true);
        static final Constant FALSE = new Constant(false);

        private final boolean value;

        private Constant(final boolean value)
        {
            this.value = value;
        }

        @Override
        public boolean test(final EventFlyweight event)
        {
            return value;
        }
    }

    static final class And implements EventPredicate
    {
        private final EventPredicate left;
        private final EventPredicate right;

        And(final EventPredicate left, final EventPredicate right)
        {
            this.left = left;
            this.right = right;
        }

        @Override
        public boolean test(final EventFlyweight event)
        {
            return left.test(event) && right.test(event);
        }
    }

    static final class Or implements EventPredicate
    {
        private final EventPredicate left;
        private final EventPredicate right;

        Or(final EventPredicate left, final EventPredicate right)
        {
            this.left = left;
            this.right = right;
        }

        @Override
        public boolean test(final EventFlyweight event)
        {
            return left.test(event) || right.test(event);
        }
    }

    static final class Not implements EventPredicate
    {
        private final EventPredicate operand;

        Not(final EventPredicate operand)
        {
            this.operand = operand;
        }

        @Override
        public boolean test(final EventFlyweight event)
        {
            return !operand.test(event);
        }
    }

    /** An integral field (LONG, INT, BOOLEAN, TIMESTAMP) against an integral literal. */
    static final class LongFieldLiteral implements EventPredicate
    {
        private final int field;
        private final int op;
        private final long literal;

        LongFieldLiteral(final int field, final int op, final long literal)
        {
            this.field = field;
            this.op = op;
            this.literal = literal;
        }

        @Override
        public boolean test(final EventFlyweight event)
        {
            return compare(op, event.longValue(field), literal);
        }
    }

    /** A numeric field against a literal, compared as doubles (one side is a DOUBLE). */
    static final class DoubleFieldLiteral implements EventPredicate
    {
        private final int field;
        private final int op;
        private final double literal;

        DoubleFieldLiteral(final int field, final int op, final double literal)
        {
            this.field = field;
            this.op = op;
            this.literal = literal;
        }

        @Override
        public boolean test(final EventFlyweight event)
        {
            return compare(op, event.doubleValue(field), literal);
        }
    }

    /** Two integral fields. */
    static final class LongFields implements EventPredicate
    {
        private final int left;
        private final int op;
        private final int right;

        LongFields(final int left, final int op, final int right)
        {
            this.left = left;
            this.op = op;
            this.right = right;
        }

        @Override
        public boolean test(final EventFlyweight event)
        {
            return compare(op, event.longValue(left), event.longValue(right));
        }
    }

    /** Two numeric fields, at least one a DOUBLE. */
    static final class DoubleFields implements EventPredicate
    {
        private final int left;
        private final int op;
        private final int right;

        DoubleFields(final int left, final int op, final int right)
        {
            this.left = left;
            this.op = op;
            this.right = right;
        }

        @Override
        public boolean test(final EventFlyweight event)
        {
            return compare(op, event.doubleValue(left), event.doubleValue(right));
        }
    }

    /** A SYMBOL field equal (or not) to an ASCII literal, compared zero-padded. */
    static final class SymbolLiteral implements EventPredicate
    {
        private final int field;
        private final byte[] ascii;
        private final boolean negate;

        SymbolLiteral(final int field, final byte[] ascii, final boolean negate)
        {
            this.field = field;
            this.ascii = ascii;
            this.negate = negate;
        }

        @Override
        public boolean test(final EventFlyweight event)
        {
            return event.symbolEquals(field, ascii) != negate;
        }
    }

    /** Two SYMBOL fields equal (or not), the shorter one read as zero-padded to the longer width. */
    static final class SymbolFields implements EventPredicate
    {
        private final int leftOffset;
        private final int leftWidth;
        private final int rightOffset;
        private final int rightWidth;
        private final boolean negate;

        SymbolFields(final Field left, final Field right, final boolean negate)
        {
            this.leftOffset = left.offset();
            this.leftWidth = left.width();
            this.rightOffset = right.offset();
            this.rightWidth = right.width();
            this.negate = negate;
        }

        @Override
        public boolean test(final EventFlyweight event)
        {
            final DirectBuffer buffer = event.buffer();
            final int base = event.offset();
            final int width = Math.max(leftWidth, rightWidth);
            boolean equal = true;
            for (int i = 0; i < width; i++)
            {
                final byte l = i < leftWidth ? buffer.getByte(base + leftOffset + i) : 0;
                final byte r = i < rightWidth ? buffer.getByte(base + rightOffset + i) : 0;
                if (l != r)
                {
                    equal = false;
                    break;
                }
            }
            return equal != negate;
        }
    }
    /** Two computed numbers, both LONG. */
    static final class LongCompare implements EventPredicate
    {
        private final Numeric left;
        private final int op;
        private final Numeric right;

        LongCompare(final Numeric left, final int op, final Numeric right)
        {
            this.left = left;
            this.op = op;
            this.right = right;
        }

        @Override
        public boolean test(final EventFlyweight event)
        {
            return compare(op, left.longValue(event), right.longValue(event));
        }
    }

    /**
     * Two computed numbers, at least one a DECIMAL and neither a DOUBLE, compared exactly at their
     * scales (an integer is a DECIMAL of scale 0): no rounding, no overflow.
     */
    static final class DecimalCompare implements EventPredicate
    {
        private final Numeric left;
        private final int leftScale;
        private final int op;
        private final Numeric right;
        private final int rightScale;

        DecimalCompare(final Numeric left, final int op, final Numeric right)
        {
            this.left = left;
            this.leftScale = left.scale;
            this.op = op;
            this.right = right;
            this.rightScale = right.scale;
        }

        @Override
        public boolean test(final EventFlyweight event)
        {
            final int sign = DecimalArithmetic.compare(left.longValue(event), leftScale, right.longValue(event), rightScale);
            return compare(op, sign, 0);
        }
    }

    /** Two computed numbers, at least one a DOUBLE, compared as doubles. */
    static final class DoubleCompare implements EventPredicate
    {
        private final Numeric left;
        private final int op;
        private final Numeric right;

        DoubleCompare(final Numeric left, final int op, final Numeric right)
        {
            this.left = left;
            this.op = op;
            this.right = right;
        }

        @Override
        public boolean test(final EventFlyweight event)
        {
            return compare(op, left.doubleValue(event), right.doubleValue(event));
        }
    }
}
