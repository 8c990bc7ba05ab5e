package io.sluice.engine.runtime;

/**
 * A duty added to a running engine with {@link Engine#addDuty} or {@link Engine#addProcessingDuty}: closing
 * it stops the duty (its {@code onClose} runs on the duty thread before {@link #close()} returns). Closing the
 * engine stops every duty still running, added ones included (a processing thread's with that thread, the
 * others after the final checkpoint); closing the handle afterwards does nothing.
 *
 * <p>Threading: close from a control thread, never from the duty's own thread.
 */
public final class EngineDuty implements AutoCloseable
{
    private final Runnable stop;
    private final String threadName;
    private boolean closed;

    /**
     * @param stop       takes the duty off its thread (or stops its thread), returning once its onClose has run.
     * @param threadName of the thread the duty runs on.
     */
    EngineDuty(final Runnable stop, final String threadName)
    {
        this.stop = stop;
        this.threadName = threadName;
    }

    /**
     * Name of the thread the duty runs on: {@link Engine#SHARED_DUTIES_ROLE_NAME} in
     * {@link ThreadingMode#SHARED}, the duty's role name in {@link ThreadingMode#DEDICATED}, the processing
     * thread's for a duty added with {@link Engine#addProcessingDuty}.
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
            stop.run();
        }
    }
}
