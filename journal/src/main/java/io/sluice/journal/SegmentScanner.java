package io.sluice.journal;

import java.nio.ByteBuffer;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Walks the frames of a segment from its header to the first frame that is absent (length 0),
 * malformed (length out of bounds) or damaged (checksum mismatch), and reports where it stopped.
 * Used by recovery on open and by the verify tool. Not thread-safe; one per scanning thread.
 */
final class SegmentScanner
{
    /** The scan reached a zero length: the clean end of the written region. */
    static final int END_CLEAN = 0;
    /** A frame length was out of bounds. */
    static final int END_BAD_LENGTH = 1;
    /** A frame's CRC32C did not match. */
    static final int END_BAD_CRC = 2;
    /** The scan stopped because it had seen the expected number of records. */
    static final int END_EXPECTED_COUNT = 3;

    private final RecordChecksum checksum = new RecordChecksum();

    int recordCount;
    int endPosition;
    long maxTimestamp;
    int endReason;
    int badFrameLength;

    /**
     * Scans a segment.
     *
     * @param buffer        over the whole segment.
     * @param checksumView  a duplicate ByteBuffer of the same mapping for CRC computation.
     * @param verifyCrc     whether to check each frame's CRC32C.
     * @param maxRecords    stop after this many records (Integer.MAX_VALUE for no limit).
     * @param handler       offered each good frame with its relative offset and position, or null.
     */
    void scan(
        final UnsafeBuffer buffer,
        final ByteBuffer checksumView,
        final boolean verifyCrc,
        final int maxRecords,
        final FrameVisitor handler)
    {
        final int capacity = buffer.capacity();
        int position = SegmentDescriptor.HEADER_LENGTH;
        int count = 0;
        long maxTs = Long.MIN_VALUE;
        int reason = END_CLEAN;
        badFrameLength = 0;
        while (true)
        {
            if (count == maxRecords)
            {
                reason = END_EXPECTED_COUNT;
                break;
            }
            if (position > capacity - RecordDescriptor.FRAME_ALIGNMENT)
            {
                break;
            }
            final int frameLength = buffer.getIntVolatile(position + RecordDescriptor.LENGTH_OFFSET);
            if (frameLength == 0)
            {
                break;
            }
            if (frameLength < RecordDescriptor.HEADER_LENGTH || frameLength > capacity - position)
            {
                reason = END_BAD_LENGTH;
                badFrameLength = frameLength;
                break;
            }
            if (verifyCrc && checksum.compute(buffer, checksumView, position, frameLength) !=
                buffer.getInt(position + RecordDescriptor.CRC_OFFSET))
            {
                reason = END_BAD_CRC;
                badFrameLength = frameLength;
                break;
            }
            final long timestamp = buffer.getLong(position + RecordDescriptor.TIMESTAMP_OFFSET);
            if (timestamp > maxTs)
            {
                maxTs = timestamp;
            }
            if (handler != null)
            {
                handler.onFrame(count, position, frameLength, timestamp);
            }
            count++;
            position += RecordDescriptor.alignedFrameLength(frameLength - RecordDescriptor.HEADER_LENGTH);
        }
        recordCount = count;
        endPosition = position;
        maxTimestamp = maxTs;
        endReason = reason;
    }

    /** {@link #findValidFrame} found no valid frame. */
    static final int NONE_FOUND = -1;
    /** {@link #findValidFrame} gave up: too many candidates to checksum within its budget. */
    static final int BUDGET_EXHAUSTED = -2;

