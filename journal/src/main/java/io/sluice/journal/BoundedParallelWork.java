package io.sluice.journal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Runs a fixed number of independent, bounded tasks on up to one thread per core, the calling thread included, and
 * returns once every task has ended. Used where a restart waits on work that splits into independent pieces, such as
 * walking a journal's sealed segments or reading a checkpoint's partition state files.
 * <p>
 * Tasks are handed out in index order from a shared counter, so a slow task does not hold back the others. The
 * return happens-after every task (each helper thread is joined), so what the tasks stored in arrays is visible to
 * the caller. A task must record its own failure (a task that throws ends its thread's share of the work). Because
 * every task is bounded (by a file's size), an interrupt does not abandon them: the joins finish, then the caller's
 * interrupt flag is restored.
 */
public final class BoundedParallelWork
{
    private BoundedParallelWork()
    {
    }

    /**
     * Runs tasks {@code 0..count-1} and waits for all of them.
     *
     * @param count      of tasks.
     * @param threadName prefix of the helper threads' names (a number is appended).
     * @param task       called once with each task's index; must not throw.
     */
    public static void run(final int count, final String threadName, final IntConsumer task)
    {
        final int threads = Math.min(count, Runtime.getRuntime().availableProcessors());
        final AtomicInteger next = new AtomicInteger();
        final Runnable worker = () ->
        {
            for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement())
            {
                task.accept(i);
            }
        };
        final Thread[] helpers = new Thread[Math.max(0, threads - 1)];
        for (int t = 0; t < helpers.length; t++)
        {
            helpers[t] = new Thread(worker, threadName + (t + 1));
            helpers[t].setDaemon(true);
            helpers[t].start();
        }
        worker.run();
        joinAll(helpers);
    }

    private static void joinAll(final Thread[] threads)
    {
        boolean interrupted = false;
        for (final Thread thread : threads)
        {
            while (true)
            {
                try
                {
                    thread.join();
                    break;
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true; // the tasks are bounded: let them end, then restore the flag
                }
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
