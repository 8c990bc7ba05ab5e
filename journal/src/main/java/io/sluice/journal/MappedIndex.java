package io.sluice.journal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What the offset and time indexes share: a pre-allocated, mapped file of fixed-length entries, each
 * holding a record's position in its segment, where a position of 0 ends the entries (no record lives
 * at position 0: the segment header does).
 *
 * <p>Single writer (the partition's writer thread); readers only look at entries below
 * {@link #entryCount()}, which the writer publishes after each entry is written.
 */
abstract class MappedIndex
{
    final UnsafeBuffer buffer;
    final int maxEntries;
    private final Path file;
    /** The mapped file, or a private in-memory copy built by recovery when the file could not be trusted. */
    private final ByteBuffer mapped;
    private final int entryLength;
    private static final VarHandle ENTRY_COUNT;

    static
    {
        try
        {
            ENTRY_COUNT = MethodHandles.lookup().findVarHandle(MappedIndex.class, "entryCount", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** Read with acquire semantics (volatile), written with release semantics by the single writer. */
    private volatile int entryCount;
    /** Page-aligned position up to which {@link #pretouch} has touched the pages; guarded by the segment's lock. */
    private int touchedLimit;

    MappedIndex(final Path file, final ByteBuffer mapped, final int entryLength, final int positionOffset)
    {
        this.file = file;
        this.mapped = mapped;
        this.entryLength = entryLength;
        this.buffer = new UnsafeBuffer(mapped);
        this.maxEntries = buffer.capacity() / entryLength;
        this.entryCount = countEntries(mapped, entryLength, positionOffset, maxEntries);
    }

    /** Ints of an index copied into the counting array at a time: 16 KiB, a few pages of the file. */
    private static final int COUNT_CHUNK_INTS = 4096;

    /**
     * The entries before the first whose position is 0. A journal's open counts those of two indexes per segment (tens
     * of thousands of entries each), early in a fresh JVM where this runs interpreted for a while: the index is copied
     * into an {@code int[]} a chunk at a time (one native copy each) and read there with plain array loads, instead of
     * one bounds-checked buffer call per entry (perf/README.md, section 129). Reads at most a chunk past the first
     * empty entry, within the buffer.
     */
    private static int countEntries(final ByteBuffer mapped, final int entryLength, final int positionOffset, final int maxEntries)
    {
        final int stride = entryLength / Integer.BYTES;
        final int at = positionOffset / Integer.BYTES;
        // A view in the platform's order, so that the bulk copy is a plain memory copy (a zero test needs no order).
        final java.nio.IntBuffer ints = mapped.duplicate().clear().order(java.nio.ByteOrder.nativeOrder()).asIntBuffer();
        final int[] chunk = new int[Math.max(stride, Math.min(COUNT_CHUNK_INTS, maxEntries * stride))];
        final int entriesPerChunk = chunk.length / stride;
        int count = 0;
        while (count < maxEntries)
        {
            final int entries = Math.min(entriesPerChunk, maxEntries - count);
            ints.get(count * stride, chunk, 0, entries * stride);
            for (int e = 0; e < entries; e++)
            {
                if (chunk[e * stride + at] == 0)
                {
                    return count + e;
                }
            }
            count += entries;
        }
        return count;
    }

    final Path file()
    {
        return file;
    }

    final int entryCount()
    {
        return entryCount;
    }

    /**
     * Publishes the entry just written at index {@code count}.
     */
    final void published(final int count)
    {
        // Release store, not a volatile one: publishes the entry to readers that read the count (a volatile
        // read), without the full fence that would drain the writer's store buffer once per index interval.
        ENTRY_COUNT.setRelease(this, count);
    }

    final int entryOffset(final int entry)
    {
        return entry * entryLength;
    }

    final void clear()
    {
        buffer.setMemory(0, buffer.capacity(), (byte)0);
        entryCount = 0;
    }

    final void force()
    {
        if (mapped instanceof MappedByteBuffer mappedFile)
        {
            try
            {
                StorageFaults.check(StorageFaults.Operation.FORCE, file);
            }
            catch (final java.io.IOException ex)
            {
                throw new JournalException(JournalException.Category.IO, "cannot force " + file + ": " + ex.getMessage(), ex);
            }
            mappedFile.force();
        }
    }

    /**
     * Pre-touches the index's pages below {@code to}, as {@link Segment#pretouch} does the log's: a
     * compare-and-set of each page's first int from 0 to 0, a write access that maps the page writable
     * and never changes a byte, so it is safe beside the writer. Called under the segment's lock, which
     * also guards {@code touchedLimit} and keeps a close from unmapping the file meanwhile.
     *
     * @param to one past the last byte to pre-touch.
     * @return whether it touched a page.
     */
    final boolean pretouch(final int to)
    {
        final int end = Math.min(to, buffer.capacity());
        final int from = touchedLimit;
        int page = from;
        for (; page < end; page += Segment.PAGE_SIZE)
        {
            buffer.compareAndSetInt(page, 0, 0);
        }
        touchedLimit = Math.max(touchedLimit, page);
        return page > from;
    }

    /**
     * Whether {@link #pretouch} has touched the pages below a position; read without the segment's lock by the
     * thread that pre-touches (a stale value only sends it to take the lock and find nothing to do).
     *
     * @param to one past the last byte.
     * @return true if nothing below {@code to} is left to touch.
     */
    final boolean touchedUpTo(final int to)
    {
        return touchedLimit >= Math.min(to, buffer.capacity());
    }

    /**
     * Adds the bytes of the first published entries to a checksum (the seal mark's CRC32C of the indexes).
     *
     * @param crc   to update.
     * @param count entries (at most those published).
     */
    final void updateEntries(final java.util.zip.CRC32C crc, final int count)
    {
        final ByteBuffer entries = mapped.duplicate();
        entries.limit(Math.min(count, entryCount) * entryLength).position(0);
        crc.update(entries);
    }

    /**
     * Removes the entries from {@code count} on (zeroed in the file), keeping the first {@code count}:
     * recovery resumes a tail from its recovery point and indexes what follows it again. Recovery only.
     *
     * @param count entries to keep.
     */
    final void truncate(final int count)
    {
        final int current = entryCount;
        if (count < current)
        {
            buffer.setMemory(count * entryLength, (current - count) * entryLength, (byte)0);
            entryCount = count;
        }
    }

    final int capacity()
    {
        return buffer.capacity();
    }

    final void close()
    {
        if (mapped instanceof MappedByteBuffer file)
        {
            IoUtil.unmap(file);
        }
    }
}
