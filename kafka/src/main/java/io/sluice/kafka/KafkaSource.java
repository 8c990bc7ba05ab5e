package io.sluice.kafka;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;

import io.sluice.engine.checkpoint.CheckpointListener;
import io.sluice.engine.checkpoint.CheckpointManifest;
import io.sluice.engine.checkpoint.PartitionCheckpoint;
import io.sluice.engine.checkpoint.SourcePositions;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.ExternalSourcePublisher;

/**
 * Reads a Kafka topic into a source topic of the engine, exactly once: Kafka partition {@code p} feeds
 * Sluice partition {@code p}; every record is journaled with its Kafka offset (the engine's external
 * source hook), and after a restart each partition resumes at the offset after the last one journaled,
 * so nothing is lost and nothing is journaled twice. Completed checkpoints commit the offsets they
 * cover to the consumer group, for lag monitoring only (the journal, not the group, is the truth).
 *
 * <p>Bad input: unreachable brokers and a missing topic are recorded ({@link #lastError()}) and retried
 * with a doubling back-off up to {@link KafkaSourceContext#maxBackoffMillis()}; a partition count that
 * differs from the engine's fails the source ({@link State#FAILED}) with a message saying so; a record
 * that does not decode is counted and sent to the dead-letter topic with the reason in a header, or,
 * with {@link KafkaSourceContext#haltOnError(boolean)}, fails the source at that record (a restart meets
 * it again).
 *
 * <p>Threading: one polling thread, "sluice-kafka-source-" + topic, owns the consumer and the
 * dead-letter producer; any thread may read the counters and state and call {@link #close()}.
 * Per record the Kafka client allocates its record and the key's and value's views of the fetch
 * buffer (values are read through {@code ByteBufferDeserializer}, never copied into arrays); a BINARY
 * value is copied once, into the ring slot, while text formats build strings.
 */
public final class KafkaSource implements AutoCloseable
{
    /** Header of a dead-letter record: why its record was rejected. */
    public static final String ERROR_HEADER = "sluice.error";
    /** Header of a dead-letter record: topic, partition and offset it came from. */
    public static final String ORIGIN_HEADER = "sluice.origin";

    private static final long HELD_BACK_LAG_REFRESH_MILLIS = 250;
    private static final long HELD_BACK_PARK_NANOS = 1_000;

    /** Life of a source. */
    public enum State
    {
        /** Waiting for the brokers or the topic (see {@link KafkaSource#lastError()}). */
        CONNECTING,
        /** Polling and publishing. */
        RUNNING,
        /** Stopped by a configuration error or a malformed record under halt; see {@link KafkaSource#lastError()}. */
        FAILED,
        /** Closed. */
        CLOSED
    }

    private final KafkaSourceContext context;
    private final ExternalSourcePublisher publisher;
    private final Engine engine;
    private final RecordDecoder decoder;
    private final Thread thread;
    private final AtomicReference<Map<TopicPartition, OffsetAndMetadata>> toCommit = new AtomicReference<>();
    private final CheckpointListener listener = this::onCheckpointComplete;
    private KafkaConsumer<ByteBuffer, ByteBuffer> consumer;
    private List<TopicPartition> assigned = List.of();
    private DeadLetters deadLetters;
    private volatile State state = State.CONNECTING;
    private volatile String lastError;
    private volatile boolean running = true;
    private volatile long records;
    private volatile long malformed;
    private volatile long retries;
    private volatile long authorizationFailures;
    private volatile long[] lag = new long[0];
    private volatile long deadLettered;

    private KafkaSource(final Engine engine, final KafkaSourceContext context)
    {
        this.engine = engine;
        this.context = context;
        this.publisher = engine.externalSource(context.sluiceTopic());
        this.decoder = new RecordDecoder(publisher.schema(), context.format());
        this.thread = new Thread(this::run, "sluice-kafka-source-" + context.topic());
        this.thread.setDaemon(true);
    }

    /**
     * Starts reading: the polling thread connects (retrying while the brokers or the topic are
     * missing), checks the partition count, seeks each partition after its last journaled offset and
     * publishes into the engine.
     *
     * @param engine  running the pipelines that read {@link KafkaSourceContext#sluiceTopic()}.
     * @param context settings; concluded here.
     * @return the started source.
     */
    public static KafkaSource start(final Engine engine, final KafkaSourceContext context)
    {
        context.conclude();
        final KafkaSource source = new KafkaSource(engine, context);
        if (engine.checkpoints() != null)
        {
            engine.addCheckpointListener(source.listener);
        }
        source.thread.start();
        return source;
    }

