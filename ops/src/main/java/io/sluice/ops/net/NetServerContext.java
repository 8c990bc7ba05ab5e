package io.sluice.ops.net;

import java.util.function.Function;

import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.status.CountersManager;

import io.sluice.client.ClientContext;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineProfile;
import io.sluice.journal.GroupCoordinator;

/**
 * Settings of a {@link NetServer}, with fluent setters and one {@link #conclude()} that checks them all
 * and fails fast with the setting's name and the reason. Secure by default: the server binds to
 * loopback and sends responses only to IPC or loopback channels.
 */
public final class NetServerContext
{
    /** Default of {@link #maxIdleNs(long)}: 100 microseconds. */
    public static final long DEFAULT_MAX_IDLE_NS = 100_000L;
    /** System property of the default of {@link #engineWaitNs(long)}, in nanoseconds (0 turns the wait off). */
    public static final String ENGINE_WAIT_NS_PROP_NAME = "sluice.net.engine.wait.ns";
    /**
     * Default of {@link #engineWaitNs(long)}: 0, off (or {@link #ENGINE_WAIT_NS_PROP_NAME}). On a quiet 2-core
     * machine, yielding for the engine (100 us) doubled the IPC ACK's p50 and took its p99 from 0.4-1.7x
     * to 3.5-5.1x the raw Aeron ping-pong's (perf/README.md section 17.1): the yielding duty is one more
     * runnable thread beside the partition thread it waits for.
     */
    public static final long DEFAULT_ENGINE_WAIT_NS = Long.getLong(ENGINE_WAIT_NS_PROP_NAME, 0L);
    /** System property of {@link #livenessTimeoutMs()}, in milliseconds. */
    public static final String LIVENESS_TIMEOUT_MS_PROP_NAME = "sluice.net.liveness.timeout.ms";
    /** Default of {@link #livenessTimeoutMs()}: a minute. */
    public static final long DEFAULT_LIVENESS_TIMEOUT_MS = 60_000L;
    /** Least {@link #livenessTimeoutMs()}: Aeron checks its timers once a second. */
    static final long MIN_LIVENESS_TIMEOUT_MS = 2_000L;

    private Engine engine;
    private String aeronDirectoryName;
    private boolean embeddedMediaDriver = true;
    private int termBufferLength = 256 * 1024;
    private String channel = ClientContext.DEFAULT_SERVER_CHANNEL;
    private int ingressStreamId = ClientContext.DEFAULT_INGRESS_STREAM_ID;
    private int egressStreamId = ClientContext.DEFAULT_EGRESS_STREAM_ID;
    private int maxFrameLength = 16 * 1024;
    private int maxSessions = 256;
    private int pendingAcksPerSession = 4096;
    private int heartbeatIntervalMs = 250;
    private long connectTimeoutMs = 5_000;
    private boolean allowRemoteResponseChannels;
    private int egressRecordType = 1;
    private boolean ingress = true;
    private boolean egress = true;
    private String counterScope = "";
    private Function<String, GroupCoordinator> coordinators;
    private CountersManager countersManager;
    private EpochClock clock = SystemEpochClock.INSTANCE;
    private NanoClock nanoClock = SystemNanoClock.INSTANCE;
    private long maxIdleNs = DEFAULT_MAX_IDLE_NS;
    private long engineWaitNs = DEFAULT_ENGINE_WAIT_NS;
    private boolean onProcessingThread;
    private Boolean mediaDriverInvoker;
    private SharedNetClient sharedClient;
    private boolean concluded;

    /**
     * How long an embedded media driver and the daemon's own Aeron clients on it wait for each other before one counts the
     * other as gone: the driver's client liveness timeout (Aeron's {@code aeron.client.liveness.timeout}, which a
     * client process connected to the driver gets too) and the daemon's clients' driver timeout ({@code aeron.driver.timeout}),
     * both 10 s in Aeron. {@value #DEFAULT_LIVENESS_TIMEOUT_MS} ms unless {@link #LIVENESS_TIMEOUT_MS_PROP_NAME} says
     * otherwise. Why longer than Aeron's: a machine that holds every thread of the process for ten seconds (a virtual
     * machine whose cpus its host deschedules; the kernel's log here showed "workqueue lockup ... stuck for 32-81 s")
     * otherwise kills the daemon's Aeron client when it resumes, and every network session with it (perf/README.md,
     * section 114). The cost: a client process on this driver that dies without closing keeps what it opened, and so its
     * sessions with the daemon, until this timeout.
     *
     * @return milliseconds, at least {@value #MIN_LIVENESS_TIMEOUT_MS}.
     * @throws NetException (configuration) if the property is not a number of milliseconds of at least that.
     */
    public static long livenessTimeoutMs()
    {
        final String value = System.getProperty(LIVENESS_TIMEOUT_MS_PROP_NAME);
        if (value == null)
        {
            return DEFAULT_LIVENESS_TIMEOUT_MS;
        }
        try
        {
            final long ms = Long.parseLong(value.trim());
            if (ms >= MIN_LIVENESS_TIMEOUT_MS)
            {
                return ms;
            }
        }
        catch (final NumberFormatException ex)
        {
            // reported below
        }
        throw new NetException(NetException.Category.CONFIGURATION, "-D" + LIVENESS_TIMEOUT_MS_PROP_NAME + "=" + value +
            ": must be a number of milliseconds, at least " + MIN_LIVENESS_TIMEOUT_MS);
    }

