package io.sluice.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.sluice.engine.checkpoint.CheckpointListener;
import io.sluice.engine.checkpoint.CheckpointManifest;
import io.sluice.engine.pipeline.EventSink;
import io.sluice.schema.EventFlyweight;

/**
 * Writes a pipeline's outputs to a Kafka topic: the output of Sluice partition {@code p} goes to
 * Kafka partition {@code p} (the topic must have as many partitions as the engine), keyed by a field
 * or by the output's key, with headers {@value #PARTITION_HEADER} and {@value #SEQUENCE_HEADER}
 * carrying the deterministic output sequence.
 *
 * <h2>Exactly once</h2>
 * One transactional producer per Sluice partition, {@code transactional.id = <prefix>-<p>}: opening the
 * sink fences any older producer with that id (a crashed or moved partition's zombie) and aborts its
 * open transaction. Outputs go into the partition's open transaction. A transaction is committed on
 * the partition thread only once a checkpoint is complete whose barrier the partition has passed
 * (told by {@link #onCheckpointComplete} and {@link #onCheckpoint(int, long)}), at the partition's next
 * output or barrier, or at {@link #close()}; in the same transaction the sink records, as the committed
 * offset of its bookkeeping group {@code <prefix>} for (topic, p), the next output sequence, with the
 * metadata {@code checkpoint <id>}. So Kafka itself knows, atomically with the outputs, which outputs
 * are committed and which checkpoint covers everything before them.
 *
 * <p>After a crash: {@link #restoreCheckpointAtMost()} is the oldest of the partitions' committed
 * checkpoints; the engine must restore no newer one ({@code EngineContext.restoreCheckpointAtMost}), so
 * the replay produces again every output of a transaction that was lost, while outputs whose sequence
 * is below the committed next sequence are recognised and dropped. A {@code read_committed} consumer
 * therefore sees every output exactly once.
 *
 * <h2>At least once</h2>
 * One idempotent producer, outputs sent at once (lowest latency). After a crash the outputs replayed
 * come again, with the same partition and sequence headers.
 *
 * <p>Threading: {@link #onEvent} and {@link #onCheckpoint} on each partition's thread (or the launching
 * thread during recovery), {@link #onCheckpointComplete} on the checkpoint thread, {@link #close()} after
 * the engine is closed. Per output the Kafka client allocates (record, value bytes).
 */
public final class KafkaSink implements EventSink, CheckpointListener, AutoCloseable
{
    /** Header holding the Sluice partition of an output (decimal text). */
    public static final String PARTITION_HEADER = "sluice.partition";
    /** Header holding the output's sequence within its Sluice partition (decimal text). */
    public static final String SEQUENCE_HEADER = "sluice.sequence";
    private static final String CHECKPOINT_PREFIX = "checkpoint ";
    private static final long NONE = -1;

    private final KafkaSinkContext context;
    private final int partitions;
    private final KafkaProducer<byte[], byte[]>[] producers;
    private final EventEncoder[] encoders;
    private final ConsumerGroupMetadata bookkeeping;
    private final TopicPartition[] topicPartitions;
    /** Per partition, the next output sequence Kafka has committed (exactly once) or 0. */
    private final long[] committedNext;
    /** Per partition, the checkpoint id the last commit recorded, or NONE. */
    private final long[] committedCheckpoint;
    /** Per partition, the next sequence to send (one more than the last sent). */
    private final long[] nextSequence;
    /** Per partition, the newest checkpoint barrier passed. */
    private final long[] lastBarrier;
    private final boolean[] inTransaction;
    private final long[] duplicates;
    private final long[] sent;
    private final long[] commits;
    private volatile long completedCheckpoint = NONE;
    /** Per partition, the index of the key field in the output schema, resolved at the first output; -1 for the output key. */
    private final int[] keyField;
    private static final int UNRESOLVED = -2;

