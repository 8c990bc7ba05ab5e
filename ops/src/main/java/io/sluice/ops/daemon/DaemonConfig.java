package io.sluice.ops.daemon;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

import io.sluice.engine.config.ConfigException;
import io.sluice.engine.config.ConfigLimits;
import io.sluice.engine.config.PipelineConfig;
import io.sluice.engine.config.PipelineDefinition;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.EngineProfile;
import io.sluice.engine.runtime.ThreadingMode;
import io.sluice.engine.runtime.WaitStrategyKind;
import io.sluice.dashboard.ConfigMasker;
import io.sluice.dashboard.DashboardSettings;
import io.sluice.dashboard.ResultBoard;
import io.sluice.ops.jmx.JmxSettings;

/**
 * The daemon's configuration, loaded from one YAML file and validated as a whole: every error is
 * collected with its key path and reason and thrown together as a {@link DaemonConfigException}
 * before the daemon touches anything. The keys are documented in {@code docs/daemon.md}.
 *
 * <p>Relative paths are resolved against the configuration file's directory. Pipelines are either
 * inline ({@code schemas} and {@code pipelines} at the top level, exactly as in
 * {@code docs/pipelines.md}) or a path to such a file ({@code pipelines: pipelines.yaml}).
 *
 * <p>Threading: immutable once loaded.
 */
public final class DaemonConfig
{
    /** Sink types. */
    public enum SinkType
    {
        /** A CSV file, exactly-once across restarts. */
        CSV,
        /** A JSONL file, exactly-once across restarts. */
        JSONL,
        /** A topic of the daemon's output journal, readable by broker consumers. */
        JOURNAL,
        /** A Kafka topic, exactly once (transactional) or at least once (see docs/kafka.md). */
        KAFKA
    }

    /**
     * A named sink.
     *
     * @param name  as pipelines refer to it.
     * @param type  of the sink.
     * @param file  for CSV and JSONL sinks.
     * @param topic for journal sinks.
     * @param emit  whether window results get an {@code emit} column (file sinks); null: when the window re-emits.
     * @param kafka settings of a Kafka sink (partitions still to set), null for other types.
     */
    public record SinkConfig(String name, SinkType type, Path file, String topic, Boolean emit, io.sluice.kafka.KafkaSinkContext kafka)
    {
        /**
         * A sink that is not a Kafka sink.
         *
         * @param name  as pipelines refer to it.
         * @param type  of the sink.
         * @param file  for CSV and JSONL sinks.
         * @param topic for journal sinks.
         * @param emit  whether window results get an {@code emit} column.
         */
        public SinkConfig(final String name, final SinkType type, final Path file, final String topic, final Boolean emit)
        {
            this(name, type, file, topic, emit, null);
        }
    }

    /**
     * Prometheus endpoint settings.
     *
     * @param enabled whether it runs.
     * @param host    it binds to.
     * @param port    it listens on (0: a free port, written to the mark file).
     */
    public record PrometheusConfig(boolean enabled, String host, int port)
    {
    }

    /**
     * Largest {@code ring_size}: a partition's ring is one block of {@code ring_size} slots of the
     * engine's 256-byte maximum event length, which must stay within 1 GiB.
     */
    public static final int MAX_RING_SIZE = 1 << 22;
    /** {@code network_warm_up} under the low-latency profile when the file does not set it. */
    public static final long DEFAULT_NETWORK_WARM_UP_MS = 10_000;
    /**
     * {@code min_commit_spacing} of an exactly-once Kafka sink that does not set it, in a daemon with a {@code kafka}
     * ingress (perf/README.md section 105 measured it against none).
     */
    public static final long KAFKA_FED_COMMIT_SPACING_MS = 200;

    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
    private static final Set<String> PIPELINE_KEYS = Set.of("schemas", "pipelines");

    private final String source;
    private final Path dataDirectory;
    private final int partitions;
    private final int ringSize;
    private final WaitStrategyKind waitStrategy;
    private final boolean pinThreads;
    private final int processingThreads;
    private final int partitionBatchLimit;
    private final boolean groupCommit;
    /** Null for the engine's default (SHARED on <= 2 cores). */
    private final ThreadingMode threadingMode;
    private final EngineProfile profile;
    private final boolean latencyRecording;
    private final PipelineConfig pipelines;
    private final Map<String, SinkConfig> sinks;
    /** Kafka sinks whose section sets {@code min_commit_spacing} (the others may take the default of a Kafka-fed daemon). */
    private final java.util.Set<String> commitSpacingSet = new java.util.HashSet<>();
    /** The spacing each exactly-once Kafka sink runs with, and why, by sink name. */
    private final Map<String, CommitSpacing> commitSpacings = new java.util.TreeMap<>();
    private final JavaPipelines javaPipelines;
    private final long checkpointIntervalMillis;
    private final int checkpointsRetained;
    private final int checkpointSliceRows;
    private final long drainTimeoutMillis;
    private final long networkWarmUpMillis;
    private final JmxSettings jmx;
    private final PrometheusConfig prometheus;
    private final String logLevel;
    private final DashboardConfig dashboard;
    private final String maskedText;
    private final List<ComponentEntry> components;
    private final ScaleOutConfig scaleOut;

    /**
     * The {@code scale_out} section: this daemon is one member of a job whose daemons share the Kafka
     * ingress topic's partitions through its consumer group (see docs/scale-out.md).
     *
     * @param job                  the job's name, the same on every daemon of the job.
     * @param checkpointStore      the directory every daemon of the job reaches (a shared mount for several machines).
     * @param sessionTimeoutMillis how long the group waits for a silent daemon before moving its partitions.
     */
    public record ScaleOutConfig(String job, Path checkpointStore, long sessionTimeoutMillis)
    {
    }

    /**
     * An ingress or egress item of the configuration.
     *
     * @param role      ingress or egress.
     * @param path      of the item in the file ({@code ingress[0]}).
     * @param component built from the item.
     */
    public record ComponentEntry(DaemonComponent.Role role, String path, DaemonComponent component)
    {
    }

