package io.sluice.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Creates, names, maps and renames the three files of a segment ({@code .log}, {@code .index},
 * {@code .timeindex}) in a partition directory, including the pre-allocated spare trio that the
 * next roll renames into place.
 */
final class SegmentFiles
{
    private final Path directory;
    private final int segmentLength;
    private final int indexIntervalBytes;
    private final boolean readOnly;
    /** Bytes at the start of the spare log with real blocks, when this process allocated it; else 0 (unknown). */
    private int spareReservedBytes;
    /** The spare trio mapped and its first pages touched, when this process allocated it; else null. Guarded by this. */
    private SpareSegment mappedSpare;
    /**
     * Whether the allocator duty touches the first pages of the spare log it maps: not when the writer stages its frames
     * and writes them with {@code pwrite} ({@link JournalContext#stagedWrites}), which never touches a page of the log's
     * mapping. Set once, before the partition's writer exists.
     */
    private boolean touchSpareLog = true;

    /** Bytes reserved (real zero blocks) at a time: at the start of a new segment, and ahead of the writer. */
    static final int RESERVE_CHUNK = 1 << 20;

    SegmentFiles(final Path directory, final int segmentLength, final int indexIntervalBytes)
    {
        this(directory, segmentLength, indexIntervalBytes, false);
    }

    SegmentFiles(final Path directory, final int segmentLength, final int indexIntervalBytes, final boolean readOnly)
    {
        this.directory = directory;
        this.segmentLength = segmentLength;
        this.indexIntervalBytes = indexIntervalBytes;
        this.readOnly = readOnly;
    }

    /**
     * Stops the allocator duty touching the spare log's pages (staged writes): see {@link #touchSpareLog}.
     */
    void skipSpareLogTouch()
    {
        touchSpareLog = false;
    }

    boolean readOnly()
    {
        return readOnly;
    }

    Path directory()
    {
        return directory;
    }

    Path logFile(final long baseOffset)
    {
        return directory.resolve(SegmentDescriptor.baseName(baseOffset) + SegmentDescriptor.LOG_SUFFIX);
    }

    Path indexFile(final long baseOffset)
    {
        return directory.resolve(SegmentDescriptor.baseName(baseOffset) + SegmentDescriptor.INDEX_SUFFIX);
    }

    Path timeIndexFile(final long baseOffset)
    {
        return directory.resolve(SegmentDescriptor.baseName(baseOffset) + SegmentDescriptor.TIME_INDEX_SUFFIX);
    }

    Path spareLog()
    {
        return directory.resolve(SegmentDescriptor.SPARE_NAME + SegmentDescriptor.LOG_SUFFIX);
    }

    Path spareIndex()
    {
        return directory.resolve(SegmentDescriptor.SPARE_NAME + SegmentDescriptor.INDEX_SUFFIX);
    }

    Path spareTimeIndex()
    {
        return directory.resolve(SegmentDescriptor.SPARE_NAME + SegmentDescriptor.TIME_INDEX_SUFFIX);
    }

