package io.sluice.ops;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import io.sluice.engine.runtime.WaitStrategyKind;
import io.sluice.loadgen.Alert;
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
                return " (a full cpu per partition thread: only with more cpus than partitions + 1)";
            default:
                return " (lock and condition: least cpu, slowest wake-up)";
        }
    }

    static String alert(final Alert alert)
    {
        return String.format(Locale.ROOT, "%-17s card %6d  [%s, %s) sim time  value %.1f", alert.kind(), alert.key(),
            TIME.format(Instant.ofEpochMilli(alert.start())), TIME.format(Instant.ofEpochMilli(alert.end())), alert.value());
    }
}
