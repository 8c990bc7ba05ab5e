package io.sluice.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.SplittableRandom;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import io.sluice.loadgen.Alert;
import io.sluice.loadgen.AlertLog;
import io.sluice.loadgen.FraudRules;
import io.sluice.loadgen.IntervalStats;
import io.sluice.loadgen.LatencyRecorder;
import io.sluice.loadgen.OrderRules;

/**
 * The live line's columns, built without a format string, against {@code String.format} as the oracle: seeded random
 * values over every magnitude (the seed is in each failure's message).
 */
final class DemoFormatTest
{
    private static final long SEED = System.nanoTime();
    private static final int VALUES = 50_000;

    @Test
    void shouldWriteCountsAsFormatsThousandsSeparatorsDo()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < VALUES; i++)
        {
            final long value = anyMagnitude(random) * (random.nextInt(8) == 0 ? -1 : 1);
            assertThat(DemoFormat.count(value)).as("seed %d value %d", SEED, value).isEqualTo(String.format(Locale.ROOT, "%,d", value));
        }
        for (final long edge : new long[] {0, 999, 1_000, -1_000, 999_999, 1_000_000, Long.MAX_VALUE, Long.MIN_VALUE})
        {
            assertThat(DemoFormat.count(edge)).isEqualTo(String.format(Locale.ROOT, "%,d", edge));
        }
    }

    @Test
    void shouldWriteMicrosecondsAsTheFormatsDidRoundedHalfUp()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < VALUES; i++)
        {
            // Below 2^50 ns (13 days): the oracle divides in doubles, exact there.
            final long nanos = anyMagnitude(random) >>> 13;
            final String oracle = nanos < 100_000 ? String.format(Locale.ROOT, "%.1f", nanos / 1e3) :
                String.format(Locale.ROOT, "%,d", Math.round(nanos / 1e3));
            assertThat(DemoFormat.micros(nanos)).as("seed %d nanos %d", SEED, nanos).isEqualTo(oracle);
        }
        for (final long edge : new long[] {0, 49, 50, 99_949, 99_950, 99_999, 100_000, 100_499, 100_500, 1_050, 1_150})
        {
            assertThat(DemoFormat.micros(edge)).as("nanos %d", edge).isEqualTo(edge < 100_000 ?
                String.format(Locale.ROOT, "%.1f", edge / 1e3) : String.format(Locale.ROOT, "%,d", Math.round(edge / 1e3)));
        }
        assertThat(DemoFormat.micros(-1)).isEqualTo("-");
    }

    @Test
    void shouldWriteSecondsWithOneDecimalAsTheFormatDid()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < VALUES; i++)
        {
            final long nanos = random.nextLong(0, 100_000_000_000_000L >> random.nextInt(40));
            assertThat(DemoFormat.appendTenths(new StringBuilder(), nanos, 1_000_000_000L).toString()).as("seed %d nanos %d", SEED, nanos)
                .isEqualTo(String.format(Locale.ROOT, "%.1f", nanos / 1e9));
        }
    }

    @Test
    void shouldPrintTheLiveLineAsItsFormatStringDid()
    {
        final StringWriter out = new StringWriter();
        final RunReporter reporter = new RunReporter(new PrintWriter(out), new AlertLog(1, 16), DemoFormat::alert);
        final Histogram latency = new Histogram(LatencyRecorder.HIGHEST_TRACKABLE_NS, 3);
        final SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < 1_000; i++)
        {
            latency.recordValue(anyMagnitude(random) % LatencyRecorder.HIGHEST_TRACKABLE_NS);
        }
        final IntervalStats stats = new IntervalStats(12_345_678_901L, 1_000_000_000L, 1_234_567L, 1_200_000L, "measure", latency, 0);
        reporter.onInterval(stats);
        final String[] lines = out.toString().split(System.lineSeparator());
        final String oracle = String.format(Locale.ROOT, "%6.1f s  %-12s %11s %11s %9s %11s %11s %11s %11s +%d",
            stats.elapsedNs() / 1e9, stats.group(), String.format(Locale.ROOT, "%,d", stats.sent()),
            String.format(Locale.ROOT, "%,d", stats.processed()), String.format(Locale.ROOT, "%,d", 1_200_000L),
            DemoFormat.micros(latency.getValueAtPercentile(50)), DemoFormat.micros(latency.getValueAtPercentile(99)),
            DemoFormat.micros(latency.getValueAtPercentile(99.9)), DemoFormat.micros(latency.getMaxValue()), 0);
        assertThat(lines).as("seed %d", SEED).hasSize(2);
        assertThat(lines[1]).as("seed %d", SEED).isEqualTo(oracle);
    }

    /** A non-negative value of any number of digits. */
    @Test
    void shouldWriteAlertsAsTheirFormatStringAndJavaTimeDo()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        final java.util.List<String> kinds = new java.util.ArrayList<>(DemoFormat.CARD_RULES);
        kinds.addAll(DemoFormat.JOIN_RULES);
        for (int i = 0; i < VALUES; i++)
        {
            final long start = random.nextLong(-10 * DAY_MS, 400 * DAY_MS);
            final Alert alert = new Alert(kinds.get(random.nextInt(kinds.size())), random.nextInt(8) == 0 ? anyMagnitude(random) :
                random.nextLong(0, 10_000_000), start, start + random.nextLong(0, DAY_MS), anyValue(random), 0);
            assertThat(DemoFormat.alert(alert)).as("seed %d alert %s", SEED, alert).isEqualTo(oracle(alert));
        }
        for (final double edge : new double[] {0.0, -0.0, 0.05, -0.05, 0.04, -0.04, 0.25, 0.35, 1.45, 2.675, 9.95, 99.95, -281.55,
            1e9 - 0.05, 1e9, 1e14, 1e15, 1e300, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE})
        {
            final Alert alert = new Alert(FraudRules.AMOUNT, 7, 0, 59_999, edge, 0);
            assertThat(DemoFormat.alert(alert)).as("value %s", edge).isEqualTo(oracle(alert));
        }
    }

    private static final long DAY_MS = 86_400_000L;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    /** The alert line's text as the demo wrote it before: its format string and {@code java.time}. */
    private static String oracle(final Alert alert)
    {
        final String noun = switch (alert.kind())
        {
            case OrderRules.UNPAID, OrderRules.MISMATCH -> "order";
            case OrderRules.BLOCKED, OrderRules.OVER_LIMIT -> "account";
            default -> "card";
        };
        return String.format(Locale.ROOT, "%-17s %-7s %7d  [%s, %s) sim time  value %.1f", alert.kind(), noun, alert.key(),
            CLOCK.format(Instant.ofEpochMilli(alert.start())), CLOCK.format(Instant.ofEpochMilli(alert.end())), alert.value());
    }

    /** Amounts in cents, halves of tenths, and doubles of every magnitude, either sign. */
    private static double anyValue(final SplittableRandom random)
    {
        final double sign = random.nextInt(4) == 0 ? -1 : 1;
        return sign * switch (random.nextInt(4))
        {
            case 0 -> random.nextLong(0, 100_000_000) / 100.0;
            case 1 -> (random.nextLong(0, 1_000_000) * 10 + 5) / 100.0;
            case 2 -> random.nextDouble() * Math.pow(10, random.nextInt(-3, 15));
            default -> random.nextDouble(0, 10_000);
        };
    }

    private static long anyMagnitude(final SplittableRandom random)
    {
        return random.nextLong(0, Long.MAX_VALUE) >>> random.nextInt(63);
    }
}
