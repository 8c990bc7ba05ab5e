package io.sluice.ops.demo;

import java.util.List;
import java.util.Locale;

import io.sluice.engine.runtime.WaitStrategyKind;
import io.sluice.loadgen.Alert;
import io.sluice.loadgen.DetectionReport;
import io.sluice.loadgen.FraudRules;
import io.sluice.loadgen.OrderRules;
import io.sluice.loadgen.RatePlan;

/**
 * Formatting of the fraud-desk demo's console output.
 */
final class DemoFormat
{
    private DemoFormat()
    {
    }

    /**
     * A count with thousands separators, as {@code String.format(Locale.ROOT, "%,d", value)} writes it, without the
     * format string's parsing: the live line runs it every second on the reporter's cpu, which on 2 cpus is the
     * sender's (perf/README.md, section 114).
     */
    static String count(final long value)
    {
        return appendCount(new StringBuilder(24), value).toString();
    }

    /**
     * Appends {@link #count}'s text.
     *
     * @param text  to append to.
     * @param value to write.
     * @return the text.
     */
    static StringBuilder appendCount(final StringBuilder text, final long value)
    {
        if (value == Long.MIN_VALUE)
        {
            return text.append(String.format(Locale.ROOT, "%,d", value));
        }
        if (value < 0)
        {
            text.append('-');
        }
        final String digits = Long.toString(Math.abs(value));
        final int first = digits.length() % 3 == 0 ? 3 : digits.length() % 3;
        text.append(digits, 0, first);
        for (int i = first; i < digits.length(); i += 3)
        {
            text.append(',').append(digits, i, i + 3);
        }
        return text;
    }

    /**
     * A non-negative amount in units of {@code unit}, rounded half up to one decimal: {@code String.format(Locale.ROOT,
     * "%.1f", amount / (double)unit)} for the amounts a demo meets (below 10^15 units), without the format string.
     *
     * @param text   to append to.
     * @param amount to write, at least 0.
     * @param unit   of the amount written, a multiple of 10.
     * @return the text.
     */
    static StringBuilder appendTenths(final StringBuilder text, final long amount, final long unit)
    {
        final long tenths = (amount + unit / 20) / (unit / 10);
        return text.append(tenths / 10).append('.').append(tenths % 10);
    }

    /**
     * Appends a value right-aligned in a column ({@code %Ns}): spaces first, then the value, never cut.
     *
     * @param text  to append to.
     * @param value to write.
     * @param width of the column.
     * @return the text.
     */
    static StringBuilder appendRight(final StringBuilder text, final CharSequence value, final int width)
    {
        for (int i = value.length(); i < width; i++)
        {
            text.append(' ');
        }
        return text.append(value);
    }

    /**
     * Appends a value left-aligned in a column ({@code %-Ns}): the value, then spaces, never cut.
     *
     * @param text  to append to.
     * @param value to write.
     * @param width of the column.
     * @return the text.
     */
    static StringBuilder appendLeft(final StringBuilder text, final CharSequence value, final int width)
    {
        text.append(value);
        for (int i = value.length(); i < width; i++)
        {
            text.append(' ');
        }
        return text;
    }

