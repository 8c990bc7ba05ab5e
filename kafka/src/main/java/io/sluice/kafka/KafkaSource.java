package io.sluice.kafka;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.ToLongFunction;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;

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
 * <p>Threading: {@link KafkaSourceContext#consumersFor(int)} readers ({@link KafkaSourceReader}), by default one
 * per partition, each a consumer of its share of the partitions on its own polling thread,
 * "sluice-kafka-source-" + topic (+ "-" + reader when there are several): the Kafka client's per-record
 * decoding, most of a source's CPU, runs on as many threads. The dead-letter producer is opened at the
 * first malformed record and shared by the readers. Any thread may read the counters and state and call
 * {@link #close()}. Per record the Kafka client allocates its record and the key's and value's views of
 * the fetch buffer (values are read through {@code ByteBufferDeserializer}, never copied into arrays); a
 * BINARY value is copied once, into the ring slot, while text formats build strings.
 */
public final class KafkaSource implements AutoCloseable
{
    /** Header of a dead-letter record: why its record was rejected. */
    public static final String ERROR_HEADER = "sluice.error";
    /** Header of a dead-letter record: topic, partition and offset it came from. */
    public static final String ORIGIN_HEADER = "sluice.origin";

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
    private final ExternalSourcePublisher positions;
    private final Engine engine;
    private final KafkaSourceReader[] readers;
    private final CheckpointListener listener = this::onCheckpointComplete;
    private final AtomicLongArray lag;
    private final Object deadLettersLock = new Object();
    private DeadLetters deadLetters;
    private volatile State state = State.CONNECTING;
    private volatile String lastError;
    private volatile long deadLettered;

    private KafkaSource(final Engine engine, final KafkaSourceContext context)
    {
        this.engine = engine;
        this.context = context;
        this.positions = engine.externalSource(context.sluiceTopic());
        final int partitions = positions.partitionCount();
        this.lag = new AtomicLongArray(partitions);
        for (int p = 0; p < partitions; p++)
        {
            lag.set(p, -1);
        }
        final int count = context.consumersFor(partitions);
        this.readers = new KafkaSourceReader[count];
        for (int i = 0; i < count; i++)
        {
            final int[] share = new int[(partitions - i + count - 1) / count];
            for (int k = 0; k < share.length; k++)
            {
                share[k] = i + k * count;
            }
            readers[i] = new KafkaSourceReader(this, engine.externalSource(context.sluiceTopic()), share, i, count);
        }
    }

    /**
     * Starts reading: each reader's polling thread connects (retrying while the brokers or the topic are
     * missing), checks the partition count, seeks each of its partitions after its last journaled offset
     * and publishes into the engine.
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
        for (final KafkaSourceReader reader : source.readers)
        {
            reader.start();
        }
        return source;
    }

    /** A reader found the topic with the engine's partition count. */
    void onConnected()
    {
        if (state != State.FAILED)
        {
            lastError = null;
        }
    }

    /** A reader assigned and positioned its partitions: the source runs once every reader does. */
    void onReading()
    {
        for (final KafkaSourceReader reader : readers)
        {
            if (!reader.reading())
            {
                return;
            }
        }
        synchronized (this)
        {
            if (state == State.CONNECTING)
            {
                state = State.RUNNING;
            }
        }
    }

    /** A reader met a problem it retries, or that costs nothing but a message. */
    void onError(final String message)
    {
        lastError = message;
    }

    /** The lag of one partition, from its reader. */
    void lag(final int partition, final long records)
    {
        lag.set(partition, records);
    }

    /**
     * A record that did not decode: fails the source under halt, else sends it to the dead-letter topic.
     *
     * @return false if the source must stop (halt on a malformed record).
     */
    boolean onMalformed(final ConsumerRecord<ByteBuffer, ByteBuffer> record, final String error)
    {
        final String where = record.topic() + "/" + record.partition() + "@" + record.offset();
        if (context.haltOnError())
        {
            fail("malformed record at " + where + ": " + error + " (on_error: halt)", null);
            return false;
        }
        lastError = "malformed record at " + where + ": " + error;
        synchronized (deadLettersLock)
        {
            if (deadLetters == null && state != State.CLOSED)
            {
                deadLetters = DeadLetters.open(context, "sluice-" + context.groupId() + "-" + context.topic() + "-dead-letters");
            }
            if (deadLetters != null)
            {
                deadLetters.send(record, error, where, failure -> lastError = failure);
                deadLettered = deadLetters.sent();
            }
        }
        return true;
    }

    /**
     * Records a refused READ (of the topic, or of the group's offsets): the message names the principal's
     * missing permission, the topic and the group; each one is recorded in the engine's error log
     * (distinct errors are kept once, with a count).
     */
    void onAuthorizationFailure(final AuthorizationException ex, final long retryMillis)
    {
        final String what = ex instanceof org.apache.kafka.common.errors.GroupAuthorizationException ?
            "READ the offsets of consumer group '" + context.groupId() + "' (of Kafka topic '" + context.topic() + "')" :
            "READ Kafka topic '" + context.topic() + "'";
        final String message = "not authorized to " + what + " on " + context.bootstrapServers() + ": " + ex.getMessage();
        lastError = message + " (retrying in " + retryMillis + " ms)";
        engine.errorLog().record(new KafkaConnectorException(message, ex, true));
    }

    /** Fails the source: every reader stops; the message goes to the engine's error log. */
    void fail(final String message, final Throwable cause)
    {
        synchronized (this)
        {
            lastError = message;
            state = State.FAILED;
        }
        engine.errorLog().record(new KafkaConnectorException(message, cause));
        for (final KafkaSourceReader reader : readers)
        {
            reader.stop();
        }
    }

    private void onCheckpointComplete(final CheckpointManifest manifest)
    {
        for (final KafkaSourceReader reader : readers)
        {
            final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (final int p : reader.partitions())
            {
                final PartitionCheckpoint entry = manifest.find(positions.journalTopic(), p);
                if (entry != null && entry.sourcePosition(positions.sourceIndex()) != SourcePositions.NO_POSITION)
                {
                    offsets.put(new TopicPartition(context.topic(), p),
                        new OffsetAndMetadata(entry.sourcePosition(positions.sourceIndex()) + 1, "checkpoint " + manifest.id()));
                }
            }
            if (!offsets.isEmpty())
            {
                reader.commit(offsets);
            }
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
        return sum(KafkaSourceReader::records);
    }

    /**
     * Records that did not decode.
     *
     * @return the count.
     */
    public long malformed()
    {
        return sum(KafkaSourceReader::malformed);
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
        return sum(KafkaSourceReader::retries);
    }

    /**
     * Polls refused by the brokers' authorizer (no READ on the topic or the group), each retried.
     *
     * @return the count.
     */
    public long authorizationFailures()
    {
        return sum(KafkaSourceReader::authorizationFailures);
    }

    /**
     * Records behind the end of each partition, as of the last poll, or of the last refresh while a
     * full ring holds the source back (-1 when unknown).
     *
     * @return lag per partition.
     */
    public long[] lag()
    {
        final long[] lags = new long[lag.length()];
        for (int p = 0; p < lags.length; p++)
        {
            lags[p] = lag.get(p);
        }
        return lags;
    }

    /**
     * Whether input still waits for a partition: records in Kafka this source has not handed to the engine yet
     * (its {@link #lag()} above 0, as of the last poll, which the reader updates once the poll's records are in the
     * ring; unknown counts as none), or records handed over that the partition has not processed yet (its ring not
     * {@linkplain ExternalSourcePublisher#drained drained}). False once the partition has caught up with everything
     * read: for an exactly-once sink's commit spacing ({@link KafkaSink#inputWaiting}:
     * {@code sink.inputWaiting(source::inputWaiting)}), which then commits at the end of the burst in progress, so the
     * outputs of the last records read (a window their time closes) ride the transaction the spacing held instead of
     * the one after it. Any thread.
     *
     * @param partition of the engine (= of the Kafka topic).
     * @return true if the partition has input waiting.
     */
    public boolean inputWaiting(final int partition)
    {
        return lag.get(partition) > 0 || !positions.drained(partition);
    }

    private long sum(final ToLongFunction<KafkaSourceReader> counter)
    {
        long sum = 0;
        for (final KafkaSourceReader reader : readers)
        {
            sum += counter.applyAsLong(reader);
        }
        return sum;
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
        engine.removeCheckpointListener(listener);
        for (final KafkaSourceReader reader : readers)
        {
            reader.stop();
        }
        for (final KafkaSourceReader reader : readers)
        {
            reader.join();
        }
        synchronized (deadLettersLock)
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
            synchronized (this)
            {
                if (state != State.FAILED)
                {
                    state = State.CLOSED;
                }
            }
        }
    }
}
