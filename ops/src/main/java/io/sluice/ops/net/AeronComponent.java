package io.sluice.ops.net;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.agrona.CloseHelper;
import org.agrona.concurrent.SystemEpochClock;

import io.sluice.engine.runtime.EngineProfile;
import io.sluice.journal.GroupCoordinator;
import io.sluice.journal.Journal;
import io.sluice.ops.daemon.ConfigSection;
import io.sluice.ops.daemon.DaemonComponent;
import io.sluice.ops.daemon.DaemonComponentContext;
import io.sluice.ops.daemon.DaemonConfig;

/**
 * One {@code type: aeron} item of the daemon: a {@link NetServer} serving only ingress (producers,
 * publishing into the engine) or only egress (consumer groups over the engine's source topics and
 * the output journal's topics), on a media driver shared with the other Aeron items of the same
 * directory ({@link SharedMediaDriver}), through an Aeron client shared with those of them on the same thread
 * ({@link SharedNetClient}).
 *
 * <p>Egress topics: a topic of the engine's journal if there is one of that name, else a topic of the
 * output journal ({@code journal} sinks). The component owns those topics' group coordinators and
 * closes them after its server has stopped.
 *
 * <p>Threading: {@link #start} and {@link #close} on the daemon's control thread; the coordinator
 * map is used by the server's agent thread while it runs, and closed here after the agent has
 * stopped (its runner's close joins the thread).
 */
final class AeronComponent implements DaemonComponent
{
    /**
     * The validated settings of one item.
     *
     * @param channel              the server listens on.
     * @param aeronDir             of the media driver, or null for {@code <data_dir>/aeron}.
     * @param embeddedMediaDriver  whether to launch (share) a driver rather than use a running one.
     * @param streamId             of the server's subscription.
     * @param termBufferLength     of the driver's publications.
     * @param maxFrameLength       longest frame accepted.
     * @param maxSessions          most sessions.
     * @param heartbeatIntervalMs  asked of idle clients.
     * @param connectTimeoutMs     for a session's response channel.
     * @param allowRemoteResponses whether clients may name response channels on other hosts.
     * @param pendingAcks          per producer session (ingress).
     * @param recordType           consumers receive (egress), 0 for all.
     * @param onProcessingThread   whether the server's duty runs on the first processing thread ({@code thread: processing}).
     */
    record Settings(
        String channel,
        Path aeronDir,
        boolean embeddedMediaDriver,
        int streamId,
        int termBufferLength,
        int maxFrameLength,
        int maxSessions,
        int heartbeatIntervalMs,
        long connectTimeoutMs,
        boolean allowRemoteResponses,
        int pendingAcks,
        int recordType,
        boolean onProcessingThread)
    {
    }

    /** Whether this process has run the network warm-up: the JIT's code is the process's, once is enough. */
    private static final java.util.concurrent.atomic.AtomicBoolean WARMED_UP = new java.util.concurrent.atomic.AtomicBoolean();

    private final Role role;
    private final String path;
    private final Settings settings;
    private final Map<String, GroupCoordinator> coordinators = new HashMap<>();
    private SharedMediaDriver driver;
    private SharedNetClient client;
    private NetServer server;
    private boolean closed;

    AeronComponent(final Role role, final String path, final Settings settings)
    {
        this.role = role;
        this.path = path;
        this.settings = settings;
    }

    /**
     * The item's validated settings.
     *
     * @return the settings.
     */
    Settings settings()
    {
        return settings;
    }

    @Override
    public AeronAddress aeronAddress(final java.nio.file.Path dataDirectory)
    {
        return new AeronAddress(settings.channel(), AeronDirectory.resolve(settings.aeronDir(), dataDirectory), settings.streamId());
    }

    @Override
    public String name()
    {
        return "aeron-" + (role == Role.INGRESS ? "ingress " : "egress ") + settings.channel() + " stream " + settings.streamId();
    }

    /**
     * The network warm-up ({@link NetWarmUp}) on the thread this item's duty will run on, once per process: the first
     * {@code type: aeron} item of the first daemon that asks runs it, the others find the code compiled.
     */
    @Override
    public String warmUp(final DaemonConfig config, final long maxMillis, final java.util.function.BooleanSupplier stopRequested)
    {
        if (!WARMED_UP.compareAndSet(false, true))
        {
            return null;
        }
        return NetWarmUp.run(config, settings.onProcessingThread(), maxMillis, stopRequested);
    }

