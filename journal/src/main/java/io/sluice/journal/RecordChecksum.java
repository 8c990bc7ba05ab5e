package io.sluice.journal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.checksum.Crc32c;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * CRC32C of a record: bytes [{@link RecordDescriptor#TYPE_OFFSET}, frameLength) of the frame. The
 * length itself is covered implicitly: a different length checksums a different range.
 *
 * <p>Computed by address with the JDK's CRC32C intrinsic through Agrona's {@link Crc32c}, which
 * needs {@code --add-opens java.base/java.util.zip=ALL-UNNAMED} (part of the project's JVM flags);
 * without it, through a {@link ByteBuffer} view of the same mapping, which gives the same value
 * and costs a little more.
 *
 * <p>Threading: one instance per thread (the fallback keeps per-call state).
 */
final class RecordChecksum
{
    private static final boolean BY_ADDRESS = probe();

    private final CRC32C crc = new CRC32C();

    private static boolean probe()
    {
        try
        {
            return Crc32c.INSTANCE != null;
        }
        catch (final Throwable ex)
        {
            return false;
        }
    }

    /**
     * Whether checksums use the address-based intrinsic.
     *
     * @return true when {@code java.util.zip} is opened to Agrona.
     */
    static boolean byAddress()
    {
        return BY_ADDRESS;
    }

    /**
     * The value stored in a frame's CRC32C field for a computed checksum (segment format version 2):
     * the checksum itself, except that the "not yet checksummed" marker is stored as {@link RecordDescriptor#CRC_ALIAS}.
     *
     * @param crc computed by {@link #compute}.
     * @return the value to store.
     */
    static int stored(final int crc)
    {
        return crc == RecordDescriptor.UNCHECKSUMMED ? RecordDescriptor.CRC_ALIAS : crc;
    }

    /**
     * Whether a frame's stored CRC32C field matches its bytes.
     *
     * @param buffer      over the segment.
     * @param view        a duplicate of the segment's mapping owned by the calling thread (fallback path).
     * @param position    of the frame.
     * @param frameLength of the frame.
     * @param legacy      whether the segment is of format version 1 (the marker's value is an ordinary checksum).
     * @return true if the stored value is the frame's checksum; never for an unchecksummed version-2 frame.
     */
    boolean matches(
        final UnsafeBuffer buffer, final ByteBuffer view, final int position, final int frameLength, final boolean legacy)
    {
        final int crc = compute(buffer, view, position, frameLength);
        return buffer.getInt(position + RecordDescriptor.CRC_OFFSET) == (legacy ? crc : stored(crc));
    }

    /**
     * Checksums a frame and stores the result in its CRC32C field (one aligned 32-bit store).
     *
     * @param buffer      over the segment.
     * @param view        a duplicate of the segment's mapping owned by the calling thread (fallback path).
     * @param position    of the frame.
     * @param frameLength of the frame.
     */
    void store(final UnsafeBuffer buffer, final ByteBuffer view, final int position, final int frameLength)
    {
        buffer.putInt(position + RecordDescriptor.CRC_OFFSET, stored(compute(buffer, view, position, frameLength)));
    }

    /**
     * As {@link #store}, for a frame the caller has already checked lies whole within the buffer (its header and its
     * length): by address, with no bounds check of its own (the checksum duty's walk over published frames,
     * {@link ChecksumCursor}); without the address-based intrinsic, through the view as {@link #store}.
     *
     * @param buffer      over the segment.
     * @param view        a duplicate of the segment's mapping owned by the calling thread (fallback path).
     * @param position    of the frame, checked by the caller.
     * @param frameLength of the frame, checked by the caller to end within the buffer.
     */
    void storeAt(final UnsafeBuffer buffer, final ByteBuffer view, final int position, final int frameLength)
    {
        if (BY_ADDRESS)
        {
            final long frame = buffer.addressOffset() + position;
            // One aligned 32-bit store: a frame is either unchecksummed or carries its whole checksum (RecordDescriptor).
            UnsafeApi.putInt(null, frame + RecordDescriptor.CRC_OFFSET, stored(Crc32c.INSTANCE.compute(
                frame, RecordDescriptor.TYPE_OFFSET, frameLength - RecordDescriptor.TYPE_OFFSET)));
        }
        else
        {
            store(buffer, view, position, frameLength);
        }
    }

    /**
     * Checksums every frame of a run laid out from byte 0 of a buffer and stores each one's CRC32C in its field, in one
     * pass: a staged writer's run before it goes to the file ({@link StagedFrames}). The same values as {@link #store}
     * frame by frame; by address (the frames' lengths read and their checksums stored with plain loads and stores, no
     * bounds check per frame: the run is the writer's own, whole frames within the buffer by construction), so that what
     * remains per frame is the intrinsic's call, about 3.8 ns for a 56-byte frame on this project's 2-core EPYC VM
     * against 4.9 ns frame by frame through the buffer (perf/README.md section 122). Without the address-based
     * intrinsic, frame by frame through the view.
     *
     * @param frames whose byte 0 is the first frame's first byte.
     * @param view   a duplicate of the buffer's memory owned by the calling thread (fallback path).
     * @param length of the run in bytes: the end of its last frame, aligned.
     */
    void storeRun(final UnsafeBuffer frames, final ByteBuffer view, final int length)
    {
        if (DirectBuffer.SHOULD_BOUNDS_CHECK)
        {
            frames.boundsCheck(0, length);
        }
        if (BY_ADDRESS)
        {
            storeRunByAddress(frames.addressOffset(), length);
        }
        else
        {
            storeRunFrameByFrame(frames, view, length);
        }
    }

    /**
     * {@link #storeRun} by address: the address-based intrinsic must be available ({@link #byAddress()}).
     *
     * @param address of the run's first frame.
     * @param length  of the run in bytes.
     */
    static void storeRunByAddress(final long address, final int length)
    {
        final Crc32c crc32c = Crc32c.INSTANCE;
        final long end = address + length;
        for (long frame = address; frame < end; )
        {
            final int frameLength = UnsafeApi.getInt(null, frame + RecordDescriptor.LENGTH_OFFSET);
            assert frameLength >= RecordDescriptor.HEADER_LENGTH :
                "frame length " + frameLength + " at run byte " + (frame - address);
            // Single-thread staging memory: a plain store; the run reaches other threads through the file or a release.
            UnsafeApi.putInt(null, frame + RecordDescriptor.CRC_OFFSET,
                stored(crc32c.compute(frame, RecordDescriptor.TYPE_OFFSET, frameLength - RecordDescriptor.TYPE_OFFSET)));
            frame += frameLength + RecordDescriptor.FRAME_ALIGNMENT - 1 & -RecordDescriptor.FRAME_ALIGNMENT;
        }
    }

    /**
     * {@link #storeRun} frame by frame through the buffer and, without the address-based intrinsic, the view: the
     * fallback, and the reference the run's pass is tested against.
     *
     * @param frames whose byte 0 is the first frame's first byte.
     * @param view   a duplicate of the buffer's memory owned by the calling thread (fallback path).
     * @param length of the run in bytes.
     */
    void storeRunFrameByFrame(final UnsafeBuffer frames, final ByteBuffer view, final int length)
    {
        for (int at = 0; at < length; )
        {
            final int frameLength = frames.getInt(at + RecordDescriptor.LENGTH_OFFSET);
            store(frames, view, at, frameLength);
            at += RecordDescriptor.alignedFrameLength(frameLength - RecordDescriptor.HEADER_LENGTH);
        }
    }

    /**
     * Checksums a frame.
     *
     * @param buffer      over the segment.
     * @param view        a duplicate of the segment's mapping owned by the calling thread (fallback path).
     * @param position    of the frame.
     * @param frameLength of the frame.
     * @return the CRC32C.
     */
    int compute(final UnsafeBuffer buffer, final ByteBuffer view, final int position, final int frameLength)
    {
        if (BY_ADDRESS)
        {
            return Crc32c.INSTANCE.compute(
                buffer.addressOffset(), position + RecordDescriptor.TYPE_OFFSET, frameLength - RecordDescriptor.TYPE_OFFSET);
        }
        crc.reset();
        view.limit(position + frameLength).position(position + RecordDescriptor.TYPE_OFFSET);
        crc.update(view);
        return (int)crc.getValue();
    }
}
