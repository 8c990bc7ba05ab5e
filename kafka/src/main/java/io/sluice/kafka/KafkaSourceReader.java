package io.sluice.kafka;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.WakeupException;

import io.sluice.engine.checkpoint.SourcePositions;
import io.sluice.engine.runtime.ExternalSourcePublisher;

/**
 * One consumer of a {@link KafkaSource} and its polling thread: reads a share of the topic's partitions
 * (Kafka partition {@code p} into Sluice partition {@code p}), decodes each record and publishes it into
 * the engine with its offset. A source runs one reader per partition by default, so the Kafka client's
 * per-record decoding, most of a source's CPU, runs on as many threads as there are partitions.
 * BINARY records are published in batches ({@link #publishBatch}): one claim of the partition's ring
 * for a run of well-formed records of a poll, instead of one per record.
 *
 * <p>Threading: the reader's thread owns its consumer, decoder and publisher; its counters have that
 * single writer and are read by any thread; {@link #commit} and {@link #stop} are called from any thread.
 */
final class KafkaSourceReader
{
    private static final long HELD_BACK_LAG_REFRESH_MILLIS = 250;
    /** Most records published with one claim of a partition's ring. */
    static final int MAX_BATCH = 256;
    private final KafkaSource source;
    private final KafkaSourceContext context;
    private final int[] partitions;
    private final ExternalSourcePublisher publisher;
    private final RecordDecoder decoder;
    private final String clientId;
    private final Thread thread;
    private final AtomicReference<Map<TopicPartition, OffsetAndMetadata>> toCommit = new AtomicReference<>();
    private volatile KafkaConsumer<ByteBuffer, ByteBuffer> consumer;
    private List<TopicPartition> assigned = List.of();
    private final HeldBackWait heldBack = new HeldBackWait();
    /** When a held-back wait next refreshes the lag (System.nanoTime): at most once per {@value #HELD_BACK_LAG_REFRESH_MILLIS} ms. */
    private long lagRefreshAt = System.nanoTime();
    private volatile boolean running = true;
    private volatile boolean reading;
    /** Records published: single writer (the reader's thread), ordered stores, no fence per record. */
    private final AtomicLong records = new AtomicLong();
    private volatile long malformed;
    private volatile long retries;
    private volatile long authorizationFailures;

    /**
     * A reader, not started.
     *
     * @param source     it reads for: its lag, errors and dead letters.
     * @param publisher  into the engine, this reader's own.
     * @param partitions the Kafka (= Sluice) partitions it reads.
     * @param index      of the reader, for its thread's and client's name when the source has several.
     * @param readers    of the source.
     */
    KafkaSourceReader(
        final KafkaSource source, final ExternalSourcePublisher publisher, final int[] partitions, final int index, final int readers)
    {
        this.source = source;
        this.context = source.context();
        this.publisher = publisher;
        this.partitions = partitions;
        this.decoder = new RecordDecoder(publisher.schema(), context.format());
        final String suffix = readers == 1 ? "" : "-" + index;
        this.clientId = "sluice-" + context.groupId() + "-" + context.topic() + suffix;
        this.thread = new Thread(this::run, "sluice-kafka-source-" + context.topic() + suffix);
        this.thread.setDaemon(true);
    }

    void start()
    {
        thread.start();
    }

    int[] partitions()
    {
        return partitions;
    }

    /** Whether the reader assigned and positioned its partitions and polls them. */
    boolean reading()
    {
        return reading;
    }

    long records()
    {
        return records.get();
    }

    long malformed()
    {
        return malformed;
    }

    long retries()
    {
        return retries;
    }

    long authorizationFailures()
    {
        return authorizationFailures;
    }

    /**
     * Hands the reader the offsets of its partitions that a completed checkpoint covers, committed to the
     * group (for lag monitoring) on its next turn.
     *
     * @param offsets of this reader's partitions.
     */
    void commit(final Map<TopicPartition, OffsetAndMetadata> offsets)
    {
        toCommit.set(offsets);
    }

    /** Stops polling: a poll or a back-off returns at once. */
    void stop()
    {
        running = false;
        ConsumerThreads.wakeUp(consumer, thread);
    }

    /** Waits for the thread to end, up to 30 s. */
    void join()
    {
        ConsumerThreads.join(thread);
    }

