package io.sluice.engine.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.agrona.concurrent.errors.DistinctErrorLog;

import io.sluice.engine.checkpoint.CheckpointStore;
import io.sluice.engine.checkpoint.PartitionCheckpoint;
import io.sluice.engine.exec.PartitionStateCodec;
import io.sluice.engine.exec.PipelineInstance;
import io.sluice.engine.pipeline.Pipeline;

/**
 * The part of a launch that needs no journal, done on recovering threads while the launching thread opens the journal
 * (and {@link CheckpointPreload}'s thread loads the checkpoint): every partition's pipeline instances are built, then,
 * once the checkpoint is loaded, checked against it, and restored from it when every partition of every group fits it.
 * For a large state, sizing its tables is most of the work (fresh heap pages faulted in and zeroed): with checkpoints on,
 * the window state is built unsized ({@link PipelineInstance#createForRestore}) and sized once, by the restore for the
 * larger of the pipeline's hint and the snapshot, or for the hint when nothing is restored ({@link PipelineInstance#presize}),
 * rather than for the hint at build and again, larger, at the restore. A restart thus waits
 * for the longest of the journal's open and the partitions' build and restore, not their sum (partitions in parallel,
 * on up to one thread per core).
 *
 * <p>All or nothing, as before: a checkpoint is restored only if it has state for every partition and every
 * partition's state fits its pipelines ({@link PartitionStateCodec#mismatch}); the restores start once all partitions
 * are checked, so no instance is ever restored from a checkpoint that is then not used. What does not fit is said by
 * {@link #misfit()} (the first, in group and partition order), and recovery replays the journal from the start into
 * the instances as built.
 *
 * <p>Threading: created, joined and closed by the launching thread; the tasks run on a pool of their own whose
 * threads have ended when {@link #join} (or {@link #close}) returns, which also publishes the instances and their
 * restored state to the launching thread (happens-before through the pool's termination).
 */
final class PartitionPreparation implements AutoCloseable
{
    /** What one partition's task built and found. */
    private static final class Partition
    {
        final String group;
        final int index;
        final PartitionStageErrors stageErrors;
        PipelineInstance[] instances;
        /** Why the checkpoint does not fit this partition, or null when it fits (or there is no checkpoint). */
        String misfit;

        Partition(final String group, final int index, final PartitionStageErrors stageErrors)
        {
            this.group = group;
            this.index = index;
            this.stageErrors = stageErrors;
        }
    }

    private final List<Partition> partitions = new ArrayList<>();
    private final ExecutorService pool;
    private final CompletableFuture<Void> done;
    private volatile CheckpointStore.LoadedCheckpoint restoredFrom;
    private boolean joined;

    /**
     * Starts building (and, once the checkpoint is loaded, restoring) every partition of every group.
     *
     * @param plans      the source groups, in launch order.
     * @param count      partitions per group.
     * @param errorLog   of the engine, for the partitions' stage errors.
     * @param checkpoint loading beside the journal's open, or null when checkpoints are off.
     * @param timings    receiving the partitions' restore times.
     */
    PartitionPreparation(
        final List<SourceGroups.Plan> plans,
        final int count,
        final DistinctErrorLog errorLog,
        final CheckpointPreload checkpoint,
        final RecoveryTimings timings)
    {
        for (final SourceGroups.Plan plan : plans)
        {
            for (int p = 0; p < count; p++)
            {
                // The dead-letter writer is given once the journal is open (GroupBuilder), before anything can fail a stage.
                partitions.add(new Partition(plan.name(), p, new PartitionStageErrors(errorLog, p, null)));
            }
        }
        final AtomicInteger ids = new AtomicInteger();
        pool = Executors.newFixedThreadPool(Math.max(1, Math.min(partitions.size(), Runtime.getRuntime().availableProcessors())),
            runnable ->
            {
                final Thread thread = new Thread(runnable, "sluice-prepare-" + ids.getAndIncrement());
                thread.setDaemon(true);
                return thread;
            });
        final List<CompletableFuture<Void>> checked = new ArrayList<>();
        int i = 0;
        for (final SourceGroups.Plan plan : plans)
        {
            for (int p = 0; p < count; p++)
            {
                final Partition partition = partitions.get(i++);
                checked.add(CompletableFuture.runAsync(() -> buildAndCheck(partition, plan.pipelines(), checkpoint), pool));
            }
        }
        done = CompletableFuture.allOf(checked.toArray(new CompletableFuture<?>[0]))
            .thenCompose(ignored -> restoreAllIfAllFit(checkpoint, timings));
    }

