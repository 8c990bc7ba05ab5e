package io.sluice.engine.runtime;

import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.journal.WordCopy;

/**
 * One pre-allocated slot of a partition ring: a view of its region of the ring's off-heap block, which holds
 * the header fields the journal record will carry followed by the event's bytes. Written by a publisher between
 * {@code next()} and {@code publish()}, then read by the partition thread; never allocated after start-up.
 */
final class RingSlot
{
    /** An input event, journaled then processed. */
    static final int EVENT = 1;
    /** A processing-time tick, journaled then applied (idle partitions, processing-time windows). */
    static final int TICK = 2;
    /** End of a bounded input: journaled, then every open window fires. */
    static final int END_OF_INPUT = 3;
    /** A checkpoint barrier; never journaled. Its timestamp field carries the checkpoint id. */
    static final int BARRIER = 4;
    /**
     * An operator's replay of one pipeline: journaled (so recovery repeats it at the same point),
     * then the pipeline's state is reset and the journal re-run for it from an offset or a time.
     * Payload: see {@link PartitionProcessor#REPLAY_INSTANCE_OFFSET}.
     */
    static final int REPLAY = 5;
    /** Not journaled: wakes a processing thread so that it publishes its state (e.g. after a pause). */
    static final int WAKE = 6;
    /**
     * Not journaled: published by the partition thread itself while a checkpoint's state copy is in
     * progress, to copy the next slice between the events ahead of it (see {@link PartitionSnapshotter}).
     */
    static final int CHECKPOINT_STEP = 7;

    /**
     * The slot's header, before its payload, in the ring's block (native byte order):
     * <pre>
     *   0                   1                   2                   3
     *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     *  +---------------------------------------------------------------+
     *  |                      Type (EVENT, TICK, ...)                  |  0
     *  +---------------------------------------------------------------+
     *  |          Source index within the group, and its flags         |  4
     *  +---------------------------------------------------------------+
     *  |                      Payload length in bytes                  |  8
     *  +---------------------------------------------------------------+
     *  |                            Unused                             | 12
     *  +---------------------------------------------------------------+
     *  |                              Key                              | 16
     *  |                                                               |
     *  +---------------------------------------------------------------+
     *  |              Timestamp (a barrier's: checkpoint id)           | 24
     *  |                                                               |
     *  +---------------------------------------------------------------+
     *  |        Clock at publish with a latency listener, else 0       | 32
     *  |                                                               |
     *  +---------------------------------------------------------------+
     *  |                          Payload ...                          | 40
     *  +---------------------------------------------------------------+
     * </pre>
     * Header and payload share the slot's cache lines, so an event of up to 24 bytes is one line the publisher
     * writes and the partition thread reads (with the header in an object of its own beside the block, it was two).
     */
    static final int TYPE_OFFSET = 0;
    static final int SOURCE_OFFSET = 4;
    static final int LENGTH_OFFSET = 8;
    static final int KEY_OFFSET = 16;
    static final int TIMESTAMP_OFFSET = 24;
    static final int INGEST_NANOS_OFFSET = 32;
    /** Bytes before the payload. */
    static final int HEADER_LENGTH = 40;
    /** Slots start on cache-line boundaries. */
    static final int SLOT_ALIGNMENT = 64;

    /** The payload: the ring's block from {@link #offset}, {@code maxEventLength} bytes. */
    final UnsafeBuffer buffer;
    /** The ring's whole block, which {@link #buffer} views from {@link #offset}: a run of slots is one buffer. */
    final UnsafeBuffer block;
    /** Where this slot's payload starts in {@link #block}. */
    final int offset;
    /** Address of this slot's header (the block is direct memory). */
    private final long address;

    /**
     * A slot viewing its own region of one contiguous off-heap block shared by the whole ring, so
     * neighbouring slots are neighbours in memory too.
     *
     * @param block         of the ring, {@link #stride} bytes per slot, direct memory.
     * @param index         of the slot in the ring.
     * @param maxEventLength largest payload.
     */
    RingSlot(final UnsafeBuffer block, final int index, final int maxEventLength)
    {
        final int start = index * stride(maxEventLength);
        this.block = block;
        this.offset = start + HEADER_LENGTH;
        this.buffer = new UnsafeBuffer(block, offset, maxEventLength);
        this.address = block.addressOffset() + start;
    }

    /**
     * Bytes of a slot in the ring's block: its header and the largest payload, rounded up to whole cache lines.
     *
     * @param maxEventLength largest payload.
     * @return the slot's stride.
     */
    static int stride(final int maxEventLength)
    {
        return (HEADER_LENGTH + maxEventLength + SLOT_ALIGNMENT - 1) & -SLOT_ALIGNMENT;
    }

    /**
     * Writes the whole header (the payload, if any, is written besides).
     *
     * @param type        of the slot.
     * @param source      index and flags, journaled as the record's flags.
     * @param key         of the event, 0 for a control slot.
     * @param timestamp   of the event or control slot.
     * @param length      of the payload.
     * @param ingestNanos clock at publish, or 0.
     */
    void header(final int type, final int source, final long key, final long timestamp, final int length, final long ingestNanos)
    {
        header(address, type, source, key, timestamp, length, ingestNanos);
    }

