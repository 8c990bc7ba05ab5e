package io.sluice.engine.runtime;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.agrona.concurrent.errors.DistinctErrorLog;

/**
 * The engine's scheduler thread ("sluice-scheduler"): journaled processing-time ticks (idle
 * partitions, processing-time windows), periodic checkpoints and journal retention passes, each at
 * its own interval (0 = off), for as long as the engine accepts input. A failing task is recorded
 * in the error log and tried again at its next interval; it never stops the others.
 */
final class EngineScheduler implements Runnable
{
    private final BooleanSupplier running;
    private final Task[] tasks;
    private final DistinctErrorLog errorLog;
    private final long parkNanos;

    EngineScheduler(
        final BooleanSupplier running,
        final long tickMillis,
        final Runnable tick,
        final long checkpointMillis,
        final Runnable checkpoint,
        final long retentionMillis,
        final Runnable retention,
        final DistinctErrorLog errorLog)
    {
        this.running = running;
        this.errorLog = errorLog;
        this.tasks = new Task[] {
            new Task(tickMillis, tick), new Task(checkpointMillis, checkpoint), new Task(retentionMillis, retention)};
        long shortest = TimeUnit.MILLISECONDS.toNanos(10);
        for (final Task task : tasks)
        {
            if (task.intervalNanos > 0)
            {
                shortest = Math.min(shortest, task.intervalNanos);
            }
        }
        this.parkNanos = shortest;
    }

    @Override
    public void run()
    {
        final long start = System.nanoTime();
        for (final Task task : tasks)
        {
            task.next = start + task.intervalNanos;
        }
        while (running.getAsBoolean())
        {
            final long now = System.nanoTime();
            for (final Task task : tasks)
            {
                if (task.intervalNanos > 0 && now - task.next >= 0)
                {
                    task.next = now + task.intervalNanos;
                    try
                    {
                        task.action.run();
                    }
                    catch (final RuntimeException ex)
                    {
                        errorLog.record(ex);
                    }
                }
            }
            LockSupport.parkNanos(parkNanos);
        }
    }

    private static final class Task
    {
        final long intervalNanos;
        final Runnable action;
        long next;

        Task(final long intervalMillis, final Runnable action)
        {
            this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
            this.action = action;
        }
    }
}
