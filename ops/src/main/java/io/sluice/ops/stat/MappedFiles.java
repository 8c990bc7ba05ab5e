package io.sluice.ops.stat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Allocation of files before they are mapped. A mapped page the file system cannot back (a sparse
 * file on a full disk) fails with SIGBUS on first touch, which the JVM reports as an
 * {@link InternalError} in whichever thread touched it, long after the mapping succeeded. Writing
 * the whole length first makes the file system allocate every block, so a full disk is an
 * {@link IOException} ("No space left on device") at creation instead.
 *
 * <p>Threading: stateless.
 */
public final class MappedFiles
{
    private static final int CHUNK = 64 * 1024;

    private MappedFiles()
    {
    }

    /**
     * Writes zeros over the whole length of a new, empty file.
     *
     * @param channel open for writing on the file.
     * @param length  of the file in bytes.
     * @throws IOException if the blocks cannot be allocated (e.g. no space left on the device).
     */
    public static void allocate(final FileChannel channel, final long length) throws IOException
    {
        final ByteBuffer zeros = ByteBuffer.allocate(CHUNK);
        long position = 0;
        while (position < length)
        {
            zeros.clear().limit((int)Math.min(CHUNK, length - position));
            while (zeros.hasRemaining())
            {
                position += channel.write(zeros, position);
            }
        }
    }
}
