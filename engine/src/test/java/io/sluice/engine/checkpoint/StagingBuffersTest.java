package io.sluice.engine.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class StagingBuffersTest
{
    @Test
    void shouldGrowTheBufferThePartitionTakesNextAheadOfItsBarrierSoTheBarrierDoesNotGrowIt()
    {
        try (StagingBuffers staging = new StagingBuffers())
        {
            staging.expect(1 << 20);

            assertThat(staging.prepare()).as("grown off the partition thread").isEqualTo(1);
            assertThat(staging.prepare()).as("nothing more to do").isZero();

            final int index = staging.acquire();
            final UnsafeBuffer prepared = staging.buffer(index);
            final long address = prepared.addressOffset();
            assertThat(prepared.capacity()).isGreaterThanOrEqualTo(1 << 20);
            final UnsafeBuffer atBarrier = staging.ensureCapacity(index, 1 << 20);
            assertThat(atBarrier.addressOffset()).as("the barrier keeps the prepared memory").isEqualTo(address);
            atBarrier.putLong((1 << 20) - 8, 42L);
            assertThat(atBarrier.getLong((1 << 20) - 8)).isEqualTo(42L);
            staging.release(index);
        }
    }

    @Test
    void shouldPrepareTheOtherBufferWhileTheFirstIsHeldAndLeaveAHeldBufferAlone()
    {
        try (StagingBuffers staging = new StagingBuffers())
        {
            final int held = staging.acquire();
            final UnsafeBuffer heldBuffer = staging.ensureCapacity(held, 4096);
            final int heldCapacity = heldBuffer.capacity();
            staging.expect(1 << 21);

            assertThat(staging.prepare()).isEqualTo(1);

            assertThat(staging.buffer(held).capacity()).as("held: untouched").isEqualTo(heldCapacity);
            final int next = staging.acquire();
            assertThat(next).isNotEqualTo(held);
            assertThat(staging.buffer(next).capacity()).isGreaterThanOrEqualTo(1 << 21);
            staging.release(next);
            staging.release(held);
        }
    }

    @Test
    void shouldNotGrowAfterClose()
    {
        final StagingBuffers staging = new StagingBuffers();
        staging.expect(1 << 20);
        staging.close();

        assertThat(staging.prepare()).isZero();
        assertThat(staging.buffer(0).capacity()).isZero();
    }
}
