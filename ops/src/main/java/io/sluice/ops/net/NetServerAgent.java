package io.sluice.ops.net;

import java.io.File;

import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;

import io.aeron.Aeron;
import io.aeron.CommonContext;

/**
 * The network server's one duty cycle: the media driver's when it runs in INVOKER mode (see
 * {@link NetServerContext#mediaDriverInvoker(boolean)}), the Aeron client's conductor (invoked here, so
 * image handlers run on this thread and every session is single-threaded), then ingress, then egress
 * (either may be absent: {@link NetServerContext#ingress(boolean)}, {@link NetServerContext#egress(boolean)}).
 * The cycle, and closing, hold the driver's lock: a driver shared by several servers, or set up by the
 * control thread, is only ever invoked by one thread at a time.
 *
 * <p>Waiting for the engine: once ingress has put events into the engine's rings, their ACKs (and their
 * results, for egress) follow within the microseconds the partition thread takes, and an idle back-off
 * would make them wait for a park instead (at least the OS timer's slack, tens of microseconds, on top of
 * the park). So while events are in the rings awaiting their JOURNALED ACK, an idle cycle yields the CPU
 * ({@link Thread#yield()}: the partition thread may need this core) and reports work, so the duties
 * thread does not back off; it backs off as usual once nothing awaits, or once the engine has made no
 * progress (no event accepted into a ring, none journaled; heartbeats and other work do not count) for
 * {@link NetServerContext#engineWaitNs()}: a paused, stalled or failed partition costs no spinning.
 * Counted: every cycle ({@code net-duty-cycles}), the idle cycles that yield so while events await their
 * ACK ({@code net-engine-waits}), and the waits longer than {@link #IDLE_CYCLES_BEFORE_PARK} idle cycles
 * ({@code net-engine-long-waits}): those that, backing off, would have parked at least once.
 *
 * <p>A lost Aeron client: when Aeron closes the client (its conductor, invoked here, starved past the
 * driver's client liveness timeout; the driver gone), the duty closes the {@link AeronLink} it had, counts
 * the loss ({@code net-client-losses}, and {@code net-client-up} 0 until a new link is open), records the
 * cause in the error log, and opens a new link with a back-off of {@link #MIN_RECONNECT_BACKOFF_MS} doubling
 * to {@link #MAX_RECONNECT_BACKOFF_MS}; with a driver of another process, only once the driver's heartbeat
 * is fresh again. Sessions do not survive a lost client: producers and consumers connect again, producers
 * resend what was not acknowledged (events accepted into the rings before the loss are journaled all the
 * same; a JOURNALED ACK still follows the journal, so nothing acknowledged is lost).
 *
 * <p>Threading: {@link #doWork()} on one thread: {@link NetServer} runs it as one of the engine's
 * background duties ({@link io.sluice.engine.runtime.Engine#addDuty}), on the shared duties thread or a
 * thread of its own per the engine's threading mode, or on the first processing thread after its
 * partitions' turns ({@link NetServerContext#onProcessingThread(boolean)}; see docs/network.md).
 */
public final class NetServerAgent implements Agent
{
    /**
     * Idle cycles after which the engine's duties thread, backing off, parks (it yields before: the engine's
     * {@code DutyIdleStrategy}); a wait for the engine longer than this counts as a long wait.
     */
    static final int IDLE_CYCLES_BEFORE_PARK = 20;

    /** First wait before reconnecting a lost Aeron client; doubles per failed attempt up to {@link #MAX_RECONNECT_BACKOFF_MS}. */
    static final long MIN_RECONNECT_BACKOFF_MS = 100;
    /** Longest wait between attempts to reconnect a lost Aeron client. */
    static final long MAX_RECONNECT_BACKOFF_MS = 2_000;

    private final Object driverLock;
    private final AgentInvoker driver;
    private final NetServerContext context;
    private final EpochClock clock;
    private final NanoClock nanoClock;
    private final long engineWaitNs;
    private final NetCounters counters;
    private final SessionIds sessionIds;
    private final ErrorHandler errorHandler;
    private final ErrorHandler clientErrorHandler = this::onClientError;
    /** How stale the driver's heartbeat may be for the driver to count as running (Aeron's {@code aeron.driver.timeout}). */
    private final long driverTimeoutMs = new Aeron.Context().driverTimeoutMs();
    /** The connection to the driver; null while it is lost. Written on the duty thread, read by others for tests and health. */
    private volatile AeronLink link;
    private Throwable lastClientError;
    private long reconnectBackoffMs = MIN_RECONNECT_BACKOFF_MS;
    private long nextReconnectMs;
    private boolean closed;
    private long lastProgressNs;
    private int idleCyclesAwaiting;

    /**
     * Opens the server's first link to the driver; call holding the driver's lock.
     *
     * @throws RuntimeException if the driver is not reached or refuses a subscription (nothing stays open).
     */
    NetServerAgent(final Object driverLock, final AgentInvoker driver, final NetServerContext context, final NetCounters counters,
        final ErrorHandler errorHandler)
    {
        this.driverLock = driverLock;
        this.driver = driver;
        this.context = context;
        this.clock = context.clock();
        this.nanoClock = context.nanoClock();
        // On the processing thread the engine's work is this thread's own: never yield it away waiting for it.
        this.engineWaitNs = context.onProcessingThread() ? 0 : context.engineWaitNs();
        this.counters = counters;
        this.sessionIds = new SessionIds();
        this.errorHandler = errorHandler;
        this.link = AeronLink.open(context, driver, counters, sessionIds, clientErrorHandler);
        counters.clientUp.setRelease(1);
    }

