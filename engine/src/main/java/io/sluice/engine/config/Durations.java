package io.sluice.engine.config;

/**
 * Durations written for humans: a sequence of whole numbers with units, {@code 250ms}, {@code 10s},
 * {@code 5m}, {@code 1h}, {@code 1d}, {@code 1h30m}; a bare number is milliseconds. The result is in
 * milliseconds, the engine's conventional event-time unit.
 */
public final class Durations
{
    private Durations()
    {
    }

    /**
     * Parses a duration.
     *
     * @param text such as {@code 10s} or {@code 1h30m}.
     * @return the duration in milliseconds, never negative.
     * @throws IllegalArgumentException saying what is wrong with the text.
     */
    public static long parse(final String text)
    {
        final String s = text == null ? "" : text.trim();
        if (s.isEmpty())
        {
            throw new IllegalArgumentException("'' is not a duration (write e.g. 250ms, 10s, 5m, 1h, 1d or 1h30m)");
        }
        long total = 0;
        int i = 0;
        boolean bare = true;
        while (i < s.length())
        {
            final int digitsStart = i;
            while (i < s.length() && Character.isDigit(s.charAt(i)))
            {
                i++;
            }
            if (i == digitsStart)
            {
                throw notDuration(text);
            }
            final long amount;
            try
            {
                amount = Long.parseLong(s.substring(digitsStart, i));
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("'" + ConfigLimits.value(text) + "' is too large a duration");
            }
            final int unitStart = i;
            while (i < s.length() && Character.isLetter(s.charAt(i)))
            {
                i++;
            }
            final String unit = s.substring(unitStart, i);
            final long factor;
            switch (unit)
            {
                case "":
                    if (i != s.length() || !bare)
                    {
                        throw notDuration(text);
                    }
                    factor = 1;
                    break;
                case "ms":
                    factor = 1;
                    break;
                case "s":
                    factor = 1_000;
                    break;
                case "m":
                    factor = 60_000;
                    break;
                case "h":
                    factor = 3_600_000;
                    break;
                case "d":
                    factor = 86_400_000;
                    break;
                default:
                    throw notDuration(text);
            }
            bare = false;
            try
            {
                total = Math.addExact(total, Math.multiplyExact(amount, factor));
            }
            catch (final ArithmeticException ex)
            {
                throw new IllegalArgumentException("'" + ConfigLimits.value(text) + "' is too large a duration");
            }
        }
        return total;
    }

    /**
     * Formats milliseconds in the largest unit that divides them exactly, e.g. {@code 90000} as
     * {@code 90s} and {@code 3600000} as {@code 1h}.
     *
     * @param millis to format.
     * @return the text.
     */
    public static String format(final long millis)
    {
        if (millis != 0)
        {
            if (millis % 86_400_000 == 0)
            {
                return millis / 86_400_000 + "d";
            }
            if (millis % 3_600_000 == 0)
            {
                return millis / 3_600_000 + "h";
            }
            if (millis % 60_000 == 0)
            {
                return millis / 60_000 + "m";
            }
            if (millis % 1_000 == 0)
            {
                return millis / 1_000 + "s";
            }
        }
        return millis + "ms";
    }

    private static IllegalArgumentException notDuration(final String text)
    {
        return new IllegalArgumentException("'" + ConfigLimits.value(text) + "' is not a duration (write e.g. 250ms, 10s, 5m, 1h, 1d or 1h30m)");
    }
}
