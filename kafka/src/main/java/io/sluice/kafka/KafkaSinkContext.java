package io.sluice.kafka;

import java.util.Map;
import java.util.Properties;

/**
 * Settings of a {@link KafkaSink}: fluent setters, and one {@link #conclude()} that checks them all
 * and fails with a message naming the setting.
 */
public final class KafkaSinkContext
{
    private String bootstrapServers;
    private String topic;
    private String transactionalIdPrefix;
    private int partitions;
    private int firstPartition;
    private int topicPartitions;
    private SinkMode mode = SinkMode.EXACTLY_ONCE;
    private ValueFormat format = ValueFormat.JSON;
    private String keyField;
    private long timeoutMillis = 60_000;
    private long sendBlockMillis = 1_000;
    private long maxRetryBackoffMillis = 30_000;
    private long transactionTimeoutMillis = 300_000;
    private long lingerMillis = 5;
    private long minCheckpointSpacingMillis = 20;
    private boolean commitBetweenCheckpoints = true;
    private long commitQuietMillis = 2;
    private long maxCommitDelayMillis = 50;
    private long minCommitSpacingMillis;
    private boolean outputHeader = true;
    private final Properties clientProperties = new Properties();
    private boolean concluded;

    /**
     * Kafka bootstrap servers.
     *
     * @param servers host:port list, comma separated.
     * @return this.
     */
    public KafkaSinkContext bootstrapServers(final String servers)
    {
        this.bootstrapServers = servers;
        return this;
    }

    /**
     * Kafka bootstrap servers.
     *
     * @return the servers.
     */
    public String bootstrapServers()
    {
        return bootstrapServers;
    }

    /**
     * The Kafka topic to write; it must have as many partitions as the engine.
     *
     * @param topic name.
     * @return this.
     */
    public KafkaSinkContext topic(final String topic)
    {
        this.topic = topic;
        return this;
    }

    /**
     * The Kafka topic to write.
     *
     * @return the name.
     */
    public String topic()
    {
        return topic;
    }

    /**
     * Prefix of the transactional ids ({@code <prefix>-<partition>}) and name of the bookkeeping group;
     * derive it from the job and the sink ({@code sluice.<job>.<sink>}) so a restarted or moved
     * partition fences its zombie and nothing else.
     *
     * @param prefix unique per job and sink.
     * @return this.
     */
    public KafkaSinkContext transactionalIdPrefix(final String prefix)
    {
        this.transactionalIdPrefix = prefix;
        return this;
    }

    /**
     * Prefix of the transactional ids.
     *
     * @return the prefix.
     */
    public String transactionalIdPrefix()
    {
        return transactionalIdPrefix;
    }

    /**
     * Partitions of the engine (and of the topic).
     *
     * @param partitions count.
     * @return this.
     */
    public KafkaSinkContext partitions(final int partitions)
    {
        this.partitions = partitions;
        return this;
    }

    /**
     * Partitions of the engine.
     *
     * @return the count.
     */
    public int partitions()
    {
        return partitions;
    }

    /**
     * Delivery guarantee.
     *
     * @param mode exactly once or at least once.
     * @return this.
     */
    public KafkaSinkContext mode(final SinkMode mode)
    {
        this.mode = mode;
        return this;
    }

    /**
     * Delivery guarantee.
     *
     * @return the mode.
     */
    public SinkMode mode()
    {
        return mode;
    }

    /**
     * How values hold outputs.
     *
     * @param format of the values.
     * @return this.
     */
    public KafkaSinkContext format(final ValueFormat format)
    {
        this.format = format;
        return this;
    }

    /**
     * How values hold outputs.
     *
     * @return the format.
     */
    public ValueFormat format()
    {
        return format;
    }

    /**
     * The output field whose text is the record key; null (default) for the output's key.
     *
     * @param field name or null.
     * @return this.
     */
    public KafkaSinkContext keyField(final String field)
    {
        this.keyField = field;
        return this;
    }

