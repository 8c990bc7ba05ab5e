package io.sluice.ops.net;

import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.NanoClock;

import io.aeron.Aeron;

/**
 * One network server's part of its client's duty cycle ({@link NetClientAgent}): ingress, then egress (either
 * may be absent: {@link NetServerContext#ingress(boolean)}, {@link NetServerContext#egress(boolean)}), on
 * adapters it opens on the client it is attached to, and closes when that client is lost or the server stops.
 *
 * <p>Waiting for the engine: once ingress has put events into the engine's rings, their ACKs (and their
 * results, for egress) follow within the microseconds the partition thread takes, and an idle back-off
 * would make them wait for a park instead (at least the OS timer's slack, tens of microseconds, on top of
 * the park). So while events are in the rings awaiting their JOURNALED ACK, an idle cycle yields the CPU
 * ({@link Thread#yield()}: the partition thread may need this core) and reports work, so the duties
 * thread does not back off; it backs off as usual once nothing awaits, or once the engine has made no
 * progress (no event accepted into a ring, none journaled; heartbeats and other work do not count) for
 * {@link NetServerContext#engineWaitNs()}: a paused, stalled or failed partition costs no spinning. On the
 * processing thread the engine's work is that thread's own: it never yields for it.
 * Counted: every cycle ({@code net-duty-cycles}), the idle cycles that yield so while events await their
 * ACK ({@code net-engine-waits}), and the waits longer than {@link #IDLE_CYCLES_BEFORE_PARK} idle cycles
 * ({@code net-engine-long-waits}): those that, backing off, would have parked at least once.
 *
 * <p>Threading: every method inside its client's duty cycle, or on a control thread holding the driver's
 * lock; {@link #producerSessions()} and {@link #consumerSessions()} from any thread.
 */
final class NetServerAgent
{
    /**
     * Idle cycles after which the engine's duties thread, backing off, parks (it yields before: the engine's
     * {@code DutyIdleStrategy}); a wait for the engine longer than this counts as a long wait.
     */
    static final int IDLE_CYCLES_BEFORE_PARK = 20;

    private final NetServerContext context;
    private final NanoClock nanoClock;
    private final long engineWaitNs;
    private final NetCounters counters;
    private final SessionIds sessionIds = new SessionIds();
    private final ErrorHandler errorHandler;
    private final CommitStoreAgent commitStore;
    /** Null when not served or while the client is lost. Written in the duty cycle, read by others for tests and health. */
    private volatile IngressAdapter ingress;
    /** As {@link #ingress}. */
    private volatile EgressAdapter egress;
    private long lastProgressNs;
    private int idleCyclesAwaiting;

    /**
     * @param context      of the server.
     * @param counters     of the server.
     * @param errorHandler for the server's errors.
     * @param commitStore  the background writer of the consumers' commits, or null without egress.
     */
    NetServerAgent(final NetServerContext context, final NetCounters counters, final ErrorHandler errorHandler,
        final CommitStoreAgent commitStore)
    {
        this.commitStore = commitStore;
        this.context = context;
        this.nanoClock = context.nanoClock();
        // On the processing thread the engine's work is this thread's own: never yield it away waiting for it.
        this.engineWaitNs = context.onProcessingThread() ? 0 : context.engineWaitNs();
        this.counters = counters;
        this.errorHandler = errorHandler;
    }

    /**
     * Opens the adapters the server serves on a client and counts the server connected.
     *
     * @param aeron the client, up.
     * @throws RuntimeException if the driver refuses a subscription (nothing stays open).
     */
    void open(final Aeron aeron)
    {
        IngressAdapter ingress = null;
        try
        {
            ingress = context.ingress() ? new IngressAdapter(context, aeron, counters, sessionIds) : null;
            final EgressAdapter egress = context.egress() ? new EgressAdapter(context, aeron, counters, sessionIds, commitStore) : null;
            this.ingress = ingress;
            this.egress = egress;
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(ingress);
            throw ex;
        }
        counters.clientUp.setRelease(1);
    }

    /**
     * The server's part of a cycle: ingress, then egress. An exception is reported to the server's error
     * handler and ends only its part of this cycle.
     *
     * @param nowMs epoch milliseconds.
     * @return work done.
     */
    int doWork(final long nowMs)
    {
        int work = 0;
        try
        {
            final IngressAdapter ingress = this.ingress;
            if (ingress != null)
            {
                work += ingress.doWork(nowMs);
            }
            final EgressAdapter egress = this.egress;
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
     * Counts the cycle and tells whether it should yield for the engine (see the class comment).
     *
     * @param work the whole cycle did.
     * @return true to yield the CPU once and report work.
     */
    boolean waitsForEngine(final int work)
    {
        counters.dutyCycles.incrementRelease();
        final IngressAdapter ingress = this.ingress;
        if (ingress == null)
        {
            return false;
        }
        // No clock read when there is no wait to time (on the processing thread).
        final long nowNs = engineWaitNs > 0 ? nanoClock.nanoTime() : 0;
        if (ingress.engineProgressed())
        {
            lastProgressNs = nowNs;
        }
        if (work > 0 || !ingress.awaitingEngine())
        {
            idleCyclesAwaiting = 0;
            return false;
        }
        if (++idleCyclesAwaiting == IDLE_CYCLES_BEFORE_PARK + 1)
        {
            counters.engineLongWaits.incrementRelease();
        }
        if (nowNs - lastProgressNs < engineWaitNs)
        {
            counters.engineWaits.incrementRelease();
            return true;
        }
        return false;
    }

    /**
     * The client died: closes the adapters (the sessions are gone: producers and consumers must connect
     * again), says so in the error log and the counters.
     *
     * @param cause     of the loss, as text.
     * @param exception the client reported last, or null.
     */
    void onClientLost(final String cause, final Throwable exception)
    {
        closeAdapters();
        errorHandler.onError(new NetException(NetException.Category.CONNECTION, name() + ": its Aeron client died (" + cause +
            "; media driver in " + context.aeronDirectoryName() + "): its sessions are closed and it reconnects, clients must connect again",
            exception));
        counters.clientLosses.incrementRelease();
        // Last: whoever sees the endpoint down also finds the loss counted and its cause in the error log.
        counters.clientUp.setRelease(0);
    }

    /**
     * Closes the sessions and the subscriptions; nothing is committed for consumers, whose partitions go
     * back to their groups. Idempotent.
     */
    void closeAdapters()
    {
        final IngressAdapter ingress = this.ingress;
        final EgressAdapter egress = this.egress;
        this.ingress = null;
        this.egress = null;
        CloseHelper.quietCloseAll(ingress, egress);
    }

    private String name()
    {
        final String scope = context.counterScope();
        return "network " + (context.ingress() ? context.egress() ? "server" : "ingress" : "egress") + (scope.isEmpty() ? "" : " " + scope);
    }

    int producerSessions()
    {
        final IngressAdapter ingress = this.ingress;
        return ingress == null ? 0 : ingress.sessionCount();
    }

    int consumerSessions()
    {
        final EgressAdapter egress = this.egress;
        return egress == null ? 0 : egress.sessionCount();
    }
}
