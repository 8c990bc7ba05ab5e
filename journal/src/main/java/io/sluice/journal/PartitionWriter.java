package io.sluice.journal;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The single writer of a {@link Partition}. Appending copies a record into the mapped tail segment
 * and publishes it; when {@code append} returns the record is JOURNALED: it is in the page cache and
 * survives kill -9 of this process. The writer does not checksum: it publishes the frame as "not yet
 * checksummed" and the partition's checksum duty, or the next force(), stores its CRC32C off this
 * thread (see {@link RecordDescriptor}). It becomes DURABLE (survives power loss) once
 * {@link Partition#durableOffset()} passes its offset, either through group commit or through
 * {@link #awaitDurable(long)}.
 *
 * <p>Two ways to append without garbage: {@link #append} copies a payload from a buffer;
 * {@link #claim(int)} / {@link #commit} let the caller encode the payload in place (zero copy).
 *
 * <p>Threading: one thread only, bound on first use and checked by an assertion.
 */
public final class PartitionWriter
{
    private final Partition partition;
    private final int indexIntervalBytes;
    private Segment tail;
    private UnsafeBuffer buffer;
    /** Appends ending at or before this take the fast path: min of capacity, reserved limit and spare threshold. */
    private int fastLimit;
    /** The tail's reserved limit as last read: the writer never writes past it (see {@link Segment#reserve}). */
    private int reservedLimit;
    /** Tail position past which the next segment is requested from the allocator, once per segment. */
    private int spareThreshold;
    private long nextOffset;
    private Thread owner;

    private int claimPosition = -1;
    private int claimFrameLength;

    PartitionWriter(final Partition partition, final Segment tail, final long nextOffset, final int indexIntervalBytes)
    {
        this.partition = partition;
        this.tail = tail;
        this.spareThreshold = tail.capacity() >>> 1;
        this.reservedLimit = tail.reservedLimit();
        this.buffer = tail.buffer();
        this.fastLimit = 0; // the first append takes the slow path, which sets it
        this.nextOffset = nextOffset;
        this.indexIntervalBytes = indexIntervalBytes;
    }

    /**
     * Appends a record. The payload is copied; nothing is allocated.
     *
     * @param type      of the record, 0..65535.
     * @param flags     of the record, 16 bits.
     * @param timestamp of the record.
     * @param key       of the record.
     * @param payload   buffer holding the payload.
     * @param offset    of the payload in the buffer.
     * @param length    of the payload in bytes.
     * @return the offset assigned to the record.
     * @throws JournalException FATAL after a failed force(), or STATE if the record can never fit a segment.
     */
    public long append(
        final int type,
        final int flags,
        final long timestamp,
        final long key,
        final DirectBuffer payload,
        final int offset,
        final int length)
    {
        final int position = reserve(length);
        buffer.putBytes(position + RecordDescriptor.HEADER_LENGTH, payload, offset, length);
        return complete(position, RecordDescriptor.HEADER_LENGTH + length, type, flags, timestamp, key);
    }

    /**
     * Reserves space for a payload of this length in the tail segment for the caller to encode in
     * place through {@link #claimBuffer()} at {@link #claimPayloadOffset()}; then {@link #commit}.
     *
     * @param payloadLength in bytes.
     * @return the offset the record will have.
     */
    public long claim(final int payloadLength)
    {
        if (claimPosition >= 0)
        {
            throw new JournalException(JournalException.Category.STATE, "a claim is already open on " + describe());
        }
        claimPosition = reserve(payloadLength);
        claimFrameLength = RecordDescriptor.HEADER_LENGTH + payloadLength;
        return nextOffset;
    }

    /**
     * The buffer of the open claim (the mapped tail segment).
     *
     * @return the buffer to encode the payload into.
     */
    public UnsafeBuffer claimBuffer()
    {
        return tail.buffer();
    }

    /**
     * Where the open claim's payload starts in {@link #claimBuffer()}.
     *
     * @return the payload offset.
     */
    public int claimPayloadOffset()
    {
        return claimPosition + RecordDescriptor.HEADER_LENGTH;
    }

    /**
     * Completes the open claim and publishes the record.
     *
     * @param type      of the record.
     * @param flags     of the record.
     * @param timestamp of the record.
     * @param key       of the record.
     * @return the offset of the record.
     */
    public long commit(final int type, final int flags, final long timestamp, final long key)
    {
        final int position = claimPosition;
        if (position < 0)
        {
            throw new JournalException(JournalException.Category.STATE, "no open claim on " + describe());
        }
        claimPosition = -1;
        return complete(position, claimFrameLength, type, flags, timestamp, key);
    }

    /**
     * Waits until the record at this offset is DURABLE. With group commit on, waits for the group
     * commit thread; otherwise forces synchronously on this thread.
     *
     * @param offset of the record.
     * @param idleStrategy used while waiting for group commit.
     * @throws JournalException FATAL if a force() failed.
     */
    public void awaitDurable(final long offset, final IdleStrategy idleStrategy)
    {
        while (partition.durableOffset() <= offset)
        {
            partition.checkFatal();
            if (!partition.groupCommitActive())
            {
                partition.force();
            }
            else
            {
                idleStrategy.idle();
            }
        }
        idleStrategy.reset();
    }

    /**
     * Forces everything appended so far to the storage device on this thread.
     *
     * @throws JournalException FATAL if the force() failed.
     */
    public void force()
    {
        partition.force();
    }

    /**
     * Offset the next record will get.
     *
     * @return the next offset.
     */
    public long nextOffset()
    {
        return nextOffset;
    }

    private int reserve(final int payloadLength)
    {
        assert ownedByCurrentThread() : "single writer: " + describe() + " is owned by " + owner;
        partition.checkFatal();
        final int aligned = RecordDescriptor.alignedFrameLength(payloadLength);
        final int position = tail.tailPosition();
        // One compare on the fast path: the end of the segment, of the reserved space and the spare threshold.
        return position + aligned <= fastLimit ? position : reserveSlow(payloadLength, aligned);
    }

    private int reserveSlow(final int payloadLength, final int aligned)
    {
        int position = tail.tailPosition();
        if (position + aligned > tail.capacity())
        {
            if (SegmentDescriptor.HEADER_LENGTH + aligned > tail.capacity() || payloadLength < 0)
            {
                throw new JournalException(JournalException.Category.STATE,
                    "payload of " + payloadLength + " bytes can never fit a segment of " + tail.capacity() + " bytes on " + describe());
            }
            tail = partition.roll(nextOffset);
            buffer = tail.buffer();
            spareThreshold = tail.capacity() >>> 1;
            reservedLimit = tail.reservedLimit();
            position = tail.tailPosition();
        }
        if (position + aligned > reservedLimit)
        {
            reserveSpace(position + aligned);
        }
        if (position + aligned > spareThreshold)
        {
            spareThreshold = Integer.MAX_VALUE;
            partition.requestSpare();
        }
        fastLimit = Math.min(Math.min(tail.capacity(), reservedLimit), spareThreshold);
        return position;
    }

    private void reserveSpace(final int needed)
    {
        reservedLimit = tail.reservedLimit(); // the allocator duty may have reserved ahead meanwhile
        if (needed > reservedLimit)
        {
            reservedLimit = partition.reserveFor(tail, needed);
        }
    }

    private long complete(
        final int position, final int frameLength, final int type, final int flags, final long timestamp, final long key)
    {
        final UnsafeBuffer buffer = this.buffer;
        buffer.putInt(position + RecordDescriptor.CRC_OFFSET, RecordDescriptor.UNCHECKSUMMED);
        // Type, flags and the zero reserved field in one little-endian 64-bit store.
        buffer.putLong(position + RecordDescriptor.TYPE_OFFSET, (type & 0xFFFFL) | (flags & 0xFFFFL) << 16);
        buffer.putLong(position + RecordDescriptor.TIMESTAMP_OFFSET, timestamp);
        buffer.putLong(position + RecordDescriptor.KEY_OFFSET, key);
        // Release store of the length publishes the complete frame to readers of the mapped file.
        buffer.putIntRelease(position + RecordDescriptor.LENGTH_OFFSET, frameLength);
        tail.onAppended(position, RecordDescriptor.alignedFrameLength(frameLength - RecordDescriptor.HEADER_LENGTH),
            timestamp, indexIntervalBytes);
        final long offset = nextOffset++;
        partition.publishEndOffset(offset + 1);
        return offset;
    }

    private boolean ownedByCurrentThread()
    {
        final Thread current = Thread.currentThread();
        if (owner == null)
        {
            owner = current;
        }
        return owner == current;
    }

    /**
     * Hands the writer to another thread: the next thread that appends becomes its owner. Call only
     * when the current owner has stopped appending and a happens-before edge exists to the next one.
     */
    public void releaseOwnership()
    {
        owner = null;
    }

    private String describe()
    {
        return "partition " + partition.topicName() + "/" + partition.id();
    }
}
