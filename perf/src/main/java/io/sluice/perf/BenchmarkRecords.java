package io.sluice.perf;

import io.sluice.journal.RecordDescriptor;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The record every append benchmark writes: a complete frame ({@link RecordDescriptor} header and
 * payload) in a cache-aligned direct buffer. The raw baseline copies the whole frame; the journal
 * appends the payload part, {@code [HEADER_LENGTH, HEADER_LENGTH + payloadLength)}, and writes its own
 * header, so both write the same bytes to the same aligned frame size.
 */
final class BenchmarkRecords
{
    /** Record type used by every benchmark record. */
    static final int TYPE = 7;

    private BenchmarkRecords()
    {
    }

    /**
     * A frame holding a header and a patterned payload of the given length.
     *
     * @param payloadLength in bytes.
     * @return the frame; its capacity is the aligned frame length.
     */
    static UnsafeBuffer frame(final int payloadLength)
    {
        final int aligned = RecordDescriptor.alignedFrameLength(payloadLength);
        final UnsafeBuffer frame = new UnsafeBuffer(BufferUtil.allocateDirectAligned(aligned, 64));
        frame.putInt(RecordDescriptor.LENGTH_OFFSET, RecordDescriptor.HEADER_LENGTH + payloadLength);
        frame.putShort(RecordDescriptor.TYPE_OFFSET, (short)TYPE);
        frame.putLong(RecordDescriptor.TIMESTAMP_OFFSET, 1_700_000_000_000L);
        frame.putLong(RecordDescriptor.KEY_OFFSET, 42L);
        for (int i = 0; i < payloadLength; i++)
        {
            frame.putByte(RecordDescriptor.HEADER_LENGTH + i, (byte)(31 * i + 17));
        }
        return frame;
    }
}
