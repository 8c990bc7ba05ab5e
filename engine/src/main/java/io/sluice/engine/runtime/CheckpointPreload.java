package io.sluice.engine.runtime;

import java.util.ArrayList;
import java.util.List;

import io.sluice.engine.checkpoint.CheckpointStore;

/**
 * Loads and verifies the newest usable checkpoint on a thread of its own while the journal opens, so
 * that a restart pays the longer of the two instead of their sum. The two share nothing: the journal
 * is only consulted once both are done (a checkpoint ahead of the journal's end is refused then, see
 * {@link EngineRecovery}).
 *
 * <p>Threading: started and joined by the launching thread; the loading thread ends before
 * {@link #join} or {@link #abandon} returns, which also publishes what it loaded (happens-before
 * through {@link Thread#join()}).
 */
final class CheckpointPreload
{
    private final Thread thread;
    private final List<String> events = new ArrayList<>();
    private CheckpointStore.LoadedCheckpoint loaded;
    private Throwable failure;
    private long nanos;
    private long cpuNanos = -1;
    private boolean joined;

    /**
     * Starts loading.
     *
     * @param store of checkpoints.
     * @param maxId newest checkpoint id that may be restored.
     */
    CheckpointPreload(final CheckpointStore store, final long maxId)
    {
        thread = new Thread(() -> load(store, maxId), "sluice-checkpoint-load");
        thread.setDaemon(true);
        thread.start();
    }

    private void load(final CheckpointStore store, final long maxId)
    {
        final long start = System.nanoTime();
        final long cpu = RecoveryTimings.threadCpuNanos();
        try
        {
            loaded = store.loadLatest(events, maxId);
        }
        catch (final Throwable ex)
        {
            failure = ex;
        }
        nanos = System.nanoTime() - start;
        final long cpuEnd = cpu < 0 ? -1 : RecoveryTimings.threadCpuNanos();
        cpuNanos = cpuEnd < 0 ? -1 : cpuEnd - cpu;
    }

    /**
     * Waits for the load, adds what it found and did to {@code into}, and returns the checkpoint.
     *
     * @param into receiving the load's events, in the order they happened.
     * @return the verified checkpoint with its state, or null when there is no usable one.
     * @throws EngineException if loading failed unexpectedly (a rejected checkpoint is an event, not a failure).
     */
    CheckpointStore.LoadedCheckpoint join(final List<String> into)
    {
        awaitEnd();
        into.addAll(events);
        if (failure instanceof RuntimeException)
        {
            throw (RuntimeException)failure;
        }
        if (failure instanceof Error)
        {
            throw (Error)failure;
        }
        if (failure != null)
        {
            throw new EngineException("cannot load the checkpoint: " + failure, failure);
        }
        return loaded;
    }

    /**
     * Wall time the load took.
     *
     * @return nanoseconds, valid after {@link #join}.
     */
    long nanos()
    {
        return nanos;
    }

    /**
     * CPU time of the loading thread (one of the partitions' state files with several, the others being read beside
     * it, see {@link CheckpointStore#load}).
     *
     * @return nanoseconds, -1 when thread CPU time is not available; valid after {@link #join}.
     */
    long cpuNanos()
    {
        return cpuNanos;
    }

    /**
     * Waits for the load to end and drops its result: a launch that failed before recovery must not
     * leave the thread behind (it holds a temporary copy of a state file until it ends).
     */
    void abandon()
    {
        awaitEnd();
        loaded = null;
    }

    /**
     * Waits for the load to end, from any thread, leaving its events and any failure to {@link #join} (the launching
     * thread's). For {@link PartitionPreparation}'s threads, which restore from what was loaded; not after
     * {@link #abandon}.
     *
     * @return the verified checkpoint with its state, or null when there is no usable one or loading failed.
     */
    CheckpointStore.LoadedCheckpoint awaitLoaded()
    {
        awaitThread();
        return failure == null ? loaded : null;
    }

    private void awaitEnd()
    {
        if (joined)
        {
            return;
        }
        awaitThread();
        joined = true;
    }

    private void awaitThread()
    {
        boolean interrupted = false;
        while (true)
        {
            try
            {
                thread.join();
                break;
            }
            catch (final InterruptedException ex)
            {
                interrupted = true; // the load is bounded by the files' size: finish it, then restore the flag
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
