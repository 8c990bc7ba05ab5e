package io.sluice.ops.demo;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private DemoFormat()
    {
    }

    static String count(final long value)
    {
        return String.format(Locale.ROOT, "%,d", value);
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
     * whole microseconds with thousands separators above, "-" for none.
     */
    static String micros(final long nanos)
    {
        if (nanos < 0)
        {
            return "-";
        }
        return nanos < 100_000 ? String.format(Locale.ROOT, "%.1f", nanos / 1e3) : String.format(Locale.ROOT, "%,d", Math.round(nanos / 1e3));
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

    static String alert(final Alert alert)
    {
        return String.format(Locale.ROOT, "%-17s %-7s %7d  [%s, %s) sim time  value %.1f", alert.kind(), keyNoun(alert.kind()), alert.key(),
            TIME.format(Instant.ofEpochMilli(alert.start())), TIME.format(Instant.ofEpochMilli(alert.end())), alert.value());
    }
}