    /**
     * Checks every setting and fills the defaults that depend on others.
     *
     * @return this.
     * @throws NetException naming the setting and the reason.
     */
    public NetServerContext conclude()
    {
        if (engine == null)
        {
            throw configError("engine", "is required");
        }
        if (aeronDirectoryName == null || aeronDirectoryName.isEmpty())
        {
            throw configError("aeronDirectoryName", "is required");
        }
        if (Integer.bitCount(termBufferLength) != 1 || termBufferLength < 64 * 1024 || termBufferLength > 1024 * 1024 * 1024)
        {
            throw configError("termBufferLength", "must be a power of two from 64 KiB to 1 GiB, was " + termBufferLength);
        }
        if (maxFrameLength < 1024 || maxFrameLength > termBufferLength / 8)
        {
            throw configError("maxFrameLength", "must be from 1 KiB to termBufferLength / 8 (" + termBufferLength / 8 +
                ", Aeron's largest message), was " + maxFrameLength);
        }
        if (Integer.bitCount(pendingAcksPerSession) != 1)
        {
            throw configError("pendingAcksPerSession", "must be a power of two, was " + pendingAcksPerSession);
        }
        if (maxSessions < 1 || heartbeatIntervalMs < 1 || connectTimeoutMs < 1)
        {
            throw configError("maxSessions/heartbeatIntervalMs/connectTimeoutMs", "must be positive");
        }
        if (maxIdleNs < 1_000L || maxIdleNs > 1_000_000_000L)
        {
            throw configError("maxIdleNs", "must be from 1 microsecond to 1 second, was " + maxIdleNs + " ns");
        }
        if (engineWaitNs < 0 || engineWaitNs > 1_000_000_000L)
        {
            throw configError("engineWaitNs", "must be from 0 (never wait) to 1 second, was " + engineWaitNs + " ns");
        }
        if (onProcessingThread && (embeddedMediaDriver && mediaDriverInvoker() || sharedClient != null && sharedClient.invokesDriver()))
        {
            throw configError("onProcessingThread", "needs a media driver with a thread of its own: this one runs in INVOKER mode " +
                "(as under profile: low-latency), invoked by the server's duty, and would then run on the processing thread");
        }
        if (channel == null || !channel.startsWith("aeron:"))
        {
            throw configError("channel", "must be an Aeron channel URI, was " + channel);
        }
        if (!ingress && !egress)
        {
            throw configError("ingress/egress", "at least one must be served");
        }
        if (ingress && egress && ingressStreamId == egressStreamId)
        {
            throw configError("egressStreamId", "must differ from ingressStreamId " + ingressStreamId);
        }
        if (countersManager == null)
        {
            countersManager = engine.context().countersManager();
        }
        concluded = true;
        return this;
    }

    private static NetException configError(final String setting, final String reason)
    {
        return new NetException(NetException.Category.CONFIGURATION, "network setting '" + setting + "' " + reason);
    }

    boolean isConcluded()
    {
        return concluded;
    }

    /**
     * Sets the engine whose topics producers publish to and consumers read.
     *
     * @param engine running.
     * @return this.
     */
    public NetServerContext engine(final Engine engine)
    {
        this.engine = engine;
        return this;
    }

    /**
     * The engine.
     *
     * @return the engine.
     */
    public Engine engine()
    {
        return engine;
    }

    /**
     * Sets the media driver's directory (under /dev/shm for speed).
     *
     * @param aeronDirectoryName of the driver.
     * @return this.
     */
    public NetServerContext aeronDirectoryName(final String aeronDirectoryName)
    {
        this.aeronDirectoryName = aeronDirectoryName;
        return this;
    }

