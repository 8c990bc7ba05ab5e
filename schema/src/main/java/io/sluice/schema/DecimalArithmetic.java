package io.sluice.schema;

/**
 * Exact arithmetic on the unscaled longs of {@link FieldType#DECIMAL} values of any two scales, for
 * the compiled expressions of pipelines: products and quotients are computed exactly in 128 bits and
 * rounded once, {@code HALF_EVEN} (as {@link java.math.BigDecimal}'s {@code RoundingMode.HALF_EVEN}:
 * to the nearest, a tie to the even neighbour), and a result must be a DECIMAL again: at most 18
 * digits ({@link Decimals#MAX_UNSCALED}).
 *
 * <p>Nothing here allocates or throws on the hot path: a result beyond 18 digits is returned as the
 * sentinel {@link Decimals#OVERFLOW} (no 18-digit value has that bit pattern), so the caller throws
 * its own pre-built exception naming the operator. Every operand must be a value of at most 18 digits
 * (never {@link Decimals#OVERFLOW}).
 *
 * <p>Threading: stateless.
 */
public final class DecimalArithmetic
{
    /** The largest shift of scale a product or a quotient may round away: two scales of 18. */
    public static final int MAX_DROP = 2 * Decimals.MAX_PRECISION;

    private static final long TEN_POW_18 = Decimals.powerOfTen(18);

    private DecimalArithmetic()
    {
    }

    /**
     * Re-expresses a value at another scale: exactly to a larger scale, rounded {@code HALF_EVEN} to
     * a smaller one ({@code 2.345} at scale 3 is {@code 2.34} at scale 2, {@code 2.355} is {@code 2.36}).
     *
     * @param unscaled   value at {@code fromScale}.
     * @param fromScale  0 to 18.
     * @param toScale    0 to 18.
     * @return the unscaled value at {@code toScale}, or {@link Decimals#OVERFLOW} beyond 18 digits.
     */
    public static long rescale(final long unscaled, final int fromScale, final int toScale)
    {
        if (toScale >= fromScale)
        {
            final int up = toScale - fromScale;
            final long limit = Decimals.MAX_UNSCALED / Decimals.powerOfTen(up);
            return unscaled > limit || unscaled < -limit ? Decimals.OVERFLOW : unscaled * Decimals.powerOfTen(up);
        }
        final long magnitude = Math.abs(unscaled);
        final long rounded = roundedQuotient(magnitude, Decimals.powerOfTen(fromScale - toScale));
        return unscaled < 0 ? -rounded : rounded;
    }

    /**
     * The exact product {@code a * b} divided by {@code 10^drop}, rounded {@code HALF_EVEN}: the
     * product of values at scales {@code sa} and {@code sb} at the scale {@code sa + sb - drop}.
     *
     * @param a    first value, at most 18 digits.
     * @param b    second value, at most 18 digits.
     * @param drop decimal places rounded away, 0 to {@link #MAX_DROP}.
     * @return the unscaled result, or {@link Decimals#OVERFLOW} beyond 18 digits.
     */
    public static long multiply(final long a, final long b, final int drop)
    {
        final boolean negative = (a ^ b) < 0;
        final long x = Math.abs(a);
        final long y = Math.abs(b);
        final long lo = x * y;
        final long hi = Math.multiplyHigh(x, y); // both below 2^60, so the product is below 2^120: no sign issues
        final long magnitude;
        if (hi == 0 && lo >= 0)
        {
            // The product fits a long: the common case (cents times a rate), all in 64 bits.
            if (drop == 0)
            {
                magnitude = lo;
            }
            else if (drop <= Decimals.MAX_PRECISION)
            {
                magnitude = roundedQuotient(lo, Decimals.powerOfTen(drop));
            }
            else
            {
                magnitude = roundedQuotient(lo / TEN_POW_18, Decimals.powerOfTen(drop - 18), lo % TEN_POW_18 != 0);
            }
        }
        else if (drop <= Decimals.MAX_PRECISION)
        {
            final long divisor = Decimals.powerOfTen(drop);
            if (Long.compareUnsigned(hi, divisor) >= 0)
            {
                return Decimals.OVERFLOW; // the quotient would not fit 64 bits, let alone 18 digits
            }
            magnitude = roundedQuotient128(hi, lo, divisor);
        }
        else
        {
            // Two steps: by 10^18 (the product is below 10^36, so the quotient fits), keeping whether
            // anything was cut as a sticky bit, then by the rest with the one rounding.
            final long quotient = divideUnsigned128(hi, lo, TEN_POW_18);
            final boolean sticky = lo - quotient * TEN_POW_18 != 0;
            magnitude = roundedQuotient(quotient, Decimals.powerOfTen(drop - 18), sticky);
        }
        if (magnitude > Decimals.MAX_UNSCALED || magnitude < 0)
        {
            return Decimals.OVERFLOW;
        }
        return negative ? -magnitude : magnitude;
    }

