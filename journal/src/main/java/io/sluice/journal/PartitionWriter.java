package io.sluice.journal;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The single writer of a {@link Partition}. Appending copies a record into the mapped tail segment
 * and publishes it; when {@code append} returns the record is JOURNALED: it is in the page cache and
 * survives kill -9 of this process. The writer does not checksum: it publishes the frame as "not yet
 * checksummed" and the partition's checksum duty, or the next force(), stores its CRC32C off this
 * thread (see {@link RecordDescriptor}). It becomes DURABLE (survives power loss) once
 * {@link Partition#durableOffset()} passes its offset, either through group commit or through
 * {@link #awaitDurable(long)}.
 *
 * <p>Staged mode ({@link JournalContext#stagedWrites}): frames are built in a reused staging buffer instead of the
 * mapping ({@link StagedFrames}), checksummed by this thread and written into the segment file with one {@code pwrite}
 * when the records are published (a run of at most {@link JournalContext#stagedSmallRunRecords} records is stored
 * through the mapping instead, see {@link StagedFrames#store}): {@link #append} and {@link #commit} write at once
 * (JOURNALED on return, as in mapped mode); {@link #appendUnpublished} only stages, and its records become JOURNALED when {@link #publishAppended()}
 * returns (or any call that publishes). No page of the mapping is written by the writer, and the checksum duty has
 * nothing to do for this partition.
 *
 * <p>Two ways to append without garbage: {@link #append} copies a payload from a buffer;
 * {@link #claim(int)} / {@link #commit} let the caller encode the payload in place (zero copy).
 *
 * <p>Threading: one thread only, bound on first use and checked by an assertion.
 */
public final class PartitionWriter
{
    /** Header word at {@link RecordDescriptor#LENGTH_OFFSET} is built for the native order the buffers use. */
    private static final boolean BIG_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;

    private final Partition partition;
    /** The partition's end offset, published with a release store after each record. */
    private final PaddedSequence endOffset;
    private final int indexIntervalBytes;
    private Segment tail;
    /** Base offset of the tail: a record's relative offset is {@code nextOffset - tailBase}. */
    private long tailBase;
    /** Where the next frame goes in the tail; the segment learns it at checkpoints and when sealed. */
    private int position;
    /** Maximum timestamp of the tail's records so far. */
    private long maxTimestamp;
    /** Position of the tail's next index checkpoint (see {@link Segment#checkpoint}). */
    private int nextCheckpoint;
    /**
     * Where segment position 0 lies for the frame stores: a frame at {@code position} is built at
     * {@code frameBase + position}; the mapping's base address, or in staged mode the staging buffer's (see
     * {@link StagedFrames#frameBase()}).
     */
    private long frameBase;
    /** Staged mode's buffer and file, or null in mapped mode. */
    private final StagedFrames staged;
    /** Staged mode: runs of at most this many records are stored through the mapping, not written ({@link #writeStaged}). */
    private final int smallRunRecords;
    /** Staged mode: offset of the first record staged and not yet in the file. */
    private long stagedFromOffset;
    /**
     * Staged mode: runs stored through the mapping so far (wrapping). Written by the writer's thread before the run's
     * publication; read by the allocator duty, which pre-touches a short stretch ahead while it moves
     * ({@link Partition#SMALL_RUN_TOUCH_AHEAD}).
     */
    private int smallRunStores;
    /**
     * Appends ending at or before this take the fast path: min of capacity, reserved limit and spare threshold, and in
     * staged mode of the staging buffer's limit.
     */
    private int fastLimit;
    /** Min of capacity, reserved limit and spare threshold, as of the last slow path. */
    private int segmentLimit;
    /** The tail's reserved limit as last read: the writer never writes past it (see {@link Segment#reserve}). */
    private int reservedLimit;
    /** Tail position past which the next segment is requested from the allocator, once per segment. */
    private int spareThreshold;
    private long nextOffset;
    private Thread owner;

    private int claimPosition = -1;
    private int claimFrameLength;

    PartitionWriter(
        final Partition partition,
        final PaddedSequence endOffset,
        final Segment tail,
        final long nextOffset,
        final int indexIntervalBytes,
        final boolean stagedWrites,
        final int smallRunRecords)
    {
        this.partition = partition;
        this.endOffset = endOffset;
        this.tail = tail;
        this.tailBase = tail.baseOffset();
        this.position = tail.tailPosition();
        this.maxTimestamp = tail.maxTimestamp();
        this.nextCheckpoint = tail.nextCheckpoint();
        this.frameBase = tail.buffer().addressOffset();
        this.staged = stagedWrites ? new StagedFrames(position) : null;
        this.smallRunRecords = smallRunRecords;
        this.stagedFromOffset = nextOffset;
        this.spareThreshold = tail.capacity() >>> 1;
        this.reservedLimit = tail.reservedLimit();
        this.fastLimit = 0; // the first append takes the slow path, which sets it
        this.nextOffset = nextOffset;
        this.indexIntervalBytes = indexIntervalBytes;
    }

    /**
     * Records an idle call checksums at most ({@link #doIdleWork}): about 100 ns of CRC32C at 96-byte frames in cache
     * (5.4-6.0 ns each, perf/README.md section 40) and the checksum lock once, what an event arriving meanwhile waits.
     */
    static final int IDLE_CHECKSUM_RECORDS = 16;

    /**
     * Checksums up to {@code limit} of the records this writer published that do not carry their CRC32C
     * yet, on the writer's own thread, while their lines are still in its cache: for a writer that
     * appends a run of records and then has a moment between runs (the engine's processing thread at the
     * end of each turn). It skips at once, doing nothing, when a force() or the checksum duty holds the
     * cursor. From the first call the checksum duty leaves this partition to the writer unless it falls
     * behind (it takes over again then), so no other thread reads the lines this one just wrote. Nothing
     * is allocated.
     *
     * @param limit most records to checksum.
     * @return the number of records checksummed.
     * @throws JournalException FATAL if a frame was damaged in the mapping before it was checksummed: the writer
     *                          then acknowledges nothing more, as after a failed force().
     */
    public int checksumAppended(final int limit)
    {
        return partition.checksumOnWriter(limit);
    }

    /**
     * One short step of the journal's background work for this partition, done on the writer's own
     * thread, for a writer that spins when it has nothing to append: call it then, between appends (the
     * engine's processing thread does under the low-latency profile). Each call does one of: checksum up
     * to 16 of the records it published (while their lines are in its cache; skipped at once if a force()
     * or the checksum duty holds the cursor), else reserve and pre-touch 4 pages of the tail ahead of its
     * position, up to {@link JournalContext#reserveAheadBytes}; a few microseconds at most, nothing once
     * both are done. From the first call the journal's checksum and allocator duties leave this partition
     * to the writer unless it falls behind (they take over again then), so a busy-spinning writer keeps
     * this work on its own core instead of having a background thread take it from another CPU. The
     * reservation is skipped when the context does not pre-allocate. Nothing is allocated.
     *
     * @return 1 if it did some work, 0 if nothing was to do.
     * @throws JournalException IO naming the file if the disk is full.
     */
    public int doIdleWork()
    {
        if (partition.checksumOnWriter(IDLE_CHECKSUM_RECORDS) > 0)
        {
            return 1;
        }
        return partition.reserveAheadOnWriter(tail, position);
    }

    /**
     * Appends a record. The payload is copied; nothing is allocated.
     *
     * <p>The fast path, while the frame ends within the tail's {@code fastLimit} (the end of the
     * segment, of its reserved space, and the spare-segment threshold, whichever is nearest): one
     * volatile read (a failed force() stops the writer), one compare, the payload copy, three plain
     * 64-bit header stores, one release store of the frame's first 64 bits (its length and the "not yet
     * checksummed" marker: the publication point in the mapping), the segment's tail position and
     * maximum timestamp, and the release store of the partition's end offset (the publication point for
     * readers that go by offset). The stores go through the tail's base address: the compare against
     * {@code fastLimit}, at most the segment's capacity, is the bounds check.
     *
     * @param type      of the record, 0..65535.
     * @param flags     of the record, 16 bits.
     * @param timestamp of the record.
     * @param key       of the record.
     * @param payload   buffer holding the payload.
     * @param offset    of the payload in the buffer.
     * @param length    of the payload in bytes.
     * @return the offset assigned to the record.
     * @throws JournalException FATAL after a failed force(), or STATE if the record can never fit a segment.
     */
    public long append(
        final int type,
        final int flags,
        final long timestamp,
        final long key,
        final DirectBuffer payload,
        final int offset,
        final int length)
    {
        return append(type, flags, timestamp, key, payload, offset, length, true);
    }

    /**
     * {@link #append} without the release store of the partition's end offset, for a writer that appends a run of
     * records and publishes the run's end once ({@link #publishAppended()}): in mapped mode the record is in the mapping,
     * in the page cache and JOURNALED when this returns, as with {@code append}; in staged mode
     * ({@link JournalContext#stagedWrites}) it is only staged, and JOURNALED once {@code publishAppended} (or any call
     * that publishes, below) returns, which writes the run's frames with one {@code pwrite}. Readers that go by offset,
     * the checksum duty and
     * force() see it once the end is published (by {@code publishAppended}, the next {@code append} or {@code commit},
     * a segment roll, {@link #force()} or {@link #awaitDurable}). One store per run instead of one per record on a line
     * that other threads read.
     *
     * @param type      of the record, 0..65535.
     * @param flags     of the record, 16 bits.
     * @param timestamp of the record.
     * @param key       of the record.
     * @param payload   buffer holding the payload.
     * @param offset    of the payload in the buffer.
     * @param length    of the payload in bytes.
     * @return the offset assigned to the record.
     * @throws JournalException as {@link #append}.
     */
    public long appendUnpublished(
        final int type,
        final int flags,
        final long timestamp,
        final long key,
        final DirectBuffer payload,
        final int offset,
        final int length)
    {
        return append(type, flags, timestamp, key, payload, offset, length, false);
    }

    /**
     * Publishes the partition's end offset past every record appended so far (see {@link #appendUnpublished}): one
     * release store; in staged mode, after writing the staged frames to the segment file (one {@code pwrite}), so that
     * every record below the end offset is JOURNALED when this returns.
     *
     * @throws JournalException FATAL if the write failed: the writer acknowledges nothing more, as after a failed force().
     */
    public void publishAppended()
    {
        if (staged != null)
        {
            // After a failed write or force() nothing more is acknowledged: the end stays below the frames not written.
            partition.checkFatal();
            writeStaged();
        }
        endOffset.setRelease(nextOffset);
    }

    /**
     * Writes the staged frames (staged mode), so that the staging buffer starts at the writer's position again: with one
     * {@code pwrite}, or for a run of at most {@link JournalContext#stagedSmallRunRecords} records by storing them
     * through the tail's mapping (a system call per event or two costs more than the stores and their page faults).
     */
    private void writeStaged()
    {
        final StagedFrames staged = this.staged;
        if (position == staged.start())
        {
            return;
        }
        try
        {
            if (nextOffset - stagedFromOffset <= smallRunRecords)
            {
                staged.store(tail.buffer(), position);
                smallRunStores++;
            }
            else
            {
                staged.write(position);
            }
        }
        catch (final java.io.IOException | RuntimeException ex)
        {
            throw partition.writeFailed(tail.file(), ex);
        }
        stagedFromOffset = nextOffset;
        frameBase = staged.frameBase();
        fastLimit = Math.min(segmentLimit, staged.limit());
    }

    /**
     * Runs of at most {@link JournalContext#stagedSmallRunRecords} records stored through the mapping so far (staged
     * mode), wrapping: for the allocator duty, which compares it with the count it saw last. Any thread; read without
     * ordering (a stale count is a duty cycle late).
     *
     * @return the count.
     */
    int smallRunStores()
    {
        return smallRunStores;
    }

    /**
     * Writes what is staged and closes the staging's file (staged mode): the partition's close, once the writer's
     * thread has stopped appending, so that records appended but not yet published are in the file as in mapped mode.
     * A failed write stops the partition (FATAL, see {@link Partition#writeFailed}) and is not thrown: those records
     * were never acknowledged, and the close goes on.
     */
    void closeStaging()
    {
        if (staged != null)
        {
            try
            {
                if (partition.fatalError() == null)
                {
                    publishAppended();
                }
            }
            catch (final JournalException ex)
            {
                // FATAL now: the close skips its force and closes the segments.
            }
            finally
            {
                staged.close();
            }
        }
    }

    /**
     * Positional writes of staged frames so far (staged mode; 0 in mapped mode): with the records appended, the
     * system calls the writer made per record.
     *
     * @return the count.
     */
    public long stagedWriteCount()
    {
        return staged == null ? 0 : staged.writes();
    }

    private long append(
        final int type,
        final int flags,
        final long timestamp,
        final long key,
        final DirectBuffer payload,
        final int offset,
        final int length,
        final boolean publishEnd)
    {
        if (DirectBuffer.SHOULD_BOUNDS_CHECK)
        {
            payload.boundsCheck(offset, length);
        }
        final long address = reserve(length);
        final byte[] array = payload.byteArray();
        if (length <= WordCopy.MAX_LENGTH)
        {
            // An event of a few dozen bytes (the engine's live path): a word copy, not a call to the JDK's copy stub.
            WordCopy.toOffHeap(array, payload.addressOffset() + offset, address + RecordDescriptor.HEADER_LENGTH, length);
        }
        else if (array == null)
        {
            // Off-heap payload: a constant null base lets the JIT compile a plain address-to-address copy,
            // without the checks and the mixed heap/native addressing of a base it cannot prove null.
            UnsafeApi.copyMemory(null, payload.addressOffset() + offset, null, address + RecordDescriptor.HEADER_LENGTH, length);
        }
        else
        {
            UnsafeApi.copyMemory(array, payload.addressOffset() + offset, null, address + RecordDescriptor.HEADER_LENGTH, length);
        }
        return publish(address, RecordDescriptor.HEADER_LENGTH + length, type, flags, timestamp, key, publishEnd);
    }

    /**
     * Reserves space for a payload of this length in the tail segment for the caller to encode in
     * place through {@link #claimBuffer()} at {@link #claimPayloadOffset()}; then {@link #commit}.
     *
     * @param payloadLength in bytes.
     * @return the offset the record will have.
     */
    public long claim(final int payloadLength)
    {
        if (claimPosition >= 0)
        {
            throw new JournalException(JournalException.Category.STATE, "a claim is already open on " + describe());
        }
        claimPosition = (int)(reserve(payloadLength) - frameBase);
        claimFrameLength = RecordDescriptor.HEADER_LENGTH + payloadLength;
        return nextOffset;
    }

    /**
     * The buffer of the open claim: the mapped tail segment, or in staged mode the staging buffer.
     *
     * @return the buffer to encode the payload into.
     */
    public UnsafeBuffer claimBuffer()
    {
        return staged == null ? tail.buffer() : staged.buffer();
    }

    /**
     * Where the open claim's payload starts in {@link #claimBuffer()}.
     *
     * @return the payload offset.
     */
    public int claimPayloadOffset()
    {
        return claimPosition - (staged == null ? 0 : staged.start()) + RecordDescriptor.HEADER_LENGTH;
    }

    /**
     * Completes the open claim and publishes the record.
     *
     * @param type      of the record.
     * @param flags     of the record.
     * @param timestamp of the record.
     * @param key       of the record.
     * @return the offset of the record.
     */
    public long commit(final int type, final int flags, final long timestamp, final long key)
    {
        final int position = claimPosition;
        if (position < 0)
        {
            throw new JournalException(JournalException.Category.STATE, "no open claim on " + describe());
        }
        claimPosition = -1;
        return publish(frameBase + position, claimFrameLength, type, flags, timestamp, key, true);
    }

    /**
     * Waits until the record at this offset is DURABLE. With group commit on, waits for the group
     * commit thread; otherwise forces synchronously on this thread.
     *
     * @param offset of the record.
     * @param idleStrategy used while waiting for group commit.
     * @throws JournalException FATAL if a force() failed.
     */
    public void awaitDurable(final long offset, final IdleStrategy idleStrategy)
    {
        publishAppended();
        while (partition.durableOffset() <= offset)
        {
            partition.checkFatal();
            if (!partition.groupCommitActive())
            {
                partition.force();
            }
            else
            {
                idleStrategy.idle();
            }
        }
        idleStrategy.reset();
    }

    /**
     * Forces everything appended so far to the storage device on this thread.
     *
     * @throws JournalException FATAL if the force() failed.
     */
    public void force()
    {
        publishAppended();
        partition.force();
    }

    /**
     * Offset the next record will get.
     *
     * @return the next offset.
     */
    public long nextOffset()
    {
        return nextOffset;
    }

    /**
     * Where a frame for this payload goes: the address of its first byte in the tail's mapping, or in staged mode in
     * the staging buffer. One compare on the fast path: the end against the fast limit (computed in long, so that no
     * payload length overflows it).
     */
    private long reserve(final int payloadLength)
    {
        assert ownedByCurrentThread() : "single writer: " + describe() + " is owned by " + owner;
        partition.checkFatal();
        final int position = this.position;
        final long end = position + ((RecordDescriptor.HEADER_LENGTH + RecordDescriptor.FRAME_ALIGNMENT - 1L + payloadLength) &
            -RecordDescriptor.FRAME_ALIGNMENT);
        if (end > fastLimit || payloadLength < 0)
        {
            return reserveSlow(payloadLength);
        }
        return frameBase + position;
    }

    private long reserveSlow(final int payloadLength)
    {
        final long alignedLong = RecordDescriptor.HEADER_LENGTH + RecordDescriptor.FRAME_ALIGNMENT - 1L + payloadLength &
            -RecordDescriptor.FRAME_ALIGNMENT;
        if (payloadLength < 0 || SegmentDescriptor.HEADER_LENGTH + alignedLong > tail.capacity())
        {
            throw new JournalException(JournalException.Category.STATE,
                "payload of " + payloadLength + " bytes can never fit a segment of " + tail.capacity() + " bytes on " + describe());
        }
        final int aligned = (int)alignedLong;
        int position = this.position;
        if (staged != null)
        {
            // The staging buffer may be full: what is staged goes to the file first, in order, whatever comes next.
            writeStaged();
        }
        if (position + aligned > tail.capacity())
        {
            // Sealed: its exact tail state is published before the roll's lock publishes the next segment, and
            // the end offset past its records (some may be appended unpublished).
            tail.publishTail(position, (int)(nextOffset - tailBase), maxTimestamp);
            publishAppended();
            tail = partition.roll(nextOffset);
            tailBase = tail.baseOffset();
            frameBase = tail.buffer().addressOffset();
            spareThreshold = tail.capacity() >>> 1;
            reservedLimit = tail.reservedLimit();
            position = tail.tailPosition();
            this.position = position;
            maxTimestamp = tail.maxTimestamp();
            nextCheckpoint = tail.nextCheckpoint();
        }
        if (position + aligned > reservedLimit)
        {
            reserveSpace(position + aligned);
        }
        if (position + aligned > spareThreshold)
        {
            spareThreshold = Integer.MAX_VALUE;
            partition.requestSpare();
        }
        // At most the capacity: the fast path's compare against it is the bounds check of every store.
        segmentLimit = Math.min(Math.min(tail.capacity(), reservedLimit), spareThreshold);
        fastLimit = segmentLimit;
        if (staged != null)
        {
            beginStaging(position, aligned);
        }
        return frameBase + position;
    }

    /**
     * Staged mode: staging starts at the writer's position in its tail (nothing is staged), large enough for a frame of
     * this aligned length; the fast path stays within the staging buffer too.
     */
    private void beginStaging(final int position, final int aligned)
    {
        fastLimit = 0; // until staging has begun: a failure below leaves the next append on this slow path
        try
        {
            staged.begin(tail, position, aligned);
        }
        catch (final java.io.IOException ex)
        {
            throw new JournalException(JournalException.Category.IO, "cannot open " + tail.file() + " for writing: " + ex, ex);
        }
        frameBase = staged.frameBase();
        fastLimit = Math.min(segmentLimit, staged.limit());
    }

    private void reserveSpace(final int needed)
    {
        reservedLimit = tail.reservedLimit(); // the allocator duty may have reserved ahead meanwhile
        if (needed > reservedLimit)
        {
            reservedLimit = partition.reserveFor(tail, needed);
        }
    }

    /**
     * Writes the header of the frame at {@code address}, whose payload is in place, and publishes it.
     */
    private long publish(
        final long address, final int frameLength, final int type, final int flags, final long timestamp, final long key,
        final boolean publishEnd)
    {
        assert address >= frameBase + SegmentDescriptor.HEADER_LENGTH &&
            address + frameLength <= frameBase + Math.min(tail.capacity(), reservedLimit) : "frame outside the tail's reserved space of " +
            describe();
        // Type, flags and the zero reserved field in one 64-bit store (little-endian layout, as all fields).
        UnsafeApi.putLong(null, address + RecordDescriptor.TYPE_OFFSET, (type & 0xFFFFL) | (flags & 0xFFFFL) << 16);
        UnsafeApi.putLong(null, address + RecordDescriptor.TIMESTAMP_OFFSET, timestamp);
        UnsafeApi.putLong(null, address + RecordDescriptor.KEY_OFFSET, key);
        // Release store of the first 64 bits, length and "not yet checksummed" marker at once: the frame is
        // complete for any thread or process that reads this length (frames are 8-aligned: one atomic store).
        UnsafeApi.putLongRelease(null, address + RecordDescriptor.LENGTH_OFFSET, lengthWord(frameLength));
        final int position = (int)(address - frameBase);
        this.position = position + (frameLength + RecordDescriptor.FRAME_ALIGNMENT - 1 & -RecordDescriptor.FRAME_ALIGNMENT);
        if (timestamp > maxTimestamp)
        {
            maxTimestamp = timestamp;
        }
        if (position >= nextCheckpoint)
        {
            checkpoint(position);
        }
        final long offset = nextOffset;
        nextOffset = offset + 1;
        if (publishEnd)
        {
            if (staged != null)
            {
                writeStaged();
            }
            // Release: readers that acquire the end offset see the frame and the tail position written before it.
            endOffset.setRelease(offset + 1);
        }
        return offset;
    }

    /**
     * Index entries for the frame at this position (once per index interval), and the coarse tail
     * state the allocator duty reads.
     */
    private void checkpoint(final int position)
    {
        final int relativeOffset = (int)(nextOffset - tailBase);
        nextCheckpoint = tail.checkpoint(position, relativeOffset, maxTimestamp, indexIntervalBytes);
        tail.publishTail(this.position, relativeOffset + 1, maxTimestamp);
    }

    /**
     * The frame's first 64 bits as one native-order long: Frame Length, then the CRC32C field holding
     * {@link RecordDescriptor#UNCHECKSUMMED}.
     */
    private static long lengthWord(final int frameLength)
    {
        return BIG_ENDIAN ?
            (long)frameLength << 32 | (RecordDescriptor.UNCHECKSUMMED & 0xFFFF_FFFFL) :
            (long)RecordDescriptor.UNCHECKSUMMED << 32 | (frameLength & 0xFFFF_FFFFL);
    }

    private boolean ownedByCurrentThread()
    {
        final Thread current = Thread.currentThread();
        if (owner == null)
        {
            owner = current;
        }
        return owner == current;
    }

    /**
     * Hands the writer to another thread: the next thread that appends becomes its owner. Call only
     * when the current owner has stopped appending and a happens-before edge exists to the next one.
     */
    public void releaseOwnership()
    {
        owner = null;
    }

    private String describe()
    {
        return "partition " + partition.topicName() + "/" + partition.id();
    }
}
