package io.sluice.engine.checkpoint;

import java.util.concurrent.atomic.AtomicInteger;
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
 * <p>Growing at the barrier is the fallback: the partition thread tells what its next copy would need
 * ({@link #expect}, as its state grows) and the checkpoint thread, when idle, grows the buffer the
 * partition will take next to that size with headroom and touches its pages ({@link #prepare}), so that
 * neither the barrier (the allocation, the header page's first fault) nor the slices (a page fault per
 * 4 KiB of state copied) pay for memory the first time.
 *
 * <p>Threading: acquired, sized and written by the partition thread, which also {@link #expect expects};
 * read and released by the checkpoint thread, which also {@link #prepare prepares}; a buffer is only
 * ever touched by the thread that holds it (acquire, or prepare's own compare-and-set).
 */
public final class StagingBuffers implements AutoCloseable
{
    /** How many buffers a partition has: a copy being written while the next is made. */
    public static final int BUFFERS = 2;
    private static final int MIN_CAPACITY = 64 * 1024;
    private static final byte[] EMPTY = new byte[0];
    private final UnsafeBuffer[] buffers = {new UnsafeBuffer(EMPTY), new UnsafeBuffer(EMPTY)};
    private final long[] addresses = new long[2];
    /** Memory a grown buffer replaced, freed on release by the checkpoint thread (0: none). */
    private final long[] retired = new long[2];
    private static final int PAGE = 4096;
    private final AtomicIntegerArray busy = new AtomicIntegerArray(2);
    /** Bytes the partition's next copy would take as of its last {@link #expect}; written by the partition thread. */
    private final AtomicInteger expected = new AtomicInteger();
    /** Partition thread's last expectation, so that an unchanged one costs no store. */
    private int lastExpected;
    /** Set by {@link #close()} under this object's lock, which {@link #prepare} also holds while it grows a buffer; volatile for its cheap check. */
    private volatile boolean closed;

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
            final int capacity = capacityFor(length);
            freeRetired(index); // normally freed by release already
            retired[index] = addresses[index];
            addresses[index] = UnsafeApi.allocateMemory(capacity);
            buffer.wrap(addresses[index], capacity);
        }
        return buffer;
    }

    /**
     * Tells the checkpoint thread how many bytes the next copy would need if a barrier came now.
     * Partition thread; a store only when the figure changed.
     *
     * @param length bytes, as {@code PartitionStateCodec.maxLength} gives them.
     */
    public void expect(final int length)
    {
        if (length != lastExpected)
        {
            lastExpected = length;
            expected.lazySet(length); // ordered store: read by the checkpoint thread's prepare
        }
    }

    /**
     * Grows the buffer the partition thread will take at its next barrier (the first one not held) to
     * the length it {@link #expect expects}, with the same headroom as {@link #ensureCapacity}, and touches
     * every page of it. Checkpoint thread (or any thread but the partition's), when idle; cheap when
     * nothing is to grow.
     *
     * @return 1 if a buffer was grown, else 0.
     */
    public int prepare()
    {
        final int length = expected.get();
        if (closed)
        {
            return 0;
        }
        for (int i = 0; i < 2; i++)
        {
            if (busy.get(i) == 0)
            {
                // A plain read of a buffer the partition may take meanwhile: only a hint, checked again once held.
                return buffers[i].capacity() >= length ? 0 : grow(i, length);
            }
        }
        return 0;
    }

    private synchronized int grow(final int index, final int length)
    {
        if (closed || !busy.compareAndSet(index, 0, 1))
        {
            return 0; // the partition took it meanwhile: it grows it itself if it must
        }
        try
        {
            if (buffers[index].capacity() >= length)
            {
                return 0;
            }
            final int capacity = capacityFor(length);
            final long address = UnsafeApi.allocateMemory(capacity);
            for (long page = 0; page < capacity; page += PAGE)
            {
                UnsafeApi.putByte(address + page, (byte)0); // first touch here, not on the partition thread
            }
            free(index);
            freeRetired(index);
            addresses[index] = address;
            buffers[index].wrap(address, capacity);
            return 1;
        }
        finally
        {
            busy.set(index, 0); // volatile store: the partition's acquire sees the grown buffer
        }
    }

    private static int capacityFor(final int length)
    {
        return (int)Math.min(Integer.MAX_VALUE - 8, Math.max(MIN_CAPACITY, length + (long)(length >>> 2)));
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
    public synchronized void close()
    {
        closed = true;
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
