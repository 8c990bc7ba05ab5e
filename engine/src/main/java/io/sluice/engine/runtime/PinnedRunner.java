package io.sluice.engine.runtime;

import org.agrona.concurrent.errors.DistinctErrorLog;

import net.openhft.affinity.AffinityLock;

/**
 * Runs a partition processor on a CPU reserved through OpenHFT affinity. When pinning is not
 * possible (no free CPU, no native support), the failure is recorded and the processor runs unpinned.
 */
final class PinnedRunner implements Runnable
{
    private final Runnable processor;
    private final DistinctErrorLog errorLog;

    PinnedRunner(final Runnable processor, final DistinctErrorLog errorLog)
    {
        this.processor = processor;
        this.errorLog = errorLog;
    }

    @Override
    public void run()
    {
        AffinityLock lock = null;
        try
        {
            lock = AffinityLock.acquireLock();
        }
        catch (final Throwable ex)
        {
            errorLog.record(ex);
        }
        try
        {
            processor.run();
        }
        finally
        {
            if (lock != null)
            {
                lock.release();
            }
        }
    }
}
