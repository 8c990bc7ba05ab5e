package io.sluice.ops.net;

import java.io.File;
import java.util.Arrays;

import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.EpochClock;

import io.aeron.Aeron;
import io.aeron.CommonContext;

/**
 * One Aeron client and the network servers it serves, as one duty cycle: the media driver's when it runs in
 * INVOKER mode (see {@link NetServerContext#mediaDriverInvoker(boolean)}), the client's conductor (invoked
 * here, so image handlers run inside this cycle and every session is single-threaded), then each attached
 * server's ingress and egress ({@link NetServerAgent}). The daemon's {@code type: aeron} items of one media
 * driver and one thread share one of these ({@link SharedNetClient}): one conductor invoked, one driver
 * connection, whatever the number of items. The cycle, attaching and detaching a server, and closing hold the
 * driver's lock: a driver shared by several clients, or set up by the control thread, is only ever invoked by
 * one thread at a time, and a server attached by the control thread meanwhile sees no concurrent cycle.
 *
 * <p>A lost Aeron client: when Aeron closes the client (its conductor, invoked here, starved past the driver's
 * client liveness timeout; the driver gone), the duty closes every attached server's adapters (their sessions
 * are gone: producers and consumers connect again; events already in the engine's rings are journaled all the
 * same, and a JOURNALED ACK still follows the journal, so nothing acknowledged is lost), each server counts the
 * loss ({@code net-client-losses}, and {@code net-client-up} 0 until a new client is open) and records the
 * cause in the error log, and the duty opens a new client with a back-off of {@link #MIN_RECONNECT_BACKOFF_MS}
 * doubling to {@link #MAX_RECONNECT_BACKOFF_MS}; with a driver of another process, only once the driver's
 * heartbeat is fresh again. A new client reopens every attached server's adapters.
 *
 * <p>Waiting for the engine (on the duties thread): see {@link NetServerAgent#waitsForEngine}; when an attached
 * server asks, the cycle yields the CPU once, outside the driver's lock, and reports work.
 *
 * <p>Threading: {@link #doWork()} and {@link #onClose()} on the duty's thread (the engine's duties thread, or
 * the first processing thread after its partitions' turns); {@link #attach} and {@link #detach} on a control
 * thread, holding the driver's lock.
 */
final class NetClientAgent implements Agent
{
    /** First wait before reconnecting a lost Aeron client; doubles per failed attempt up to {@link #MAX_RECONNECT_BACKOFF_MS}. */
    static final long MIN_RECONNECT_BACKOFF_MS = 100;
    /** Longest wait between attempts to reconnect a lost Aeron client. */
    static final long MAX_RECONNECT_BACKOFF_MS = 2_000;

    private static final NetServerAgent[] NO_SERVERS = new NetServerAgent[0];

    private final Object driverLock;
    private final AgentInvoker driver;
    private final String aeronDirectoryName;
    private final boolean driverInProcess;
    private final EpochClock clock;
    private final ErrorHandler errorHandler;
    private final ErrorHandler clientErrorHandler = this::onClientError;
    /** How stale the driver's heartbeat may be for the driver to count as running (Aeron's {@code aeron.driver.timeout}). */
    private final long driverTimeoutMs = new Aeron.Context().driverTimeoutMs();
    /** The attached servers, in the order attached; replaced, never changed in place, holding the driver's lock. */
    private NetServerAgent[] servers = NO_SERVERS;
    /** The client; null while it is lost. Written holding the driver's lock, read by others for health. */
    private volatile Aeron aeron;
    private AgentInvoker conductor;
    private Throwable lastClientError;
    private long reconnectBackoffMs = MIN_RECONNECT_BACKOFF_MS;
    private long nextReconnectMs;
    private boolean closed;

    /**
     * Connects the client to the driver; call holding the driver's lock.
     *
     * @param driverLock      held around every invocation of the driver and every cycle.
     * @param driver          of a driver in INVOKER mode the duty invokes, or null.
     * @param context         of the first server: the driver's directory, whether its driver is embedded, the clock.
     * @param errorHandler    for the client's errors (the engine's error log).
     * @throws RuntimeException if the driver is not reached in time (nothing stays open).
     */
    NetClientAgent(final Object driverLock, final AgentInvoker driver, final NetServerContext context, final ErrorHandler errorHandler)
    {
        this.driverLock = driverLock;
        this.driver = driver;
        this.aeronDirectoryName = context.aeronDirectoryName();
        this.driverInProcess = driver != null || context.embeddedMediaDriver();
        this.clock = context.clock();
        this.errorHandler = errorHandler;
        connect();
    }

