package io.sluice.schema;

/**
 * Exact decimal arithmetic on the scaled longs of {@link FieldType#DECIMAL} fields: a value
 * {@code 330.54} of a {@code DECIMAL(10, 2)} is stored as the unscaled long {@code 33054}. Text is
 * parsed digit by digit, never through a double, so {@code 330.54} is exactly {@code 33054} and prints
 * back as {@code 330.54}; sums are exact and fail, rather than wrap or round, beyond the 18 digits a
 * long holds.
 *
 * <p>Threading: stateless; nothing here allocates except the exceptions of invalid input.
 */
public final class Decimals
{
    /** The most digits of a DECIMAL: every 18-digit number fits a long, and a sum of two never wraps. */
    public static final int MAX_PRECISION = 18;

    /** The largest unscaled value of any DECIMAL, {@code 10^18 - 1}. */
    public static final long MAX_UNSCALED = 999_999_999_999_999_999L;

    /**
     * The unscaled value of an overflowed aggregate (Long.MIN_VALUE: beyond 18 digits, so no DECIMAL
     * value): it sticks through further additions, prints as {@code OVERFLOW} and reads as NaN.
     */
    public static final long OVERFLOW = Long.MIN_VALUE;

    private static final long[] POWERS_OF_TEN = new long[MAX_PRECISION + 1];

    static
    {
        long power = 1;
        for (int i = 0; i <= MAX_PRECISION; i++)
        {
            POWERS_OF_TEN[i] = power;
            power *= 10;
        }
    }

    private Decimals()
    {
    }

    /**
     * {@code 10^exponent}.
     *
     * @param exponent 0 to 18.
     * @return the power of ten.
     */
    public static long powerOfTen(final int exponent)
    {
        return POWERS_OF_TEN[exponent];
    }

    /**
     * Parses decimal text ({@code [-+]digits[.digits]}) into the unscaled value at a scale, exactly.
     * Fewer fractional digits than the scale are padded ({@code 330.5} at scale 2 is {@code 33050});
     * more are accepted only when the extra digits are zeros (a value is never rounded silently).
     *
     * @param text      to parse.
     * @param precision of the field, 1 to 18: the most digits of the unscaled value.
     * @param scale     of the field, 0 to precision.
     * @return the unscaled value.
     * @throws DecimalException saying why the text is not a value of {@code DECIMAL(precision, scale)}.
     */
    public static long parse(final CharSequence text, final int precision, final int scale)
    {
        final int length = text.length();
        int i = 0;
        boolean negative = false;
        if (length > 0 && (text.charAt(0) == '-' || text.charAt(0) == '+'))
        {
            negative = text.charAt(0) == '-';
            i = 1;
        }
        long unscaled = 0;
        int integerDigits = 0;
        int fractionDigits = 0;
        boolean point = false;
        boolean significant = false;
        boolean anyDigit = false;
        for (; i < length; i++)
        {
            final char c = text.charAt(i);
            if (c == '.' && !point)
            {
                point = true;
                continue;
            }
            if (c < '0' || c > '9')
            {
                throw new DecimalException(length == 0 ? "value is empty, a decimal number is required" :
                    "'" + text + "' is not a decimal number (digits with an optional '.', no exponent)");
            }
            final int digit = c - '0';
            anyDigit = true;
            if (point)
            {
                fractionDigits++;
                if (fractionDigits > scale)
                {
                    if (digit != 0)
                    {
                        throw new DecimalException("'" + text + "' has more than the " + scale + " decimal places of " +
                            typeText(precision, scale) + " (it would be rounded)");
                    }
                    continue;
                }
            }
            else
            {
                significant |= digit != 0;
                if (significant)
                {
                    integerDigits++;
                }
                if (integerDigits > precision - scale)
                {
                    throw new DecimalException("'" + text + "' has more than the " + (precision - scale) + " integer digits of " +
                        typeText(precision, scale));
                }
            }
            unscaled = unscaled * 10 + digit;
        }
        if (!anyDigit)
        {
            throw new DecimalException(length == 0 ? "value is empty, a decimal number is required" :
                "'" + text + "' is not a decimal number (digits with an optional '.', no exponent)");
        }
        unscaled *= POWERS_OF_TEN[scale - Math.min(fractionDigits, scale)];
        return negative ? -unscaled : unscaled;
    }

