package io.sluice.journal;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An index's entry count at open (the entries before the first with position 0), counted from chunks copied into an
 * array: against the entries written, for counts around the chunks' edges, for both entry layouts, with a non-zero
 * entry after the first empty one (which ends the count all the same) and for a full index.
 */
class MappedIndexCountTest
{
    private static final Path FILE = Path.of("index-under-test");

    @Test
    void shouldCountTheEntriesBeforeTheFirstEmptyOneAcrossChunkEdges()
    {
        // Chunks of 4,096 ints: 2,048 offset entries (8 bytes) or 1,024 time entries (16 bytes).
        final int[] counts = {0, 1, 2, 1023, 1024, 1025, 2047, 2048, 2049, 4095, 4096, 4097, 5000};
        for (final int count : counts)
        {
            final ByteBuffer offsets = ByteBuffer.allocateDirect(5002 * OffsetIndex.ENTRY_LENGTH);
            final ByteBuffer times = ByteBuffer.allocateDirect(5002 * TimeIndex.ENTRY_LENGTH);
            for (int e = 0; e < count; e++)
            {
                offsets.putInt(e * OffsetIndex.ENTRY_LENGTH + OffsetIndex.POSITION_OFFSET, 64 + e);
                times.putInt(e * TimeIndex.ENTRY_LENGTH + TimeIndex.POSITION_OFFSET, 64 + e);
            }
            // An entry after the first empty one: not counted (the count ends at the first empty entry).
            offsets.putInt((count + 1) * OffsetIndex.ENTRY_LENGTH + OffsetIndex.POSITION_OFFSET, 99);
            times.putInt((count + 1) * TimeIndex.ENTRY_LENGTH + TimeIndex.POSITION_OFFSET, 99);
            // The other fields of the empty entry are not its position: they do not make it an entry.
            offsets.putInt(count * OffsetIndex.ENTRY_LENGTH, 7);
            times.putLong(count * TimeIndex.ENTRY_LENGTH, 7);
            assertThat(new OffsetIndex(FILE, offsets).entryCount()).as("offset index with %d entries", count).isEqualTo(count);
            assertThat(new TimeIndex(FILE, times).entryCount()).as("time index with %d entries", count).isEqualTo(count);
        }
    }

    @Test
    void shouldCountAFullIndexAndAnEmptyOne()
    {
        final int entries = 3000;
        final ByteBuffer full = ByteBuffer.allocate(entries * OffsetIndex.ENTRY_LENGTH + 4); // a heap copy, and a partial entry
        for (int e = 0; e < entries; e++)
        {
            full.putInt(e * OffsetIndex.ENTRY_LENGTH + OffsetIndex.POSITION_OFFSET, 64 + e);
        }
        assertThat(new OffsetIndex(FILE, full).entryCount()).isEqualTo(entries);
        assertThat(new TimeIndex(FILE, ByteBuffer.allocateDirect(0)).entryCount()).isZero();
        assertThat(new TimeIndex(FILE, ByteBuffer.allocateDirect(TimeIndex.ENTRY_LENGTH - 1)).entryCount()).isZero();
    }
}
