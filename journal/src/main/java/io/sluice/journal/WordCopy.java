package io.sluice.journal;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;

/**
 * Copies of a few dozen bytes, 8 bytes at a time, for the events of the hot paths (a ring slot, a journal frame, a
 * join's records and rows): below {@link #MAX_LENGTH} bytes a call through {@code Unsafe.copyMemory} (its argument
 * checks, then the JDK's copy stub) costs more than the copy itself. The address forms check no bounds (callers check
 * them as their buffers do); {@link #copy(MutableDirectBuffer, int, DirectBuffer, int, int)} checks them as
 * {@code UnsafeBuffer.putBytes} does.
 */
public final class WordCopy
{
    /** Longest copy done word by word; longer ones should go through {@code Unsafe.copyMemory}. */
    public static final int MAX_LENGTH = 64;

    private WordCopy()
    {
    }

    /**
     * Copies {@code length} bytes into off-heap memory, 8 at a time and then the rest byte by byte.
     *
     * @param srcBase    the source's heap array, or null for off-heap memory.
     * @param srcAddress address of the first byte (within {@code srcBase} if not null, as Unsafe addresses it).
     * @param dstAddress off-heap address to copy to.
     * @param length     bytes to copy.
     */
    public static void toOffHeap(final Object srcBase, final long srcAddress, final long dstAddress, final int length)
    {
        copy(srcBase, srcAddress, null, dstAddress, length);
    }

    /**
     * Copies {@code length} bytes, 8 at a time and then the rest byte by byte, between memory on or off the heap.
     *
     * @param srcBase    the source's heap array, or null for off-heap memory.
     * @param srcAddress address of the first byte (within {@code srcBase} if not null, as Unsafe addresses it).
     * @param dstBase    the destination's heap array, or null for off-heap memory.
     * @param dstAddress address to copy to (within {@code dstBase} if not null).
     * @param length     bytes to copy.
     */
    public static void copy(
        final Object srcBase, final long srcAddress, final Object dstBase, final long dstAddress, final int length)
    {
        int i = 0;
        for (; i <= length - Long.BYTES; i += Long.BYTES)
        {
            UnsafeApi.putLong(dstBase, dstAddress + i, UnsafeApi.getLong(srcBase, srcAddress + i));
        }
        for (; i < length; i++)
        {
            UnsafeApi.putByte(dstBase, dstAddress + i, UnsafeApi.getByte(srcBase, srcAddress + i));
        }
    }

    /**
     * Copies {@code length} bytes from one buffer to another, as {@code dst.putBytes(dstIndex, src, srcIndex, length)}
     * does, with the same bounds checks: word by word up to {@link #MAX_LENGTH} bytes, through {@code putBytes} beyond.
     *
     * @param dst      to copy to.
     * @param dstIndex of the first byte written in {@code dst}.
     * @param src      to copy from.
     * @param srcIndex of the first byte read in {@code src}.
     * @param length   bytes to copy.
     */
    public static void copy(
        final MutableDirectBuffer dst, final int dstIndex, final DirectBuffer src, final int srcIndex, final int length)
    {
        if (length > MAX_LENGTH)
        {
            dst.putBytes(dstIndex, src, srcIndex, length);
            return;
        }
        if (DirectBuffer.SHOULD_BOUNDS_CHECK)
        {
            dst.boundsCheck(dstIndex, length);
            src.boundsCheck(srcIndex, length);
        }
        copy(src.byteArray(), src.addressOffset() + srcIndex, dst.byteArray(), dst.addressOffset() + dstIndex, length);
    }
}
