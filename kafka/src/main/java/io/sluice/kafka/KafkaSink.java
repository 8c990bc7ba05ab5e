package io.sluice.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.sluice.engine.checkpoint.CheckpointListener;
import io.sluice.engine.checkpoint.CheckpointManifest;
import io.sluice.engine.pipeline.EventSink;
import io.sluice.schema.EventFlyweight;

/**
 * Writes a pipeline's outputs to a Kafka topic: the output of Sluice partition {@code p} goes to
 * Kafka partition {@code p} (the topic must have as many partitions as the engine), keyed by a field
 * or by the output's key, with the header {@value OutputHeaderDescriptor#KEY} carrying the partition and the
 * deterministic output sequence ({@link OutputHeaderDescriptor}: 12 bytes, big-endian), or with no header at all
 * ({@link KafkaSinkContext#outputHeader(boolean)}: for consumers that never drop duplicates by it; the sink's own
 * recovery never reads it).
 *
 * <h2>Exactly once</h2>
 * One transactional producer per Sluice partition, {@code transactional.id = <prefix>-<p>}: opening the
 * sink fences any older producer with that id (a crashed or moved partition's zombie) and aborts its
 * open transaction. Outputs go into the partition's open transaction as they are produced. The sink's
 * committer ({@link SinkCommitter}) commits the transactions of the partitions that have passed the
 * barrier of a completed checkpoint (told by {@link #onCheckpointComplete} and
 * {@link #onCheckpoint(int, long)}), in parallel, and covers those that sent nothing since their last
 * commit without one; {@link #close()} commits what the final checkpoint covers. In each transaction the
 * sink records, as the committed offset of its bookkeeping group {@code <prefix>} for (topic, p), the
 * next output sequence, with the metadata {@code checkpoint <c> all <a>}. So Kafka itself knows,
 * atomically with the outputs, which outputs are committed and which checkpoints cover everything before
 * them (see {@link TransactionalPartition}). A commit that fails (a fenced producer) fails the
 * partition's next output or barrier with the reason. A refusal at run time (an ACL revoked) does not: the
 * partition keeps its transaction's outputs, reports the refusal ({@link #refusalHandler}), and retries
 * with back-off until granted.
 *
 * <p>After a crash: {@link #restoreCheckpointAtMost()} is the newest checkpoint known to cover every
 * partition; the engine must restore no newer one ({@code EngineContext.restoreCheckpointAtMost}), so
 * the replay produces again every output of a transaction that was lost, while outputs whose sequence
 * is below the committed next sequence are recognised and dropped. A {@code read_committed} consumer
 * therefore sees every output exactly once.
 *
 * <h2>At least once</h2>
 * One idempotent producer, outputs sent at once (lowest latency). A checkpoint completes only once Kafka
 * has acknowledged every output sent before its barriers ({@link #mayComplete}: the engine asks the sink,
 * registered as a checkpoint listener, on its checkpoint thread), so the partition threads never wait at a
 * barrier; a sink not registered flushes at each barrier instead. After a crash the outputs replayed
 * come again, with the same partition and sequence in their header.
 *
 * <p>Threading: {@link #onEvent} and {@link #onCheckpoint} on each partition's thread (or the launching
 * thread during recovery), {@link #onCheckpointComplete} on the checkpoint thread, commits on the sink's
 * committer thread ({@code sluice-kafka-commit-<prefix>}) and its pool (exactly once only), {@link #close()}
 * after the engine is closed. Per output the Kafka client allocates (record, value bytes).
 */
public final class KafkaSink implements EventSink, CheckpointListener, AutoCloseable
{
    private static final long NONE = TransactionalPartition.NONE;
    /**
     * The producers' first retry back-off (the client's default is 100 ms): a transaction's offsets request is
     * retried after it, both when the producer first looks up the bookkeeping group's coordinator and when the
     * broker answers CONCURRENT_TRANSACTIONS because the previous commit is still being completed; each such
     * retry delayed the outputs of the commit by the whole back-off. Later retries still back off exponentially
     * (up to {@code retry.backoff.max.ms}). A {@code retry.backoff.ms} in the client properties wins.
     */
    private static final long RETRY_BACKOFF_MILLIS = 10;
    /**
     * The producers' longest retry back-off (the client's default is 1000 ms): the back-off grows exponentially from
     * {@link #RETRY_BACKOFF_MILLIS}, and a commit that starts while the brokers still complete the previous one (commits
     * between checkpoints follow each other closely) may be answered CONCURRENT_TRANSACTIONS several times. A
     * {@code retry.backoff.max.ms} in the client properties wins.
     */
    private static final long RETRY_BACKOFF_MAX_MILLIS = 50;