    private void buildAndCheck(final Partition partition, final List<Pipeline> pipelines, final CheckpointPreload checkpoint)
    {
        final PipelineInstance[] instances = new PipelineInstance[pipelines.size()];
        for (int i = 0; i < instances.length; i++)
        {
            // With a checkpoint to come, the window state is sized once it is known whether (and how much) it restores.
            instances[i] = checkpoint == null ? PipelineInstance.create(pipelines.get(i), partition.index, partition.stageErrors) :
                PipelineInstance.createForRestore(pipelines.get(i), partition.index, partition.stageErrors);
        }
        partition.instances = instances;
        final CheckpointStore.LoadedCheckpoint loaded = checkpoint == null ? null : checkpoint.awaitLoaded();
        if (loaded == null)
        {
            return;
        }
        final PartitionCheckpoint entry = loaded.manifest().find(partition.group, partition.index);
        if (entry == null)
        {
            partition.misfit = "checkpoint " + loaded.manifest().id() + " has no state for " + partition.group + "/" +
                partition.index + ": replaying the journal from the start instead";
            return;
        }
        final String mismatch = PartitionStateCodec.mismatch(instances, loaded.state(partition.group, partition.index),
            entry.stateLength());
        if (mismatch != null)
        {
            partition.misfit = "checkpoint " + loaded.manifest().id() + " does not fit " + partition.group + "/" +
                partition.index + " (" + mismatch + "): replaying the journal from the start instead";
        }
    }

    private CompletableFuture<Void> restoreAllIfAllFit(final CheckpointPreload checkpoint, final RecoveryTimings timings)
    {
        final CheckpointStore.LoadedCheckpoint loaded = checkpoint == null ? null : checkpoint.awaitLoaded();
        if (checkpoint == null)
        {
            return CompletableFuture.completedFuture(null);
        }
        if (loaded == null || misfit() != null)
        {
            return presizeAll(); // nothing to restore: the state the build left unsized is sized for the pipelines' hints
        }
        final List<CompletableFuture<Void>> restores = new ArrayList<>();
        for (final Partition partition : partitions)
        {
            restores.add(CompletableFuture.runAsync(() ->
            {
                final long start = System.nanoTime();
                final long cpu = RecoveryTimings.threadCpuNanos();
                PartitionStateCodec.decode(partition.instances, loaded.state(partition.group, partition.index));
                for (final PipelineInstance instance : partition.instances)
                {
                    instance.releaseOwnership(); // the replay's thread is the next to use them
                }
                timings.restored(System.nanoTime() - start, cpu);
            }, pool));
        }
        return CompletableFuture.allOf(restores.toArray(new CompletableFuture<?>[0])).thenRun(() -> restoredFrom = loaded);
    }

    private CompletableFuture<Void> presizeAll()
    {
        final List<CompletableFuture<Void>> sized = new ArrayList<>();
        for (final Partition partition : partitions)
        {
            sized.add(CompletableFuture.runAsync(() ->
            {
                for (final PipelineInstance instance : partition.instances)
                {
                    instance.presize();
                    instance.releaseOwnership(); // the replay's thread is the next to use them
                }
            }, pool));
        }
        return CompletableFuture.allOf(sized.toArray(new CompletableFuture<?>[0]));
    }

    /**
     * Waits until every partition is built and, if the checkpoint fits them all, restored.
     *
     * @return the checkpoint every partition's instances were restored from, or null when none was (no checkpoint,
     *         checkpoints off, or one that does not fit: see {@link #misfit()}).
     * @throws RuntimeException what a partition's build or restore threw.
     */
    CheckpointStore.LoadedCheckpoint join()
    {
        try
        {
            done.join();
        }
        catch (final CompletionException ex)
        {
            final Throwable cause = ex.getCause();
            if (cause instanceof RuntimeException)
            {
                throw (RuntimeException)cause;
            }
            if (cause instanceof Error)
            {
                throw (Error)cause;
            }
            throw new EngineException("preparing the partitions failed: " + cause, cause);
        }
        finally
        {
            close();
        }
        return restoredFrom;
    }

    /**
     * Why the loaded checkpoint is not restored: the first partition (in group and partition order) it has no state
     * for or whose state does not fit its pipelines.
     *
     * @return the recovery event, or null when it fits every partition (or there is none).
     */
    String misfit()
    {
        for (final Partition partition : partitions)
        {
            if (partition.misfit != null)
            {
                return partition.misfit;
            }
        }
        return null;
    }

    /**
     * A partition's instances, after {@link #join}.
     *
     * @param group     name.
     * @param partition index.
     * @return the instances, in the group's pipeline order.
     */
    PipelineInstance[] instances(final String group, final int partition)
    {
        return find(group, partition).instances;
    }

    /**
     * A partition's stage error handler, which its instances report to.
     *
     * @param group     name.
     * @param partition index.
     * @return the handler, without its dead-letter writer until one is given.
     */
    PartitionStageErrors stageErrors(final String group, final int partition)
    {
        return find(group, partition).stageErrors;
    }

    private Partition find(final String group, final int index)
    {
        for (final Partition partition : partitions)
        {
            if (partition.index == index && partition.group.equals(group))
            {
                return partition;
            }
        }
        throw new IllegalArgumentException("no partition " + group + "/" + index + " was prepared");
    }

    /**
     * Waits for the tasks to end (a launch that failed before recovery must not leave them behind) and ends the pool.
     */
    @Override
    public void close()
    {
        if (joined)
        {
            return;
        }
        joined = true;
        pool.shutdown();
        boolean interrupted = false;
        while (true)
        {
            try
            {
                if (pool.awaitTermination(1, TimeUnit.MINUTES))
                {
                    break;
                }
            }
            catch (final InterruptedException ex)
            {
                interrupted = true; // the tasks are bounded by the state's size: let them end, then restore the flag
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
