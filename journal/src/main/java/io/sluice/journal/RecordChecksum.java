package io.sluice.journal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

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
