package io.sluice.ops.daemon;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersReader;

import io.sluice.dashboard.DashboardServer;
import io.sluice.dashboard.DashboardSources;
import io.sluice.dashboard.ResultBoard;
import io.sluice.engine.config.PipelineDefinition;
import io.sluice.engine.exec.SymbolKeyNames;
import io.sluice.engine.io.FileFormat;
import io.sluice.engine.counters.SluiceCounters;
import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.Source;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.journal.Journal;
import io.sluice.ops.jmx.DaemonControl;
import io.sluice.ops.jmx.JmxServer;
import io.sluice.ops.stat.CountersFile;
import io.sluice.ops.stat.PrometheusEndpoint;
import io.sluice.schema.FieldType;

/**
 * The {@code sluice run} daemon: one engine over one data directory, with its counters file, mark
 * file, sinks, JMX, Prometheus endpoint and network components.
 *
 * <p>Start: lock the data directory ({@code sluice.lock}, a FileChannel lock the OS drops when the
 * process dies, even by SIGKILL) and check the mark file, create the mark and counters files, start the
 * stats agent (heartbeat), open the sinks, launch the engine (recover: checkpoint, then journal
 * replay), start JMX and Prometheus, start ingress/egress components, then report RUNNING.
 *
 * <p>{@link #close()}: STOPPING; ingress components close (no new input); the engine drains its
 * rings and takes a final checkpoint; egress components close; sinks flush and record their
 * progress; JMX and Prometheus stop; STOPPED; unlock. Idempotent, callable from a signal handler's
 * thread while the control thread waits.
 *
 * <p>Threading: {@link #start} and {@link #close} on a control thread; see each part for its own.
 */
public final class Daemon implements AutoCloseable
{
    /** Lock file inside the data directory. */
    public static final String LOCK_FILE = "sluice.lock";

    private final DaemonConfig config;
    private static final long INITIAL_SINK_BACKOFF_MS = 1_000;
    /** Name of the SLF4J logger of the daemon's lifecycle lines. */
    public static final String LOGGER_NAME = "sluice";

    /** Directory of the data directory holding the output journal of the {@code journal} sinks. */
    public static final String OUTPUTS_DIRECTORY = "outputs";

