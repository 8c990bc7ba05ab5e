package io.sluice.client.wire;

import org.agrona.DirectBuffer;

import static io.sluice.client.wire.FrameDescriptor.BYTE_ORDER;
import static io.sluice.client.wire.FrameDescriptor.FLAGS_OFFSET;
import static io.sluice.client.wire.FrameDescriptor.FRAME_LENGTH_OFFSET;
import static io.sluice.client.wire.FrameDescriptor.HEADER_LENGTH;
import static io.sluice.client.wire.FrameDescriptor.TYPE_OFFSET;
import static io.sluice.client.wire.FrameDescriptor.VERSION;
import static io.sluice.client.wire.FrameDescriptor.VERSION_OFFSET;

/**
 * Checks a received frame completely before anything decodes it or allocates for it: the header,
 * then every length and count of the body against the frame's length and the protocol's bounds, so
 * a frame that passes can be read by its flyweight without leaving it. Reads only inside
 * {@code [offset, offset + length)}; allocates nothing; never throws for any input bytes.
 *
 * <p>Threading: stateless; any thread.
 */
public final class FrameValidator
{
    /** Longest topic, group or member id name. */
    public static final int MAX_NAME_LENGTH = 255;
    /** Longest response channel. */
    public static final int MAX_CHANNEL_LENGTH = 512;
    /** Most partitions a topic may have on the wire. */
    public static final int MAX_PARTITIONS = 4096;

    private FrameValidator()
    {
    }

    /**
     * Validates one frame.
     *
     * @param buffer         holding the frame.
     * @param offset         of the frame.
     * @param length         of the message that carried it.
     * @param maxFrameLength the receiver's limit.
     * @return {@link ErrorCode#OK}, or the kind of malformation found first.
     */
    public static int validate(final DirectBuffer buffer, final int offset, final int length, final int maxFrameLength)
    {
        if (length < HEADER_LENGTH)
        {
            return ErrorCode.TRUNCATED;
        }
        if (length > maxFrameLength)
        {
            return ErrorCode.OVERSIZED;
        }
        if (buffer.getInt(offset + FRAME_LENGTH_OFFSET, BYTE_ORDER) != length)
        {
            return ErrorCode.BAD_LENGTH;
        }
        if ((buffer.getByte(offset + VERSION_OFFSET) & 0xFF) != VERSION || buffer.getByte(offset + FLAGS_OFFSET) != 0)
        {
            return ErrorCode.BAD_VERSION;
        }
        final int type = buffer.getShort(offset + TYPE_OFFSET, BYTE_ORDER) & 0xFFFF;
        switch (type)
        {
            case FrameDescriptor.TYPE_CONNECT:
                return validateConnect(buffer, offset, length);
            case FrameDescriptor.TYPE_CONNECTED:
                return length == ConnectedFlyweight.LENGTH ? ErrorCode.OK : ErrorCode.BAD_LENGTH;
            case FrameDescriptor.TYPE_PUBLISH:
                return validatePublish(buffer, offset, length);
            case FrameDescriptor.TYPE_ACK:
                return validateAck(buffer, offset, length);
            case FrameDescriptor.TYPE_ERROR:
                return validateError(buffer, offset, length);
            case FrameDescriptor.TYPE_SUBSCRIBE:
                return validateSubscribe(buffer, offset, length);
            case FrameDescriptor.TYPE_ASSIGNMENT:
                return validateAssignment(buffer, offset, length);
            case FrameDescriptor.TYPE_RECORD:
                return validateRecord(buffer, offset, length);
            case FrameDescriptor.TYPE_COMMIT:
                return validateCommit(buffer, offset, length);
            case FrameDescriptor.TYPE_HEARTBEAT:
            case FrameDescriptor.TYPE_LEAVE:
                return length == HEADER_LENGTH ? ErrorCode.OK : ErrorCode.BAD_LENGTH;
            default:
                return ErrorCode.UNKNOWN_TYPE;
        }
    }