    /**
     * The exact quotient {@code a * 10^exponent / b}, rounded {@code HALF_EVEN}: for {@code a} at
     * scale {@code sa} and {@code b} at scale {@code sb}, the quotient at scale {@code r} is
     * {@code divide(a, b, r + sb - sa)}.
     *
     * @param a        dividend, at most 18 digits.
     * @param b        divisor, at most 18 digits, not zero.
     * @param exponent power of ten applied to the dividend, -{@link #MAX_DROP} to {@link #MAX_DROP}.
     * @return the unscaled result, or {@link Decimals#OVERFLOW} beyond 18 digits.
     */
    public static long divide(final long a, final long b, final int exponent)
    {
        final boolean negative = (a ^ b) < 0;
        final long x = Math.abs(a);
        final long y = Math.abs(b);
        final long magnitude;
        if (exponent < 0)
        {
            final long scale = Decimals.powerOfTen(Math.min(-exponent, 18));
            final long divisorHi = Math.multiplyHigh(y, scale);
            final long divisor = y * scale;
            if (divisorHi != 0 || divisor < 0 || -exponent > 18)
            {
                // The divisor is at least 2^63 > 2 * 10^18 > 2x: the quotient rounds to zero.
                return 0;
            }
            magnitude = roundedQuotient(x, divisor);
        }
        else if (exponent <= Decimals.MAX_PRECISION)
        {
            final long power = Decimals.powerOfTen(exponent);
            final long lo = x * power;
            final long hi = Math.multiplyHigh(x, power);
            if (hi == 0 && lo >= 0)
            {
                magnitude = roundedQuotient(lo, y);
            }
            else if (Long.compareUnsigned(hi, y) >= 0)
            {
                return Decimals.OVERFLOW;
            }
            else
            {
                magnitude = roundedQuotient128(hi, lo, y);
            }
        }
        else
        {
            // x * 10^exponent may exceed 128 bits: x * 10^18 / y first (its integer part times
            // 10^(exponent - 18) must stay within 18 digits), then the remainder's further digits.
            final long lo = x * TEN_POW_18;
            final long hi = Math.multiplyHigh(x, TEN_POW_18);
            if (Long.compareUnsigned(hi, y) >= 0)
            {
                return Decimals.OVERFLOW;
            }
            final long high = divideUnsigned128(hi, lo, y);
            final long remainder = lo - high * y;
            final long rest = Decimals.powerOfTen(exponent - 18);
            if (Long.compareUnsigned(high, Decimals.MAX_UNSCALED / rest) > 0)
            {
                return Decimals.OVERFLOW;
            }
            // remainder < y < 10^18 and rest < 10^18: their product is below 10^36 and its quotient by y below rest.
            final long low = roundedQuotient128(Math.multiplyHigh(remainder, rest), remainder * rest, y);
            magnitude = high * rest + low;
        }
        if (magnitude > Decimals.MAX_UNSCALED || magnitude < 0)
        {
            return Decimals.OVERFLOW;
        }
        return negative ? -magnitude : magnitude;
    }

    /**
     * Compares two values at their scales exactly (no rounding, no overflow: the value at the smaller
     * scale is aligned in 128 bits).
     *
     * @param a      first value, any long.
     * @param scaleA of the first, 0 to 18.
     * @param b      second value, any long.
     * @param scaleB of the second, 0 to 18.
     * @return negative, zero or positive as {@code a} is less than, equal to or greater than {@code b}.
     */
    public static int compare(final long a, final int scaleA, final long b, final int scaleB)
    {
        if (scaleA == scaleB)
        {
            return Long.compare(a, b);
        }
        if (scaleA < scaleB)
        {
            return compareScaled(a, Decimals.powerOfTen(scaleB - scaleA), b);
        }
        return -compareScaled(b, Decimals.powerOfTen(scaleA - scaleB), a);
    }

