package io.sluice.ops.net;

import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentInvoker;

import io.aeron.Aeron;

/**
 * One connection of the network server to its media driver: the Aeron client, whose conductor the
 * server's duty invokes, and everything the server opened on it, the ingress and egress adapters with
 * their subscriptions and their sessions' response publications.
 *
 * <p>The client dies when its conductor is not invoked for longer than the driver's client liveness
 * timeout (the duties thread starved: {@code ConductorServiceTimeoutException}, or the driver timing the
 * client out) or when the driver stops answering ({@code DriverTimeoutException}); Aeron then closes the
 * client and every resource of it. A dead link is closed whole and the server opens a new one
 * ({@link NetServerAgent}): sessions do not survive, clients connect again.
 *
 * <p>Threading: opened and closed while holding the driver's lock; used on the server's duty thread.
 */
final class AeronLink implements AutoCloseable
{
    final Aeron aeron;
    final AgentInvoker conductor;
    final IngressAdapter ingress;
    final EgressAdapter egress;
    private boolean closed;

    private AeronLink(final Aeron aeron, final IngressAdapter ingress, final EgressAdapter egress)
    {
        this.aeron = aeron;
        this.conductor = aeron.conductorAgentInvoker();
        this.ingress = ingress;
        this.egress = egress;
    }

    /**
     * Connects a client to the driver and opens the adapters the server serves; call holding the driver's lock.
     *
     * @param context       of the server.
     * @param driverInvoker of a driver in INVOKER mode the client must invoke while it waits, or null.
     * @param counters      of the server, shared by every link.
     * @param sessionIds    of the server, shared by every link so that no session id is reused.
     * @param errorHandler  for the client's errors.
     * @return the open link.
     * @throws RuntimeException if the driver is not reached in time or refuses a subscription (nothing stays open).
     */
    static AeronLink open(final NetServerContext context, final AgentInvoker driverInvoker, final NetCounters counters,
        final SessionIds sessionIds, final ErrorHandler errorHandler)
    {
        Aeron aeron = null;
        IngressAdapter ingress = null;
        try
        {
            aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(context.aeronDirectoryName())
                .useConductorAgentInvoker(true)
                .driverAgentInvoker(driverInvoker)
                .errorHandler(errorHandler));
            ingress = context.ingress() ? new IngressAdapter(context, aeron, counters, sessionIds) : null;
            final EgressAdapter egress = context.egress() ? new EgressAdapter(context, aeron, counters, sessionIds) : null;
            return new AeronLink(aeron, ingress, egress);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(ingress, aeron);
            throw ex;
        }
    }

    /**
     * Whether Aeron has closed the client (it died); a closed link serves nobody and must be replaced.
     *
     * @return true once the client is closed.
     */
    boolean isDead()
    {
        return aeron.isClosed() || conductor.isClosed();
    }

    /**
     * Closes the sessions, the subscriptions, then the client; idempotent. Sessions closed here are
     * counted out; nothing is committed for consumers, whose partitions go back to their groups.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.quietCloseAll(ingress, egress, aeron);
    }
}
