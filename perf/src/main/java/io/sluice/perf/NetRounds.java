package io.sluice.perf;

import java.util.Arrays;
import java.util.Locale;

import org.HdrHistogram.Histogram;

/**
 * The rounds of one medium of {@link NetLatencyClient}, side by side: each round's raw, ack and result p99 and the
 * paths' p99 over that round's raw p99, with the median over the rounds and how many rounds are within the
 * target's 2x. The target holds "in every round", and a merged histogram (the {@code RESULT} lines) lets one bad
 * round decide a run's p99: this line shows whether one round or all of them stand out.
 *
 * <p>Threading: the client's thread only.
 */
final class NetRounds
{
    /** The target: a path's p99 at most this many times the raw ping-pong's p99 of the same round. */
    static final double TARGET_RATIO = 2.0;

    private final String media;
    /** The view's words after the medium in the line, e.g. {@code " view=interleaved"}; empty for the phases in sequence. */
    private final String view;
    private final double[] rawP99Us;
    private final double[] ackP99Us;
    private final double[] ackRatio;
    private final double[] resultRatio;
    private int rounds;

    /**
     * The rounds of the phases in sequence (a raw phase, then a Sluice phase).
     *
     * @param media  the medium's name.
     * @param rounds the run's rounds.
     */
    NetRounds(final String media, final int rounds)
    {
        this(media, "", rounds);
    }

    /**
     * @param media  the medium's name.
     * @param view   which view of the rounds, e.g. {@code interleaved}: written after the medium as {@code view=<view>};
     *               empty for the phases in sequence (the line as it was before views existed).
     * @param rounds the run's rounds.
     */
    NetRounds(final String media, final String view, final int rounds)
    {
        this.media = media;
        this.view = view.isEmpty() ? "" : " view=" + view;
        this.rawP99Us = new double[rounds];
        this.ackP99Us = new double[rounds];
        this.ackRatio = new double[rounds];
        this.resultRatio = new double[rounds];
    }

    /**
     * Adds the next round.
     *
     * @param raw    the round's raw ping-pong latencies.
     * @param ack    the round's publish -> JOURNALED ack latencies.
     * @param result the round's publish -> egress result latencies.
     */
    void add(final Histogram raw, final Histogram ack, final Histogram result)
    {
        final double rawP99 = raw.getValueAtPercentile(99);
        rawP99Us[rounds] = rawP99 / 1e3;
        ackP99Us[rounds] = ack.getValueAtPercentile(99) / 1e3;
        ackRatio[rounds] = ack.getValueAtPercentile(99) / rawP99;
        resultRatio[rounds] = result.getValueAtPercentile(99) / rawP99;
        rounds++;
    }

    /**
     * The rounds added so far, failed ones included.
     *
     * @return the rounds added so far.
     */
    int count()
    {
        return rounds;
    }

    /**
     * Adds the next round as failed (its cause printed by the client): no figures, and not within the target.
     */
    void addFailed()
    {
        rawP99Us[rounds] = Double.NaN;
        ackP99Us[rounds] = Double.NaN;
        ackRatio[rounds] = Double.NaN;
        resultRatio[rounds] = Double.NaN;
        rounds++;
    }

    /**
     * The rounds' line.
     *
     * @return e.g. {@code ROUNDS media=ipc rounds=3 p99 / raw p99: ack [1.10, 0.95, 1.30] median 1.10 (3 of 3 within 2x),
     *         result [...] median ... ; p99 us: raw [...] median ..., ack [...] median ...}; a failed round shows as
     *         {@code failed}, the medians are of the other rounds; {@code ROUNDS media=ipc view=interleaved rounds=3 ...} for a
     *         view other than the phases in sequence.
     */
    String line()
    {
        return String.format(Locale.ROOT, "ROUNDS media=%s%s rounds=%d p99 / raw p99: ack %s, result %s; p99 us: raw %s, ack %s", media,
            view, rounds, ratios(ackRatio), ratios(resultRatio), values(rawP99Us, "%.1f"), values(ackP99Us, "%.1f"));
    }

    private String ratios(final double[] ratio)
    {
        int within = 0;
        for (int i = 0; i < rounds; i++)
        {
            within += ratio[i] <= TARGET_RATIO ? 1 : 0;
        }
        return String.format(Locale.ROOT, "%s (%d of %d within %.0fx)", values(ratio, "%.2f"), within, rounds, TARGET_RATIO);
    }

    private String values(final double[] value, final String format)
    {
        final StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < rounds; i++)
        {
            text.append(i == 0 ? "" : ", ").append(Double.isNaN(value[i]) ? "failed" : String.format(Locale.ROOT, format, value[i]));
        }
        return text.append("] median ").append(String.format(Locale.ROOT, format, median(value, rounds))).toString();
    }

    /**
     * The median of the first values but NaN ones (failed rounds; the mean of the middle two for an even count).
     *
     * @param value  the values.
     * @param count  how many of them count.
     * @return the median, NaN for none.
     */
    static double median(final double[] value, final int count)
    {
        final double[] sorted = Arrays.stream(value, 0, count).filter(v -> !Double.isNaN(v)).sorted().toArray();
        final int n = sorted.length;
        if (n == 0)
        {
            return Double.NaN;
        }
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
