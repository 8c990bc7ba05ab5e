package io.sluice.journal;

import org.agrona.UnsafeApi;

/**
 * Copies of a few dozen bytes into off-heap memory, 8 bytes at a time, for the events of the hot paths (a
 * ring slot, a journal frame): below {@link #MAX_LENGTH} bytes a call through {@code Unsafe.copyMemory} (its
 * argument checks, then the JDK's copy stub) costs more than the copy itself. No bounds are checked here:
 * callers check them as their buffers do.
 */
public final class WordCopy
{
    /** Longest copy done word by word; longer ones should go through {@code Unsafe.copyMemory}. */
    public static final int MAX_LENGTH = 64;

    private WordCopy()
    {
    }

    /**
     * Copies {@code length} bytes, 8 at a time and then the rest byte by byte.
     *
     * @param srcBase    the source's heap array, or null for off-heap memory.
     * @param srcAddress address of the first byte (within {@code srcBase} if not null, as Unsafe addresses it).
     * @param dstAddress off-heap address to copy to.
     * @param length     bytes to copy.
     */
    public static void toOffHeap(final Object srcBase, final long srcAddress, final long dstAddress, final int length)
    {
        int i = 0;
        for (; i <= length - Long.BYTES; i += Long.BYTES)
        {
            UnsafeApi.putLong(null, dstAddress + i, UnsafeApi.getLong(srcBase, srcAddress + i));
        }
        for (; i < length; i++)
        {
            UnsafeApi.putByte(null, dstAddress + i, UnsafeApi.getByte(srcBase, srcAddress + i));
        }
    }
}
