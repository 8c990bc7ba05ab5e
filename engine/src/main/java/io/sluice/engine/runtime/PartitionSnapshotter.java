package io.sluice.engine.runtime;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;

import io.sluice.engine.checkpoint.CheckpointCoordinator;
import io.sluice.engine.checkpoint.StagingBuffers;
import io.sluice.engine.exec.PartitionStateCodec;
import io.sluice.engine.exec.PipelineInstance;

/**
 * A partition's side of a checkpoint: at the barrier it fixes the image of the partition's state and
 * copies the small parts into a staging buffer, then copies the bulk (window rows) in bounded slices
 * between the events that follow, the operators copying any row they are about to change first (see
 * {@code PaneSnapshot}). Once the copy is complete it goes to the checkpoint thread, which writes it
 * to Chronicle Map. The barrier's pause and each slice are thus bounded, whatever the state's size:
 * the barrier costs the headers, a slice {@code sliceRows} rows. With {@code sliceRows} =
 * {@link Integer#MAX_VALUE} everything is copied at the barrier.
 *
 * <p>Who drives the slices is the partition thread's business ({@link PartitionProcessor}); this class
 * only says whether a copy is in progress and copies a slice when told.
 *
 * <p>The barrier's own code runs about once a second, too rarely for the JIT to compile it: run
 * interpreted, its few dozen calls cost tens of microseconds. The engine's warm-up therefore drives a
 * scratch snapshotter over scratch state through thousands of barriers first ({@link #discarding()}),
 * see {@code EngineWarmUp}.
 *
 * <p>Threading: the partition thread, except {@link #close()} (after it stopped).
 */
final class PartitionSnapshotter implements AutoCloseable
{
    /**
     * Where complete copies go and the pauses are recorded: the checkpoint coordinator, or nowhere
     * for the JIT warm-up. The pauses and slices are recorded into an HdrHistogram {@link Recorder} either way,
     * so that the JIT compiles the same recording code in the warm-up as live.
     */
    interface Handover
    {
        /**
         * Takes a complete (or failed) copy; the staging buffer is released once it is written.
         *
         * @param snapshot taken at the barrier.
         */
        void submit(CheckpointCoordinator.Snapshot snapshot);

        /**
         * Where pauses at a barrier are recorded.
         *
         * @return the recorder, nanoseconds.
         */
        Recorder pauses();

        /**
         * Where slices of copying between events are recorded.
         *
         * @return the recorder, nanoseconds.
         */
        Recorder slices();
    }

    /**
     * A handover that releases every copy unwritten and records into recorders no one reads: for the JIT warm-up.
     *
     * @return the handover.
     */
    static Discarding discarding()
    {
        return new Discarding();
    }

    private final String topic;
    private final int partition;
    private final PipelineInstance[] instances;
    private final DistinctErrorLog errorLog;
    private final int sliceRows;
    private final StagingBuffers staging = new StagingBuffers();
    /** Per staging buffer, the source positions of the copy it holds: written at the barrier, read by the checkpoint thread. */
    private final long[][] positionsByBuffer = new long[StagingBuffers.BUFFERS][];
    private Handover handover;
    private Recorder pauses;
    private Recorder slices;
    private boolean inProgress;
    private long checkpointId;
    private long journalOffset;
    private long[] sourcePositions;
    private int bufferIndex;
    private int length;

    /**
     * @param topic     of the partition.
     * @param partition number.
     * @param instances of the partition.
     * @param errorLog  of the engine, for a copy that fails.
     * @param sliceRows rows of state looked at per slice, at least 1.
     */
    PartitionSnapshotter(
        final String topic, final int partition, final PipelineInstance[] instances, final DistinctErrorLog errorLog, final int sliceRows)
    {
        this.topic = topic;
        this.partition = partition;
        this.instances = instances;
        this.errorLog = errorLog;
        this.sliceRows = sliceRows;
    }

    void coordinator(final CheckpointCoordinator coordinator)
    {
        handover(coordinator == null ? null : new ToCoordinator(coordinator));
        if (coordinator != null)
        {
            coordinator.register(staging); // its agent grows the staging buffer ahead of the barriers
        }
    }

    /**
     * Tells the checkpoint thread what a copy would take now, so that it sizes the staging buffer
     * before the next barrier rather than the barrier growing it ({@link StagingBuffers#expect}). Partition
     * thread, when it publishes its counters; O(pipelines), no store when the figure did not change.
     */
    void expectCopyLength()
    {
        if (handover instanceof ToCoordinator)
        {
            staging.expect(PartitionStateCodec.maxLength(instances));
        }
    }

    /**
     * Where copies go: the coordinator's adapter, or {@link #discarding()} for the warm-up.
     *
     * @param handover for complete copies, or null for checkpoints off.
     */
    void handover(final Handover handover)
    {
        this.handover = handover;
        this.pauses = handover == null ? null : handover.pauses();
        this.slices = handover == null ? null : handover.slices();
    }

    boolean enabled()
    {
        return handover != null;
    }

    /**
     * Whether a copy begun at a barrier still has slices to go.
     *
     * @return true while in progress.
     */
    boolean inProgress()
    {
        return inProgress;
    }

