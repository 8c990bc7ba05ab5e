package io.sluice.engine.runtime;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.agrona.concurrent.IdleStrategy;

/**
 * {@link WaitStrategyKind#BLOCK} for a processing thread: an idle thread waits on a condition until a
 * producer publishes to one of its partitions' rings ({@link #signal()}, called by the rings'
 * {@link PollingWaitStrategy}) or a short timeout passes (so that a pause, a resume or a close is seen
 * without an event). Lowest CPU use, highest wake-up latency.
 *
 * <p>No wake-up is lost: a signal between the thread's last poll and its wait leaves {@code signalled}
 * set, and the wait returns at once.
 *
 * <p>Threading: {@link #idle} on the processing thread; {@link #signal()} from any producing thread.
 */
final class BlockingIdleStrategy implements IdleStrategy
{
    /** Longest wait without a signal. */
    static final long MAX_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition published = lock.newCondition();
    /** Guarded by {@link #lock}. */
    private boolean signalled;

    /**
     * Wakes the processing thread if it waits, or makes its next wait return at once.
     */
    void signal()
    {
        lock.lock();
        try
        {
            signalled = true;
            published.signalAll();
        }
        finally
        {
            lock.unlock();
        }
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount <= 0)
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        lock.lock();
        try
        {
            if (!signalled)
            {
                published.awaitNanos(MAX_WAIT_NANOS);
            }
            signalled = false;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        finally
        {
            lock.unlock();
        }
    }

    @Override
    public void reset()
    {
        // nothing to reset: each idle waits afresh
    }

    @Override
    public String alias()
    {
        return "block";
    }
}
