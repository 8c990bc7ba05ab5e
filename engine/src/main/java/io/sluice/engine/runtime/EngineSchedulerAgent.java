package io.sluice.engine.runtime;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.errors.DistinctErrorLog;

/**
 * The engine's scheduler duty ("sluice-scheduler"): journaled processing-time ticks (idle
 * partitions, processing-time windows), periodic checkpoints and journal retention passes, each at
 * its own interval (0 = off), for as long as the engine accepts input; and, every cycle, the retry of
 * checkpoint barriers a full ring could not take. A failing task is recorded in the error log and
 * tried again at its next interval; it never stops the others. No task ever waits on a partition.
 *
 * <p>Threading: {@link #doWork} on whichever thread runs the engine's duties (see {@link ThreadingMode});
 * the work count is the number of tasks run.
 */
final class EngineSchedulerAgent implements Agent
{
    private final BooleanSupplier running;
    private final Task[] tasks;
    private final Runnable everyCycle;
    private final DistinctErrorLog errorLog;

    EngineSchedulerAgent(
        final BooleanSupplier running,
        final long tickMillis,
        final Runnable tick,
        final long checkpointMillis,
        final Runnable checkpoint,
        final long retentionMillis,
        final Runnable retention,
        final Runnable everyCycle,
        final DistinctErrorLog errorLog)
    {
        this.running = running;
        this.everyCycle = everyCycle;
        this.errorLog = errorLog;
        this.tasks = new Task[] {
            new Task(tickMillis, tick), new Task(checkpointMillis, checkpoint), new Task(retentionMillis, retention)};
    }

    @Override
    public void onStart()
    {
        final long start = System.nanoTime();
        for (final Task task : tasks)
        {
            task.next = start + task.intervalNanos;
        }
    }

    @Override
    public int doWork()
    {
        try
        {
            everyCycle.run();
        }
        catch (final RuntimeException ex)
        {
            errorLog.record(ex);
        }
        if (!running.getAsBoolean())
        {
            return 0;
        }
        int work = 0;
        final long now = System.nanoTime();
        for (final Task task : tasks)
        {
            if (task.intervalNanos > 0 && now - task.next >= 0)
            {
                task.next = now + task.intervalNanos;
                work++;
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
        return work;
    }

    @Override
    public String roleName()
    {
        return "sluice-scheduler";
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
