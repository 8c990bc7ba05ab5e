package io.sluice.ops.net;

import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentInvoker;

import io.aeron.driver.MediaDriver;
import io.sluice.engine.runtime.EngineDuty;

/**
 * Network ingress and egress of a running engine over Aeron: producers publish events to its topics
 * and are acknowledged at the level they ask for; consumers join consumer groups of its journal
 * topics and receive records from the committed offsets. See docs/network.md for the wire protocol.
 *
 * <pre>{@code
 * NetServer server = NetServer.launch(new NetServerContext()
 *     .engine(engine)
 *     .aeronDirectoryName("/dev/shm/sluice-aeron")
 *     .channel("aeron:udp?endpoint=127.0.0.1:40456"));
 * ...
 * server.close();   // before engine.close(): stops ingress first
 * }</pre>
 *
 * <p>Resources: optionally an embedded media driver (small sparse term buffers, its directory deleted
 * on start and close; SHARED threading, one thread backing off when idle, or INVOKER under the
 * low-latency profile: no thread, invoked from the server's duty), one Aeron client whose
 * conductor runs in the server's duty cycle, and no thread of its own: the duty cycle
 * ({@link NetServerAgent}) is one of the engine's background duties ({@link
 * io.sluice.engine.runtime.Engine#addDuty}), on the shared duties thread or a thread of its own per the
 * engine's threading mode, off the spinning cores under a pinned low-latency profile; or it runs on the
 * first processing thread after its partitions' turns ({@link NetServerContext#onProcessingThread(boolean)}).
 *
 * <p>A lost Aeron client (its conductor starved past the driver's client liveness timeout, the driver
 * gone) is replaced: see {@link NetServerAgent}; {@link #clientUp()} and the counters say whether the
 * server is connected.
 *
 * <p>Threading: launch and close from a control thread.
 */
public final class NetServer implements AutoCloseable
{
    private final NetServerContext context;
    private final MediaDriver driver;
    private final Object driverLock;
    private final boolean driverInvoked;
    private final NetCounters counters;
    private final NetServerAgent agent;
    private EngineDuty duty;
    private volatile Throwable lastError;

    private NetServer(final NetServerContext context)
    {
        this.context = context;
        final ErrorHandler errorHandler = this::onError;
        this.driverLock = context.sharedDriverLock() != null ? context.sharedDriverLock() : new Object();
        MediaDriver driver = null;
        NetCounters counters = null;
        // Held while this thread may invoke the driver (connecting, adding subscriptions): nobody else does meanwhile.
        synchronized (driverLock)
        {
            try
            {
                AgentInvoker driverInvoker = context.embeddedMediaDriver() ? null : context.sharedDriverInvoker();
                if (context.embeddedMediaDriver())
                {
                    driver = MediaDriver.launch(SharedMediaDriver.driverContext(context.aeronDirectoryName(), context.termBufferLength(),
                        errorHandler, context.mediaDriverInvoker()));
                    driverInvoker = context.mediaDriverInvoker() ? driver.sharedAgentInvoker() : null;
                }
                counters = new NetCounters(context.countersManager(), context.counterScope());
                this.agent = new NetServerAgent(driverLock, driverInvoker, context, counters, errorHandler);
                this.driverInvoked = driverInvoker != null;
            }
            catch (final RuntimeException ex)
            {
                CloseHelper.quietCloseAll(counters, driver);
                throw ex;
            }
        }
        this.driver = driver;
        this.counters = counters;
    }

    /**
     * Starts the server as one of the engine's background duties.
     *
     * @param context settings; concluded if it was not.
     * @return the running server.
     * @throws NetException for a configuration error, before anything starts.
     */
    public static NetServer launch(final NetServerContext context)
    {
        if (!context.isConcluded())
        {
            context.conclude();
        }
        final NetServer server = new NetServer(context);
        try
        {
            server.duty = context.onProcessingThread() ? context.engine().addProcessingDuty(server.agent) :
                context.engine().addDuty(server.agent, context.maxIdleNs());
        }
        catch (final RuntimeException ex)
        {
            server.close();
            throw ex;
        }
        return server;
    }

    private void onError(final Throwable ex)
    {
        lastError = ex;
        context.engine().errorLog().record(ex);
    }

    /**
     * The network counters.
     *
     * @return the counters.
     */
    public NetCounters counters()
    {
        return counters;
    }

    /**
     * The last error the agent, the Aeron client or the driver reported (also in the engine's error log).
     *
     * @return the error, or null.
     */
    public Throwable lastError()
    {
        return lastError;
    }

    /**
     * Whether the server's Aeron client is connected to its media driver; false while it is lost and
     * being reconnected (no ingress or egress meanwhile).
     *
     * @return true while connected.
     */
    public boolean clientUp()
    {
        return counters.clientUp();
    }

    /**
     * The settings.
     *
     * @return the context.
     */
    public NetServerContext context()
    {
        return context;
    }

    /**
     * Name of the thread the server's duty runs on (the engine's shared duties thread in SHARED mode).
     *
     * @return the thread name.
     */
    public String threadName()
    {
        return duty == null ? null : duty.threadName();
    }

    /**
     * Where the server's duty and the media driver run, for a start line: the duty's thread, the CPUs
     * of the engine's background duties under a pinned low-latency profile, and the driver's threading.
     *
     * @return the text, e.g. {@code "duty on sluice-duties (cpu 0); media driver in INVOKER mode on the same thread"}.
     */
    public String placement()
    {
        final io.sluice.engine.runtime.EngineContext engine = context.engine().context();
        final boolean offSpinning = engine.profile() == io.sluice.engine.runtime.EngineProfile.LOW_LATENCY && engine.pinThreads() &&
            !context.onProcessingThread();
        final String cpus = offSpinning ? " (cpu " + io.sluice.engine.runtime.CoreBudget.cpuList(
            io.sluice.engine.runtime.CoreBudget.ofThisMachine().others()) + ", off the spinning cores)" : "";
        final String media = driverInvoked ? "media driver in INVOKER mode on the same thread" :
            context.embeddedMediaDriver() ? "media driver on a thread of its own (SHARED)" : "media driver on a thread of its own";
        return "duty on " + threadName() + (context.onProcessingThread() ? " after its partitions' turns" : "") + cpus + "; " + media;
    }

    /**
     * Stops the duty (closing every session: consumers' partitions are freed without a commit), then
     * the Aeron client and the driver. Call before closing the engine, so ingress stops first; closing
     * the engine first stops the duty with the engine's other duties, after its final checkpoint
     * (that is how the daemon serves consumers until then).
     */
    @Override
    public void close()
    {
        // Not under the driver's lock: the duties thread takes it to run the duty's onClose.
        CloseHelper.quietClose(duty);
        agent.onClose(); // idempotent: closes the Aeron client if the duty never ran or was stopped with the engine
        synchronized (driverLock)
        {
            CloseHelper.quietCloseAll(counters, driver);
        }
    }
}