    /**
     * Appends an unscaled value as decimal text with exactly {@code scale} fractional digits
     * ({@code 33050} at scale 2 is {@code 330.50}; scale 0 has no point). Allocation-free.
     *
     * @param unscaled value.
     * @param scale    0 to 18.
     * @param out      to append to.
     * @return out; {@code OVERFLOW} for {@link #OVERFLOW}.
     */
    public static StringBuilder format(final long unscaled, final int scale, final StringBuilder out)
    {
        if (unscaled == OVERFLOW)
        {
            return out.append("OVERFLOW");
        }
        if (scale == 0)
        {
            return out.append(unscaled);
        }
        if (unscaled < 0)
        {
            out.append('-');
        }
        final long magnitude = unscaled < 0 ? -unscaled : unscaled;
        final long divisor = POWERS_OF_TEN[scale];
        out.append(Long.divideUnsigned(magnitude, divisor)).append('.');
        final long fraction = Long.remainderUnsigned(magnitude, divisor);
        for (long p = divisor / 10; p > 1 && fraction < p; p /= 10)
        {
            out.append('0');
        }
        return out.append(fraction);
    }

    /**
     * The value as a double: the unscaled value divided by {@code 10^scale}, correctly rounded (for
     * unscaled values within 2^53 this is the double nearest the decimal, as {@code Double.parseDouble}
     * of its text gives).
     *
     * @param unscaled value.
     * @param scale    0 to 18.
     * @return the nearest double; NaN for {@link #OVERFLOW}.
     */
    public static double toDouble(final long unscaled, final int scale)
    {
        if (unscaled == OVERFLOW)
        {
            return Double.NaN;
        }
        return scale == 0 ? (double)unscaled : unscaled / (double)POWERS_OF_TEN[scale];
    }

    /**
     * Adds two unscaled values of one scale, failing beyond the 18 digits of any DECIMAL.
     *
     * @param a first value, at most 18 digits.
     * @param b second value, at most 18 digits.
     * @return the sum.
     * @throws DecimalException if the sum has more than 18 digits.
     */
    public static long add(final long a, final long b)
    {
        final long sum = a + b; // two 18-digit values never wrap a long
        if (sum > MAX_UNSCALED || sum < -MAX_UNSCALED)
        {
            throw new DecimalException("decimal overflow: the sum has more than " + MAX_PRECISION + " digits");
        }
        return sum;
    }

    /**
     * Adds two unscaled values of one scale, giving {@link #OVERFLOW} when either is {@link #OVERFLOW}
     * or the sum has more than 18 digits: for aggregates, whose overflow must stick and show.
     *
     * @param a first value, at most 18 digits, or OVERFLOW.
     * @param b second value, at most 18 digits, or OVERFLOW.
     * @return the sum or OVERFLOW.
     */
    public static long addOrOverflow(final long a, final long b)
    {
        if (a == OVERFLOW || b == OVERFLOW)
        {
            return OVERFLOW;
        }
        final long sum = a + b; // two 18-digit values never wrap a long
        return sum > MAX_UNSCALED || sum < -MAX_UNSCALED ? OVERFLOW : sum;
    }

    /**
     * The declaration of a decimal type, e.g. {@code DECIMAL(18, 2)}.
     *
     * @param precision digits.
     * @param scale     fractional digits.
     * @return the text.
     */
    public static String typeText(final int precision, final int scale)
    {
        return "DECIMAL(" + precision + ", " + scale + ")";
    }

    /**
     * A value that is no DECIMAL of the type at hand (bad text, too many digits, an overflowing sum).
     */
    public static final class DecimalException extends ArithmeticException
    {
        private static final long serialVersionUID = 1L;

        /**
         * An invalid decimal.
         *
         * @param message saying what and why.
         */
        public DecimalException(final String message)
        {
            super(message);
        }
    }
}