    /**
     * The producers' {@code batch.size}, 256 KiB instead of the client's 16 KiB: a producer's request carries at
     * most one batch per partition, and each Sluice partition's producer writes one Kafka partition, so with 16 KiB
     * batches a window firing's burst of outputs (thousands of rows) went out 16 KiB per request, five requests in
     * flight; the broker's raw produce+consume of the benchmark's records ran 3-4x faster at 256 KiB than at the
     * default (perf/README.md, the Kafka ceiling). An open batch takes its 256 KiB from the producer's 32 MiB
     * {@code buffer.memory}, and a partition has one open at a time. A {@code batch.size} in the
     * client properties wins.
     */
    public static final int BATCH_BYTES = 256 * 1024;

    /** The producers' {@code metadata.max.idle.ms}: a week, so an idle partition keeps its topic's metadata. */
    private static final long METADATA_MAX_IDLE_MILLIS = TimeUnit.DAYS.toMillis(7);

    private final KafkaSinkContext context;
    private final int partitions;
    private final KafkaProducer<byte[], byte[]>[] producers;
    private final EventEncoder[] encoders;
    /** Per partition: its records' header ({@value OutputHeaderDescriptor#KEY}); null for records without one. */
    private final OutputHeaders[] headers;
    /** Exactly once: the bookkeeping group, for the offsets each transaction commits. */
    private ConsumerGroupMetadata bookkeeping;
    private final TopicPartition[] topicPartitions;
    /** Per partition, the next output sequence Kafka had committed when the sink opened (exactly once) or 0. */
    private final long[] committedNext;
    /** Per partition, the checkpoint id the last commit before the sink opened recorded, or NONE. */
    private final long[] committedCheckpoint;
    /** Per partition, the checkpoint covering every partition the last commit before the sink opened recorded, or NONE. */
    private final long[] committedCoveringAll;
    /** Exactly once: per partition, its producer and open transaction. */
    private final TransactionalPartition[] transactions;
    private final long[] duplicates;
    private final long[] sent;
    /** Exactly once: commits the transactions. */
    private SinkCommitter committer;
    /** Exactly once: reports a transaction left open on the sink's partitions that the sink does not hold. */
    private HangingTransactionWatch hangingWatch;
    /** At least once: per partition, its sends and their acknowledgements (the producer's I/O thread counts them). */
    private final SendAcknowledgements[] acknowledgements;
    /**
     * At least once: the engine asks this sink before completing a checkpoint ({@link #mayComplete}), so a barrier
     * need not wait for its outputs' acknowledgements; until it has (the sink not registered as a checkpoint
     * listener), a barrier flushes the producer and waits, as the only way to keep the checkpoint behind them.
     */
    private volatile boolean gating;
    /** Told of each refusal a partition retries; see {@link #refusalHandler}. */
    private volatile Consumer<Throwable> refusalHandler;
    /** Per partition, the index of the key field in the output schema, resolved at the first output; -1 for the output key. */
    private final int[] keyField;
    private static final int UNRESOLVED = -2;