    /**
     * The output field whose text is the record key.
     *
     * @return the name or null.
     */
    public String keyField()
    {
        return keyField;
    }

    /**
     * Longest wait for the brokers per request off the partition threads (opening the sink, admin requests,
     * initialising and committing transactions; default 60 s). A partition thread waits at most
     * {@link #sendBlockMillis}.
     *
     * @param millis of the wait.
     * @return this.
     */
    public KafkaSinkContext timeoutMillis(final long millis)
    {
        this.timeoutMillis = millis;
        return this;
    }

    /**
     * Exactly once: longest a partition thread may wait in a send for the producer (the topic's metadata, room in
     * its buffer) while the brokers are away (the producer's {@code max.block.ms}; default 1 s; an at-least-once
     * sink, which keeps no outputs, waits up to {@link #timeoutMillis}). After such a wait
     * the partition keeps its outputs instead of sending them, and the sink's committer retries with back-off
     * off the partition thread (see {@link KafkaSink}): the partition thread waits at most this long once per
     * outage. The committer's own requests (initialising, committing, aborting a transaction) are retried in
     * steps of this length until {@link #timeoutMillis}.
     *
     * @param millis of the wait, at least 1.
     * @return this.
     */
    public KafkaSinkContext sendBlockMillis(final long millis)
    {
        this.sendBlockMillis = millis;
        return this;
    }

    /**
     * Longest a partition thread waits in a send for the producer.
     *
     * @return milliseconds.
     */
    public long sendBlockMillis()
    {
        return Math.min(sendBlockMillis, timeoutMillis);
    }

    /**
     * Longest back-off between attempts to open the sink while its brokers are unreachable or its topic is
     * missing (the daemon retries at start, doubling from 1 s up to this; default 30 s).
     *
     * @param millis longest back-off.
     * @return this.
     */
    public KafkaSinkContext maxRetryBackoffMillis(final long millis)
    {
        this.maxRetryBackoffMillis = millis;
        return this;
    }

    /**
     * Longest back-off between attempts to open the sink.
     *
     * @return milliseconds.
     */
    public long maxRetryBackoffMillis()
    {
        return maxRetryBackoffMillis;
    }

    /**
     * Longest wait for the brokers.
     *
     * @return milliseconds.
     */
    public long timeoutMillis()
    {
        return timeoutMillis;
    }

    /**
     * Transaction timeout; must exceed the time between two checkpoints (a transaction stays open
     * until a checkpoint completes) and not exceed the brokers' {@code transaction.max.timeout.ms}.
     *
     * @param millis of the timeout.
     * @return this.
     */
    public KafkaSinkContext transactionTimeoutMillis(final long millis)
    {
        this.transactionTimeoutMillis = millis;
        return this;
    }

    /**
     * Transaction timeout.
     *
     * @return milliseconds.
     */
    public long transactionTimeoutMillis()
    {
        return transactionTimeoutMillis;
    }

    /**
     * Producer linger (batching delay).
     *
     * @param millis of linger.
     * @return this.
     */
    public KafkaSinkContext lingerMillis(final long millis)
    {
        this.lingerMillis = millis;
        return this;
    }

    /**
     * Producer linger.
     *
     * @return milliseconds.
     */
    public long lingerMillis()
    {
        return lingerMillis;
    }

    /**
     * Exactly once with a checkpoint trigger ({@link KafkaSink#checkpointTrigger}): when outputs wait for a
     * checkpoint, the sink asks the engine for one, at most once per this spacing, instead of leaving them
     * until the next periodic checkpoint. Smaller: outputs visible sooner, more checkpoints while outputs
     * flow; the engine's checkpoint interval stays the spacing when no output waits.
     *
     * @param millis between two checkpoints the sink asks for (default 20).
     * @return this.
     */
    public KafkaSinkContext minCheckpointSpacingMillis(final long millis)
    {
        this.minCheckpointSpacingMillis = millis;
        return this;
    }