    /**
     * The media driver's directory.
     *
     * @return the directory name.
     */
    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    /**
     * Sets whether the server launches its own media driver (threading: {@link #mediaDriverInvoker(boolean)}),
     * or connects to one already running in that directory.
     *
     * @param embeddedMediaDriver true to launch one.
     * @return this.
     */
    public NetServerContext embeddedMediaDriver(final boolean embeddedMediaDriver)
    {
        this.embeddedMediaDriver = embeddedMediaDriver;
        return this;
    }

    /**
     * Whether the server launches its own media driver.
     *
     * @return true if embedded.
     */
    public boolean embeddedMediaDriver()
    {
        return embeddedMediaDriver;
    }

    /**
     * Sets whether the embedded media driver runs in Aeron's INVOKER threading mode: no thread of its
     * own, its duty cycle invoked from the server's duty (on the engine's shared duties thread), so that
     * it does not compete for the cores the processing threads spin on; otherwise SHARED, one thread of
     * its own. Default (not set): INVOKER under the engine's low-latency profile, SHARED otherwise.
     *
     * @param mediaDriverInvoker true for INVOKER.
     * @return this.
     */
    public NetServerContext mediaDriverInvoker(final boolean mediaDriverInvoker)
    {
        this.mediaDriverInvoker = mediaDriverInvoker;
        return this;
    }

    /**
     * Whether the embedded media driver runs in INVOKER mode (resolved from the engine's profile by
     * {@link #conclude()} when not set).
     *
     * @return true for INVOKER.
     */
    public boolean mediaDriverInvoker()
    {
        return mediaDriverInvoker != null ? mediaDriverInvoker :
            engine != null && engine.context().profile() == EngineProfile.LOW_LATENCY;
    }

    /**
     * Serves on an Aeron client shared with other servers (with {@code embeddedMediaDriver(false)}): its duty,
     * on the engine's thread this context names, invokes its conductor and, if the driver runs in INVOKER mode,
     * the driver, and runs this server's ingress and egress after the others'.
     *
     * @param client shared, acquired for this server; the caller releases it after closing the server.
     * @return this.
     */
    NetServerContext sharedClient(final SharedNetClient client)
    {
        this.sharedClient = client;
        return this;
    }

    SharedNetClient sharedClient()
    {
        return sharedClient;
    }

    /**
     * Sets the term buffer length of the embedded driver's publications (UDP and IPC); the flow
     * control window is half of it.
     *
     * @param termBufferLength a power of two, 64 KiB to 1 GiB.
     * @return this.
     */
    public NetServerContext termBufferLength(final int termBufferLength)
    {
        this.termBufferLength = termBufferLength;
        return this;
    }

    /**
     * The term buffer length.
     *
     * @return bytes.
     */
    public int termBufferLength()
    {
        return termBufferLength;
    }

    /**
     * Sets the channel the server listens on.
     *
     * @param channel an Aeron channel URI, UDP on loopback by default.
     * @return this.
     */
    public NetServerContext channel(final String channel)
    {
        this.channel = channel;
        return this;
    }

    /**
     * The channel the server listens on.
     *
     * @return the channel URI.
     */
    public String channel()
    {
        return channel;
    }

    /**
     * Sets the producers' stream id.
     *
     * @param ingressStreamId stream id.
     * @return this.
     */
    public NetServerContext ingressStreamId(final int ingressStreamId)
    {
        this.ingressStreamId = ingressStreamId;
        return this;
    }

    /**
     * The producers' stream id.
     *
     * @return stream id.
     */
    public int ingressStreamId()
    {
        return ingressStreamId;
    }

    /**
     * Sets the consumers' stream id.
     *
     * @param egressStreamId stream id.
     * @return this.
     */
    public NetServerContext egressStreamId(final int egressStreamId)
    {
        this.egressStreamId = egressStreamId;
        return this;
    }

    /**
     * The consumers' stream id.
     *
     * @return stream id.
     */
    public int egressStreamId()
    {
        return egressStreamId;
    }

    /**
     * Sets the longest frame accepted; longer ones are rejected as OVERSIZED.
     *
     * @param maxFrameLength bytes, at most termBufferLength / 8.
     * @return this.
     */
    public NetServerContext maxFrameLength(final int maxFrameLength)
    {
        this.maxFrameLength = maxFrameLength;
        return this;
    }