    /**
     * Looks for a complete, valid frame starting at a frame-aligned position in {@code [from, limit)}:
     * a length that fits the segment, a zero reserved field and a matching CRC32C. Used after damage to
     * tell a torn tail (nothing valid after it) from corruption (valid records follow). Zero-filled,
     * pre-allocated space costs one read per 8 bytes and is never checksummed; the bytes checksummed in
     * all are bounded by {@code crcBudgetBytes} so that hostile data cannot make it quadratic.
     *
     * @param buffer         over the whole segment.
     * @param checksumView   a duplicate ByteBuffer of the same mapping.
     * @param from           first position to try; rounded up to the frame alignment.
     * @param limit          positions at or past this are not tried.
     * @param crcBudgetBytes most bytes to checksum before giving up.
     * @return the position of the first valid frame, {@link #NONE_FOUND} or {@link #BUDGET_EXHAUSTED}.
     */
    int findValidFrame(
        final UnsafeBuffer buffer,
        final ByteBuffer checksumView,
        final int from,
        final int limit,
        final long crcBudgetBytes)
    {
        final int capacity = buffer.capacity();
        final int end = Math.min(limit, capacity - RecordDescriptor.HEADER_LENGTH + 1);
        long budget = crcBudgetBytes;
        for (int position = org.agrona.BitUtil.align(from, RecordDescriptor.FRAME_ALIGNMENT);
            position < end;
            position += RecordDescriptor.FRAME_ALIGNMENT)
        {
            final int frameLength = buffer.getInt(position + RecordDescriptor.LENGTH_OFFSET);
            if (frameLength < RecordDescriptor.HEADER_LENGTH || frameLength > capacity - position ||
                buffer.getInt(position + RecordDescriptor.RESERVED_OFFSET) != 0)
            {
                continue;
            }
            budget -= frameLength;
            if (budget < 0)
            {
                return BUDGET_EXHAUSTED;
            }
            if (checksum.compute(buffer, checksumView, position, frameLength) ==
                buffer.getInt(position + RecordDescriptor.CRC_OFFSET))
            {
                return position;
            }
        }
        return NONE_FOUND;
    }

    /**
     * Counts the consecutive valid frames from a position (one known to hold a valid frame), stopping
     * at the first absent or damaged one. Used by repair to say how many intact records it set aside.
     *
     * @param buffer       over the whole segment.
     * @param checksumView a duplicate ByteBuffer of the same mapping.
     * @param from         position of a frame.
     * @return the number of consecutive valid frames.
     */
    int countValidFrom(final UnsafeBuffer buffer, final ByteBuffer checksumView, final int from)
    {
        final int capacity = buffer.capacity();
        int position = from;
        int count = 0;
        while (position <= capacity - RecordDescriptor.HEADER_LENGTH)
        {
            final int frameLength = buffer.getInt(position + RecordDescriptor.LENGTH_OFFSET);
            if (frameLength < RecordDescriptor.HEADER_LENGTH || frameLength > capacity - position ||
                checksum.compute(buffer, checksumView, position, frameLength) !=
                buffer.getInt(position + RecordDescriptor.CRC_OFFSET))
            {
                break;
            }
            count++;
            position += RecordDescriptor.alignedFrameLength(frameLength - RecordDescriptor.HEADER_LENGTH);
        }
        return count;
    }

    /**
     * Position one past the last non-zero byte at or after {@code from}, or {@code from} when the
     * rest of the segment is all zeros.
     */
    static int extentOfNonZero(final UnsafeBuffer buffer, final int from)
    {
        int end = buffer.capacity();
        while (end - Long.BYTES >= from && buffer.getLong(end - Long.BYTES) == 0)
        {
            end -= Long.BYTES;
        }
        while (end > from && buffer.getByte(end - 1) == 0)
        {
            end--;
        }
        return Math.max(end, from);
    }

    static String describe(final int reason, final int frameLength)
    {
        switch (reason)
        {
            case END_BAD_LENGTH:
                return "bad frame length " + frameLength;
            case END_BAD_CRC:
                return "CRC32C mismatch in frame of length " + frameLength;
            case END_CLEAN:
                return "frame length 0 (no record written here)";
            default:
                return "expected record count reached";
        }
    }

    /**
     * Receives each good frame of a scan.
     */
    @FunctionalInterface
    interface FrameVisitor
    {
        void onFrame(int relativeOffset, int position, int frameLength, long timestamp);
    }
}
