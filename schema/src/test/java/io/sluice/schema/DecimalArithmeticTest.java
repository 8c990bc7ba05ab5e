package io.sluice.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The exact scaled-long arithmetic of expressions against {@link BigDecimal} as the oracle: seeded
 * random operands of every magnitude (1 to 18 digits, so both the 64-bit fast paths and the 128-bit
 * ones run), every scale and rounding shift; HALF_EVEN ties; overflow as the sentinel.
 */
class DecimalArithmeticTest
{
    private static final BigDecimal MAX = BigDecimal.valueOf(Decimals.MAX_UNSCALED);

    @Test
    void shouldRoundHalfEvenAsBigDecimalDoes()
    {
        assertThat(DecimalArithmetic.rescale(2345, 3, 2)).isEqualTo(234);
        assertThat(DecimalArithmetic.rescale(2355, 3, 2)).isEqualTo(236);
        assertThat(DecimalArithmetic.rescale(-2345, 3, 2)).isEqualTo(-234);
        assertThat(DecimalArithmetic.rescale(-2346, 3, 2)).isEqualTo(-235);
        assertThat(DecimalArithmetic.rescale(5, 1, 0)).isEqualTo(0);
        assertThat(DecimalArithmetic.rescale(15, 1, 0)).isEqualTo(2);
        assertThat(DecimalArithmetic.rescale(25, 1, 0)).isEqualTo(2);
        assertThat(DecimalArithmetic.rescale(12, 2, 4)).isEqualTo(1200);
        // 10.25 * 0.5 = 5.125 -> 5.12; 10.35 * 0.5 = 5.175 -> 5.18
        assertThat(DecimalArithmetic.multiply(1025, 5, 1)).isEqualTo(512);
        assertThat(DecimalArithmetic.multiply(1035, 5, 1)).isEqualTo(518);
        // 1.00 / 3 at scale 2 = 0.33; 2.00 / 3 = 0.67; 1 / 8 at scale 2 = 0.125 -> 0.12
        assertThat(DecimalArithmetic.divide(100, 3, 0)).isEqualTo(33);
        assertThat(DecimalArithmetic.divide(200, 3, 0)).isEqualTo(67);
        assertThat(DecimalArithmetic.divide(1, 8, 2)).isEqualTo(12);
        assertThat(DecimalArithmetic.divide(-3, 8, 2)).isEqualTo(-38);
    }

    @Test
    void shouldReturnTheOverflowSentinelBeyondEighteenDigits()
    {
        assertThat(DecimalArithmetic.rescale(Decimals.MAX_UNSCALED, 0, 1)).isEqualTo(Decimals.OVERFLOW);
        assertThat(DecimalArithmetic.rescale(99_999_999_999_999_999L, 0, 1)).isEqualTo(999_999_999_999_999_990L);
        assertThat(DecimalArithmetic.multiply(1_000_000_000L, 1_000_000_000L, 0)).isEqualTo(Decimals.OVERFLOW);
        assertThat(DecimalArithmetic.multiply(1_000_000_000L, 1_000_000_000L, 1)).isEqualTo(100_000_000_000_000_000L);
        assertThat(DecimalArithmetic.multiply(Decimals.MAX_UNSCALED, Decimals.MAX_UNSCALED, 36)).isEqualTo(1);
        assertThat(DecimalArithmetic.divide(1, 1, 18)).isEqualTo(Decimals.OVERFLOW);
        assertThat(DecimalArithmetic.divide(Decimals.MAX_UNSCALED, 1, -36)).isEqualTo(0);
    }

    @Test
    void shouldAgreeWithBigDecimalOnRandomOperands()
    {
        final long seed = System.nanoTime();
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 100_000; i++)
        {
            final long a = randomValue(random);
            final long b = randomValue(random);
            final int drop = random.nextInt(DecimalArithmetic.MAX_DROP + 1);
            assertThat(DecimalArithmetic.multiply(a, b, drop)).as("seed %d: %d * %d drop %d", seed, a, b, drop)
                .isEqualTo(expected(new BigDecimal(BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)), drop)));

            final int exponent = random.nextInt(2 * DecimalArithmetic.MAX_DROP + 1) - DecimalArithmetic.MAX_DROP;
            if (b != 0)
            {
                assertThat(DecimalArithmetic.divide(a, b, exponent)).as("seed %d: %d * 10^%d / %d", seed, a, exponent, b)
                    .isEqualTo(expected(new BigDecimal(a).scaleByPowerOfTen(exponent).divide(new BigDecimal(b), 0, RoundingMode.HALF_EVEN)));
            }

            final int from = random.nextInt(19);
            final int to = random.nextInt(19);
            assertThat(DecimalArithmetic.rescale(a, from, to)).as("seed %d: %d from %d to %d", seed, a, from, to)
                .isEqualTo(expected(BigDecimal.valueOf(a, from).setScale(to, RoundingMode.HALF_EVEN).scaleByPowerOfTen(to)));

            final long x = random.nextInt(4) == 0 ? random.nextLong() : a;
            final long y = random.nextInt(4) == 0 ? random.nextLong() : (random.nextBoolean() ? b : x);
            assertThat(Integer.signum(DecimalArithmetic.compare(x, from, y, to))).as("seed %d: %d@%d vs %d@%d", seed, x, from, y, to)
                .isEqualTo(BigDecimal.valueOf(x, from).compareTo(BigDecimal.valueOf(y, to)));
        }
    }

    @Test
    void shouldDivide128BitsBy64AsBigIntegerDoes()
    {
        final long seed = System.nanoTime();
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 100_000; i++)
        {
            long divisor = random.nextLong() >>> random.nextInt(64);
            if (divisor == 0)
            {
                divisor = 1;
            }
            final long hi = Long.remainderUnsigned(random.nextLong(), divisor);
            final long lo = random.nextLong();
            final BigInteger dividend = new BigInteger(Long.toUnsignedString(hi)).shiftLeft(64).or(new BigInteger(Long.toUnsignedString(lo)));
            final BigInteger quotient = dividend.divide(new BigInteger(Long.toUnsignedString(divisor)));
            assertThat(Long.toUnsignedString(DecimalArithmetic.divideUnsigned128(hi, lo, divisor)))
                .as("seed %d: %d:%d / %d", seed, hi, lo, divisor).isEqualTo(quotient.toString());
        }
    }

    /** A value of 1 to 18 digits (or zero), either sign. */
    private static long randomValue(final SplittableRandom random)
    {
        if (random.nextInt(50) == 0)
        {
            return random.nextBoolean() ? Decimals.MAX_UNSCALED : -Decimals.MAX_UNSCALED;
        }
        final int digits = random.nextInt(19);
        final long magnitude = digits == 0 ? 0 : random.nextLong(Decimals.powerOfTen(digits));
        return random.nextBoolean() ? -magnitude : magnitude;
    }

    /** The unscaled long of an integral result, or the sentinel beyond 18 digits. */
    private static long expected(final BigDecimal integral)
    {
        final BigDecimal value = integral.setScale(0, RoundingMode.HALF_EVEN);
        return value.abs().compareTo(MAX) > 0 ? Decimals.OVERFLOW : value.longValueExact();
    }
}
