package io.sluice.ops.net;

import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentInvoker;

import io.aeron.driver.MediaDriver;

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
 * low-latency profile: no thread, invoked from the client's duty), an Aeron client whose conductor runs
 * in the client's duty cycle ({@link NetClientAgent}), and no thread of its own: that duty is one of the
 * engine's background duties ({@link io.sluice.engine.runtime.Engine#addDuty}), on the shared duties thread
 * or a thread of its own per the engine's threading mode, off the spinning cores under a pinned low-latency
 * profile; or it runs on the first processing thread after its partitions' turns
 * ({@link NetServerContext#onProcessingThread(boolean)}). The daemon's servers of one media driver and one
 * thread share one client and its duty; a server launched on its own has a client of its own.
 *
 * <p>A lost Aeron client (its conductor starved past the driver's client liveness timeout, the driver
 * gone) is replaced: see {@link NetClientAgent}; {@link #clientUp()} and the counters say whether the
 * server is connected.
 *
 * <p>Threading: launch and close from a control thread.
 */
public final class NetServer implements AutoCloseable
{
    private final NetServerContext context;
    private final NetCounters counters;
    private final NetServerAgent agent;
    /** The background writer of the consumers' commits, egress only (else null). */
    private final CommitStoreAgent commitStore;
    private io.sluice.engine.runtime.EngineDuty commitStoreDuty;
    private MediaDriver driver;
    private SharedNetClient client;
    private boolean ownsClient;
    private boolean attached;
    private volatile Throwable lastError;

    private NetServer(final NetServerContext context)
    {
        this.context = context;
        this.counters = new NetCounters(context.countersManager(), context.counterScope());
        this.commitStore = context.egress() ? new CommitStoreAgent(counters, this::onError, context.counterScope()) : null;
        this.agent = new NetServerAgent(context, counters, this::onError, commitStore);
    }

    /**
     * Starts the server on its Aeron client's duty: the client shared with other servers of the same engine,
     * media driver and thread when the context names one (the daemon's items), else a client of its own, one of
     * the engine's duties.
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
            if (server.commitStore != null)
            {
                // On the engine's disk duties thread: a slow force must never starve the Aeron client's conductor.
                server.commitStoreDuty = context.engine().addDiskDuty(server.commitStore);
            }
            server.client = context.sharedClient() != null ? context.sharedClient() : server.openOwnClient();
            server.client.attach(server.agent);
            server.attached = true;
        }
        catch (final RuntimeException ex)
        {
            server.close();
            throw ex;
        }
        return server;
    }

    /**
     * Launches the embedded driver if asked for, and a client of this server alone.
     */
    private SharedNetClient openOwnClient()
    {
        AgentInvoker driverInvoker = null;
        if (context.embeddedMediaDriver())
        {
            driver = MediaDriver.launch(SharedMediaDriver.driverContext(context.aeronDirectoryName(), context.termBufferLength(),
                this::onError, context.mediaDriverInvoker()));
            driverInvoker = context.mediaDriverInvoker() ? driver.sharedAgentInvoker() : null;
        }
        ownsClient = true;
        return SharedNetClient.open(context, driverInvoker, new Object());
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
        return client == null ? null : client.threadName();
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
        final String media = client != null && client.invokesDriver() ? "media driver in INVOKER mode on the same thread" :
            context.embeddedMediaDriver() ? "media driver on a thread of its own (SHARED)" : "media driver on a thread of its own";
        return "duty on " + threadName() + (context.onProcessingThread() ? " after its partitions' turns" : "") + cpus + "; " + media;
    }

    /**
     * Stops serving (closing every session: consumers' partitions are freed without a commit), then releases
     * the Aeron client (a client of its own stops with its duty) and closes the driver it launched. Call before
     * closing the engine, so ingress stops first; closing the engine first stops the client's duty with the
     * engine's other duties, after its final checkpoint (that is how the daemon serves consumers until then).
     */
    @Override
    public void close()
    {
        if (attached)
        {
            attached = false;
            client.detach(agent);
        }
        if (ownsClient)
        {
            ownsClient = false;
            client.release(); // not under the driver's lock: the duty's thread takes it to run the client's onClose
        }
        // After the sessions: what they staged is stored by this duty or, once it has stopped, as their groups close.
        CloseHelper.quietCloseAll(commitStoreDuty, counters, driver);
    }
}
