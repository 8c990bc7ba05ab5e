package io.sluice.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One mapped segment file of a partition with its offset and time indexes. Records are laid out as
 * in {@link RecordDescriptor} after the {@link SegmentDescriptor} header.
 *
 * <p>Reserved space: a segment file is created sparse but for its first bytes, and the bytes
 * {@code [0, reservedLimit)} are known to have real blocks (written as zeros, or holding records). The
 * writer never writes at or past {@link #reservedLimit()}: before it gets there, the allocator duty (a
 * bounded distance ahead) or the writer itself (on demand) {@link #reserve reserves} more, so a full disk
 * is an IOException naming the file, never a SIGBUS in the writer.
 *
 * <p>Threading: the partition's writer thread is the only one that writes records, indexes and the
 * {@code recordCount/tailPosition/maxTimestamp} fields; it keeps the live tail's state itself and
 * publishes it here at index checkpoints and when it seals the segment ({@link #publishTail}), so on a
 * live tail those fields lag by up to one index interval and {@link #endPosition} /
 * {@link #maxTimestampBelow} give the exact values for an end offset. Readers use the offset bounds the
 * partition publishes and never look past them. {@link #reserve}, {@link #pretouch} and {@link #close} hold
 * this segment's reservation lock; the writer's idle step only tries it ({@link #tryReserveAhead}), so a
 * writer never waits for a background reservation that lost its CPU while holding the lock.
 */
final class Segment
{
    /** Size of a page of the mapping, the unit of pre-touching. */
    static final int PAGE_SIZE = 4096;
    /** Pages pre-touched per hold of the segment's lock. */
    static final int PRETOUCH_BATCH_PAGES = 64;

    private final Path file;
    private final long baseOffset;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;
    private OffsetIndex offsetIndex;
    private TimeIndex timeIndex;

    private int recordCount;
    private int tailPosition = SegmentDescriptor.HEADER_LENGTH;
    private long maxTimestamp = Long.MIN_VALUE;
    private long lastIndexedMaxTimestamp = Long.MIN_VALUE;
    /** Position of the next index checkpoint ({@link #checkpoint}); 0 so that the first record is indexed. */
    private int nextIndexCheckPosition;
    private int forcedPosition;
    /**
     * Frames at positions below it were not walked by this process's open (their segment was trusted by its
     * {@link SealMark}): readers check their CRC32C. Set by recovery before the segment is published.
     */
    private int readCheckLimit;
    /** Whether a force() that covers this segment once it is sealed writes its {@link SealMark}. Partition lock. */
    private boolean sealMarkDue = true;
    /** Bytes from the start with real blocks; written by {@link #reserve} under the reservation lock, read by the writer. */
    private volatile int reservedLimit;
    private FileChannel reserveChannel;
    /** View of the zero chunk {@link #reserve} writes from; with reserveChannel, under this segment's lock. */
    private java.nio.ByteBuffer reserveZeros;
    /**
     * Page-aligned position up to which {@link #pretouch} has touched the pages: written under the reservation lock,
     * read without it by the writer's idle step.
     */
    private volatile int touchedLimit;
    private boolean closed;
    /** Guards reservedLimit's writes, touchedLimit, the reserve channel and closed: see {@link #tryReserveAhead}. */
    private final ReentrantLock reservationLock = new ReentrantLock();

    Segment(
        final Path file,
        final long baseOffset,
        final MappedByteBuffer mapped,
        final OffsetIndex offsetIndex,
        final TimeIndex timeIndex)
    {
        this.file = file;
        this.baseOffset = baseOffset;
        this.mapped = mapped;
        this.buffer = new UnsafeBuffer(mapped);
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
    }

    Path file()
    {
        return file;
    }

    long baseOffset()
    {
        return baseOffset;
    }

    UnsafeBuffer buffer()
    {
        return buffer;
    }

    int capacity()
    {
        return buffer.capacity();
    }

    OffsetIndex offsetIndex()
    {
        return offsetIndex;
    }

    TimeIndex timeIndex()
    {
        return timeIndex;
    }

    int recordCount()
    {
        return recordCount;
    }

    int tailPosition()
    {
        return tailPosition;
    }

    long maxTimestamp()
    {
        return maxTimestamp;
    }

    /**
     * Bytes from the start of the file known to have real blocks: the writer stays below.
     *
     * @return the reserved limit.
     */
    int reservedLimit()
    {
        return reservedLimit;
    }

    /**
     * Declares bytes known to have real blocks already: those written when the file was created, or
     * a recovered tail's records (whose blocks exist).
     *
     * @param limit bytes from the start of the file.
     */
    void initReserved(final int limit)
    {
        reservationLock.lock();
        try
        {
            reservedLimit = Math.min(limit, capacity());
            // Written pages need no touch (and touching would dirty them again): start at the tail's page, or past the
            // pages a spare's preparation touched already.
            touchedLimit = Math.max(touchedLimit, tailPosition & -PAGE_SIZE);
        }
        finally
        {
            reservationLock.unlock();
        }
    }

    /**
     * Reserves real blocks up to a limit (capped at the capacity) by writing zeros over the hole, and
     * publishes the new limit. The bytes written are at or past {@link #reservedLimit()}, where the
     * writer never is, so the zeros do not race with it. Serialised with other reservations and with
     * {@link #close} on this segment's own lock, which is held for the write of the zeros only.
     *
     * @param upTo the limit wanted.
     * @return the new reserved limit.
     * @throws JournalException IO naming the file if the disk is full or the write fails.
     */
    int reserve(final int upTo)
    {
        reservationLock.lock();
        try
        {
            return reserveLocked(upTo);
        }
        finally
        {
            reservationLock.unlock();
        }
    }

    /**
     * {@link #reserve} for a caller that counts what it wrote itself: a reservation another thread made while this one
     * waited for the lock is not counted as this one's.
     *
     * @param upTo the limit wanted.
     * @return the bytes of zeros this call wrote (0 if the space was reserved already).
     * @throws JournalException IO naming the file if the disk is full or the write fails.
     */
    int reserveCounted(final int upTo)
    {
        reservationLock.lock();
        try
        {
            final int before = reservedLimit;
            return reserveLocked(upTo) - before;
        }
        finally
        {
            reservationLock.unlock();
        }
    }

    /**
     * The writer's idle step: reserves up to a limit and pre-touches up to it, if no other thread holds this
     * segment's reservation lock; else does nothing and returns at once. The allocator duty runs on a thread
     * that shares a CPU with others and can be descheduled for milliseconds while it holds the lock (after a
     * roll it reserves and touches the new segment's first steps): a writer that waited for it stalled every
     * event behind it for as long.
     *
     * @param from page-aligned position to resume pre-touching from, if past where the last pre-touch stopped (see
     *             {@link #pretouch(int, int)}).
     * @param upTo the limit wanted (capped at the capacity).
     * @param touch whether to pre-touch as well (not for a writer that never touches the mapping: then the
     *              touched limit still moves, as the frontier of the writer's idle steps).
     * @return whether the lock was free (the step was done).
     * @throws JournalException IO naming the file if the disk is full or the write fails.
     */
    boolean tryReserveAhead(final int from, final int upTo, final boolean touch)
    {
        if (!reservationLock.tryLock())
        {
            return false;
        }
        try
        {
            final int reserved = reserveLocked(upTo);
            if (touch)
            {
                pretouch(from, reserved); // re-enters the lock this thread holds
            }
            else
            {
                touchedLimit = Math.max(touchedLimit, reserved & -PAGE_SIZE);
            }
            return true;
        }
        finally
        {
            reservationLock.unlock();
        }
    }

    /**
     * Declares the pages below a limit touched already (a {@link SpareSegment} touched them before it became this
     * segment), so that no pre-touch repeats them.
     *
     * @param limit page-aligned position.
     */
    void pretouched(final int limit)
    {
        reservationLock.lock();
        try
        {
            touchedLimit = Math.max(touchedLimit, limit);
        }
        finally
        {
            reservationLock.unlock();
        }
    }

    /** The reservation lock itself, for tests that hold it from another thread. */
    Lock reservationLock()
    {
        return reservationLock;
    }

    private int reserveLocked(final int upTo)
    {
        final int from = reservedLimit;
        final int to = Math.min(upTo, capacity());
        if (to <= from || closed)
        {
            return from;
        }
        try
        {
            if (reserveChannel == null)
            {
                reserveChannel = FileChannel.open(file, StandardOpenOption.WRITE);
                reserveZeros = JournalFiles.zerosView();
            }
            // The view is kept: reservations come in short steps, thousands a second at high rates.
            JournalFiles.writeZeros(reserveChannel, reserveZeros, file, from, to);
        }
        catch (final IOException ex)
        {
            throw new JournalException(JournalException.Category.IO,
                "cannot reserve bytes [" + from + ", " + to + ") of " + file + " (disk full?): " + ex.getMessage(), ex);
        }
        reservedLimit = to; // volatile: the writer that reads the new limit finds the blocks there
        return to;
    }

    /**
     * Page-aligned position below which no page is left for the pre-toucher: touched, or skipped as the
     * writer's own (see {@link #pretouch(int, int)}).
     *
     * @return the touched limit.
     */
    int touchedLimit()
    {
        return touchedLimit;
    }

    /**
     * Pre-touches the pages of {@code [from, to)}, leaving those between the last pre-touch and {@code from}
     * untouched: a pre-toucher that fell behind the writer resumes ahead of it, since touching the pages the
     * writer has reached maps nothing it needs and takes the cache lines it is writing.
     *
     * @param from page-aligned position to resume from, if past where the last pre-touch stopped.
     * @param to   one past the last byte to pre-touch, at most {@link #reservedLimit()}.
     */
    void pretouch(final int from, final int to)
    {
        reservationLock.lock();
        try
        {
            if (touchedLimit < from)
            {
                touchedLimit = from;
            }
        }
        finally
        {
            reservationLock.unlock();
        }
        pretouch(to);
    }

    /**
     * Pre-touches the pages from where the last pre-touch stopped up to {@code to} through the mapping,
     * so that the writer's first store to each takes no page fault (as Chronicle Queue's pretoucher
     * does). Each touch is a compare-and-set of a page's first int from 0 to 0: a write access that maps
     * the page writable in this process and never changes a byte, so it is safe even where the writer is
     * already appending. Runs in batches under this segment's lock, so that a close cannot unmap the
     * segment under it and the lock is never held for long.
     *
     * @param to one past the last byte to pre-touch, at most {@link #reservedLimit()}.
     */
    void pretouch(final int to)
    {
        while (pretouchBatch(to))
        {
            // one batch per hold of the lock, so that a close or the writer's step waits no longer than a batch
        }
    }

    private boolean pretouchBatch(final int to)
    {
        reservationLock.lock();
        try
        {
            int page = touchedLimit;
            if (closed || page >= to)
            {
                return false;
            }
            final int batchEnd = Math.min(to, page + PRETOUCH_BATCH_PAGES * PAGE_SIZE);
            for (; page < batchEnd; page += PAGE_SIZE)
            {
                buffer.compareAndSetInt(page, 0, 0);
            }
            touchedLimit = page;
            // The index entries of frames below it too: without this the writer took a page fault on
            // its own thread at the first entry of each index page (every 1-2 MiB of log at 4 KiB intervals).
            offsetIndex.pretouch(indexBytesFor(offsetIndex, page));
            timeIndex.pretouch(indexBytesFor(timeIndex, page));
            return true;
        }
        finally
        {
            reservationLock.unlock();
        }
    }

    /**
     * Pre-touches the offset and time index pages that will hold the entries of the frames below a log position, and
     * no page of the log: for a writer whose frames reach the log with {@code pwrite}, which needs no page of the
     * mapping, so that {@link #pretouch} (which touches the index pages with the log's) is not called for it. Without
     * this that writer takes a page fault on its own thread at the first entry of each index page. Under the same lock
     * as {@link #pretouch}.
     *
     * @param logPosition one past the last log byte whose index entries to make room for.
     * @return whether it touched a page.
     */
    boolean pretouchIndexes(final int logPosition)
    {
        final int offsetTo = indexBytesFor(offsetIndex, logPosition);
        final int timeTo = indexBytesFor(timeIndex, logPosition);
        if (offsetIndex.touchedUpTo(offsetTo) && timeIndex.touchedUpTo(timeTo))
        {
            return false; // the common case, without the lock
        }
        reservationLock.lock();
        try
        {
            return !closed && (offsetIndex.pretouch(offsetTo) | timeIndex.pretouch(timeTo)); // both, not short-circuited
        }
        finally
        {
            reservationLock.unlock();
        }
    }

    /**
     * Bytes of an index that can hold entries for the frames below a log position, with a page to
     * spare: entries are at least an index interval of log apart, and an index file is sized for the
     * segment's length at that interval, so its entries fill it at most in proportion to the log.
     */
    private int indexBytesFor(final MappedIndex index, final int logPosition)
    {
        return (int)Math.min(index.capacity(), (long)logPosition * index.capacity() / capacity() + PAGE_SIZE);
    }

    /**
     * A duplicate view for checksum computation; each thread that checksums needs its own.
     */
    ByteBuffer newChecksumView()
    {
        return mapped.duplicate();
    }

    /**
     * Records a frame found at the tail by recovery and maintains the sparse indexes as the writer does.
     * Recovery only: the writer keeps its tail state itself (see {@link #publishTail}).
     */
    void onAppended(final int position, final int alignedLength, final long timestamp, final int indexIntervalBytes)
    {
        final int relativeOffset = recordCount;
        if (timestamp > maxTimestamp)
        {
            maxTimestamp = timestamp;
        }
        if (position >= nextIndexCheckPosition)
        {
            checkpoint(position, relativeOffset, maxTimestamp, indexIntervalBytes);
        }
        recordCount = relativeOffset + 1;
        tailPosition = position + alignedLength;
    }

    /**
     * Position at or past which the next frame gets index entries (the writer compares each frame's
     * position with it, one compare per record).
     *
     * @return the next checkpoint position.
     */
    int nextCheckpoint()
    {
        return nextIndexCheckPosition;
    }

    /**
     * An index checkpoint at the frame at {@code position}, due once a whole interval has passed since
     * the last one: an offset index entry, and a time index entry when the running maximum timestamp
     * (up to and including this frame) has grown since the last one. Every offset entry thus has a time
     * entry at or before it carrying the running maximum of its record, which {@link #maxTimestampBelow}
     * relies on. Writer thread (or recovery) only, before the frame is published.
     *
     * @param position           of the frame.
     * @param relativeOffset     of the frame.
     * @param runningMax         maximum timestamp of the segment's frames up to and including this one.
     * @param indexIntervalBytes between checkpoints.
     * @return the position of the next checkpoint.
     */
    int checkpoint(final int position, final int relativeOffset, final long runningMax, final int indexIntervalBytes)
    {
        offsetIndex.append(relativeOffset, position);
        if (runningMax > lastIndexedMaxTimestamp)
        {
            timeIndex.append(runningMax, relativeOffset, position);
            lastIndexedMaxTimestamp = runningMax;
        }
        nextIndexCheckPosition = position + indexIntervalBytes;
        return nextIndexCheckPosition;
    }

    /**
     * The writer's tail state: exact once the segment is sealed (the writer calls this before it rolls),
     * as of the last checkpoint while the writer appends (the allocator duty needs no more). Exact
     * positions and maxima of a live tail come from {@link #endPosition} and {@link #maxTimestampBelow}.
     * Writer thread only; plain stores, made visible by the roll's lock or the next end-offset release.
     *
     * @param tailPosition one past the last frame.
     * @param recordCount  records in the segment.
     * @param maxTimestamp of the segment's records.
     */
    void publishTail(final int tailPosition, final int recordCount, final long maxTimestamp)
    {
        this.tailPosition = tailPosition;
        this.recordCount = recordCount;
        this.maxTimestamp = maxTimestamp;
    }

    /**
     * Byte position one past the records below a relative end offset, for any thread that acquired a
     * partition end offset at or above {@code baseOffset + relativeEnd}: a walk of at most one index
     * interval from the nearest offset index entry.
     *
     * @param relativeEnd one past the last record, relative to the base offset.
     * @return the position after those records.
     */
    int endPosition(final long relativeEnd)
    {
        return positionOf(Math.max(0, relativeEnd));
    }

    /**
     * Maximum timestamp of the records below a relative end offset, for any thread that acquired a
     * partition end offset covering them: the running maximum at the last checkpoint before them (from
     * the time index) and a walk of at most one index interval from that checkpoint.
     *
     * @param relativeEnd one past the last record, relative to the base offset.
     * @return the maximum, {@link Long#MIN_VALUE} when there is no record.
     */
    long maxTimestampBelow(final long relativeEnd)
    {
        if (relativeEnd <= 0)
        {
            return Long.MIN_VALUE;
        }
        final int entry = offsetIndex.floorEntry(relativeEnd - 1);
        long max = Long.MIN_VALUE;
        int position = SegmentDescriptor.HEADER_LENGTH;
        long current = 0;
        if (entry >= 0)
        {
            current = offsetIndex.relativeOffset(entry);
            position = offsetIndex.position(entry);
            for (int t = timeIndex.entryCount() - 1; t >= 0; t--)
            {
                if (timeIndex.relativeOffset(t) <= current)
                {
                    max = timeIndex.maxTimestamp(t);
                    break;
                }
            }
        }
        final int capacity = buffer.capacity();
        while (current < relativeEnd)
        {
            if (position < SegmentDescriptor.HEADER_LENGTH || position > capacity - RecordDescriptor.HEADER_LENGTH)
            {
                throw damagedAt(position, current, "past the last frame the segment can hold");
            }
            final int frameLength = buffer.getInt(position + RecordDescriptor.LENGTH_OFFSET);
            if (frameLength < RecordDescriptor.HEADER_LENGTH || frameLength > capacity - position)
            {
                throw damagedAt(position, current, "frame length " + frameLength);
            }
            max = Math.max(max, buffer.getLong(position + RecordDescriptor.TIMESTAMP_OFFSET));
            position += RecordDescriptor.alignedFrameLength(frameLength - RecordDescriptor.HEADER_LENGTH);
            current++;
        }
        return max;
    }

    /**
     * Resets the in-memory tail state; used by recovery before it re-applies the surviving frames.
     */
    void resetTail()
    {
        recordCount = 0;
        tailPosition = SegmentDescriptor.HEADER_LENGTH;
        maxTimestamp = Long.MIN_VALUE;
        lastIndexedMaxTimestamp = Long.MIN_VALUE;
        nextIndexCheckPosition = 0;
    }

    /**
     * Adopts the state of a sealed segment found by a scan, keeping its index files as they are.
     */
    void adoptScan(final int recordCount, final int tailPosition, final long maxTimestamp)
    {
        this.recordCount = recordCount;
        this.tailPosition = tailPosition;
        this.maxTimestamp = maxTimestamp;
    }

    /**
     * Adopts the state of a sealed segment trusted by its {@link SealMark}, without a walk: its records
     * are on the device (the mark is written after they were forced), and readers check each one's CRC32C.
     *
     * @param recordCount  records in the segment.
     * @param tailPosition one past the last frame.
     * @param maxTimestamp of the segment's records.
     */
    void adoptMark(final int recordCount, final int tailPosition, final long maxTimestamp)
    {
        adoptScan(recordCount, tailPosition, maxTimestamp);
        readCheckLimit = tailPosition;
        forcedPosition = tailPosition;
        sealMarkDue = false;
    }

    /**
     * Resumes the tail from its trusted recovery point ({@link SealMark}) instead of from its first
     * record: the index entries of the records after the point are removed (recovery indexes those records
     * again as it walks them), and the tail state is what the writer had at the point. Recovery only,
     * read-write.
     *
     * @param recordCount        records below the point.
     * @param tailPosition       one past the last of them.
     * @param indexIntervalBytes between index checkpoints.
     */
    void resumeTail(final int recordCount, final int tailPosition, final int indexIntervalBytes)
    {
        offsetIndex.truncate(SealMark.entriesBelow(offsetIndex, recordCount));
        timeIndex.truncate(SealMark.entriesBelow(timeIndex, recordCount));
        final int offsetEntries = offsetIndex.entryCount();
        final int timeEntries = timeIndex.entryCount();
        this.recordCount = recordCount;
        this.tailPosition = tailPosition;
        this.maxTimestamp = maxTimestampBelow(recordCount);
        this.lastIndexedMaxTimestamp = timeEntries == 0 ? Long.MIN_VALUE : timeIndex.maxTimestamp(timeEntries - 1);
        this.nextIndexCheckPosition = offsetEntries == 0 ? 0 : offsetIndex.position(offsetEntries - 1) + indexIntervalBytes;
        this.readCheckLimit = tailPosition;
        this.forcedPosition = tailPosition;
    }

    /**
     * Writes the tail's recovery point ({@link SealMark#RECOVERY_POINT_MAGIC}) for the records below a
     * relative end offset, which a completed force covered: forces the index files, writes the point and
     * forces the header. Under the partition's lock, with the writer stopped (close).
     *
     * @param relativeEnd records covered.
     */
    void writeRecoveryPoint(final int relativeEnd)
    {
        final int end = endPosition(relativeEnd);
        force(end);
        offsetIndex.force();
        timeIndex.force();
        SealMark.write(buffer, SealMark.RECOVERY_POINT_MAGIC, relativeEnd, end, SealMark.indexCrc(
            this, SealMark.entriesBelow(offsetIndex, relativeEnd), SealMark.entriesBelow(timeIndex, relativeEnd)));
        checkFault();
        mapped.force(0, SegmentDescriptor.HEADER_LENGTH);
    }

    /**
     * Position below which readers check each frame's CRC32C (those not walked at this open).
     *
     * @return the limit; 0 when every frame was walked or written by this process.
     */
    int readCheckLimit()
    {
        return readCheckLimit;
    }

    /**
     * Says whether the segment may be marked once sealed and forced: false when its records were walked
     * at open without their CRC32C checked, or it is marked already. Recovery only.
     *
     * @param due whether to write the mark.
     */
    void sealMarkDue(final boolean due)
    {
        sealMarkDue = due;
    }

    /**
     * Writes this sealed segment's {@link SealMark} if it is due: forces its records and its index files,
     * then writes the mark and forces the header. Under the partition's lock (force() or open).
     *
     * @return true if a mark was written.
     */
    boolean writeSealMarkIfDue()
    {
        if (!sealMarkDue)
        {
            return false;
        }
        force(tailPosition);
        offsetIndex.force();
        timeIndex.force();
        SealMark.write(buffer, recordCount, tailPosition, SealMark.indexCrc(this));
        checkFault();
        mapped.force(0, SegmentDescriptor.HEADER_LENGTH);
        sealMarkDue = false;
        return true;
    }

    /**
     * Replaces the indexes with ones recovery is about to rebuild (in memory when the journal is open
     * read-only and the files could not be trusted). Recovery only, before readers can see the segment.
     */
    void replaceIndexes(final OffsetIndex offsetIndex, final TimeIndex timeIndex)
    {
        this.offsetIndex.close();
        this.timeIndex.close();
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
    }

    /**
     * Byte position of the first record with offset at or after the relative offset, walking from the
     * nearest index entry. The offset must be below {@code recordCount} or equal to it (the tail).
     */
    int positionOf(final long relativeOffset)
    {
        final int entry = offsetIndex.floorEntry(relativeOffset);
        int position = entry < 0 ? SegmentDescriptor.HEADER_LENGTH : offsetIndex.position(entry);
        long current = entry < 0 ? 0 : offsetIndex.relativeOffset(entry);
        // Cold path (seeks, segment changes): indexes are checked against the frames on open, and the
        // bounds here make a later corruption an error rather than a walk off the segment or a loop.
        final int capacity = buffer.capacity();
        while (true)
        {
            if (position < SegmentDescriptor.HEADER_LENGTH || position > capacity ||
                (position & (RecordDescriptor.FRAME_ALIGNMENT - 1)) != 0)
            {
                throw damagedAt(position, current, "no record can start at this position");
            }
            if (current >= relativeOffset)
            {
                return position;
            }
            if (position > capacity - RecordDescriptor.HEADER_LENGTH)
            {
                throw damagedAt(position, current, "past the last frame the segment can hold");
            }
            final int frameLength = buffer.getInt(position + RecordDescriptor.LENGTH_OFFSET);
            if (frameLength < RecordDescriptor.HEADER_LENGTH || frameLength > capacity - position)
            {
                throw damagedAt(position, current, "frame length " + frameLength);
            }
            position += RecordDescriptor.alignedFrameLength(frameLength - RecordDescriptor.HEADER_LENGTH);
            current++;
        }
    }

    /**
     * The error for a frame that is not where the indexes and lengths say it is.
     *
     * @param position       byte position in the segment.
     * @param relativeOffset of the record expected there.
     * @param what           was found.
     * @return the exception to throw.
     */
    JournalException damagedAt(final int position, final long relativeOffset, final String what)
    {
        return new JournalException(JournalException.Category.CORRUPTION,
            "segment " + file + " has no valid record for offset " + (baseOffset + relativeOffset) + " at byte offset " +
            position + ": " + what + " (damaged since it was opened?); run 'sluice journal verify'");
    }

    /**
     * Forces the bytes written since the last force to the storage device. Called by the thread doing
     * group commit or by the writer; both are serialised by the partition.
     */
    void force(final int upToPosition)
    {
        final int from = forcedPosition;
        if (upToPosition > from)
        {
            checkFault();
            mapped.force(from, upToPosition - from);
            forcedPosition = upToPosition;
        }
    }

    private void checkFault()
    {
        try
        {
            StorageFaults.check(StorageFaults.Operation.FORCE, file);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException("cannot force " + file + ": " + ex.getMessage(), ex);
        }
    }

    void close()
    {
        reservationLock.lock();
        try
        {
            if (!closed)
            {
                closed = true;
                if (reserveChannel != null)
                {
                    try
                    {
                        reserveChannel.close();
                    }
                    catch (final IOException ex)
                    {
                        // Only zeros were written through it; the mapping holds the records.
                    }
                }
                offsetIndex.close();
                timeIndex.close();
                IoUtil.unmap(mapped);
            }
        }
        finally
        {
            reservationLock.unlock();
        }
    }
}
