package io.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * A run's checksums stored in one pass by address ({@link RecordChecksum#storeRun}, a staged writer's path) are the
 * values stored frame by frame through the buffer, the marker's alias included, and are what readers verify.
 */
class RecordChecksumTest
{
    private static final int CAPACITY = 64 * 1024;

    private final RecordChecksum checksum = new RecordChecksum();

    @Test
    void shouldStoreForARunTheChecksumsStoredFrameByFrame()
    {
        final long seed = System.nanoTime();
        final SplittableRandom random = new SplittableRandom(seed);
        final UnsafeBuffer byRun = newBuffer();
        final UnsafeBuffer byFrame = newBuffer();
        final int length = fillWithFrames(byRun, random);
        byFrame.putBytes(0, byRun, 0, length);

        checksum.storeRun(byRun, byRun.byteBuffer().duplicate(), length);
        checksum.storeRunFrameByFrame(byFrame, byFrame.byteBuffer().duplicate(), length);

        int frames = 0;
        for (int at = 0; at < length; frames++)
        {
            final int frameLength = byRun.getInt(at + RecordDescriptor.LENGTH_OFFSET);
            assertThat(byRun.getInt(at + RecordDescriptor.CRC_OFFSET)).as("frame at %d, seed %d", at, seed)
                .isEqualTo(byFrame.getInt(at + RecordDescriptor.CRC_OFFSET))
                .isNotEqualTo(RecordDescriptor.UNCHECKSUMMED);
            assertThat(checksum.matches(byRun, null, at, frameLength, false)).as("frame at %d, seed %d", at, seed).isTrue();
            at += RecordDescriptor.alignedFrameLength(frameLength - RecordDescriptor.HEADER_LENGTH);
        }
        assertThat(frames).as("seed %d", seed).isGreaterThan(100);
        for (int at = 0; at < length; at++)
        {
            assertThat(byRun.getByte(at)).as("byte %d, seed %d", at, seed).isEqualTo(byFrame.getByte(at));
        }
    }

    @Test
    void shouldStoreTheAliasInARunForAFrameWhoseChecksumIsTheMarker()
    {
        final UnsafeBuffer frames = newBuffer();
        final int payloadLength = 24;
        final int first = RecordDescriptor.alignedFrameLength(payloadLength);
        writeFrame(frames, 0, payloadLength, new SplittableRandom(1));
        writeFrame(frames, first, payloadLength, new SplittableRandom(2));
        forgeChecksum(frames, first, RecordDescriptor.HEADER_LENGTH + payloadLength, RecordDescriptor.UNCHECKSUMMED);
        assertThat(checksum.compute(frames, null, first, RecordDescriptor.HEADER_LENGTH + payloadLength))
            .as("the forged frame's CRC32C is the marker").isEqualTo(RecordDescriptor.UNCHECKSUMMED);

        checksum.storeRun(frames, null, 2 * first);

        assertThat(frames.getInt(first + RecordDescriptor.CRC_OFFSET)).isEqualTo(RecordDescriptor.CRC_ALIAS);
        assertThat(checksum.matches(frames, null, first, RecordDescriptor.HEADER_LENGTH + payloadLength, false)).isTrue();
        assertThat(checksum.matches(frames, null, 0, RecordDescriptor.HEADER_LENGTH + payloadLength, false)).isTrue();
    }

    private static UnsafeBuffer newBuffer()
    {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY).order(ByteOrder.LITTLE_ENDIAN));
    }

    /**
     * Frames of random payload lengths (0 to 300 bytes, so unaligned ends too) with random bytes, the CRC32C fields
     * holding the marker as a writer leaves them, until the buffer is nearly full.
     *
     * @return the run's length.
     */
    private static int fillWithFrames(final UnsafeBuffer buffer, final SplittableRandom random)
    {
        int at = 0;
        while (true)
        {
            final int payloadLength = random.nextInt(301);
            final int aligned = RecordDescriptor.alignedFrameLength(payloadLength);
            if (at + aligned > CAPACITY)
            {
                return at;
            }
            writeFrame(buffer, at, payloadLength, random);
            at += aligned;
        }
    }

    private static void writeFrame(
        final UnsafeBuffer buffer, final int at, final int payloadLength, final SplittableRandom random)
    {
        final int aligned = RecordDescriptor.alignedFrameLength(payloadLength);
        for (int i = 0; i < aligned; i++)
        {
            buffer.putByte(at + i, (byte)random.nextInt());
        }
        buffer.putInt(at + RecordDescriptor.LENGTH_OFFSET, RecordDescriptor.HEADER_LENGTH + payloadLength);
        buffer.putInt(at + RecordDescriptor.CRC_OFFSET, RecordDescriptor.UNCHECKSUMMED);
    }

    /**
     * Sets the frame's last four bytes so that its CRC32C is {@code target}: over a fixed range the checksum is affine
     * in the bits, so the 32 bits' effects are measured one by one and the wanted change solved for over GF(2).
     */
    private void forgeChecksum(final UnsafeBuffer buffer, final int at, final int frameLength, final int target)
    {
        final int last = at + frameLength - Integer.BYTES;
        buffer.putInt(last, 0);
        final int base = checksum.compute(buffer, null, at, frameLength);
        final int[] rows = new int[Integer.SIZE]; // each bit's effect on the checksum
        final int[] bits = new int[Integer.SIZE]; // which bits of the last four bytes make up that effect
        for (int bit = 0; bit < Integer.SIZE; bit++)
        {
            buffer.putInt(last, 1 << bit);
            rows[bit] = checksum.compute(buffer, null, at, frameLength) ^ base;
            bits[bit] = 1 << bit;
        }
        // Gaussian elimination: row i ends up with pivot bit i of the effect, so any change is a sum of rows.
        for (int pivot = 0; pivot < Integer.SIZE; pivot++)
        {
            int row = pivot;
            while ((rows[row] >>> pivot & 1) == 0)
            {
                row++;
            }
            swap(rows, row, pivot);
            swap(bits, row, pivot);
            for (int other = 0; other < Integer.SIZE; other++)
            {
                if (other != pivot && (rows[other] >>> pivot & 1) != 0)
                {
                    rows[other] ^= rows[pivot];
                    bits[other] ^= bits[pivot];
                }
            }
        }
        final int change = target ^ base;
        int value = 0;
        for (int pivot = 0; pivot < Integer.SIZE; pivot++)
        {
            if ((change >>> pivot & 1) != 0)
            {
                value ^= bits[pivot];
            }
        }
        buffer.putInt(last, value);
    }

    private static void swap(final int[] values, final int i, final int j)
    {
        final int value = values[i];
        values[i] = values[j];
        values[j] = value;
    }
}
