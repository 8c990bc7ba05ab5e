package io.sluice.journal;

import java.nio.ByteBuffer;

import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Where a partition's checksumming stands: the next record whose CRC32C is to be computed and stored
 * (see {@link RecordDescriptor}). It walks the published records in offset order, across segments, and
 * never passes {@link Partition#endOffset()}, so it only reads complete frames; the writer never
 * touches a frame again once it is published, so the store of its CRC32C races with nothing.
 *
 * <p>Threading: guarded by the partition's checksum lock. The checksum duty advances it a batch at a time;
 * a force() advances it to the end it is about to force; a writer that spins while idle advances it a few
 * records at a time between appends (never while appending, so the frames it reads are published ones).
 */
final class ChecksumCursor
{
    private final Partition partition;
    private final RecordChecksum checksum = new RecordChecksum();
    private Segment segment;
    private UnsafeBuffer buffer;
    private ByteBuffer view;
    private int position;
    private long offset;

    /**
     * A cursor starting at the tail, after recovery left every record below it checksummed.
     *
     * @param partition whose records are checksummed.
     * @param tail      segment of the partition.
     */
    ChecksumCursor(final Partition partition, final Segment tail)
    {
        this.partition = partition;
        moveTo(tail);
        this.position = tail.tailPosition();
        this.offset = tail.baseOffset() + tail.recordCount();
    }

    /**
     * Offset of the next record to checksum; every record below it carries its CRC32C.
     *
     * @return the first unchecksummed offset.
     */
    long offset()
    {
        return offset;
    }

    /**
     * Checksums published records in order, up to an end offset or a batch limit.
     *
     * @param end   one past the last record to checksum, at most the acquired end offset.
     * @param limit most records to checksum.
     * @return the number of records checksummed.
     * @throws JournalException (CORRUPTION) naming the segment, the offset and the length when a frame's length
     *                          no longer fits the segment.
     */
    int advance(final long end, final int limit)
    {
        int count = 0;
        while (offset < end && count < limit)
        {
            final int capacity = segment.capacity();
            final long base = buffer.addressOffset();
            int position = this.position;
            long offset = this.offset;
            // The frames of this segment by address: the checks below are the only ones each frame needs (its header
            // within the mapping, its length within the segment), so the buffer's own checks per load and store are
            // not repeated; the cursor's fields are written once per stretch.
            while (offset < end && count < limit && position <= capacity - RecordDescriptor.HEADER_LENGTH)
            {
                final long frame = base + position;
                // Plain load: the frame is published (below the acquired end offset), its length written before it.
                final int frameLength = UnsafeApi.getInt(null, frame + RecordDescriptor.LENGTH_OFFSET);
                if (frameLength == 0)
                {
                    break; // published but not here: the writer rolled, the record starts the next segment
                }
                if (frameLength < RecordDescriptor.HEADER_LENGTH || frameLength > capacity - position)
                {
                    this.position = position;
                    this.offset = offset;
                    // Damaged in the mapping since it was written (the writer never stores such a length): the
                    // checksum is computed without bounds checks, so a length past the mapping must never reach it.
                    throw segment.damagedAt(position, offset - segment.baseOffset(), "frame length " + frameLength);
                }
                if (UnsafeApi.getInt(null, frame + RecordDescriptor.CRC_OFFSET) == RecordDescriptor.UNCHECKSUMMED)
                {
                    checksum.storeAt(buffer, view, position, frameLength);
                }
                position += frameLength + RecordDescriptor.FRAME_ALIGNMENT - 1 & -RecordDescriptor.FRAME_ALIGNMENT;
                offset++;
                count++;
            }
            this.position = position;
            this.offset = offset;
            if (offset < end && count < limit)
            {
                // The record is published but not here: the writer rolled, it starts the next segment.
                nextSegment();
            }
        }
        return count;
    }

    private void nextSegment()
    {
        final Segment[] segments = partition.segments();
        for (final Segment candidate : segments)
        {
            if (candidate.baseOffset() >= offset && candidate != segment)
            {
                // Retention may have deleted segments this cursor had not reached: their records need no checksum.
                moveTo(candidate);
                position = SegmentDescriptor.HEADER_LENGTH;
                offset = candidate.baseOffset();
                return;
            }
        }
        throw segment.damagedAt(position, offset - segment.baseOffset(),
            "the checksum cursor found neither a record nor a segment starting at this offset");
    }

    private void moveTo(final Segment next)
    {
        segment = next;
        buffer = next.buffer();
        view = next.newChecksumView();
    }
}