    /**
     * At a barrier: every event before it is journaled and processed. Fixes the image, copies what is
     * cheap, tells the sinks ({@link PipelineInstance#onCheckpoint(long)}), and records the pause. A
     * copy still in progress from an earlier barrier is completed first.
     *
     * @param id              of the checkpoint.
     * @param journalOffset   to replay from after restoring this state.
     * @param sourcePositions per source index, the last external position journaled; copied.
     */
    void onBarrier(final long id, final long journalOffset, final long[] sourcePositions)
    {
        if (handover == null)
        {
            return;
        }
        final long start = System.nanoTime();
        if (inProgress)
        {
            copy(Integer.MAX_VALUE);
        }
        checkpointId = id;
        this.journalOffset = journalOffset;
        bufferIndex = staging.acquire();
        this.sourcePositions = positionsOf(bufferIndex, sourcePositions);
        try
        {
            final UnsafeBuffer buffer = staging.ensureCapacity(bufferIndex, PartitionStateCodec.maxLength(instances));
            length = PartitionStateCodec.begin(instances, buffer);
            for (final PipelineInstance instance : instances)
            {
                instance.onCheckpoint(id);
            }
            inProgress = true;
            if (sliceRows == Integer.MAX_VALUE)
            {
                copy(Integer.MAX_VALUE);
            }
        }
        catch (final RuntimeException ex)
        {
            fail(ex);
        }
        pauses.recordValue(Math.min(System.nanoTime() - start, CheckpointCoordinator.MAX_RECORDED_NANOS));
    }

    /**
     * Copies one slice of the copy in progress, handing it to the checkpoint thread once complete.
     *
     * @return true if there was a copy in progress.
     */
    boolean copySlice()
    {
        if (!inProgress)
        {
            return false;
        }
        final long start = System.nanoTime();
        copy(sliceRows);
        slices.recordValue(Math.min(System.nanoTime() - start, CheckpointCoordinator.MAX_RECORDED_NANOS));
        return true;
    }

    /**
     * Completes the copy in progress now, if any (the partition is about to stop).
     */
    void complete()
    {
        if (inProgress)
        {
            copy(Integer.MAX_VALUE);
        }
    }

    /**
     * The source positions at this barrier, copied into the array kept with the staging buffer the copy goes to
     * (the checkpoint thread copies them out before it releases that buffer): an array copy, where a
     * {@code clone()} here was a call into the VM until the JIT's last tier compiled the barrier, about 10 us
     * on a cold cache each time (perf/README.md section 56).
     */
    private long[] positionsOf(final int index, final long[] positions)
    {
        if (positions.length == 0)
        {
            return null;
        }
        long[] copy = positionsByBuffer[index];
        if (copy == null || copy.length != positions.length)
        {
            copy = new long[positions.length]; // once per buffer: a partition's sources do not change
            positionsByBuffer[index] = copy;
        }
        System.arraycopy(positions, 0, copy, 0, positions.length);
        return copy;
    }

    private void copy(final int budget)
    {
        try
        {
            if (PartitionStateCodec.continueEncoding(instances, budget))
            {
                inProgress = false;
                handover.submit(new CheckpointCoordinator.Snapshot(
                    checkpointId, topic, partition, journalOffset, staging, bufferIndex, length, null, sourcePositions));
            }
        }
        catch (final RuntimeException ex)
        {
            fail(ex);
        }
    }

    private void fail(final RuntimeException ex)
    {
        // A failed copy fails this checkpoint, visibly, and never the partition thread.
        inProgress = false;
        errorLog.record(ex);
        handover.submit(new CheckpointCoordinator.Snapshot(checkpointId, topic, partition, -1, staging, bufferIndex, 0, ex));
    }

    /**
     * Frees the staging memory; after the partition thread stopped and the checkpoint thread wrote
     * what it was given.
     */
    @Override
    public void close()
    {
        staging.close();
    }

    /** Passes copies to the checkpoint coordinator, pause times to its recorders. */
    private static final class ToCoordinator implements Handover
    {
        private final CheckpointCoordinator coordinator;

        ToCoordinator(final CheckpointCoordinator coordinator)
        {
            this.coordinator = coordinator;
        }

        @Override
        public void submit(final CheckpointCoordinator.Snapshot snapshot)
        {
            coordinator.submit(snapshot);
        }

        @Override
        public Recorder pauses()
        {
            return coordinator.pauseRecorder();
        }

        @Override
        public Recorder slices()
        {
            return coordinator.sliceRecorder();
        }
    }

    /** Releases every copy unwritten: the warm-up's barriers exercise the code, nothing is kept. */
    static final class Discarding implements Handover
    {
        private final Recorder pauses = CheckpointCoordinator.newRecorder();
        private final Recorder slices = CheckpointCoordinator.newRecorder();
        private Histogram pauseSample;
        private Histogram sliceSample;

        /**
         * Reads the recorders as the engine's histograms read the live ones, which flips their phase: a recorder
         * records on one of two code paths by phase, and a path first taken live is compiled code thrown away there.
         */
        void sample()
        {
            pauseSample = pauses.getIntervalHistogram(pauseSample);
            sliceSample = slices.getIntervalHistogram(sliceSample);
        }

        @Override
        public void submit(final CheckpointCoordinator.Snapshot snapshot)
        {
            snapshot.staging().release(snapshot.bufferIndex());
        }

        @Override
        public Recorder pauses()
        {
            return pauses;
        }

        @Override
        public Recorder slices()
        {
            return slices;
        }
    }
}
