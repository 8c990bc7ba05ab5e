package io.sluice.client.wire;

import org.agrona.DirectBuffer;

import static io.sluice.client.wire.FrameDescriptor.BYTE_ORDER;
import static io.sluice.client.wire.FrameDescriptor.HEADER_LENGTH;
import static io.sluice.client.wire.FrameDescriptor.TYPE_RECORD;

/**
 * RECORD, server to consumer: one journal record of an owned partition.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                      Header (16 bytes)                        |
 *  +---------------------------------------------------------------+
 *  |                           Partition                           |
 *  +---------------------------------------------------------------+
 *  |                        Payload Length                         |
 *  +---------------------------------------------------------------+
 *  |                       Offset (journal)                        |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    Timestamp (epoch ms)                       |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                              Key                              |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                           Payload                            ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * Frame length = {@link #PAYLOAD_OFFSET} + payload length, exactly.
 */
public final class RecordFlyweight extends FrameFlyweight
{
    /** Offset of the partition (int32). */
    public static final int PARTITION_OFFSET = HEADER_LENGTH;
    /** Offset of the payload length (int32). */
    public static final int PAYLOAD_LENGTH_OFFSET = HEADER_LENGTH + 4;
    /** Offset of the record's journal offset (int64). */
    public static final int RECORD_OFFSET_OFFSET = HEADER_LENGTH + 8;
    /** Offset of the timestamp (int64). */
    public static final int TIMESTAMP_OFFSET = HEADER_LENGTH + 16;
    /** Offset of the key (int64). */
    public static final int KEY_OFFSET = HEADER_LENGTH + 24;
    /** Offset of the payload. */
    public static final int PAYLOAD_OFFSET = HEADER_LENGTH + 32;

    /**
     * Encodes a RECORD.
     *
     * @param sessionId     of the consumer.
     * @param partition     of the record.
     * @param offset        of the record in its partition.
     * @param timestamp     of the record.
     * @param key           of the record.
     * @param payload       holding the record's payload.
     * @param payloadOffset of the payload.
     * @param payloadLength of the payload.
     * @return the frame length.
     */
    public int encode(final long sessionId, final int partition, final long offset, final long timestamp, final long key,
        final DirectBuffer payload, final int payloadOffset, final int payloadLength)
    {
        final int length = PAYLOAD_OFFSET + payloadLength;
        putHeader(TYPE_RECORD, length, sessionId);
        buffer.putInt(PARTITION_OFFSET, partition, BYTE_ORDER);
        buffer.putInt(PAYLOAD_LENGTH_OFFSET, payloadLength, BYTE_ORDER);
        buffer.putLong(RECORD_OFFSET_OFFSET, offset, BYTE_ORDER);
        buffer.putLong(TIMESTAMP_OFFSET, timestamp, BYTE_ORDER);
        buffer.putLong(KEY_OFFSET, key, BYTE_ORDER);
        buffer.putBytes(PAYLOAD_OFFSET, payload, payloadOffset, payloadLength);
        return length;
    }

    /**
     * The partition.
     *
     * @return the partition.
     */
    public int partition()
    {
        return buffer.getInt(PARTITION_OFFSET, BYTE_ORDER);
    }

    /**
     * The payload length.
     *
     * @return bytes.
     */
    public int payloadLength()
    {
        return buffer.getInt(PAYLOAD_LENGTH_OFFSET, BYTE_ORDER);
    }

    /**
     * The record's offset in its partition.
     *
     * @return the journal offset.
     */
    public long offset()
    {
        return buffer.getLong(RECORD_OFFSET_OFFSET, BYTE_ORDER);
    }

    /**
     * The timestamp.
     *
     * @return epoch milliseconds.
     */
    public long timestamp()
    {
        return buffer.getLong(TIMESTAMP_OFFSET, BYTE_ORDER);
    }

    /**
     * The key.
     *
     * @return the key.
     */
    public long key()
    {
        return buffer.getLong(KEY_OFFSET, BYTE_ORDER);
    }
}
