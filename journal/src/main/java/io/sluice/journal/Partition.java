package io.sluice.journal;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One partition of a topic: an append-only sequence of records addressed by offset (0, 1, 2, ...),
 * stored in segments. It has exactly one {@link PartitionWriter} and any number of
 * {@link PartitionReader}s.
 *
 * <p>Visibility: {@link #endOffset()} is published by the writer with release semantics after each
 * record is complete; every offset below it is readable from any thread. {@link #durableOffset()}
 * is advanced after a completed force() covers the records below it.
 *
 * <p>Threading: the writer thread appends; force and retention serialise on this object's lock, which is
 * never taken per record; a roll (writer thread) and retention change the segment array under a lock of its own
 * held for the array's copy only, so a roll never waits for a force().
 */
public final class Partition
{
    /** Records the checksum duty stays behind the writer (a force() checksums up to the end). */
    static final int CHECKSUM_LAG_RECORDS = 64;
    /**
     * Bytes the allocator duty pre-touches per call ({@link #reserveAhead}): 16 pages, some 40-90 us of a CPU where
     * each page faults alone. The duty's thread shares a CPU with others (under the engine's low-latency profile,
     * with everything that is not a processing thread, a producer in the same process included): a step of
     * {@link SegmentFiles#RESERVE_CHUNK} held that CPU 1.4 ms at a time (writing 1 MiB of zeros and mapping
     * its 256 pages, the least of 200 steps on a 2-core VM), a hundred times a second at 100 MB/s of journal.
     * Reservations (zeros written, no page mapped) go a chunk per call, ahead of the pre-touch.
     */
    static final int AHEAD_STEP = 64 * 1024;
    /**
     * Bytes the writer's own thread reserves and pre-touches per idle call ({@link #reserveAheadOnWriter}):
     * 4 pages, a few microseconds, so that an event arriving during a step waits no longer than that.
     */
    static final int WRITER_AHEAD_STEP = 16 * 1024;
    /**
     * Bytes ahead of a staged writer that stores small runs through the mapping ({@link JournalContext#stagedSmallRunRecords})
     * that the allocator duty keeps pre-touched, 16 pages, while the writer stores such runs: a short stretch, because
     * its longer runs go in with {@code pwrite} and need no page of the mapping, and a page touched for nothing costs the
     * duty's CPU 8-10 us here (perf/README.md, sections 82, 104 and 109). At 50,000 outputs a second of ~100 bytes
     * the writer crosses it in about 13 ms.
     */
    static final int SMALL_RUN_TOUCH_AHEAD = 64 * 1024;
    /** Records an idle writer that checksums its own may fall behind before the checksum duty takes over again. */
    static final int WRITER_CHECKSUM_BEHIND = 16 * 1024;

    private final String topicName;
    private final int id;
    private final JournalContext context;
    private final SegmentFiles files;
    private final SegmentAllocator allocator;
    private final PaddedSequence endOffset;
    private final PaddedSequence durableOffset;
    private final List<RecoveryEvent> recoveryEvents;
    private final PartitionWriter writer;
    /**
     * Whether the writer stages its frames, checksums them itself and writes them with {@code pwrite}
     * ({@link JournalContext#stagedWrites}): then every published record carries its checksum, the checksum duty and
     * force() have none to store, and no duty pre-touches the tail's pages beyond a short stretch while it stores small
     * runs through the mapping ({@link #SMALL_RUN_TOUCH_AHEAD}).
     */
    private final boolean stagedWrites;
    /** Whether the staged writer stores runs of a record or two through the mapping ({@link JournalContext#stagedSmallRunRecords}). */
    private final boolean storesSmallRuns;
    /** The writer's count of small runs stored as of the allocator duty's last look ({@link #reserveAhead}); the duty's thread only. */
    private int smallRunStoresSeen;
    /** Checksums published records, on the duty's thread or the idle writer's; null when read-only. Guarded by checksumLock. */
    private final ChecksumCursor checksumCursor;
    /**
     * Guards the checksum cursor: a lock of its own, never held while waiting on the disk, so that an idle
     * writer can try it and go on at once when the duty or a force() holds it ({@link #checksumOnWriter}).
     * Taken inside this object's lock (force, close), never the other way round.
     */
    private final java.util.concurrent.locks.ReentrantLock checksumLock = new java.util.concurrent.locks.ReentrantLock();
    /** The end offset the checksum duty saw on its last cycle. Guarded by checksumLock. */
    private long lastChecksumEnd = -1;
    private volatile Segment[] segments;
    /** Null while the partition accepts appends; else why not (FATAL after a failed force(), STATE once closed). */
    private volatile JournalException stopped;
    /** Set by a roll (writer thread), cleared by the force() that fsyncs the directory after it. */
    private volatile boolean directoryDirty;
    /**
     * Serialises the changes of {@link #segments} (a roll appends, retention removes the oldest): held for the array's
     * copy only, never across a force() or a file operation, so that a roll never waits for a force() in progress.
     */
    private final Object segmentsLock = new Object();
    private volatile boolean groupCommitActive;
    /** Set once the writer's thread reserves ahead while idle ({@link #reserveAheadOnWriter}); read by the allocator duty. */
    private volatile boolean writerReservesAhead;
    /** Set once the writer's thread checksums while idle ({@link #checksumOnWriter}); read by the checksum duty. */
    private volatile boolean writerChecksums;
    private final AtomicLong corruptRecordsRead = new AtomicLong();
    /** Times the writer found no reserved space ahead and reserved it itself ({@link #reserveFor}); writer thread only writes. */
    private final AtomicLong writerReservations = new AtomicLong();
    /** Bytes of zeros those reservations wrote on the writer's thread. */
    private final AtomicLong writerReservedBytes = new AtomicLong();

    Partition(
        final String topicName,
        final int id,
        final Path directory,
        final JournalContext context,
        final SegmentAllocator allocator)
    {
        this.topicName = topicName;
        this.id = id;
        this.context = context;
        this.allocator = allocator;
        if (context.readOnly())
        {
            JournalFiles.checkNotWritableByOthers(directory);
        }
        else
        {
            JournalFiles.ensureSecureDirectory(directory);
        }
        this.files = new SegmentFiles(directory, context.segmentLength(), context.indexIntervalBytes(), context.readOnly());
        this.stagedWrites = context.stagedWrites() && !context.readOnly();
        this.storesSmallRuns = stagedWrites && context.stagedSmallRunRecords() > 0;
        if (stagedWrites)
        {
            files.skipSpareLogTouch();
        }
        final PartitionRecovery recovery = new PartitionRecovery(
            files, context.verifyChecksumsOnOpen(), context.indexIntervalBytes(), context.bootId());
        Segment[] recovered = recovery.recover();
        final List<RecoveryEvent> events = new java.util.ArrayList<>(recovery.events());
        final long end = recovered[recovered.length - 1].baseOffset() + recovered[recovered.length - 1].recordCount();
        if (!context.readOnly() && SegmentDescriptor.legacy(recovered[recovered.length - 1].buffer()))
        {
            recovered = sealLegacyTail(recovered, end, events);
        }
        this.recoveryEvents = List.copyOf(events);
        final Segment tail = recovered[recovered.length - 1];
        if (!context.readOnly())
        {
            // Its records have blocks; what follows may be a hole (segments are created sparse).
            tail.initReserved(Math.max(tail.reservedLimit(), tail.tailPosition()));
            for (final Segment segment : recovered)
            {
                // What survived a crash may still be only in the page cache: make it durable before use.
                segment.force(segment.tailPosition());
            }
            for (int i = 0; i < recovered.length - 1; i++)
            {
                // Sealed segments this open verified in full: marked, so that the next open trusts them.
                recovered[i].writeSealMarkIfDue();
            }
            if (context.pretouchOnOpen())
            {
                // Before the first append: blocks reserved and pages mapped for the first stretch of appends.
                // After the forces above, never before: writing back dirty pages write-protects them again
                // (on ext4 a force of the header page also wrote back the tail's first zero-filled megabyte),
                // and the writer then took a page fault on each of them, ~256 per open.
                final int reserved = tail.reserve(tail.tailPosition() + context.reserveAheadBytes());
                if (!stagedWrites)
                {
                    tail.pretouch(reserved);
                }
            }
        }
        this.segments = recovered;
        this.endOffset = new PaddedSequence(end);
        this.durableOffset = new PaddedSequence(context.readOnly() ? 0 : end);
        if (context.readOnly())
        {
            this.writer = null;
            this.checksumCursor = null;
            this.stopped = new JournalException(JournalException.Category.STATE,
                "partition " + topicName + "/" + id + " is open read-only");
        }
        else
        {
            this.checksumCursor = new ChecksumCursor(this, tail);
            this.writer = new PartitionWriter(this, endOffset, tail, end, context.indexIntervalBytes(), stagedWrites,
                context.stagedSmallRunRecords());
        }
    }

    /**
     * A version-1 tail (whose writer checksummed every record) is not appended to with version-2
     * records: an empty one is rewritten as version 2, one with records is sealed by starting a new
     * version-2 segment at its end, so each segment keeps one meaning for the marker's value.
     */
    private Segment[] sealLegacyTail(final Segment[] recovered, final long end, final List<RecoveryEvent> events)
    {
        final Segment legacyTail = recovered[recovered.length - 1];
        if (legacyTail.recordCount() == 0)
        {
            SegmentDescriptor.writeHeader(legacyTail.buffer(), legacyTail.baseOffset(), legacyTail.capacity(), context.bootId());
            events.add(new RecoveryEvent(legacyTail.file(), 0, 0, "rewrote the header of an empty version-1 tail as version 2"));
            return recovered;
        }
        final Segment next = files.createSegment(end, context.bootId());
        directoryDirty = true;
        events.add(new RecoveryEvent(legacyTail.file(), legacyTail.tailPosition(), 0,
            "sealed the version-1 tail segment (records checksummed by their writer); new records go to " + next.file()));
        final Segment[] grown = java.util.Arrays.copyOf(recovered, recovered.length + 1);
        grown[recovered.length] = next;
        return grown;
    }

    /**
     * The name of the topic this partition belongs to.
     *
     * @return the topic name.
     */
    public String topicName()
    {
        return topicName;
    }

    /**
     * The partition's number within its topic.
     *
     * @return the partition id.
     */
    public int id()
    {
        return id;
    }

    /**
     * The directory holding this partition's segments.
     *
     * @return the partition directory.
     */
    public Path directory()
    {
        return files.directory();
    }

    /**
     * Offset of the first retained record.
     *
     * @return the first retained offset.
     */
    public long startOffset()
    {
        return segments[0].baseOffset();
    }

    /**
     * Offset the next appended record will get; every offset below is readable.
     *
     * @return one past the last readable offset.
     */
    public long endOffset()
    {
        return endOffset.getAcquire();
    }

    /**
     * One past the last offset known to be on the storage device (covered by a completed force()).
     *
     * @return one past the last durable offset.
     */
    public long durableOffset()
    {
        return durableOffset.getAcquire();
    }

    /**
     * The single writer of this partition.
     *
     * @return the writer.
     */
    public PartitionWriter writer()
    {
        if (writer == null)
        {
            throw new JournalException(JournalException.Category.STATE,
                "partition " + topicName + "/" + id + " is open read-only: it has no writer");
        }
        return writer;
    }

    /**
     * Creates a reader positioned at the first retained record. The caller closes it.
     *
     * @return a new reader.
     */
    public PartitionReader newReader()
    {
        return new PartitionReader(this, context.outOfRangePolicy());
    }

    /**
     * What recovery did when this partition was opened (truncated torn tails, rebuilt indexes).
     *
     * @return the recovery events, empty after a clean shutdown.
     */
    public List<RecoveryEvent> recoveryEvents()
    {
        return recoveryEvents;
    }

    /**
     * Bytes of segment files this partition currently holds on disk.
     *
     * @return total bytes of its segment files.
     */
    public long sizeInBytes()
    {
        long total = 0;
        for (final Segment segment : segments)
        {
            total += segment.capacity();
        }
        return total;
    }

    /**
     * Describes each segment: base offset, record count, bytes used and capacity, max timestamp.
     *
     * @return one description per segment, oldest first.
     */
    public List<SegmentInfo> segmentInfos()
    {
        final Segment[] current = segments;
        final long end = endOffset();
        final SegmentInfo[] infos = new SegmentInfo[current.length];
        for (int i = 0; i < current.length; i++)
        {
            final Segment s = current[i];
            final boolean last = i + 1 == current.length;
            final long next = last ? end : current[i + 1].baseOffset();
            // The live tail's state is exact only as of the writer's last checkpoint: walk from there.
            infos[i] = new SegmentInfo(s.file(), s.baseOffset(), next - s.baseOffset(),
                last ? s.endPosition(end - s.baseOffset()) : s.tailPosition(), s.capacity(),
                last ? s.maxTimestampBelow(end - s.baseOffset()) : s.maxTimestamp());
        }
        return List.of(infos);
    }

    /**
     * Records readers found damaged: a record of a segment trusted by its seal mark whose CRC32C no longer
     * matches (each is refused with a CORRUPTION error, never delivered).
     *
     * @return the count since the partition was opened.
     */
    public long corruptRecordsRead()
    {
        return corruptRecordsRead.get();
    }

    /**
     * Times the writer found no reserved space ahead of its next frame and reserved it on its own thread (zeros
     * written with {@code pwrite} while the event waits), because the allocator duty was behind or not running.
     * Zero on a machine where the duty keeps up.
     *
     * @return the count since the partition was opened.
     */
    public long writerReservations()
    {
        return writerReservations.get();
    }

    /**
     * Bytes the writer's own reservations ({@link #writerReservations()}) wrote.
     *
     * @return the bytes since the partition was opened.
     */
    public long writerReservedBytes()
    {
        return writerReservedBytes.get();
    }

    /**
     * Counts a record a reader found damaged and describes it.
     *
     * @param segment  holding it.
     * @param position of its frame.
     * @param offset   of the record.
     * @param length   of its frame.
     * @return the error to throw.
     */
    JournalException corruptRecord(final Segment segment, final int position, final long offset, final int length)
    {
        corruptRecordsRead.incrementAndGet();
        return new JournalException(JournalException.Category.CORRUPTION,
            "record offset " + offset + " of " + topicName + "/" + id + " in sealed segment " + segment.file() +
            " at byte offset " + position + ": CRC32C mismatch in frame of length " + length + " (the segment was " +
            "verified when it was sealed and marked, so its bytes changed since); the record is not delivered. " +
            "Run 'sluice journal verify' to list the damage and 'sluice journal repair' to truncate at it");
    }

    /**
     * Stops the writer after a failed write of its staged frames ({@link JournalContext#stagedWrites}), as after a
     * failed force(): records were given offsets that may not be in the file, so nothing more is acknowledged.
     *
     * @param file  the segment file written.
     * @param cause of the failure.
     * @return the FATAL error to throw (the next append throws it too).
     */
    JournalException writeFailed(final Path file, final Throwable cause)
    {
        final JournalException fatal = new JournalException(JournalException.Category.FATAL,
            "writing staged records to " + file + " failed on partition " + topicName + "/" + id +
            "; the writer stops acknowledging: " + cause, cause);
        stopped = fatal;
        return fatal;
    }

    /**
     * The error that stopped the writer, or null while it is healthy.
     *
     * @return the fatal error or null.
     */
    public JournalException fatalError()
    {
        final JournalException reason = stopped;
        return reason != null && reason.category() == JournalException.Category.FATAL ? reason : null;
    }

    /**
     * Forces every record appended so far to the storage device and advances {@link #durableOffset()}.
     * A failure is fatal: the writer acknowledges nothing more.
     *
     * @return the new durable offset.
     */
    public synchronized long force()
    {
        checkFatal();
        final long end = endOffset.getAcquire();
        if (end <= durableOffset.getAcquire())
        {
            return end;
        }
        try
        {
            // Every record forced carries its checksum (RecordDescriptor): store the missing ones first (a staged writer
            // stores them itself). Acquiring endOffset first makes the frames and tail positions written before it visible here.
            if (!stagedWrites)
            {
                checksumLock.lock();
                try
                {
                    checksumCursor.advance(end, Integer.MAX_VALUE);
                }
                finally
                {
                    checksumLock.unlock();
                }
            }
            final Segment[] current = segments;
            for (int i = 0; i < current.length; i++)
            {
                // Sealed segments know their tail; the live tail's position is found from the end offset.
                final Segment segment = current[i];
                segment.force(i + 1 < current.length ? segment.tailPosition() : segment.endPosition(end - segment.baseOffset()));
            }
            if (directoryDirty)
            {
                directoryDirty = false; // before the fsync: a roll meanwhile sets it again for the next force()
                // A roll renamed a new segment into place: its directory entry must survive power loss too.
                JournalFiles.fsyncDirectory(files.directory());
            }
            for (int i = 0; i < current.length - 1; i++)
            {
                // A segment sealed since the last force: its records are forced now, so it can be marked.
                current[i].writeSealMarkIfDue();
            }
        }
        catch (final RuntimeException ex)
        {
            final JournalException fatal = new JournalException(JournalException.Category.FATAL,
                "force() failed on partition " + topicName + "/" + id + "; the writer stops acknowledging: " + ex, ex);
            stopped = fatal;
            throw fatal;
        }
        durableOffset.setRelease(end);
        return end;
    }

    /**
     * Checksums up to {@code limit} published records that are not yet checksummed; the checksum duty's
     * work. Does nothing once the partition is closed or stopped, nor while an idle writer checksums its
     * own records ({@link #checksumOnWriter}) and is less than {@link #WRITER_CHECKSUM_BEHIND} records behind.
     *
     * @param limit most records to checksum.
     * @return the number of records checksummed.
     */
    int checksumPublished(final int limit)
    {
        if (checksumCursor == null || stagedWrites)
        {
            return 0;
        }
        checksumLock.lock();
        try
        {
            if (stopped != null)
            {
                return 0;
            }
            // A few records behind a writer that is appending, so that the duty does not pull the cache lines
            // it is writing; all the way once it has stopped (no record since the last cycle).
            final long end = endOffset.getAcquire();
            if (writerChecksums && end - checksumCursor.offset() < WRITER_CHECKSUM_BEHIND)
            {
                return 0;
            }
            final long upTo = end == lastChecksumEnd ? end : end - CHECKSUM_LAG_RECORDS;
            lastChecksumEnd = end;
            return advanceChecksums(upTo, limit);
        }
        finally
        {
            checksumLock.unlock();
        }
    }

    /**
     * Advances the checksum cursor; a frame it finds damaged in the mapping stops the writer as a failed force()
     * does (FATAL: nothing more is acknowledged, the next append reports it), since its records can no longer be
     * made durable. Called with the checksum lock held.
     */
    private int advanceChecksums(final long end, final int limit)
    {
        try
        {
            return checksumCursor.advance(end, limit);
        }
        catch (final JournalException ex)
        {
            final JournalException fatal = new JournalException(JournalException.Category.FATAL,
                "checksumming failed on partition " + topicName + "/" + id + "; the writer stops acknowledging: " + ex, ex);
            stopped = fatal;
            throw fatal;
        }
    }

    /**
     * The writer's own share of the checksum duty, for a writer thread that spins when it has nothing to
     * append (the engine's low-latency profile): checksums up to {@code limit} of its published records,
     * while their lines are still in its cache, unless the duty or a force() holds the cursor (then it does
     * nothing and returns at once: it never waits). From the first call the checksum duty leaves this
     * partition to the writer unless the writer falls {@link #WRITER_CHECKSUM_BEHIND} records behind.
     * Writer thread only.
     *
     * @param limit most records to checksum.
     * @return the number of records checksummed.
     */
    int checksumOnWriter(final int limit)
    {
        if (checksumCursor == null || stagedWrites || !checksumLock.tryLock())
        {
            return 0;
        }
        try
        {
            if (stopped != null)
            {
                return 0;
            }
            if (!writerChecksums)
            {
                writerChecksums = true;
            }
            // Every record below the end offset this thread published is complete.
            return advanceChecksums(endOffset.getAcquire(), limit);
        }
        finally
        {
            checksumLock.unlock();
        }
    }

    /**
     * One past the last record that carries its CRC32C: the checksum duty, or a force(), computed it
     * off the writer's thread. Records at or past it are JOURNALED and readable, not yet checksummed.
     *
     * @return the first offset not yet checksummed.
     */
    public long checksummedOffset()
    {
        if (checksumCursor == null || stagedWrites)
        {
            return endOffset();
        }
        checksumLock.lock();
        try
        {
            return checksumCursor.offset();
        }
        finally
        {
            checksumLock.unlock();
        }
    }

    /**
     * Keeps the tail's reserved space, and behind it the pre-touched pages, a bounded distance ahead of the writer:
     * the allocator duty's work, one step per call, either
     * <ul>
     *   <li>a reservation of the next {@link SegmentFiles#RESERVE_CHUNK} (an aligned megabyte of zeros written with
     *       {@code pwrite}, no page mapped: some hundreds of microseconds, cheap per byte), up to the chunk
     *       that holds {@code aheadBytes} past the writer; first while less than half that distance is reserved,
     *       since a writer that reaches the reserved limit writes the zeros itself while its event waits; or</li>
     *   <li>a pre-touch of the next {@link #AHEAD_STEP} of pages below the reserved limit, up to {@code aheadBytes}
     *       past the writer (a page fault on the writer's thread costs its event microseconds, not milliseconds).</li>
     * </ul>
     * Before, the reservation moved with the pre-touch, 64 KiB a step: a writer that overtook the touching found
     * no reserved space either and wrote four megabytes of zeros itself (perf/README.md, sections 71 and 75). A
     * pre-toucher the writer has overtaken (a writer faster than the duty, or a duty without a CPU for a while)
     * does not touch the pages behind it, which the writer has faulted in already: it resumes a step ahead of the
     * writer, where its touches are still of use. A staged writer's pages are touched only a short stretch ahead, and
     * only while it stores small runs through the mapping (see {@link #touchWanted}); its index pages, when nothing
     * else is due, {@code aheadBytes} of log ahead ({@link Segment#pretouchIndexes}). Takes the segment's reservation lock only (see
     * {@link Segment#reserve}), never the partition's, so a force() in progress does not hold it up and it does
     * not hold up a roll.
     *
     * @param aheadBytes how far ahead of the writer's position to reserve and pre-touch.
     * @return 1 if it reserved or touched a step, else 0.
     */
    int reserveAhead(final int aheadBytes)
    {
        if (writer == null || stopped != null)
        {
            return 0;
        }
        endOffset.getAcquire(); // the tail position written before the last publication is visible after it
        final Segment[] current = segments;
        final Segment tail = current[current.length - 1];
        // As of the writer's last index checkpoint: at most an index interval behind the writer.
        final int writerPosition = tail.tailPosition();
        final int reserved = tail.reservedLimit();
        final long reservedAhead = (long)reserved - writerPosition;
        if (writerReservesAhead && reservedAhead >= aheadBytes / 2)
        {
            return 0; // the writer keeps its own distance; the duty steps in only when it falls below half
        }
        final int capacity = tail.capacity();
        final long wanted = Math.min((long)writerPosition + aheadBytes, capacity);
        final int smallRunStores = storesSmallRuns ? writer.smallRunStores() : 0;
        final int touchFrom = pretouchFrom(tail.touchedLimit(), writerPosition);
        final int touchTo = (int)Math.min(Math.min(touchWanted(writerPosition, wanted, smallRunStores), reserved),
            (long)touchFrom + AHEAD_STEP);
        final boolean touchDue = touchFrom < touchTo;
        if (reserved < wanted && (!touchDue || reservedAhead < aheadBytes / 2))
        {
            tail.reserve(nextChunkEnd(reserved, capacity));
            return 1;
        }
        smallRunStoresSeen = smallRunStores; // the stores seen are covered: touched now, or touched before
        if (touchDue)
        {
            tail.pretouch(touchFrom, touchTo);
            return 1;
        }
        // A staged writer's index pages, which no pre-touch of the log's pages covers while it writes with pwrite.
        return stagedWrites && tail.pretouchIndexes((int)wanted) ? 1 : 0;
    }

    /**
     * How far ahead of the writer the pages are worth touching: as far as the space is wanted for a mapped writer; for a
     * staged one, whose pwrites find the page-cache folios the reservation's zeros left, nothing, unless it stored a
     * small run through the mapping since the duty last looked, then {@link #SMALL_RUN_TOUCH_AHEAD} past its position.
     * The writer's count ({@link PartitionWriter#smallRunStores()}) is read without ordering: a stale count delays the
     * touch by a duty cycle. A staged writer's longer runs (a backlog, a burst of results) thus leave the mapping alone.
     */
    private long touchWanted(final int writerPosition, final long wanted, final int smallRunStores)
    {
        if (!stagedWrites)
        {
            return wanted;
        }
        return smallRunStores != smallRunStoresSeen ? Math.min(wanted, (long)writerPosition + SMALL_RUN_TOUCH_AHEAD) : 0;
    }

    /**
     * Where the pre-touch resumes: where it stopped, or a step past the writer's page if the writer overtook it
     * (page-aligned either way: touches are compare-and-sets of each page's first int).
     */
    private int pretouchFrom(final int touched, final int writerPosition)
    {
        final int writerPage = writerPosition & -Segment.PAGE_SIZE;
        // A staged writer overtakes the touches whenever it writes runs with pwrite: the next page is where its small
        // runs' stores go next (a step past it would lie beyond the short stretch it needs).
        return touched < writerPage ? writerPage + (stagedWrites ? Segment.PAGE_SIZE : AHEAD_STEP) : touched;
    }

    /** The end of the reserve chunk after the one holding {@code position}, or the capacity. */
    private static int nextChunkEnd(final int position, final int capacity)
    {
        return (int)Math.min(capacity, ((long)position + SegmentFiles.RESERVE_CHUNK) & -SegmentFiles.RESERVE_CHUNK);
    }

    /** The end of the reserve chunk holding the byte before {@code position}: {@code position} rounded up to a chunk. */
    private static int chunkCeiling(final int position, final int capacity)
    {
        return (int)Math.min(capacity, ((long)position + SegmentFiles.RESERVE_CHUNK - 1) & -SegmentFiles.RESERVE_CHUNK);
    }

    /**
     * The writer's own share of the allocator duty, for a writer thread that spins when it has nothing to
     * append (the engine's low-latency profile): one short step ({@link #WRITER_AHEAD_STEP}) of the
     * pre-touch, and of the reservation where it is missing, {@code reserveAheadBytes} ahead of its position.
     * From the first call the allocator duty leaves this partition's reservation to the writer while the writer
     * keeps at least half that distance reserved (the duty takes over when the writer is too busy appending to
     * keep up), so the pages are touched on the writer's own core in steps of a few microseconds between appends,
     * not by a background thread that takes its CPU from another thread for tens of microseconds at a time.
     * Nothing is done without an allocator duty ({@link JournalContext#preallocateNextSegment}). Writer thread only.
     *
     * @param tail     segment the writer appends to.
     * @param position where the writer's next frame goes in it.
     * @return 1 if it did a step, else 0 (nothing missing, or the allocator duty holds the segment's lock).
     */
    int reserveAheadOnWriter(final Segment tail, final int position)
    {
        if (allocator == null || stopped != null)
        {
            return 0;
        }
        if (!writerReservesAhead)
        {
            writerReservesAhead = true;
        }
        final long wanted = Math.min((long)position + context.reserveAheadBytes(), tail.capacity());
        // The pre-touch is the frontier (the duty may have reserved further while it stood in for the writer); the
        // writer's own page onwards, never a page behind it.
        final int from = Math.max(tail.touchedLimit(), position & -Segment.PAGE_SIZE);
        // Whole steps only, once a step is missing (or to the segment's end): topping the reservation up by the
        // bytes of each record appended made one pwrite of a few bytes per event on the writer's thread (26,000
        // a second in the demo), each a system call that may wait behind the file system's writeback.
        if (from >= wanted || (wanted - from < WRITER_AHEAD_STEP && wanted < tail.capacity()))
        {
            return 0;
        }
        // Tried, never waited for: the duty may hold the segment's lock while it waits for its CPU.
        // A staged writer's pwrites need no page of the mapping; its small runs' stores do (the mapped writer's all do).
        return tail.tryReserveAhead(from, (int)Math.min(wanted, (long)from + WRITER_AHEAD_STEP), !stagedWrites || storesSmallRuns) ? 1 : 0;
    }

    /**
     * Reserves space the writer needs now because the allocator duty is behind or not running: up to the end of
     * the {@link SegmentFiles#RESERVE_CHUNK} that holds the frame's end, so that an event waits for at most a
     * megabyte of zeros, and the reserved limit stays chunk-aligned for the duty's next reservations. Only
     * what this thread wrote is counted ({@link #writerReservations()}): not space the duty reserved while the
     * writer waited for the segment's lock. Writer thread only.
     *
     * <p>Four chunks at a time were tried first (an event waited for 4 MiB of zeros), then the frame plus
     * {@link #AHEAD_STEP} while the duty reserved only as far as it touched (the writer took 3-5x the page faults):
     * perf/README.md, sections 75 and 76.
     *
     * @param tail   segment the writer appends to.
     * @param needed bytes from the start of the segment the next frame ends at.
     * @return the new reserved limit.
     * @throws JournalException IO naming the file if the disk is full.
     */
    int reserveFor(final Segment tail, final int needed)
    {
        checkFatal();
        final int written = tail.reserveCounted(Math.max(needed, chunkCeiling(needed, tail.capacity())));
        if (written > 0)
        {
            writerReservations.incrementAndGet();
            writerReservedBytes.addAndGet(written);
        }
        return tail.reservedLimit();
    }

    void checkFatal()
    {
        // One volatile read on the append path: null means healthy and open.
        final JournalException reason = stopped;
        if (reason != null)
        {
            throw reason;
        }
    }

    boolean groupCommitActive()
    {
        return groupCommitActive;
    }

    void groupCommitActive(final boolean active)
    {
        groupCommitActive = active;
    }

    Segment[] segments()
    {
        return segments;
    }

    void publishEndOffset(final long end)
    {
        endOffset.setRelease(end);
    }

    /**
     * Seals the tail and starts a new segment at the given base offset. Writer thread only. It takes neither this
     * object's lock nor the disk's time: a force() in progress (which holds the lock while it waits on the device)
     * does not hold up the writer, and with the allocator duty running the new segment is mapped and touched
     * already ({@link SpareSegment}). The force() after it fsyncs the directory ({@code directoryDirty}) and marks
     * the sealed segment.
     */
    Segment roll(final long baseOffset)
    {
        checkFatal();
        final Segment next = files.createSegment(baseOffset, context.bootId());
        directoryDirty = true;
        synchronized (segmentsLock)
        {
            final Segment[] current = segments;
            final Segment[] grown = java.util.Arrays.copyOf(current, current.length + 1);
            grown[current.length] = next;
            segments = grown; // volatile: readers that see the new array see a fully initialised segment
        }
        return next;
    }

    /**
     * Asks the allocator thread for the next segment. The writer calls it once its tail is half
     * full, so that opening a journal (and the first half of every segment) does not compete with a
     * background zero-fill that is not needed yet.
     */
    void requestSpare()
    {
        if (context.preallocateNextSegment() && allocator != null)
        {
            allocator.request(files);
        }
    }

    /**
     * Deletes whole sealed segments, oldest first, while the partition is over its size limit or the
     * segment's newest record is older than the age limit, never deleting the tail nor any segment
     * holding an offset at or above {@code keepFromOffset} (for example what a checkpoint still needs).
     *
     * @param nowMillis      current epoch time in milliseconds.
     * @param keepFromOffset lowest offset that must stay readable.
     * @return number of segments deleted.
     */
    public synchronized int enforceRetention(final long nowMillis, final long keepFromOffset)
    {
        if (writer == null)
        {
            throw new JournalException(JournalException.Category.STATE,
                "partition " + topicName + "/" + id + " is open read-only: retention deletes nothing");
        }
        final long maxBytes = context.retentionBytes();
        final long maxAge = context.retentionMillis();
        Segment[] current = segments;
        int deleted = 0;
        while (current.length > 1)
        {
            final Segment oldest = current[0];
            final long nextBase = current[1].baseOffset();
            final boolean overSize = maxBytes > 0 && sizeInBytes(current) > maxBytes;
            final boolean tooOld = maxAge > 0 && oldest.maxTimestamp() < nowMillis - maxAge;
            if (!(overSize || tooOld) || nextBase > keepFromOffset)
            {
                break;
            }
            synchronized (segmentsLock)
            {
                // A roll may have appended a segment since: drop the oldest (still the first) from the latest array.
                final Segment[] latest = segments;
                current = java.util.Arrays.copyOfRange(latest, 1, latest.length);
                segments = current; // volatile: new readers no longer find the segment
            }
            files.delete(oldest);
            // The mapping is left to the garbage collector: a reader may still hold the segment.
            deleted++;
        }
        if (deleted > 0)
        {
            JournalFiles.fsyncDirectory(files.directory());
        }
        return deleted;
    }

    private static long sizeInBytes(final Segment[] segments)
    {
        long total = 0;
        for (final Segment segment : segments)
        {
            total += segment.capacity();
        }
        return total;
    }

    synchronized void close()
    {
        if (writer == null)
        {
            if (segments != null)
            {
                for (final Segment segment : segments)
                {
                    segment.close();
                }
                segments = new Segment[0];
            }
            return;
        }
        // The checksum cursor must not be reading a segment this unmaps: the duty and the writer check
        // stopped under this lock.
        checksumLock.lock();
        try
        {
            closeWriting();
        }
        finally
        {
            checksumLock.unlock();
        }
    }

    private void closeWriting()
    {
        if (stopped == null || stopped.category() == JournalException.Category.FATAL)
        {
            writer.closeStaging();
            if (stopped == null)
            {
                force();
                // A clean shutdown: the next open walks only what is appended after this point.
                final Segment[] current = segments;
                final Segment tail = current[current.length - 1];
                try
                {
                    tail.writeRecoveryPoint((int)(endOffset.getAcquire() - tail.baseOffset()));
                }
                catch (final RuntimeException ex)
                {
                    // Everything is forced: without a point (its own CRC32C guards a torn one) the next open walks the tail.
                }
            }
            stopped = new JournalException(JournalException.Category.STATE, "partition " + topicName + "/" + id + " is closed");
            for (final Segment segment : segments)
            {
                segment.close();
            }
            files.unmapSpare();
        }
    }
}