    private DaemonConfig(final String source, final ConfigSection top, final Path baseDirectory, final String yaml,
        final Node root, final ConfigErrors errors)
    {
        this.source = source;
        this.dataDirectory = top.path("data_dir", true);
        this.partitions = top.integer("partitions", 1, 1, 1024);
        final int ring = top.integer("ring_size", 4096, 2, MAX_RING_SIZE);
        if (Integer.bitCount(ring) != 1)
        {
            top.error("ring_size", "must be a power of two, was " + ring);
        }
        this.ringSize = Integer.bitCount(ring) == 1 ? ring : 4096;
        this.waitStrategy = WaitStrategyKind.valueOf(
            top.choice("wait_strategy", "sleep", "busy_spin", "yield", "sleep", "block").toUpperCase(Locale.ROOT));
        this.pinThreads = top.bool("pin_threads", false);
        this.processingThreads = top.integer("processing_threads", 0, 0, 1024);
        this.partitionBatchLimit = top.integer("partition_batch_limit",
            io.sluice.engine.runtime.EngineContext.Configuration.PARTITION_BATCH_LIMIT_DEFAULT, 1, 1 << 20);
        this.groupCommit = top.bool("group_commit", false);
        final String threading = top.choice("threading_mode", "auto", "auto", "dedicated", "shared");
        this.threadingMode = threading == null || "auto".equals(threading) ? null : ThreadingMode.valueOf(threading.toUpperCase(Locale.ROOT));
        final String profileName = top.choice("profile", "standard", "standard", "low-latency");
        this.profile = "low-latency".equals(profileName) ? EngineProfile.LOW_LATENCY : EngineProfile.STANDARD;
        if (profile == EngineProfile.LOW_LATENCY)
        {
            // The profile decides these from the cores it finds: a value here would be silently overridden.
            for (final String key : List.of("wait_strategy", "pin_threads", "threading_mode"))
            {
                if (top.has(key))
                {
                    top.error(key, "conflicts with 'profile: low-latency', which sets it from the machine's cores " +
                        "(busy-spin, pinned, background duties shared); remove one of the two (docs/low-latency.md)");
                }
            }
        }
        this.latencyRecording = top.bool("latency_recording", profile != EngineProfile.LOW_LATENCY);
        this.drainTimeoutMillis = top.durationMillis("drain_timeout", 30_000);
        this.networkWarmUpMillis = top.durationMillis("network_warm_up", profile == EngineProfile.LOW_LATENCY ? DEFAULT_NETWORK_WARM_UP_MS : 0);
        this.logLevel = top.choice("log_level", "info", "error", "warn", "info", "debug", "trace");
        this.pipelines = loadPipelines(top, baseDirectory, yaml, root, errors);
        this.sinks = loadSinks(top);
        this.javaPipelines = JavaPipelines.load(top, sinks);
        checkSinkUse(errors);

        final ConfigSection checkpoint = top.section("checkpoint");
        this.checkpointIntervalMillis = checkpoint.durationMillis("interval", 60_000);
        this.checkpointsRetained = checkpoint.integer("retained", 3, 1, 1000);
        this.checkpointSliceRows = checkpointSliceRows(checkpoint);
        checkpoint.checkUnknownKeys();

        this.jmx = loadJmx(top.section("jmx"));
        final ConfigSection prom = top.section("prometheus");
        this.prometheus = new PrometheusConfig(prom.bool("enabled", false), host(prom, "host"), prom.integer("port", 9464, 0, 65535));
        prom.checkUnknownKeys();
        if (prometheus.enabled() && !isLoopback(prometheus.host()))
        {
            // The endpoint has no authentication and no TLS: remote scrapes go through a proxy that adds them.
            prom.error("host", "'" + ConfigLimits.value(prometheus.host()) + "' is not a loopback address: the Prometheus " +
                "endpoint has no authentication, so it only listens on this host (put a reverse proxy with TLS and " +
                "authentication in front of it to scrape from elsewhere)");
        }
        this.dashboard = loadDashboard(top.section("dashboard"), jmx);
        this.maskedText = ConfigMasker.mask(yaml);

        this.components = new ArrayList<>();
        loadComponents(top, DaemonComponent.Role.INGRESS, "ingress");
        loadComponents(top, DaemonComponent.Role.EGRESS, "egress");
        applyKafkaClientProperties(top.section("kafka"));
        this.scaleOut = top.has("scale_out") ? loadScaleOut(top.section("scale_out"), errors) : null;
        defaultCommitSpacing();
        top.checkUnknownKeys();
    }

    /**
     * Gives each exactly-once Kafka sink that does not set {@code min_commit_spacing} the spacing of
     * {@value #KAFKA_FED_COMMIT_SPACING_MS} ms when the daemon reads a {@code kafka} ingress (and is not a scale-out
     * member): the daemon then tells the sinks whether input waits ({@link Daemon}), so the spacing holds only through a
     * backlog, and a partition that keeps up commits each burst at its end as with none. Other daemons keep 0: nothing
     * would lift the spacing, and every commit would wait for it. A spacing that would reach half the transaction
     * timeout with {@code max_commit_delay} is not applied. Notes each exactly-once sink's spacing and its reason
     * ({@link #commitSpacings()}).
     */
    private void defaultCommitSpacing()
    {
        final boolean kafkaFed = components.stream().anyMatch(entry -> entry.component() instanceof KafkaIngress);
        for (final SinkConfig sink : sinks.values())
        {
            final io.sluice.kafka.KafkaSinkContext kafka = sink.kafka();
            if (kafka == null || kafka.mode() != io.sluice.kafka.SinkMode.EXACTLY_ONCE)
            {
                continue;
            }
            final CommitSpacing.Reason reason;
            if (commitSpacingSet.contains(sink.name()))
            {
                reason = CommitSpacing.Reason.CONFIG;
            }
            else if (scaleOut != null)
            {
                reason = CommitSpacing.Reason.SCALE_OUT_MEMBER;
            }
            else if (!kafkaFed)
            {
                reason = CommitSpacing.Reason.NO_KAFKA_INGRESS;
            }
            else if (KAFKA_FED_COMMIT_SPACING_MS + kafka.maxCommitDelayMillis() >= kafka.transactionTimeoutMillis() / 2)
            {
                reason = CommitSpacing.Reason.TRANSACTION_TIMEOUT;
            }
            else
            {
                reason = CommitSpacing.Reason.KAFKA_INGRESS_DEFAULT;
                kafka.minCommitSpacingMillis(KAFKA_FED_COMMIT_SPACING_MS);
            }
            commitSpacings.put(sink.name(), new CommitSpacing(kafka.minCommitSpacingMillis(), kafkaFed && scaleOut == null, reason));
        }
    }

    /**
     * Loads and validates a configuration file.
     *
     * @param file the YAML file.
     * @return the configuration.
     * @throws DaemonConfigException with every error found.
     */
    public static DaemonConfig load(final Path file)
    {
        final String yaml;
        try
        {
            final long size = Files.size(file);
            if (size > ConfigLimits.MAX_FILE_BYTES)
            {
                throw new DaemonConfigException(String.valueOf(file), List.of("(document): the file is " + size +
                    " bytes, more than the limit of " + ConfigLimits.MAX_FILE_BYTES + " bytes for a configuration file"));
            }
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new DaemonConfigException(String.valueOf(file), List.of("cannot read the file: " + ex));
        }
        final Path base = file.toAbsolutePath().getParent();
        return parse(yaml, String.valueOf(file.getFileName()), base);
    }

