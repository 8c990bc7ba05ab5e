package io.sluice.engine.runtime;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A partition ring's slots where they lie in its off-heap block, addressed by ring sequence: the slot of sequence
 * {@code s} has its header at {@code (s & (ringSize - 1)) * stride} in the block and its payload
 * {@link RingSlot#HEADER_LENGTH} bytes after it (see {@link RingSlot} for the header's layout). The per-event paths (a
 * publisher's run, the processing thread's run of events) read and write the slots through this instead of the ring's
 * {@link RingSlot} objects: an object, and one more cache line to bring in, per slot and event on each side.
 * <p>
 * Immutable; any thread.
 */
final class RingSlots
{
    private final UnsafeBuffer block;
    private final long blockAddress;
    private final int mask;
    private final int stride;
    private final int payloadCapacity;

    /**
     * @param block          of the ring, {@link RingSlot#stride} bytes per slot, direct memory.
     * @param ringSize       slots of the ring, a power of two.
     * @param maxEventLength largest payload a slot takes.
     */
    RingSlots(final UnsafeBuffer block, final int ringSize, final int maxEventLength)
    {
        if (Integer.bitCount(ringSize) != 1)
        {
            throw new IllegalArgumentException("ring size must be a power of two, was " + ringSize);
        }
        this.block = block;
        this.blockAddress = block.addressOffset();
        this.mask = ringSize - 1;
        this.stride = RingSlot.stride(maxEventLength);
        this.payloadCapacity = maxEventLength;
        if ((long)stride * ringSize > block.capacity())
        {
            throw new IllegalArgumentException("a block of " + block.capacity() + " bytes holds fewer than " + ringSize +
                " slots of " + stride + " bytes");
        }
    }

    /**
     * The ring's whole block: a run of slots' payloads are events in one buffer ({@link #payloadOffset}).
     *
     * @return the block.
     */
    UnsafeBuffer block()
    {
        return block;
    }

    /**
     * Address of the header of the slot of this sequence, for {@link RingSlot}'s readers by address.
     *
     * @param sequence in the ring.
     * @return the address.
     */
    long address(final long sequence)
    {
        return blockAddress + headerOffset(sequence);
    }

    /**
     * Where the payload of the slot of this sequence starts in {@link #block()}.
     *
     * @param sequence in the ring.
     * @return the offset.
     */
    int payloadOffset(final long sequence)
    {
        return headerOffset(sequence) + RingSlot.HEADER_LENGTH;
    }

    /**
     * Most payload bytes a slot takes (the engine's {@code maxEventLength}).
     *
     * @return the capacity.
     */
    int payloadCapacity()
    {
        return payloadCapacity;
    }

    /**
     * Writes an EVENT into the slot of this sequence: its header, then its bytes ({@link RingSlot#copyIn}).
     *
     * @param sequence    claimed in the ring.
     * @param source      index and flags.
     * @param key         of the event.
     * @param timestamp   of the event.
     * @param src         holding the event.
     * @param srcIndex    of the event in {@code src}.
     * @param length      of the event, at most {@link #payloadCapacity()}.
     * @param ingestNanos clock at publish, or 0.
     * @throws IndexOutOfBoundsException if the event is longer than a slot takes or reaches past {@code src}.
     */
    void putEvent(
        final long sequence, final int source, final long key, final long timestamp, final org.agrona.DirectBuffer src,
        final int srcIndex, final int length, final long ingestNanos)
    {
        final int at = headerOffset(sequence);
        RingSlot.header(blockAddress + at, RingSlot.EVENT, source, key, timestamp, length, ingestNanos);
        RingSlot.copyIn(block, at + RingSlot.HEADER_LENGTH, payloadCapacity, src, srcIndex, length);
    }

    private int headerOffset(final long sequence)
    {
        return ((int)sequence & mask) * stride;
    }
}
