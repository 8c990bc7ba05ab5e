package io.sluice.engine.join;

import java.nio.ByteBuffer;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.journal.WordCopy;

/**
 * Off-heap arena of fixed-length record slots: slot {@code s} occupies bytes
 * {@code [s * recordLength, (s + 1) * recordLength)} of one direct buffer. Slot management (free
 * lists, which slots are live) belongs to the owner; the arena only stores bytes and grows by
 * doubling, which allocates and is amortised away once the working set is reached.
 * <p>
 * Not thread safe: single writer, the operator thread.
 */
final class RecordArena
{
    private final int recordLength;
    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private int capacity;

    RecordArena(final int recordLength, final int initialSlots)
    {
        this.recordLength = recordLength;
        allocate(Math.max(1, initialSlots));
    }

    int recordLength()
    {
        return recordLength;
    }

    int capacity()
    {
        return capacity;
    }

    UnsafeBuffer buffer()
    {
        return buffer;
    }

    int offsetOf(final int slot)
    {
        return slot * recordLength;
    }

    void put(final int slot, final DirectBuffer source, final int sourceOffset)
    {
        WordCopy.copy(buffer, slot * recordLength, source, sourceOffset, recordLength);
    }

    void copy(final int fromSlot, final int toSlot)
    {
        buffer.putBytes(toSlot * recordLength, buffer, fromSlot * recordLength, recordLength);
    }

    /**
     * Make room for at least {@code slots} slots, keeping existing bytes.
     */
    void ensureCapacity(final int slots)
    {
        if (slots > capacity)
        {
            int newCapacity = capacity;
            while (newCapacity < slots)
            {
                newCapacity <<= 1;
            }
            allocate(newCapacity);
        }
    }

    private void allocate(final int slots)
    {
        final long bytes = (long)slots * recordLength;
        if (bytes > Integer.MAX_VALUE - 8)
        {
            throw new IllegalStateException("join state arena would exceed 2 GiB: " + slots + " slots of " +
                recordLength + " bytes");
        }
        final ByteBuffer fresh = ByteBuffer.allocateDirect((int)Math.max(bytes, 8));
        final UnsafeBuffer next = new UnsafeBuffer(fresh);
        if (capacity > 0)
        {
            next.putBytes(0, buffer, 0, capacity * recordLength);
        }
        buffer.wrap(fresh);
        capacity = slots;
    }
}
