package io.sluice.journal;

import java.util.Arrays;

/**
 * Writes the journal's finished pages back to the storage device from the allocator duty's thread, a short step at
 * a time, so that the kernel's own flusher finds few dirty pages of the journal when it comes.
 *
 * <p>Why: Linux writes a file's dirty pages back from an unbound kernel worker ({@code kworker/u*}, the "flush"
 * work) once the file has been dirty for {@code vm.dirty_expire_centisecs} (30 s by default), every
 * {@code vm.dirty_writeback_centisecs} (5 s) after that, and then writes every dirty page of the file at once. That
 * worker runs on any cpu, a spinning processing thread's included, and takes it for milliseconds: in the demo
 * (journal open, start-up, 20 s of load) its first pass fell in the measured seconds, 10-15 ms of a cpu per second of
 * run, and the processing thread's events waited behind it (perf/README.md, section 125). Here the pages are written
 * back by the thread that runs the journal's duties (off by default, {@link JournalContext#writebackPacing}: its cost on
 * a 2-core machine outweighed the kernel's pass there) with {@code msync} on a range ({@link java.nio.MappedByteBuffer#force(int, int)}), which writes
 * them in the caller's context, in steps of {@link #STEP_BYTES}, so that no step holds that thread's cpu long.
 *
 * <p>What is written back: of each partition's segments, the pages below the last record whose checksum is stored
 * ({@link Partition#checksummedOffset()}: a mapped writer's checksums are stored after the record, and a store to a
 * page written back makes it dirty again, with a page fault on the storing thread), rounded down to a page, so that
 * the page the writer is filling stays alone; a sealed segment's to its end. Pages pre-touched ahead of the writer are
 * dirty zeros that the writer will write over: they are left to the writer, and the shorter that stretch, the fewer
 * the kernel's flusher can find (see {@link JournalContext#writebackPacing}). The index files are not paced (a few
 * pages a second). A write-back here is not a durability point: {@link Partition#durableOffset()} moves only with
 * {@link Partition#force()}.
 *
 * <p>Threading: {@link #add} from the thread that opens topics; {@link #doWork} on the allocator duty's thread only
 * (its state is that thread's). A segment is written back under its reservation lock ({@link Segment#writeBack}), so
 * a close cannot unmap it meanwhile.
 */
final class WritebackPacer
{
    /**
     * Bytes written back per step: 256 pages, some 0.3-0.4 ms of the duty thread's cpu on a 2-core VM (about 1-2 us a
     * page once the file's first blocks are allocated). Not fewer: the first write-back of a page allocates its block
     * (ext4 with {@code delalloc}, {@code dioread_nolock}) as an unwritten extent that a kernel worker converts when
     * the write completes, one work item per write-back call, on the cpu that took the disk's interrupt; 64 KiB steps
     * made 1,342 of them on the processing thread's cpu in one demo run (the kernel's own pass, in big chunks, 56).
     */
    static final int STEP_BYTES = 1 << 20;
    /**
     * A partition with less than a step to write back waits at most this long before its pages are written back: a
     * fifth of the 5 s between the kernel's passes, so a pass finds at most a second's appends, in few calls.
     */
    static final long PARTIAL_STEP_DELAY_NS = 1_000_000_000L;

    /** Swapped whole on registration (copy on write), so that a duty cycle iterates an array and allocates nothing. */
    private volatile Paced[] paced = new Paced[0];
    private long pagesWritten;

    /**
     * Starts pacing a partition's write-back from its tail's current position (what an open recovered was forced by
     * the open).
     *
     * @param partition opened for writing.
     */
    synchronized void add(final Partition partition)
    {
        final Paced[] grown = Arrays.copyOf(paced, paced.length + 1);
        grown[grown.length - 1] = new Paced(partition);
        paced = grown; // volatile: the duty sees the whole array on its next cycle
    }