    /**
     * Parses and validates configuration text.
     *
     * @param yaml          the document.
     * @param source        named in errors.
     * @param baseDirectory relative paths are resolved against.
     * @return the configuration.
     * @throws DaemonConfigException with every error found.
     */
    @SuppressWarnings("unchecked")
    public static DaemonConfig parse(final String yaml, final String source, final Path baseDirectory)
    {
        final ConfigErrors errors = new ConfigErrors();
        if (yaml.length() > ConfigLimits.MAX_FILE_BYTES)
        {
            throw new DaemonConfigException(source, List.of("(document): " + yaml.length() + " characters, more than the limit of " +
                ConfigLimits.MAX_FILE_BYTES + " for a configuration file"));
        }
        final Object document;
        final Node root;
        try
        {
            final LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(0);
            options.setCodePointLimit(ConfigLimits.MAX_FILE_BYTES);
            root = new Yaml(new SafeConstructor(options)).compose(new StringReader(yaml));
            document = new Yaml(new SafeConstructor(options)).load(yaml);
        }
        catch (final MarkedYAMLException ex)
        {
            throw new DaemonConfigException(source, List.of("(line " + (ex.getProblemMark().getLine() + 1) + ", column " +
                (ex.getProblemMark().getColumn() + 1) + "): " + ex.getProblem()));
        }
        catch (final YAMLException ex)
        {
            throw new DaemonConfigException(source, List.of("(document): " + ex.getMessage()));
        }
        if (!(document instanceof Map))
        {
            throw new DaemonConfigException(source, List.of("(document): must be a mapping of keys to values"));
        }
        errors.root(root);
        final ConfigSection top = new ConfigSection("", (Map<String, Object>)document, errors, baseDirectory);
        final DaemonConfig config = new DaemonConfig(source, top, baseDirectory, yaml, root, errors);
        errors.throwIfAny(source);
        return config;
    }

    private PipelineConfig loadPipelines(
        final ConfigSection top, final Path baseDirectory, final String yaml, final Node root, final ConfigErrors errors)
    {
        final Object pipelinesValue = top.raw("pipelines");
        top.raw("schemas");
        try
        {
            if (pipelinesValue instanceof String)
            {
                if (top.has("schemas") && top.raw("schemas") != null)
                {
                    top.error("schemas", "belongs in the pipelines file " + pipelinesValue + " when 'pipelines' names a file");
                }
                final Path file = baseDirectory.resolve((String)pipelinesValue);
                if (!Files.isRegularFile(file))
                {
                    top.error("pipelines", "no pipelines file " + file);
                    return null;
                }
                return PipelineConfig.load(file);
            }
            if (pipelinesValue == null)
            {
                if (!top.has("java_pipelines"))
                {
                    top.error("pipelines", "is required: a list of pipelines (see docs/pipelines.md), the path of a pipelines file, " +
                        "or java_pipelines (docs/daemon.md)");
                }
                return null;
            }
            return PipelineConfig.parse(onlyPipelineKeys(yaml, root), source);
        }
        catch (final ConfigException ex)
        {
            for (final ConfigException error : ex.errors())
            {
                errors.add(error.path().isEmpty() ? "pipelines" : error.path(), error.reason());
            }
        }
        catch (final UncheckedIOException ex)
        {
            top.error("pipelines", ex.getMessage());
        }
        return null;
    }

    /**
     * The document with every top-level entry other than {@code schemas} and {@code pipelines}
     * blanked out line by line, so the pipeline loader's errors keep this file's line numbers.
     */
    private static String onlyPipelineKeys(final String yaml, final Node root)
    {
        final String[] lines = yaml.split("\n", -1);
        if (root instanceof MappingNode)
        {
            for (final NodeTuple tuple : ((MappingNode)root).getValue())
            {
                final Node key = tuple.getKeyNode();
                if (key instanceof ScalarNode && PIPELINE_KEYS.contains(((ScalarNode)key).getValue()))
                {
                    continue;
                }
                final int first = key.getStartMark().getLine();
                final Node value = tuple.getValueNode();
                int last = value.getEndMark().getLine();
                if (value.getEndMark().getColumn() == 0 && last > first)
                {
                    last--;
                }
                for (int line = first; line <= last && line < lines.length; line++)
                {
                    lines[line] = "";
                }
            }
        }
        return String.join("\n", lines);
    }

    private Map<String, SinkConfig> loadSinks(final ConfigSection top)
    {
        final Map<String, SinkConfig> result = new LinkedHashMap<>();
        for (final Map.Entry<String, ConfigSection> entry : top.namedSections("sinks").entrySet())
        {
            final ConfigSection sink = entry.getValue();
            final String type = sink.choice("type", null, "csv", "jsonl", "journal", "kafka");
            if (type == null)
            {
                continue;
            }
            final SinkType sinkType = SinkType.valueOf(type.toUpperCase(Locale.ROOT));
            Path file = null;
            String topic = null;
            Boolean emit = null;
            io.sluice.kafka.KafkaSinkContext kafka = null;
            if (sinkType == SinkType.KAFKA)
            {
                kafka = kafkaSink(entry.getKey(), sink);
                if (sink.has("min_commit_spacing"))
                {
                    commitSpacingSet.add(entry.getKey());
                }
                topic = kafka == null ? null : "kafka:" + kafka.topic();
            }
            else if (sinkType == SinkType.JOURNAL)
            {
                topic = sink.string("topic", entry.getKey());
                if (!TOPIC.matcher(topic).matches())
                {
                    sink.error("topic", "'" + topic + "' is not a valid topic name (letters, digits, '.', '_', '-')");
                }
            }
            else
            {
                file = sink.path("path", true);
                // A missing directory is created (0700) when the sink opens; an existing non-directory in the way is an error now.
                for (Path parent = file == null ? null : file.getParent(); parent != null; parent = parent.getParent())
                {
                    if (Files.exists(parent))
                    {
                        if (!Files.isDirectory(parent))
                        {
                            sink.error("path", parent + " is not a directory");
                        }
                        break;
                    }
                }
                if (sink.has("emit"))
                {
                    emit = sink.bool("emit", false);
                }
            }
            sink.checkUnknownKeys();
            result.put(entry.getKey(), new SinkConfig(entry.getKey(), sinkType, file, topic, emit, kafka));
        }
        return result;
    }

