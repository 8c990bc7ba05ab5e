package io.sluice.journal;

import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Zero-copy flyweight over one record in a mapped segment; see {@link RecordDescriptor} for the
 * layout. Valid only for the duration of the {@link RecordHandler} call that received it. The reader has judged the
 * frame whole within its segment before delivering it, so the header accessors read without a further bounds check;
 * the payload is read through {@link #buffer()}.
 */
public final class RecordView
{
    private UnsafeBuffer buffer;
    /** Address of the mapped segment, for the header reads (a constant null base: the JIT compiles plain loads). */
    private long address;
    private int position;
    private long offset;

    /**
     * Views records of this buffer from now on ({@link #at}).
     *
     * @param buffer over the segment.
     * @return this view.
     */
    RecordView wrap(final UnsafeBuffer buffer)
    {
        this.buffer = buffer;
        this.address = buffer.addressOffset();
        return this;
    }

    /**
     * Views the record at a position of the wrapped buffer, a frame judged whole within it.
     *
     * @param position of the frame.
     * @param offset   of the record in its partition.
     * @return this view.
     */
    RecordView at(final int position, final long offset)
    {
        this.position = position;
        this.offset = offset;
        return this;
    }

    /**
     * The record's offset in its partition.
     *
     * @return the record's offset.
     */
    public long offset()
    {
        return offset;
    }

    /**
     * The record's 16-bit type, as an unsigned value.
     *
     * @return the record's type.
     */
    public int type()
    {
        return UnsafeApi.getShort(null, address + position + RecordDescriptor.TYPE_OFFSET) & 0xFFFF;
    }

    /**
     * The record's 16 flag bits, as an unsigned value.
     *
     * @return the record's flags.
     */
    public int flags()
    {
        return UnsafeApi.getShort(null, address + position + RecordDescriptor.FLAGS_OFFSET) & 0xFFFF;
    }

    /**
     * The record's timestamp.
     *
     * @return the record's timestamp.
     */
    public long timestamp()
    {
        return UnsafeApi.getLong(null, address + position + RecordDescriptor.TIMESTAMP_OFFSET);
    }

    /**
     * The record's key.
     *
     * @return the record's key.
     */
    public long key()
    {
        return UnsafeApi.getLong(null, address + position + RecordDescriptor.KEY_OFFSET);
    }

    /**
     * The buffer holding the record (the mapped segment).
     *
     * @return the buffer to read the payload from.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Where the payload starts in {@link #buffer()}.
     *
     * @return the payload offset.
     */
    public int payloadOffset()
    {
        return position + RecordDescriptor.HEADER_LENGTH;
    }

    /**
     * The payload's length in bytes.
     *
     * @return the payload length.
     */
    public int payloadLength()
    {
        return UnsafeApi.getInt(null, address + position + RecordDescriptor.LENGTH_OFFSET) - RecordDescriptor.HEADER_LENGTH;
    }

    /**
     * The stored CRC32C field of the record: {@link RecordDescriptor#UNCHECKSUMMED} until the journal's
     * checksum duty, or a force(), has stored the record's checksum (see {@link RecordDescriptor}).
     *
     * @return the stored checksum, or the "not yet checksummed" marker.
     */
    public int checksum()
    {
        return UnsafeApi.getInt(null, address + position + RecordDescriptor.CRC_OFFSET);
    }
}
