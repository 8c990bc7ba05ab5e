package io.sluice.engine.checkpoint;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;

/**
 * Runs checkpoints: hands out ids, collects each partition's state snapshot taken at its barrier,
 * writes it to a fresh Chronicle Map file in its duty ({@link #agent()}), and once every partition
 * has arrived writes the manifest that makes the checkpoint complete, once every listener allows it
 * ({@link CheckpointListener#mayComplete}: a sink whose outputs before the barriers are not yet
 * acknowledged holds it back, asked again on the next duty cycles). One checkpoint is in flight at a
 * time.
 *
 * <p>Threading: {@link #begin()} from the control thread, {@link #submit} and
 * {@link #pauseRecorder()} and {@link #sliceRecorder()} from partition threads, writing on whichever thread runs {@link #agent()}
 * (the engine's duties, in its threading mode).
 */
public final class CheckpointCoordinator implements AutoCloseable
{
    private final CheckpointStore store;
    private final EpochClock clock;
    private final int partitions;
    private final LinkedBlockingQueue<Snapshot> queue = new LinkedBlockingQueue<>();
    private final Recorder pauses = newRecorder();
    private final Histogram pauseTotals = new Histogram(3);
    private final Recorder slices = newRecorder();
    private final Histogram sliceTotals = new Histogram(3);
    private final Agent agent = new CheckpointAgent();
    /** Snapshots submitted and written (or dropped): close waits until they meet. */
    private final java.util.concurrent.atomic.AtomicLong submitted = new java.util.concurrent.atomic.AtomicLong();
    private volatile long processed;
    private volatile boolean agentStarted;
    private long nextId;
    private Pending pending;
    /** A checkpoint whose states are all written, waiting for a listener to allow its completion; agent thread writes. */
    private volatile Pending gated;
    private volatile CheckpointManifest lastCompleted;
    private volatile long completed;
    private volatile long failed;
    private final java.util.concurrent.CopyOnWriteArrayList<CheckpointListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The partitions' staging buffers, grown ahead of their barriers while the agent is idle. */
    private volatile StagingBuffers[] staging = new StagingBuffers[0];
    private volatile java.util.function.Consumer<Throwable> listenerErrors = ex -> { };

    /**
     * Starts the coordinator.
     *
     * @param store        to write to.
     * @param clock        stamping manifests.
     * @param partitions   number of partitions that take part in every checkpoint.
     * @param lastComplete the last complete checkpoint found at start-up, or null.
     */
    public CheckpointCoordinator(
        final CheckpointStore store, final EpochClock clock, final int partitions, final CheckpointManifest lastComplete)
    {
        this.store = store;
        this.clock = clock;
        this.partitions = partitions;
        this.lastCompleted = lastComplete;
        final List<Long> ids = store.manifestIds();
        this.nextId = ids.isEmpty() ? 1 : ids.get(0) + 1;
    }

    /**
     * The duty that writes submitted snapshots, one per duty cycle; the caller runs it (on its own
     * thread or with other duties) from before the first checkpoint until after {@link #close()}.
     *
     * @return the agent.
     */
    public Agent agent()
    {
        return agent;
    }

    /**
     * Starts a checkpoint, or returns the one in flight.
     *
     * @return the id to put in the barriers, and the future completing with the manifest; the id is -1
     *         when a checkpoint was already in flight (no new barriers are needed).
     */
    public synchronized Started begin()
    {
        if (pending != null)
        {
            return new Started(-1, pending.future);
        }
        pending = new Pending(nextId++);
        return new Started(pending.id, pending.future);
    }

    /**
     * Hands over a partition's snapshot; the staging buffer is released once it is written.
     *
     * @param snapshot taken at the barrier.
     */
    public void submit(final Snapshot snapshot)
    {
        submitted.incrementAndGet();
        queue.add(snapshot);
    }

    /**
     * Registers a partition's staging buffers, which the checkpoint agent then grows ahead of the
     * partition's barriers when idle ({@link StagingBuffers#prepare()}), off the partition thread.
     *
     * @param buffers of one partition; any thread, before the partition takes its first barrier.
     */
    public synchronized void register(final StagingBuffers buffers)
    {
        final StagingBuffers[] grown = java.util.Arrays.copyOf(staging, staging.length + 1);
        grown[grown.length - 1] = buffers;
        staging = grown; // volatile: the agent iterates the whole array on its next idle cycle
    }

    /**
     * Adds a listener told of every checkpoint completed from now on (see {@link CheckpointListener}).
     *
     * @param listener to add; any thread.
     */
    public void addListener(final CheckpointListener listener)
    {
        listeners.add(listener);
    }

    /**
     * Removes a listener added before.
     *
     * @param listener to remove; any thread.
     */
    public void removeListener(final CheckpointListener listener)
    {
        listeners.remove(listener);
    }

