package io.sluice.engine.runtime;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.DynamicCompositeAgent;
import org.agrona.concurrent.errors.DistinctErrorLog;

import net.openhft.affinity.AffinityLock;

/**
 * One processing thread's duty cycle: each turn gives every partition mapped to the thread one
 * bounded turn ({@link PartitionAgent#doWork()}), in a fixed order, and returns the work done, so that
 * the thread idles only when all its partitions are idle. N partitions run on M of these (see
 * {@link ProcessingThreads}); with M = N each partition has a thread of its own.
 *
 * <p>After the partitions, each turn runs the duties added to the thread ({@link Engine#addProcessingDuty}: the
 * network ingress and egress, whose hand-offs to and from the partitions then need no other thread's
 * wake-up); none by default, and then the turn costs two volatile reads more.
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
    private final DynamicCompositeAgent duties;
    private final boolean pin;
    private final DistinctErrorLog errorLog;
    private AffinityLock lock;

    /**
     * @param index      of the thread, in its name.
     * @param partitions to run in turn, in this order.
     * @param duties     added duties, run after the partitions each turn.
     * @param pin        whether to pin the thread to a CPU.
     * @param errorLog   for a pinning failure.
     */
    ProcessingAgent(final int index, final PartitionAgent[] partitions, final DynamicCompositeAgent duties, final boolean pin,
        final DistinctErrorLog errorLog)
    {
        this.roleName = ROLE_NAME_PREFIX + index;
        this.partitions = partitions;
        this.duties = duties;
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
        duties.onStart();
    }

    @Override
    public int doWork() throws Exception
    {
        int work = 0;
        final PartitionAgent[] partitions = this.partitions;
        for (int i = 0; i < partitions.length; i++)
        {
            work += partitions[i].doWork();
        }
        return work + duties.doWork();
    }

    @Override
    public void onClose()
    {
        try
        {
            duties.onClose(); // first: the network ingress stops publishing into the partitions' rings
        }
        catch (final RuntimeException ex)
        {
            errorLog.record(ex);
        }
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
