package io.sluice.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * {@link NetLatencyMain}'s per-round report: the {@code ROUNDS} line ({@link NetRounds}) gives each round's p99 ratio,
 * the median and the rounds within the target; the {@code LATE} line ({@link NetRoundProfile}) tells one stall from
 * a path slow throughout.
 */
class NetRoundsTest
{
    private static final long HIGHEST = TimeUnit.SECONDS.toNanos(60);

    @Test
    void shouldGiveEachRoundsRatioTheMedianAndTheRoundsWithinTwiceRaw()
    {
        final NetRounds rounds = new NetRounds("ipc", 3);
        rounds.add(constant(100_000), constant(1_500_000), constant(1_600_000));
        rounds.add(constant(100_000), constant(150_000), constant(160_000));
        rounds.add(constant(200_000), constant(300_000), constant(310_000));

        assertThat(rounds.line()).startsWith("ROUNDS media=ipc rounds=3 p99 / raw p99: ack [15.00, 1.50, 1.50] median 1.50 (2 of 3 within 2x)")
            .contains("result [16.00, 1.60, 1.55] median 1.60 (2 of 3 within 2x)")
            .contains("p99 us: raw [100.0, 100.0, 200.1] median 100.0");
    }

    @Test
    void shouldShowAFailedRoundAndCountItOutsideTheTarget()
    {
        final NetRounds rounds = new NetRounds("ipc", 3);
        rounds.add(constant(100_000), constant(150_000), constant(160_000));
        rounds.addFailed();
        rounds.add(constant(200_000), constant(300_000), constant(310_000));

        assertThat(rounds.line()).startsWith("ROUNDS media=ipc rounds=3 p99 / raw p99: ack [1.50, failed, 1.50] median 1.50 (2 of 3 within 2x)")
            .contains("p99 us: raw [100.0, failed, 200.1] median 150.0");
    }

    @Test
    void shouldNameTheInterleavedViewAndKeepEachSlicesP99InOrder()
    {
        final NetSlices slices = new NetSlices("ipc", 2, HIGHEST);
        slices.beginRound();
        record(slices.rawSlice(), 100_000);
        slices.endRawSlice();
        record(slices.ackSlice(), 150_000);
        record(slices.resultSlice(), 160_000);
        slices.endSluiceSlice();
        record(slices.ackSlice(), 3_000_000);
        record(slices.resultSlice(), 3_100_000);
        slices.endSluiceSlice();
        record(slices.rawSlice(), 200_000);
        slices.endRawSlice();
        final NetRounds rounds = new NetRounds("ipc", NetSlices.VIEW, 1);
        rounds.add(slices.raw(), slices.ack(), slices.result());

        // (HdrHistogram at 3 digits: a value reads back as the highest equivalent value of its bucket)
        assertThat(slices.line(1)).isEqualTo("SLICES media=ipc round=1 p99 us by slice pair: raw [100.0, 200.1], ack [150.0, 3000.3]");
        assertThat(slices.raw().getTotalCount()).isEqualTo(2_000);
        assertThat(slices.rawSlice().getTotalCount()).isZero();
        assertThat(rounds.line()).startsWith("ROUNDS media=ipc view=interleaved rounds=1 p99 / raw p99: ack [15.00] median 15.00 (0 of 1 " +
            "within 2x)");

        slices.beginRound();
        assertThat(slices.raw().getTotalCount()).isZero();
        assertThat(slices.line(2)).isEqualTo("SLICES media=ipc round=2 p99 us by slice pair: raw [], ack []");
    }

    private static void record(final Histogram h, final long valueNs)
    {
        h.recordValueWithCount(valueNs, 1_000);
    }

    @Test
    void shouldTakeTheMeanOfTheMiddleTwoForAnEvenCount()
    {
        assertThat(NetRounds.median(new double[] {4, 1, 3, 2, 99}, 4)).isEqualTo(2.5);
        assertThat(NetRounds.median(new double[] {7}, 1)).isEqualTo(7);
        assertThat(NetRounds.median(new double[0], 0)).isNaN();
        assertThat(NetRounds.median(new double[] {5, Double.NaN, 1}, 3)).isEqualTo(3);
        assertThat(NetRounds.median(new double[] {Double.NaN}, 1)).isNaN();
    }

    @Test
    void shouldCountLateMessagesPerSecondAndNameTheSlowest()
    {
        final int rate = 10;
        final NetRoundProfile profile = new NetRoundProfile(rate, 40);
        final long[] scheduled = new long[40];
        profile.begin(10, 40); // a second of warm-up, three recorded
        for (int i = 10; i < 40; i++)
        {
            profile.record(i, i >= 20 && i < 25 ? 5_000_000 + i : 1_000);
        }
        profile.record(24, 9_000_000);

        assertThat(profile.text("ack", 2_000_000, scheduled)).startsWith("ack > 2000.0 us per second [0, 5, 0], slowest 9.000 ms due ");
    }

    @Test
    void shouldSayWhenAPhaseRecordedNothing()
    {
        final NetRoundProfile profile = new NetRoundProfile(10, 20);
        profile.begin(10, 20);

        assertThat(profile.text("result", 1, new long[20])).isEqualTo("result nothing recorded");
    }

    private static Histogram constant(final long valueNs)
    {
        final Histogram h = new Histogram(HIGHEST, 3);
        h.recordValueWithCount(valueNs, 1_000);
        return h;
    }
}
