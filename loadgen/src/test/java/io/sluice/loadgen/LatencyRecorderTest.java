package io.sluice.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencyRecorderTest
{
    private static final long MS = 1_000_000L;

    @Test
    void shouldRecordEachEventInTheGroupOfThePhaseItWasScheduledIn()
    {
        // warm-up [0, 100 ms), rate-1000 [100, 200 ms), rate-2000 [200, 300 ms)
        final RatePlan plan = RatePlan.sweep(new long[] {1_000, 2_000}, 100, 100);
        final LatencyRecorder recorder = new LatencyRecorder(plan);
        final long origin = 5_000 * MS;
        recorder.start(origin);

        final long[] scheduled = {origin, origin + 100 * MS - 1, origin + 100 * MS, origin + 150 * MS, origin + 200 * MS - 1,
            origin + 200 * MS, origin + 299 * MS, origin + 900 * MS};
        for (final long at : scheduled)
        {
            recorder.record(at, at + 7_000);
        }

        assertThat(plan.groups()).containsExactly(RatePlan.WARM_UP, "rate-1000", "rate-2000");
        assertThat(recorder.interval(0, null).getTotalCount()).as("warm-up: its start and its last nanosecond").isEqualTo(2);
        assertThat(recorder.interval(1, null).getTotalCount()).as("rate-1000: from its first nanosecond to its last").isEqualTo(3);
        assertThat(recorder.interval(2, null).getTotalCount()).as("rate-2000, and after the plan's end").isEqualTo(3);
    }

    /**
     * The mark a reporter takes before each read says whether the group got events since the last take, whenever they
     * come: a group over and quiet once may still get the events of a sink that lags behind it.
     */
    @Test
    void shouldMarkAGroupRecordedIntoSinceTheReporterLastTookItsMark()
    {
        final RatePlan plan = RatePlan.steady(1_000, 100, 100, 0, 0, 2);
        final LatencyRecorder recorder = new LatencyRecorder(plan);
        final long origin = 1_000_000_000L;
        recorder.start(origin);
        assertThat(recorder.takeRecorded(0)).as("nothing recorded yet").isFalse();

        recorder.record(origin + 150 * MS, origin + 151 * MS);
        assertThat(recorder.takeRecorded(0)).as("the warm-up group: nothing").isFalse();
        assertThat(recorder.takeRecorded(1)).as("the measured group: an event").isTrue();
        assertThat(recorder.takeRecorded(1)).as("taken").isFalse();
        assertThat(recorder.interval(1, null).getTotalCount()).isEqualTo(1);
        assertThat(recorder.interval(1, null).getTotalCount()).as("an empty read").isZero();

        // Long after the group's end, a late event: marked again.
        recorder.record(origin + 199 * MS, origin + 5_000 * MS);
        recorder.record(origin + 50 * MS, origin + 5_000 * MS);
        assertThat(recorder.takeRecorded(1)).isTrue();
        assertThat(recorder.takeRecorded(0)).isTrue();
        assertThat(recorder.interval(1, null).getTotalCount()).isEqualTo(1);
        assertThat(recorder.interval(0, null).getTotalCount()).isEqualTo(1);
    }

    @Test
    void shouldRecordNothingBeforeTheSenderFixedTheOrigin()
    {
        final RatePlan plan = RatePlan.steady(1_000, 100, 100, 0, 0, 2);
        final LatencyRecorder recorder = new LatencyRecorder(plan);

        recorder.record(1_000, 2_000);

        assertThat(recorder.interval(0, null).getTotalCount()).isZero();
        assertThat(recorder.interval(1, null).getTotalCount()).isZero();
    }
}