    /**
     * Shortest spacing between two checkpoints the sink asks for.
     *
     * @return milliseconds.
     */
    public long minCheckpointSpacingMillis()
    {
        return minCheckpointSpacingMillis;
    }

    /**
     * Exactly once: whether a partition commits its outputs as soon as they are ready ({@link #commitQuietMillis},
     * {@link #maxCommitDelayMillis}) against the newest completed checkpoint whose barrier it has passed (true, the
     * default), or only when a newer checkpoint completes (false). Both are exactly once: the replay from that
     * checkpoint's barrier produces again, with the same sequences, every output the transaction holds (see
     * docs/kafka.md, "Commits between checkpoints"); committing between checkpoints spares the outputs the wait for
     * the next checkpoint's completion.
     *
     * @param enabled true to commit between checkpoints.
     * @return this.
     */
    public KafkaSinkContext commitBetweenCheckpoints(final boolean enabled)
    {
        this.commitBetweenCheckpoints = enabled;
        return this;
    }

    /**
     * Whether partitions commit between checkpoints.
     *
     * @return true if they do.
     */
    public boolean commitBetweenCheckpoints()
    {
        return commitBetweenCheckpoints;
    }

    /**
     * Exactly once, committing between checkpoints: a partition commits once no output came for this long (the end
     * of a burst, such as a window firing), so that a burst goes out in one transaction. The committer times the quiet
     * itself, looking at the partition's count of outputs at least every half quiet (no clock read per output), so a
     * burst's commit starts 1-1.5 times this after its last output.
     *
     * @param millis of quiet before a commit (default 2: a partition thread descheduled for a moment on a busy
     *               machine should not split a burst into two transactions, the second waiting for the first).
     * @return this.
     */
    public KafkaSinkContext commitQuietMillis(final long millis)
    {
        this.commitQuietMillis = millis;
        return this;
    }

    /**
     * Quiet before a commit.
     *
     * @return milliseconds.
     */
    public long commitQuietMillis()
    {
        return commitQuietMillis;
    }

    /**
     * Exactly once, committing between checkpoints: a partition whose outputs never pause commits at the latest when
     * its oldest uncommitted output has waited this long. Smaller: lower latency under a steady flow of outputs, more
     * transactions.
     *
     * @param millis an output waits for its commit at most, beside the commit itself (default 50).
     * @return this.
     */
    public KafkaSinkContext maxCommitDelayMillis(final long millis)
    {
        this.maxCommitDelayMillis = millis;
        return this;
    }

    /**
     * Longest wait of an output for its commit to start, committing between checkpoints.
     *
     * @return milliseconds.
     */
    public long maxCommitDelayMillis()
    {
        return maxCommitDelayMillis;
    }

    /**
     * Exactly once: the shortest time between the starts of two commits of a partition (0, the default: no spacing).
     * A partition whose outputs are ready (the end of a burst, {@link #maxCommitDelayMillis}, or a completed
     * checkpoint) while its last commit started less than this ago waits for the spacing to pass, then commits
     * everything sent meanwhile in one transaction (at the end of the burst in progress then, or at the latest
     * {@link #maxCommitDelayMillis} later), against the newest completed checkpoint it has passed. The outputs of
     * several bursts and checkpoints thus ride one transaction: the brokers' work per transaction (the coordinator's
     * log, the partitions' verification, the markers, the offsets) is paid once per spacing instead of once per burst,
     * and outputs become visible to {@code read_committed} consumers up to the spacing later. Exactly once is that of
     * a commit between checkpoints (docs/kafka.md, "Commit spacing"). With {@link KafkaSink#inputWaiting} set, the
     * spacing holds only while input waits for the partition: a caught-up partition commits as before.
     *
     * @param millis between the starts of two commits of a partition (default 0); with {@link #maxCommitDelayMillis}
     *               less than half the {@link #transactionTimeoutMillis}.
     * @return this.
     */
    public KafkaSinkContext minCommitSpacingMillis(final long millis)
    {
        this.minCommitSpacingMillis = millis;
        return this;
    }

