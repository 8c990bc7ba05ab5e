package io.sluice.perf;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Locale;

/**
 * Where in a phase of {@link NetLatencyClient} one path's latencies went over a limit: per second of the
 * recorded part (by scheduled send time), how many messages took longer than the limit, and the slowest
 * message with the UTC time it was due. A round whose p99 stands out can so be told apart as one stall (the
 * late messages in one second, the slowest tens of milliseconds: a pause of one process) or a slower path
 * throughout (late messages in every second), and lined up with the processes' JVM logs
 * ({@code NetLatencyMain jvmLog=DIR}).
 *
 * <p>Threading: the client's thread only; {@link #record} stores into a pre-allocated array.
 */
final class NetRoundProfile
{
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private final long rate;
    private final long[] latencyNs;
    private int firstIndex;
    private int endIndex;
    /** Wall clock minus monotonic clock at the phase's start: a scheduled send time as a UTC time. */
    private long epochNsOffset;

    /**
     * @param rate     messages a second, to place a message in its second.
     * @param messages of a phase, warm-up included.
     */
    NetRoundProfile(final long rate, final int messages)
    {
        this.rate = rate;
        this.latencyNs = new long[messages];
    }

    /**
     * Starts a phase.
     *
     * @param firstIndex index of the first recorded message (the first after the warm-up).
     * @param endIndex   index after the last recorded message.
     */
    void begin(final int firstIndex, final int endIndex)
    {
        this.firstIndex = firstIndex;
        this.endIndex = endIndex;
        Arrays.fill(latencyNs, -1);
        epochNsOffset = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
    }

    /**
     * Keeps one recorded message's latency.
     *
     * @param index     of the message in the phase, in [firstIndex, endIndex).
     * @param latencyNs of the message.
     */
    void record(final int index, final long latencyNs)
    {
        this.latencyNs[index] = latencyNs;
    }

    /**
     * The phase's profile against a limit.
     *
     * @param what        the path, e.g. "ack".
     * @param limitNs     latency above which a message counts as late.
     * @param scheduledNs the phase's scheduled send times ({@link System#nanoTime()}), by message index.
     * @return e.g. {@code ack > 2000.0 us per second [0, 0, 512, 0, 0], slowest 51.300 ms due 15:10:02.123 UTC (sent
     *         15:10:00.000-15:10:04.999)}: the recorded messages' first and last send times close it.
     */
    String text(final String what, final long limitNs, final long[] scheduledNs)
    {
        final long[] overPerSecond = new long[(int)((endIndex - firstIndex + rate - 1) / rate)];
        int slowest = -1;
        for (int i = firstIndex; i < endIndex; i++)
        {
            final long latency = latencyNs[i];
            if (latency > limitNs)
            {
                overPerSecond[(int)((i - firstIndex) / rate)]++;
            }
            if (latency >= 0 && (slowest < 0 || latency > latencyNs[slowest]))
            {
                slowest = i;
            }
        }
        if (slowest < 0)
        {
            return what + " nothing recorded";
        }
        return String.format(Locale.ROOT, "%s > %.1f us per second %s, slowest %.3f ms due %s UTC (sent %s-%s)", what, limitNs / 1e3,
            Arrays.toString(overPerSecond), latencyNs[slowest] / 1e6, utc(scheduledNs[slowest]), utc(scheduledNs[firstIndex]),
            utc(scheduledNs[endIndex - 1]));
    }

    /** A scheduled send time of the phase as a UTC time of day, to line up with the JVM logs ({@code jvmLog}). */
    private String utc(final long scheduledNs)
    {
        return UTC_TIME.format(Instant.ofEpochMilli((scheduledNs + epochNsOffset) / 1_000_000L));
    }
}
