package io.sluice.dashboard;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.sluice.dashboard.SlotDescriptor.KEY_OFFSET;
import static io.sluice.dashboard.SlotDescriptor.LENGTH_OFFSET;
import static io.sluice.dashboard.SlotDescriptor.POSITION_OFFSET;
import static io.sluice.dashboard.SlotDescriptor.ROW_OFFSET;
import static io.sluice.dashboard.SlotDescriptor.SEQUENCE_OFFSET;
import static io.sluice.dashboard.SlotDescriptor.TIMESTAMP_OFFSET;
import static io.sluice.dashboard.SlotDescriptor.VERSION_OFFSET;

/**
 * An off-heap array of {@link SlotDescriptor} slots with the seqlock write and read of one slot.
 *
 * <p>Threading: {@link #write} by the single writer (a partition thread) only; {@link #read} from
 * any one reader thread (the dashboard's).
 */
class SlotBuffer
{
    final UnsafeBuffer buffer;
    final int slotLength;
    final int rowCapacity;
    final int slots;

    SlotBuffer(final int slots, final int rowCapacity)
    {
        this.slots = slots;
        this.rowCapacity = rowCapacity;
        this.slotLength = SlotDescriptor.slotLength(rowCapacity);
        final ByteBuffer memory = BufferUtil.allocateDirectAligned(slots * slotLength, SlotDescriptor.ALIGNMENT);
        this.buffer = new UnsafeBuffer(memory);
    }

    /**
     * Writes a slot; never waits and never allocates.
     */
    final void write(final int slot, final long key, final long timestamp, final long sequence, final long position,
        final DirectBuffer row, final int rowOffset, final int rowLength)
    {
        final int base = slot * slotLength;
        final long version = buffer.getLong(base + VERSION_OFFSET);
        final int length = Math.min(rowLength, rowCapacity);
        buffer.putLong(base + VERSION_OFFSET, version + 1);
        // Store-store fence: the odd version is visible before any field changes, so a reader that sees a
        // changed field also sees the version change.
        VarHandle.storeStoreFence();
        buffer.putLong(base + KEY_OFFSET, key);
        buffer.putLong(base + TIMESTAMP_OFFSET, timestamp);
        buffer.putLong(base + SEQUENCE_OFFSET, sequence);
        buffer.putInt(base + LENGTH_OFFSET, length);
        buffer.putLong(base + POSITION_OFFSET, position);
        buffer.putBytes(base + ROW_OFFSET, row, rowOffset, length);
        // Release store: every field above is visible before the even version that says the slot is whole.
        buffer.putLongRelease(base + VERSION_OFFSET, version + 2);
    }

    final long keyOf(final int slot)
    {
        return buffer.getLong(slot * slotLength + KEY_OFFSET);
    }

    final long timestampOf(final int slot)
    {
        return buffer.getLong(slot * slotLength + TIMESTAMP_OFFSET);
    }

    final boolean isEmpty(final int slot)
    {
        return buffer.getLong(slot * slotLength + VERSION_OFFSET) == 0;
    }

    /**
     * Copies a slot into a row if it is whole and not empty.
     *
     * @param slot to read.
     * @param into receives the copy.
     * @return false if the slot is empty or was being written (retried a few times first).
     */
    final boolean read(final int slot, final Row into)
    {
        final int base = slot * slotLength;
        for (int attempt = 0; attempt < 4; attempt++)
        {
            final long before = buffer.getLongAcquire(base + VERSION_OFFSET);
            if (before == 0)
            {
                return false;
            }
            if ((before & 1) != 0)
            {
                Thread.onSpinWait();
                continue;
            }
            into.key = buffer.getLong(base + KEY_OFFSET);
            into.timestamp = buffer.getLong(base + TIMESTAMP_OFFSET);
            into.sequence = buffer.getLong(base + SEQUENCE_OFFSET);
            into.position = buffer.getLong(base + POSITION_OFFSET);
            // A torn length may be anything: clamp it before it sizes a copy.
            into.length = Math.max(0, Math.min(rowCapacity, buffer.getInt(base + LENGTH_OFFSET)));
            buffer.getBytes(base + ROW_OFFSET, into.bytes, 0, into.length);
            // Load-load fence: the copies above complete before the version is read again.
            VarHandle.loadLoadFence();
            if (buffer.getLong(base + VERSION_OFFSET) == before)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * One copied slot, owned by the reader.
     */
    static final class Row
    {
        long key;
        long timestamp;
        long sequence;
        long position;
        int length;
        final MutableDirectBuffer bytes;

        Row(final int rowCapacity)
        {
            bytes = new UnsafeBuffer(new byte[rowCapacity]);
        }
    }
}
