package io.sluice.dashboard;

import java.util.concurrent.atomic.AtomicLong;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The most recent outputs of one partition of an alert pipeline, in arrival order: a ring of
 * {@link SlotDescriptor} slots the partition thread overwrites and the dashboard reads behind it.
 * A reader that falls more than a ring behind loses the oldest outputs (counted), never the writer's
 * time.
 *
 * <p>Threading: {@link #append} on the partition thread only; {@link #drain} on the dashboard thread.
 */
final class RecentRing extends SlotBuffer
{
    private final int mask;
    /** Next position to write; the writer's plain field, published through {@link #published}. */
    private long head;
    /** The head as the reader sees it; single writer, ordered stores. */
    private final AtomicLong published = new AtomicLong();

    RecentRing(final int capacity, final int rowCapacity)
    {
        super(capacity, rowCapacity);
        if (Integer.bitCount(capacity) != 1)
        {
            throw new IllegalArgumentException("capacity must be a power of two, was " + capacity);
        }
        this.mask = capacity - 1;
    }

    void append(final long key, final long timestamp, final long sequence, final DirectBuffer row, final int offset, final int length)
    {
        final long position = head++;
        write((int)(position & mask), key, timestamp, sequence, position, row, offset, length);
        // Release store: the slot written above is whole before the reader sees the new head.
        published.setRelease(head);
    }

    /**
     * Reads every output after a cursor.
     *
     * @param cursor   the first position not read yet.
     * @param row      scratch row the visitor sees.
     * @param visitor  receives each whole output, oldest first.
     * @param lost     counts outputs overwritten before they were read (may be null).
     * @return the new cursor.
     */
    long drain(final long cursor, final Row row, final RowVisitor visitor, final AtomicCounter lost)
    {
        final long end = published.getAcquire();
        long position = Math.max(cursor, end - slots);
        if (lost != null && position > cursor)
        {
            lost.getAndAdd(position - cursor);
        }
        for (; position < end; position++)
        {
            if (read((int)(position & mask), row) && row.position == position)
            {
                visitor.onRow(row);
            }
            else if (lost != null)
            {
                lost.increment();
            }
        }
        return end;
    }

    /**
     * Receives copied rows.
     */
    @FunctionalInterface
    interface RowVisitor
    {
        /**
         * One row, valid during the call.
         *
         * @param row the copy.
         */
        void onRow(Row row);
    }
}