    /**
     * The longest frame accepted.
     *
     * @return bytes.
     */
    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    /**
     * Sets the most sessions (producers and consumers each) the server keeps.
     *
     * @param maxSessions count.
     * @return this.
     */
    public NetServerContext maxSessions(final int maxSessions)
    {
        this.maxSessions = maxSessions;
        return this;
    }

    /**
     * The most sessions.
     *
     * @return count.
     */
    public int maxSessions()
    {
        return maxSessions;
    }

    /**
     * Sets how many events per producer session may await acknowledgement; when full the server stops
     * reading that producer (back-pressure).
     *
     * @param pendingAcksPerSession a power of two.
     * @return this.
     */
    public NetServerContext pendingAcksPerSession(final int pendingAcksPerSession)
    {
        this.pendingAcksPerSession = pendingAcksPerSession;
        return this;
    }

    /**
     * Events per session awaiting acknowledgement.
     *
     * @return count.
     */
    public int pendingAcksPerSession()
    {
        return pendingAcksPerSession;
    }

    /**
     * Sets the heartbeat interval the server asks of idle clients.
     *
     * @param heartbeatIntervalMs milliseconds.
     * @return this.
     */
    public NetServerContext heartbeatIntervalMs(final int heartbeatIntervalMs)
    {
        this.heartbeatIntervalMs = heartbeatIntervalMs;
        return this;
    }

    /**
     * The heartbeat interval.
     *
     * @return milliseconds.
     */
    public int heartbeatIntervalMs()
    {
        return heartbeatIntervalMs;
    }

    /**
     * Sets how long a new session's response channel may take to connect before it is dropped.
     *
     * @param connectTimeoutMs milliseconds.
     * @return this.
     */
    public NetServerContext connectTimeoutMs(final long connectTimeoutMs)
    {
        this.connectTimeoutMs = connectTimeoutMs;
        return this;
    }

    /**
     * The connect timeout.
     *
     * @return milliseconds.
     */
    public long connectTimeoutMs()
    {
        return connectTimeoutMs;
    }

    /**
     * Sets whether clients may name response channels on other hosts. Off by default: otherwise any
     * client could make the server send datagrams to any address.
     *
     * @param allowRemoteResponseChannels true to allow.
     * @return this.
     */
    public NetServerContext allowRemoteResponseChannels(final boolean allowRemoteResponseChannels)
    {
        this.allowRemoteResponseChannels = allowRemoteResponseChannels;
        return this;
    }

    /**
     * Whether remote response channels are allowed.
     *
     * @return true if allowed.
     */
    public boolean allowRemoteResponseChannels()
    {
        return allowRemoteResponseChannels;
    }

    /**
     * Sets which journal record type consumers receive: 1 (events, the default; processing-time ticks
     * and other control records are skipped), or 0 for every record.
     *
     * @param egressRecordType record type, 0 for all.
     * @return this.
     */
    public NetServerContext egressRecordType(final int egressRecordType)
    {
        this.egressRecordType = egressRecordType;
        return this;
    }

    /**
     * The record type consumers receive.
     *
     * @return record type, 0 for all.
     */
    public int egressRecordType()
    {
        return egressRecordType;
    }

    /**
     * Sets where the group coordinator of a topic comes from, when the daemon shares coordinators with
     * in-process consumers or tools (one coordinator per topic per process). By default the server
     * opens its own and closes them.
     *
     * @param coordinators from topic name to its coordinator.
     * @return this.
     */
    public NetServerContext coordinators(final Function<String, GroupCoordinator> coordinators)
    {
        this.coordinators = coordinators;
        return this;
    }

    /**
     * The coordinator source, or null when the server opens its own.
     *
     * @return the function or null.
     */
    public Function<String, GroupCoordinator> coordinators()
    {
        return coordinators;
    }

    /**
     * Sets the counters manager; by default the engine's.
     *
     * @param countersManager to allocate the network counters from.
     * @return this.
     */
    public NetServerContext countersManager(final CountersManager countersManager)
    {
        this.countersManager = countersManager;
        return this;
    }

    /**
     * The counters manager.
     *
     * @return the manager.
     */
    public CountersManager countersManager()
    {
        return countersManager;
    }

    /**
     * Sets whether this server accepts producers (the ingress stream). A daemon runs ingress and egress
     * as two servers so that ingress stops before the engine drains and egress only after the final
     * checkpoint; they may share one media driver and one channel (different stream ids).
     *
     * @param ingress true (the default) to serve producers.
     * @return this.
     */
    public NetServerContext ingress(final boolean ingress)
    {
        this.ingress = ingress;
        return this;
    }