    /**
     * The settings of a {@code kafka} sink:
     * <pre>{@code
     * sinks:
     *   results:
     *     type: kafka
     *     bootstrap: 127.0.0.1:9092
     *     topic: results                       # default: the sink's name; as many partitions as the daemon
     *     mode: exactly_once                   # or at_least_once
     *     format: json                         # json, csv or binary
     *     key_field: account                   # default: the output's key
     *     transactional_id: sluice.desk1.results   # default: sluice.<sink name>; same on every daemon of the job
     *     min_checkpoint_spacing: 20ms         # exactly once: outputs waiting for a checkpoint ask for one at most this often
     *     commit_between_checkpoints: true     # exactly once: commit at the end of each burst of outputs (false: at checkpoints only)
     *     commit_quiet: 2ms                    # exactly once, between checkpoints: no output for this long ends a burst
     *     max_commit_delay: 50ms               # exactly once, between checkpoints: an output waits at most this long for its commit
     *     min_commit_spacing: 200ms            # exactly once: a partition's commits start at least this far apart while input waits
     *                                          # (default 200ms with a kafka ingress, else 0: see defaultCommitSpacing)
     *     max_send_block: 1s                   # exactly once: longest a partition thread waits in a send while the brokers are away
     *     output_header: true                  # false: records without the sluice.output header (consumers that never drop duplicates)
     *     client_properties: {...}             # Kafka client settings (security), see KafkaClientSettings
     * }</pre>
     * The commit settings are checked against each other ({@link #kafkaSinkCommits}), {@code max_send_block} against
     * the mode and {@code timeout} ({@link #kafkaSinkSendBlock}).
     */
    private static io.sluice.kafka.KafkaSinkContext kafkaSink(final String name, final ConfigSection sink)
    {
        final String bootstrap = sink.string("bootstrap", null);
        if (bootstrap == null)
        {
            sink.error("bootstrap", "is required (Kafka bootstrap servers, host:port,...)");
        }
        final String topic = sink.string("topic", name);
        final String mode = sink.choice("mode", "exactly_once", "exactly_once", "at_least_once");
        final String format = sink.choice("format", "json", "json", "csv", "binary");
        final String keyField = sink.has("key_field") ? sink.string("key_field", null) : null;
        final String transactionalId = sink.string("transactional_id", "sluice." + name);
        final long timeout = sink.durationMillis("timeout", 60_000);
        final long maxBackoff = sink.durationMillis("max_retry_backoff", 30_000);
        final Map<String, String> clientProperties = KafkaClientSettings.read(sink, System::getenv);
        if (maxBackoff < 1_000)
        {
            sink.error("max_retry_backoff", "must be at least 1s, was " + maxBackoff + " ms");
        }
        if (timeout < 100)
        {
            sink.error("timeout", "must be at least 100ms, was " + timeout + " ms");
        }
        final long spacing = sink.durationMillis("min_checkpoint_spacing", 20);
        if (spacing < 0)
        {
            sink.error("min_checkpoint_spacing", "must not be negative, was " + spacing + " ms");
        }
        if (bootstrap == null || mode == null || format == null)
        {
            return null;
        }
        final io.sluice.kafka.KafkaSinkContext context = new io.sluice.kafka.KafkaSinkContext().bootstrapServers(bootstrap).topic(topic)
            .mode(io.sluice.kafka.SinkMode.of(mode)).format(io.sluice.kafka.ValueFormat.of(format)).keyField(keyField)
            .transactionalIdPrefix(transactionalId).timeoutMillis(Math.max(100, timeout))
            .maxRetryBackoffMillis(Math.max(1_000, maxBackoff)).clientProperties(clientProperties)
            .minCheckpointSpacingMillis(Math.max(0, spacing)).outputHeader(sink.bool("output_header", true));
        kafkaSinkCommits(sink, context);
        kafkaSinkSendBlock(sink, context);
        return context;
    }

    /**
     * {@code max_send_block}, the longest an exactly-once sink's partition thread waits in a send for the producer
     * (the topic's metadata, room in its buffer) before it keeps its outputs and lets the committer retry
     * ({@link io.sluice.kafka.KafkaSinkContext#sendBlockMillis}). Refused with its key and line on an
     * {@code at_least_once} sink (its sends wait up to {@code timeout}), below 1 ms (every send would then fail at
     * once while the producer fetches metadata), and above {@code timeout} (the committer retries its own requests
     * in steps of it, up to {@code timeout}).
     */
    private static void kafkaSinkSendBlock(final ConfigSection sink, final io.sluice.kafka.KafkaSinkContext context)
    {
        if (!sink.has("max_send_block"))
        {
            return;
        }
        if (context.mode() != io.sluice.kafka.SinkMode.EXACTLY_ONCE)
        {
            sink.error("max_send_block", "applies to mode exactly_once only (an at_least_once sink's sends wait up to its timeout, " +
                context.timeoutMillis() + " ms)");
            return;
        }
        final long block = sink.durationMillis("max_send_block", context.sendBlockMillis());
        if (block < 1)
        {
            sink.error("max_send_block", "must be at least 1ms, was " + block + " ms: every send would fail at once while the " +
                "producer fetches the topic's metadata or waits for buffer room");
        }
        else if (block > context.timeoutMillis())
        {
            sink.error("max_send_block", "must not exceed timeout (" + context.timeoutMillis() + " ms), was " + block + " ms: " +
                "the committer retries its own requests in steps of max_send_block up to timeout");
        }
        else
        {
            context.sendBlockMillis(block);
        }
    }