    /**
     * Shortest time between the starts of two commits of a partition, exactly once.
     *
     * @return milliseconds, 0 for none.
     */
    public long minCommitSpacingMillis()
    {
        return minCommitSpacingMillis;
    }

    /**
     * Whether each record carries the {@value OutputHeaderDescriptor#KEY} header (default true): the Kafka partition and
     * the output's deterministic sequence ({@link OutputHeaderDescriptor}), by which a consumer recognises an output sent
     * again after a crash. Only consumers read it: Sluice's own recovery, exactly once as at least once, and a
     * scale-out hand-over never read the output topic back (an exactly-once sink learns what Kafka committed from its
     * bookkeeping group). Without it each send costs the sink's partition thread ~190 ns and ~190 bytes less, and each
     * record 27 bytes less on the wire and on disk (the header's key, value and their lengths) (perf/README.md sections
     * 115 and 120). Turn it off only for consumers that never drop duplicates by it: those of an exactly-once sink
     * reading {@code read_committed} (they see each output once), or those of an at-least-once sink that accept a
     * duplicate after a crash as it comes.
     *
     * @param enabled false to write records without any header.
     * @return this.
     */
    public KafkaSinkContext outputHeader(final boolean enabled)
    {
        this.outputHeader = enabled;
        return this;
    }

    /**
     * Whether each record carries the {@value OutputHeaderDescriptor#KEY} header.
     *
     * @return true by default.
     */
    public boolean outputHeader()
    {
        return outputHeader;
    }

    /**
     * Extra Kafka client properties (security settings), applied before Sluice's own.
     *
     * @param properties to add.
     * @return this.
     */
    public KafkaSinkContext clientProperties(final Map<String, String> properties)
    {
        clientProperties.putAll(properties);
        return this;
    }

    /**
     * Extra Kafka client properties.
     *
     * @return the properties (live).
     */
    public Properties clientProperties()
    {
        return clientProperties;
    }

    /**
     * The Kafka partition that Sluice partition 0 writes (default 0): a daemon of a scale-out job runs
     * each Kafka partition {@code k} it owns as an engine of one partition whose sink has first
     * partition {@code k}, so its outputs, transactional id and sequence headers are partition
     * {@code k}'s wherever it runs.
     *
     * @param partition the first Kafka partition written.
     * @return this.
     */
    public KafkaSinkContext firstPartition(final int partition)
    {
        this.firstPartition = partition;
        return this;
    }

    /**
     * The Kafka partition that Sluice partition 0 writes.
     *
     * @return the partition.
     */
    public int firstPartition()
    {
        return firstPartition;
    }

    /**
     * The partition count the sink topic must have (default: {@link #partitions()}); a scale-out daemon
     * sets the input topic's count while writing only the partitions it owns.
     *
     * @param count of the topic's partitions.
     * @return this.
     */
    public KafkaSinkContext topicPartitions(final int count)
    {
        this.topicPartitions = count;
        return this;
    }

    /**
     * The partition count the sink topic must have.
     *
     * @return the count.
     */
    public int topicPartitions()
    {
        return topicPartitions == 0 ? partitions : topicPartitions;
    }