    /**
     * Writes the whole header of the slot at {@code a} ({@link #header(int, int, long, long, int, long)} by address, for
     * the publishers' runs, see {@link RingSlots}).
     *
     * @param a           address of the slot's header.
     * @param type        of the slot.
     * @param source      index and flags.
     * @param key         of the event, 0 for a control slot.
     * @param timestamp   of the event or control slot.
     * @param length      of the payload.
     * @param ingestNanos clock at publish, or 0.
     */
    static void header(
        final long a, final int type, final int source, final long key, final long timestamp, final int length, final long ingestNanos)
    {
        UnsafeApi.putInt(null, a + TYPE_OFFSET, type);
        UnsafeApi.putInt(null, a + SOURCE_OFFSET, source);
        UnsafeApi.putInt(null, a + LENGTH_OFFSET, length);
        UnsafeApi.putLong(null, a + KEY_OFFSET, key);
        UnsafeApi.putLong(null, a + TIMESTAMP_OFFSET, timestamp);
        UnsafeApi.putLong(null, a + INGEST_NANOS_OFFSET, ingestNanos);
    }

    /** The slot's type ({@link #EVENT}, {@link #TICK}, ...). */
    int type()
    {
        return type(address);
    }

    /** The source index within the group and its flags, journaled as the record's flags. */
    int source()
    {
        return source(address);
    }

    /** Bytes of payload. */
    int length()
    {
        return length(address);
    }

    /** The event's key, 0 for a control slot. */
    long key()
    {
        return key(address);
    }

    /** The event's or control slot's time; a barrier's checkpoint id. */
    long timestamp()
    {
        return timestamp(address);
    }

    /** {@code System.nanoTime()} at publish with a latency listener, else 0. */
    long ingestNanos()
    {
        return ingestNanos(address);
    }

    /** {@link #ingestNanos()} of the slot whose header is at {@code address}. */
    static long ingestNanos(final long address)
    {
        return UnsafeApi.getLong(null, address + INGEST_NANOS_OFFSET);
    }

    /** The type of the slot whose header is at {@code address}. */
    static int type(final long address)
    {
        return UnsafeApi.getInt(null, address + TYPE_OFFSET);
    }

    /** The source index and flags of the slot whose header is at {@code address}. */
    static int source(final long address)
    {
        return UnsafeApi.getInt(null, address + SOURCE_OFFSET);
    }

    /** The payload length of the slot whose header is at {@code address}. */
    static int length(final long address)
    {
        return UnsafeApi.getInt(null, address + LENGTH_OFFSET);
    }

    /** The key of the slot whose header is at {@code address}. */
    static long key(final long address)
    {
        return UnsafeApi.getLong(null, address + KEY_OFFSET);
    }

    /** The timestamp of the slot whose header is at {@code address}. */
    static long timestamp(final long address)
    {
        return UnsafeApi.getLong(null, address + TIMESTAMP_OFFSET);
    }

    /** Longest event {@link #copyIn} copies word by word; longer ones go through the JDK's copy. */
    static final int WORD_COPY_MAX = WordCopy.MAX_LENGTH;

    /**
     * Copies an event's bytes into this slot's payload: an event of at most {@link #WORD_COPY_MAX} bytes (most
     * are: the order of the peer benchmarks is 24) 8 bytes at a time ({@link WordCopy}), where a call to the JDK's
     * copy stub costs more than the copy itself; a longer one through {@code Unsafe.copyMemory}. Bounds are
     * checked as {@link UnsafeBuffer#putBytes(int, DirectBuffer, int, int)} checks them.
     *
     * @param src      holding the event.
     * @param srcIndex of the event in {@code src}.
     * @param length   of the event, at most the slot's capacity.
     */
    void copyIn(final DirectBuffer src, final int srcIndex, final int length)
    {
        copyIn(block, offset, buffer.capacity(), src, srcIndex, length);
    }

    /**
     * {@link #copyIn(DirectBuffer, int, int)} into the payload at {@code payloadOffset} of the ring's {@code block}, whose
     * slots take at most {@code capacity} bytes of payload (by address, for the publishers' runs, see {@link RingSlots}).
     *
     * @param block         of the ring, direct memory.
     * @param payloadOffset of the slot's payload in {@code block}.
     * @param capacity      most payload bytes a slot takes.
     * @param src           holding the event.
     * @param srcIndex      of the event in {@code src}.
     * @param length        of the event.
     * @throws IndexOutOfBoundsException if the event is longer than {@code capacity} or reaches past {@code src}.
     */
    static void copyIn(
        final UnsafeBuffer block, final int payloadOffset, final int capacity, final DirectBuffer src, final int srcIndex, final int length)
    {
        if (length < 0 || length > capacity)
        {
            throw new IndexOutOfBoundsException("event of " + length + " bytes for a ring slot of " + capacity);
        }
        if (length > WORD_COPY_MAX)
        {
            block.putBytes(payloadOffset, src, srcIndex, length);
            return;
        }
        if (DirectBuffer.SHOULD_BOUNDS_CHECK)
        {
            src.boundsCheck(srcIndex, length);
        }
        WordCopy.toOffHeap(src.byteArray(), src.addressOffset() + srcIndex, block.addressOffset() + payloadOffset, length);
    }
}
