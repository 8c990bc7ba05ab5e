package io.sluice.ops.net;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.EpochClock;

/**
 * The network server's one duty cycle: the Aeron client's conductor (invoked here, so image
 * handlers run on this thread and every session is single-threaded), then ingress, then egress.
 *
 * <p>Threading: {@link #doWork()} on one thread, usually an {@link org.agrona.concurrent.AgentRunner}
 * that {@link NetServer} starts; a daemon may run it on its own runner instead (see
 * {@link NetServerContext} and docs/network.md).
 */
public final class NetServerAgent implements Agent
{
    private final AgentInvoker conductor;
    private final IngressAdapter ingress;
    private final EgressAdapter egress;
    private final EpochClock clock;

    NetServerAgent(final AgentInvoker conductor, final IngressAdapter ingress, final EgressAdapter egress, final EpochClock clock)
    {
        this.conductor = conductor;
        this.ingress = ingress;
        this.egress = egress;
        this.clock = clock;
    }

    /**
     * One duty cycle.
     *
     * @return work done, 0 when idle.
     */
    @Override
    public int doWork()
    {
        final long nowMs = clock.time();
        return conductor.invoke() + ingress.doWork(nowMs) + egress.doWork(nowMs);
    }

    /**
     * Closes the sessions and subscriptions (not the Aeron client or the driver: {@link NetServer} does).
     */
    @Override
    public void onClose()
    {
        ingress.close();
        egress.close();
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
        return ingress.sessionCount();
    }

    int consumerSessions()
    {
        return egress.sessionCount();
    }
}
