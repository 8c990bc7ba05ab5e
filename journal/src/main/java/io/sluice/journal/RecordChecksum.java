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
