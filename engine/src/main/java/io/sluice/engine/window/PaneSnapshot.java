package io.sluice.engine.window;

import org.agrona.MutableDirectBuffer;

import static io.sluice.engine.window.WindowSnapshotRows.ORDER;

/**
 * The incremental copy of a {@link PaneStore}'s (or a {@link DenseWindowOperator}'s) rows for a checkpoint, so that the barrier costs the
 * partition thread O(1) whatever the state's size: {@link #begin} fixes the image (the rows in use at
 * the barrier) by moving to a new epoch, then the rows are copied into the snapshot buffer in bounded
 * {@link #copySlice slices} between events, and any row the operator is about to change or free
 * before its slice reaches it is copied first ({@link #beforeChange}, copy on write). The buffer
 * thus holds exactly the rows as they were at the barrier, each once, whatever happened after it.
 * <p>
 * A row needs copying while its mark (in the store) is neither the current epoch nor
 * {@link #FREE_ROW}; copying it, or creating it after the barrier, sets the mark to the epoch, and
 * freeing it sets {@link #FREE_ROW}. The rows land in the buffer in the order they are copied (slice
 * order, with copied-on-write rows in between), which restoring does not depend on: each row is
 * {@code key, pane, state}, as drawn in {@link AlignedWindowOperator}.
 * <p>
 * Not thread safe: owned by the operator thread, like its store.
 */
final class PaneSnapshot
{
    /**
     * The rows a snapshot copies, by row number below {@link #rowLimit()}: {@link PaneStore}'s rows, or
     * {@link DenseWindowOperator}'s (a row per key slot and pane column). Each row keeps a mark for the snapshot.
     */
    interface Rows
    {
        /** One past the highest row number that may be in use. */
        int rowLimit();

        /** Rows in use: those a snapshot taken now holds. */
        int rowsInUse();

        /** The row's mark: an epoch, or {@link #FREE_ROW} for a row not in use. */
        int rowMark(int row);

        void rowMark(int row, int mark);

        long keyOf(int row);

        long paneOf(int row);

        /** The array holding the rows' aggregate state. */
        long[] state();

        /** Where the row's aggregate state starts in {@link #state()}. */
        int base(int row);

        /** Longs of aggregate state a row has in a snapshot. */
        int stride();
    }

    /** Mark of a row that is not in use. */
    static final int FREE_ROW = -1;

    private final Rows store;
    private final int stride;
    private final int rowLength;
    private int epoch;
    private boolean inProgress;
    private MutableDirectBuffer buffer;
    private int cursor;
    private int scan;
    private int scanLimit;
    private int rowsLeft;

    PaneSnapshot(final Rows store)
    {
        this.store = store;
        this.stride = store.stride();
        this.rowLength = rowLength(stride);
    }

    /**
     * Bytes of one snapshot row.
     *
     * @param stride longs of aggregate state per row.
     * @return the length in bytes.
     */
    static int rowLength(final int stride)
    {
        return 16 + stride * 8;
    }

    /**
     * The current epoch: rows marked with it need no copy in the snapshot in progress.
     *
     * @return the epoch.
     */
    int epoch()
    {
        return epoch;
    }

    boolean inProgress()
    {
        return inProgress;
    }

    /**
     * Fixes the image at the barrier: the rows in use now. A previous snapshot still in progress is
     * completed first. O(1).
     *
     * @param buffer receiving the rows.
     * @param offset of the first row in the buffer.
     * @return the bytes the rows will take: rows in use x {@link #rowLength(int)}.
     */
    int begin(final MutableDirectBuffer buffer, final int offset)
    {
        complete();
        epoch++;
        this.buffer = buffer;
        cursor = offset;
        scan = 0;
        scanLimit = store.rowLimit();
        rowsLeft = store.rowsInUse();
        inProgress = rowsLeft > 0;
        return rowsLeft * rowLength;
    }

    /**
     * Copies the next rows of the scan, looking at no more than {@code budget} rows.
     *
     * @param budget rows to look at, at least 1.
     * @return true once every row of the image is in the buffer.
     */
    boolean copySlice(final int budget)
    {
        if (!inProgress)
        {
            return true;
        }
        final int end = (int)Math.min(scanLimit, (long)scan + budget);
        final int current = epoch;
        for (int row = scan; row < end; row++)
        {
            final int mark = store.rowMark(row);
            if (mark != current && mark != FREE_ROW)
            {
                copy(row);
            }
        }
        scan = end;
        if (scan == scanLimit)
        {
            finish();
        }
        return !inProgress;
    }

    /**
     * Copies the rest of the image now (before the store is cleared or replaced, or when the caller
     * wants the copy at once).
     */
    void complete()
    {
        copySlice(Integer.MAX_VALUE);
    }

    /**
     * Copies a row the operator is about to change or free, if the image still needs it. Called
     * only while a snapshot is in progress.
     *
     * @param row about to change.
     */
    void beforeChange(final int row)
    {
        final int mark = store.rowMark(row);
        if (mark != epoch && mark != FREE_ROW)
        {
            copy(row);
        }
    }

    private void copy(final int row)
    {
        final MutableDirectBuffer out = buffer;
        out.putLong(cursor, store.keyOf(row), ORDER);
        out.putLong(cursor + 8, store.paneOf(row), ORDER);
        cursor = WindowSnapshotRows.putState(out, cursor + 16, store.state(), store.base(row), stride);
        store.rowMark(row, epoch);
        rowsLeft--;
    }

    private void finish()
    {
        inProgress = false;
        buffer = null;
        if (rowsLeft != 0)
        {
            // Every row in use at the barrier is below the scan limit and copied exactly once: a
            // difference is a bug in the marks, and this checkpoint must not complete.
            throw new IllegalStateException("incremental window snapshot ended with " + rowsLeft +
                " rows of its barrier left to copy (negative: copied too many)");
        }
    }
}
