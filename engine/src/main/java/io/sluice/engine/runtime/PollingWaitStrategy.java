package io.sluice.engine.runtime;

import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;

/**
 * The wait strategy of a partition ring whose consumer is a processing thread that polls
 * ({@link PartitionAgent}) instead of waiting on a barrier: nothing ever waits in it, and a publication
 * wakes the thread only when it idles by {@link BlockingIdleStrategy}. One instance per processing
 * thread, shared by the rings of its partitions.
 *
 * <p>Threading: {@link #signalAllWhenBlocking()} from any producing thread.
 */
final class PollingWaitStrategy implements WaitStrategy
{
    private final BlockingIdleStrategy blocking;

    /**
     * @param blocking the processing thread's idle strategy when it blocks, or null when it spins,
     *                 yields or sleeps (publishing then costs nothing extra).
     */
    PollingWaitStrategy(final BlockingIdleStrategy blocking)
    {
        this.blocking = blocking;
    }

    /**
     * Never waits: returns what is available now (a processing thread polls; no barrier of these rings
     * is waited on).
     */
    @Override
    public long waitFor(final long sequence, final Sequence cursor, final Sequence dependentSequence, final SequenceBarrier barrier)
    {
        return dependentSequence.get();
    }

    @Override
    public void signalAllWhenBlocking()
    {
        if (blocking != null)
        {
            blocking.signal();
        }
    }
}
