package io.sluice.ops.net;

import java.util.HashMap;
import java.util.Map;

import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentInvoker;

import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineDuty;

/**
 * An Aeron client ({@link NetClientAgent}) running as one duty of an engine, and the servers attached to it.
 * The daemon's {@code type: aeron} items of one engine, one media driver directory and one thread ({@code
 * thread: processing} or {@code duties}) share one ({@link #acquire}): one connection to the driver, one
 * conductor invoked per turn, however many items; a {@link NetServer} launched on its own opens a private one.
 *
 * <p>Threading: a control thread; never call while holding the driver's lock ({@link #release()} waits for
 * the duty's thread, which takes it).
 */
final class SharedNetClient
{
    private static final Map<Key, SharedNetClient> CLIENTS = new HashMap<>();

    /** What makes two servers share a client: the same engine, driver directory and thread. */
    private record Key(Engine engine, String aeronDirectoryName, boolean onProcessingThread)
    {
    }

    private final Key key;
    private final Object driverLock;
    private final NetClientAgent agent;
    private final EngineDuty duty;
    /** The embedded driver the client's items share, or null (a driver of another process, or a server's own). */
    private final SharedMediaDriver driver;
    private int references = 1;

    private SharedNetClient(final Key key, final SharedMediaDriver driver, final NetServerContext context, final AgentInvoker driverInvoker,
        final Object driverLock)
    {
        this.key = key;
        this.driver = driver;
        this.driverLock = driverLock;
        final ErrorHandler errorHandler = context.engine().errorLog()::record;
        // Held while this thread may invoke the driver (connecting): nobody else does meanwhile.
        synchronized (driverLock)
        {
            this.agent = new NetClientAgent(driverLock, driverInvoker, context, errorHandler);
        }
        try
        {
            this.duty = context.onProcessingThread() ? context.engine().addProcessingDuty(agent) :
                context.engine().addDuty(agent, context.maxIdleNs());
        }
        catch (final RuntimeException ex)
        {
            agent.onClose();
            throw ex;
        }
    }

    /**
     * The client shared by the servers of a context's engine, driver directory and thread, started (connected,
     * and its duty added to the engine) by the first caller.
     *
     * @param context of a server, with its engine, directory, thread and clocks set.
     * @param driver  the embedded driver of that directory, or null for a driver of another process; the same
     *                for every caller.
     * @return the client; {@link #release()} it once.
     * @throws IllegalStateException if the shared client uses another driver.
     * @throws RuntimeException      if the driver is not reached or the engine does not take the duty.
     */
    static synchronized SharedNetClient acquire(final NetServerContext context, final SharedMediaDriver driver)
    {
        final Key key = new Key(context.engine(), context.aeronDirectoryName(), context.onProcessingThread());
        SharedNetClient shared = CLIENTS.get(key);
        if (shared == null)
        {
            shared = new SharedNetClient(key, driver, context, driver == null ? null : driver.invoker(),
                driver == null ? new Object() : driver.lock());
            CLIENTS.put(key, shared);
        }
        else if (shared.driver != driver)
        {
            throw new IllegalStateException("the Aeron client of " + key.aeronDirectoryName() + " uses another media driver " +
                "(components sharing aeron_dir must agree on embedded_media_driver)");
        }
        else
        {
            shared.references++;
        }
        return shared;
    }

    /**
     * A client of one server alone, released by that server.
     *
     * @param context       of the server.
     * @param driverInvoker of a driver in INVOKER mode the client's duty invokes, or null.
     * @param driverLock    held around every invocation of that driver.
     * @return the client; {@link #release()} it once.
     */
    static SharedNetClient open(final NetServerContext context, final AgentInvoker driverInvoker, final Object driverLock)
    {
        return new SharedNetClient(null, null, context, driverInvoker, driverLock);
    }

    /**
     * Serves a server from the client's next cycle on.
     *
     * @param server to serve.
     * @throws RuntimeException if the driver refuses the server's subscription (the server is not attached).
     */
    void attach(final NetServerAgent server)
    {
        synchronized (driverLock)
        {
            agent.attach(server);
        }
    }

    /**
     * Stops serving a server, closing its sessions.
     *
     * @param server to stop serving.
     */
    void detach(final NetServerAgent server)
    {
        synchronized (driverLock)
        {
            agent.detach(server);
        }
    }

    /**
     * Whether the client's duty invokes its media driver (INVOKER mode).
     *
     * @return true when it does.
     */
    boolean invokesDriver()
    {
        return agent.invokesDriver();
    }

    /**
     * Name of the thread the client's duty runs on.
     *
     * @return the thread name.
     */
    String threadName()
    {
        return duty.threadName();
    }

    /**
     * Drops one reference; the last one stops the duty and closes the client (the duty's onClose, on its
     * thread; again here, in case the duty never ran or stopped with the engine).
     */
    void release()
    {
        synchronized (SharedNetClient.class)
        {
            if (--references > 0)
            {
                return;
            }
            if (key != null)
            {
                CLIENTS.remove(key);
            }
        }
        CloseHelper.quietClose(duty);
        agent.onClose();
    }
}