    // removal: the bookkeeping group has no members, so there is no consumer to take group metadata from;
    // the group-id-only metadata is what a transactional commit for a member-less group needs (kafka-clients 4.4).
    @SuppressWarnings({"unchecked", "rawtypes", "removal"})
    private KafkaSink(final KafkaSinkContext context)
    {
        this.context = context;
        this.partitions = context.partitions();
        this.keyField = new int[partitions];
        java.util.Arrays.fill(keyField, context.keyField() == null ? -1 : UNRESOLVED);
        this.producers = new KafkaProducer[partitions];
        this.encoders = new EventEncoder[partitions];
        this.topicPartitions = new TopicPartition[partitions];
        this.committedNext = new long[partitions];
        this.committedCheckpoint = new long[partitions];
        this.nextSequence = new long[partitions];
        this.lastBarrier = new long[partitions];
        this.inTransaction = new boolean[partitions];
        this.duplicates = new long[partitions];
        this.sent = new long[partitions];
        this.commits = new long[partitions];
        this.bookkeeping = new ConsumerGroupMetadata(context.transactionalIdPrefix());
        java.util.Arrays.fill(committedCheckpoint, NONE);
        java.util.Arrays.fill(lastBarrier, NONE);
    }

    /**
     * Opens the sink before the engine is launched: checks the topic, creates the producers and, for
     * exactly once, fences zombies and reads what Kafka has committed.
     *
     * @param context settings; concluded here.
     * @return the open sink; give {@link #restoreCheckpointAtMost()} to the engine's context and
     *         register the sink with {@code Engine.addCheckpointListener} once launched.
     * @throws KafkaConnectorException if the brokers cannot be reached within the timeout, the topic is
     *                                 missing or its partition count differs from the engine's.
     */
    public static KafkaSink open(final KafkaSinkContext context)
    {
        context.conclude();
        final KafkaSink sink = new KafkaSink(context);
        try
        {
            sink.checkTopic();
            for (int p = 0; p < sink.partitions; p++)
            {
                sink.topicPartitions[p] = new TopicPartition(context.topic(), context.firstPartition() + p);
                sink.encoders[p] = new EventEncoder(context.format());
                sink.producers[p] = new KafkaProducer<>(sink.producerProperties(p));
                if (context.mode() == SinkMode.EXACTLY_ONCE)
                {
                    // Fences an older producer with this id (a zombie) and aborts its open transaction.
                    sink.producers[p].initTransactions();
                }
            }
            if (context.mode() == SinkMode.EXACTLY_ONCE)
            {
                sink.readCommitted();
            }
        }
        catch (final RuntimeException ex)
        {
            sink.closeProducers();
            // A producer that cannot initialise its transactions in time (brokers down, a coordinator moving) may on a retry.
            throw ex instanceof KafkaConnectorException ? ex : new KafkaConnectorException(
                "Kafka sink to topic '" + context.topic() + "' on " + context.bootstrapServers() + " cannot start: " + ex, ex,
                !(ex instanceof org.apache.kafka.common.errors.AuthenticationException) && !(ex instanceof org.apache.kafka.common.config.ConfigException));
        }
        return sink;
    }

