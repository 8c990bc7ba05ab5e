package io.sluice.engine.runtime;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.errors.DistinctErrorLog;

import net.openhft.affinity.AffinityLock;

/**
 * One processing thread's duty cycle: each turn gives every partition mapped to the thread one
 * bounded turn ({@link PartitionAgent#doWork()}), in a fixed order, and returns the work done, so that
 * the thread idles only when all its partitions are idle. N partitions run on M of these (see
 * {@link ProcessingThreads}); with M = N each partition has a thread of its own.
 *
 * <p>Optionally pins its thread to a CPU reserved through OpenHFT affinity; when pinning is not
 * possible (no free CPU, no native support) the failure is recorded and the thread runs unpinned.
 *
 * <p>Threading: every method on the processing thread, by its {@code AgentRunner}.
 */
final class ProcessingAgent implements Agent
{
    /** Prefix of the processing threads' names, followed by the thread's index. */
    static final String ROLE_NAME_PREFIX = "sluice-processing-";

    private final String roleName;
    private final PartitionAgent[] partitions;
    private final boolean pin;
    private final DistinctErrorLog errorLog;
    private AffinityLock lock;

    /**
     * @param index      of the thread, in its name.
     * @param partitions to run in turn, in this order.
     * @param pin        whether to pin the thread to a CPU.
     * @param errorLog   for a pinning failure.
     */
    ProcessingAgent(final int index, final PartitionAgent[] partitions, final boolean pin, final DistinctErrorLog errorLog)
    {
        this.roleName = ROLE_NAME_PREFIX + index;
        this.partitions = partitions;
        this.pin = pin;
        this.errorLog = errorLog;
    }

    @Override
    public void onStart()
    {
        if (pin)
        {
            try
            {
                lock = AffinityLock.acquireLock();
            }
            catch (final Throwable ex)
            {
                errorLog.record(ex);
            }
        }
        for (final PartitionAgent partition : partitions)
        {
            partition.onStart();
        }
    }

    @Override
    public int doWork()
    {
        int work = 0;
        final PartitionAgent[] partitions = this.partitions;
        for (int i = 0; i < partitions.length; i++)
        {
            work += partitions[i].doWork();
        }
        return work;
    }

    @Override
    public void onClose()
    {
        for (final PartitionAgent partition : partitions)
        {
            try
            {
                partition.onClose();
            }
            catch (final RuntimeException ex)
            {
                errorLog.record(ex); // one partition's failing close never skips the others'
            }
        }
        if (lock != null)
        {
            lock.release();
        }
    }

    @Override
    public String roleName()
    {
        return roleName;
    }
}
