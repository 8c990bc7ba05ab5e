package io.sluice.engine.window;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.schema.EventValues;

/**
 * Tumbling, sliding and hopping windows on dense key slots ({@link DenseWindowOperator}) while they stay dense, on
 * linked rows ({@link AlignedWindowOperator}) while dense columns would outgrow the state: the memory stays
 * proportional to the rows and keys held whatever the input ({@link DenseBound}). Built by
 * {@link WindowOperatorContext#build()} for the windows dense slots take.
 * <p>
 * <b>Hand-over.</b> The operator in use asks for a review after a signal ({@link PanedWindowOperator#layoutReviewDue}):
 * dense slots when a layout passed the bound (columns queued behind a firing, many live panes, keys that recur less
 * than once a window), linked rows at the end of each firing (the windows due are out). The state then moves to the
 * other operator through the snapshot both write and restore ({@link AlignedSnapshotHeader}), which continues exactly
 * as the uninterrupted operator: the same results, in the same order, after the same signals, and the same
 * checkpoints. A checkpoint in progress is completed first (its rows copied at once). A move costs a copy of the state
 * and allocates (the snapshot's buffer, the new operator's arrays): it happens when the state's shape changes by a
 * factor of {@link DenseBound#HAND_BACK_MARGIN}, never per event in a steady state. A restore goes into dense slots
 * unless they pass the bound on the way, then into linked rows.
 * <p>
 * Threading: single writer, the partition thread, as the operators it holds.
 */
final class AdaptiveWindowOperator implements WindowOperator
{
    private final AlignedWindows windows;
    private final WindowSettings settings;
    private final DenseBound bound;
    private PanedWindowOperator current;
    private boolean recovering;
    private long handOvers;
    private long handBacks;
    private long peakDenseCells;

    /**
     * @param windows    of the operator, which dense slots take ({@link ColumnarWindowOperator#supports}).
     * @param settings   without early results, which both operators are built from.
     * @param floorCells below which dense slots are never reviewed ({@link DenseBound}).
     */
    AdaptiveWindowOperator(final AlignedWindows windows, final WindowSettings settings, final long floorCells)
    {
        this.windows = windows;
        this.settings = settings;
        this.bound = new DenseBound(floorCells);
        this.current = dense();
    }

    @Override
    public void onEvent(final long key, final long timestamp, final EventValues values)
    {
        final PanedWindowOperator operator = current;
        operator.onEvent(key, timestamp, values);
        reviewLayoutIfDue(operator);
    }

    @Override
    public void onProcessingTime(final long processingTime)
    {
        final PanedWindowOperator operator = current;
        operator.onProcessingTime(processingTime);
        reviewLayoutIfDue(operator);
    }

    @Override
    public void advanceWatermarkTo(final long watermark)
    {
        final PanedWindowOperator operator = current;
        operator.advanceWatermarkTo(watermark);
        reviewLayoutIfDue(operator);
    }

    @Override
    public void endOfInput()
    {
        final PanedWindowOperator operator = current;
        operator.endOfInput();
        reviewLayoutIfDue(operator);
    }

    @Override
    public long prefetch(final long[] keys, final int count)
    {
        return current.prefetch(keys, count);
    }

    @Override
    public long prefetch(final long[] keys, final long[] timestamps, final int count)
    {
        return current.prefetch(keys, timestamps, count);
    }

    @Override
    public boolean firingInProgress()
    {
        return current.firingInProgress();
    }

    @Override
    public long watermark()
    {
        return current.watermark();
    }

    @Override
    public long lateEventsDropped()
    {
        return current.lateEventsDropped();
    }

    @Override
    public long unassignedEvents()
    {
        return current.unassignedEvents();
    }

    @Override
    public long windowsFired()
    {
        return current.windowsFired();
    }

    @Override
    public int stateEntries()
    {
        return current.stateEntries();
    }

    @Override
    public int snapshotLength()
    {
        return current.snapshotLength();
    }

    @Override
    public int snapshotTo(final MutableDirectBuffer buffer, final int offset)
    {
        return current.snapshotTo(buffer, offset);
    }

