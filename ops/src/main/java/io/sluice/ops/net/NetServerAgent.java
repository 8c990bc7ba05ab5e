package io.sluice.ops.net;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;

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
 * <p>Threading: {@link #doWork()} on one thread: {@link NetServer} runs it as one of the engine's
 * background duties ({@link io.sluice.engine.runtime.Engine#addDuty}), on the shared duties thread or a
 * thread of its own per the engine's threading mode (see docs/network.md).
 */
public final class NetServerAgent implements Agent
{
    /**
     * Idle cycles after which the engine's duties thread, backing off, parks (it yields before: the engine's
     * {@code DutyIdleStrategy}); a wait for the engine longer than this counts as a long wait.
     */
    static final int IDLE_CYCLES_BEFORE_PARK = 20;

    private final Object driverLock;
    private final AgentInvoker driver;
    private final AgentInvoker conductor;
    private final IngressAdapter ingress;
    private final EgressAdapter egress;
    private final EpochClock clock;
    private final NanoClock nanoClock;
    private final long engineWaitNs;
    private final NetCounters counters;
    private final ErrorHandler errorHandler;
    private long lastProgressNs;
    private int idleCyclesAwaiting;

    NetServerAgent(final Object driverLock, final AgentInvoker driver, final AgentInvoker conductor, final IngressAdapter ingress,
        final EgressAdapter egress, final NetServerContext context, final NetCounters counters, final ErrorHandler errorHandler)
    {
        this.driverLock = driverLock;
        this.driver = driver;
        this.conductor = conductor;
        this.ingress = ingress;
        this.egress = egress;
        this.clock = context.clock();
        this.nanoClock = context.nanoClock();
        this.engineWaitNs = context.engineWaitNs();
        this.counters = counters;
        this.errorHandler = errorHandler;
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
