package io.sluice.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The zero-extent scan recovery runs over a tail segment's unwritten space, against a byte-by-byte
 * reference: one non-zero byte at every position around the scan's 64-byte steps, from every start,
 * over heap and direct (mapped-like) memory; and the scan of a segment's file by positioned reads (what a
 * partition's open runs over its tail segment) against the same reference, around its stretches' edges, over a
 * real file, also one shorter than the segment; and the copy of a stretch into the scanning array a chunk at a time,
 * around every word and chunk edge.
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

    @Test
    void shouldFindTheLastNonZeroByteOfAFileAcrossItsReadStretches(@TempDir final Path dir) throws IOException
    {
        final int stretch = SegmentScanner.ZERO_SCAN_STRETCH;
        final int capacity = 2 * stretch + 515;
        final Path file = dir.resolve("segment");
        final byte[] content = new byte[capacity];
        final int[] positions = {0, 1, 63, 64, 514, 515, 516, stretch - 1, stretch, stretch + 1, stretch + 515,
            2 * stretch - 1, 2 * stretch, 2 * stretch + 1, 2 * stretch + 514, capacity - 1};
        final int[] froms = {0, 1, 515, stretch - 1, stretch + 515, 2 * stretch, capacity - 1, capacity};
        for (final int from : froms)
        {
            Files.write(file, content);
            assertThat(SegmentScanner.extentOfNonZero(file, capacity, from)).as("all zero from %d", from).isEqualTo(from);
            for (final int position : positions)
            {
                assertFileExtentWithOneByteSet(file, content, position, (byte)0x40, from);
            }
        }
    }

    @Test
    void shouldMatchTheReferenceOnRandomFilesAndReadPastTheirEndAsZeros(@TempDir final Path dir) throws IOException
    {
        final long seed = System.nanoTime();
        final SplittableRandom random = new SplittableRandom(seed);
        final Path file = dir.resolve("segment");
        final int capacity = 3 * SegmentScanner.ZERO_SCAN_STRETCH + 40;
        for (int round = 0; round < 40; round++)
        {
            // Every other round the file is shorter than the segment: the bytes it lacks read as zeros.
            final byte[] content = new byte[round % 2 == 0 ? capacity : random.nextInt(capacity)];
            final int writes = random.nextInt(4);
            for (int i = 0; i < writes && content.length > 0; i++)
            {
                content[random.nextInt(content.length)] = (byte)(1 + random.nextInt(255));
            }
            Files.write(file, content);
            final UnsafeBuffer whole = new UnsafeBuffer(new byte[capacity]);
            whole.putBytes(0, content);
            final int from = random.nextInt(capacity + 1);
            assertThat(SegmentScanner.extentOfNonZero(file, capacity, from)).as("seed %d round %d", seed, round)
                .isEqualTo(reference(whole, from));
        }
    }

    @Test
    void shouldFindTheLastNonZeroByteOfAStretchAcrossItsCopiedChunks()
    {
        // Chunks of three words: every word and chunk edge of a 515-byte stretch (not a multiple of 8) is crossed.
        final long[] words = new long[3];
        for (final boolean direct : new boolean[] {false, true})
        {
            final int capacity = 515;
            final ByteBuffer bytes = direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
            final UnsafeBuffer reference = new UnsafeBuffer(bytes);
            for (int length = 0; length <= capacity; length += length < 40 ? 1 : 37)
            {
                // Position and limit are not the scan's: set them anywhere.
                bytes.clear().limit(length).position(Math.min(3, length));
                assertThat(SegmentScanner.extentOfNonZero(bytes, length, words)).as("all zero, length %d", length).isZero();
                for (int position = 0; position < length; position++)
                {
                    bytes.put(position, (byte)0x01);
                    assertThat(SegmentScanner.extentOfNonZero(bytes, length, words))
                        .as("direct %s, non-zero byte at %d of %d", direct, position, length)
                        .isEqualTo(reference(new UnsafeBuffer(reference, 0, length), 0));
                    bytes.put(Math.max(0, position - 9), (byte)0x80); // a second one before it changes nothing
                    assertThat(SegmentScanner.extentOfNonZero(bytes, length, words)).isEqualTo(position + 1);
                    bytes.put(Math.max(0, position - 9), (byte)0);
                    bytes.put(position, (byte)0);
                }
            }
        }
    }

    @Test
    void shouldFindTheLastNonZeroByteOfAFileAroundItsChunkEdges(@TempDir final Path dir) throws IOException
    {
        final int stretch = SegmentScanner.ZERO_SCAN_STRETCH;
        final int chunk = SegmentScanner.ZERO_SCAN_WORDS * Long.BYTES;
        final int capacity = 2 * stretch + 100;
        final Path file = dir.resolve("segment");
        final byte[] content = new byte[capacity];
        // Stretches are read from the end backwards, so their chunks' edges lie at capacity - k * stretch + m * chunk.
        final java.util.List<Integer> positions = new java.util.ArrayList<>();
        for (int k = 1; k <= 2; k++)
        {
            for (int m = 0; m * chunk <= stretch; m++)
            {
                final int edge = capacity - k * stretch + m * chunk;
                for (int delta = -9; delta <= 8; delta++)
                {
                    if (edge + delta >= 0 && edge + delta < capacity)
                    {
                        positions.add(edge + delta);
                    }
                }
            }
        }
        for (final int from : new int[] {0, 101, capacity - stretch - 5})
        {
            for (final int position : positions)
            {
                assertFileExtentWithOneByteSet(file, content, position, (byte)0x02, from);
            }
        }
    }

    @Test
    void shouldNameTheFileItCannotRead(@TempDir final Path dir)
    {
        final Path missing = dir.resolve("no-such-segment");
        assertThatThrownBy(() -> SegmentScanner.extentOfNonZero(missing, 4096, 0))
            .isInstanceOf(JournalException.class).hasMessageContaining(missing.toString());
    }

    /** Writes the content with one byte set as the whole file, checks the file's extent from a position, then clears the byte. */
    private static void assertFileExtentWithOneByteSet(
        final Path file, final byte[] content, final int position, final byte value, final int from) throws IOException
    {
        content[position] = value;
        Files.write(file, content);
        assertThat(SegmentScanner.extentOfNonZero(file, content.length, from))
            .as("non-zero byte at %d, from %d", position, from)
            .isEqualTo(reference(new UnsafeBuffer(content), from));
        content[position] = 0;
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