    private void connect()
    {
        // With the driver in this process a stale heartbeat means the whole process was held: wait as long as it waits
        // for its clients (NetServerContext.livenessTimeoutMs); a driver of another process keeps Aeron's timeout.
        final Aeron aeron = Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(aeronDirectoryName)
            .driverTimeoutMs(driverInProcess ? NetServerContext.livenessTimeoutMs() : driverTimeoutMs)
            .useConductorAgentInvoker(true)
            .driverAgentInvoker(driver)
            .errorHandler(clientErrorHandler));
        this.conductor = aeron.conductorAgentInvoker();
        this.aeron = aeron;
    }

    /**
     * Serves a server from the next cycle on, opening its adapters on the client if it is up (else when it is
     * reconnected); call holding the driver's lock, on a control thread.
     *
     * @param server to serve.
     * @throws RuntimeException if the driver refuses the server's subscription (the server is not attached).
     */
    void attach(final NetServerAgent server)
    {
        final Aeron aeron = this.aeron;
        if (aeron != null)
        {
            server.open(aeron);
        }
        final NetServerAgent[] attached = Arrays.copyOf(servers, servers.length + 1);
        attached[attached.length - 1] = server;
        servers = attached;
    }

    /**
     * Stops serving a server and closes its adapters (its sessions); call holding the driver's lock, on a
     * control thread. Does nothing for a server not attached.
     *
     * @param server to stop serving.
     */
    void detach(final NetServerAgent server)
    {
        final NetServerAgent[] attached = servers;
        for (int i = 0; i < attached.length; i++)
        {
            if (attached[i] == server)
            {
                final NetServerAgent[] rest = new NetServerAgent[attached.length - 1];
                System.arraycopy(attached, 0, rest, 0, i);
                System.arraycopy(attached, i + 1, rest, i, rest.length - i);
                servers = rest;
                server.closeAdapters();
                return;
            }
        }
    }

    /**
     * Whether the client's driver runs in INVOKER mode, invoked by this duty.
     *
     * @return true when this duty invokes the driver.
     */
    boolean invokesDriver()
    {
        return driver != null;
    }

    /**
     * One duty cycle. An exception is reported to the error handler and ends only this cycle: it never
     * reaches the duty's thread, where it would cut short the other duties' turn.
     *
     * @return work done, 0 when idle; 1 after a yield while an attached server waits for the engine.
     */
    @Override
    public int doWork()
    {
        final long nowMs = clock.time();
        int work;
        boolean waitForEngine = false;
        synchronized (driverLock)
        {
            work = duty(nowMs);
            final NetServerAgent[] servers = this.servers;
            for (int i = 0; i < servers.length; i++)
            {
                waitForEngine |= servers[i].waitsForEngine(work);
            }
        }
        if (waitForEngine)
        {
            // Outside the driver's lock: another client's duty may want the driver meanwhile.
            Thread.yield();
            return 1;
        }
        return work;
    }

    private int duty(final long nowMs)
    {
        int work = 0;
        try
        {
            if (driver != null)
            {
                work += driver.invoke();
            }
            if (aeron != null)
            {
                work += conductor.invoke();
                if (aeron.isClosed() || conductor.isClosed())
                {
                    onClientLost(nowMs);
                }
            }
            if (aeron == null)
            {
                return work + reconnect(nowMs);
            }
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
            return work + 1;
        }
        final NetServerAgent[] servers = this.servers;
        for (int i = 0; i < servers.length; i++)
        {
            work += servers[i].doWork(nowMs);
        }
        return work;
    }

    /**
     * The Aeron client died: closes what every server opened on it, has each say so, and schedules the first
     * reconnection.
     */
    private void onClientLost(final long nowMs)
    {
        final Aeron lost = aeron;
        aeron = null;
        final String cause = lastClientError == null ? "closed" :
            lastClientError.getClass().getSimpleName() + ": " + lastClientError.getMessage();
        for (final NetServerAgent server : servers)
        {
            server.onClientLost(cause, lastClientError);
        }
        CloseHelper.quietClose(lost);
        reconnectBackoffMs = MIN_RECONNECT_BACKOFF_MS;
        nextReconnectMs = nowMs + reconnectBackoffMs;
    }

    /**
     * Tries, when the back-off allows, to open a new client and every server's adapters on it: at once if the
     * driver runs in this process (in INVOKER mode this duty runs it), else only once the driver's heartbeat
     * is fresh, so that the attempt does not block the thread for the client's driver timeout while the
     * driver is down.
     *
     * @return 1 if a client was opened, else 0.
     */
    private int reconnect(final long nowMs)
    {
        if (closed || nowMs < nextReconnectMs)
        {
            return 0;
        }
        if (!driverInProcess && !driverActive())
        {
            backOff(nowMs);
            return 0;
        }
        try
        {
            lastClientError = null;
            connect();
            for (final NetServerAgent server : servers)
            {
                server.open(aeron);
            }
            reconnectBackoffMs = MIN_RECONNECT_BACKOFF_MS;
            return 1;
        }
        catch (final RuntimeException ex)
        {
            for (final NetServerAgent server : servers)
            {
                server.closeAdapters();
            }
            CloseHelper.quietClose(aeron);
            aeron = null;
            errorHandler.onError(new NetException(NetException.Category.CONNECTION, "network: cannot reconnect the Aeron client to the " +
                "media driver in " + aeronDirectoryName + ", retrying within " + MAX_RECONNECT_BACKOFF_MS + " ms: " + ex.getMessage(), ex));
            backOff(nowMs);
            return 0;
        }
    }

    private boolean driverActive()
    {
        try
        {
            return CommonContext.isDriverActive(new File(aeronDirectoryName), driverTimeoutMs, message -> { });
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

    /**
     * Closes every attached server's adapters (their sessions, their subscriptions), then the client (not
     * the driver: its owner does); idempotent. Runs on the duty's thread when the duty stops, and again on
     * the control thread when the last user releases the client.
     */
    @Override
    public void onClose()
    {
        synchronized (driverLock)
        {
            closed = true;
            for (final NetServerAgent server : servers)
            {
                server.closeAdapters();
            }
            final Aeron aeron = this.aeron;
            this.aeron = null;
            CloseHelper.quietClose(aeron);
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
}
