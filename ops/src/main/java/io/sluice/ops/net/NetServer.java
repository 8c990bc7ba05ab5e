package io.sluice.ops.net;

import java.util.concurrent.TimeUnit;

import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.BackoffIdleStrategy;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
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
 * <p>Resources: optionally an embedded media driver (SHARED threading, one thread, backing-off idle,
 * small sparse term buffers, its directory deleted on start and close), one Aeron client whose
 * conductor runs in the server's duty cycle, and no thread of its own: the duty cycle
 * ({@link NetServerAgent}) is one of the engine's background duties ({@link
 * io.sluice.engine.runtime.Engine#addDuty}), on the shared duties thread or a thread of its own per the
 * engine's threading mode, off the spinning cores under a pinned low-latency profile.
 *
 * <p>Threading: launch and close from a control thread.
 */
public final class NetServer implements AutoCloseable
{
    private final NetServerContext context;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final NetCounters counters;
    private final NetServerAgent agent;
    private EngineDuty duty;
    private volatile Throwable lastError;

    private NetServer(final NetServerContext context)
    {
        this.context = context;
        final ErrorHandler errorHandler = this::onError;
        MediaDriver driver = null;
        Aeron aeron = null;
        NetCounters counters = null;
        try
        {
            if (context.embeddedMediaDriver())
            {
                driver = MediaDriver.launch(new MediaDriver.Context()
                    .aeronDirectoryName(context.aeronDirectoryName())
                    .threadingMode(ThreadingMode.SHARED)
                    .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1_000, TimeUnit.MILLISECONDS.toNanos(1)))
                    .publicationTermBufferLength(context.termBufferLength())
                    .ipcTermBufferLength(context.termBufferLength())
                    .termBufferSparseFile(true)
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true)
                    .warnIfDirectoryExists(false)
                    .errorHandler(errorHandler));
            }
            aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(context.aeronDirectoryName())
                .useConductorAgentInvoker(true)
                .errorHandler(errorHandler));
            counters = new NetCounters(context.countersManager(), context.counterScope());
            final SessionIds ids = new SessionIds();
            final IngressAdapter ingress = context.ingress() ? new IngressAdapter(context, aeron, counters, ids) : null;
            final EgressAdapter egress = context.egress() ? new EgressAdapter(context, aeron, counters, ids) : null;
            this.agent = new NetServerAgent(aeron.conductorAgentInvoker(), ingress, egress, context.clock(), errorHandler);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(counters, aeron, driver);
            throw ex;
        }
        this.driver = driver;
        this.aeron = aeron;
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
            server.duty = context.engine().addDuty(server.agent, context.maxIdleNs());
        }
        catch (final RuntimeException ex)
        {
            server.agent.onClose();
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
     * Stops the duty (closing every session: consumers' partitions are freed without a commit), then
     * the Aeron client and the driver. Call before closing the engine, so ingress stops first; closing
     * the engine first stops the duty with the engine's other duties, after its final checkpoint
     * (that is how the daemon serves consumers until then).
     */
    @Override
    public void close()
    {
        CloseHelper.quietClose(duty);
        CloseHelper.quietCloseAll(aeron, counters, driver);
    }
}
