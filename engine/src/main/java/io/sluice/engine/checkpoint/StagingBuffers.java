package io.sluice.engine.checkpoint;

import java.util.concurrent.atomic.AtomicIntegerArray;

import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Two off-heap buffers a partition thread copies its state into from a barrier on, so that it can go
 * on processing while the checkpoint thread writes the copy to Chronicle Map. The partition thread
 * waits only if both are still being written (two checkpoints behind).
 *
 * <p>Sizing a buffer never costs the partition thread in proportion to the state: a buffer too small
 * for the next copy is replaced by fresh native memory ({@code malloc}), whose pages the kernel maps
 * on first touch, i.e. as the copy proceeds in slices, instead of being zero-filled up front as a
 * direct {@code ByteBuffer} is. The old contents are discarded, never copied: a copy is written from
 * its start after {@link #ensureCapacity}. The memory a grown buffer replaces is freed by the
 * checkpoint thread when it {@link #release releases} the buffer, not by the partition thread: freeing
 * hundreds of megabytes of touched pages costs milliseconds (the kernel unmaps every page), which a
 * state that keeps growing would otherwise add to the barrier's pause at every checkpoint.
 *
 * <p>Threading: acquired, sized and written by the partition thread; read and released by the
 * checkpoint thread.
 */
public final class StagingBuffers implements AutoCloseable
{
    private static final int MIN_CAPACITY = 64 * 1024;
    private static final byte[] EMPTY = new byte[0];
    private final UnsafeBuffer[] buffers = {new UnsafeBuffer(EMPTY), new UnsafeBuffer(EMPTY)};
    private final long[] addresses = new long[2];
    /** Memory a grown buffer replaced, freed on release by the checkpoint thread (0: none). */
    private final long[] retired = new long[2];
    private final AtomicIntegerArray busy = new AtomicIntegerArray(2);

    /**
     * Takes a free buffer, waiting while none is free.
     *
     * @return the buffer's index.
     */
    public int acquire()
    {
        while (true)
        {
            for (int i = 0; i < 2; i++)
            {
                if (busy.compareAndSet(i, 0, 1))
                {
                    return i;
                }
            }
            Thread.onSpinWait();
        }
    }

    /**
     * Makes an acquired buffer hold at least {@code length} bytes, discarding its contents if it must
     * grow (with a quarter of headroom, so a slowly growing state rarely regrows).
     *
     * @param index  from {@link #acquire()}.
     * @param length bytes the next copy needs.
     * @return the buffer.
     */
    public UnsafeBuffer ensureCapacity(final int index, final int length)
    {
        final UnsafeBuffer buffer = buffers[index];
        if (buffer.capacity() < length)
        {
            final long capacity = Math.min(Integer.MAX_VALUE - 8, Math.max(MIN_CAPACITY, length + (long)(length >>> 2)));
            freeRetired(index); // normally freed by release already
            retired[index] = addresses[index];
            addresses[index] = UnsafeApi.allocateMemory(capacity);
            buffer.wrap(addresses[index], (int)capacity);
        }
        return buffer;
    }

    /**
     * The buffer at an index.
     *
     * @param index from {@link #acquire()}.
     * @return the buffer.
     */
    public UnsafeBuffer buffer(final int index)
    {
        return buffers[index];
    }

    /**
     * Gives a buffer back.
     *
     * @param index from {@link #acquire()}.
     */
    public void release(final int index)
    {
        freeRetired(index);
        busy.set(index, 0); // volatile store: the next acquirer sees the writer is done with it (and the free)
    }

    /**
     * Frees the native memory. Only once no checkpoint is in flight (the engine is closed).
     */
    @Override
    public void close()
    {
        free(0);
        free(1);
        freeRetired(0);
        freeRetired(1);
    }

    private void freeRetired(final int index)
    {
        if (retired[index] != 0)
        {
            UnsafeApi.freeMemory(retired[index]);
            retired[index] = 0;
        }
    }

    private void free(final int index)
    {
        if (addresses[index] != 0)
        {
            buffers[index].wrap(EMPTY);
            UnsafeApi.freeMemory(addresses[index]);
            addresses[index] = 0;
        }
    }
}
