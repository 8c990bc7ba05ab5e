package io.sluice.journal;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WordCopyTest
{
    private static final int SIZE = 256;

    @Test
    void shouldCopyAsPutBytesDoesBetweenHeapAndOffHeapBuffersOfEveryLengthAndAlignment()
    {
        final long seed = 20261207L;
        final SplittableRandom random = new SplittableRandom(seed);
        for (final boolean srcDirect : new boolean[] {false, true})
        {
            for (final boolean dstDirect : new boolean[] {false, true})
            {
                final UnsafeBuffer src = buffer(srcDirect);
                for (int i = 0; i < SIZE; i++)
                {
                    src.putByte(i, (byte)random.nextInt(256));
                }
                for (int length = 0; length <= WordCopy.MAX_LENGTH + 16; length++)
                {
                    for (int misalign = 0; misalign < 8; misalign++)
                    {
                        final int srcIndex = 3 + misalign;
                        final int dstIndex = 11 + 2 * misalign;
                        final UnsafeBuffer expected = buffer(dstDirect);
                        final UnsafeBuffer actual = buffer(dstDirect);
                        fill(expected, (byte)0x5A);
                        fill(actual, (byte)0x5A);
                        expected.putBytes(dstIndex, src, srcIndex, length);
                        WordCopy.copy(actual, dstIndex, src, srcIndex, length);
                        assertArrayEquals(bytes(expected), bytes(actual),
                            "seed " + seed + ", src direct " + srcDirect + ", dst direct " + dstDirect + ", length " + length +
                            ", src " + srcIndex + ", dst " + dstIndex);
                    }
                }
            }
        }
    }

    @Test
    void shouldRefuseACopyPastEitherBufferAsPutBytesDoes()
    {
        final MutableDirectBuffer dst = new UnsafeBuffer(new byte[32]);
        final DirectBuffer src = new UnsafeBuffer(ByteBuffer.allocateDirect(32));
        assertThrows(IndexOutOfBoundsException.class, () -> WordCopy.copy(dst, 16, src, 0, 24));
        assertThrows(IndexOutOfBoundsException.class, () -> WordCopy.copy(dst, 0, src, 16, 24));
    }

    private static UnsafeBuffer buffer(final boolean direct)
    {
        return direct ? new UnsafeBuffer(ByteBuffer.allocateDirect(SIZE)) : new UnsafeBuffer(new byte[SIZE]);
    }

    private static void fill(final UnsafeBuffer buffer, final byte value)
    {
        buffer.setMemory(0, SIZE, value);
    }

    private static byte[] bytes(final DirectBuffer buffer)
    {
        final byte[] copy = new byte[SIZE];
        buffer.getBytes(0, copy);
        return copy;
    }
}