    private void run()
    {
        try
        {
            consumer = new KafkaConsumer<>(consumerProperties());
            final List<TopicPartition> partitions = connect();
            if (partitions == null)
            {
                return;
            }
            consumer.assign(partitions);
            assigned = partitions;
            seek(partitions);
            deadLetters = DeadLetters.open(context, "sluice-" + context.groupId() + "-" + context.topic() + "-dead-letters");
            state = State.RUNNING;
            long backoff = context.initialBackoffMillis();
            while (running)
            {
                commitCovered();
                final ConsumerRecords<ByteBuffer, ByteBuffer> polled;
                try
                {
                    polled = consumer.poll(Duration.ofMillis(context.pollMillis()));
                    backoff = context.initialBackoffMillis();
                }
                catch (final AuthorizationException ex)
                {
                    // An ACL may be granted later: the positions stay, and the poll is tried again after a back-off.
                    onAuthorizationFailure(ex, backoff);
                    if (!pause(backoff))
                    {
                        return;
                    }
                    backoff = Math.min(context.maxBackoffMillis(), backoff * 2);
                    continue;
                }
                for (final ConsumerRecord<ByteBuffer, ByteBuffer> record : polled)
                {
                    if (!running || !onRecord(record))
                    {
                        return;
                    }
                }
                updateLag(partitions);
            }
        }
        catch (final WakeupException ex)
        {
            // close() woke the consumer
        }
        catch (final RuntimeException ex)
        {
            if (running)
            {
                fail("Kafka source of topic '" + context.topic() + "' on " + context.bootstrapServers() + " stopped: " + ex, ex);
            }
        }
        finally
        {
            closeClients();
        }
    }

    /**
     * Waits for the topic's metadata, retrying with back-off; checks the partition count.
     *
     * @return the partitions to read, or null when stopped or failed.
     */
    private List<TopicPartition> connect()
    {
        long backoff = context.initialBackoffMillis();
        while (running)
        {
            try
            {
                final List<PartitionInfo> infos = consumer.partitionsFor(context.topic(), Duration.ofMillis(context.metadataTimeoutMillis()));
                if (infos == null || infos.isEmpty())
                {
                    lastError = "Kafka topic '" + context.topic() + "' does not exist on " + context.bootstrapServers() +
                        " (retrying in " + backoff + " ms)";
                }
                else if (infos.size() != publisher.partitionCount())
                {
                    fail("Kafka topic '" + context.topic() + "' has " + infos.size() + " partitions but the engine runs " +
                        publisher.partitionCount() + " partitions for '" + context.sluiceTopic() + "': they must agree, as Kafka " +
                        "partition p feeds Sluice partition p (set the engine's partitions to " + infos.size() + ")", null);
                    return null;
                }
                else
                {
                    final List<TopicPartition> partitions = new ArrayList<>();
                    for (int p = 0; p < infos.size(); p++)
                    {
                        partitions.add(new TopicPartition(context.topic(), p));
                    }
                    lastError = null;
                    return partitions;
                }
            }
            catch (final AuthorizationException ex)
            {
                lastError = "not authorized to read Kafka topic '" + context.topic() + "' on " + context.bootstrapServers() + ": " +
                    ex.getMessage() + " (retrying in " + backoff + " ms)";
            }
            catch (final org.apache.kafka.common.errors.AuthenticationException ex)
            {
                // Credentials may be corrected on the brokers' side: retried with back-off, never a crash loop.
                lastError = KafkaClientProperties.authenticationFailed(context.bootstrapServers(), ex) + " (retrying in " + backoff + " ms)";
            }
            catch (final WakeupException ex)
            {
                return null;
            }
            catch (final KafkaException ex)
            {
                lastError = "cannot reach the Kafka brokers " + context.bootstrapServers() + " for topic '" + context.topic() + "': " +
                    ex.getMessage() + " (retrying in " + backoff + " ms)";
            }
            retries++;
            if (!pause(backoff))
            {
                return null;
            }
            backoff = Math.min(context.maxBackoffMillis(), backoff * 2);
        }
        return null;
    }

    private void seek(final List<TopicPartition> partitions)
    {
        final List<TopicPartition> fromStart = new ArrayList<>();
        for (final TopicPartition tp : partitions)
        {
            final long position = publisher.position(tp.partition());
            if (position == SourcePositions.NO_POSITION)
            {
                fromStart.add(tp);
            }
            else
            {
                consumer.seek(tp, position + 1);
            }
        }
        if (!fromStart.isEmpty())
        {
            // Nothing of these partitions is in the journal: the whole retained topic is input.
            consumer.seekToBeginning(fromStart);
        }
    }

