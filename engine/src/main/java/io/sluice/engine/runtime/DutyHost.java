package io.sluice.engine.runtime;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.DynamicCompositeAgent;

/**
 * A thread that other duties can join while it runs: a {@link DynamicCompositeAgent} run by that thread
 * (the engine's shared duties thread, or a processing thread between its partitions' turns), with the
 * hand-shakes that add a duty to it and take one off, each waiting until the thread has done so (the
 * duty's {@code onStart} and {@code onClose} run on that thread).
 *
 * <p>Threading: {@link #add} and {@link #remove} on a control thread, never on the host thread; the
 * composite on the host thread.
 */
final class DutyHost
{
    /** How long adding or removing a duty waits for the host thread to take the change. */
    private static final long CHANGE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private final DynamicCompositeAgent composite;
    private final BooleanSupplier stopped;

    /**
     * @param composite run by the host thread.
     * @param stopped   whether the host thread has stopped (or will run no more turns).
     */
    DutyHost(final DynamicCompositeAgent composite, final BooleanSupplier stopped)
    {
        this.composite = composite;
        this.stopped = stopped;
    }

    /**
     * Adds a duty and waits until the host thread has started it.
     *
     * @param duty to run.
     * @return the member to pass to {@link #remove}.
     * @throws EngineException if the host thread does not take it within 30 s or has stopped.
     */
    Member add(final Agent duty)
    {
        final Member member = new Member(duty);
        await(() -> composite.status() == DynamicCompositeAgent.Status.ACTIVE, duty, "start");
        await(() -> composite.tryAdd(member), duty, "take a new duty");
        await(composite::hasAddAgentCompleted, duty, "add");
        return member;
    }

    /**
     * Takes a duty off and waits until its {@code onClose} has run on the host thread; does nothing once the
     * host thread has stopped (it closed its duties then).
     *
     * @param member as {@link #add} returned it.
     */
    void remove(final Member member)
    {
        if (stopped.getAsBoolean())
        {
            return;
        }
        await(() -> composite.tryRemove(member), member, "take a removal");
        // Not hasRemoveAgentCompleted: the composite reports the removal done before it calls the
        // removed agent's onClose, so this waits for the onClose itself.
        await(member::closed, member, "close");
    }

    private void await(final BooleanSupplier condition, final Agent duty, final String what)
    {
        final long deadline = System.nanoTime() + CHANGE_TIMEOUT_NS;
        while (!condition.getAsBoolean())
        {
            final boolean hostStopped = stopped.getAsBoolean();
            if (hostStopped || System.nanoTime() - deadline > 0)
            {
                throw new EngineException("the thread of " + composite.roleName() + " did not " + what + " (duty '" + duty.roleName() +
                    "') within " + TimeUnit.NANOSECONDS.toSeconds(CHANGE_TIMEOUT_NS) + " s" + (hostStopped ? ": it has stopped" : ""));
            }
            Thread.yield();
        }
    }

    /**
     * A duty on a host thread: runs the duty and tells, once its {@code onClose} has run there, that its
     * removal is complete (the composite agent clears its pending removal before it closes the removed
     * agent, so its own completion flag comes too early).
     */
    static final class Member implements Agent
    {
        private final Agent duty;
        /** Set by the host thread after the duty's onClose, read by the thread that removes it. */
        private volatile boolean closed;

        Member(final Agent duty)
        {
            this.duty = duty;
        }

        @Override
        public void onStart()
        {
            duty.onStart();
        }

        @Override
        public int doWork() throws Exception
        {
            return duty.doWork();
        }

        @Override
        public void onClose()
        {
            try
            {
                duty.onClose();
            }
            finally
            {
                closed = true;
            }
        }

        @Override
        public String roleName()
        {
            return duty.roleName();
        }

        boolean closed()
        {
            return closed;
        }
    }
}
