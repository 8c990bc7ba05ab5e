package io.sluice.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.sluice.engine.pipeline.EventPredicate;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

class ExpressionArithmeticTest
{
    private static final Schema SCHEMA = Schema.builder("e")
        .longField("a").intField("n").doubleField("x").doubleField("y").booleanField("flag").symbolField("venue", 4)
        .timestampField("ts").longField("b").build();

    private final EventFlyweight event = new EventFlyweight(SCHEMA).wrapForWrite(new UnsafeBuffer(new byte[SCHEMA.length()]), 0);

    private EventFlyweight event(final long a, final int n, final double x, final double y, final long ts, final long b)
    {
        return event.clear().putLong(0, a).putInt(1, n).putDouble(2, x).putDouble(3, y).putBoolean(4, false)
            .putSymbol(5, "XLON").putLong(6, ts).putLong(7, b);
    }

    private static boolean eval(final String expression, final EventFlyweight e)
    {
        return Expressions.compile(expression, SCHEMA).test(e);
    }

    @Test
    void shouldApplyUsualPrecedenceAndParentheses()
    {
        final EventFlyweight e = event(7, 3, 2.5, 4.0, 1_000, 2);
        assertThat(eval("a + n * b = 13", e)).isTrue();
        assertThat(eval("(a + n) * b = 20", e)).isTrue();
        assertThat(eval("a - n - b = 2", e)).isTrue();
        assertThat(eval("a - (n - b) = 6", e)).isTrue();
        assertThat(eval("a / n / b = 1", e)).isTrue();
        assertThat(eval("-a + 10 = 3", e)).isTrue();
        assertThat(eval("- -a = 7", e)).isTrue();
        assertThat(eval("-(a + n) = -10", e)).isTrue();
        assertThat(eval("a * -2 = -14", e)).isTrue();
        assertThat(eval("2 + 3 * 4 = 14 and (2 + 3) * 4 = 20", e)).isTrue();
        assertThat(eval("((a)) > (n) and not (a - 7 > 0)", e)).isTrue();
    }

    @Test
    void shouldKeepIntegerArithmeticLongUnlessADoubleIsInvolved()
    {
        final EventFlyweight e = event(7, 2, 2.5, 4.0, 1_000, 2);
        assertThat(eval("a / n = 3", e)).as("integer division truncates").isTrue();
        assertThat(eval("-a / n = -3", e)).as("toward zero").isTrue();
        assertThat(eval("a * 1.0 / n = 3.5", e)).isTrue();
        assertThat(eval("double(a) / n = 3.5", e)).isTrue();
        assertThat(eval("a / x = 2.8", e)).isTrue();
        assertThat(eval("x * y = 10", e)).isTrue();
        assertThat(eval("ts - a = 993", e)).as("TIMESTAMP arithmetic is LONG").isTrue();
        // Large longs stay exact: as doubles these two would be equal.
        final EventFlyweight big = event(9_007_199_254_740_993L, 0, 0, 0, 0, 9_007_199_254_740_992L);
        assertThat(eval("a - b = 1", big)).isTrue();
        assertThat(eval("a + 0 > b + 0", big)).isTrue();
    }

    @Test
    void shouldEvaluateFunctions()
    {
        final EventFlyweight e = event(-7, 3, -2.5, 4.0, 0, 2);
        assertThat(eval("abs(a) = 7", e)).isTrue();
        assertThat(eval("abs(x) = 2.5", e)).isTrue();
        assertThat(eval("min(a, n) = -7 and max(a, n) = 3", e)).isTrue();
        assertThat(eval("min(a, n, b, -100) = -100", e)).isTrue();
        assertThat(eval("MAX(x, y) = 4 and min(x, a) = -7", e)).isTrue();
        assertThat(eval("abs(x - y) > 6", e)).isTrue();
        assertThat(eval("max(abs(a), abs(x)) * 2 = 14", e)).isTrue();
    }

