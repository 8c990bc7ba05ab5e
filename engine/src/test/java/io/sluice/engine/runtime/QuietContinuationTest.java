package io.sluice.engine.runtime;

import static io.sluice.engine.runtime.QuietContinuation.CONTINUE;
import static io.sluice.engine.runtime.QuietContinuation.IDLE;
import static io.sluice.engine.runtime.QuietContinuation.QUIET_NANOS;
import static io.sluice.engine.runtime.QuietContinuation.WAITING;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The partition thread's wait before it continues a firing that outlived its input, polled with the clock as an
 * argument: while the quiet is timed every poll says WAITING, which the thread's agent counts as work so that its idle
 * strategy neither yields nor parks it (before, the idle polls of that wait were not work, and under load each yield of
 * the idle strategy stretched the 1 ms wait by a turn of the run queue: 10-117 ms at load 52-72).
 */
class QuietContinuationTest
{
    private static final long T0 = 1_000_000_000L;

    @Test
    void shouldKeepTheThreadPollingUntilTheRingHasBeenQuietLongEnoughThenContinueOnce()
    {
        final QuietContinuation quiet = new QuietContinuation();
        final long events = 500;
        assertThat(quiet.onIdlePoll(true, events, T0)).isEqualTo(WAITING);
        for (long at = T0; at < T0 + QUIET_NANOS; at += QUIET_NANOS / 16)
        {
            assertThat(quiet.onIdlePoll(true, events, at)).as("poll %d ns into the quiet", at - T0).isEqualTo(WAITING);
        }
        assertThat(quiet.onIdlePoll(true, events, T0 + QUIET_NANOS)).isEqualTo(CONTINUE);
        // Continued: a poll that still finds results pending (no tick queued) times a new quiet from there.
        assertThat(quiet.onIdlePoll(true, events, T0 + QUIET_NANOS + 1)).isEqualTo(WAITING);
        assertThat(quiet.onIdlePoll(true, events, T0 + 2 * QUIET_NANOS)).isEqualTo(WAITING);
        assertThat(quiet.onIdlePoll(true, events, T0 + 2 * QUIET_NANOS + 1)).isEqualTo(CONTINUE);
    }

    @Test
    void shouldRestartTheQuietWhenAnEventCameBetweenTwoPolls()
    {
        final QuietContinuation quiet = new QuietContinuation();
        assertThat(quiet.onIdlePoll(true, 10, T0)).isEqualTo(WAITING);
        // An event of a paced firing, less than the quiet apart from the last: its pace stays the events'.
        assertThat(quiet.onIdlePoll(true, 11, T0 + QUIET_NANOS)).isEqualTo(WAITING);
        assertThat(quiet.onIdlePoll(true, 11, T0 + 2 * QUIET_NANOS - 1)).isEqualTo(WAITING);
        assertThat(quiet.onIdlePoll(true, 11, T0 + 2 * QUIET_NANOS)).isEqualTo(CONTINUE);
    }

    @Test
    void shouldNotHoldTheThreadWithoutResultsPendingAndTimeAFreshQuietForTheNextFiring()
    {
        final QuietContinuation quiet = new QuietContinuation();
        assertThat(quiet.onIdlePoll(false, 0, 0)).isEqualTo(IDLE);
        assertThat(quiet.onIdlePoll(true, 5, T0)).isEqualTo(WAITING);
        // The firing ended by events before the quiet was over (its continuation queued, or none left).
        assertThat(quiet.onIdlePoll(false, 9, 0)).isEqualTo(IDLE);
        // A later firing, with no event since: its quiet starts at its own first poll, not the earlier one's.
        assertThat(quiet.onIdlePoll(true, 9, T0 + 10 * QUIET_NANOS)).isEqualTo(WAITING);
        assertThat(quiet.onIdlePoll(true, 9, T0 + 11 * QUIET_NANOS - 1)).isEqualTo(WAITING);
        assertThat(quiet.onIdlePoll(true, 9, T0 + 11 * QUIET_NANOS)).isEqualTo(CONTINUE);
    }
}
