package io.sluice.journal;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Zero-copy flyweight over one record in a mapped segment; see {@link RecordDescriptor} for the
 * layout. Valid only for the duration of the {@link RecordHandler} call that received it.
 */
public final class RecordView
{
    private UnsafeBuffer buffer;
    private int position;
    private long offset;

    RecordView wrap(final UnsafeBuffer buffer, final int position, final long offset)
    {
        this.buffer = buffer;
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
        return buffer.getShort(position + RecordDescriptor.TYPE_OFFSET) & 0xFFFF;
    }

    /**
     * The record's 16 flag bits, as an unsigned value.
     *
     * @return the record's flags.
     */
    public int flags()
    {
        return buffer.getShort(position + RecordDescriptor.FLAGS_OFFSET) & 0xFFFF;
    }

    /**
     * The record's timestamp.
     *
     * @return the record's timestamp.
     */
    public long timestamp()
    {
        return buffer.getLong(position + RecordDescriptor.TIMESTAMP_OFFSET);
    }

    /**
     * The record's key.
     *
     * @return the record's key.
     */
    public long key()
    {
        return buffer.getLong(position + RecordDescriptor.KEY_OFFSET);
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
        return buffer.getInt(position + RecordDescriptor.LENGTH_OFFSET) - RecordDescriptor.HEADER_LENGTH;
    }

    /**
     * The stored CRC32C field of the record: {@link RecordDescriptor#UNCHECKSUMMED} until the journal's
     * checksum duty, or a force(), has stored the record's checksum (see {@link RecordDescriptor}).
     *
     * @return the stored checksum, or the "not yet checksummed" marker.
     */
    public int checksum()
    {
        return buffer.getInt(position + RecordDescriptor.CRC_OFFSET);
    }
}
