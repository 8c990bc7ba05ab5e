package io.sluice.engine.state;

import java.util.Arrays;

import org.agrona.MutableDirectBuffer;

/**
 * The incremental, copy-on-write copy of a store of numbered rows into a checkpoint's staging buffer,
 * so that a checkpoint barrier costs the partition thread O(1) whatever the state's size:
 * {@link #begin} fixes the image (the rows in use at the barrier) by moving to a new epoch, then the
 * rows are written in bounded {@link #copySlice slices} between the events that follow, and any row
 * the store is about to change or free before its slice reaches it is written first
 * ({@link #beforeChange}, {@link #beforeFree}). The buffer thus holds exactly the rows as they were at
 * the barrier, each once, whatever happened after it; rows land in the order they are copied (scan
 * order with copied-on-write rows in between), so a format copied this way must not depend on row
 * order.
 * <p>
 * The store tells this class about every row's life: {@link #created} when a row comes into use
 * (also after the barrier: such a row is not part of the image), {@link #beforeChange} before any
 * byte of a row that the snapshot holds changes, {@link #beforeFree} before a row goes out of use.
 * A row needs copying while its mark is neither the current epoch nor free. The row's bytes are the
 * store's business ({@link RowWriter}); a row must have the same snapshot length at the barrier and
 * when it is copied, which copy on write guarantees.
 * <p>
 * Hot-path cost outside a checkpoint: one store to the mark on create and free, one field read per
 * change. Not thread safe: owned by the partition thread, like its store.
 */
public final class CopyOnWriteRows
{
    /** Mark of a row that is not in use. */
    private static final int FREE = -1;

    private final RowWriter writer;
    private int[] marks;
    private int epoch;
    private boolean inProgress;
    private MutableDirectBuffer buffer;
    private int cursor;
    private int end;
    private int scan;
    private int scanLimit;
    private int rowsLeft;

    /**
     * Writes one row of a store into a snapshot.
     */
    @FunctionalInterface
    public interface RowWriter
    {
        /**
         * Writes a row as it is now.
         *
         * @param row    in use.
         * @param buffer to write into.
         * @param offset at which the row starts.
         * @return the offset after the row.
         */
        int writeRow(int row, MutableDirectBuffer buffer, int offset);
    }

    /**
     * @param writer      of the store's rows.
     * @param initialRows rows to hold marks for; grown with {@link #ensureCapacity}.
     */
    public CopyOnWriteRows(final RowWriter writer, final int initialRows)
    {
        this.writer = writer;
        this.marks = new int[Math.max(16, initialRows)];
        Arrays.fill(marks, FREE);
    }

    /**
     * Makes room for the marks of rows {@code [0, rows)}; the store calls it when it grows.
     *
     * @param rows the store's new capacity.
     */
    public void ensureCapacity(final int rows)
    {
        if (rows > marks.length)
        {
            final int previous = marks.length;
            marks = Arrays.copyOf(marks, Math.max(rows, previous << 1));
            Arrays.fill(marks, previous, marks.length, FREE);
        }
    }

    /**
     * Whether a copy begun at a barrier still has rows to write.
     *
     * @return true while in progress.
     */
    public boolean inProgress()
    {
        return inProgress;
    }

    /**
     * A row came into use: it is not part of an image fixed before now.
     *
     * @param row now in use.
     */
    public void created(final int row)
    {
        marks[row] = epoch;
    }

    /**
     * The store is about to change a row the snapshot holds: copies it first if the image still needs it.
     *
     * @param row about to change.
     */
    public void beforeChange(final int row)
    {
        if (inProgress)
        {
            final int mark = marks[row];
            if (mark != epoch && mark != FREE)
            {
                copy(row);
            }
        }
    }

    /**
     * The store is about to free a row: copies it first if the image still needs it.
     *
     * @param row about to go out of use.
     */
    public void beforeFree(final int row)
    {
        beforeChange(row);
        marks[row] = FREE;
    }

    /**
     * Fixes the image at a barrier: the rows in use now. A copy still in progress is completed first.
     * O(1).
     *
     * @param buffer    receiving the rows, untouched by others until the copy is complete.
     * @param offset    of the first row in the buffer.
     * @param rowLimit  one past the highest row index ever used by the store (rows above it are free).
     * @param rowsInUse rows in use now.
     * @param length    bytes the rows in use take now; the copy checks it wrote exactly that.
     */
    public void begin(
        final MutableDirectBuffer buffer, final int offset, final int rowLimit, final int rowsInUse, final int length)
    {
        complete();
        epoch = epoch == Integer.MAX_VALUE ? 0 : epoch + 1; // never FREE
        this.buffer = buffer;
        cursor = offset;
        end = offset + length;
        scan = 0;
        scanLimit = rowLimit;
        rowsLeft = rowsInUse;
        inProgress = true;
        if (rowsInUse == 0)
        {
            finish();
        }
    }

    /**
     * Copies the next rows of the scan, looking at no more than {@code budget} rows.
     *
     * @param budget rows to look at, at least 1; {@link Integer#MAX_VALUE} for the rest.
     * @return true once every row of the image is in the buffer (also when none is in progress).
     */
    public boolean copySlice(final int budget)
    {
        if (!inProgress)
        {
            return true;
        }
        final int stop = (int)Math.min(scanLimit, (long)scan + budget);
        final int current = epoch;
        final int[] marks = this.marks;
        for (int row = scan; row < stop; row++)
        {
            final int mark = marks[row];
            if (mark != current && mark != FREE)
            {
                copy(row);
            }
        }
        scan = stop;
        if (scan == scanLimit)
        {
            finish();
        }
        return !inProgress;
    }

    /**
     * Copies the rest of the image now: before the store is cleared or replaced, or when the caller
     * wants the copy at once.
     */
    public void complete()
    {
        copySlice(Integer.MAX_VALUE);
    }

    private void copy(final int row)
    {
        cursor = writer.writeRow(row, buffer, cursor);
        marks[row] = epoch;
        rowsLeft--;
    }

    private void finish()
    {
        inProgress = false;
        buffer = null;
        if (rowsLeft != 0 || cursor != end)
        {
            // Every row in use at the barrier is below the scan limit and copied exactly once, as it
            // was then: a difference is a bug in the store's hooks, and this checkpoint must not complete.
            throw new IllegalStateException("incremental snapshot ended with " + rowsLeft +
                " rows of its barrier left to copy and " + (end - cursor) + " bytes left to write (negative: too many)");
        }
    }
}
