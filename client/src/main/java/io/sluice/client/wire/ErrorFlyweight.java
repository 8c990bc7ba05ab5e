package io.sluice.client.wire;

import static io.sluice.client.wire.FrameDescriptor.BYTE_ORDER;
import static io.sluice.client.wire.FrameDescriptor.HEADER_LENGTH;
import static io.sluice.client.wire.FrameDescriptor.TYPE_ERROR;

/**
 * ERROR (the NACK), server to client: a frame was rejected or a request failed. Nothing the frame
 * asked for happened, and a rejected PUBLISH is never covered by a later ACK.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                      Header (16 bytes)                        |
 *  +---------------------------------------------------------------+
 *  |                          Error Code                           |
 *  +---------------------------------------------------------------+
 *  |                        Message Length                         |
 *  +---------------------------------------------------------------+
 *  |      Reference (producer sequence, correlation or commit id)  |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                       Message (ASCII)                        ...
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class ErrorFlyweight extends FrameFlyweight
{
    /** Offset of the code (int32), an {@link ErrorCode}. */
    public static final int CODE_OFFSET = HEADER_LENGTH;
    /** Offset of the message length (int32). */
    public static final int MESSAGE_LENGTH_OFFSET = HEADER_LENGTH + 4;
    /** Offset of the reference (int64): what the error is about, -1 if unknown. */
    public static final int REFERENCE_OFFSET = HEADER_LENGTH + 8;
    /** Offset of the message. */
    public static final int MESSAGE_OFFSET = HEADER_LENGTH + 16;
    /** Longest message the server sends. */
    public static final int MAX_MESSAGE_LENGTH = 256;

    /**
     * Encodes an ERROR; a longer message is cut to {@link #MAX_MESSAGE_LENGTH}.
     *
     * @param sessionId of the client, 0 if it has none yet.
     * @param code      an {@link ErrorCode}.
     * @param reference producer sequence, correlation id or commit id the error is about, -1 if none.
     * @param message   for a human.
     * @return the frame length.
     */
    public int encode(final long sessionId, final int code, final long reference, final String message)
    {
        final String text = message.length() > MAX_MESSAGE_LENGTH ? message.substring(0, MAX_MESSAGE_LENGTH) : message;
        final int messageLength = putAscii(MESSAGE_OFFSET, text);
        final int length = MESSAGE_OFFSET + messageLength;
        putHeader(TYPE_ERROR, length, sessionId);
        buffer.putInt(CODE_OFFSET, code, BYTE_ORDER);
        buffer.putInt(MESSAGE_LENGTH_OFFSET, messageLength, BYTE_ORDER);
        buffer.putLong(REFERENCE_OFFSET, reference, BYTE_ORDER);
        return length;
    }

    /**
     * The code.
     *
     * @return an {@link ErrorCode}.
     */
    public int code()
    {
        return buffer.getInt(CODE_OFFSET, BYTE_ORDER);
    }

    /**
     * The reference.
     *
     * @return producer sequence, correlation or commit id, or -1.
     */
    public long reference()
    {
        return buffer.getLong(REFERENCE_OFFSET, BYTE_ORDER);
    }

    /**
     * The message length.
     *
     * @return bytes.
     */
    public int messageLength()
    {
        return buffer.getInt(MESSAGE_LENGTH_OFFSET, BYTE_ORDER);
    }

    /**
     * The message. Allocates.
     *
     * @return the message.
     */
    public String message()
    {
        return getAscii(MESSAGE_OFFSET, messageLength());
    }
}
