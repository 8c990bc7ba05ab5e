package io.sluice.engine.runtime;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.sluice.engine.checkpoint.CheckpointManifest;
import io.sluice.engine.checkpoint.CheckpointStore;
import io.sluice.engine.checkpoint.PartitionCheckpoint;
import io.sluice.journal.PartitionReader;

/**
 * Event-sourced recovery at launch, before any partition thread starts: given the newest checkpoint
 * whose files verify (loaded beside the journal's open by {@link CheckpointPreload}, falling back to
 * older ones, then to none), every pipeline instance restored from it by {@link PartitionPreparation}
 * if it fits the running topology exactly, replay each partition's journal from the
 * checkpointed offset (from the start without a usable checkpoint), partitions in parallel on up to
 * one recovering thread per core. Replay reads the journal's segment files a stretch at a time into a buffer in the
 * core's cache (positioned reads: no page faults on fresh mappings) and drives the same
 * {@code PartitionDispatcher} as live processing and the backtest: no ring, no hand-off. Every
 * decision is described in the recovery events, in partition order.
 *
 * <p>A checkpoint whose offset lies beyond the end of a partition's journal means the journal lost
 * records the checkpoint already covers (a lost tail, a restored older copy): recovery refuses to
 * start rather than replay what is left, which would silently reuse the offsets of acknowledged
 * records.
 */
final class EngineRecovery
{
    /** Bytes of the journal's tail each replay read copies at a time ({@code PartitionReader.copyReads}): within a core's L2. */
    static final int REPLAY_COPY_BYTES = 256 * 1024;

    private EngineRecovery()
    {
    }

    /**
     * Recovers every partition of every group, whose instances {@link PartitionPreparation} built and, when the
     * checkpoint fits them all, restored beside the journal's open.
     *
     * @param groups   the topology.
     * @param loaded   the newest checkpoint that verified ({@link CheckpointStore#loadLatest}), or null when
     *                 there is none or checkpointing is off.
     * @param restored {@code loaded} when the instances were restored from it, null when they were not.
     * @param misfit   why {@code loaded} was not restored ({@link PartitionPreparation#misfit()}), or null.
     * @param events   receiving what recovery found and did.
     * @param timings  receiving how long the partitions' replays took.
     * @return the manifest restored from, or null when the journal was replayed from the start.
     */
    static CheckpointManifest recover(
        final Collection<GroupRuntime> groups,
        final CheckpointStore.LoadedCheckpoint loaded,
        final CheckpointStore.LoadedCheckpoint restored,
        final String misfit,
        final List<String> events,
        final RecoveryTimings timings)
    {
        final long start = System.nanoTime();
        if (loaded != null)
        {
            checkNotAheadOfJournal(groups, loaded.manifest());
        }
        if (loaded != null && misfit != null)
        {
            events.add(misfit);
        }
        final List<Callable<String>> partitions = new ArrayList<>();
        for (final GroupRuntime group : groups)
        {
            for (int p = 0; p < group.partitions.length; p++)
            {
                final int partition = p;
                partitions.add(() -> recoverPartition(group, partition, restored, timings));
            }
        }
        for (final String event : runAll(partitions, Math.min(partitions.size(), Runtime.getRuntime().availableProcessors())))
        {
            if (event != null)
            {
                events.add(event);
            }
        }
        timings.recovered(System.nanoTime() - start);
        return restored == null ? null : restored.manifest();
    }

    /**
     * Replays one partition's journal from the checkpointed offset (its instances restored from that checkpoint, if
     * any, with its source positions restored here), a copy of a stretch of the segment at a time, through the same
     * dispatcher as live processing, with no ring. Partitions share nothing here but the (thread-safe) sinks and error
     * log, so they recover in parallel.
     *
     * @return the recovery event, or null when nothing was replayed.
     */
    private static String recoverPartition(
        final GroupRuntime group, final int p, final CheckpointStore.LoadedCheckpoint restored, final RecoveryTimings timings)
    {
        final PartitionProcessor handler = group.partitions[p].handler;
        long from = 0;
        if (restored != null)
        {
            final PartitionCheckpoint entry = restored.manifest().find(group.name, p);
            handler.restoreSourcePositions(entry.sourcePositions());
            from = entry.journalOffset();
        }
        // The tail is streamed once: read it as copies from the page cache rather than through a fresh mapping's faults.
        try (PartitionReader reader = group.journalTopic.partition(p).newReader().copyReads(REPLAY_COPY_BYTES))
        {
            final long start = System.nanoTime();
            final long cpu = RecoveryTimings.threadCpuNanos();
            reader.seek(from);
            final long replayed = handler.replay(reader);
            timings.replayed(System.nanoTime() - start, cpu, replayed);
            return replayed > 0 ? "replayed " + replayed + " records of " + group.name + "/" + p + " from offset " + from : null;
        }
    }

    /**
     * Runs the partitions' recoveries on up to {@code threads} recovering threads (inline for one),
     * returning their results in submission order; the first failure is rethrown once all are done.
     * The threads end before this returns, so the partition threads started next see everything they
     * wrote (happens-before through the pool's termination).
     */
    private static List<String> runAll(final List<Callable<String>> tasks, final int threads)
    {
        final List<String> results = new ArrayList<>();
        if (threads <= 1)
        {
            for (final Callable<String> task : tasks)
            {
                try
                {
                    results.add(task.call());
                }
                catch (final Exception ex)
                {
                    throw ex instanceof RuntimeException ? (RuntimeException)ex : new EngineException("recovery failed: " + ex, ex);
                }
            }
            return results;
        }
        final AtomicInteger ids = new AtomicInteger();
        final ExecutorService pool = Executors.newFixedThreadPool(threads, runnable ->
        {
            final Thread thread = new Thread(runnable, "sluice-recovery-" + ids.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        });
        try
        {
            final List<Future<String>> futures = new ArrayList<>();
            for (final Callable<String> task : tasks)
            {
                futures.add(pool.submit(task));
            }
            Throwable failure = null;
            for (final Future<String> future : futures)
            {
                try
                {
                    results.add(future.get());
                }
                catch (final ExecutionException ex)
                {
                    failure = failure == null ? ex.getCause() : failure;
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new EngineException("interrupted while recovering partitions", ex);
                }
            }
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
                throw new EngineException("recovery failed: " + failure, failure);
            }
            return results;
        }
        finally
        {
            pool.shutdownNow();
            try
            {
                pool.awaitTermination(1, TimeUnit.MINUTES);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Refuses a checkpoint that covers more of any partition than its journal holds.
     *
     * @throws EngineException naming the checkpoint, the partition, the checkpointed offset and the journal's end.
     */
    private static void checkNotAheadOfJournal(final Collection<GroupRuntime> groups, final CheckpointManifest manifest)
    {
        for (final GroupRuntime group : groups)
        {
            for (int p = 0; p < group.partitions.length; p++)
            {
                final PartitionCheckpoint entry = manifest.find(group.name, p);
                final long end = group.journalTopic.partition(p).endOffset();
                if (entry != null && entry.journalOffset() > end)
                {
                    throw new EngineException("checkpoint " + manifest.id() + " covers " + group.name + "/" + p + " up to offset " +
                        entry.journalOffset() + " but the journal of " + group.name + "/" + p + " ends at offset " + end +
                        ": the journal lost records the checkpoint includes; refusing to start (restore the journal, or move " +
                        "the checkpoints directory aside to start from what the journal holds)");
                }
            }
        }
    }
}