    /**
     * One duty cycle. An exception is reported to the server's error handler and ends only this cycle:
     * it never reaches the duties thread, where it would cut short the other duties' turn.
     *
     * @return work done, 0 when idle; 1 after a yield while the engine holds events awaiting their ACK
     *         (see the class comment), so that the duties thread does not back off.
     */
    @Override
    public int doWork()
    {
        final int work;
        synchronized (driverLock)
        {
            work = duty();
        }
        counters.dutyCycles.incrementRelease();
        final AeronLink link = this.link;
        final IngressAdapter ingress = link == null ? null : link.ingress;
        if (ingress == null)
        {
            return work;
        }
        final long nowNs = nanoClock.nanoTime();
        if (ingress.engineProgressed())
        {
            lastProgressNs = nowNs;
        }
        if (work > 0 || !ingress.awaitingEngine())
        {
            idleCyclesAwaiting = 0;
            return work;
        }
        if (++idleCyclesAwaiting == IDLE_CYCLES_BEFORE_PARK + 1)
        {
            counters.engineLongWaits.incrementRelease();
        }
        if (nowNs - lastProgressNs < engineWaitNs)
        {
            counters.engineWaits.incrementRelease();
            // Outside the driver's lock: another server's duty may want the driver meanwhile.
            Thread.yield();
            return 1;
        }
        return 0;
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
            AeronLink link = this.link;
            if (link != null)
            {
                work += link.conductor.invoke();
                if (link.isDead())
                {
                    onLinkLost(link, nowMs);
                    link = null;
                }
            }
            if (link == null)
            {
                return work + reconnect(nowMs);
            }
            if (link.ingress != null)
            {
                work += link.ingress.doWork(nowMs);
            }
            if (link.egress != null)
            {
                work += link.egress.doWork(nowMs);
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
     * The Aeron client died: closes what was opened on it (its sessions are gone: producers and consumers
     * must connect again; events already in the engine's rings are journaled all the same), says so in the
     * error log and the counters, and schedules the first reconnection.
     */
    private void onLinkLost(final AeronLink lost, final long nowMs)
    {
        this.link = null;
        CloseHelper.quietClose(lost);
        final Throwable cause = lastClientError;
        errorHandler.onError(new NetException(NetException.Category.CONNECTION, name() + ": its Aeron client died (" +
            (cause == null ? "closed" : cause.getClass().getSimpleName() + ": " + cause.getMessage()) + "; media driver in " +
            context.aeronDirectoryName() + "): its sessions are closed and it reconnects, clients must connect again", cause));
        counters.clientLosses.incrementRelease();
        // Last: whoever sees the endpoint down also finds the loss counted and its cause in the error log.
        counters.clientUp.setRelease(0);
        reconnectBackoffMs = MIN_RECONNECT_BACKOFF_MS;
        nextReconnectMs = nowMs + reconnectBackoffMs;
    }

    /**
     * Tries, when the back-off allows, to open a new link: at once if the driver runs in this process (in
     * INVOKER mode this duty runs it), else only once the driver's heartbeat is fresh, so that the attempt
     * does not block the duties thread for the client's driver timeout while the driver is down.
     *
     * @return 1 if a link was opened, else 0.
     */
    private int reconnect(final long nowMs)
    {
        if (closed || nowMs < nextReconnectMs)
        {
            return 0;
        }
        try
        {
            if (driver == null && !context.embeddedMediaDriver() && !driverActive())
            {
                backOff(nowMs);
                return 0;
            }
            lastClientError = null;
            link = AeronLink.open(context, driver, counters, sessionIds, clientErrorHandler);
            counters.clientUp.setRelease(1);
            reconnectBackoffMs = MIN_RECONNECT_BACKOFF_MS;
            return 1;
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(new NetException(NetException.Category.CONNECTION, name() + ": cannot reconnect the Aeron client to the media driver in " +
                context.aeronDirectoryName() + ", retrying within " + MAX_RECONNECT_BACKOFF_MS + " ms: " + ex.getMessage(), ex));
            backOff(nowMs);
            return 0;
        }
    }

    private boolean driverActive()
    {
        try
        {
            return CommonContext.isDriverActive(new File(context.aeronDirectoryName()), driverTimeoutMs, message -> { });
        }
        catch (final RuntimeException ex)
        {
            return false; // a CnC file being created or deleted: not active yet
        }
    }

    private void backOff(final long nowMs)
    {
        nextReconnectMs = nowMs + reconnectBackoffMs;
        reconnectBackoffMs = Math.min(MAX_RECONNECT_BACKOFF_MS, reconnectBackoffMs * 2);
    }

    private void onClientError(final Throwable ex)
    {
        lastClientError = ex;
        errorHandler.onError(ex);
    }

    private String name()
    {
        final String scope = context.counterScope();
        return "network " + (context.ingress() ? context.egress() ? "server" : "ingress" : "egress") + (scope.isEmpty() ? "" : " " + scope);
    }

    /**
     * Closes the sessions, the subscriptions and the Aeron client (not the driver: {@link NetServer} does);
     * idempotent.
     */
    @Override
    public void onClose()
    {
        synchronized (driverLock)
        {
            closed = true;
            final AeronLink link = this.link;
            this.link = null;
            CloseHelper.quietClose(link);
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
        final AeronLink link = this.link;
        return link == null || link.ingress == null ? 0 : link.ingress.sessionCount();
    }

    int consumerSessions()
    {
        final AeronLink link = this.link;
        return link == null || link.egress == null ? 0 : link.egress.sessionCount();
    }
}
