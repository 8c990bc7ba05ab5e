package io.sluice.ops.net;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.EpochClock;

/**
 * The network server's one duty cycle: the media driver's when it runs in INVOKER mode (see
 * {@link NetServerContext#mediaDriverInvoker(boolean)}), the Aeron client's conductor (invoked here, so
 * image handlers run on this thread and every session is single-threaded), then ingress, then egress
 * (either may be absent: {@link NetServerContext#ingress(boolean)}, {@link NetServerContext#egress(boolean)}).
 * The cycle, and closing, hold the driver's lock: a driver shared by several servers, or set up by the
 * control thread, is only ever invoked by one thread at a time.
 *
 * <p>Threading: {@link #doWork()} on one thread: {@link NetServer} runs it as one of the engine's
 * background duties ({@link io.sluice.engine.runtime.Engine#addDuty}), on the shared duties thread or a
 * thread of its own per the engine's threading mode (see docs/network.md).
 */
public final class NetServerAgent implements Agent
{
    private final Object driverLock;
    private final AgentInvoker driver;
    private final AgentInvoker conductor;
    private final IngressAdapter ingress;
    private final EgressAdapter egress;
    private final EpochClock clock;
    private final ErrorHandler errorHandler;

    NetServerAgent(final Object driverLock, final AgentInvoker driver, final AgentInvoker conductor, final IngressAdapter ingress,
        final EgressAdapter egress, final EpochClock clock, final ErrorHandler errorHandler)
    {
        this.driverLock = driverLock;
        this.driver = driver;
        this.conductor = conductor;
        this.ingress = ingress;
        this.egress = egress;
        this.clock = clock;
        this.errorHandler = errorHandler;
    }

    /**
     * One duty cycle. An exception is reported to the server's error handler and ends only this cycle:
     * it never reaches the duties thread, where it would cut short the other duties' turn.
     *
     * @return work done, 0 when idle.
     */
    @Override
    public int doWork()
    {
        synchronized (driverLock)
        {
            return duty();
        }
    }

    private int duty()
    {
        int work = 0;
        try
        {
            final long nowMs = clock.time();
            if (driver != null)
            {
                work += driver.invoke();
            }
            work += conductor.invoke();
            if (ingress != null)
            {
                work += ingress.doWork(nowMs);
            }
            if (egress != null)
            {
                work += egress.doWork(nowMs);
            }
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
            work++;
        }
        return work;
    }

    /**
     * Closes the sessions and subscriptions (not the Aeron client or the driver: {@link NetServer} does).
     */
    @Override
    public void onClose()
    {
        synchronized (driverLock)
        {
            closeAdapters();
        }
    }

    private void closeAdapters()
    {
        if (ingress != null)
        {
            ingress.close();
        }
        if (egress != null)
        {
            egress.close();
        }
    }

    /**
     * The agent's role name.
     *
     * @return {@code "sluice-net"}.
     */
    @Override
    public String roleName()
    {
        return "sluice-net";
    }

    int producerSessions()
    {
        return ingress == null ? 0 : ingress.sessionCount();
    }

    int consumerSessions()
    {
        return egress == null ? 0 : egress.sessionCount();
    }
}