    /**
     * Decodes and publishes one record, or rejects it.
     *
     * @return false if the source must stop (halt on a malformed record).
     */
    private boolean onRecord(final ConsumerRecord<ByteBuffer, ByteBuffer> record)
    {
        final String error = decoder.decode(record.value());
        if (error == null)
        {
            if (!publish(record))
            {
                return false;
            }
            records++;
            return true;
        }
        malformed++;
        final String where = record.topic() + "/" + record.partition() + "@" + record.offset();
        if (context.haltOnError())
        {
            fail("malformed record at " + where + ": " + error + " (on_error: halt)", null);
            return false;
        }
        lastError = "malformed record at " + where + ": " + error;
        if (deadLetters != null)
        {
            deadLetters.send(record, error, where, failure -> lastError = failure);
            deadLettered = deadLetters.sent();
        }
        return true;
    }

    /**
     * Publishes a decoded record, waiting while its partition's ring is full (a paused or slow pipeline
     * holds the source back). While it waits, the lag is refreshed from the brokers' end offsets every
     * {@value #HELD_BACK_LAG_REFRESH_MILLIS} ms, since no poll runs to refresh it: a held-back source is
     * when operators look at the lag.
     *
     * @return false if the source was closed while waiting.
     */
    private boolean publish(final ConsumerRecord<ByteBuffer, ByteBuffer> record)
    {
        long refreshAt = System.nanoTime();
        while (!tryPublish(record))
        {
            if (!running)
            {
                return false;
            }
            final long now = System.nanoTime();
            if (now - refreshAt >= 0)
            {
                refreshLagWhileHeldBack(record);
                refreshAt = now + TimeUnit.MILLISECONDS.toNanos(HELD_BACK_LAG_REFRESH_MILLIS);
            }
            LockSupport.parkNanos(HELD_BACK_PARK_NANOS);
        }
        return true;
    }

    private boolean tryPublish(final ConsumerRecord<ByteBuffer, ByteBuffer> record)
    {
        return context.recordTimestamp() ?
            publisher.tryPublish(record.partition(), decoder.buffer(), 0, record.timestamp(), record.offset()) :
            publisher.tryPublish(record.partition(), decoder.buffer(), 0, record.offset());
    }

    /**
     * The lag of each partition while {@code held} waits for room: the end offset (the last stable
     * offset, as this consumer reads committed records only) less the held record's offset on its
     * partition, less the consumer's position on the others. A failed request keeps the previous lag.
     */
    private void refreshLagWhileHeldBack(final ConsumerRecord<ByteBuffer, ByteBuffer> held)
    {
        final Duration timeout = Duration.ofMillis(context.metadataTimeoutMillis());
        try
        {
            final Map<TopicPartition, Long> ends = consumer.endOffsets(assigned, timeout);
            final long[] lags = new long[assigned.size()];
            for (int i = 0; i < lags.length; i++)
            {
                final TopicPartition tp = assigned.get(i);
                final Long end = ends.get(tp);
                final long next = tp.partition() == held.partition() ? held.offset() : consumer.position(tp, timeout);
                lags[i] = end == null ? -1 : Math.max(0, end - next);
            }
            lag = lags;
        }
        catch (final WakeupException ex)
        {
            throw ex;
        }
        catch (final KafkaException ex)
        {
            lastError = "cannot read the end offsets of Kafka topic '" + context.topic() + "' for its lag: " + ex.getMessage();
        }
    }

    private void onCheckpointComplete(final CheckpointManifest manifest)
    {
        final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (int p = 0; p < publisher.partitionCount(); p++)
        {
            final PartitionCheckpoint entry = manifest.find(publisher.journalTopic(), p);
            if (entry != null && entry.sourcePosition(publisher.sourceIndex()) != SourcePositions.NO_POSITION)
            {
                offsets.put(new TopicPartition(context.topic(), p),
                    new OffsetAndMetadata(entry.sourcePosition(publisher.sourceIndex()) + 1, "checkpoint " + manifest.id()));
            }
        }
        if (!offsets.isEmpty())
        {
            toCommit.set(offsets);
        }
    }

    private void commitCovered()
    {
        final Map<TopicPartition, OffsetAndMetadata> offsets = toCommit.getAndSet(null);
        if (offsets != null)
        {
            consumer.commitAsync(offsets, (committed, ex) ->
            {
                if (ex != null)
                {
                    lastError = "cannot commit offsets of group '" + context.groupId() + "' (monitoring only): " + ex.getMessage();
                }
            });
        }
    }