    @SuppressWarnings({"unchecked", "rawtypes"})
    private KafkaSink(final KafkaSinkContext context)
    {
        this.context = context;
        this.partitions = context.partitions();
        this.keyField = new int[partitions];
        java.util.Arrays.fill(keyField, context.keyField() == null ? -1 : UNRESOLVED);
        this.producers = new KafkaProducer[partitions];
        this.encoders = new EventEncoder[partitions];
        this.headers = new OutputHeaders[partitions];
        for (int p = 0; p < partitions && context.outputHeader(); p++)
        {
            headers[p] = new OutputHeaders(context.firstPartition() + p);
        }
        this.topicPartitions = new TopicPartition[partitions];
        this.committedNext = new long[partitions];
        this.committedCheckpoint = new long[partitions];
        this.committedCoveringAll = new long[partitions];
        this.transactions = new TransactionalPartition[partitions];
        this.duplicates = new long[partitions];
        this.sent = new long[partitions];
        this.acknowledgements = new SendAcknowledgements[partitions];
        for (int p = 0; p < partitions; p++)
        {
            acknowledgements[p] = new SendAcknowledgements();
        }
        java.util.Arrays.fill(committedCheckpoint, NONE);
        java.util.Arrays.fill(committedCoveringAll, NONE);
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
                sink.producers[p] = sink.newProducer(p);
                if (context.mode() == SinkMode.EXACTLY_ONCE)
                {
                    sink.initTransactions(p);
                }
            }
            if (context.mode() == SinkMode.EXACTLY_ONCE)
            {
                sink.bookkeeping = sink.bookkeepingGroup();
                sink.readCommitted();
                final long restoreAtMost = sink.restoreCheckpointAtMost();
                for (int p = 0; p < sink.partitions; p++)
                {
                    sink.transactions[p] = new TransactionalPartition(p, sink.producers[p], sink.topicPartitions[p], sink.bookkeeping,
                        sink::failure, sink.committedCheckpoint[p], sink.committedNext[p], sink::wakeCommitter, sink::reopen, sink::onRefusal,
                        context.timeoutMillis());
                    sink.transactions[p].covered(restoreAtMost);
                }
                long recordedAll = NONE;
                for (final long coveringAll : sink.committedCoveringAll)
                {
                    recordedAll = Math.max(recordedAll, coveringAll);
                }
                sink.committer = new SinkCommitter("sluice-kafka-commit-" + context.transactionalIdPrefix(), sink.transactions,
                    context.minCheckpointSpacingMillis(), recordedAll, CommitPacing.of(context), context.transactionTimeoutMillis() / 2);
                sink.committer.start();
                final long stuckMillis = context.transactionTimeoutMillis() / 2;
                sink.hangingWatch = new HangingTransactionWatch("sluice-kafka-txn-watch-" + context.transactionalIdPrefix(),
                    sink.transactions, sink.topicPartitions, sink::admin, Math.max(100, Math.min(10_000, stuckMillis / 10)), stuckMillis,
                    sink::onRefusal, "Kafka sink topic '" + context.topic() + "' on " + context.bootstrapServers(), context.transactionalIdPrefix());
                sink.hangingWatch.start();
            }
        }
        catch (final RuntimeException ex)
        {
            sink.closeProducers();
            // Only a setting a retry cannot change stops the start: brokers down, a coordinator moving, a refused
            // credential or ACL (fixed by an operator meanwhile) may pass on a retry.
            throw ex instanceof KafkaConnectorException ? ex : new KafkaConnectorException(
                "Kafka sink to topic '" + context.topic() + "' on " + context.bootstrapServers() + " cannot start: " + ex, ex,
                !(ex instanceof org.apache.kafka.common.config.ConfigException));
        }
        return sink;
    }

    /**
     * Initialises a partition's transactions: fences an older producer with its id (a zombie) and
     * aborts its open transaction.
     *
     * @throws KafkaConnectorException naming what the brokers refused (the transactional id, the
     *                                 credentials) or that they were unreachable; retriable.
     */
    private void initTransactions(final int partition)
    {
        try
        {
            final KafkaProducer<byte[], byte[]> producer = producers[partition];
            PatientCall.run(producer::initTransactions, context.timeoutMillis());
        }
        catch (final KafkaException ex)
        {
            final String refused = refusal(partition, ex);
            if (refused != null)
            {
                throw new KafkaConnectorException(refused, ex, true);
            }
            if (ex instanceof org.apache.kafka.common.errors.TimeoutException)
            {
                throw new KafkaConnectorException("cannot initialise the transactions of transactional id '" + transactionalId(partition) +
                    "' on the Kafka brokers " + context.bootstrapServers() + " within " + context.timeoutMillis() + " ms", ex, true);
            }
            throw new KafkaConnectorException("cannot initialise the transactions of transactional id '" + transactionalId(partition) +
                "' of Kafka sink topic '" + context.topic() + "' on " + context.bootstrapServers() + ": " + ex, ex,
                !(ex instanceof org.apache.kafka.common.config.ConfigException));
        }
    }

    /**
     * What the brokers refused to this sink's principal, naming the resource, the operation to grant
     * and the partition, or null if the failure is no refusal.
     */
    private String refusal(final int partition, final Throwable error)
    {
        for (Throwable t = error; t != null; t = t.getCause())
        {
            // A refused TxnOffsetCommit comes as a plain KafkaException naming the error.
            if (t instanceof org.apache.kafka.common.errors.TopicAuthorizationException ||
                (t.getMessage() != null && t.getMessage().endsWith("Topic authorization failed.")))
            {
                return "not authorized to WRITE to (or READ) Kafka sink topic '" + context.topic() + "' on " + context.bootstrapServers() +
                    " (partition " + partition + "): grant WRITE and READ on the topic to this principal (READ: each transaction " +
                    "commits the next output sequence as the offset of group '" + context.transactionalIdPrefix() + "' for the topic): " +
                    t.getMessage();
            }
            if (t instanceof org.apache.kafka.common.errors.TransactionalIdAuthorizationException)
            {
                return "not authorized to use transactional id '" + transactionalId(partition) + "' of Kafka sink topic '" + context.topic() +
                    "' on " + context.bootstrapServers() + ": grant WRITE and DESCRIBE on the transactional ids prefixed '" +
                    context.transactionalIdPrefix() + "-' to this principal: " + t.getMessage();
            }
            if (t instanceof org.apache.kafka.common.errors.GroupAuthorizationException)
            {
                return "not authorized to use group '" + context.transactionalIdPrefix() + "', where Kafka sink topic '" + context.topic() +
                    "' on " + context.bootstrapServers() + " records its committed output sequences: grant READ and DESCRIBE on the " +
                    "group to this principal: " + t.getMessage();
            }
            if (t instanceof org.apache.kafka.common.errors.ClusterAuthorizationException)
            {
                return "not authorized to write idempotently to the Kafka cluster " + context.bootstrapServers() + " (sink topic '" +
                    context.topic() + "'): grant IDEMPOTENT_WRITE on the cluster to this principal: " + t.getMessage();
            }
            if (t instanceof org.apache.kafka.common.errors.AuthenticationException authentication)
            {
                return "Kafka sink topic '" + context.topic() + "': " +
                    KafkaClientProperties.authenticationFailed(context.bootstrapServers(), authentication);
            }
        }
        return null;
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
            catch (final TimeoutException ex)
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

    /**
     * The bookkeeping group's metadata, as a consumer of that group which never joins it gives it: no
     * generation, no member, which is what a transactional offset commit for a group without members
     * takes (the public constructors of {@link ConsumerGroupMetadata} are deprecated for removal). The
     * consumer is never polled, so it does not connect.
     */
    private ConsumerGroupMetadata bookkeepingGroup()
    {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, context.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, context.transactionalIdPrefix());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, context.transactionalIdPrefix() + "-bookkeeping");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props))
        {
            return consumer.groupMetadata();
        }
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
                    committedCheckpoint[p] = TransactionalPartition.parseCheckpoint(committed.metadata());
                    committedCoveringAll[p] = TransactionalPartition.parseCoveringAll(committed.metadata());
                }
            }
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            final String refused = refusal(0, ex);
            throw new KafkaConnectorException(refused != null ? refused : "cannot read the committed output sequences of group '" +
                context.transactionalIdPrefix() + "' on " + context.bootstrapServers() + ": " +
                (ex instanceof ExecutionException ? ex.getCause() : ex), ex, true);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new KafkaConnectorException("interrupted while reading committed output sequences", ex);
        }
    }

    /**
     * The newest checkpoint the engine may restore so that no output is lost: the newer of the oldest
     * checkpoint recorded by the partitions' last commits and the newest checkpoint a commit recorded
     * as covering every partition (see {@link TransactionalPartition#metadata}); -1 (replay the journal
     * from the start) when neither is known; any for at least once.
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
        long coveringAll = NONE;
        for (int p = 0; p < partitions; p++)
        {
            oldest = Math.min(oldest, committedCheckpoint[p]);
            coveringAll = Math.max(coveringAll, committedCoveringAll[p]);
        }
        return Math.max(oldest, coveringAll);
    }

    @Override
    public void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
    {
        if (context.mode() == SinkMode.EXACTLY_ONCE && sequence < committedNext[partition])
        {
            duplicates[partition]++; // Kafka has it: committed before the crash
            return;
        }
        final EventEncoder encoder = encoders[partition];
        if (keyField[partition] == UNRESOLVED)
        {
            keyField[partition] = resolveKeyField(event);
        }
        final int field = keyField[partition];
        final byte[] recordKey = field >= 0 ? encoder.fieldText(event, field) : AsciiDecimal.bytes(key);
        final OutputHeaders header = headers[partition];
        final ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(context.topic(), context.firstPartition() + partition, timestamp,
            recordKey, encoder.encode(event), header == null ? null : header.of(sequence));
        if (context.mode() == SinkMode.EXACTLY_ONCE)
        {
            transactions[partition].send(record, sequence);
        }
        else
        {
            try
            {
                producers[partition].send(record, acknowledgements[partition]);
                acknowledgements[partition].sent();
            }
            catch (final KafkaException ex)
            {
                acknowledgements[partition].refused(ex); // no later barrier may pass over the lost output
                throw failure(partition, "send", ex);
            }
        }
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
            final SendAcknowledgements acks = acknowledgements[partition];
            acks.barrier();
            if (checkpointId == NONE || !gating)
            {
                // Nobody will ask this sink before the checkpoint completes: wait here for every send before the barrier.
                try
                {
                    producers[partition].flush();
                }
                catch (final KafkaException ex)
                {
                    throw failure(partition, "flush", ex);
                }
            }
            // A send known to have failed must not be covered by this checkpoint (mayComplete checks the later ones).
            final Exception failed = acks.failed();
            if (failed != null)
            {
                throw sendFailure(partition, failed);
            }
            return;
        }
        if (checkpointId == NONE)
        {
            return;
        }
        transactions[partition].barrier(checkpointId);
        // The checkpoint may have completed before this partition got here (its snapshot was taken first).
        committer.barrierPassed(checkpointId);
    }

    /**
     * At least once: a checkpoint may complete once every output sent before its barriers is acknowledged by
     * Kafka; the partition threads went on past the barriers meanwhile. Exactly once: always (its transactions
     * commit after the checkpoint completes). Called by the engine's checkpoint thread, once the sink is
     * registered with {@code Engine.addCheckpointListener}; from then on barriers do not wait.
     *
     * @param checkpointId whose barriers every partition has passed.
     * @return true if the outputs before its barriers are in Kafka.
     * @throws KafkaConnectorException if one of them failed (a refused WRITE, an expired batch): the checkpoint
     *                                 must not complete, so that the replay after a restart produces it again.
     */
    @Override
    public boolean mayComplete(final long checkpointId)
    {
        if (context.mode() != SinkMode.AT_LEAST_ONCE)
        {
            return true;
        }
        gating = true;
        boolean acknowledged = true;
        for (int p = 0; p < partitions; p++)
        {
            final SendAcknowledgements acks = acknowledgements[p];
            acknowledged &= acks.barrierCompleted();
            final Exception failed = acks.failed();
            if (failed != null)
            {
                throw sendFailure(p, failed);
            }
        }
        return acknowledged;
    }

    private KafkaConnectorException sendFailure(final int partition, final Exception failed)
    {
        return failure(partition, "send", failed instanceof KafkaException kafka ? kafka : new KafkaException(failed));
    }

    @Override
    public void onCheckpointComplete(final CheckpointManifest manifest)
    {
        if (committer != null)
        {
            committer.checkpointCompleted(manifest.id());
        }
    }

    /**
     * Exactly once: lets the sink ask the engine for a checkpoint when outputs wait for one (at most
     * once per {@link KafkaSinkContext#minCheckpointSpacingMillis}), so they are committed within
     * about one checkpoint's duration instead of waiting for the next periodic checkpoint. Called on the
     * sink's committer thread, never on a partition thread.
     *
     * <pre>{@code sink.checkpointTrigger(engine::checkpoint);   // after Engine.launch}</pre>
     *
     * @param trigger starts a checkpoint, or does nothing if one is in flight ({@code Engine.checkpoint}).
     */
    public void checkpointTrigger(final Runnable trigger)
    {
        if (committer != null)
        {
            committer.checkpointTrigger(trigger);
        }
    }

    /**
     * Exactly once, with a commit spacing ({@link KafkaSinkContext#minCommitSpacingMillis}): tells the sink whether
     * more input waits for a partition, so that the spacing holds a partition's commits only while it does (a
     * partition working through a backlog gathers several bursts per transaction; one that has caught up commits each
     * burst at its end, as without a spacing). Without it the spacing always holds. Called on the committer thread
     * each time a partition's commit could start; it must be cheap and never block.
     *
     * <pre>{@code sink.inputWaiting(source::inputWaiting);   // a KafkaSource feeding the pipeline, partition p to p}</pre>
     *
     * @param waiting whether input waits for a Sluice partition of this sink, or null for none.
     */
    public void inputWaiting(final java.util.function.IntPredicate waiting)
    {
        if (committer != null)
        {
            committer.inputWaiting(waiting);
        }
    }

    /**
     * Checkpoints this sink asked the engine for ({@link #checkpointTrigger}).
     *
     * @return the count since the sink opened.
     */
    public long checkpointsAsked()
    {
        return committer == null ? 0 : committer.checkpointsAsked();
    }

    /**
     * Exactly once: where the sink reports each refusal it retries at run time (an ACL revoked, a credential
     * no longer accepted: a send, a commit or the retry refused), e.g. the engine's error log. The message
     * names the resource, the operation to grant and the partition; the partition keeps the outputs of its
     * open transaction and retries with back-off, and commits them once granted, exactly once (see
     * {@link TransactionalPartition}). Called on the committer or a partition thread.
     *
     * <pre>{@code sink.refusalHandler(engine.errorLog()::record);   // after Engine.launch}</pre>
     *
     * @param handler of the refusals, or null to count them only ({@link #refusals(int)}).
     */
    public void refusalHandler(final Consumer<Throwable> handler)
    {
        this.refusalHandler = handler;
    }

    private void onRefusal(final Throwable refusal)
    {
        final Consumer<Throwable> handler = refusalHandler;
        if (handler != null)
        {
            handler.accept(refusal);
        }
    }

    /**
     * Exactly once: replaces a partition's refused producer with a new one of the same transactional id,
     * whose initialisation fences the old one and aborts its refused transaction. Committer thread.
     */
    private KafkaProducer<byte[], byte[]> reopen(final int partition)
    {
        if (producers[partition] != null)
        {
            producers[partition].close(Duration.ZERO);
            producers[partition] = null; // an attempt that fails below leaves none to close again
        }
        producers[partition] = newProducer(partition);
        initTransactions(partition);
        return producers[partition];
    }

    /**
     * Exactly once: refusals a partition met at run time (revoked ACLs, rejected credentials), each retried.
     *
     * @param partition of the sink.
     * @return the count since the sink opened.
     */
    public long refusals(final int partition)
    {
        return transactions[partition] == null ? 0 : transactions[partition].refusals();
    }

    /**
     * Exactly once: the last refusal of a partition, naming the ACL to grant.
     *
     * @param partition of the sink.
     * @return the message, or null if none.
     */
    public String lastRefusal(final int partition)
    {
        return transactions[partition] == null ? null : transactions[partition].lastRefusal();
    }

    /**
     * Exactly once: sends, commits and retries of a partition that the brokers did not answer (unreachable, timed
     * out, a partition or coordinator unavailable), each retried with back-off off the partition thread, its
     * outputs kept meanwhile (reported like a refusal, {@link #refusalHandler}).
     *
     * @param partition of the sink.
     * @return the count since the sink opened.
     */
    public long interruptions(final int partition)
    {
        return transactions[partition] == null ? 0 : transactions[partition].interruptions();
    }

    /**
     * Exactly once: transactions of a partition that the sink ended by aborting them, each reported with its reason
     * ({@link #lastAbort}, {@link #refusalHandler}): one open too long without a commit (half the transaction timeout;
     * its outputs are kept and committed later), one the brokers refused or did not answer (aborted by a new producer
     * with the same transactional id before its outputs are sent again), a failed partition's, and one not covered
     * by a checkpoint at close.
     *
     * @param partition of the sink.
     * @return the count since the sink opened.
     */
    public long abortedTransactions(final int partition)
    {
        return transactions[partition] == null ? 0 : transactions[partition].aborts();
    }

    /**
     * Exactly once: transactions found open on a partition's Kafka partition that the sink does not hold (its last
     * stable offset stuck below the log end for half the transaction timeout while the sink had nothing
     * uncommitted there), each reported once with what to do ({@link #refusalHandler}); see {@link HangingTransactionWatch}.
     *
     * @param partition of the sink.
     * @return the count since the sink opened.
     */
    public long hangingTransactions(final int partition)
    {
        return hangingWatch == null ? 0 : hangingWatch.hanging(partition);
    }

    /**
     * Exactly once: why the sink last aborted a partition's transaction.
     *
     * @param partition of the sink.
     * @return the reason, or null if none was aborted.
     */
    public String lastAbort(final int partition)
    {
        return transactions[partition] == null ? null : transactions[partition].lastAbort();
    }

    /**
     * Exactly once: whether a partition's refused transaction waits to be retried (its outputs kept, not sent).
     *
     * @param partition of the sink.
     * @return true while retrying.
     */
    public boolean retrying(final int partition)
    {
        return transactions[partition] != null && transactions[partition].retrying();
    }

    private void wakeCommitter()
    {
        final SinkCommitter sinkCommitter = committer;
        if (sinkCommitter != null)
        {
            sinkCommitter.wake();
        }
    }

    private KafkaConnectorException failure(final int partition, final String what, final KafkaException ex)
    {
        final String refused = refusal(partition, ex);
        if (refused != null)
        {
            return new KafkaConnectorException(refused + " (" + what + ")", ex, true);
        }
        if (isFenced(ex))
        {
            return new KafkaConnectorException("Kafka sink partition " + partition + " of topic '" + context.topic() + "' was fenced: " +
                "another producer with transactional id '" + transactionalId(partition) + "' started (the partition moved or a " +
                "second daemon runs the same job); this one stops", ex);
        }
        if (isUnavailable(ex))
        {
            return new KafkaConnectorException("Kafka sink partition " + partition + " of topic '" + context.topic() + "': the Kafka brokers " +
                context.bootstrapServers() + " did not answer the " + what + " in time (unreachable, or the partition or the transaction " +
                "coordinator unavailable): " + ex.getMessage(), ex, true);
        }
        return new KafkaConnectorException("Kafka sink partition " + partition + " of topic '" + context.topic() + "' on " +
            context.bootstrapServers() + " failed to " + what + ": " + ex.getMessage(), ex);
    }

    /**
     * Whether a failure is the brokers' unavailability, which passes: a request timed out (the brokers unreachable,
     * a send that waited {@link KafkaSinkContext#sendBlockMillis} for metadata or buffer room, a batch expired),
     * a Kafka error the client calls retriable (no leader, a coordinator moving), or a transaction the brokers
     * ask to abort and retry. Not a fenced producer.
     */
    static boolean isUnavailable(final Throwable error)
    {
        if (isFenced(error))
        {
            return false;
        }
        for (Throwable t = error; t != null; t = t.getCause())
        {
            if (t instanceof org.apache.kafka.common.errors.RetriableException ||
                t instanceof org.apache.kafka.common.errors.TransactionAbortableException)
            {
                return true;
            }
        }
        return false;
    }

    static boolean isFenced(final Throwable error)
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
        return transactions[partition] == null ? 0 : transactions[partition].commits();
    }

    /**
     * Checkpoints that covered a partition without a commit, because it had sent nothing since its
     * last commit (exactly once).
     *
     * @param partition of the transactions.
     * @return the count since the sink opened.
     */
    public long skippedCommits(final int partition)
    {
        return transactions[partition] == null ? 0 : transactions[partition].skipped();
    }

    /**
     * Exactly once, with a commit spacing ({@link KafkaSinkContext#minCommitSpacingMillis}): commits of a partition the
     * spacing held back, each counted once: outputs waited for a commit (a completed checkpoint passed) less than the
     * spacing after the partition's last commit started, so they rode a transaction that started when the spacing
     * ended, with whatever came meanwhile.
     *
     * @param partition of the transactions.
     * @return the count since the sink opened.
     */
    public long commitsHeldBySpacing(final int partition)
    {
        return transactions[partition] == null ? 0 : transactions[partition].spacingHolds();
    }

    /**
     * Time the committer spent committing a partition's transactions (flush, offsets, end of the
     * transaction), exactly once.
     *
     * @param partition of the transactions.
     * @return nanoseconds since the sink opened.
     */
    public long commitNanos(final int partition)
    {
        return transactions[partition] == null ? 0 : transactions[partition].commitNanos();
    }

    /**
     * Of {@link #commitNanos}: the flush of what was sent before each commit (before the commit takes the producer
     * from the partition thread), exactly once.
     *
     * @param partition of the transactions.
     * @return nanoseconds since the sink opened.
     */
    public long commitFlushNanos(final int partition)
    {
        return transactions[partition] == null ? 0 : transactions[partition].flushNanos();
    }

    /**
     * Of {@link #commitNanos}: the bookkeeping offsets request of each commit (the committed next sequence), during
     * which the partition's outputs are handed over, exactly once.
     *
     * @param partition of the transactions.
     * @return nanoseconds since the sink opened.
     */
    public long commitOffsetsNanos(final int partition)
    {
        return transactions[partition] == null ? 0 : transactions[partition].offsetsNanos();
    }

    /**
     * Of {@link #commitNanos}: the end of each transaction (its commit request until the brokers answered), during
     * which the partition's outputs are handed over, exactly once.
     *
     * @param partition of the transactions.
     * @return nanoseconds since the sink opened.
     */
    public long commitEndNanos(final int partition)
    {
        return transactions[partition] == null ? 0 : transactions[partition].endNanos();
    }

    /**
     * The partition's producer's own count of retried record batches ({@code record-retry-total}: a send the brokers
     * answered with a retriable error, such as a new transaction's first batch while the previous one's markers are
     * still being written).
     *
     * @param partition of the sink.
     * @return the count since the producer was created.
     */
    public long producerRetries(final int partition)
    {
        final KafkaProducer<byte[], byte[]> producer = producers[partition];
        if (producer == null)
        {
            return 0;
        }
        for (final Map.Entry<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> metric : producer.metrics().entrySet())
        {
            if (metric.getKey().name().equals("record-retry-total") && metric.getKey().group().equals("producer-metrics"))
            {
                return (long)((Number)metric.getValue().metricValue()).doubleValue();
            }
        }
        return 0;
    }

    /**
     * Outputs the partition thread handed over to be sent after a commit in progress (instead of
     * waiting for it), exactly once.
     *
     * @param partition of the outputs.
     * @return the count since the sink opened.
     */
    public long handedOver(final int partition)
    {
        return transactions[partition] == null ? 0 : transactions[partition].handedOver();
    }

    /** The failure of a partition's last commit, or null. */
    KafkaConnectorException failure(final int partition)
    {
        return transactions[partition] == null ? null : transactions[partition].failure();
    }

    /**
     * The next output sequence Kafka has committed for a partition (exactly once).
     *
     * @param partition of the outputs.
     * @return the sequence.
     */
    public long committedNext(final int partition)
    {
        return transactions[partition] == null ? committedNext[partition] : transactions[partition].committedNext();
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
            if (committer != null)
            {
                final KafkaConnectorException failed = closeCommitter();
                if (failed != null)
                {
                    throw failed;
                }
            }
        }
        finally
        {
            closeProducers();
        }
    }

    private KafkaConnectorException closeCommitter()
    {
        try
        {
            hangingWatch.close();
            return committer.close();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new KafkaConnectorException("interrupted while stopping the committer of Kafka sink topic '" + context.topic() + "'", ex);
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

    /**
     * A partition's producer, with the topic's metadata fetched now (on the opening or committer thread), so that no
     * send waits for it on the partition thread (it did, up to max.block.ms, while the brokers were unreachable).
     */
    private KafkaProducer<byte[], byte[]> newProducer(final int partition)
    {
        final KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(partition));
        try
        {
            PatientCall.run(() -> producer.partitionsFor(context.topic()), context.timeoutMillis());
            return producer;
        }
        catch (final KafkaException ex)
        {
            producer.close(Duration.ZERO);
            throw new KafkaConnectorException("cannot read the metadata of Kafka sink topic '" + context.topic() + "' on " +
                context.bootstrapServers() + " within " + context.timeoutMillis() + " ms: " + ex.getMessage(), ex, true);
        }
    }

    private Properties producerProperties(final int partition)
    {
        final Properties props = new Properties();
        props.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, String.valueOf(RETRY_BACKOFF_MILLIS));
        props.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, String.valueOf(RETRY_BACKOFF_MAX_MILLIS));
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(BATCH_BYTES));
        props.putAll(context.clientProperties());
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, context.bootstrapServers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, transactionalId(partition));
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // Exactly once: a partition thread's send waits at most sendBlockMillis (metadata, buffer room), then the partition
        // keeps its outputs; the committer repeats its calls (PatientCall). At least once keeps no outputs: a full buffer
        // holds the partition thread back up to the timeout, as before, rather than failing its checkpoints.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(
            context.mode() == SinkMode.EXACTLY_ONCE ? context.sendBlockMillis() : context.timeoutMillis()));
        // The topic's metadata stays while a partition sends nothing (the default drops it after 5 idle minutes, and
        // the next send would then wait for it on the partition thread, all of max.block.ms if the brokers are away).
        props.put(ProducerConfig.METADATA_MAX_IDLE_CONFIG, String.valueOf(METADATA_MAX_IDLE_MILLIS));
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
