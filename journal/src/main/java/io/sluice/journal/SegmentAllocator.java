package io.sluice.journal;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Background thread that pre-allocates each partition's next segment (a zero-filled, non-sparse
 * spare trio) so that a roll on the writer's thread is three renames and a header write, not a 64 MiB
 * file write. If a spare is not ready in time the writer allocates it itself; if allocation fails
 * (disk full), the writer's roll fails with the same clear error.
 */
final class SegmentAllocator implements AutoCloseable
{
    private final LinkedBlockingQueue<SegmentFiles> requests = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable lastError;

    SegmentAllocator(final String name)
    {
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    void request(final SegmentFiles files)
    {
        requests.offer(files);
    }

    Throwable lastError()
    {
        return lastError;
    }

    private void run()
    {
        while (running)
        {
            try
            {
                final SegmentFiles files = requests.poll(100, TimeUnit.MILLISECONDS);
                if (files != null)
                {
                    synchronized (files)
                    {
                        if (!files.spareReady())
                        {
                            files.allocateSpare();
                        }
                    }
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
            catch (final RuntimeException ex)
            {
                // Reported again, synchronously and clearly, by the writer's own allocation on roll.
                lastError = ex;
            }
        }
    }

    @Override
    public void close()
    {
        running = false;
        thread.interrupt();
        try
        {
            thread.join(10_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
