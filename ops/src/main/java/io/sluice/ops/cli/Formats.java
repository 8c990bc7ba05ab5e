package io.sluice.ops.cli;

import java.util.Locale;

/**
 * Number formats shared by the commands' reports, locale-independent so output is stable for scripts.
 */
public final class Formats
{
    private Formats()
    {
    }

    /**
     * Formats a count with thousands separators.
     *
     * @param value to format.
     * @return e.g. 4,000,000.
     */
    public static String count(final long value)
    {
        return String.format(Locale.ROOT, "%,d", value);
    }

    /**
     * Formats a byte count in binary units.
     *
     * @param bytes to format.
     * @return e.g. 64.0 MiB.
     */
    public static String bytes(final long bytes)
    {
        if (bytes < 1024)
        {
            return bytes + " B";
        }
        final String[] units = { "KiB", "MiB", "GiB", "TiB" };
        double value = bytes / 1024.0;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1)
        {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
