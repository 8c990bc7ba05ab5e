package io.sluice.engine.runtime;

import java.util.concurrent.TimeUnit;

/**
 * When a partition thread whose ring is empty continues a sliced firing itself (a window's results, an interval
 * join's eviction, that outlived the input): once its ring has stayed empty, with results pending, for
 * {@link #QUIET_NANOS}. Not at once, so that a paced firing ({@code firing_pace}) keeps its pace between events that
 * come less than that apart.
 *
 * <p>While that wait runs, the thread must keep polling rather than go to its idle strategy: a yield or a park gives the
 * cpu to whatever else is runnable, for a whole turn of the run queue under load, and the wait then lasts that long
 * (measured with {@code FiringTailMain} under {@code wait_strategy: sleep} at load 52-72 on 2 cores: 10-117 ms, median
 * 32 ms, before the first continuation, against the 1 ms meant). {@link #onIdlePoll} says so: {@link #WAITING} counts
 * as work for the thread's idle strategy, so a sliced firing that outlives its input costs its thread at most this wait
 * of polling before it continues.
 *
 * <p>Threading: the partition thread only.
 */
final class QuietContinuation
{
    /** How long the ring stays empty, with results pending, before the partition thread continues them itself. */
    static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Nothing to wait for: no results pending, or their continuation already queued. */
    static final int IDLE = 0;
    /** The ring has been empty, with results pending, for less than {@link #QUIET_NANOS}: keep polling. */
    static final int WAITING = 1;
    /** The ring has stayed empty for {@link #QUIET_NANOS} with results pending: continue them now. */
    static final int CONTINUE = 2;

    /** When the present quiet began, or 0 when none is being timed. */
    private long quietSinceNanos;
    /** The events taken when it began: an event since restarts it. */
    private long eventsInWhenQuiet;

    /**
     * An idle poll of the partition's ring (it had nothing to take).
     *
     * @param resultsPending whether results wait in slices and no continuation tick of this thread is ahead in the ring.
     * @param eventsIn       events the partition has taken so far.
     * @param nowNanos       the clock, read only when {@code resultsPending}.
     * @return {@link #IDLE}, {@link #WAITING} or {@link #CONTINUE}.
     */
    int onIdlePoll(final boolean resultsPending, final long eventsIn, final long nowNanos)
    {
        if (!resultsPending)
        {
            quietSinceNanos = 0;
            return IDLE;
        }
        if (quietSinceNanos == 0 || eventsIn != eventsInWhenQuiet)
        {
            quietSinceNanos = nowNanos;
            eventsInWhenQuiet = eventsIn;
            return WAITING;
        }
        if (nowNanos - quietSinceNanos >= QUIET_NANOS)
        {
            quietSinceNanos = 0;
            return CONTINUE;
        }
        return WAITING;
    }
}
