package io.sluice.journal;

import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A run of consecutive records of one segment, read in one call ({@link PartitionReader#poll(RecordBatch, int)}):
 * where each frame starts in {@link #buffer()}, and accessors that read its header fields there (layout in
 * {@link RecordDescriptor}). The buffer is the mapped segment, or the reader's copy of a stretch of it when the
 * reader {@link PartitionReader#copyReads copies}: a caller that runs many records at once (recovery's replay) decodes
 * them from there, in a loop of its own, instead of taking one handler call per record.
 * <pre>
 *  buffer():  | frame 0 | frame 1 | ... |   the mapped segment or the copy; frame i at position(i)
 *  offset(i) = firstOffset() + i           records are consecutive, all in one segment
 * </pre>
 * The batch is valid until the next read into it, and while the reader's partition stays open. The reader has judged
 * every frame of the batch whole within the buffer before adding it, so the header accessors read without a further
 * bounds check.
 * <p>
 * Threading: the thread of the reader that fills it.
 */
public final class RecordBatch
{
    private final int[] positions;
    private UnsafeBuffer buffer;
    /** Address of the buffer, for the header reads (a constant null base: the JIT compiles plain loads). */
    private long address;
    private long firstOffset;
    private int size;

    /**
     * Creates an empty batch.
     *
     * @param capacity records a read delivers at most, at least 1.
     */
    public RecordBatch(final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("record batch capacity must be at least 1, was " + capacity);
        }
        positions = new int[capacity];
    }

    /**
     * Records a read delivers at most.
     *
     * @return the capacity.
     */
    public int capacity()
    {
        return positions.length;
    }

    /**
     * Records held.
     *
     * @return the count, 0 after a read that found nothing.
     */
    public int size()
    {
        return size;
    }

    /**
     * The mapped segment, or the reader's copy of part of it, holding every record of the batch.
     *
     * @return the buffer; null before the first read that found records.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Offset of the first record in its partition.
     *
     * @return the offset of record 0.
     */
    public long firstOffset()
    {
        return firstOffset;
    }

    /**
     * Offset of a record in its partition.
     *
     * @param i index of the record in the batch.
     * @return {@code firstOffset() + i}.
     */
    public long offset(final int i)
    {
        return firstOffset + i;
    }

    /**
     * Where a record's frame starts in {@link #buffer()}.
     *
     * @param i index of the record in the batch.
     * @return the frame's position.
     */
    public int position(final int i)
    {
        return positions[i];
    }

    /**
     * A record's 16-bit type, as an unsigned value.
     *
     * @param i index of the record in the batch.
     * @return the type.
     */
    public int type(final int i)
    {
        return UnsafeApi.getShort(null, address + positions[i] + RecordDescriptor.TYPE_OFFSET) & 0xFFFF;
    }

    /**
     * A record's 16 flag bits, as an unsigned value.
     *
     * @param i index of the record in the batch.
     * @return the flags.
     */
    public int flags(final int i)
    {
        return UnsafeApi.getShort(null, address + positions[i] + RecordDescriptor.FLAGS_OFFSET) & 0xFFFF;
    }

    /**
     * A record's timestamp.
     *
     * @param i index of the record in the batch.
     * @return the timestamp.
     */
    public long timestamp(final int i)
    {
        return UnsafeApi.getLong(null, address + positions[i] + RecordDescriptor.TIMESTAMP_OFFSET);
    }

    /**
     * A record's key.
     *
     * @param i index of the record in the batch.
     * @return the key.
     */
    public long key(final int i)
    {
        return UnsafeApi.getLong(null, address + positions[i] + RecordDescriptor.KEY_OFFSET);
    }

    /**
     * Where a record's payload starts in {@link #buffer()}.
     *
     * @param i index of the record in the batch.
     * @return the payload's position.
     */
    public int payloadOffset(final int i)
    {
        return positions[i] + RecordDescriptor.HEADER_LENGTH;
    }

    /**
     * A record's payload length in bytes.
     *
     * @param i index of the record in the batch.
     * @return the payload length.
     */
    public int payloadLength(final int i)
    {
        return UnsafeApi.getInt(null, address + positions[i] + RecordDescriptor.LENGTH_OFFSET) - RecordDescriptor.HEADER_LENGTH;
    }

    /**
     * Starts a read: the reader then stores the frames' positions into the returned array and ends with {@link #size(int)}.
     *
     * @return the positions array, of {@link #capacity()} entries.
     */
    int[] begin(final UnsafeBuffer segmentBuffer, final long offset)
    {
        buffer = segmentBuffer;
        address = segmentBuffer.addressOffset();
        firstOffset = offset;
        size = 0;
        return positions;
    }

    void size(final int size)
    {
        this.size = size;
    }

    void clear()
    {
        size = 0;
    }
}
