package io.sluice.journal;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * The duty that pre-allocates each partition's next segment (a zero-filled, non-sparse spare trio)
 * so that a roll on the writer's thread is three renames and a header write, not a 64 MiB file
 * write. If a spare is not ready in time the writer allocates it itself; if allocation fails (disk
 * full), the writer's roll fails with the same clear error.
 *
 * <p>Threading: {@link #request} from writer threads (lock-free, allocation-free; a full queue drops
 * the request and the writer allocates on roll); {@link #doWork} on the thread that runs the agent
 * (the journal's own runner, or the engine's in its threading mode).
 */
final class SegmentAllocator implements Agent
{
    private static final int QUEUE_CAPACITY = 1024;

    private final ManyToOneConcurrentArrayQueue<SegmentFiles> requests = new ManyToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
    private volatile Throwable lastError;

    void request(final SegmentFiles files)
    {
        requests.offer(files);
    }

    Throwable lastError()
    {
        return lastError;
    }

    @Override
    public int doWork()
    {
        final SegmentFiles files = requests.poll();
        if (files == null)
        {
            return 0;
        }
        try
        {
            synchronized (files)
            {
                if (!files.spareReady())
                {
                    files.allocateSpare();
                }
            }
        }
        catch (final RuntimeException ex)
        {
            // Reported again, synchronously and clearly, by the writer's own allocation on roll.
            lastError = ex;
        }
        return 1;
    }

    @Override
    public String roleName()
    {
        return "sluice-segment-allocator";
    }
}