    @Override
    public int beginSnapshot(final MutableDirectBuffer buffer, final int offset)
    {
        return current.beginSnapshot(buffer, offset);
    }

    @Override
    public boolean continueSnapshot(final int budget)
    {
        return current.continueSnapshot(budget);
    }

    /**
     * Restores into dense slots, or into linked rows if dense slots pass the bound on the way.
     */
    @Override
    public int restoreFrom(final DirectBuffer buffer, final int offset)
    {
        final DenseWindowOperator dense = current instanceof DenseWindowOperator held ? held : dense();
        dense.recovering(recovering);
        final int length = dense.restoreFrom(buffer, offset);
        notePeak(dense);
        if (!dense.layoutReviewDue)
        {
            current = dense;
            return length;
        }
        final AlignedWindowOperator linked = linked();
        linked.restoreFrom(buffer, offset);
        current = linked;
        return length;
    }

    @Override
    public void recovering(final boolean recovering)
    {
        this.recovering = recovering;
        current.recovering(recovering);
    }

    @Override
    public void releaseOwnership()
    {
        current.releaseOwnership();
    }

    /**
     * @return the operator holding the state now (tests).
     */
    PanedWindowOperator current()
    {
        return current;
    }

    /**
     * @return hand-overs of the state from dense slots to linked rows.
     */
    long handOvers()
    {
        return handOvers;
    }

    /**
     * @return hand-overs of the state from linked rows back to dense slots.
     */
    long handBacks()
    {
        return handBacks;
    }

    /**
     * @return the most cells (columns x key slots) any dense layout of this operator took at once.
     */
    long peakDenseCells()
    {
        return Math.max(peakDenseCells, current instanceof DenseWindowOperator dense ? dense.peakCells() : 0);
    }

    /**
     * @return the bound of the dense layouts.
     */
    DenseBound bound()
    {
        return bound;
    }

    /** After a call into the operator in use: a review if that call signalled one. */
    private void reviewLayoutIfDue(final PanedWindowOperator operator)
    {
        if (operator.layoutReviewDue)
        {
            reviewLayout();
        }
    }

    private void reviewLayout()
    {
        final PanedWindowOperator operator = current;
        operator.layoutReviewDue = false;
        if (operator instanceof DenseWindowOperator dense)
        {
            notePeak(dense);
            handOvers++;
            moveTo(linked());
        }
        else if (operator instanceof AlignedWindowOperator linked && denseFitsWell(linked))
        {
            final DenseWindowOperator dense = dense();
            if (moveTo(dense))
            {
                handBacks++;
            }
        }
    }

    private boolean denseFitsWell(final AlignedWindowOperator linked)
    {
        final int keys = linked.keysHeld();
        final long cells = DenseWindowOperator.layoutCells(linked.panesHeld(), Math.max(keys, linked.stateEntries() / (int)windows.panesPerWindow));
        return bound.fitsWell(cells, (long)linked.stateEntries() + keys);
    }

    /**
     * Moves the state to another operator through a snapshot (a checkpoint in progress completed first).
     *
     * @return whether the other operator took it: dense slots may pass the bound on the way, then the state stays.
     */
    private boolean moveTo(final PanedWindowOperator next)
    {
        final PanedWindowOperator previous = current;
        final UnsafeBuffer state = new UnsafeBuffer(new byte[previous.snapshotLength()]);
        previous.snapshotTo(state, 0);
        next.recovering(recovering);
        next.restoreFrom(state, 0);
        if (next instanceof DenseWindowOperator dense)
        {
            notePeak(dense);
            if (dense.layoutReviewDue)
            {
                return false;
            }
        }
        current = next;
        return true;
    }

    private void notePeak(final DenseWindowOperator dense)
    {
        peakDenseCells = Math.max(peakDenseCells, dense.peakCells());
    }

    private DenseWindowOperator dense()
    {
        return new DenseWindowOperator(windows, settings, bound);
    }

    private AlignedWindowOperator linked()
    {
        final AlignedWindowOperator linked = new AlignedWindowOperator(windows, settings);
        linked.reviewLayoutAfterFirings();
        return linked;
    }
}