    /**
     * Where a listener's exception goes (the engine's error log); it never fails the checkpoint.
     *
     * @param handler of listener exceptions.
     */
    public void listenerErrors(final java.util.function.Consumer<Throwable> handler)
    {
        this.listenerErrors = handler;
    }

    /**
     * The longest pause or slice a recorder takes: a partition thread records {@code Math.min(nanos, MAX_RECORDED_NANOS)}.
     */
    public static final long MAX_RECORDED_NANOS = TimeUnit.SECONDS.toNanos(60);

    /**
     * A recorder of pauses or slices of a fixed range (up to {@link #MAX_RECORDED_NANOS}, 3 significant digits): an
     * auto-resizing one grew its counts at the first value above any before it, a partition thread's first live
     * barrier or slice, and every interval histogram read from it starts small again; a recordValue that grows the
     * counts is an array index out of bounds caught in HdrHistogram, which made the JIT discard the partition
     * thread's compiled slice code at the first live checkpoint (perf/README.md section 56).
     *
     * @return a new recorder, nanoseconds.
     */
    public static Recorder newRecorder()
    {
        return new Recorder(1, MAX_RECORDED_NANOS, 3);
    }

    /**
     * Where partition threads record how long they paused at a barrier (allocation-free, any thread): the
     * recorder itself, so that the partition thread's code records into the same class in the engine's JIT
     * warm-up as live (a call through an interface of two implementations there had the JIT throw its compiled
     * code away at the first live checkpoint).
     *
     * @return the recorder of pauses, in nanoseconds.
     */
    public Recorder pauseRecorder()
    {
        return pauses;
    }

    /**
     * Where partition threads record how long one slice of a state copy between events took, after its
     * barrier (allocation-free, any thread); see {@link #pauseRecorder()}.
     *
     * @return the recorder of slices, in nanoseconds.
     */
    public Recorder sliceRecorder()
    {
        return slices;
    }

    /**
     * Every checkpoint pause recorded so far: the time a partition thread spent at a barrier before
     * taking the next event.
     *
     * @return a copy of the pause histogram, in nanoseconds.
     */
    public synchronized Histogram pauseHistogram()
    {
        pauseTotals.add(pauses.getIntervalHistogram());
        return pauseTotals.copy();
    }

    /**
     * Every slice of incremental state copying recorded so far (after a barrier, between events).
     *
     * @return a copy of the slice histogram, in nanoseconds.
     */
    public synchronized Histogram sliceHistogram()
    {
        sliceTotals.add(slices.getIntervalHistogram());
        return sliceTotals.copy();
    }

    /**
     * The newest complete checkpoint.
     *
     * @return its manifest, or null.
     */
    public CheckpointManifest lastCompleted()
    {
        return lastCompleted;
    }

    /**
     * Checkpoints completed by this coordinator.
     *
     * @return the count.
     */
    public long completed()
    {
        return completed;
    }

    /**
     * Checkpoints that failed.
     *
     * @return the count.
     */
    public long failed()
    {
        return failed;
    }

    /**
     * Writes one submitted snapshot, if any.
     */
    private final class CheckpointAgent implements Agent
    {
        @Override
        public void onStart()
        {
            agentStarted = true;
        }

        @Override
        public int doWork()
        {
            final Snapshot snapshot = queue.poll();
            if (snapshot == null)
            {
                final Pending waiting = gated;
                if (waiting != null && completeIfAllowed(waiting))
                {
                    return 1;
                }
                int grown = 0;
                for (final StagingBuffers buffers : staging)
                {
                    grown += buffers.prepare();
                }
                return grown;
            }
            try
            {
                write(snapshot);
            }
            finally
            {
                processed = processed + 1; // single writer: this agent; volatile so close() sees it
            }
            return 1;
        }

        @Override
        public String roleName()
        {
            return "sluice-checkpoint";
        }
    }

    private void write(final Snapshot snapshot)
    {
        final Pending current;
        synchronized (this)
        {
            current = pending;
        }
        boolean released = false;
        try
        {
            if (current == null || current.id != snapshot.id)
            {
                return; // belongs to a checkpoint that already failed
            }
            if (snapshot.failure != null)
            {
                throw new CheckpointException("partition " + snapshot.topic + "/" + snapshot.partition +
                    " could not copy its state for checkpoint " + snapshot.id + ": " + snapshot.failure, snapshot.failure);
            }
            current.entries.add(store.writeState(snapshot.id, snapshot.topic, snapshot.partition, snapshot.journalOffset,
                snapshot.staging.buffer(snapshot.bufferIndex), snapshot.length).withSourcePositions(copyOf(snapshot.sourcePositions)));
            // Released before the checkpoint can complete: the next barrier, which may follow the completion at
            // once, then finds this buffer free (and sized) rather than taking and growing the other.
            released = true;
            snapshot.staging.release(snapshot.bufferIndex);
            if (current.entries.size() == partitions)
            {
                current.entries.sort(Comparator.comparing(PartitionCheckpoint::topic).thenComparingInt(PartitionCheckpoint::partition));
                completeIfAllowed(current);
            }
        }
        catch (final RuntimeException ex)
        {
            fail(current, ex);
        }
        finally
        {
            if (!released)
            {
                snapshot.staging.release(snapshot.bufferIndex);
            }
        }
    }