    @Override
    public void start(final DaemonComponentContext context)
    {
        final Path dataDirectory = context.dataDirectory().toAbsolutePath().normalize();
        final Path aeronDir = AeronDirectory.resolve(settings.aeronDir(), dataDirectory);
        if (settings.embeddedMediaDriver())
        {
            // The embedded driver deletes its directory on start and on stop: checked again here, as
            // the directory may have changed since the configuration was checked.
            final String problem = AeronDirectory.problem(aeronDir, dataDirectory);
            if (problem != null)
            {
                throw new IllegalArgumentException(path + ".aeron_dir: " + problem);
            }
        }
        try
        {
            if (settings.embeddedMediaDriver())
            {
                // Under the low-latency profile the driver has no thread: the servers invoke it on the shared duties thread.
                driver = SharedMediaDriver.acquire(aeronDir.toString(), settings.termBufferLength(), context.errorLog()::record,
                    context.engine().context().profile() == EngineProfile.LOW_LATENCY);
            }
            if (settings.onProcessingThread() && driver != null && driver.invoker() != null)
            {
                throw new IllegalArgumentException(path + ".thread: 'processing' needs the media driver on a thread of its own, but " +
                    "under profile: low-latency the embedded driver runs in INVOKER mode, invoked by the network duties (write thread: " +
                    "duties, or run a media driver of your own: embedded_media_driver: false)");
            }
            final boolean ingress = role == Role.INGRESS;
            final NetServerContext netContext = new NetServerContext()
                .engine(context.engine())
                .aeronDirectoryName(aeronDir.toString())
                .embeddedMediaDriver(false)
                .termBufferLength(settings.termBufferLength())
                .channel(settings.channel())
                .ingress(ingress)
                .egress(!ingress)
                .maxFrameLength(settings.maxFrameLength())
                .maxSessions(settings.maxSessions())
                .heartbeatIntervalMs(settings.heartbeatIntervalMs())
                .connectTimeoutMs(settings.connectTimeoutMs())
                .allowRemoteResponseChannels(settings.allowRemoteResponses())
                .countersManager(context.countersManager())
                .counterScope(path)
                .onProcessingThread(settings.onProcessingThread());
            // One Aeron client for the daemon's items of this driver and thread: one conductor, one driver connection.
            client = SharedNetClient.acquire(netContext, driver);
            netContext.sharedClient(client);
            if (ingress)
            {
                netContext.ingressStreamId(settings.streamId()).pendingAcksPerSession(settings.pendingAcks());
            }
            else
            {
                netContext.egressStreamId(settings.streamId()).egressRecordType(settings.recordType())
                    .coordinators(topic -> coordinator(context, topic));
            }
            server = NetServer.launch(netContext);
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * The coordinator of a topic, on the server's agent thread.
     */
    private GroupCoordinator coordinator(final DaemonComponentContext context, final String topic)
    {
        GroupCoordinator coordinator = coordinators.get(topic);
        if (coordinator == null)
        {
            final Journal journal = context.engine().journal().topicNames().contains(topic) ? context.engine().journal() :
                context.outputJournal() != null && context.outputJournal().topicNames().contains(topic) ? context.outputJournal() : null;
            if (journal == null)
            {
                return null;
            }
            coordinator = new GroupCoordinator(journal.topic(topic), SystemEpochClock.INSTANCE);
            coordinators.put(topic, coordinator);
        }
        return coordinator;
    }

    @Override
    public String placement()
    {
        return server == null ? null : server.placement();
    }

    /**
     * The running server, for tests and tools.
     *
     * @return the server, or null before start.
     */
    NetServer server()
    {
        return server;
    }

    @Override
    public void check(final Path dataDirectory, final ConfigSection item)
    {
        if (settings.embeddedMediaDriver())
        {
            final String problem = AeronDirectory.problem(AeronDirectory.resolve(settings.aeronDir(), dataDirectory), dataDirectory);
            if (problem != null)
            {
                item.error("aeron_dir", problem);
            }
        }
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.quietClose(server);
        if (client != null)
        {
            client.release();
            client = null;
        }
        CloseHelper.quietCloseAll(coordinators.values());
        coordinators.clear();
        if (driver != null)
        {
            driver.release();
            driver = null;
        }
    }
}