    static String nanos(final long nanos)
    {
        if (nanos < 0)
        {
            return "-";
        }
        if (nanos < 10_000)
        {
            return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
        }
        if (nanos < 10_000_000)
        {
            return String.format(Locale.ROOT, "%.0f us", nanos / 1e3);
        }
        if (nanos < 10_000_000_000L)
        {
            return String.format(Locale.ROOT, "%.0f ms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    /**
     * Nanoseconds in microseconds, for a column whose head names the unit: one decimal below 100 us,
     * whole microseconds with thousands separators above (both rounded half up), "-" for none; without a format string
     * ({@link #count}).
     */
    static String micros(final long nanos)
    {
        if (nanos < 0)
        {
            return "-";
        }
        final StringBuilder text = new StringBuilder(16);
        return (nanos < 100_000 ? appendTenths(text, nanos, 1_000) : appendCount(text, (nanos + 500) / 1_000)).toString();
    }

    static String describe(final RatePlan plan)
    {
        final StringBuilder text = new StringBuilder();
        String group = null;
        for (final RatePlan.Phase phase : plan.phases())
        {
            if (phase.group().equals(group) && !phase.burst() && !text.isEmpty())
            {
                continue;
            }
            if (!text.isEmpty())
            {
                text.append(", ");
            }
            group = phase.group();
            if (phase.burst())
            {
                text.append("bursts of ").append(count(phase.rate())).append(" ev/s");
                continue;
            }
            final long[] planned = plan.plannedOf(phase.group());
            text.append(phase.group()).append(' ').append(count(phase.rate())).append(" ev/s for ")
                .append(String.format(Locale.ROOT, "%.0f s", planned[1] / 1e9));
        }
        return text.toString();
    }

    static String whyWaitStrategy(final WaitStrategyKind kind, final int cpus)
    {
        switch (kind)
        {
            case SLEEP:
                return " (spin, yield, then park: leaves the " + cpus + " cpus to the sender and other threads when idle)";
            case YIELD:
                return " (spin then yield: lower latency, but a spinning thread per partition competes for the " + cpus + " cpus)";
            case BUSY_SPIN:
                return " (each processing thread spins on a cpu of its own: worth it only with a free cpu for each, and one more for everything else)";
            default:
                return " (lock and condition: least cpu, slowest wake-up)";
        }
    }

    /** The card detectors' kinds, in summary order. */
    static final List<String> CARD_RULES = List.of(FraudRules.VELOCITY, FraudRules.AMOUNT, FraudRules.TRAVEL);
    /** The join detectors' kinds, in summary order. */
    static final List<String> JOIN_RULES = List.of(OrderRules.UNPAID, OrderRules.MISMATCH, OrderRules.BLOCKED, OrderRules.OVER_LIMIT);

    /**
     * Detection so far, one short line: per rule detected of injected, then false alerts. Patterns
     * whose evidence is still in an open window or interval are not missed yet, so the live line
     * shows no missed count; the summary does.
     */
    static String progress(final DetectionReport report)
    {
        final StringBuilder line = new StringBuilder("detected so far:");
        int falseAlerts = 0;
        for (final List<String> rules : List.of(CARD_RULES, JOIN_RULES))
        {
            for (final String kind : rules)
            {
                final DetectionReport.KindCounts c = report.counts(kind);
                line.append(' ').append(kind).append(' ').append(c.detected()).append('/').append(c.injected());
                falseAlerts += c.falseAlerts();
            }
            line.append(rules == CARD_RULES ? "  |" : "");
        }
        return line.append("  false ").append(falseAlerts).toString();
    }

    private static String keyNoun(final String kind)
    {
        return switch (kind)
        {
            case OrderRules.UNPAID, OrderRules.MISMATCH -> "order";
            case OrderRules.BLOCKED, OrderRules.OVER_LIMIT -> "account";
            default -> "card";
        };
    }

    /**
     * What follows "ALERT " on a live alert line, as
     * {@code String.format(Locale.ROOT, "%-17s %-7s %7d  [%s, %s) sim time  value %.1f", kind, noun, key, start, end, value)}
     * with the times as {@code HH:mm:ss} of UTC wrote it, without the format string's parsing and without
     * {@code java.time}: the alert lines were the reporter's longest steps on the sender's cpu (0.6-2.6 ms for a
     * burst of alerts, perf/README.md sections 119 and 125). One builder, reused: the reporter's thread only.
     *
     * @param alert to describe.
     * @return the text.
     */
    static String alert(final Alert alert)
    {
        final StringBuilder text = ALERT_TEXT.get();
        text.setLength(0);
        appendLeft(text, alert.kind(), 17).append(' ');
        appendLeft(text, keyNoun(alert.kind()), 7).append(' ');
        appendRight(text, Long.toString(alert.key()), 7).append("  [");
        appendClock(text, alert.start()).append(", ");
        appendClock(text, alert.end()).append(") sim time  value ");
        return appendOneDecimal(text, alert.value()).toString();
    }

    /** The alert text's builder, one per thread (the reporter's, and a test's). */
    private static final ThreadLocal<StringBuilder> ALERT_TEXT = ThreadLocal.withInitial(() -> new StringBuilder(96));

    /**
     * Appends the time of day of an epoch millisecond in UTC as {@code HH:mm:ss}, as {@code java.time} formats it.
     *
     * @param text        to append to.
     * @param epochMillis the instant.
     * @return the text.
     */
    static StringBuilder appendClock(final StringBuilder text, final long epochMillis)
    {
        final long secondOfDay = Math.floorMod(Math.floorDiv(epochMillis, 1000L), 86_400L);
        return appendTwoDigits(appendTwoDigits(appendTwoDigits(text, secondOfDay / 3600).append(':'), secondOfDay / 60 % 60).append(':'),
            secondOfDay % 60);
    }

    private static StringBuilder appendTwoDigits(final StringBuilder text, final long value)
    {
        return text.append((char)('0' + value / 10)).append((char)('0' + value % 10));
    }

    /** Above it (and for NaN and the infinities) {@link #appendOneDecimal} leaves the value to {@code String.format}. */
    private static final double PLAIN_DECIMAL_LIMIT = 1e9;

    /**
     * Appends a value with one decimal, rounded half up, as {@code %.1f} writes it ({@code -0.0} for a negative value
     * that rounds to zero, as it does).
     *
     * @param text  to append to.
     * @param value to write.
     * @return the text.
     */
    static StringBuilder appendOneDecimal(final StringBuilder text, final double value)
    {
        final double magnitude = Math.abs(value);
        if (!(magnitude < PLAIN_DECIMAL_LIMIT))
        {
            return text.append(String.format(Locale.ROOT, "%.1f", value));
        }
        if (value < 0 || (value == 0 && 1 / value < 0))
        {
            text.append('-');
        }
        final long tenths = (long)Math.floor(magnitude * 10 + 0.5);
        return text.append(tenths / 10).append('.').append((char)('0' + tenths % 10));
    }
}