    /**
     * Completes a checkpoint whose states are all written (writes its manifest, tells the listeners) if every
     * listener allows it; otherwise leaves it {@link #gated}, to be asked again on a later duty cycle. A
     * listener that refuses it for good fails it. Agent thread.
     *
     * @return true if it completed or failed, false if it still waits.
     */
    private boolean completeIfAllowed(final Pending current)
    {
        try
        {
            for (final CheckpointListener listener : listeners)
            {
                if (!mayComplete(listener, current.id))
                {
                    gated = current;
                    return false;
                }
            }
            gated = null;
            final CheckpointManifest manifest = new CheckpointManifest(current.id, clock.time(), List.copyOf(current.entries));
            store.commit(manifest);
            lastCompleted = manifest;
            completed++;
            finish(current);
            notifyListeners(manifest);
            current.future.complete(manifest);
        }
        catch (final RuntimeException ex)
        {
            fail(current, ex);
        }
        return true;
    }

    private static long[] copyOf(final long[] positions)
    {
        return positions == null ? null : positions.clone();
    }

    private static boolean mayComplete(final CheckpointListener listener, final long id)
    {
        try
        {
            return listener.mayComplete(id);
        }
        catch (final RuntimeException ex)
        {
            throw new CheckpointException("checkpoint " + id + " cannot complete: " + ex.getMessage(), ex);
        }
    }

    private void fail(final Pending current, final RuntimeException ex)
    {
        gated = null;
        failed++;
        finish(current);
        if (current != null)
        {
            current.future.completeExceptionally(ex);
        }
    }

    private void notifyListeners(final CheckpointManifest manifest)
    {
        for (final CheckpointListener listener : listeners)
        {
            try
            {
                listener.onCheckpointComplete(manifest);
            }
            catch (final RuntimeException ex)
            {
                // The checkpoint is complete and durable whatever a listener does.
                listenerErrors.accept(ex);
            }
        }
    }

    private synchronized void finish(final Pending done)
    {
        if (pending == done)
        {
            pending = null;
        }
    }

    /**
     * Waits (up to 60 s) until the agent has written what was submitted and completed (or failed) a
     * checkpoint its listeners held back, if it runs. The caller stops running the agent afterwards.
     */
    @Override
    public void close()
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (agentStarted && (processed < submitted.get() || gated != null) && System.nanoTime() < deadline)
        {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    /**
     * A partition's state copied at a barrier.
     *
     * @param id            of the checkpoint.
     * @param topic         of the partition.
     * @param partition     number.
     * @param journalOffset to replay from.
     * @param staging       holding the copy.
     * @param bufferIndex   of the staging buffer.
     * @param length        of the state blob.
     * @param failure       why the partition could not copy its state, or null.
     * @param sourcePositions per source index, the last external-source position journaled before the
     *                        barrier (see {@link SourcePositions}), or null for none; kept with the staging buffer
     *                        and valid until it is released (the partition reuses the array at a later barrier).
     */
    public record Snapshot(
        long id, String topic, int partition, long journalOffset, StagingBuffers staging, int bufferIndex, int length, Throwable failure,
        long[] sourcePositions)
    {
        /**
         * A snapshot without source positions.
         *
         * @param id            of the checkpoint.
         * @param topic         of the partition.
         * @param partition     number.
         * @param journalOffset to replay from.
         * @param staging       holding the copy.
         * @param bufferIndex   of the staging buffer.
         * @param length        of the state blob.
         * @param failure       why the partition could not copy its state, or null.
         */
        public Snapshot(
            final long id, final String topic, final int partition, final long journalOffset, final StagingBuffers staging,
            final int bufferIndex, final int length, final Throwable failure)
        {
            this(id, topic, partition, journalOffset, staging, bufferIndex, length, failure, null);
        }
    }

    /**
     * A checkpoint that was started.
     *
     * @param id     to put in barriers, or -1 if it was already in flight.
     * @param future completing with the manifest when the checkpoint is complete.
     */
    public record Started(long id, CompletableFuture<CheckpointManifest> future)
    {
    }

    private static final class Pending
    {
        final long id;
        final List<PartitionCheckpoint> entries = new ArrayList<>();
        final CompletableFuture<CheckpointManifest> future = new CompletableFuture<>();

        Pending(final long id)
        {
            this.id = id;
        }
    }
}
