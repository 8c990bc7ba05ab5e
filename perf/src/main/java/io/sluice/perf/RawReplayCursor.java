package io.sluice.perf;

import io.sluice.journal.RecordDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Raw sequential read of a segment's frames, the baseline for {@code PartitionReader.poll}: walks
 * frames by their length field and reads what {@link ReplayHandler} reads (timestamp, key, first
 * payload word), with no offset bookkeeping, no end-offset acquire and no segment lookup. Wraps to
 * the first frame at the end of the written region, as the benchmark's reader seeks back to 0.
 *
 * <p>Threading: one thread.
 */
final class RawReplayCursor
{
    private final UnsafeBuffer buffer;
    private final int start;
    private final int end;
    private int position;

    /** Sum of every value read; consume it after polling. */
    long sum;

    /**
     * A cursor over the frames in {@code [start, end)}.
     *
     * @param buffer holding the frames.
     * @param start  position of the first frame.
     * @param end    end of the written region.
     */
    RawReplayCursor(final UnsafeBuffer buffer, final int start, final int end)
    {
        this.buffer = buffer;
        this.start = start;
        this.end = end;
        this.position = start;
    }

    /**
     * Reads the next {@code count} frames, wrapping to the start as needed.
     *
     * @param count frames to read.
     */
    void read(final int count)
    {
        final UnsafeBuffer buffer = this.buffer;
        int position = this.position;
        long sum = this.sum;
        for (int i = 0; i < count; i++)
        {
            if (position >= end)
            {
                position = start;
            }
            final int frameLength = buffer.getInt(position + RecordDescriptor.LENGTH_OFFSET);
            sum += buffer.getLong(position + RecordDescriptor.TIMESTAMP_OFFSET) +
                buffer.getLong(position + RecordDescriptor.KEY_OFFSET) +
                buffer.getLong(position + RecordDescriptor.HEADER_LENGTH);
            position += RecordDescriptor.alignedFrameLength(frameLength - RecordDescriptor.HEADER_LENGTH);
        }
        this.position = position;
        this.sum = sum;
    }
}
