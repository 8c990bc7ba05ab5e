package io.sluice.engine.runtime;

import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.errors.DistinctErrorLog;

import io.sluice.engine.exec.PipelineInstance;

/**
 * The allocations a restore left for after ready ({@link PipelineInstance#deferredAllocations}: the window key tables'
 * sort arrays, which neither the restore nor the replay uses), made on a thread of its own once the partitions run, so
 * they are neither on the way to ready nor on a processing thread's first events; each partition takes what was
 * allocated for it at its first use, or allocates it itself if that comes first.
 *
 * <p>Threading: collected by the launching thread after recovery (its recovering threads have ended, so it sees what
 * they restored), then run once on the {@code sluice-deferred-allocation} thread, which {@link #close} waits for.
 */
final class DeferredAllocations implements AutoCloseable
{
    private final List<Runnable> tasks = new ArrayList<>();
    private final DistinctErrorLog errorLog;
    private Thread thread;

    /**
     * @param errorLog recording a task's failure (the partition then allocates for itself).
     */
    DeferredAllocations(final DistinctErrorLog errorLog)
    {
        this.errorLog = errorLog;
    }

    /**
     * Collects what the instances' restores left for after ready. Launching thread, after recovery.
     *
     * @param instances of one partition.
     */
    void collect(final PipelineInstance[] instances)
    {
        for (final PipelineInstance instance : instances)
        {
            instance.deferredAllocations(tasks::add);
        }
    }

    /**
     * Tasks collected so far (tests and the recovery events).
     *
     * @return the count.
     */
    int count()
    {
        return tasks.size();
    }

    /** Runs the tasks collected, if any, on a thread of its own. Launching thread, once the partitions run. */
    void start()
    {
        if (tasks.isEmpty() || thread != null)
        {
            return;
        }
        final List<Runnable> toRun = List.copyOf(tasks);
        thread = new Thread(() -> run(toRun), "sluice-deferred-allocation");
        thread.setDaemon(true);
        thread.start();
    }

    private void run(final List<Runnable> toRun)
    {
        for (final Runnable task : toRun)
        {
            try
            {
                task.run();
            }
            catch (final RuntimeException | OutOfMemoryError ex)
            {
                errorLog.record(ex); // not fatal: the partition allocates for itself at its first use
            }
        }
    }

    /** Waits for the thread to end (a few allocations), so a closed engine leaves no thread behind. */
    @Override
    public void close()
    {
        if (thread == null)
        {
            return;
        }
        boolean interrupted = false;
        while (thread.isAlive())
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                interrupted = true; // bounded by a few allocations: let it end, then restore the flag
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