    /**
     * A copy of every setting, not concluded, to derive per-partition sinks from one template.
     *
     * @return the copy.
     */
    public KafkaSinkContext copy()
    {
        final KafkaSinkContext copy = new KafkaSinkContext();
        copy.bootstrapServers = bootstrapServers;
        copy.topic = topic;
        copy.transactionalIdPrefix = transactionalIdPrefix;
        copy.partitions = partitions;
        copy.firstPartition = firstPartition;
        copy.topicPartitions = topicPartitions;
        copy.mode = mode;
        copy.format = format;
        copy.keyField = keyField;
        copy.timeoutMillis = timeoutMillis;
        copy.sendBlockMillis = sendBlockMillis;
        copy.maxRetryBackoffMillis = maxRetryBackoffMillis;
        copy.transactionTimeoutMillis = transactionTimeoutMillis;
        copy.lingerMillis = lingerMillis;
        copy.minCheckpointSpacingMillis = minCheckpointSpacingMillis;
        copy.commitBetweenCheckpoints = commitBetweenCheckpoints;
        copy.commitQuietMillis = commitQuietMillis;
        copy.maxCommitDelayMillis = maxCommitDelayMillis;
        copy.minCommitSpacingMillis = minCommitSpacingMillis;
        copy.outputHeader = outputHeader;
        copy.clientProperties.putAll(clientProperties);
        return copy;
    }

    /**
     * Checks every setting once.
     *
     * @return this.
     * @throws KafkaConnectorException naming the missing or invalid setting.
     */
    public KafkaSinkContext conclude()
    {
        if (concluded)
        {
            return this;
        }
        if (bootstrapServers == null || bootstrapServers.isBlank())
        {
            throw new KafkaConnectorException("Kafka sink" + (topic == null ? "" : " to topic '" + topic + "'") + ": no bootstrap servers configured");
        }
        if (topic == null || topic.isBlank())
        {
            throw new KafkaConnectorException("Kafka sink: no topic configured");
        }
        if (transactionalIdPrefix == null || transactionalIdPrefix.isBlank())
        {
            throw new KafkaConnectorException("Kafka sink to topic '" + topic + "': no transactional id prefix (derive it from the job and sink)");
        }
        if (partitions < 1)
        {
            throw new KafkaConnectorException("Kafka sink to topic '" + topic + "': partitions must be the engine's partition count, was " + partitions);
        }
        if (firstPartition < 0 || firstPartition + partitions > topicPartitions())
        {
            throw new KafkaConnectorException("Kafka sink to topic '" + topic + "': partitions " + firstPartition + " to " +
                (firstPartition + partitions - 1) + " do not fit a topic of " + topicPartitions() + " partitions");
        }
        if (mode == null || format == null || timeoutMillis <= 0 || sendBlockMillis <= 0 || transactionTimeoutMillis <= 0 || lingerMillis < 0)
        {
            throw new KafkaConnectorException("Kafka sink to topic '" + topic + "': mode and format are required, timeouts must be positive");
        }
        if (minCheckpointSpacingMillis < 0)
        {
            throw new KafkaConnectorException("Kafka sink to topic '" + topic + "': minCheckpointSpacingMillis must be >= 0, was " +
                minCheckpointSpacingMillis);
        }
        if (commitQuietMillis < 0 || maxCommitDelayMillis < 0)
        {
            throw new KafkaConnectorException("Kafka sink to topic '" + topic + "': commitQuietMillis and maxCommitDelayMillis must be >= 0, were " +
                commitQuietMillis + " and " + maxCommitDelayMillis);
        }
        if (minCommitSpacingMillis < 0 || minCommitSpacingMillis > 0 && minCommitSpacingMillis + maxCommitDelayMillis >= transactionTimeoutMillis / 2)
        {
            // A transaction may stay open the spacing and the delay; at half the timeout the committer aborts it.
            throw new KafkaConnectorException("Kafka sink to topic '" + topic + "': minCommitSpacingMillis must be >= 0 and, with " +
                "maxCommitDelayMillis (" + maxCommitDelayMillis + "), less than half the transaction timeout (" + transactionTimeoutMillis +
                " ms), was " + minCommitSpacingMillis);
        }
        KafkaClientProperties.check(clientProperties, "Kafka sink to topic '" + topic + "'");
        concluded = true;
        return this;
    }
}