    /**
     * {@code compare(x * factor, y)} in 128 bits.
     */
    private static int compareScaled(final long x, final long factor, final long y)
    {
        final long hi = Math.multiplyHigh(x, factor);
        final long lo = x * factor;
        final long yHi = y >> 63;
        if (hi != yHi)
        {
            return hi < yHi ? -1 : 1;
        }
        return Long.compareUnsigned(lo, y);
    }

    /**
     * {@code round(dividend / divisor)}, HALF_EVEN, for a non-negative dividend and a positive divisor.
     */
    private static long roundedQuotient(final long dividend, final long divisor)
    {
        final long quotient = dividend / divisor;
        final long remainder = dividend - quotient * divisor;
        return roundHalfEven(quotient, remainder, divisor, false);
    }

    /**
     * As {@link #roundedQuotient(long, long)}, for a dividend that stands for slightly more than its
     * value when {@code sticky} (non-zero digits were cut below it; the divisor is even).
     */
    private static long roundedQuotient(final long dividend, final long divisor, final boolean sticky)
    {
        final long quotient = dividend / divisor;
        final long remainder = dividend - quotient * divisor;
        return roundHalfEven(quotient, remainder, divisor, sticky);
    }

    /**
     * {@code round((hi:lo) / divisor)}, HALF_EVEN, unsigned; requires {@code hi < divisor}.
     */
    private static long roundedQuotient128(final long hi, final long lo, final long divisor)
    {
        final long quotient = divideUnsigned128(hi, lo, divisor);
        final long remainder = lo - quotient * divisor; // the true remainder is below the divisor: its low 64 bits are it
        return roundHalfEven(quotient, remainder, divisor, false);
    }

    private static long roundHalfEven(final long quotient, final long remainder, final long divisor, final boolean sticky)
    {
        if (quotient < 0)
        {
            return quotient; // 2^63 or more as unsigned: an overflow whichever way it rounds, left negative for the caller to see
        }
        // remainder < divisor < 2^63, so twice the remainder is exact as an unsigned long.
        final int half = Long.compareUnsigned(remainder << 1, divisor);
        if (half > 0 || (half == 0 && (sticky || (quotient & 1) != 0)))
        {
            return quotient + 1;
        }
        return quotient;
    }

    /**
     * The unsigned 64-bit quotient of the unsigned 128-bit {@code hi:lo} by {@code divisor}, which
     * must exceed {@code hi} (so the quotient fits): Knuth's algorithm D with two 32-bit digits over a
     * normalised divisor.
     */
    static long divideUnsigned128(final long hi, final long lo, final long divisor)
    {
        final int shift = Long.numberOfLeadingZeros(divisor);
        final long v = divisor << shift;
        final long vHigh = v >>> 32;
        final long vLow = v & 0xFFFF_FFFFL;
        final long top = shift == 0 ? hi : (hi << shift) | (lo >>> (64 - shift));
        final long bottom = lo << shift;
        final long bottomHigh = bottom >>> 32;
        final long bottomLow = bottom & 0xFFFF_FFFFL;

        long q1 = Long.divideUnsigned(top, vHigh);
        long rHat = top - q1 * vHigh;
        while (Long.compareUnsigned(q1, 0x1_0000_0000L) >= 0 || Long.compareUnsigned(q1 * vLow, (rHat << 32) | bottomHigh) > 0)
        {
            q1--;
            rHat += vHigh;
            if (rHat >= 0x1_0000_0000L)
            {
                break;
            }
        }
        final long middle = (top << 32) + bottomHigh - q1 * v;

        long q0 = Long.divideUnsigned(middle, vHigh);
        rHat = middle - q0 * vHigh;
        while (Long.compareUnsigned(q0, 0x1_0000_0000L) >= 0 || Long.compareUnsigned(q0 * vLow, (rHat << 32) | bottomLow) > 0)
        {
            q0--;
            rHat += vHigh;
            if (rHat >= 0x1_0000_0000L)
            {
                break;
            }
        }
        return (q1 << 32) | q0;
    }
}