    /**
     * One step for each partition that has a step due: a whole step of finished pages, or fewer once they have
     * waited {@link #PARTIAL_STEP_DELAY_NS}.
     *
     * @param nowNs the duty's clock, {@link System#nanoTime()}.
     * @return the steps done.
     */
    int doWork(final long nowNs)
    {
        int work = 0;
        for (final Paced partition : paced)
        {
            work += partition.step(nowNs);
        }
        return work;
    }

    /**
     * Pages written back so far, for tests and tools. The duty's thread only.
     *
     * @return the count of pages.
     */
    long pagesWritten()
    {
        return pagesWritten;
    }

    /** A partition's write-back position; the duty's thread only. */
    private final class Paced
    {
        private final Partition partition;
        /** The segment being written back, and the page-aligned position below which it is written back. */
        private Segment segment;
        private int cleanLimit;
        /** When the oldest page not yet written back was first seen, or 0 when none was. */
        private long waitingSinceNs;

        Paced(final Partition partition)
        {
            this.partition = partition;
            final Segment[] segments = partition.segments();
            this.segment = segments[segments.length - 1];
            this.cleanLimit = segment.tailPosition() & -Segment.PAGE_SIZE;
        }

        int step(final long nowNs)
        {
            final long checksummed = partition.checksummedOffset();
            partition.endOffset(); // acquires the records below the checksummed offset (endPosition's walk reads them)
            final Segment[] segments = partition.segments();
            final Segment tail = segments[segments.length - 1];
            if (segment != tail && !contains(segments, segment))
            {
                // Removed by retention (or never seen: the tail rolled twice since): start again at the tail's start.
                segment = tail;
                cleanLimit = 0;
            }
            final boolean sealed = segment != tail;
            final int limit = limitOf(segment, sealed, checksummed);
            if (limit <= cleanLimit)
            {
                if (sealed && checksummed >= segment.baseOffset() + segment.recordCount())
                {
                    next(segments);
                }
                waitingSinceNs = 0;
                return 0;
            }
            if (limit - cleanLimit < STEP_BYTES && !sealed)
            {
                if (waitingSinceNs == 0)
                {
                    waitingSinceNs = nowNs;
                    return 0;
                }
                if (nowNs - waitingSinceNs < PARTIAL_STEP_DELAY_NS)
                {
                    return 0;
                }
            }
            final int to = Math.min(limit, cleanLimit + STEP_BYTES);
            if (segment.writeBack(cleanLimit, to))
            {
                pagesWritten += (to - cleanLimit) / Segment.PAGE_SIZE;
            }
            cleanLimit = to;
            waitingSinceNs = 0;
            return 1;
        }

        /** The next segment after the one written back to its end, from its start (its header and first records). */
        private void next(final Segment[] segments)
        {
            for (int i = 0; i < segments.length - 1; i++)
            {
                if (segments[i] == segment)
                {
                    segment = segments[i + 1];
                    cleanLimit = 0;
                    return;
                }
            }
        }

        /**
         * Where write-back may go in a segment: below the checksummed records, page-aligned down on the live tail
         * (its page still fills); a sealed segment's whole written stretch once every record of it is checksummed.
         */
        private int limitOf(final Segment of, final boolean sealed, final long checksummed)
        {
            final long relative = checksummed - of.baseOffset();
            if (relative <= 0)
            {
                return 0;
            }
            if (sealed && relative >= of.recordCount())
            {
                return Math.min(of.capacity(), (of.tailPosition() + Segment.PAGE_SIZE - 1) & -Segment.PAGE_SIZE);
            }
            return Math.max(0, of.endPositionIfOpen(relative)) & -Segment.PAGE_SIZE; // 0 once closed: nothing to do
        }
    }

    private static boolean contains(final Segment[] segments, final Segment segment)
    {
        for (final Segment s : segments)
        {
            if (s == segment)
            {
                return true;
            }
        }
        return false;
    }
}