    private void run()
    {
        try
        {
            consumer = new KafkaConsumer<>(context.consumerProperties(clientId));
            if (!running || !connect())
            {
                return;
            }
            final List<TopicPartition> mine = new ArrayList<>();
            for (final int p : partitions)
            {
                mine.add(new TopicPartition(context.topic(), p));
            }
            consumer.assign(mine);
            assigned = mine;
            seek(mine);
            reading = true;
            source.onReading();
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
                    authorizationFailures++;
                    source.onAuthorizationFailure(ex, backoff);
                    if (!pause(backoff))
                    {
                        return;
                    }
                    backoff = Math.min(context.maxBackoffMillis(), backoff * 2);
                    continue;
                }
                for (final TopicPartition partition : polled.partitions())
                {
                    // A partition's own list, by index: no iterator over the concatenated partitions per record.
                    final List<ConsumerRecord<ByteBuffer, ByteBuffer>> fetched = polled.records(partition);
                    for (int i = 0, n = fetched.size(); i < n; )
                    {
                        if (!running)
                        {
                            return;
                        }
                        final int published = decoder.viewsValues() ? publishBatch(partition.partition(), fetched, i, n) : 0;
                        if (published > 0)
                        {
                            i += published;
                        }
                        else if (onRecord(fetched.get(i)))
                        {
                            i++;
                        }
                        else
                        {
                            return;
                        }
                    }
                }
                heldBack.pollDone();
                updateLag();
            }
        }
        catch (final WakeupException ex)
        {
            // stop() woke the consumer
        }
        catch (final RuntimeException ex)
        {
            if (running)
            {
                source.fail("Kafka source of topic '" + context.topic() + "' on " + context.bootstrapServers() + " stopped: " + ex, ex);
            }
        }
        finally
        {
            closeConsumer();
        }
    }

    /**
     * Waits for the topic's metadata, retrying with back-off; checks the partition count.
     *
     * @return true when the topic is there with the engine's partition count; false when stopped or failed.
     */
    private boolean connect()
    {
        long backoff = context.initialBackoffMillis();
        while (running)
        {
            try
            {
                final List<PartitionInfo> infos = consumer.partitionsFor(context.topic(), Duration.ofMillis(context.metadataTimeoutMillis()));
                if (infos == null || infos.isEmpty())
                {
                    source.onError("Kafka topic '" + context.topic() + "' does not exist on " + context.bootstrapServers() +
                        " (retrying in " + backoff + " ms)");
                }
                else if (infos.size() != publisher.partitionCount())
                {
                    source.fail("Kafka topic '" + context.topic() + "' has " + infos.size() + " partitions but the engine runs " +
                        publisher.partitionCount() + " partitions for '" + context.sluiceTopic() + "': they must agree, as Kafka " +
                        "partition p feeds Sluice partition p (set the engine's partitions to " + infos.size() + ")", null);
                    return false;
                }
                else
                {
                    source.onConnected();
                    return true;
                }
            }
            catch (final AuthorizationException ex)
            {
                source.onError("not authorized to read Kafka topic '" + context.topic() + "' on " + context.bootstrapServers() + ": " +
                    ex.getMessage() + " (retrying in " + backoff + " ms)");
            }
            catch (final org.apache.kafka.common.errors.AuthenticationException ex)
            {
                // Credentials may be corrected on the brokers' side: retried with back-off, never a crash loop.
                source.onError(KafkaClientProperties.authenticationFailed(context.bootstrapServers(), ex) + " (retrying in " + backoff + " ms)");
            }
            catch (final WakeupException ex)
            {
                return false;
            }
            catch (final KafkaException ex)
            {
                source.onError("cannot reach the Kafka brokers " + context.bootstrapServers() + " for topic '" + context.topic() + "': " +
                    ex.getMessage() + " (retrying in " + backoff + " ms)");
            }
            retries++;
            if (!pause(backoff))
            {
                return false;
            }
            backoff = Math.min(context.maxBackoffMillis(), backoff * 2);
        }
        return false;
    }

    private void seek(final List<TopicPartition> mine)
    {
        final List<TopicPartition> fromStart = new ArrayList<>();
        for (final TopicPartition tp : mine)
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
     * Publishes the well-formed records from {@code from} on (at most {@value #MAX_BATCH}, up to the first malformed
     * one) with one claim of the partition's ring, as many as it has room for. Every record is checked before the claim:
     * each claimed slot is filled and published.
     *
     * @return records published; 0 when the first is malformed or the ring is full (the caller then takes the
     *         record alone: dead-lettered, or published once there is room).
     */
    private int publishBatch(
        final int partition, final List<ConsumerRecord<ByteBuffer, ByteBuffer>> polled, final int from, final int to)
    {
        final int limit = Math.min(to, from + MAX_BATCH);
        int end = from;
        while (end < limit && decoder.decode(polled.get(end).value()) == null)
        {
            end++;
        }
        if (end == from)
        {
            return 0;
        }
        final int claimed = publisher.tryClaim(partition, end - from);
        if (claimed == 0)
        {
            return 0;
        }
        final boolean recordTimestamp = context.recordTimestamp();
        for (int i = from, last = from + claimed; i < last; i++)
        {
            final ConsumerRecord<ByteBuffer, ByteBuffer> record = polled.get(i);
            decoder.decode(record.value()); // a view of the value: checked above
            if (recordTimestamp)
            {
                publisher.put(decoder.buffer(), 0, record.timestamp(), record.offset());
            }
            else
            {
                publisher.put(decoder.buffer(), 0, record.offset());
            }
        }
        publisher.publishClaimed();
        records.lazySet(records.get() + claimed);
        return claimed;
    }

    /**
     * Decodes and publishes one record, or rejects it.
     *
     * @return false if the reader must stop (halt on a malformed record).
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
            records.lazySet(records.get() + 1);
            return true;
        }
        final boolean goOn = source.onMalformed(record, error);
        malformed++; // after its dead letter: whoever sees the count sees it dead-lettered
        return goOn;
    }

    /**
     * Publishes a decoded record, waiting while its partition's ring is full ({@link HeldBackWait}). While it
     * waits, the lag is refreshed from the brokers' end offsets at most every {@value #HELD_BACK_LAG_REFRESH_MILLIS} ms
     * (counted across waits), since no poll runs to refresh it: a held-back source is when operators look at the lag.
     *
     * @return false if the source was closed while waiting.
     */
    private boolean publish(final ConsumerRecord<ByteBuffer, ByteBuffer> record)
    {
        if (tryPublish(record))
        {
            return true;
        }
        while (!tryPublish(record))
        {
            if (!running)
            {
                return false;
            }
            final long now = System.nanoTime();
            if (now - lagRefreshAt >= 0)
            {
                // Across waits, not per wait: a source held back for long waits every few dozen records, and a
                // request to the brokers each time was a tenth of its thread's CPU (perf/README.md, section 58).
                refreshLagWhileHeldBack(record);
                lagRefreshAt = now + TimeUnit.MILLISECONDS.toNanos(HELD_BACK_LAG_REFRESH_MILLIS);
            }
            heldBack.park();
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
     * The lag of each of this reader's partitions while {@code held} waits for room: the end offset (the
     * last stable offset, as this consumer reads committed records only) less the held record's offset on
     * its partition, less the consumer's position on the others. A failed request keeps the previous lag.
     */
    private void refreshLagWhileHeldBack(final ConsumerRecord<ByteBuffer, ByteBuffer> held)
    {
        final Duration timeout = Duration.ofMillis(context.metadataTimeoutMillis());
        try
        {
            final Map<TopicPartition, Long> ends = consumer.endOffsets(assigned, timeout);
            for (final TopicPartition tp : assigned)
            {
                final Long end = ends.get(tp);
                final long next = tp.partition() == held.partition() ? held.offset() : consumer.position(tp, timeout);
                source.lag(tp.partition(), end == null ? -1 : Math.max(0, end - next));
            }
        }
        catch (final WakeupException ex)
        {
            throw ex;
        }
        catch (final KafkaException ex)
        {
            source.onError("cannot read the end offsets of Kafka topic '" + context.topic() + "' for its lag: " + ex.getMessage());
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
                    source.onError("cannot commit offsets of group '" + context.groupId() + "' (monitoring only): " + ex.getMessage());
                }
            });
        }
    }

    private void updateLag()
    {
        for (final TopicPartition tp : assigned)
        {
            source.lag(tp.partition(), consumer.currentLag(tp).orElse(-1));
        }
    }

    private boolean pause(final long millis)
    {
        return Backoff.park(() -> running, this, millis);
    }

    private void closeConsumer()
    {
        ConsumerThreads.close(consumer, "the consumer of topic '" + context.topic() + "'", source::onError);
    }
}
