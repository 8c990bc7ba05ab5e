package io.sluice.peers;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Result rows of five longs, appended by one thread (a sink, a partition or a subtask) into a growing primitive
 * array, then merged and sorted for the row-for-row check. Window rows are {@code (key, start, end, count, sum)};
 * join rows {@code (key, order ts, payment ts, order value, payment value)}.
 */
final class Rows
{
    static final int WIDTH = 5;

    private long[] data;
    private int count;

    Rows(final int expectedRows)
    {
        data = new long[Math.max(16, expectedRows) * WIDTH];
    }

    void add(final long a, final long b, final long c, final long d, final long e)
    {
        int at = count * WIDTH;
        if (at + WIDTH > data.length)
        {
            data = Arrays.copyOf(data, data.length * 2);
        }
        data[at++] = a;
        data[at++] = b;
        data[at++] = c;
        data[at++] = d;
        data[at] = e;
        count++;
    }

    int count()
    {
        return count;
    }

    /**
     * One row, copied.
     *
     * @param index of the row in append order.
     * @return its five values.
     */
    long[] row(final int index)
    {
        return Arrays.copyOfRange(data, index * WIDTH, index * WIDTH + WIDTH);
    }

    /**
     * Value of one column of one row.
     *
     * @param index  of the row in append order.
     * @param column 0-4.
     * @return the value.
     */
    long get(final int index, final int column)
    {
        return data[index * WIDTH + column];
    }

    /**
     * All rows of several appenders, sorted lexicographically.
     *
     * @param parts appended to.
     * @return the sorted rows.
     */
    static long[][] sorted(final Iterable<Rows> parts)
    {
        int total = 0;
        for (final Rows part : parts)
        {
            total += part.count;
        }
        final long[][] rows = new long[total][];
        int n = 0;
        for (final Rows part : parts)
        {
            for (int i = 0; i < part.count; i++)
            {
                rows[n++] = Arrays.copyOfRange(part.data, i * WIDTH, i * WIDTH + WIDTH);
            }
        }
        Arrays.sort(rows, LEXICOGRAPHIC);
        return rows;
    }

    /** Lexicographic order of rows. */
    static final Comparator<long[]> LEXICOGRAPHIC = (x, y) ->
    {
        for (int i = 0; i < WIDTH; i++)
        {
            final int c = Long.compare(x[i], y[i]);
            if (c != 0)
            {
                return c;
            }
        }
        return 0;
    };

    /**
     * Compares a system's rows with the reference, row for row.
     *
     * @param reference the plain loop's sorted rows.
     * @param actual    the system's sorted rows.
     * @return null when equal, else a description of the first difference.
     */
    static String difference(final long[][] reference, final long[][] actual)
    {
        final int n = Math.min(reference.length, actual.length);
        for (int i = 0; i < n; i++)
        {
            if (LEXICOGRAPHIC.compare(reference[i], actual[i]) != 0)
            {
                return "row " + i + " (sorted): expected " + Arrays.toString(reference[i]) + " but was " + Arrays.toString(actual[i]) +
                    " (" + reference.length + " rows expected, " + actual.length + " produced)";
            }
        }
        if (reference.length != actual.length)
        {
            return reference.length + " rows expected but " + actual.length + " produced; first extra/missing: " +
                Arrays.toString(reference.length > n ? reference[n] : actual[n]);
        }
        return null;
    }
}