    /**
     * Whether this server accepts producers.
     *
     * @return true if it serves the ingress stream.
     */
    public boolean ingress()
    {
        return ingress;
    }

    /**
     * Sets whether this server serves consumer groups (the egress stream).
     *
     * @param egress true (the default) to serve consumers.
     * @return this.
     */
    public NetServerContext egress(final boolean egress)
    {
        this.egress = egress;
        return this;
    }

    /**
     * Whether this server serves consumer groups.
     *
     * @return true if it serves the egress stream.
     */
    public boolean egress()
    {
        return egress;
    }

    /**
     * Sets a scope appended to every counter label ({@code net-frames-in: <scope>}), so that several
     * servers can share one counters file; empty (the default) for the plain labels.
     *
     * @param counterScope printable ASCII without ':', e.g. {@code ingress[0]}.
     * @return this.
     */
    public NetServerContext counterScope(final String counterScope)
    {
        this.counterScope = counterScope == null ? "" : counterScope;
        return this;
    }

    /**
     * The scope of counter labels.
     *
     * @return the scope, empty for none.
     */
    public String counterScope()
    {
        return counterScope;
    }

    /**
     * Sets the clock of session timeouts.
     *
     * @param clock epoch milliseconds.
     * @return this.
     */
    public NetServerContext clock(final EpochClock clock)
    {
        this.clock = clock;
        return this;
    }

    /**
     * The clock.
     *
     * @return the clock.
     */
    public EpochClock clock()
    {
        return clock;
    }

    /**
     * Sets the longest the server's duty waits, once idle, before it polls again: it runs as one of the
     * engine's background duties ({@link Engine#addDuty}), which yields a few times and then parks
     * doubling from a microsecond up to this. Lower answers sooner and costs more CPU when idle.
     *
     * @param maxIdleNs nanoseconds, 1 microsecond to 1 second.
     * @return this.
     */
    public NetServerContext maxIdleNs(final long maxIdleNs)
    {
        this.maxIdleNs = maxIdleNs;
        return this;
    }

    /**
     * The longest idle wait of the server's duty.
     *
     * @return nanoseconds.
     */
    public long maxIdleNs()
    {
        return maxIdleNs;
    }

    /**
     * Sets the clock of the duty's wait for the engine ({@link #engineWaitNs(long)}).
     *
     * @param nanoClock a monotonic clock.
     * @return this.
     */
    public NetServerContext nanoClock(final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return this;
    }

    /**
     * The monotonic clock.
     *
     * @return the clock.
     */
    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    /**
     * Sets how long the server's duty keeps yielding instead of backing off while events it published
     * are in the engine's rings awaiting their JOURNALED ACK and the engine makes no progress: their ACKs
     * and results follow within microseconds, sooner than a park would end, so the duty waits for them
     * with {@link Thread#yield()} (giving the core to the partition thread if it needs it); after this
     * long without progress (a stalled or failed partition) it backs off as when idle. 0 (the default)
     * never waits so: with fewer cores than runnable threads, the yielding duty delays the partition thread.
     *
     * @param engineWaitNs nanoseconds, 0 to 1 second.
     * @return this.
     */
    public NetServerContext engineWaitNs(final long engineWaitNs)
    {
        this.engineWaitNs = engineWaitNs;
        return this;
    }

    /**
     * The longest the duty yields without progress while events await their ACK.
     *
     * @return nanoseconds.
     */
    public long engineWaitNs()
    {
        return engineWaitNs;
    }

    /**
     * Sets where the server's duty runs: on the engine's first processing thread, after its partitions' turns
     * ({@link Engine#addProcessingDuty}), or (false, the default) as one of the engine's background duties
     * ({@link Engine#addDuty}). On the processing thread an event goes from the producer's frame into the ring,
     * through the partition and back out as its ACK and result on one thread: no hand-off to or from another
     * thread, so no wake-up on either side; the duty polls as often as that thread turns (by the engine's wait
     * strategy: not {@code block}), and its work (polling, ACKs, records to consumers) is the partitions' time.
     * The duty never yields for the engine there ({@link #engineWaitNs(long)} does not apply). Needs a media
     * driver with a thread of its own (not INVOKER mode).
     *
     * @param onProcessingThread true to run on the first processing thread.
     * @return this.
     */
    public NetServerContext onProcessingThread(final boolean onProcessingThread)
    {
        this.onProcessingThread = onProcessingThread;
        return this;
    }

    /**
     * Whether the server's duty runs on the engine's first processing thread.
     *
     * @return true if so.
     */
    public boolean onProcessingThread()
    {
        return onProcessingThread;
    }
}