    /**
     * The commit settings of an exactly-once {@code kafka} sink, each refused with its key and line when
     * meaningless: set on an {@code at_least_once} sink (it has no transactions), a quiet period or delay set
     * while {@code commit_between_checkpoints} is false (they only time commits between checkpoints), a quiet
     * period longer than the longest delay (a burst would never end by quiet), or a delay not shorter than the
     * transaction timeout (the brokers would abort the transaction first). A negative duration does not parse.
     */
    private static void kafkaSinkCommits(final ConfigSection sink, final io.sluice.kafka.KafkaSinkContext context)
    {
        final String[] keys = {"commit_between_checkpoints", "commit_quiet", "max_commit_delay", "min_commit_spacing"};
        if (context.mode() != io.sluice.kafka.SinkMode.EXACTLY_ONCE)
        {
            for (final String key : keys)
            {
                if (sink.has(key))
                {
                    sink.error(key, "applies to mode exactly_once only (an at_least_once sink has no transactions to commit)");
                }
            }
            return;
        }
        final boolean between = sink.bool("commit_between_checkpoints", context.commitBetweenCheckpoints());
        final long quiet = sink.durationMillis("commit_quiet", context.commitQuietMillis());
        final long maxDelay = sink.durationMillis("max_commit_delay", context.maxCommitDelayMillis());
        final long spacing = sink.durationMillis("min_commit_spacing", context.minCommitSpacingMillis());
        if (!between)
        {
            for (int i = 1; i < keys.length - 1; i++)
            {
                if (sink.has(keys[i]))
                {
                    sink.error(keys[i], "has no effect with commit_between_checkpoints: false (outputs are then committed when a " +
                        "checkpoint completes); remove it or set commit_between_checkpoints: true");
                }
            }
        }
        if (maxDelay >= context.transactionTimeoutMillis())
        {
            sink.error("max_commit_delay", "must be shorter than the sink's transaction timeout (" + context.transactionTimeoutMillis() +
                " ms), was " + maxDelay + " ms");
        }
        else if (between && quiet > maxDelay)
        {
            sink.error("commit_quiet", "must not exceed max_commit_delay (" + maxDelay + " ms), was " + quiet + " ms: a burst would " +
                "then never end by quiet, every commit would wait the whole delay");
        }
        else if (spacing > 0 && spacing + maxDelay >= context.transactionTimeoutMillis() / 2)
        {
            sink.error("min_commit_spacing", "with max_commit_delay (" + maxDelay + " ms) must stay below half the sink's transaction " +
                "timeout (" + context.transactionTimeoutMillis() / 2 + " ms), at which a transaction left open is aborted; was " + spacing + " ms");
        }
        context.commitBetweenCheckpoints(between).commitQuietMillis(quiet).maxCommitDelayMillis(maxDelay).minCommitSpacingMillis(spacing);
    }

    /**
     * The {@code kafka} section: {@code client_properties} for every Kafka client of the daemon (see
     * {@link KafkaClientSettings}), added to each Kafka ingress and sink where the item does not set
     * the key in its own {@code client_properties}.
     */
    private void applyKafkaClientProperties(final ConfigSection kafka)
    {
        final Map<String, String> defaults = KafkaClientSettings.read(kafka, System::getenv);
        kafka.checkUnknownKeys();
        for (final SinkConfig sink : sinks.values())
        {
            if (sink.kafka() != null)
            {
                KafkaClientSettings.addDefaults(sink.kafka().clientProperties(), defaults);
            }
        }
        for (final ComponentEntry entry : components)
        {
            if (entry.component() instanceof KafkaIngress ingress)
            {
                KafkaClientSettings.addDefaults(ingress.settings().clientProperties(), defaults);
            }
        }
    }

    /**
     * The {@code scale_out} section, and what it requires of the rest: exactly one ingress, of type kafka
     * (its topic is the one the group shares), only Kafka sinks (each partition's outputs leave through its
     * own transactional producer), no egress and no dashboard (they read one engine, and a scale-out daemon
     * runs one engine per owned partition).
     */
    private ScaleOutConfig loadScaleOut(final ConfigSection section, final ConfigErrors errors)
    {
        final String job = section.string("job", null);
        if (job == null)
        {
            section.error("job", "is required: the job's name, the same on every daemon that shares the work");
        }
        else if (!TOPIC.matcher(job).matches())
        {
            section.error("job", "'" + ConfigLimits.value(job) + "' is not a valid job name (letters, digits, '.', '_', '-')");
        }
        final Path store = section.path("checkpoint_store", true);
        final long sessionTimeout = section.durationMillis("session_timeout", 10_000);
        if (sessionTimeout < 1_000)
        {
            section.error("session_timeout", "must be at least 1s, was " + sessionTimeout + " ms");
        }
        section.checkUnknownKeys();
        int kafkaIngress = 0;
        for (final ComponentEntry entry : components)
        {
            if (entry.component() instanceof KafkaIngress)
            {
                kafkaIngress++;
            }
            else
            {
                errors.add(entry.path(), "is not available with scale_out: a scale-out daemon reads exactly one Kafka ingress " +
                    "(" + entry.component().name() + ")");
            }
        }
        if (kafkaIngress != 1)
        {
            errors.add("scale_out", "needs exactly one ingress of type kafka (the topic the daemons of the job share), found " +
                kafkaIngress);
        }
        for (final SinkConfig sink : sinks.values())
        {
            if (sink.type() != SinkType.KAFKA)
            {
                errors.add("sinks." + sink.name(), "is not available with scale_out: every sink must be of type kafka " +
                    "(each partition commits its outputs with its checkpoint, wherever the partition runs)");
            }
        }
        if (dashboard.enabled())
        {
            errors.add("dashboard.enabled", "is not available with scale_out yet (the dashboard reads one engine)");
        }
        if (!javaPipelines.pipelines().isEmpty())
        {
            errors.add("java_pipelines", "is not available with scale_out yet (a scale-out daemon builds YAML pipelines per owned partition)");
        }
        if (job == null || store == null)
        {
            return null;
        }
        return new ScaleOutConfig(job, store, sessionTimeout);
    }

    private void checkSinkUse(final ConfigErrors errors)
    {
        if (pipelines == null && javaPipelines.pipelines().isEmpty())
        {
            return;
        }
        final Map<String, String> usedBy = new HashMap<>();
        final java.util.Set<String> names = new java.util.HashSet<>();
        for (int i = 0; pipelines != null && i < pipelines.pipelines().size(); i++)
        {
            names.add(pipelines.pipelines().get(i).name());
        }
        for (int i = 0; i < javaPipelines.pipelines().size(); i++)
        {
            final Pipeline pipeline = javaPipelines.pipelines().get(i);
            if (!names.add(pipeline.name()))
            {
                errors.add(javaPipelines.path(i), "pipeline name '" + pipeline.name() + "' is used twice: pipeline names must be unique");
            }
            final String sink = JavaPipelines.sinkOf(pipeline).name();
            final String other = usedBy.putIfAbsent(sink, pipeline.name());
            if (other != null)
            {
                errors.add(javaPipelines.path(i), "sink '" + sink + "' is already used by pipeline '" + other +
                    "': output sequence numbers are per pipeline, so each sink serves one pipeline");
            }
        }
        final Map<Path, String> files = new HashMap<>();
        final Map<String, String> topics = new HashMap<>();
        for (final SinkConfig sink : sinks.values())
        {
            final String previous = sink.file() != null ? files.putIfAbsent(sink.file(), sink.name()) :
                topics.putIfAbsent(sink.topic(), sink.name());
            if (previous != null)
            {
                errors.add("sinks." + sink.name(), "writes the same " + (sink.file() != null ? "file" : "topic") +
                    " as sink '" + previous + "'");
            }
        }
        for (int i = 0; pipelines != null && i < pipelines.pipelines().size(); i++)
        {
            final PipelineDefinition pipeline = pipelines.pipelines().get(i);
            if (!sinks.containsKey(pipeline.sink()))
            {
                errors.add("pipelines[" + i + "].sink", "no sink named '" + pipeline.sink() + "' under 'sinks' (sinks: " +
                    sinks.keySet() + ")");
                continue;
            }
            final String other = usedBy.putIfAbsent(pipeline.sink(), pipeline.name());
            if (other != null)
            {
                errors.add("pipelines[" + i + "].sink", "sink '" + pipeline.sink() + "' is already used by pipeline '" + other +
                    "': output sequence numbers are per pipeline, so each sink serves one pipeline");
            }
        }
        for (final String sink : sinks.keySet())
        {
            if (!usedBy.containsKey(sink))
            {
                errors.add("sinks." + sink, "is not used by any pipeline");
            }
        }
    }

