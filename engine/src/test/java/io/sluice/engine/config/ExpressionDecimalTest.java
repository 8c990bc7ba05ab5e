package io.sluice.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.sluice.schema.Decimals;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * DECIMAL(p, s) in expressions: exact arithmetic over scaled longs with aligned scales, against
 * {@link BigDecimal} as the oracle on seeded random values, scales and expressions; the typing rules
 * (result scales, a DECIMAL with a DOUBLE is a double, decimal literals are exact next to a DECIMAL);
 * the operators' evaluation errors; and the compile-time errors.
 */
class ExpressionDecimalTest
{
    private static final BigDecimal MAX = BigDecimal.valueOf(Decimals.MAX_UNSCALED);

    /** Thrown by the oracle where the compiled expression must throw its evaluation error. */
    private static final class Overflow extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
    }

    private static Schema schema(final int sa, final int sb)
    {
        return Schema.builder("m").decimalField("a", 18, sa).decimalField("b", 18, sb).longField("n").doubleField("x").build();
    }

    private static final Schema MONEY = Schema.builder("money")
        .decimalField("price", 12, 2).decimalField("rate", 10, 6).longField("qty").intField("lots").doubleField("weight")
        .decimalField("fee", 5, 0).build();

    private final EventFlyweight money = new EventFlyweight(MONEY).wrapForWrite(new UnsafeBuffer(new byte[MONEY.length()]), 0);

    private EventFlyweight money(final String price, final String rate, final long qty, final int lots, final double weight)
    {
        return money.clear().putDecimal(0, Decimals.parse(price, 12, 2)).putDecimal(1, Decimals.parse(rate, 10, 6))
            .putLong(2, qty).putInt(3, lots).putDouble(4, weight).putDecimal(5, 7);
    }

    private static ExpressionParser.Operand value(final String expression, final Schema schema)
    {
        return new ExpressionParser(expression, schema, "pipeline 'p' map v").parseValue();
    }

    /** The exact value of a compiled DECIMAL expression on an event. */
    private static BigDecimal decimal(final String expression, final Schema schema, final EventFlyweight event)
    {
        final ExpressionParser.Operand operand = value(expression, schema);
        assertThat(operand.numeric.type).as(expression).isEqualTo(Numeric.Type.DECIMAL);
        return BigDecimal.valueOf(operand.numeric.longValue(event), operand.numeric.scale);
    }

    private boolean test(final String condition, final EventFlyweight event)
    {
        return Expressions.compile(condition, MONEY).test(event);
    }

    @Test
    void shouldAlignScalesAndKeepTheDocumentedResultScale()
    {
        final EventFlyweight e = money("330.54", "1.085001", 3, 2, 0.5);
        assertThat(decimal("price + rate", MONEY, e)).isEqualTo(new BigDecimal("331.625001"));
        assertThat(decimal("price - qty", MONEY, e)).isEqualTo(new BigDecimal("327.54"));
        assertThat(decimal("price * qty", MONEY, e)).isEqualTo(new BigDecimal("991.62"));
        assertThat(decimal("price * rate", MONEY, e)).as("scale 2 + 6").isEqualTo(new BigDecimal("358.63623054"));
        assertThat(decimal("price / qty", MONEY, e)).as("scale max(2, 0), HALF_EVEN").isEqualTo(new BigDecimal("110.18"));
        assertThat(decimal("price / rate", MONEY, e)).as("scale max(2, 6)").isEqualTo(new BigDecimal("304.644881"));
        assertThat(decimal("round(price * rate, 2)", MONEY, e)).isEqualTo(new BigDecimal("358.64"));
        assertThat(decimal("round(price / rate, 2)", MONEY, e)).as("one rounding of the exact quotient").isEqualTo(new BigDecimal("304.64"));
        assertThat(decimal("round(price, 4)", MONEY, e)).isEqualTo(new BigDecimal("330.5400"));
        assertThat(decimal("round(qty, 2)", MONEY, e)).isEqualTo(new BigDecimal("3.00"));
        assertThat(decimal("-price", MONEY, e)).isEqualTo(new BigDecimal("-330.54"));
        assertThat(decimal("abs(fee - price)", MONEY, e)).isEqualTo(new BigDecimal("323.54"));
        assertThat(decimal("min(price, rate, lots)", MONEY, e)).isEqualTo(new BigDecimal("1.085001"));
        assertThat(decimal("max(price, rate, lots)", MONEY, e)).isEqualTo(new BigDecimal("330.540000"));
        // A literal written with a '.' and no exponent is an exact decimal next to a DECIMAL.
        assertThat(decimal("price * 1.05", MONEY, e)).isEqualTo(new BigDecimal("347.0670"));
        assertThat(decimal("price * (1 + 0.05)", MONEY, e)).as("a constant of such literals too").isEqualTo(new BigDecimal("347.0670"));
        assertThat(decimal("price - 0.1", MONEY, e)).isEqualTo(new BigDecimal("330.44"));
        assertThat(decimal("round(2.345, 2) + price * 0", MONEY, e)).as("HALF_EVEN").isEqualTo(new BigDecimal("2.34"));
        // A DOUBLE (a field, a literal with an exponent, double()) makes it a double.
        assertThat(value("price * weight", MONEY).numeric.type).isEqualTo(Numeric.Type.DOUBLE);
        assertThat(value("price * 1e0", MONEY).numeric.type).isEqualTo(Numeric.Type.DOUBLE);
        assertThat(value("double(price) / 3", MONEY).numeric.doubleValue(e)).isEqualTo(330.54 / 3);
        assertThat(value("price * weight", MONEY).numeric.doubleValue(e)).isEqualTo(330.54 * 0.5);
    }

    @Test
    void shouldCompareDecimalsExactly()
    {
        final EventFlyweight e = money("0.30", "0.300000", 3, 2, 0.3);
        assertThat(test("price = rate", e)).isTrue();
        assertThat(test("price = 0.3 and price >= 0.30 and price < 0.300000001", e)).isTrue();
        assertThat(test("price * qty = 0.9", e)).as("exact: 0.1 * 3 is 0.3 as decimals").isTrue();
        assertThat(test("price * 3 > rate * qty", e)).isFalse();
        assertThat(test("price + 1 > qty - 2", e)).isTrue();
        assertThat(test("price < lots and fee > qty", e)).isTrue();
        assertThat(test("price = weight", e)).as("with a DOUBLE: compared as doubles").isTrue();
        // 9007199254740993 is no double: as doubles these would be equal.
        final EventFlyweight big = money.clear().putDecimal(0, 900_719_925_474_099_3L).putLong(2, 90_071_992_547_409L);
        assertThat(test("price > qty", big)).isTrue();
        assertThat(test("price - qty = 0.93", big)).isTrue();
    }

    @Test
    void shouldAgreeWithBigDecimalOnRandomValuesAndScales()
    {
        final long seed = System.nanoTime();
        final SplittableRandom random = new SplittableRandom(seed);
        final Map<Integer, Compiled> compiled = new HashMap<>();
        final String[] expressions = {
            "a + b", "a - b", "a * n - b", "a / b", "round(a * b, 4)", "-a + b * 2", "abs(a - n)", "max(a, b) - min(a, b, n)",
            "round(a / b, 2)", "a * b"};
        long exact = 0;
        long overflows = 0;
        for (int i = 0; i < 100_000; i++)
        {
            final int sa = random.nextInt(19);
            final int sb = random.nextInt(19);
            final Compiled c = compiled.computeIfAbsent(sa * 19 + sb, k -> new Compiled(schema(sa, sb), expressions));
            final long a = randomValue(random);
            final long b = randomValue(random);
            final long n = random.nextInt(10) == 0 ? random.nextLong() : randomValue(random) / Decimals.powerOfTen(random.nextInt(19));
            c.event.putDecimal(0, a).putDecimal(1, b).putLong(2, n);
            final BigDecimal[] in = {BigDecimal.valueOf(a, sa), BigDecimal.valueOf(b, sb), BigDecimal.valueOf(n)};
            final int which = random.nextInt(expressions.length);
            if (which == expressions.length - 1 && sa + sb > 18)
            {
                continue; // refused when compiled: see shouldRefuseAnUnroundedProductBeyondEighteenDecimals
            }
            BigDecimal expected;
            try
            {
                expected = oracle(which, in);
            }
            catch (final Overflow | ArithmeticException ex)
            {
                expected = null;
            }
            final Numeric node = c.nodes[which];
            final String what = String.format("seed %d: %s with a=%s b=%s n=%d", seed, expressions[which], in[0], in[1], n);
            if (expected == null)
            {
                overflows++;
                assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> node.longValue(c.event)))
                    .as(what).isInstanceOf(ExpressionEvaluationException.class);
            }
            else
            {
                exact++;
                assertThat(BigDecimal.valueOf(node.longValue(c.event), node.scale)).as(what).isEqualTo(expected);
                final boolean greater = expected.compareTo(in[1]) > 0;
                assertThat(c.greaterThanB[which].test(c.event)).as(what + " > b").isEqualTo(greater);
            }
        }
        assertThat(exact).as("most draws have an exact result").isGreaterThan(50_000);
        assertThat(overflows).as("and some overflow").isGreaterThan(1_000);
    }

    /** A value of 0 to 18 digits, either sign, as a DECIMAL field may hold. */
    private static long randomValue(final SplittableRandom random)
    {
        final int digits = random.nextInt(19);
        final long magnitude = digits == 0 ? 0 : random.nextLong(Decimals.powerOfTen(digits));
        return random.nextBoolean() ? -magnitude : magnitude;
    }

    /** The expressions of one pair of scales, compiled. */
    private static final class Compiled
    {
        final EventFlyweight event;
        final Numeric[] nodes;
        final io.sluice.engine.pipeline.EventPredicate[] greaterThanB;

        Compiled(final Schema schema, final String[] expressions)
        {
            event = new EventFlyweight(schema).wrapForWrite(new UnsafeBuffer(new byte[schema.length()]), 0);
            nodes = new Numeric[expressions.length];
            greaterThanB = new io.sluice.engine.pipeline.EventPredicate[expressions.length];
            final int sa = schema.field(0).scale();
            final int sb = schema.field(1).scale();
            for (int i = 0; i < expressions.length; i++)
            {
                if (i == expressions.length - 1 && sa + sb > 18)
                {
                    continue;
                }
                nodes[i] = value(expressions[i], schema).numeric;
                greaterThanB[i] = Expressions.compile(expressions[i] + " > b", schema);
            }
        }
    }

    /** What expression {@code which} of the random test is, computed with BigDecimal. */
    private static BigDecimal oracle(final int which, final BigDecimal[] v)
    {
        final BigDecimal a = v[0];
        final BigDecimal b = v[1];
        final BigDecimal n = v[2]; // an integer operand must have at most 18 digits: aligned() checks it where it is used
        final int scale = Math.max(a.scale(), b.scale());
        switch (which)
        {
            case 0: // a + b
                return checked(aligned(a, scale).add(aligned(b, scale)));
            case 1: // a - b
                return checked(aligned(a, scale).subtract(aligned(b, scale)));
            case 2: // a * n - b
                return checked(aligned(checked(a.multiply(aligned(n, 0))), scale).subtract(aligned(b, scale)));
            case 3: // a / b
                return checked(divide(a, b, scale));
            case 4: // round(a * b, 4)
                return checked(a.multiply(b).setScale(4, RoundingMode.HALF_EVEN));
            case 5: // -a + b * 2
                return checked(aligned(a.negate(), scale).add(aligned(checked(b.multiply(BigDecimal.valueOf(2))), scale)));
            case 6: // abs(a - n)
                return checked(a.subtract(aligned(n, a.scale())).abs());
            case 7: // max(a, b) - min(a, b, n)
                return checked(aligned(a, scale).max(aligned(b, scale)).subtract(aligned(a, scale).min(aligned(b, scale)).min(aligned(n, scale))));
            case 8: // round(a / b, 2)
                return checked(divide(a, b, 2));
            default: // a * b
                return checked(a.multiply(b));
        }
    }

    /** An operand scaled up to an operator's scale, which must stay within 18 digits. */
    private static BigDecimal aligned(final BigDecimal value, final int scale)
    {
        return checked(value.setScale(scale, RoundingMode.UNNECESSARY));
    }

    private static BigDecimal divide(final BigDecimal a, final BigDecimal b, final int scale)
    {
        return a.divide(b, scale, RoundingMode.HALF_EVEN); // ArithmeticException for / 0, as the node throws
    }

    /** The value as the expression holds it: at most 18 digits at its scale, else the operator's error. */
    private static BigDecimal checked(final BigDecimal value)
    {
        if (value.unscaledValue().abs().compareTo(MAX.toBigInteger()) > 0)
        {
            throw new Overflow();
        }
        return value;
    }

    @Test
    void shouldThrowTheOperatorsErrorOnOverflowAndDivisionByZero()
    {
        final EventFlyweight zero = money("1.00", "0.000000", 0, 0, 0);
        assertThatThrownBy(() -> value("price / rate", MONEY).numeric.longValue(zero))
            .isInstanceOf(ExpressionEvaluationException.class)
            .hasMessage("pipeline 'p' map v: decimal division by zero at column 7 of 'price / rate'");
        final EventFlyweight big = money("9999999999.99", "9999.999999", Long.MAX_VALUE, 0, 0);
        assertThatThrownBy(() -> value("price * rate", MONEY).numeric.longValue(big))
            .hasMessage("pipeline 'p' map v: decimal overflow in '*' (more than 18 digits) at column 7 of 'price * rate'");
        assertThatThrownBy(() -> value("price + qty", MONEY).numeric.longValue(big))
            .as("a LONG of 19 digits is no DECIMAL").hasMessageContaining("decimal overflow in '+'");
        assertThatThrownBy(() -> Expressions.compile("price * rate * rate > 0", MONEY).test(big))
            .hasMessageContaining("decimal overflow in '*'");
        // An aggregate that overflowed has no exact value.
        final EventFlyweight overflowed = money("1.00", "1.000000", 0, 0, 0).putDecimal(0, Decimals.OVERFLOW);
        assertThatThrownBy(() -> Expressions.compile("price + 1 > 0", MONEY, "pipeline 'p' having").test(overflowed))
            .hasMessage("pipeline 'p' having: DECIMAL field 'price' is OVERFLOW (an aggregate beyond 18 digits), which has no exact value" +
                " at column 1 of 'price + 1 > 0'");
        assertThat(Expressions.compile("double(price) > 0", MONEY).test(overflowed)).as("as a double it is NaN").isFalse();
    }

    @Test
    void shouldRefuseAnUnroundedProductBeyondEighteenDecimals()
    {
        final Schema fine = schema(10, 10);
        assertThatThrownBy(() -> Expressions.compile("a * b > 0", fine))
            .isInstanceOf(ExpressionException.class)
            .hasMessage("the product of DECIMAL scales 10 and 10 has scale 20, more than 18; round it to the scale you need, " +
                "e.g. round(... * ..., 10) at column 3 of 'a * b > 0'");
        final EventFlyweight e = new EventFlyweight(fine).wrapForWrite(new UnsafeBuffer(new byte[fine.length()]), 0)
            .putDecimal(0, 15_000_000_000L).putDecimal(1, 25_000_000_000L);
        assertThat(decimal("round(a * b, 10)", fine, e)).isEqualTo(new BigDecimal("3.7500000000"));
        assertThat(Expressions.compile("round(a * b, 3) = 3.75", fine).test(e)).isTrue();
    }

    @Test
    void shouldRejectMistypedDecimalExpressionsNamingTheColumn()
    {
        assertThatThrownBy(() -> Expressions.compile("round(weight, 2) > 0", MONEY, "pipeline 'p' filter"))
            .hasMessage("pipeline 'p' filter: round() takes a DECIMAL or an integer; a double has no exact decimal value " +
                "(declare the field DECIMAL(p, s), or write the literal without an exponent) at column 7 of 'round(weight, 2) > 0'");
        assertThatThrownBy(() -> Expressions.compile("round(price, 19) > 0", MONEY))
            .hasMessageContaining("the scale of round() is a whole number from 0 to 18 at column 14");
        assertThatThrownBy(() -> Expressions.compile("round(price) > 0", MONEY))
            .hasMessageContaining("round takes two arguments, a number and a scale (round(price * qty, 2)), not 1");
        assertThatThrownBy(() -> Expressions.compile("price > 'x'", MONEY))
            .hasMessageContaining("DECIMAL field 'price' cannot be compared with the string 'x'");
    }
}
