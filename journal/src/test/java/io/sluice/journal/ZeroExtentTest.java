package io.sluice.journal;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The zero-extent scan recovery runs over a tail segment's unwritten space, against a byte-by-byte
 * reference: one non-zero byte at every position around the scan's 64-byte steps, from every start,
 * over heap and direct (mapped-like) memory.
 */
class ZeroExtentTest
{
    @Test
    void shouldFindTheLastNonZeroByteWhereverItLies()
    {
        for (final boolean direct : new boolean[] {false, true})
        {
            final int capacity = 515; // not a multiple of the 64-byte step or of 8
            final UnsafeBuffer buffer = direct ?
                new UnsafeBuffer(ByteBuffer.allocateDirect(capacity)) : new UnsafeBuffer(new byte[capacity]);
            for (int from = 0; from <= capacity; from += 7)
            {
                assertThat(SegmentScanner.extentOfNonZero(buffer, from)).as("all zero from %d", from).isEqualTo(from);
                for (int position = 0; position < capacity; position++)
                {
                    buffer.putByte(position, (byte)0x40);
                    assertThat(SegmentScanner.extentOfNonZero(buffer, from))
                        .as("direct %s, non-zero byte at %d, from %d", direct, position, from)
                        .isEqualTo(reference(buffer, from));
                    buffer.putByte(position, (byte)0);
                }
            }
        }
    }

    @Test
    void shouldMatchTheReferenceOnRandomSparseContent()
    {
        final long seed = System.nanoTime();
        final SplittableRandom random = new SplittableRandom(seed);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024 + 40));
        for (int round = 0; round < 200; round++)
        {
            buffer.setMemory(0, buffer.capacity(), (byte)0);
            final int writes = random.nextInt(4);
            for (int i = 0; i < writes; i++)
            {
                buffer.putByte(random.nextInt(buffer.capacity()), (byte)(1 + random.nextInt(255)));
            }
            final int from = random.nextInt(buffer.capacity() + 1);
            assertThat(SegmentScanner.extentOfNonZero(buffer, from)).as("seed %d round %d", seed, round)
                .isEqualTo(reference(buffer, from));
        }
    }

    private static int reference(final UnsafeBuffer buffer, final int from)
    {
        for (int end = buffer.capacity(); end > from; end--)
        {
            if (buffer.getByte(end - 1) != 0)
            {
                return end;
            }
        }
        return from;
    }
}
