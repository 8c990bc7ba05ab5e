package io.sluice.journal;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * The duty that pre-allocates space off the writers' threads:
 * <ul>
 *   <li>ahead of each writer, real blocks {@code reserveAheadBytes} beyond its position, a megabyte
 *       at a time, and behind that limit each new page pre-touched in the mapping, 64 KiB a step (see
 *       {@link Partition#reserveAhead}), so that appends neither fault pages in nor allocate blocks, and
 *       no whole-segment zero-fill competes with the writer for the cores and the disk;</li>
 *   <li>each partition's next segment (a spare trio: small zero-filled index files and a sparse log
 *       whose first megabyte is reserved), requested once the tail is half full, mapped and its first
 *       megabyte's pages touched ({@link SpareSegment}), so that a roll on the writer's thread is three
 *       renames, a header write and a pointer swap: no open, no map, no page fault.</li>
 * </ul>
 * If the duty is behind, the writer reserves (or allocates the spare) itself; if that fails (disk
 * full), the writer's append fails with the same clear error naming the file.
 *
 * <p>Threading: {@link #request} from writer threads (lock-free, allocation-free; a full queue drops
 * the request and the writer allocates on roll); {@link #doWork} on the thread that runs the agent
 * (the journal's own runner, or the engine's in its threading mode).
 */
final class SegmentAllocator implements Agent
{
    private static final int QUEUE_CAPACITY = 1024;

    private final ManyToOneConcurrentArrayQueue<SegmentFiles> requests = new ManyToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
    private final int reserveAheadBytes;
    /** Swapped whole on registration (copy on write), so that a duty cycle iterates an array and allocates nothing. */
    private volatile Partition[] partitions = new Partition[0];
    private volatile Throwable lastError;

    SegmentAllocator(final int reserveAheadBytes)
    {
        this.reserveAheadBytes = reserveAheadBytes;
    }

    synchronized void add(final Partition partition)
    {
        final Partition[] grown = java.util.Arrays.copyOf(partitions, partitions.length + 1);
        grown[grown.length - 1] = partition;
        partitions = grown; // volatile: the agent sees the whole array on its next duty cycle
    }

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
        int work = 0;
        for (final Partition partition : partitions)
        {
            try
            {
                work += partition.reserveAhead(reserveAheadBytes);
            }
            catch (final RuntimeException ex)
            {
                // Reported again, synchronously and clearly, when the writer reserves the space itself.
                lastError = ex;
            }
        }
        return work + allocateRequestedSpare();
    }

    private int allocateRequestedSpare()
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
                    files.allocateMappedSpare();
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