    /**
     * Whether a complete spare trio of the current size is present.
     */
    boolean spareReady()
    {
        try
        {
            return Files.exists(spareLog()) && Files.size(spareLog()) == segmentLength &&
                Files.exists(spareIndex()) && Files.exists(spareTimeIndex());
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * Writes a spare trio: zero-filled, non-sparse index files, and a log of the segment length whose
     * first {@link #RESERVE_CHUNK} bytes are real zero blocks and the rest a hole, reserved a bounded
     * distance ahead of the writer once it is in use (see {@link Segment#reserve}). Any stale spare is
     * replaced. Caller holds this object's lock.
     */
    void allocateSpare()
    {
        allocateSpareFiles();
    }

    /**
     * {@link #allocateSpare()}, then maps the trio and touches the reserved pages of its log, so that the next roll
     * neither opens nor maps a file and its first records take no page fault: the allocator duty's work, off the
     * writer's thread. Caller holds this object's lock.
     */
    void allocateMappedSpare()
    {
        allocateSpareFiles();
        mappedSpare = SpareSegment.map(spareLog(), spareIndex(), spareTimeIndex(), touchSpareLog ? spareReservedBytes : 0);
    }

    private void allocateSpareFiles()
    {
        deleteSpare();
        // Not forced: a record becomes durable through the force() of its own range and of the
        // directory, which also makes the blocks it lives in durable.
        JournalFiles.preallocate(spareIndex(), OffsetIndex.fileLength(segmentLength, indexIntervalBytes), false);
        JournalFiles.preallocate(spareTimeIndex(), TimeIndex.fileLength(segmentLength, indexIntervalBytes), false);
        // The log goes last: its presence at full size is what spareReady() trusts.
        JournalFiles.createSparse(spareLog(), segmentLength, RESERVE_CHUNK);
        spareReservedBytes = Math.min(RESERVE_CHUNK, segmentLength);
    }

    void deleteSpare()
    {
        unmapSpare();
        JournalFiles.deleteQuietly(spareLog());
        JournalFiles.deleteQuietly(spareIndex());
        JournalFiles.deleteQuietly(spareTimeIndex());
    }

    /**
     * Turns the spare trio (allocating it first if absent) into the segment with this base offset and
     * writes its header. The index files are renamed before the log so that a log file never exists
     * without its indexes. A spare the allocator duty mapped ({@link #allocateMappedSpare}) becomes the segment
     * as it is mapped and touched; any other is opened and mapped here.
     */
    Segment createSegment(final long baseOffset, final BootId bootId)
    {
        // Serialised with the allocator thread, which may be writing the spare right now.
        final int reserved;
        final SpareSegment prepared;
        synchronized (this)
        {
            // A spare this process mapped is there (its files are the journal's own): no stat on the writer's thread.
            if (mappedSpare == null && !spareReady())
            {
                allocateSpare();
            }
            reserved = spareReservedBytes;
            spareReservedBytes = 0;
            moveSpareInPlace(baseOffset);
            prepared = mappedSpare;
            mappedSpare = null;
        }
        final Segment segment = prepared != null ?
            prepared.toSegment(logFile(baseOffset), indexFile(baseOffset), timeIndexFile(baseOffset), baseOffset) :
            open(baseOffset);
        segment.initReserved(reserved);
        // A spare left by an earlier process: its first blocks are reserved now, before the header is written.
        segment.reserve(RESERVE_CHUNK);
        SegmentDescriptor.writeHeader(segment.buffer(), baseOffset, segmentLength, bootId);
        return segment;
    }

    private void moveSpareInPlace(final long baseOffset)
    {
        try
        {
            StorageFaults.check(StorageFaults.Operation.RENAME, logFile(baseOffset));
            Files.move(spareIndex(), indexFile(baseOffset), StandardCopyOption.ATOMIC_MOVE);
            Files.move(spareTimeIndex(), timeIndexFile(baseOffset), StandardCopyOption.ATOMIC_MOVE);
            Files.move(spareLog(), logFile(baseOffset), StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            throw new JournalException(
                JournalException.Category.IO, "cannot create segment " + logFile(baseOffset) + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Maps an existing segment and its indexes; missing index files are created empty.
     */
    Segment open(final long baseOffset)
    {
        final Path log = logFile(baseOffset);
        final long length = sizeOf(log);
        if (readOnly)
        {
            if (!Files.exists(indexFile(baseOffset)) || !Files.exists(timeIndexFile(baseOffset)))
            {
                throw new JournalException(JournalException.Category.CORRUPTION, "segment " + log +
                    " has no index files; open the journal read-write once to rebuild them");
            }
            return new Segment(log, baseOffset, JournalFiles.mapReadOnly(log),
                new OffsetIndex(indexFile(baseOffset), JournalFiles.mapReadOnly(indexFile(baseOffset))),
                new TimeIndex(timeIndexFile(baseOffset), JournalFiles.mapReadOnly(timeIndexFile(baseOffset))));
        }
        if (!Files.exists(indexFile(baseOffset)))
        {
            JournalFiles.preallocate(indexFile(baseOffset), OffsetIndex.fileLength((int)length, indexIntervalBytes));
        }
        if (!Files.exists(timeIndexFile(baseOffset)))
        {
            JournalFiles.preallocate(timeIndexFile(baseOffset), TimeIndex.fileLength((int)length, indexIntervalBytes));
        }
        final OffsetIndex offsetIndex = new OffsetIndex(indexFile(baseOffset), JournalFiles.mapReadWrite(indexFile(baseOffset)));
        final TimeIndex timeIndex = new TimeIndex(timeIndexFile(baseOffset), JournalFiles.mapReadWrite(timeIndexFile(baseOffset)));
        return new Segment(log, baseOffset, JournalFiles.mapReadWrite(log), offsetIndex, timeIndex);
    }

    /**
     * Unmaps the spare trio if this process mapped it (the partition is closing, or the spare is replaced); the
     * files stay for the next roll or the next process.
     */
    synchronized void unmapSpare()
    {
        if (mappedSpare != null)
        {
            mappedSpare.unmap();
            mappedSpare = null;
        }
    }

    void delete(final Segment segment)
    {
        final long base = segment.baseOffset();
        // Log first: a dangling index without its log is ignored and removed on the next open.
        JournalFiles.deleteQuietly(logFile(base));
        JournalFiles.deleteQuietly(indexFile(base));
        JournalFiles.deleteQuietly(timeIndexFile(base));
    }

    static long sizeOf(final Path file)
    {
        try
        {
            return Files.size(file);
        }
        catch (final IOException ex)
        {
            throw new JournalException(JournalException.Category.IO, "cannot stat " + file + ": " + ex.getMessage(), ex);
        }
    }
}
