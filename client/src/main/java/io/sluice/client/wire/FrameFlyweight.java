package io.sluice.client.wire;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.sluice.client.wire.FrameDescriptor.BYTE_ORDER;
import static io.sluice.client.wire.FrameDescriptor.FLAGS_OFFSET;
import static io.sluice.client.wire.FrameDescriptor.FRAME_LENGTH_OFFSET;
import static io.sluice.client.wire.FrameDescriptor.HEADER_LENGTH;
import static io.sluice.client.wire.FrameDescriptor.SESSION_ID_OFFSET;
import static io.sluice.client.wire.FrameDescriptor.TYPE_OFFSET;
import static io.sluice.client.wire.FrameDescriptor.VERSION;
import static io.sluice.client.wire.FrameDescriptor.VERSION_OFFSET;

/**
 * Base of the frame flyweights: a view over one frame's bytes (see {@link FrameDescriptor} for the
 * header). Wrapping allocates nothing; the view's own bounds checks follow Agrona's
 * {@code agrona.disable.bounds.checks}. Decode only frames {@link FrameValidator} accepted: the
 * accessors trust the lengths inside the frame.
 *
 * <p>Threading: a flyweight is owned by one thread.
 */
public abstract class FrameFlyweight
{
    /** The view over the frame; field offsets are relative to the frame's start. */
    protected final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);

    /**
     * Wraps a frame, to decode it or to encode into it.
     *
     * @param source holding the frame.
     * @param offset of the frame's first byte.
     * @param length of the frame, or the space available when encoding.
     * @return this.
     */
    public FrameFlyweight wrap(final DirectBuffer source, final int offset, final int length)
    {
        buffer.wrap(source, offset, length);
        return this;
    }

    /**
     * The view over the wrapped frame, to read variable-length fields at the offsets given.
     *
     * @return the view; offset 0 is the frame's first byte.
     */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * The frame length field.
     *
     * @return the frame's length in bytes, header included.
     */
    public int frameLength()
    {
        return buffer.getInt(FRAME_LENGTH_OFFSET, BYTE_ORDER);
    }

    /**
     * The frame type field.
     *
     * @return one of {@code FrameDescriptor.TYPE_*}.
     */
    public int type()
    {
        return buffer.getShort(TYPE_OFFSET, BYTE_ORDER) & 0xFFFF;
    }

    /**
     * The protocol version field.
     *
     * @return the version the sender speaks.
     */
    public int version()
    {
        return buffer.getByte(VERSION_OFFSET) & 0xFF;
    }

    /**
     * The session id field.
     *
     * @return the session the frame belongs to, 0 in CONNECT.
     */
    public long sessionId()
    {
        return buffer.getLong(SESSION_ID_OFFSET, BYTE_ORDER);
    }

    /**
     * Writes the header.
     *
     * @param type        of the frame.
     * @param frameLength of the whole frame.
     * @param sessionId   of the frame.
     */
    protected final void putHeader(final int type, final int frameLength, final long sessionId)
    {
        buffer.putInt(FRAME_LENGTH_OFFSET, frameLength, BYTE_ORDER);
        buffer.putShort(TYPE_OFFSET, (short)type, BYTE_ORDER);
        buffer.putByte(VERSION_OFFSET, (byte)VERSION);
        buffer.putByte(FLAGS_OFFSET, (byte)0);
        buffer.putLong(SESSION_ID_OFFSET, sessionId, BYTE_ORDER);
    }

    /**
     * Encodes a header-only frame (HEARTBEAT, LEAVE).
     *
     * @param type      of the frame.
     * @param sessionId of the frame.
     * @return the frame length.
     */
    public int encodeHeaderOnly(final int type, final long sessionId)
    {
        putHeader(type, HEADER_LENGTH, sessionId);
        return HEADER_LENGTH;
    }

    /**
     * Reads an ASCII string field. Allocates: control path only (connect, subscribe, errors).
     *
     * @param offset of the string in the frame.
     * @param length of the string in bytes.
     * @return the string.
     */
    protected final String getAscii(final int offset, final int length)
    {
        return buffer.getStringWithoutLengthAscii(offset, length);
    }

    /**
     * Writes an ASCII string field (non-ASCII characters become '?').
     *
     * @param offset of the string in the frame.
     * @param value  to write.
     * @return bytes written.
     */
    protected final int putAscii(final int offset, final String value)
    {
        final byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        buffer.putBytes(offset, bytes);
        return bytes.length;
    }

    /**
     * The length a string field takes on the wire.
     *
     * @param value to encode.
     * @return its length in bytes.
     */
    public static int asciiLength(final String value)
    {
        return value.length();
    }
}