    /**
     * The {@code dashboard} section: the web dashboard's server, and which pipelines feed the alert feed.
     *
     * @param enabled            whether the daemon serves the dashboard (default false).
     * @param settings           of its server; users and roles are the JMX password and access files.
     * @param alertPipelines     pipelines whose outputs are alerts, or null for every pipeline with {@code having}.
     * @param keysPerPartition   latest results kept per pipeline and partition.
     * @param recentPerPartition recent alerts kept per alert pipeline and partition.
     */
    public record DashboardConfig(boolean enabled, DashboardSettings settings, List<String> alertPipelines, int keysPerPartition,
        int recentPerPartition)
    {
    }

    private DashboardConfig loadDashboard(final ConfigSection section, final JmxSettings jmxSettings)
    {
        final boolean enabled = section.bool("enabled", false);
        final String host = host(section, "host");
        final int port = section.integer("port", DashboardSettings.DEFAULT_PORT, 0, 65535);
        final long refresh = section.durationMillis("refresh", DashboardSettings.DEFAULT_REFRESH_MILLIS);
        final int maxStreams = section.integer("max_streams", DashboardSettings.DEFAULT_MAX_CLIENTS, 1, 1024);
        final int keys = section.integer("keys_per_partition", ResultBoard.DEFAULT_KEYS_PER_PARTITION, 16, 1 << 20);
        final int recent = section.integer("recent_alerts_per_partition", ResultBoard.DEFAULT_RECENT_PER_PARTITION, 16, 1 << 16);
        final ConfigSection tls = section.section("tls");
        final boolean tlsEnabled = tls.bool("enabled", false);
        final Path keyStore = tls.path("keystore", tlsEnabled);
        final Path keyStorePassword = tls.path("keystore_password_file", tlsEnabled);
        tls.checkUnknownKeys();
        List<String> alerts = null;
        if (section.has("alerts"))
        {
            final Object raw = section.raw("alerts");
            if (!(raw instanceof List))
            {
                section.error("alerts", "must be a list of pipeline names, e.g. [card-velocity]");
            }
            else
            {
                alerts = new ArrayList<>();
                for (final Object name : (List<?>)raw)
                {
                    if (pipelines != null && pipelines.pipelines().stream().noneMatch(d -> d.name().equals(String.valueOf(name))))
                    {
                        section.error("alerts", "no pipeline '" + name + "'");
                    }
                    alerts.add(String.valueOf(name));
                }
            }
        }
        section.checkUnknownKeys();
        if (Integer.bitCount(keys) != 1)
        {
            section.error("keys_per_partition", "must be a power of two, was " + keys);
        }
        if (Integer.bitCount(recent) != 1)
        {
            section.error("recent_alerts_per_partition", "must be a power of two, was " + recent);
        }
        if (refresh < 100 || refresh > 60_000)
        {
            section.error("refresh", "must be between 100ms and 60s, was " + refresh + " ms");
        }
        if (enabled)
        {
            if (keyStorePassword != null)
            {
                checkSecretFile(tls, "keystore_password_file", keyStorePassword);
            }
            if (keyStore != null && !Files.isRegularFile(keyStore))
            {
                tls.error("keystore", "no such file " + keyStore);
            }
            if (host != null && !isLoopback(host))
            {
                if (jmxSettings.passwordFile() == null)
                {
                    section.error("host", "'" + host + "' is not a loopback address: a remote dashboard requires users " +
                        "(jmx.password_file and jmx.access_file)");
                }
                if (!tlsEnabled)
                {
                    section.error("host", "'" + host + "' is not a loopback address: a remote dashboard requires tls.enabled: true");
                }
            }
        }
        final DashboardSettings settings = new DashboardSettings(host, port, jmxSettings.passwordFile(), jmxSettings.accessFile(),
            tlsEnabled, keyStore, keyStorePassword, Math.max(100, Math.min(refresh, 60_000)), maxStreams);
        return new DashboardConfig(enabled, settings, alerts, Integer.bitCount(keys) == 1 ? keys : ResultBoard.DEFAULT_KEYS_PER_PARTITION,
            Integer.bitCount(recent) == 1 ? recent : ResultBoard.DEFAULT_RECENT_PER_PARTITION);
    }

    private static JmxSettings loadJmx(final ConfigSection jmx)
    {
        final boolean enabled = jmx.bool("enabled", true);
        final String host = host(jmx, "host");
        final int port = jmx.integer("port", 0, 0, 65535);
        final Path passwordFile = jmx.path("password_file", false);
        final Path accessFile = jmx.path("access_file", false);
        final ConfigSection tls = jmx.section("tls");
        final boolean tlsEnabled = tls.bool("enabled", false);
        final Path keyStore = tls.path("keystore", tlsEnabled);
        final Path keyStorePassword = tls.path("keystore_password_file", tlsEnabled);
        tls.checkUnknownKeys();
        jmx.checkUnknownKeys();
        if (enabled)
        {
            if (passwordFile != null)
            {
                checkSecretFile(jmx, "password_file", passwordFile);
            }
            if (keyStorePassword != null)
            {
                checkSecretFile(tls, "keystore_password_file", keyStorePassword);
            }
            if (accessFile != null)
            {
                // Whoever can write the access file can grant themselves readwrite: as strict as the password file.
                checkSecretFile(jmx, "access_file", accessFile);
            }
            if ((passwordFile == null) != (accessFile == null))
            {
                jmx.error(passwordFile == null ? "password_file" : "access_file",
                    "is required with " + (passwordFile == null ? "access_file" : "password_file") +
                    ": authentication needs users (password file) and their roles (access file)");
            }
            if (keyStore != null && !Files.isRegularFile(keyStore))
            {
                tls.error("keystore", "no such file " + keyStore);
            }
            if (host != null && !isLoopback(host))
            {
                if (passwordFile == null)
                {
                    jmx.error("host", "'" + host + "' is not a loopback address: remote JMX requires password_file and access_file");
                }
                if (!tlsEnabled)
                {
                    jmx.error("host", "'" + host + "' is not a loopback address: remote JMX requires tls.enabled: true");
                }
            }
        }
        return new JmxSettings(enabled, host, port, passwordFile, accessFile, tlsEnabled, keyStore, keyStorePassword);
    }

