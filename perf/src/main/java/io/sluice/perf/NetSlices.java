package io.sluice.perf;

import java.util.Locale;

import org.HdrHistogram.Histogram;

/**
 * One medium's interleaved view of a round of {@link NetLatencyClient} ({@code slices=N}): after the round's raw and
 * Sluice phases in sequence, N raw and N Sluice slices of {@code seconds / N} each, alternating, merged into the
 * round's interleaved histograms; each slice's p99 is kept so that a {@code SLICES} line shows where in the round the
 * slow slices were and whether they were raw's, Sluice's or both. The view exists because the machine's noise (on the
 * shared 2-core VM, the other processes' bursts) falls on one 5-second phase and not the other often enough to decide a
 * round's ratio either way (section 89); it does not replace the view in sequence: both are reported.
 *
 * <p>Threading: the client's thread only; the histograms are allocated once.
 */
final class NetSlices
{
    /** The view's name in the {@code ROUND}, {@code SLICES} and {@code ROUNDS} lines. */
    static final String VIEW = "interleaved";

    private final String media;
    private final Histogram rawSlice;
    private final Histogram ackSlice;
    private final Histogram resultSlice;
    private final Histogram raw;
    private final Histogram ack;
    private final Histogram result;
    private final double[] rawP99Us;
    private final double[] ackP99Us;
    private int rawSlices;
    private int sluiceSlices;

    /**
     * @param media     the medium's name.
     * @param slices    raw slices (and Sluice slices) per round, at least 1 where the view is used.
     * @param highestNs the histograms' highest trackable latency.
     */
    NetSlices(final String media, final int slices, final long highestNs)
    {
        this.media = media;
        this.rawSlice = new Histogram(highestNs, 3);
        this.ackSlice = new Histogram(highestNs, 3);
        this.resultSlice = new Histogram(highestNs, 3);
        this.raw = new Histogram(highestNs, 3);
        this.ack = new Histogram(highestNs, 3);
        this.result = new Histogram(highestNs, 3);
        this.rawP99Us = new double[Math.max(0, slices)];
        this.ackP99Us = new double[Math.max(0, slices)];
    }

    /** Starts a round: its histograms and slices emptied. */
    void beginRound()
    {
        raw.reset();
        ack.reset();
        result.reset();
        rawSlice.reset();
        ackSlice.reset();
        resultSlice.reset();
        rawSlices = 0;
        sluiceSlices = 0;
    }

    /**
     * The histogram the next raw slice records into.
     *
     * @return the raw slice's histogram, empty.
     */
    Histogram rawSlice()
    {
        return rawSlice;
    }

    /**
     * The histogram the next Sluice slice records its ACK latencies into.
     *
     * @return the ack slice's histogram, empty.
     */
    Histogram ackSlice()
    {
        return ackSlice;
    }

    /**
     * The histogram the next Sluice slice records its egress result latencies into.
     *
     * @return the result slice's histogram, empty.
     */
    Histogram resultSlice()
    {
        return resultSlice;
    }

    /** A raw slice recorded: its p99 kept, its latencies merged into the round's. */
    void endRawSlice()
    {
        rawP99Us[rawSlices++] = rawSlice.getValueAtPercentile(99) / 1e3;
        raw.add(rawSlice);
        rawSlice.reset();
    }

    /** A Sluice slice recorded: its ACK p99 kept, its latencies merged into the round's. */
    void endSluiceSlice()
    {
        ackP99Us[sluiceSlices++] = ackSlice.getValueAtPercentile(99) / 1e3;
        ack.add(ackSlice);
        result.add(resultSlice);
        ackSlice.reset();
        resultSlice.reset();
    }

    /**
     * The round's raw latencies, all its raw slices.
     *
     * @return the histogram (reset by the next round).
     */
    Histogram raw()
    {
        return raw;
    }

    /**
     * The round's publish -> JOURNALED ack latencies, all its Sluice slices.
     *
     * @return the histogram (reset by the next round).
     */
    Histogram ack()
    {
        return ack;
    }

    /**
     * The round's publish -> egress result latencies, all its Sluice slices.
     *
     * @return the histogram (reset by the next round).
     */
    Histogram result()
    {
        return result;
    }

    /**
     * The medium's name.
     *
     * @return the medium's name.
     */
    String media()
    {
        return media;
    }

    /**
     * The round's slices in the order of their pairs.
     *
     * @param round the round's number.
     * @return e.g. {@code SLICES media=ipc round=2 p99 us by slice pair: raw [88.1, 90.2, ...], ack [70.3, 2400.0, ...]}.
     */
    String line(final int round)
    {
        return String.format(Locale.ROOT, "SLICES media=%s round=%d p99 us by slice pair: raw %s, ack %s", media, round,
            values(rawP99Us, rawSlices), values(ackP99Us, sluiceSlices));
    }

    private static String values(final double[] value, final int count)
    {
        final StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < count; i++)
        {
            text.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", value[i]));
        }
        return text.append(']').toString();
    }
}