    private void updateLag(final List<TopicPartition> partitions)
    {
        final long[] lags = new long[partitions.size()];
        for (int i = 0; i < lags.length; i++)
        {
            lags[i] = consumer.currentLag(partitions.get(i)).orElse(-1);
        }
        lag = lags;
    }

    private Properties consumerProperties()
    {
        final Properties props = new Properties();
        props.putAll(context.clientProperties());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, context.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, context.groupId());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-" + context.groupId() + "-" + context.topic());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // Only what producers committed is input: an aborted transaction upstream never reaches the journal.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteBufferDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteBufferDeserializer.class.getName());
        props.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, String.valueOf(context.maxBackoffMillis()));
        return props;
    }

    /**
     * Records a refused READ (of the topic, or of the group's offsets): the message names the principal's
     * missing permission, the topic and the group; each one is counted and recorded in the engine's
     * error log (distinct errors are kept once, with a count).
     */
    private void onAuthorizationFailure(final AuthorizationException ex, final long retryMillis)
    {
        authorizationFailures++;
        final String what = ex instanceof org.apache.kafka.common.errors.GroupAuthorizationException ?
            "READ the offsets of consumer group '" + context.groupId() + "' (of Kafka topic '" + context.topic() + "')" :
            "READ Kafka topic '" + context.topic() + "'";
        final String message = "not authorized to " + what + " on " + context.bootstrapServers() + ": " + ex.getMessage();
        lastError = message + " (retrying in " + retryMillis + " ms)";
        engine.errorLog().record(new KafkaConnectorException(message, ex, true));
    }

    private void fail(final String message, final Throwable cause)
    {
        lastError = message;
        state = State.FAILED;
        final KafkaConnectorException error = new KafkaConnectorException(message, cause);
        engine.errorLog().record(error);
    }

    private boolean pause(final long millis)
    {
        return Backoff.park(() -> running, this, millis);
    }

    private void closeClients()
    {
        try
        {
            if (deadLetters != null)
            {
                deadLetters.close();
            }
        }
        catch (final RuntimeException ex)
        {
            lastError = "closing the dead-letter producer of topic '" + context.topic() + "': " + ex;
        }
        try
        {
            if (consumer != null)
            {
                consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(10)));
            }
        }
        catch (final RuntimeException ex)
        {
            lastError = "closing the consumer of topic '" + context.topic() + "': " + ex;
        }
    }

    /**
     * The state of the source.
     *
     * @return the state.
     */
    public State state()
    {
        return state;
    }

    /**
     * The last problem met (unreachable brokers, missing topic, malformed record, failure), or null.
     *
     * @return a message naming the topic, the brokers and what is wrong.
     */
    public String lastError()
    {
        return lastError;
    }

    /**
     * Records published into the engine since start.
     *
     * @return the count.
     */
    public long records()
    {
        return records;
    }

    /**
     * Records that did not decode.
     *
     * @return the count.
     */
    public long malformed()
    {
        return malformed;
    }

    /**
     * Malformed records sent to the dead-letter topic.
     *
     * @return the count.
     */
    public long deadLettered()
    {
        return deadLettered;
    }

    /**
     * Connection attempts that failed and were retried.
     *
     * @return the count.
     */
    public long retries()
    {
        return retries;
    }

    /**
     * Polls refused by the brokers' authorizer (no READ on the topic or the group), each retried.
     *
     * @return the count.
     */
    public long authorizationFailures()
    {
        return authorizationFailures;
    }

    /**
     * Records behind the end of each partition, as of the last poll, or of the last refresh while a
     * full ring holds the source back (-1 when unknown).
     *
     * @return lag per partition.
     */
    public long[] lag()
    {
        return lag.clone();
    }

    /**
     * The settings.
     *
     * @return the context.
     */
    public KafkaSourceContext context()
    {
        return context;
    }

    /**
     * Stops polling and closes the Kafka clients; what was published stays in the engine.
     */
    @Override
    public void close()
    {
        running = false;
        engine.removeCheckpointListener(listener);
        if (thread.isAlive())
        {
            final KafkaConsumer<ByteBuffer, ByteBuffer> c = consumer;
            if (c != null)
            {
                c.wakeup(); // a poll or metadata wait returns at once
            }
            java.util.concurrent.locks.LockSupport.unpark(thread); // a back-off returns at once
            try
            {
                thread.join(30_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        if (state != State.FAILED)
        {
            state = State.CLOSED;
        }
    }
}
