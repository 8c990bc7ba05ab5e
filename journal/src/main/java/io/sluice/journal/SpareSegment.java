package io.sluice.journal;

import java.nio.MappedByteBuffer;
import java.nio.file.Path;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The spare trio of a partition mapped, and the first pages of its log touched, by the allocator duty before the
 * writer needs it, so that a roll on the writer's thread is three renames, a header write and a pointer swap: no
 * open, no map, and no page fault on the first records of the new segment (a mapping is of the file, not of its
 * name, so it survives the renames). Touching writes nothing: each touch is a compare-and-set of a page's first
 * int from 0 to 0 (see {@link Segment#pretouch(int)}).
 *
 * <p>Threading: created by the thread that allocates the spare and handed over under the {@link SegmentFiles}
 * lock; owned by that lock until {@link SegmentFiles#createSegment} turns it into a segment or it is unmapped.
 */
final class SpareSegment
{
    private final MappedByteBuffer log;
    private final MappedByteBuffer index;
    private final MappedByteBuffer timeIndex;
    private final int touchedLimit;

    private SpareSegment(
        final MappedByteBuffer log, final MappedByteBuffer index, final MappedByteBuffer timeIndex, final int touchedLimit)
    {
        this.log = log;
        this.index = index;
        this.timeIndex = timeIndex;
        this.touchedLimit = touchedLimit;
    }

    /**
     * Maps the spare trio and touches the log's pages up to a limit and the index files' first pages.
     *
     * @param log       the spare log file.
     * @param index     the spare offset index file.
     * @param timeIndex the spare time index file.
     * @param touchUpTo bytes of the log to touch, at most its reserved bytes (real zero blocks).
     * @return the mapped spare.
     */
    static SpareSegment map(final Path log, final Path index, final Path timeIndex, final int touchUpTo)
    {
        final MappedByteBuffer logMap = JournalFiles.mapReadWrite(log);
        final MappedByteBuffer indexMap = JournalFiles.mapReadWrite(index);
        final MappedByteBuffer timeIndexMap = JournalFiles.mapReadWrite(timeIndex);
        final int touched = touch(logMap, touchUpTo);
        touch(indexMap, Segment.PAGE_SIZE);
        touch(timeIndexMap, Segment.PAGE_SIZE);
        return new SpareSegment(logMap, indexMap, timeIndexMap, touched);
    }

    private static int touch(final MappedByteBuffer mapped, final int upTo)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(mapped);
        final int end = Math.min(upTo, buffer.capacity());
        int page = 0;
        for (; page < end; page += Segment.PAGE_SIZE)
        {
            buffer.compareAndSetInt(page, 0, 0);
        }
        return page;
    }

    /**
     * The segment these mappings become once the files carry its names: the mappings pass to it.
     *
     * @param logFile       the log's name now.
     * @param indexFile     the offset index's name now.
     * @param timeIndexFile the time index's name now.
     * @param baseOffset    of the segment.
     * @return the segment, its log's first pages touched ({@link Segment#touchedLimit()}).
     */
    Segment toSegment(final Path logFile, final Path indexFile, final Path timeIndexFile, final long baseOffset)
    {
        final Segment segment = new Segment(logFile, baseOffset, log, new OffsetIndex(indexFile, index),
            new TimeIndex(timeIndexFile, timeIndex));
        segment.pretouched(touchedLimit);
        return segment;
    }

    /**
     * Unmaps the trio (the spare is being replaced or the partition closed); the files stay.
     */
    void unmap()
    {
        IoUtil.unmap(log);
        IoUtil.unmap(index);
        IoUtil.unmap(timeIndex);
    }
}