    /**
     * A file holding secrets must exist and be readable by its owner only, as the JDK's own
     * management agent insists for its password file.
     */
    static void checkSecretFile(final ConfigSection section, final String key, final Path file)
    {
        if (!Files.isRegularFile(file))
        {
            section.error(key, "no such file " + file);
            return;
        }
        try
        {
            final Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.OTHERS_READ) ||
                permissions.contains(PosixFilePermission.GROUP_WRITE) || permissions.contains(PosixFilePermission.OTHERS_WRITE))
            {
                section.error(key, file + " must be readable by its owner only (chmod 600 " + file + ")");
            }
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            section.error(key, "cannot check the permissions of " + file + ": " + ex);
        }
    }

    private static String host(final ConfigSection section, final String key)
    {
        final String host = section.string(key, "127.0.0.1");
        try
        {
            InetAddress.getByName(host);
            return host;
        }
        catch (final UnknownHostException ex)
        {
            section.error(key, "unknown host '" + ConfigLimits.value(host) + "'");
            return "127.0.0.1";
        }
    }

    static boolean isLoopback(final String host)
    {
        try
        {
            return InetAddress.getByName(host).isLoopbackAddress();
        }
        catch (final UnknownHostException ex)
        {
            return false;
        }
    }

    private void loadComponents(final ConfigSection top, final DaemonComponent.Role role, final String key)
    {
        final Map<String, DaemonComponentFactory> factories = new LinkedHashMap<>();
        factories.put(FileIngress.TYPE, new FileIngress.Factory(pipelines == null && javaPipelines.pipelines().isEmpty() ? null : topicSchemas()));
        factories.put(KafkaIngress.TYPE, new KafkaIngress.Factory());
        for (final DaemonComponentFactory factory : ServiceLoader.load(DaemonComponentFactory.class))
        {
            factories.putIfAbsent(factory.type(), factory);
        }
        for (final ConfigSection item : top.sections(key))
        {
            final String type = item.string("type", null);
            if (type == null)
            {
                continue;
            }
            final DaemonComponentFactory factory = factories.get(type.toLowerCase(Locale.ROOT));
            if (factory == null)
            {
                item.error("type", "unknown " + key + " type '" + ConfigLimits.value(type) + "' (available: " + String.join(", ", factories.keySet()) + ")");
                continue;
            }
            final DaemonComponent component = factory.create(role, item);
            item.checkUnknownKeys();
            if (component != null && dataDirectory != null)
            {
                component.check(dataDirectory, item);
            }
            if (component != null)
            {
                components.add(new ComponentEntry(role, item.path(), component));
            }
        }
    }

    /**
     * Where the errors were found, e.g. the file name.
     *
     * @return the source name.
     */
    public String source()
    {
        return source;
    }

    /**
     * The {@code scale_out} section.
     *
     * @return the scale-out settings, or null when the daemon runs every partition itself.
     */
    public ScaleOutConfig scaleOut()
    {
        return scaleOut;
    }

    /**
     * The data directory: journal, checkpoints, counters and mark file.
     *
     * @return the absolute path.
     */
    public Path dataDirectory()
    {
        return dataDirectory;
    }

    /**
     * Partitions of every source topic.
     *
     * @return the count.
     */
    public int partitions()
    {
        return partitions;
    }

    /**
     * Slots per partition ring.
     *
     * @return the ring size.
     */
    public int ringSize()
    {
        return ringSize;
    }

    /**
     * How processing threads wait when their partitions are idle.
     *
     * @return the wait strategy.
     */
    public WaitStrategyKind waitStrategy()
    {
        return waitStrategy;
    }

    /**
     * Whether processing threads are pinned to CPUs.
     *
     * @return true to pin.
     */
    public boolean pinThreads()
    {
        return pinThreads;
    }

    /**
     * Processing threads the partitions run on ({@code processing_threads}).
     *
     * @return 1 to 1024, or 0 for the engine's default (one per core but one).
     */
    public int processingThreads()
    {
        return processingThreads;
    }

    /**
     * Most ring slots a processing thread takes from one partition per turn ({@code partition_batch_limit}).
     *
     * @return the limit.
     */
    public int partitionBatchLimit()
    {
        return partitionBatchLimit;
    }

    /**
     * How the engine runs its background duties.
     *
     * @return DEDICATED, SHARED, or null for the engine's default ({@code threading_mode: auto}).
     */
    public ThreadingMode threadingMode()
    {
        return threadingMode;
    }

    /**
     * The engine's profile ({@code profile: standard | low-latency}).
     *
     * @return the profile, STANDARD by default.
     */
    public EngineProfile profile()
    {
        return profile;
    }

    /**
     * Whether the engine records ingest and stage latencies ({@code latency_recording}): a clock read per
     * event and per stage on the processing threads. On by default, off by default under the low-latency profile.
     *
     * @return true to record.
     */
    public boolean latencyRecording()
    {
        return latencyRecording;
    }

    /**
     * Whether the journal runs group commit.
     *
     * @return true for group commit.
     */
    public boolean groupCommit()
    {
        return groupCommit;
    }

    /**
     * The pipelines.
     *
     * @return the pipeline configuration.
     */
    public PipelineConfig pipelines()
    {
        return pipelines;
    }

    /**
     * The pipelines loaded from the jars named under {@code java_pipelines}; each sends to a
     * {@link JavaPipelines.NamedSink} that the daemon binds at start.
     *
     * @return the Java pipelines, possibly empty.
     */
    public List<Pipeline> javaPipelines()
    {
        return javaPipelines.pipelines();
    }

    /**
     * The names of every pipeline, the YAML ones then the Java DSL ones (the engine's order in the daemon).
     *
     * @return the names.
     */
    public List<String> pipelineNames()
    {
        final List<String> names = new ArrayList<>();
        if (pipelines != null)
        {
            pipelines.pipelines().forEach(definition -> names.add(definition.name()));
        }
        javaPipelines.pipelines().forEach(pipeline -> names.add(pipeline.name()));
        return names;
    }

    /**
     * Every pipeline, in {@link #pipelineNames()} order, each sending to the sink given for its name
     * instead of its configured sink: for running the configuration's pipelines outside the daemon
     * ({@code sluice loadgen --config F --target embedded}). Binds the Java pipelines' sinks, so it is
     * called at most once per loaded configuration.
     *
     * @param sinks the sink of each pipeline, by pipeline name.
     * @return the pipelines.
     */
    public List<Pipeline> pipelines(final java.util.function.Function<String, io.sluice.engine.pipeline.EventSink> sinks)
    {
        final List<Pipeline> built = new ArrayList<>(pipelines == null ? List.of() : pipelines.build(d -> sinks.apply(d.name())));
        for (final Pipeline pipeline : javaPipelines.pipelines())
        {
            JavaPipelines.sinkOf(pipeline).bind(sinks.apply(pipeline.name()));
            built.add(pipeline);
        }
        return built;
    }

    /**
     * The sinks by name.
     *
     * @return the sinks.
     */
    public Map<String, SinkConfig> sinks()
    {
        return sinks;
    }

    /**
     * The commit spacing of each exactly-once Kafka sink and why it applies (the daemon logs it at start-up).
     *
     * @return by sink name, in name order; empty without exactly-once Kafka sinks.
     */
    public Map<String, CommitSpacing> commitSpacings()
    {
        return java.util.Collections.unmodifiableMap(commitSpacings);
    }

    /**
     * Period of automatic checkpoints, 0 for on demand and at shutdown only.
     *
     * @return milliseconds.
     */
    public long checkpointIntervalMillis()
    {
        return checkpointIntervalMillis;
    }

    /**
     * Rows of state a partition copies per slice of a checkpoint, between events (config
     * {@code checkpoint.slice_rows}: a whole number >= 1, or {@code unbounded} to copy everything at
     * the barrier).
     *
     * @return the rows, {@link Integer#MAX_VALUE} for unbounded.
     */
    public int checkpointSliceRows()
    {
        return checkpointSliceRows;
    }

    private static int checkpointSliceRows(final ConfigSection checkpoint)
    {
        final int defaultRows = EngineContext.Configuration.CHECKPOINT_SLICE_ROWS_DEFAULT;
        if ("unbounded".equals(checkpoint.string("slice_rows", "").trim()))
        {
            return Integer.MAX_VALUE;
        }
        return checkpoint.integer("slice_rows", defaultRows, 1, Integer.MAX_VALUE);
    }

    /**
     * Complete checkpoints kept.
     *
     * @return the count.
     */
    public int checkpointsRetained()
    {
        return checkpointsRetained;
    }

    /**
     * The longest the daemon spends, before its engine starts, running synthetic traffic through its network
     * items' own code on a scratch daemon, so that the JIT has compiled that path before the first client's
     * traffic ({@code network_warm_up}; 0: none; {@value #DEFAULT_NETWORK_WARM_UP_MS} ms by default under the
     * low-latency profile, 0 otherwise). See {@link DaemonComponent#warmUp}.
     *
     * @return milliseconds, 0 for none.
     */
    public long networkWarmUpMillis()
    {
        return networkWarmUpMillis;
    }

    /**
     * Longest wait for ingress components to stop at shutdown.
     *
     * @return milliseconds.
     */
    public long drainTimeoutMillis()
    {
        return drainTimeoutMillis;
    }

    /**
     * JMX settings.
     *
     * @return the JMX settings.
     */
    public JmxSettings jmx()
    {
        return jmx;
    }

    /**
     * Level of the daemon's log (SLF4J): error, warn, info (lifecycle events, the default), debug or trace.
     *
     * @return the level.
     */
    public String logLevel()
    {
        return logLevel;
    }

    /**
     * Prometheus settings.
     *
     * @return the Prometheus settings.
     */
    public PrometheusConfig prometheus()
    {
        return prometheus;
    }

    /**
     * Dashboard settings.
     *
     * @return the dashboard section.
     */
    public DashboardConfig dashboard()
    {
        return dashboard;
    }

    /**
     * The configuration text as loaded, with secret values masked, for display.
     *
     * @return the masked text.
     */
    public String maskedText()
    {
        return maskedText;
    }

    /**
     * The ingress and egress items, in file order (ingress first).
     *
     * @return the items.
     */
    public List<ComponentEntry> components()
    {
        return components;
    }

    /**
     * The schema of every topic a pipeline reads (join sides included), in pipeline order.
     *
     * @return schemas by topic name.
     */
    public Map<String, io.sluice.schema.Schema> topicSchemas()
    {
        final Map<String, io.sluice.schema.Schema> schemas = new java.util.LinkedHashMap<>();
        if (pipelines != null)
        {
            for (final io.sluice.engine.config.PipelineDefinition pipeline : pipelines.pipelines())
            {
                pipeline.sources().forEach(source -> schemas.putIfAbsent(source.topic(), source.schema()));
            }
        }
        for (final Pipeline pipeline : javaPipelines.pipelines())
        {
            pipeline.sources().forEach(source -> schemas.putIfAbsent(source.topic(), source.schema()));
        }
        return schemas;
    }

    /**
     * The schema of the outputs each {@code journal} sink receives: the output schema of the pipeline
     * (YAML or Java) that writes it, by the sink's topic in the output journal.
     *
     * @return schemas by output topic name.
     */
    public Map<String, io.sluice.schema.Schema> outputTopicSchemas()
    {
        final Map<String, io.sluice.schema.Schema> schemas = new java.util.LinkedHashMap<>();
        if (pipelines != null)
        {
            for (final io.sluice.engine.config.PipelineDefinition definition : pipelines.pipelines())
            {
                final SinkConfig sink = sinks.get(definition.sink());
                if (sink != null && sink.type() == SinkType.JOURNAL)
                {
                    // A description only: building it opens nothing and runs nothing.
                    schemas.putIfAbsent(sink.topic(), definition.build((p, s, k, t, e) ->
                    {
                    }).outputSchema());
                }
            }
        }
        for (final Pipeline pipeline : javaPipelines.pipelines())
        {
            final SinkConfig sink = sinks.get(JavaPipelines.sinkOf(pipeline).name());
            if (sink != null && sink.type() == SinkType.JOURNAL)
            {
                schemas.putIfAbsent(sink.topic(), pipeline.outputSchema());
            }
        }
        return schemas;
    }
}
