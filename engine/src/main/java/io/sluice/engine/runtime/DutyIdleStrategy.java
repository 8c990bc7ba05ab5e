package io.sluice.engine.runtime;

import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.IdleStrategy;

/**
 * How the background duties thread waits when none of its duties had work: a few yields, then parks
 * that double from a microsecond up to a ceiling. The ceiling starts at what the built-in duties need
 * (a millisecond, or group commit's shorter period) and is lowered, never raised, by a duty added
 * later that must answer sooner ({@link Engine#addDuty}: the network server), so the thread idles no
 * longer than its most demanding duty allows and still gives the cores away when idle: on a machine
 * with fewer free cores than spinning threads, a spinning duties thread would starve the processing
 * threads.
 *
 * <p>Threading: {@link #idle(int)} and {@link #reset()} on the duties thread; {@link #lowerCeiling(long)}
 * from any thread.
 */
final class DutyIdleStrategy implements IdleStrategy
{
    /** Yields before the first park: work tends to come in bursts (an ACK follows a PUBLISH closely). */
    static final int YIELDS = 20;
    /** First park. */
    static final long MIN_PARK_NS = 1_000L;

    /** Written by whoever adds a duty, read by the duties thread: volatile for visibility only. */
    private volatile long ceilingNs;
    private int yields;
    private long parkNs = MIN_PARK_NS;

    DutyIdleStrategy(final long ceilingNs)
    {
        this.ceilingNs = Math.max(MIN_PARK_NS, ceilingNs);
    }

    /**
     * Lowers the longest park to at most {@code ceilingNs} (a higher value leaves it unchanged).
     *
     * @param ceilingNs the longest the thread may park.
     */
    synchronized void lowerCeiling(final long ceilingNs)
    {
        if (ceilingNs < this.ceilingNs)
        {
            this.ceilingNs = Math.max(MIN_PARK_NS, ceilingNs);
        }
    }

    /**
     * The longest park now.
     *
     * @return nanoseconds.
     */
    long ceilingNs()
    {
        return ceilingNs;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
        }
        else
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        if (yields < YIELDS)
        {
            yields++;
            Thread.yield();
        }
        else
        {
            LockSupport.parkNanos(parkNs);
            parkNs = Math.min(parkNs << 1, ceilingNs);
        }
    }

    @Override
    public void reset()
    {
        yields = 0;
        parkNs = MIN_PARK_NS;
    }

    @Override
    public String alias()
    {
        return "duty-backoff";
    }
}
