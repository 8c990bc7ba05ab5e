package io.sluice.engine.checkpoint;

import java.util.concurrent.atomic.AtomicIntegerArray;

import org.agrona.ExpandableDirectByteBuffer;

/**
 * Two off-heap buffers a partition thread copies its state into at a barrier, so that it can go on
 * processing while the checkpoint thread writes the copy to Chronicle Map. The partition thread
 * waits only if both are still being written (two checkpoints behind).
 *
 * <p>Threading: acquired by the partition thread, released by the checkpoint thread.
 */
public final class StagingBuffers
{
    private final ExpandableDirectByteBuffer[] buffers = {
        new ExpandableDirectByteBuffer(64 * 1024), new ExpandableDirectByteBuffer(64 * 1024)};
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
     * The buffer at an index.
     *
     * @param index from {@link #acquire()}.
     * @return the buffer.
     */
    public ExpandableDirectByteBuffer buffer(final int index)
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
        busy.set(index, 0); // volatile store: the next acquirer sees the writer is done with it
    }
}