    private void checkTopic()
    {
        try (Admin admin = admin())
        {
            final Map<String, TopicDescription> topics;
            try
            {
                topics = admin.describeTopics(List.of(context.topic())).allTopicNames().get(context.timeoutMillis(), TimeUnit.MILLISECONDS);
            }
            catch (final ExecutionException ex)
            {
                if (ex.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                {
                    throw new KafkaConnectorException("Kafka sink topic '" + context.topic() + "' does not exist on " +
                        context.bootstrapServers() + " (create it with " + context.topicPartitions() + " partitions)", null, true);
                }
                if (ex.getCause() instanceof org.apache.kafka.common.errors.TimeoutException)
                {
                    throw new KafkaConnectorException(unreachable(), ex.getCause(), true);
                }
                throw new KafkaConnectorException(describeFailure(ex.getCause()), ex.getCause(), true);
            }
            catch (final java.util.concurrent.TimeoutException ex)
            {
                throw new KafkaConnectorException(unreachable(), ex, true);
            }
            final int count = topics.get(context.topic()).partitions().size();
            if (count != context.topicPartitions())
            {
                throw new KafkaConnectorException("Kafka sink topic '" + context.topic() + "' has " + count + " partitions but the " +
                    "engine runs " + context.topicPartitions() + ": they must agree, as Sluice partition p writes Kafka partition p");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new KafkaConnectorException("interrupted while describing Kafka sink topic '" + context.topic() + "'", ex);
        }
    }

    private String unreachable()
    {
        return "cannot reach the Kafka brokers " + context.bootstrapServers() + " within " + context.timeoutMillis() +
            " ms to describe sink topic '" + context.topic() + "'";
    }

    /** Why describing the sink topic failed, naming the operation an authorization failure refused. */
    private String describeFailure(final Throwable cause)
    {
        if (cause instanceof org.apache.kafka.common.errors.TopicAuthorizationException)
        {
            return "not authorized to DESCRIBE Kafka sink topic '" + context.topic() + "' on " + context.bootstrapServers() +
                " (grant DESCRIBE and WRITE on the topic to this principal): " + cause.getMessage();
        }
        if (cause instanceof org.apache.kafka.common.errors.AuthenticationException authentication)
        {
            return "cannot describe Kafka sink topic '" + context.topic() + "': " +
                KafkaClientProperties.authenticationFailed(context.bootstrapServers(), authentication);
        }
        return "cannot describe Kafka sink topic '" + context.topic() + "' on " + context.bootstrapServers() + ": " + cause;
    }

    private void readCommitted()
    {
        try (Admin admin = admin())
        {
            final Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(
                    context.transactionalIdPrefix(), new ListConsumerGroupOffsetsOptions().requireStable(true))
                .partitionsToOffsetAndMetadata().get(context.timeoutMillis(), TimeUnit.MILLISECONDS);
            for (int p = 0; p < partitions; p++)
            {
                final OffsetAndMetadata committed = offsets.get(topicPartitions[p]);
                if (committed != null)
                {
                    committedNext[p] = committed.offset();
                    committedCheckpoint[p] = parseCheckpoint(committed.metadata());
                }
                nextSequence[p] = committedNext[p];
            }
        }
        catch (final ExecutionException | java.util.concurrent.TimeoutException ex)
        {
            throw new KafkaConnectorException("cannot read the committed output sequences of group '" + context.transactionalIdPrefix() +
                "' on " + context.bootstrapServers() + ": " + (ex instanceof ExecutionException ? ex.getCause() : ex), ex, true);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new KafkaConnectorException("interrupted while reading committed output sequences", ex);
        }
    }

    private static long parseCheckpoint(final String metadata)
    {
        if (metadata != null && metadata.startsWith(CHECKPOINT_PREFIX))
        {
            try
            {
                return Long.parseLong(metadata.substring(CHECKPOINT_PREFIX.length()));
            }
            catch (final NumberFormatException ex)
            {
                return NONE;
            }
        }
        return NONE;
    }

    /**
     * The newest checkpoint the engine may restore so that no output is lost: the oldest checkpoint
     * recorded by the partitions' last commits; -1 (replay the journal from the start) when a
     * partition has never committed; any for at least once.
     *
     * @return the checkpoint id for {@code EngineContext.restoreCheckpointAtMost}.
     */
    public long restoreCheckpointAtMost()
    {
        if (context.mode() == SinkMode.AT_LEAST_ONCE)
        {
            return Long.MAX_VALUE;
        }
        long oldest = Long.MAX_VALUE;
        for (int p = 0; p < partitions; p++)
        {
            oldest = Math.min(oldest, committedCheckpoint[p]);
        }
        return oldest;
    }

    @Override
    public void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
    {
        if (context.mode() == SinkMode.EXACTLY_ONCE)
        {
            if (sequence < committedNext[partition])
            {
                duplicates[partition]++; // Kafka has it: committed before the crash
                return;
            }
            maybeCommit(partition);
            if (!inTransaction[partition])
            {
                begin(partition);
            }
        }
        final EventEncoder encoder = encoders[partition];
        if (keyField[partition] == UNRESOLVED)
        {
            keyField[partition] = resolveKeyField(event);
        }
        final int field = keyField[partition];
        final byte[] recordKey = field >= 0 ? encoder.fieldText(event, field) : Long.toString(key).getBytes(StandardCharsets.US_ASCII);
        final int kafkaPartition = context.firstPartition() + partition;
        final ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(context.topic(), kafkaPartition, timestamp, recordKey, encoder.encode(event));
        record.headers().add(PARTITION_HEADER, Integer.toString(kafkaPartition).getBytes(StandardCharsets.US_ASCII));
        record.headers().add(SEQUENCE_HEADER, Long.toString(sequence).getBytes(StandardCharsets.US_ASCII));
        try
        {
            producers[partition].send(record);
        }
        catch (final KafkaException ex)
        {
            throw failure(partition, "send", ex);
        }
        nextSequence[partition] = sequence + 1;
        sent[partition]++;
    }

    private int resolveKeyField(final EventFlyweight event)
    {
        if (!event.schema().hasField(context.keyField()))
        {
            throw new KafkaConnectorException("Kafka sink to topic '" + context.topic() + "': key field '" + context.keyField() +
                "' is not a field of the output schema '" + event.schema().name() + "'");
        }
        return event.schema().field(context.keyField()).index();
    }

    @Override
    public void onCheckpoint(final int partition, final long checkpointId)
    {
        if (context.mode() == SinkMode.AT_LEAST_ONCE)
        {
            try
            {
                producers[partition].flush();
            }
            catch (final KafkaException ex)
            {
                throw failure(partition, "flush", ex);
            }
            return;
        }
        if (checkpointId > lastBarrier[partition])
        {
            lastBarrier[partition] = checkpointId;
        }
        maybeCommit(partition);
    }

    @Override
    public void onCheckpointComplete(final CheckpointManifest manifest)
    {
        if (manifest.id() > completedCheckpoint)
        {
            completedCheckpoint = manifest.id(); // volatile: partition threads commit on their next output or barrier
        }
    }

    /**
     * Commits the partition's transaction once a checkpoint the partition has passed is complete: all
     * outputs before that checkpoint's barrier are then in Kafka, with the next sequence and the
     * checkpoint recorded atomically beside them.
     */
    private void maybeCommit(final int partition)
    {
        final long completed = completedCheckpoint;
        if (completed == NONE || completed <= committedCheckpoint[partition] || lastBarrier[partition] < completed)
        {
            return;
        }
        commit(partition, completed);
    }

    private void commit(final int partition, final long checkpoint)
    {
        final KafkaProducer<byte[], byte[]> producer = producers[partition];
        try
        {
            if (!inTransaction[partition])
            {
                begin(partition);
            }
            final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(2);
            offsets.put(topicPartitions[partition], new OffsetAndMetadata(nextSequence[partition], CHECKPOINT_PREFIX + checkpoint));
            producer.sendOffsetsToTransaction(offsets, bookkeeping);
            producer.commitTransaction();
        }
        catch (final KafkaException ex)
        {
            throw failure(partition, "commit", ex);
        }
        inTransaction[partition] = false;
        committedCheckpoint[partition] = checkpoint;
        committedNext[partition] = nextSequence[partition];
        commits[partition]++;
    }

    private void begin(final int partition)
    {
        try
        {
            producers[partition].beginTransaction();
        }
        catch (final KafkaException ex)
        {
            throw failure(partition, "begin a transaction", ex);
        }
        inTransaction[partition] = true;
    }

    private KafkaConnectorException failure(final int partition, final String what, final KafkaException ex)
    {
        for (Throwable t = ex; t != null; t = t.getCause())
        {
            if (t instanceof org.apache.kafka.common.errors.TopicAuthorizationException)
            {
                return new KafkaConnectorException("not authorized to WRITE to Kafka sink topic '" + context.topic() + "' on " +
                    context.bootstrapServers() + " (partition " + partition + ", " + what + "): grant WRITE on the topic to this " +
                    "principal: " + t.getMessage(), ex, true);
            }
            if (t instanceof org.apache.kafka.common.errors.TransactionalIdAuthorizationException)
            {
                return new KafkaConnectorException("not authorized to WRITE transactional id '" + transactionalId(partition) +
                    "' of Kafka sink topic '" + context.topic() + "' on " + context.bootstrapServers() + " (" + what + "): " + t.getMessage(), ex, true);
            }
        }
        if (isFenced(ex))
        {
            return new KafkaConnectorException("Kafka sink partition " + partition + " of topic '" + context.topic() + "' was fenced: " +
                "another producer with transactional id '" + transactionalId(partition) + "' started (the partition moved or a " +
                "second daemon runs the same job); this one stops", ex);
        }
        return new KafkaConnectorException("Kafka sink partition " + partition + " of topic '" + context.topic() + "' on " +
            context.bootstrapServers() + " failed to " + what + ": " + ex.getMessage(), ex);
    }

    private static boolean isFenced(final Throwable error)
    {
        for (Throwable t = error; t != null; t = t.getCause())
        {
            if (t instanceof ProducerFencedException || t instanceof org.apache.kafka.common.errors.InvalidProducerEpochException ||
                (t.getMessage() != null && t.getMessage().contains("fenced")))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Outputs dropped because Kafka had committed them before a restart.
     *
     * @param partition of the outputs.
     * @return the count.
     */
    public long duplicates(final int partition)
    {
        return duplicates[partition];
    }

    /**
     * Outputs sent since the sink opened.
     *
     * @param partition of the outputs.
     * @return the count.
     */
    public long sent(final int partition)
    {
        return sent[partition];
    }

    /**
     * Transactions committed since the sink opened.
     *
     * @param partition of the transactions.
     * @return the count.
     */
    public long commits(final int partition)
    {
        return commits[partition];
    }

    /**
     * The next output sequence Kafka has committed for a partition (exactly once).
     *
     * @param partition of the outputs.
     * @return the sequence.
     */
    public long committedNext(final int partition)
    {
        return committedNext[partition];
    }

    /**
     * The settings.
     *
     * @return the context.
     */
    public KafkaSinkContext context()
    {
        return context;
    }

    String transactionalId(final int partition)
    {
        return context.transactionalIdPrefix() + "-" + (context.firstPartition() + partition);
    }

    /**
     * Called after the engine is closed (its partition threads stopped): commits each open transaction
     * if the newest completed checkpoint covers it (the engine's final checkpoint), aborts it otherwise
     * (recovery will produce those outputs again), and closes the producers.
     */
    @Override
    public void close()
    {
        try
        {
            if (context.mode() == SinkMode.EXACTLY_ONCE)
            {
                for (int p = 0; p < partitions; p++)
                {
                    if (producers[p] == null)
                    {
                        continue;
                    }
                    final long completed = completedCheckpoint;
                    if (completed != NONE && completed > committedCheckpoint[p] && lastBarrier[p] >= completed)
                    {
                        commit(p, completed);
                    }
                    else if (inTransaction[p])
                    {
                        producers[p].abortTransaction();
                        inTransaction[p] = false;
                    }
                }
            }
        }
        finally
        {
            closeProducers();
        }
    }

    private void closeProducers()
    {
        for (final KafkaProducer<byte[], byte[]> producer : producers)
        {
            if (producer != null)
            {
                producer.close(Duration.ofMillis(context.timeoutMillis()));
            }
        }
    }

    private Admin admin()
    {
        final Properties props = new Properties();
        props.putAll(context.clientProperties());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, context.bootstrapServers());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int)context.timeoutMillis());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int)Math.min(context.timeoutMillis(), 30_000));
        return Admin.create(props);
    }

    private Properties producerProperties(final int partition)
    {
        final Properties props = new Properties();
        props.putAll(context.clientProperties());
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, context.bootstrapServers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, transactionalId(partition));
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(context.timeoutMillis()));
        props.put(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(context.lingerMillis()));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        if (context.mode() == SinkMode.EXACTLY_ONCE)
        {
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId(partition));
            props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, String.valueOf(context.transactionTimeoutMillis()));
        }
        return props;
    }
}
