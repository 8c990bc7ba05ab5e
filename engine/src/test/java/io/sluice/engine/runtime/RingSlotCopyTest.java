package io.sluice.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * A ring slot in the ring's block: its header and its payload share its cache lines, and a publisher's copy of an
 * event into it ({@link RingSlot#copyIn}), for every length from empty to past the word-copy limit, from heap and
 * direct buffers at any offset, lands byte for byte in its payload and touches nothing else.
 */
class RingSlotCopyTest
{
    private static final int CAPACITY = 128;
    private static final byte UNTOUCHED = (byte)0xA5;

    @Test
    void shouldKeepTheHeaderBeforeThePayloadInTheSlotsOwnCacheLines()
    {
        assertThat(RingSlot.stride(24)).as("a 24-byte event and its header: one cache line").isEqualTo(64);
        assertThat(RingSlot.stride(64)).isEqualTo(128);
        assertThat(RingSlot.stride(256)).isEqualTo(320);
        final int stride = RingSlot.stride(24);
        final UnsafeBuffer block = new UnsafeBuffer(ByteBuffer.allocateDirect(3 * stride));
        block.setMemory(0, block.capacity(), UNTOUCHED);
        final RingSlot slot = new RingSlot(block, 1, 24);
        slot.header(RingSlot.EVENT, 3, -5L, 7L, 24, 13L);
        assertThat(slot.type()).isEqualTo(RingSlot.EVENT);
        assertThat(slot.source()).isEqualTo(3);
        assertThat(slot.key()).isEqualTo(-5L);
        assertThat(slot.timestamp()).isEqualTo(7L);
        assertThat(slot.length()).isEqualTo(24);
        assertThat(slot.ingestNanos()).isEqualTo(13L);
        assertThat(slot.offset).isEqualTo(stride + RingSlot.HEADER_LENGTH);
        assertThat(slot.buffer.capacity()).isEqualTo(24);
        assertThat(block.getLong(stride + RingSlot.KEY_OFFSET)).isEqualTo(-5L);
        for (int i = 0; i < block.capacity(); i++)
        {
            if (i < stride || i >= stride + RingSlot.HEADER_LENGTH)
            {
                assertThat(block.getByte(i)).as("byte %d outside the header", i).isEqualTo(UNTOUCHED);
            }
        }
    }

    @Test
    void shouldCopyEveryLengthFromHeapAndDirectBuffersAtAnyOffsetAndNothingElse()
    {
        final UnsafeBuffer block = new UnsafeBuffer(ByteBuffer.allocateDirect(3 * RingSlot.stride(CAPACITY)));
        final RingSlot slot = new RingSlot(block, 1, CAPACITY);
        final DirectBuffer[] sources = {new UnsafeBuffer(new byte[CAPACITY + 16]), new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY + 16))};
        int copies = 0;
        for (final DirectBuffer source : sources)
        {
            final UnsafeBuffer src = (UnsafeBuffer)source;
            for (int length = 0; length <= CAPACITY; length++)
            {
                for (int offset = 0; offset < 16; offset += 3)
                {
                    block.setMemory(0, block.capacity(), UNTOUCHED);
                    for (int i = 0; i < src.capacity(); i++)
                    {
                        src.putByte(i, (byte)(i * 31 + length + offset));
                    }
                    slot.copyIn(src, offset, length);
                    for (int i = 0; i < block.capacity(); i++)
                    {
                        final int inPayload = i - slot.offset;
                        final byte expected = inPayload >= 0 && inPayload < length ? src.getByte(offset + inPayload) : UNTOUCHED;
                        if (block.getByte(i) != expected)
                        {
                            assertThat(block.getByte(i)).as("byte %d, length %d, offset %d, %s source", i, length, offset,
                                src.byteArray() != null ? "heap" : "direct").isEqualTo(expected);
                        }
                    }
                    copies++;
                }
            }
        }
        assertThat(copies).isEqualTo(2 * (CAPACITY + 1) * 6);
    }

    @Test
    void shouldRefuseAnEventPastTheSourceOrTheSlotWhenBoundsAreChecked()
    {
        final UnsafeBuffer block = new UnsafeBuffer(ByteBuffer.allocateDirect(RingSlot.stride(CAPACITY)));
        final RingSlot slot = new RingSlot(block, 0, CAPACITY);
        final UnsafeBuffer src = new UnsafeBuffer(new byte[2 * CAPACITY]);
        if (DirectBuffer.SHOULD_BOUNDS_CHECK)
        {
            assertThatThrownBy(() -> slot.copyIn(src, 2 * CAPACITY - 8, 16)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> slot.copyIn(src, 0, CAPACITY + 1)).isInstanceOf(IndexOutOfBoundsException.class);
        }
        slot.copyIn(src, 0, CAPACITY);
        assertThat(slot.buffer.getByte(CAPACITY - 1)).isEqualTo(src.getByte(CAPACITY - 1));
    }
}
