package io.sluice.engine.runtime;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;

/**
 * A duty added to a running engine with {@link Engine#addDuty}: closing it stops the duty (its
 * {@code onClose} runs on the duty thread before {@link #close()} returns). Closing the engine stops
 * every duty still running, added ones included, after the final checkpoint; closing the handle
 * afterwards does nothing.
 *
 * <p>Threading: close from a control thread, never from the duty's own thread.
 */
public final class EngineDuty implements AutoCloseable
{
    private final EngineDuties duties;
    private final Agent duty;
    private final AgentRunner runner;
    private final String threadName;
    private boolean closed;

    EngineDuty(final EngineDuties duties, final Agent duty, final AgentRunner runner, final String threadName)
    {
        this.duties = duties;
        this.duty = duty;
        this.runner = runner;
        this.threadName = threadName;
    }

    /**
     * Name of the thread the duty runs on: {@link Engine#SHARED_DUTIES_ROLE_NAME} in
     * {@link ThreadingMode#SHARED}, the duty's role name in {@link ThreadingMode#DEDICATED}.
     *
     * @return the thread name.
     */
    public String threadName()
    {
        return threadName;
    }

    /**
     * Stops the duty.
     */
    @Override
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            duties.remove(duty, runner);
        }
    }
}
