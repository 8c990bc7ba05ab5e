package io.sluice.engine.runtime;

import java.util.BitSet;

import org.agrona.concurrent.errors.DistinctErrorLog;

import net.openhft.affinity.Affinity;

/**
 * Runs a background thread's body with the thread's affinity set to the CPUs the spinning processing
 * threads do not use ({@link EngineProfile#LOW_LATENCY}), so that the shared duties thread never
 * preempts a spinning thread. When the affinity cannot be set, the failure is recorded and the body
 * runs anyway.
 */
final class OffSpinningCores implements Runnable
{
    private final Runnable body;
    private final BitSet cpus;
    private final DistinctErrorLog errorLog;

    OffSpinningCores(final Runnable body, final BitSet cpus, final DistinctErrorLog errorLog)
    {
        this.body = body;
        this.cpus = cpus;
        this.errorLog = errorLog;
    }

    @Override
    public void run()
    {
        try
        {
            Affinity.setAffinity(cpus);
        }
        catch (final Throwable ex) // LinkageError without native support as well: the duties still run
        {
            errorLog.record(ex);
        }
        body.run();
    }
}
