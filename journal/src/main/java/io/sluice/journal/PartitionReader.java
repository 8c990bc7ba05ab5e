package io.sluice.journal;

import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads a partition's records in offset order, zero-copy, from any thread. {@link #poll} returns 0
 * when the reader has caught up with the writer, so tailing is a loop of {@code poll} and an
 * {@link org.agrona.concurrent.IdleStrategy}:
 * <pre>{@code
 *   while (running) { idle.idle(reader.poll(handler, 64)); }
 * }</pre>
 * <p>Records of a sealed segment that the partition's open trusted by its seal mark, without walking it
 * ({@link SealMark}), are CRC32C-checked as they are delivered: a record whose bytes changed since it was
 * verified is never delivered; {@link #poll} throws a CORRUPTION {@link JournalException} naming the
 * topic-partition, segment file, byte offset and record offset, and the partition counts it
 * ({@link Partition#corruptRecordsRead()}). Records walked at open or written by this process are
 * delivered as they are.
 *
 * <p>Threading: one thread at a time per reader; any number of readers per partition.
 */
public final class PartitionReader implements AutoCloseable
{
    /** End, in a frame, of the word the batch read loads for its caller: the first payload word (the key's if none). */
    private static final int TOUCH_END = RecordDescriptor.HEADER_LENGTH + Long.BYTES;

    private final Partition partition;
    private final JournalContext.OutOfRangePolicy outOfRangePolicy;
    private final RecordView view = new RecordView();
    private final RecordChecksum checksum = new RecordChecksum();
    /** What the batch read's loads of {@link #TOUCH_END} summed, kept only so that they are not eliminated. */
    private long touchSink;
    private Segment segment;
    private UnsafeBuffer buffer;
    private int position;
    private long offset;
    /** Frames of the current segment below this position are CRC32C-checked as they are read (see {@link SealMark}). */
    private int checkLimit;
    private boolean legacy;
    private java.nio.ByteBuffer checksumView;
    /** Where batch reads copy the segment's bytes to, when {@link #copyReads} asked for it; null: they read the mapping. */
    private CopiedFrames copies;

    PartitionReader(final Partition partition, final JournalContext.OutOfRangePolicy outOfRangePolicy)
    {
        this.partition = partition;
        this.outOfRangePolicy = outOfRangePolicy;
        this.offset = partition.startOffset();
    }

    /**
     * Positions the reader so the next record read is the one at this offset. Seeking to
     * {@link Partition#endOffset()} waits for the next record to be appended.
     *
     * @param offset of the next record to read.
     * @throws JournalException OFFSET_OUT_OF_RANGE if the offset is past the end, or before the start
     *                          under the ERROR policy.
     */
    public void seek(final long offset)
    {
        final long end = partition.endOffset();
        if (offset > end)
        {
            throw new JournalException(JournalException.Category.OFFSET_OUT_OF_RANGE,
                "offset " + offset + " is past the end " + end + " of partition " + describe());
        }
        this.offset = offset;
        this.segment = null;
        locate();
    }

    /**
     * Positions the reader at the first record whose timestamp is at or after the given one, or at the
     * end of the partition when there is none.
     *
     * @param timestamp to search for.
     * @return true if such a record exists.
     */
    public boolean seekToTimestamp(final long timestamp)
    {
        final long end = partition.endOffset();
        final Segment[] segments = partition.segments();
        for (int i = 0; i < segments.length; i++)
        {
            final Segment candidate = segments[i];
            final boolean tail = i == segments.length - 1;
            if (!tail && candidate.maxTimestamp() < timestamp)
            {
                continue;
            }
            final long found = searchSegment(candidate, timestamp, end);
            if (found >= 0)
            {
                seek(found);
                return true;
            }
        }
        seek(end);
        return false;
    }

    private long searchSegment(final Segment candidate, final long timestamp, final long end)
    {
        final TimeIndex index = candidate.timeIndex();
        final int entry = index.firstEntryAtOrAfter(timestamp);
        final int from = entry < 0 ? index.entryCount() - 1 : entry - 1;
        int pos = from < 0 ? SegmentDescriptor.HEADER_LENGTH : index.position(from);
        long current = candidate.baseOffset() + (from < 0 ? 0 : index.relativeOffset(from));
        final UnsafeBuffer segmentBuffer = candidate.buffer();
        final int capacity = segmentBuffer.capacity();
        while (current < end && pos <= capacity - RecordDescriptor.HEADER_LENGTH)
        {
            if (pos < SegmentDescriptor.HEADER_LENGTH)
            {
                throw candidate.damagedAt(pos, current - candidate.baseOffset(), "time index entry points into the header");
            }
            final int length = segmentBuffer.getInt(pos + RecordDescriptor.LENGTH_OFFSET);
            if (length == 0)
            {
                break;
            }
            if (length < RecordDescriptor.HEADER_LENGTH || length > capacity - pos)
            {
                throw candidate.damagedAt(pos, current - candidate.baseOffset(), "frame length " + length);
            }
            if (segmentBuffer.getLong(pos + RecordDescriptor.TIMESTAMP_OFFSET) >= timestamp)
            {
                return current;
            }
            pos += RecordDescriptor.alignedFrameLength(length - RecordDescriptor.HEADER_LENGTH);
            current++;
        }
        return -1;
    }

    /**
     * Offset of the next record this reader will deliver.
     *
     * @return the next offset.
     */
    public long position()
    {
        return offset;
    }

    /**
     * Delivers up to {@code limit} available records to the handler.
     *
     * @param handler receiving each record.
     * @param limit   most records to deliver.
     * @return number of records delivered; 0 when caught up.
     */
    public int poll(final RecordHandler handler, final int limit)
    {
        final long end = partition.endOffset(); // acquire: frames below end are complete and visible
        int count = 0;
        while (count < limit && offset < end)
        {
            frameAtOffset(null, end); // the segment of the next record, and its frame judged: the run below starts on a whole frame
            count += deliver(handler, (int)Math.min(limit - count, end - offset));
        }
        return count;
    }

    /**
     * Delivers up to {@code max} records of the current segment from the reader's position, whose first frame
     * {@link #frameAtOffset} has judged. The loop keeps the position and offset in locals (written back once, also when
     * the handler or a checksum throws, so the reader then stays at that record) and judges each frame with
     * {@link #wholeFrameLength}, after which the view reads the header without further bounds checks. It stops at the
     * segment's written end and before a damaged frame, which the next {@code frameAtOffset} reports.
     *
     * @return records delivered, at least 1 unless the handler or a checksum threw.
     */
    private int deliver(final RecordHandler handler, final int max)
    {
        final UnsafeBuffer buffer = this.buffer;
        final RecordView view = this.view.wrap(buffer);
        final int capacity = buffer.capacity();
        final int checkLimit = this.checkLimit;
        int pos = position;
        long off = offset;
        int read = 0;
        try
        {
            while (read < max)
            {
                final int length = wholeFrameLength(buffer, capacity, pos);
                if (length <= 0)
                {
                    break;
                }
                if (pos < checkLimit && !checksum.matches(buffer, checksumView, pos, length, legacy))
                {
                    throw partition.corruptRecord(segment, pos, off, length);
                }
                handler.onRecord(view.at(pos, off));
                pos += RecordDescriptor.alignedFrameLength(length - RecordDescriptor.HEADER_LENGTH);
                off++;
                read++;
            }
        }
        finally
        {
            position = pos;
            offset = off;
        }
        return read;
    }

    /**
     * The length of the frame at a position when the frame is whole within the buffer, read without a bounds check
     * (the position is checked first; a segment is always mapped, off the heap): the one test of every record on the
     * polls' paths, after which its header and payload lie within the buffer.
     *
     * @return the frame length; 0 or less where no whole frame starts (the written end, or damage).
     */
    private static int wholeFrameLength(final UnsafeBuffer buffer, final int capacity, final int position)
    {
        if (position > capacity - RecordDescriptor.HEADER_LENGTH)
        {
            return 0;
        }
        final int length = UnsafeApi.getInt(null, buffer.addressOffset() + position + RecordDescriptor.LENGTH_OFFSET);
        return length >= RecordDescriptor.HEADER_LENGTH && length <= capacity - position ? length : -1;
    }

    /**
     * The frame length of the record at the reader's offset, which must be below the partition's end: locates its
     * segment if the reader has none, and moves on to the next segment when the current one ends before the record
     * (it was sealed there). Both reads go through here, so a frame is judged the same way by either.
     *
     * @return the record's frame length, whole within its segment.
     * @throws JournalException CORRUPTION naming the segment and position when the frame length is damaged (a length no
     *                          frame can have, or no frame where a freshly located segment says the record starts).
     */
    private int frameAtOffset(final CopiedFrames via, final long end)
    {
        boolean located = false;
        while (true)
        {
            if (segment == null)
            {
                locate();
                located = true;
            }
            final int length = via == null ? frameLength(buffer, position) : via.frameLength(segment, position, offset, end);
            if (length > 0)
            {
                return length;
            }
            // The record exists (offset < end) but not here: either this segment was sealed and the record is in the
            // next one, or the bytes were damaged after the partition was opened.
            if (length < 0 || located)
            {
                throw segment.damagedAt(position, offset - segment.baseOffset(),
                    "frame length " + (position <= buffer.capacity() - RecordDescriptor.HEADER_LENGTH ?
                    buffer.getInt(position + RecordDescriptor.LENGTH_OFFSET) : 0));
            }
            segment = null;
        }
    }

    /**
     * The length of the frame at a position if it is whole within the buffer.
     *
     * @return the frame length; 0 where no frame starts (a zero length, or no room for a header: the written end of
     *         the segment); -1 for a length no frame here can have (damage).
     */
    private static int frameLength(final UnsafeBuffer buffer, final int position)
    {
        final int capacity = buffer.capacity();
        final int length = position <= capacity - RecordDescriptor.HEADER_LENGTH ?
            buffer.getInt(position + RecordDescriptor.LENGTH_OFFSET) : 0;
        if (length >= RecordDescriptor.HEADER_LENGTH && length <= capacity - position)
        {
            return length;
        }
        return length == 0 ? 0 : -1;
    }

    /**
     * Reads up to {@code limit} available records of one segment into the batch, checked as {@link #poll(RecordHandler, int)}
     * checks them (frame length, and the CRC32C of records the open did not walk), and moves past them: the caller
     * then decodes them in a loop of its own, from the mapping, or from the reader's copy of the segment's bytes after
     * {@link #copyReads}. A read stops at the end of the segment (and of the copy), so every record of the batch lies in
     * {@link RecordBatch#buffer()}; the next read goes on where it stopped.
     *
     * @param batch receiving the records (emptied first).
     * @param limit most records to read, at most {@link RecordBatch#capacity()}.
     * @return records read; 0 when caught up.
     * @throws JournalException CORRUPTION if the next record's frame or checksum is damaged (the records before a damaged
     *                          one are delivered by the read that reaches it, the next read throws), as {@code poll} does;
     *                          the reader stays at the damaged record. IO if the copy cannot be read from the segment file.
     */
    public int poll(final RecordBatch batch, final int limit)
    {
        final long end = partition.endOffset(); // acquire: frames below end are complete and visible
        final int max = Math.min(limit, batch.capacity());
        batch.clear();
        if (offset >= end)
        {
            return 0;
        }
        final int length = frameAtOffset(copies, end); // the first record's segment and frame, judged as poll judges them
        if (copies != null && copies.holds(segment, position, length, offset))
        {
            return readRun(batch, copies.buffer(), copies.checksumView(), copies.start(), copies.length(),
                (int)Math.min(max, copies.validBelow() - offset));
        }
        return readRun(batch, buffer, checksumView, 0, buffer.capacity(), (int)Math.min(max, end - offset));
    }

    /**
     * Reads up to {@code count} records of the current segment from the reader's position, whose first frame
     * {@link #frameAtOffset} has judged whole in {@code source}, into the batch.
     *
     * @param source   holding the segment's bytes from segment position {@code base} on: the mapping or the copy.
     * @param view     the checksum's fallback view of {@code source}.
     * @param base     segment position of {@code source}'s first byte.
     * @param capacity bytes of the segment {@code source} holds.
     */
    private int readRun(
        final RecordBatch batch,
        final UnsafeBuffer source,
        final java.nio.ByteBuffer view,
        final int base,
        final int capacity,
        final int count)
    {
        final int checkLimit = this.checkLimit - base;
        final long first = offset;
        final int[] positions = batch.begin(source, first);
        final long address = source.addressOffset();
        long touched = 0;
        int pos = position - base;
        int read = 0;
        while (read < count)
        {
            final int length = wholeFrameLength(source, capacity, pos);
            if (length <= 0)
            {
                // 0: the end of this segment (or copy), the next read goes on from there; otherwise damage (or a frame
                // the copy holds part of), which the next read judges (the first frame of a read was judged, so this one
                // is not the first).
                break;
            }
            if (pos < checkLimit && !checksum.matches(source, view, pos, length, legacy))
            {
                if (read == 0)
                {
                    batch.clear();
                    throw partition.corruptRecord(segment, pos + base, first, length);
                }
                break; // the records before it are delivered; the next read starts at it and reports it
            }
            positions[read++] = pos;
            // The caller decodes the batch in a second pass: load the line of the first payload word in this streaming
            // pass, where the length's load did not bring it, rather than miss on it there (within the frame: length >= 32).
            touched += UnsafeApi.getLong(null, address + pos + Math.min(length, TOUCH_END) - Long.BYTES);
            pos += RecordDescriptor.alignedFrameLength(length - RecordDescriptor.HEADER_LENGTH);
        }
        touchSink = touched; // consumed, so that the loads above stay
        batch.size(read);
        position = pos + base;
        offset = first + read;
        return read;
    }

    /**
     * Makes batch reads ({@link #poll(RecordBatch, int)}) copy the segment's bytes, a buffer of {@code bufferBytes} at
     * a time, with positioned reads of the segment file, and deliver the records from the copy rather than from the
     * mapping: for a reader that streams a long stretch once, such as recovery's replay of the journal's tail, whose
     * first reads of a freshly mapped segment would each fault pages in and miss the TLB. The records, checks and
     * errors are the same; {@link RecordBatch#buffer()} is then the copy, valid until the next read.
     * {@link #poll(RecordHandler, int)} still reads the mapping.
     *
     * @param bufferBytes of the copy: a few hundred KiB fit the core's cache. A frame longer than this is read from the
     *                    mapping.
     * @return this reader.
     */
    public PartitionReader copyReads(final int bufferBytes)
    {
        if (copies != null)
        {
            copies.close();
        }
        copies = new CopiedFrames(bufferBytes);
        return this;
    }

    /**
     * The keys of up to {@code max} records from the next one on, without delivering them or moving the
     * reader: a hint for a reader about to look those keys up (recovery touches their state entries
     * together, so the cache misses overlap). Stops at the end of the current segment and at the end of
     * the partition; the records are not checksummed here ({@link #poll(RecordHandler, int)} checks them as it delivers them),
     * so a damaged key is only a wrong hint.
     *
     * @param keys receiving the keys, from index 0.
     * @param max  most keys to read, at most {@code keys.length}.
     * @return keys read; 0 when no record is available in the current segment.
     */
    public int peekKeys(final long[] keys, final int max)
    {
        final long end = partition.endOffset(); // acquire: frames below end are complete and visible
        if (offset >= end)
        {
            return 0;
        }
        if (segment == null)
        {
            locate();
        }
        final UnsafeBuffer buffer = this.buffer;
        final int capacity = buffer.capacity();
        final int limit = (int)Math.min(max, end - offset);
        int pos = position;
        int count = 0;
        while (count < limit && pos <= capacity - RecordDescriptor.HEADER_LENGTH)
        {
            final int length = buffer.getInt(pos + RecordDescriptor.LENGTH_OFFSET);
            if (length < RecordDescriptor.HEADER_LENGTH || length > capacity - pos)
            {
                break;
            }
            keys[count++] = buffer.getLong(pos + RecordDescriptor.KEY_OFFSET);
            pos += RecordDescriptor.alignedFrameLength(length - RecordDescriptor.HEADER_LENGTH);
        }
        return count;
    }

    private void locate()
    {
        final Segment[] segments = partition.segments();
        if (offset < segments[0].baseOffset())
        {
            if (outOfRangePolicy == JournalContext.OutOfRangePolicy.ERROR)
            {
                throw new JournalException(JournalException.Category.OFFSET_OUT_OF_RANGE,
                    "offset " + offset + " is before the start " + segments[0].baseOffset() +
                    " of partition " + describe() + " (deleted by retention)");
            }
            offset = segments[0].baseOffset();
        }
        int low = 0;
        int high = segments.length - 1;
        while (low < high)
        {
            final int mid = (low + high + 1) >>> 1;
            if (segments[mid].baseOffset() <= offset)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }
        segment = segments[low];
        buffer = segment.buffer();
        checkLimit = segment.readCheckLimit();
        legacy = checkLimit > 0 && SegmentDescriptor.legacy(buffer);
        checksumView = checkLimit > 0 && !RecordChecksum.byAddress() ? segment.newChecksumView() : null;
        position = segment.positionOf(offset - segment.baseOffset());
    }

    private String describe()
    {
        return partition.topicName() + "/" + partition.id();
    }

    /**
     * Releases the reader's reference to its segment.
     */
    @Override
    public void close()
    {
        segment = null;
        buffer = null;
        if (copies != null)
        {
            copies.close();
        }
    }
}