    @Test
    void shouldCompareComputedValuesOnEitherSide()
    {
        final EventFlyweight e = event(40, 4, 10.0, 12.0, 0, 100);
        // The amount rule of the fraud desk: largest * (count - 1) > 5.0 * (total - largest).
        assertThat(eval("a * (n - 1) > 5.0 * (b - a)", e)).isFalse();
        assertThat(eval("a * (n - 1) > 1.5 * (b - a)", e)).isTrue();
        assertThat(eval("y - x > 1.5 or x - y > 1.5", e)).isTrue();
        assertThat(eval("3 < y - x", e)).isFalse();
        assertThat(eval("b = a + 60 and n * 25 = b", e)).isTrue();
    }

    @Test
    void shouldAgreeWithJavaOnRandomInputs()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final EventPredicate longRule = Expressions.compile("a * (n - 1) > 5 * (b - a) or abs(a - b) / (n + 1000) >= 3", SCHEMA);
        final EventPredicate doubleRule = Expressions.compile("max(x - y, y - x) > 20.0 or x * a / 7.5 < -y", SCHEMA);
        for (int i = 0; i < 100_000; i++)
        {
            final long a = random.nextInt(2_000_000) - 1_000_000;
            final int n = random.nextInt(100);
            final long b = random.nextInt(2_000_000) - 1_000_000;
            final double x = random.nextDouble() * 100 - 50;
            final double y = random.nextDouble() * 100 - 50;
            final EventFlyweight e = event(a, n, x, y, 0, b);
            assertThat(longRule.test(e)).as("seed %d, a=%d n=%d b=%d", seed, a, n, b)
                .isEqualTo(a * (n - 1) > 5 * (b - a) || Math.abs(a - b) / (n + 1000) >= 3);
            assertThat(doubleRule.test(e)).as("seed %d, x=%s y=%s a=%d", seed, x, y, a)
                .isEqualTo(Math.max(x - y, y - x) > 20.0 || x * a / 7.5 < -y);
        }
    }

    @Test
    void shouldThrowANamedEvaluationErrorOnIntegerDivisionByZeroAndOverflow()
    {
        final EventPredicate divide = Expressions.compile("a / n > 1", SCHEMA, "pipeline 'p' having");
        assertThatThrownBy(() -> divide.test(event(7, 0, 0, 0, 0, 0)))
            .isInstanceOf(ExpressionEvaluationException.class)
            .hasMessage("pipeline 'p' having: integer division by zero at column 3 of 'a / n > 1'");
        assertThat(divide.test(event(7, 2, 0, 0, 0, 0))).isTrue();
        assertThatThrownBy(() -> Expressions.compile("a * b > 0", SCHEMA).test(event(Long.MAX_VALUE / 2 + 1, 0, 0, 0, 0, 2)))
            .isInstanceOf(ExpressionEvaluationException.class).hasMessageContaining("integer overflow in '*' at column 3");
        assertThatThrownBy(() -> Expressions.compile("a + b > 0", SCHEMA).test(event(Long.MAX_VALUE, 0, 0, 0, 0, 1)))
            .isInstanceOf(ExpressionEvaluationException.class).hasMessageContaining("integer overflow in '+'");
        assertThatThrownBy(() -> Expressions.compile("a - b > 0", SCHEMA).test(event(Long.MIN_VALUE, 0, 0, 0, 0, 1)))
            .isInstanceOf(ExpressionEvaluationException.class).hasMessageContaining("integer overflow in '-'");
        assertThatThrownBy(() -> Expressions.compile("-a > 0", SCHEMA).test(event(Long.MIN_VALUE, 0, 0, 0, 0, 1)))
            .isInstanceOf(ExpressionEvaluationException.class).hasMessageContaining("integer overflow in '-'");
        assertThatThrownBy(() -> Expressions.compile("abs(a) > 0", SCHEMA).test(event(Long.MIN_VALUE, 0, 0, 0, 0, 1)))
            .isInstanceOf(ExpressionEvaluationException.class).hasMessageContaining("integer overflow in abs()");
        assertThatThrownBy(() -> Expressions.compile("a / b > 0", SCHEMA).test(event(Long.MIN_VALUE, 0, 0, 0, 0, -1)))
            .isInstanceOf(ExpressionEvaluationException.class).hasMessageContaining("integer overflow in '/'");
        assertThat(Expressions.compile("a * b < 0", SCHEMA).test(event(Long.MIN_VALUE, 0, 0, 0, 0, 1))).isTrue();
        // Doubles follow IEEE 754 and never fail.
        assertThat(eval("x / y > 1000000", event(0, 0, 1.0, 0.0, 0, 0))).isTrue();
        assertThat(eval("x / y = x / y", event(0, 0, 0.0, 0.0, 0, 0))).as("NaN is equal to nothing").isFalse();
    }

    @Test
    void shouldFoldConstantsAndRefuseConstantErrorsWhenCompiled()
    {
        final EventFlyweight e = event(1, 0, 0, 0, 0, 0);
        assertThat(eval("a = 10 / 3 - 2", e)).isTrue();
        assertThat(eval("-9223372036854775808 < a", e)).isTrue();
        assertThat(Expressions.compile("2 * 3 = 6", SCHEMA)).isSameAs(Predicates.Constant.TRUE);
        assertThatThrownBy(() -> Expressions.compile("a > 1 / 0", SCHEMA))
            .isInstanceOf(ExpressionException.class).hasMessage("integer division by zero at column 7 of 'a > 1 / 0'");
        assertThatThrownBy(() -> Expressions.compile("a > 9223372036854775807 + 1", SCHEMA))
            .isInstanceOf(ExpressionException.class).hasMessageContaining("integer overflow in '+' at column 25");
    }

    @Test
    void shouldRejectMistypedArithmeticNamingTheColumn()
    {
        assertThatThrownBy(() -> Expressions.compile("venue + 1 > 2", SCHEMA, "pipeline 'p' filter"))
            .isInstanceOf(ExpressionException.class)
            .hasMessage("pipeline 'p' filter: SYMBOL field 'venue' is not a number, so '+' cannot take it at column 1 of 'venue + 1 > 2'");
        assertThatThrownBy(() -> Expressions.compile("a * flag > 2", SCHEMA))
            .hasMessageContaining("BOOLEAN field 'flag' is not a number, so '*' cannot take it at column 5");
        assertThatThrownBy(() -> Expressions.compile("a + 'x' > 2", SCHEMA))
            .hasMessageContaining("the string 'x' is not a number");
        assertThatThrownBy(() -> Expressions.compile("a + 1", SCHEMA))
            .hasMessageContaining("a computed number is not a condition; compare it with = != < <= > >= at column 1");
        assertThatThrownBy(() -> Expressions.compile("(a > 1) + 1 > 0", SCHEMA))
            .hasMessageContaining("a condition is not a number, so '+' cannot take it at column 1");
        assertThatThrownBy(() -> Expressions.compile("(a > 1) = (n > 1)", SCHEMA))
            .hasMessageContaining("a condition cannot be compared");
        assertThatThrownBy(() -> Expressions.compile("sqrt(a) > 1", SCHEMA))
            .hasMessageContaining("unknown function 'sqrt' (functions: abs, min, max, double, round) at column 1");
        assertThatThrownBy(() -> Expressions.compile("min(a) > 1", SCHEMA))
            .hasMessageContaining("min takes two or more arguments, not 1");
        assertThatThrownBy(() -> Expressions.compile("abs(a, n) > 1", SCHEMA))
            .hasMessageContaining("abs takes one argument, not 2");
        assertThatThrownBy(() -> Expressions.compile("abs(a > 1", SCHEMA))
            .hasMessageContaining("'(' of abs is never closed at column 4");
        assertThatThrownBy(() -> Expressions.compile("a * > 1", SCHEMA))
            .hasMessageContaining("expected a field, number or string but found '>' at column 5");
        assertThatThrownBy(() -> Expressions.compile("a + (n > 1", SCHEMA))
            .hasMessageContaining("'(' is never closed at column 5");
    }
}