    /** Directory of the data directory holding the names of symbol keys ({@link SymbolKeyNames}). */
    public static final String KEYS_DIRECTORY = "keys";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER_NAME);

    private final PrintWriter log;
    private final long pid = ProcessHandle.current().pid();
    private final long startTimeMs = System.currentTimeMillis();
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final List<ExactlyOnceFileSink> fileSinks = new ArrayList<>();
    private final List<io.sluice.kafka.KafkaSink> kafkaSinks = new ArrayList<>();
    private final Map<String, SymbolKeyNames> keyNames = new LinkedHashMap<>();
    private FileChannel lockChannel;
    private FileLock lock;
    private MarkFile markFile;
    private CountersFile countersFile;
    private CountersReader countersReader;
    private DaemonCounters daemonCounters;
    private AgentRunner statsRunner;
    private Journal outputJournal;
    private Engine engine;
    private JmxServer jmx;
    private PrometheusEndpoint prometheus;
    private ResultBoard board;
    private DashboardServer dashboard;
    /** Dead-lettered stage failures sent to the Kafka ingress's dead-letter topics, or null for none. */
    private KafkaStageFailureRoutes stageFailures;
    /** The group member of a {@code scale_out} daemon, which then has no engine of its own; else null. */
    private ScaleOutMember scaleOut;
    /** The Kafka ingress figures, copied into the counters file on the stats thread. */
    private final AddedAgents kafkaIngressStats = new AddedAgents("sluice-kafka-ingress-stats");
    private final List<DaemonComponent> ingress = new ArrayList<>();
    private final List<DaemonComponent> egress = new ArrayList<>();
    private final java.util.Map<String, io.sluice.kafka.KafkaSink> openedKafkaSinks = new java.util.HashMap<>();
    private final java.util.function.BooleanSupplier stopRequested;
    private AtomicCounter sinkStartRetries;
    private volatile int state = MarkFile.STARTING;
    private boolean closed;

    private Daemon(final DaemonConfig config, final PrintWriter log, final java.util.function.BooleanSupplier stopRequested)
    {
        this.config = config;
        this.log = log;
        this.stopRequested = stopRequested;
    }

    /**
     * Starts a daemon that logs its lifecycle through SLF4J (logger {@value #LOGGER_NAME}, one line per
     * event; the {@code sluice run} command's way); returns once it is RUNNING.
     *
     * @param config validated configuration.
     * @return the running daemon.
     * @throws DaemonException if the data directory is in use or something cannot start; everything
     *                         started so far is closed again.
     */
    public static Daemon start(final DaemonConfig config)
    {
        return start(config, null);
    }

    /**
     * Starts a daemon; returns once it is RUNNING.
     *
     * @param config validated configuration.
     * @param log    for lifecycle messages (one line each), or null to log them through SLF4J.
     * @return the running daemon.
     * @throws DaemonException if the data directory is in use or something cannot start; everything
     *                         started so far is closed again.
     */
    public static Daemon start(final DaemonConfig config, final PrintWriter log)
    {
        return start(config, log, () -> false);
    }

    /**
     * Starts a daemon that a stop request can interrupt while it waits for something at start (a Kafka
     * sink whose brokers are unreachable is retried with back-off until they answer).
     *
     * @param config        validated configuration.
     * @param log           for lifecycle messages (one line each), or null to log them through SLF4J.
     * @param stopRequested polled while waiting: true gives up the start (a SIGTERM before RUNNING).
     * @return the running daemon.
     * @throws DaemonException if the data directory is in use, something cannot start, or the stop was
     *                         requested; everything started so far is closed again.
     */
    public static Daemon start(final DaemonConfig config, final PrintWriter log, final java.util.function.BooleanSupplier stopRequested)
    {
        final Daemon daemon = new Daemon(config, log, stopRequested);
        try
        {
            daemon.doStart();
            return daemon;
        }
        catch (final DaemonException ex)
        {
            daemon.abort();
            throw ex;
        }
        catch (final RuntimeException | Error ex)
        {
            // Whatever failed (a full disk, a journal error, a SIGBUS reported as InternalError), start-up
            // ends here with everything closed and the lock released: never a half-started process.
            daemon.abort();
            throw new DaemonException("cannot start: " + oneLine(ex), ex);
        }
    }

    /**
     * A failure as one line: its message (or type), with the first cause's when it adds something.
     *
     * @param failure to describe.
     * @return one line.
     */
    public static String oneLine(final Throwable failure)
    {
        String text = failure.getMessage() != null ? failure.getMessage() : failure.getClass().getName();
        final Throwable cause = failure.getCause();
        if (cause != null && cause.getMessage() != null && !text.contains(cause.getMessage()))
        {
            text += ": " + cause.getMessage();
        }
        if (failure instanceof Error && !(failure instanceof AssertionError))
        {
            text = failure.getClass().getSimpleName() + ": " + text;
        }
        return io.sluice.engine.config.ConfigLimits.message(text.replace('\n', ' '));
    }

    /**
     * Twice the counters a configuration allocates (so that additions to the engine's counters do not
     * make a daemon of a given size fail at start): per partition of each topic its state, offsets and
     * three latencies; per pipeline instance its counters; per pipeline its directory entry and latency;
     * per component (ingress, egress) its frame counters; and the daemon's own.
     *
     * @param config of the daemon.
     * @return the number of counters to make room for.
     */
    static int expectedCounters(final DaemonConfig config)
    {
        final int partitions = config.partitions();
        final int topics = Math.max(1, config.topicSchemas().size());
        final int pipelines = config.pipelineNames().size();
        final int perPartition = 5 + 3 * SluiceCounters.LATENCY_FIGURES;
        final int perInstance = 12;
        final int perPipeline = 1 + SluiceCounters.LATENCY_FIGURES;
        final int perComponent = 48;
        final long counters = 128L + topics * (1L + (long)partitions * perPartition) + (long)pipelines * partitions * perInstance +
            (long)pipelines * perPipeline + (long)config.components().size() * perComponent + 4L * partitions;
        return (int)Math.min(Integer.MAX_VALUE / 4, 2 * counters);
    }

    private void doStart()
    {
        final Path dir = config.dataDirectory();
        secureDirectory(dir);
        acquireLock(dir);
        markFile = MarkFile.create(dir, pid, startTimeMs);
        countersFile = CountersFile.create(dir, CountersFile.valuesLengthFor(expectedCounters(config)), CountersFile.DEFAULT_ERROR_LOG_LENGTH,
            pid, startTimeMs);
        countersReader = countersFile.newCountersReader();
        final CountersManager counters = countersFile.newCountersManager();
        final DaemonConfig.DashboardConfig dashboardConfig = config.dashboard();
        if (dashboardConfig.enabled())
        {
            board = new ResultBoard(config.partitions(), dashboardConfig.keysPerPartition(), dashboardConfig.recentPerPartition());
        }
        // The stage names only: the sinks open once the stats agent beats (a Kafka sink may wait for its brokers), and a
        // scale-out daemon builds the pipelines per owned partition, with that partition's sinks. Java DSL pipelines
        // (java_pipelines) come after the YAML ones, in the engine's order too.
        final List<Pipeline> described = new ArrayList<>(config.pipelines() == null ? List.of() :
            config.pipelines().build(definition -> (p, s, k, t, e) ->
            {
            }));
        described.addAll(config.javaPipelines());
        final IngestLatencyRecorder latency = new IngestLatencyRecorder(config.partitions());
        final StageLatencyRecorder stageLatency = new StageLatencyRecorder(config.partitions(), Engine.stageNames(described));
        daemonCounters = new DaemonCounters(counters, SystemEpochClock.INSTANCE, markFile, countersFile.errorLogBuffer(), latency, stageLatency);
        daemonCounters.state(MarkFile.STARTING);
        sinkStartRetries = SluiceCounters.allocate(counters, SluiceCounters.SINK_START_RETRIES_TYPE_ID, "kafka-sink-start-retries",
            SluiceCounters.NONE, SluiceCounters.NONE, SluiceCounters.NONE, SluiceCounters.NONE, null);
        if (config.scaleOut() != null)
        {
            scaleOut = ScaleOutMember.create(config, counters, this::log);
        }
        statsRunner = new AgentRunner(new SleepingMillisIdleStrategy(50), this::onStatsError, null,
            new CompositeAgent(daemonCounters, scaleOut == null ? kafkaIngressStats : scaleOut));
        AgentRunner.startOnThread(statsRunner, lowPriorityThreads());
        log("starting on " + dir + " (pid " + pid + ")");
        config.commitSpacings().forEach((sink, spacing) -> log("sinks." + sink + ": exactly once, " + spacing.describe()));
        if (scaleOut != null)
        {
            scaleOut.start();
            startEndpoints();
            state(MarkFile.RUNNING);
            log("running: " + scaleOut.describe() + "; this daemon runs the partitions the group assigns it");
            return;
        }
        warmUpComponents();
        openKafkaSinks();
        final List<Pipeline> pipelines = new ArrayList<>(config.pipelines() == null ? List.of() : config.pipelines().build(this::sink));
        for (final Pipeline pipeline : config.javaPipelines())
        {
            // A Java DSL pipeline's named sink is opened with its output schema, as a YAML pipeline's is (java_pipelines
            // and scale_out do not go together: the configuration refuses it).
            final EventSink sink = outputSink(JavaPipelines.sinkOf(pipeline).name(), pipeline, JavaPipelines.emitsNonFinal(pipeline));
            final List<String> alerts = config.dashboard().alertPipelines();
            JavaPipelines.sinkOf(pipeline).bind(board == null ? sink :
                board.tap(pipeline.name(), alerts != null && alerts.contains(pipeline.name()), sink));
            pipelines.add(pipeline);
        }
        if (board != null)
        {
            board.bind(pipelines);
        }

        stageFailures = KafkaStageFailureRoutes.open(config.components(), pipelines, this::warn);
        if (stageFailures != null)
        {
            log("stage failures dead-lettered to Kafka: pipelines " + new java.util.TreeSet<>(stageFailures.routes().keySet()));
        }
        final EngineContext context = new EngineContext()
            .directory(dir)
            .deadLetterListener(stageFailures)
            .partitions(config.partitions())
            .ringSize(config.ringSize())
            .waitStrategy(config.waitStrategy())
            .pinThreads(config.pinThreads())
            .processingThreads(config.processingThreads())
            .partitionBatchLimit(config.partitionBatchLimit())
            .groupCommit(config.groupCommit())
            .threadingMode(config.threadingMode())
            .countersManager(counters)
            .errorLogBuffer(countersFile.errorLogBuffer())
            .profile(config.profile())
            .latencyListener(config.latencyRecording() ? latency : null)
            .stageLatencyListener(config.latencyRecording() ? stageLatency : null)
            .checkpoints(true)
            .checkpointIntervalMillis(config.checkpointIntervalMillis())
            .checkpointsRetained(config.checkpointsRetained())
            .checkpointSliceRows(config.checkpointSliceRows())
            .restoreCheckpointAtMost(restoreLimit())
            .keyNames(keyNames);
        engine = Engine.launch(context, pipelines);
        if (engine.profileReport() != null)
        {
            log(engine.profileReport());
        }
        for (final io.sluice.kafka.KafkaSink sink : kafkaSinks)
        {
            engine.addCheckpointListener(sink);
            sink.checkpointTrigger(engine::checkpoint); // exactly once: outputs waiting for a checkpoint ask for one
            sink.refusalHandler(refusal -> engine.errorLog().record(refusal)); // an ACL revoked at run time: counted, retried
        }
        daemonCounters.engine(engine);
        for (final String event : engine.recoveryEvents())
        {
            log("recovery: " + event);
        }

        startEndpoints();

        if (board != null)
        {
            dashboard = DashboardServer.start(dashboardConfig.settings(), new DashboardSources(
                "sluice run: " + config.source(), () -> engine, counters, () -> countersFile.errorLogBuffer(), board, config.maskedText()));
            log("dashboard at " + dashboard.url());
        }

        final DaemonComponentContext componentContext =
            new DaemonComponentContext(engine, outputJournal, counters, engine.errorLog(), dir);
        for (final DaemonConfig.ComponentEntry entry : config.components())
        {
            (entry.role() == DaemonComponent.Role.INGRESS ? ingress : egress).add(entry.component());
            try
            {
                entry.component().start(componentContext);
            }
            catch (final RuntimeException ex)
            {
                throw new DaemonException(entry.path() + " (" + entry.component().name() + ") failed to start: " + ex.getMessage(), ex);
            }
            if (entry.component() instanceof KafkaIngress kafka)
            {
                kafkaIngressStats.add(kafka.counters());
            }
            final String placement = entry.component().placement();
            log("started " + entry.component().name() + (placement == null ? "" : ": " + placement));
        }
        spaceCommitsWhileInputWaits();
        if (config.networkWarmUpMillis() > 0)
        {
            // A daemon that warms up for latency also starts with an empty young generation (StartUpCollection).
            log(StartUpCollection.collect());
        }
        state(MarkFile.RUNNING);
        final int threads = engine.processingThreads().size();
        log("running: pipelines " + engine.pipelineNames() + ", " + config.partitions() +
            (config.partitions() == 1 ? " partition" : " partitions") + " per topic on " + threads +
            (threads == 1 ? " processing thread: " : " processing threads: ") + engine.processingThreadsText());
    }

    /**
     * Opens every Kafka sink before recovery (which must restore no checkpoint newer than what they
     * committed), retrying with a doubling back-off (1 s to the sink's {@code max_retry_backoff}, 30 s) while the brokers are unreachable or
     * the topic is missing: each failure is logged with the sink, the brokers and the next retry, and
     * counted ({@code kafka-sink-start-retries}); the daemon stays STARTING, its heartbeat on. A failure
     * a retry cannot clear (a partition-count mismatch) stops the start.
     */
    private void openKafkaSinks()
    {
        for (final DaemonConfig.SinkConfig sink : config.sinks().values())
        {
            if (sink.type() != DaemonConfig.SinkType.KAFKA)
            {
                continue;
            }
            long backoff = INITIAL_SINK_BACKOFF_MS;
            int failures = 0;
            while (true)
            {
                try
                {
                    final io.sluice.kafka.KafkaSink opened = io.sluice.kafka.KafkaSink.open(sink.kafka().partitions(config.partitions()));
                    kafkaSinks.add(opened);
                    openedKafkaSinks.put(sink.name(), opened);
                    if (failures > 0)
                    {
                        log("sinks." + sink.name() + ": Kafka sink open after " + failures + " failed attempts");
                    }
                    break;
                }
                catch (final io.sluice.kafka.KafkaConnectorException ex)
                {
                    if (!ex.retriable())
                    {
                        throw new DaemonException("sinks." + sink.name() + ": " + ex.getMessage(), ex);
                    }
                    failures++;
                    sinkStartRetries.increment();
                    warn("sinks." + sink.name() + ": " + ex.getMessage() + "; retrying in " + backoff + " ms (attempt " + failures + ")");
                    if (!waitUnlessStopped(backoff))
                    {
                        throw new DaemonException("stopped while waiting for Kafka sink '" + sink.name() + "': " + ex.getMessage(), ex);
                    }
                    backoff = Math.min(sink.kafka().maxRetryBackoffMillis(), backoff * 2);
                }
            }
        }
    }

    /** Waits, polling the stop request; false if a stop was requested. */
    private boolean waitUnlessStopped(final long millis)
    {
        final long deadline = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < deadline)
        {
            if (stopRequested.getAsBoolean())
            {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L); // the stop request's polling interval
        }
        return !stopRequested.getAsBoolean();
    }

    /**
     * An exactly-once Kafka sink's commit spacing ({@code min_commit_spacing}) holds a partition's commits only while
     * one of the daemon's Kafka ingress items has input waiting for that partition; a daemon without Kafka ingress
     * (Aeron, files, a scale-out group member) leaves the spacing holding always.
     */
    private void spaceCommitsWhileInputWaits()
    {
        final List<KafkaIngress> kafkaIngress = new ArrayList<>();
        for (final DaemonComponent component : ingress)
        {
            if (component instanceof KafkaIngress kafka)
            {
                kafkaIngress.add(kafka);
            }
        }
        if (kafkaIngress.isEmpty())
        {
            return;
        }
        final KafkaIngress[] sources = kafkaIngress.toArray(new KafkaIngress[0]);
        for (final io.sluice.kafka.KafkaSink sink : kafkaSinks)
        {
            sink.inputWaiting(partition ->
            {
                for (final KafkaIngress source : sources)
                {
                    if (source.inputWaiting(partition))
                    {
                        return true;
                    }
                }
                return false;
            });
        }
    }

    /** Starts JMX and, when configured, the Prometheus endpoint, and writes their ports into the mark file. */
    private void startEndpoints()
    {
        jmx = JmxServer.start(config.jmx(), new Control());
        if (config.prometheus().enabled())
        {
            prometheus = PrometheusEndpoint.start(config.prometheus().host(), config.prometheus().port(), countersReader);
        }
        markFile.endpoints(jmx.host(), jmx.port(), prometheus == null ? 0 : prometheus.port());
        if (jmx.port() != 0)
        {
            log("JMX at " + jmx.url());
        }
        if (prometheus != null)
        {
            log("Prometheus metrics at http://" + config.prometheus().host() + ":" + prometheus.port() + "/metrics");
        }
    }

    /**
     * The newest checkpoint recovery may restore: a Kafka exactly-once sink whose transaction for a
     * completed checkpoint was lost needs the replay to produce those outputs again.
     */
    private long restoreLimit()
    {
        long limit = Long.MAX_VALUE;
        for (final io.sluice.kafka.KafkaSink sink : kafkaSinks)
        {
            limit = Math.min(limit, sink.restoreCheckpointAtMost());
        }
        if (limit != Long.MAX_VALUE)
        {
            log("kafka sinks: recovery restores no checkpoint newer than " + limit);
        }
        return limit;
    }

    private EventSink sink(final PipelineDefinition definition)
    {
        final EventSink sink = outputSink(definition);
        if (board == null)
        {
            return sink;
        }
        final List<String> alerts = config.dashboard().alertPipelines();
        final boolean isAlert = alerts == null ? definition.having() != null : alerts.contains(definition.name());
        return board.tap(definition.name(), isAlert, sink);
    }

    private EventSink outputSink(final PipelineDefinition definition)
    {
        final Pipeline probe = definition.build((p, s, k, t, e) ->
        {
        });
        return outputSink(definition.sink(), probe, definition.window() != null && definition.window().emitsNonFinal());
    }

    private EventSink outputSink(final String sinkName, final Pipeline probe, final boolean emitsNonFinal)
    {
        final DaemonConfig.SinkConfig sink = config.sinks().get(sinkName);
        if (sink.type() == DaemonConfig.SinkType.KAFKA)
        {
            return openedKafkaSinks.get(sink.name());
        }
        if (sink.type() == DaemonConfig.SinkType.JOURNAL)
        {
            if (outputJournal == null)
            {
                outputJournal = Journal.open(JournalTopicSink.journalContext(config.dataDirectory().resolve(OUTPUTS_DIRECTORY), config.profile()));
                resources.push(outputJournal);
            }
            return new JournalTopicSink(outputJournal.createTopic(sink.topic(), config.partitions()));
        }
        final boolean emit = sink.emit() != null ? sink.emit() : emitsNonFinal;
        final ExactlyOnceFileSink fileSink = ExactlyOnceFileSink.open(sink.file(),
            sink.type() == DaemonConfig.SinkType.CSV ? FileFormat.CSV : FileFormat.JSONL, probe.outputSchema(), emit, config.partitions(),
            symbolKeyNames(probe));
        fileSinks.add(fileSink);
        return fileSink;
    }

    /**
     * The key name registries of a pipeline's sources whose partition key is a symbol, one per topic
     * shared by every file sink that reads it, kept under {@code <data>/keys} (see {@link SymbolKeyNames}).
     */
    private List<SymbolKeyNames> symbolKeyNames(final Pipeline pipeline)
    {
        final List<SymbolKeyNames> names = new ArrayList<>();
        for (final Source source : pipeline.sources())
        {
            if (source.schema().field(source.partitionKeyField()).type() == FieldType.SYMBOL)
            {
                SymbolKeyNames registry = keyNames.get(source.topic());
                if (registry == null)
                {
                    registry = new SymbolKeyNames(source, config.partitions(), config.dataDirectory().resolve(KEYS_DIRECTORY));
                    keyNames.put(source.topic(), registry);
                    resources.push(registry);
                }
                names.add(registry);
            }
        }
        return names;
    }

    private static void secureDirectory(final Path dir)
    {
        try
        {
            if (!Files.isDirectory(dir))
            {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
        catch (final IOException ex)
        {
            throw new DaemonException("cannot create data directory " + dir + ": " + ex.getMessage(), ex);
        }
    }

    private void acquireLock(final Path dir)
    {
        final Path lockFile = dir.resolve(LOCK_FILE);
        try
        {
            if (!Files.exists(lockFile))
            {
                Files.createFile(lockFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            lockChannel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
            try
            {
                lock = lockChannel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                lock = null;
            }
        }
        catch (final IOException ex)
        {
            throw new DaemonException("cannot lock " + lockFile + ": " + ex.getMessage(), ex);
        }
        final MarkFile.Info info = MarkFile.read(dir);
        final long now = System.currentTimeMillis();
        if (lock == null || (info != null && info.pid() != pid && info.isLive(now)))
        {
            throw new DaemonException("another sluice daemon is running on " + dir +
                (info == null ? "" : " (pid " + info.pid() + ", " + info.stateName() + ", heartbeat " + (now - info.heartbeatMs()) +
                " ms ago)") + ": stop it first (sluice ctl, or kill -TERM " + (info == null ? "<pid>" : info.pid()) + ")");
        }
    }

    /**
     * An error of the stats agent: recorded; an {@link Error} (e.g. the SIGBUS of a mapped file the
     * disk cannot back) is fatal, handed to the thread's uncaught exception handler, which the
     * {@code run} command makes exit the process.
     */
    private void onStatsError(final Throwable error)
    {
        if (error instanceof Error)
        {
            final Thread thread = Thread.currentThread();
            final Thread.UncaughtExceptionHandler handler = thread.getUncaughtExceptionHandler();
            if (handler != null)
            {
                handler.uncaughtException(thread, error);
            }
            return;
        }
        warn("stats agent error: " + oneLine(error));
    }

    private static ThreadFactory lowPriorityThreads()
    {
        return runnable ->
        {
            final Thread thread = new Thread(runnable);
            thread.setDaemon(true);
            thread.setPriority(Thread.MIN_PRIORITY);
            return thread;
        };
    }

    private void state(final int newState)
    {
        state = newState;
        markFile.state(newState);
        daemonCounters.state(newState);
    }

    /**
     * The components' JIT warm-up ({@code network_warm_up}), before the engine launches: nothing of it reaches this
     * daemon's data. A warm-up that fails is logged, and the daemon starts without it.
     */
    private void warmUpComponents()
    {
        if (config.networkWarmUpMillis() <= 0)
        {
            return;
        }
        for (final DaemonConfig.ComponentEntry entry : config.components())
        {
            try
            {
                final String done = entry.component().warmUp(config, config.networkWarmUpMillis(), stopRequested);
                if (done != null)
                {
                    log(entry.path() + ": " + done);
                }
            }
            catch (final RuntimeException ex)
            {
                warn(entry.path() + " (" + entry.component().name() + "): the warm-up failed, starting without it: " + oneLine(ex));
            }
        }
    }

    private void log(final String message)
    {
        if (log == null)
        {
            LOG.info(message);
            return;
        }
        log.println(Instant.now() + " sluice: " + message);
        log.flush();
    }

    private void warn(final String message)
    {
        if (log == null)
        {
            LOG.warn(message);
            return;
        }
        log(message);
    }

    /**
     * The running engine.
     *
     * @return the engine; null for a {@code scale_out} daemon (each owned partition has its own).
     */
    public Engine engine()
    {
        return engine;
    }

    /**
     * The JMX connector's port, 0 when off.
     *
     * @return the port.
     */
    public int jmxPort()
    {
        return jmx == null ? 0 : jmx.port();
    }

    /**
     * The dashboard's address.
     *
     * @return e.g. {@code http://127.0.0.1:8470/}, or null when the dashboard is off.
     */
    public String dashboardUrl()
    {
        return dashboard == null ? null : dashboard.url();
    }

    /**
     * Graceful shutdown; see the class comment. Idempotent.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        state(MarkFile.STOPPING);
        log("stopping: closing ingress, draining, final checkpoint");
        final List<Throwable> failures = new ArrayList<>();
        closeAll(ingress, failures);
        if (scaleOut != null)
        {
            run(scaleOut::close, failures);
            log("scale-out: left the group; each partition handed over after its final checkpoint");
        }
        if (engine != null)
        {
            run(engine::close, failures);
            logFinalCheckpoint();
        }
        if (stageFailures != null)
        {
            run(stageFailures::close, failures);
        }
        closeAll(egress, failures);
        for (final ExactlyOnceFileSink sink : fileSinks)
        {
            run(sink::close, failures);
        }
        for (final io.sluice.kafka.KafkaSink sink : kafkaSinks)
        {
            run(sink::close, failures);
        }
        release(failures);
        for (final Throwable failure : failures)
        {
            warn("shutdown problem: " + failure);
        }
        log("stopped");
    }

    /**
     * Reports the final checkpoint from what {@link Engine#close()} itself took: an older complete
     * checkpoint is never presented as the final one.
     */
    private void logFinalCheckpoint()
    {
        if (engine.checkpoints() == null)
        {
            return;
        }
        final var lastComplete = engine.checkpoints().lastCompleted();
        final String last = lastComplete == null ? "none" : String.valueOf(lastComplete.id());
        if (engine.finalCheckpoint() != null)
        {
            log("final checkpoint " + engine.finalCheckpoint().id() + " complete");
        }
        else if (engine.finalCheckpointFailure() != null)
        {
            warn("final checkpoint FAILED: " + engine.finalCheckpointFailure().getMessage() + " (" + engine.checkpoints().failed() +
                " checkpoints failed; last complete checkpoint: " + last + ")");
        }
        else
        {
            warn("no final checkpoint: the engine did not drain or a partition had stopped (last complete checkpoint: " + last + ")");
        }
    }

    private void abort()
    {
        final List<Throwable> failures = new ArrayList<>();
        closed = true;
        closeAll(ingress, failures);
        closeAll(egress, failures);
        if (scaleOut != null)
        {
            run(scaleOut::close, failures);
        }
        if (engine != null)
        {
            run(engine::close, failures);
        }
        for (final ExactlyOnceFileSink sink : fileSinks)
        {
            run(sink::close, failures);
        }
        for (final io.sluice.kafka.KafkaSink sink : kafkaSinks)
        {
            run(sink::close, failures);
        }
        release(failures);
    }

    private void release(final List<Throwable> failures)
    {
        if (dashboard != null)
        {
            run(dashboard::close, failures);
        }
        if (jmx != null)
        {
            run(jmx::close, failures);
        }
        if (prometheus != null)
        {
            run(prometheus::close, failures);
        }
        while (!resources.isEmpty())
        {
            final AutoCloseable resource = resources.pop();
            run(() ->
            {
                try
                {
                    resource.close();
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            }, failures);
        }
        if (statsRunner != null)
        {
            run(statsRunner::close, failures);
        }
        if (markFile != null)
        {
            state = MarkFile.STOPPED;
            markFile.state(MarkFile.STOPPED);
            markFile.close();
        }
        // The counters file stays mapped until the process exits: a JMX or stats reader still in
        // flight must never touch unmapped memory.
        try
        {
            if (lock != null)
            {
                lock.release();
            }
            if (lockChannel != null)
            {
                lockChannel.close();
            }
        }
        catch (final IOException ex)
        {
            failures.add(new UncheckedIOException(ex));
        }
    }

    private void closeAll(final List<DaemonComponent> components, final List<Throwable> failures)
    {
        for (int i = components.size() - 1; i >= 0; i--)
        {
            final DaemonComponent component = components.get(i);
            final int before = failures.size();
            run(component::close, failures);
            if (failures.size() == before)
            {
                log("closed " + component.name());
            }
        }
        components.clear();
    }

    private static void run(final Runnable action, final List<Throwable> failures)
    {
        try
        {
            action.run();
        }
        catch (final RuntimeException | Error ex)
        {
            failures.add(ex);
        }
    }

    /**
     * The daemon as its JMX beans see it.
     */
    private final class Control implements DaemonControl
    {
        @Override
        public Engine engine()
        {
            return engine;
        }

        @Override
        public io.sluice.kafka.KafkaGroupMember scaleOut()
        {
            return scaleOut == null ? null : scaleOut.member();
        }

        @Override
        public List<io.sluice.ops.jmx.KafkaIngressControl> kafkaIngress()
        {
            final List<io.sluice.ops.jmx.KafkaIngressControl> items = new ArrayList<>();
            for (final DaemonConfig.ComponentEntry entry : config.components())
            {
                if (scaleOut == null && entry.component() instanceof KafkaIngress kafka)
                {
                    items.add(kafka);
                }
            }
            return items;
        }

        @Override
        public CountersReader counters()
        {
            return countersReader;
        }

        @Override
        public org.agrona.concurrent.AtomicBuffer errorLog()
        {
            return countersFile.errorLogBuffer();
        }

        @Override
        public void resetLatency()
        {
            daemonCounters.resetLatency();
        }

        @Override
        public String state()
        {
            return new MarkFile.Info(pid, startTimeMs, 0, state, "", 0, 0, 0, 0, 0).stateName();
        }

        @Override
        public long pid()
        {
            return pid;
        }

        @Override
        public long startTimeMs()
        {
            return startTimeMs;
        }
    }
}