    /**
     * The frame type of a frame that passed {@link #validate}.
     *
     * @param buffer holding the frame.
     * @param offset of the frame.
     * @return its type.
     */
    public static int type(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + TYPE_OFFSET, BYTE_ORDER) & 0xFFFF;
    }

    private static int validateConnect(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < ConnectFlyweight.CHANNEL_OFFSET)
        {
            return ErrorCode.BAD_LENGTH;
        }
        final int channelLength = buffer.getInt(offset + ConnectFlyweight.CHANNEL_LENGTH_OFFSET, BYTE_ORDER);
        final int topicLength = buffer.getInt(offset + ConnectFlyweight.TOPIC_LENGTH_OFFSET, BYTE_ORDER);
        if (channelLength < 1 || channelLength > MAX_CHANNEL_LENGTH || topicLength < 0 || topicLength > MAX_NAME_LENGTH)
        {
            return ErrorCode.MALFORMED_BODY;
        }
        if (length != ConnectFlyweight.CHANNEL_OFFSET + channelLength + topicLength)
        {
            return ErrorCode.BAD_LENGTH;
        }
        return printable(buffer, offset + ConnectFlyweight.CHANNEL_OFFSET, channelLength + topicLength) ?
            ErrorCode.OK : ErrorCode.MALFORMED_BODY;
    }

    private static int validatePublish(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < PublishFlyweight.EVENT_OFFSET)
        {
            return ErrorCode.BAD_LENGTH;
        }
        final int durability = buffer.getByte(offset + PublishFlyweight.DURABILITY_OFFSET) & 0xFF;
        final int eventLength = buffer.getInt(offset + PublishFlyweight.EVENT_LENGTH_OFFSET, BYTE_ORDER);
        if ((durability != Durability.JOURNALED && durability != Durability.DURABLE) ||
            eventLength < 0 || buffer.getLong(offset + PublishFlyweight.PRODUCER_SEQUENCE_OFFSET, BYTE_ORDER) <= 0)
        {
            return ErrorCode.MALFORMED_BODY;
        }
        return length == PublishFlyweight.EVENT_OFFSET + (long)eventLength ? ErrorCode.OK : ErrorCode.BAD_LENGTH;
    }

    private static int validateAck(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length != AckFlyweight.LENGTH)
        {
            return ErrorCode.BAD_LENGTH;
        }
        final int level = buffer.getByte(offset + AckFlyweight.LEVEL_OFFSET) & 0xFF;
        return level >= Durability.JOURNALED && level <= Durability.COMMITTED ? ErrorCode.OK : ErrorCode.MALFORMED_BODY;
    }

    private static int validateError(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < ErrorFlyweight.MESSAGE_OFFSET)
        {
            return ErrorCode.BAD_LENGTH;
        }
        final int messageLength = buffer.getInt(offset + ErrorFlyweight.MESSAGE_LENGTH_OFFSET, BYTE_ORDER);
        if (messageLength < 0 || messageLength > ErrorFlyweight.MAX_MESSAGE_LENGTH)
        {
            return ErrorCode.MALFORMED_BODY;
        }
        return length == ErrorFlyweight.MESSAGE_OFFSET + messageLength ? ErrorCode.OK : ErrorCode.BAD_LENGTH;
    }

    private static int validateSubscribe(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < SubscribeFlyweight.NAMES_OFFSET)
        {
            return ErrorCode.BAD_LENGTH;
        }
        final int timeout = buffer.getInt(offset + SubscribeFlyweight.SESSION_TIMEOUT_OFFSET, BYTE_ORDER);
        final int topicLength = buffer.getInt(offset + SubscribeFlyweight.TOPIC_LENGTH_OFFSET, BYTE_ORDER);
        final int groupLength = buffer.getInt(offset + SubscribeFlyweight.GROUP_LENGTH_OFFSET, BYTE_ORDER);
        final int memberLength = buffer.getInt(offset + SubscribeFlyweight.MEMBER_LENGTH_OFFSET, BYTE_ORDER);
        if (timeout <= 0 || !nameLength(topicLength) || !nameLength(groupLength) || !nameLength(memberLength))
        {
            return ErrorCode.MALFORMED_BODY;
        }
        final int namesLength = topicLength + groupLength + memberLength;
        if (length != SubscribeFlyweight.NAMES_OFFSET + namesLength)
        {
            return ErrorCode.BAD_LENGTH;
        }
        return printable(buffer, offset + SubscribeFlyweight.NAMES_OFFSET, namesLength) ? ErrorCode.OK : ErrorCode.MALFORMED_BODY;
    }

    private static int validateAssignment(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < AssignmentFlyweight.ENTRIES_OFFSET)
        {
            return ErrorCode.BAD_LENGTH;
        }
        final int partitionCount = buffer.getInt(offset + AssignmentFlyweight.PARTITION_COUNT_OFFSET, BYTE_ORDER);
        final int ownedCount = buffer.getInt(offset + AssignmentFlyweight.OWNED_COUNT_OFFSET, BYTE_ORDER);
        if (partitionCount < 0 || partitionCount > MAX_PARTITIONS || ownedCount < 0 || ownedCount > partitionCount)
        {
            return ErrorCode.MALFORMED_BODY;
        }
        if (length != AssignmentFlyweight.ENTRIES_OFFSET + AssignmentFlyweight.ENTRY_LENGTH * ownedCount)
        {
            return ErrorCode.BAD_LENGTH;
        }
        for (int i = 0; i < ownedCount; i++)
        {
            final int at = offset + AssignmentFlyweight.ENTRIES_OFFSET + i * AssignmentFlyweight.ENTRY_LENGTH;
            final int partition = buffer.getInt(at, BYTE_ORDER);
            if (partition < 0 || partition >= partitionCount || buffer.getLong(at + 8, BYTE_ORDER) < 0)
            {
                return ErrorCode.MALFORMED_BODY;
            }
        }
        return ErrorCode.OK;
    }

    private static int validateRecord(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < RecordFlyweight.PAYLOAD_OFFSET)
        {
            return ErrorCode.BAD_LENGTH;
        }
        final int partition = buffer.getInt(offset + RecordFlyweight.PARTITION_OFFSET, BYTE_ORDER);
        final int payloadLength = buffer.getInt(offset + RecordFlyweight.PAYLOAD_LENGTH_OFFSET, BYTE_ORDER);
        if (partition < 0 || partition >= MAX_PARTITIONS || payloadLength < 0 ||
            buffer.getLong(offset + RecordFlyweight.RECORD_OFFSET_OFFSET, BYTE_ORDER) < 0)
        {
            return ErrorCode.MALFORMED_BODY;
        }
        return length == RecordFlyweight.PAYLOAD_OFFSET + (long)payloadLength ? ErrorCode.OK : ErrorCode.BAD_LENGTH;
    }

    private static int validateCommit(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < CommitFlyweight.ENTRIES_OFFSET)
        {
            return ErrorCode.BAD_LENGTH;
        }
        final int count = buffer.getInt(offset + CommitFlyweight.ENTRY_COUNT_OFFSET, BYTE_ORDER);
        if (count < 0 || count > MAX_PARTITIONS)
        {
            return ErrorCode.MALFORMED_BODY;
        }
        if (length != CommitFlyweight.ENTRIES_OFFSET + CommitFlyweight.ENTRY_LENGTH * count)
        {
            return ErrorCode.BAD_LENGTH;
        }
        for (int i = 0; i < count; i++)
        {
            final int at = offset + CommitFlyweight.ENTRIES_OFFSET + i * CommitFlyweight.ENTRY_LENGTH;
            final int partition = buffer.getInt(at, BYTE_ORDER);
            if (partition < 0 || partition >= MAX_PARTITIONS || buffer.getLong(at + 8, BYTE_ORDER) < 0)
            {
                return ErrorCode.MALFORMED_BODY;
            }
        }
        return ErrorCode.OK;
    }

    private static boolean nameLength(final int length)
    {
        return length >= 1 && length <= MAX_NAME_LENGTH;
    }

    private static boolean printable(final DirectBuffer buffer, final int offset, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            final byte b = buffer.getByte(offset + i);
            if (b < 0x20 || b > 0x7E)
            {
                return false;
            }
        }
        return true;
    }
}
