package io.sluice.kafka;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.WakeupException;

import io.sluice.engine.checkpoint.SourcePositions;

/**
 * The reader of one partition a scale-out daemon owns ({@link OwnedPartition}): a consumer of that one
 * Kafka partition by {@code assign()}, outside the job's consumer group, on its own thread
 * {@code sluice-kafka-member-<job>-p<k>}. It seeks to the offset after the partition's restored
 * checkpoint, decodes each record and publishes it into the partition's engine with its offset. The
 * group's consumer ({@link KafkaGroupMember}) only keeps the membership: its partitions stay paused,
 * and a revocation stops the partition's reader ({@link #stop}) before the partition hands over, so
 * nothing is published after its final checkpoint.
 *
 * <p>One reader per partition: the Kafka client's per-record decoding, most of an input's CPU, runs on
 * as many threads as the daemon owns partitions, and a partition whose ring is full (a paused or slow
 * pipeline) holds back only itself, not the daemon's other partitions.
 *
 * <p>Threading: the reader's thread owns its consumer, decoder and the partition's input position;
 * {@link #records()} from any thread; {@link #stop} from the member's polling thread.
 */
final class OwnedPartitionReader
{
    /** What the reader asks of, and reports to, its member. */
    interface Member
    {
        /** Whether an operator has pipelines paused on this daemon: the reader then fetches nothing. */
        boolean pipelinesPaused();

        /** The offset after the partition's last input record when a bounded run declared it, or null. */
        Long inputEnd(int partition);

        /**
         * A record that did not decode: counted and dead-lettered, or, under {@code on_error: halt}, the member stops at it.
         *
         * @return false if the reader must stop at the record (halt).
         */
        boolean onMalformed(ConsumerRecord<ByteBuffer, ByteBuffer> record, String error);

        /** The partition's lag as of the reader's last poll (-1 when unknown). */
        void lag(int partition, long lag);

        /** A poll refused by the brokers' authorizer, retried after {@code backoffMillis}. */
        void onAuthorizationFailure(int partition, AuthorizationException ex, long backoffMillis);

        /** Something the operator should see (the partition's input ended). */
        void event(String event);

        /** The reader stopped on an error it cannot retry: the member stops. */
        void failed(String message);
    }

    private final Member member;
    private final OwnedPartition partition;
    private final KafkaSourceContext source;
    private final TopicPartition topicPartition;
    private final RecordDecoder decoder;
    private final HeldBackWait heldBack = new HeldBackWait();
    private final String clientId;
    private final Thread thread;
    private volatile KafkaConsumer<ByteBuffer, ByteBuffer> consumer;
    private volatile boolean running = true;
    /** Records published: single writer (the reader's thread), ordered stores, no fence per record. */
    private final AtomicLong records = new AtomicLong();
    /** Whether the consumer's partition is paused for an operator's pause; reader thread. */
    private boolean consumerPaused;

    /**
     * A reader, started.
     *
     * @param member    it reports to.
     * @param job       of the member, for the thread's and client's names.
     * @param partition owned, restored, its engine running.
     * @param source    settings of the Kafka input.
     * @return the running reader.
     */
    static OwnedPartitionReader start(final Member member, final String job, final OwnedPartition partition, final KafkaSourceContext source)
    {
        final OwnedPartitionReader reader = new OwnedPartitionReader(member, job, partition, source);
        reader.thread.start();
        return reader;
    }

    private OwnedPartitionReader(final Member member, final String job, final OwnedPartition partition, final KafkaSourceContext source)
    {
        this.member = member;
        this.partition = partition;
        this.source = source;
        this.topicPartition = new TopicPartition(source.topic(), partition.partition);
        this.decoder = new RecordDecoder(partition.inputSchema(), source.format());
        this.clientId = "sluice-" + job + "-" + ProcessHandle.current().pid() + "-p" + partition.partition;
        this.thread = new Thread(this::run, "sluice-kafka-member-" + job + "-p" + partition.partition);
        this.thread.setDaemon(true);
    }

    /**
     * Records published into the partition by this reader.
     *
     * @return the count.
     */
    long records()
    {
        return records.get();
    }

    /**
     * Stops the reader and waits (up to 30 s) for its thread to end: once this returns, nothing more is
     * published into the partition.
     */
    void stop()
    {
        running = false;
        ConsumerThreads.wakeUp(consumer, thread);
        ConsumerThreads.join(thread);
    }

    private void run()
    {
        try
        {
            consumer = new KafkaConsumer<>(consumerProperties());
            if (!running)
            {
                return;
            }
            consumer.assign(List.of(topicPartition));
            if (partition.lastOffset == SourcePositions.NO_POSITION)
            {
                consumer.seekToBeginning(List.of(topicPartition)); // nothing of it restored: the whole retained topic is input
            }
            else
            {
                consumer.seek(topicPartition, partition.lastOffset + 1);
            }
            long backoff = source.initialBackoffMillis();
            while (running)
            {
                applyPause();
                endInputIfReached();
                final ConsumerRecords<ByteBuffer, ByteBuffer> polled;
                try
                {
                    polled = consumer.poll(Duration.ofMillis(source.pollMillis()));
                    backoff = source.initialBackoffMillis();
                }
                catch (final AuthorizationException ex)
                {
                    // An ACL may be granted later: the position stays, and the poll is tried again after a back-off.
                    member.onAuthorizationFailure(topicPartition.partition(), ex, backoff);
                    if (!Backoff.park(() -> running, this, backoff))
                    {
                        return;
                    }
                    backoff = Math.min(source.maxBackoffMillis(), backoff * 2);
                    continue;
                }
                final List<ConsumerRecord<ByteBuffer, ByteBuffer>> batch = polled.records(topicPartition);
                for (int i = 0, n = batch.size(); i < n; i++)
                {
                    if (!onRecord(batch.get(i)))
                    {
                        return;
                    }
                }
                heldBack.pollDone();
                member.lag(topicPartition.partition(), consumer.currentLag(topicPartition).orElse(-1));
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
                member.failed("reader of partition " + topicPartition + " stopped: " + ex);
            }
        }
        finally
        {
            closeConsumer();
        }
    }

    /**
     * Decodes and publishes one record (waiting while the ring is full), or dead-letters it.
     *
     * @return false if the reader was stopped while waiting, or halts at a malformed record.
     */
    private boolean onRecord(final ConsumerRecord<ByteBuffer, ByteBuffer> record)
    {
        if (partition.inputEnded)
        {
            return true; // the input was declared ended before this offset
        }
        final String error = decoder.decode(record.value());
        if (error != null)
        {
            return member.onMalformed(record, error);
        }
        while (!partition.tryPublish(decoder, record.offset(), record.timestamp()))
        {
            if (!running)
            {
                return false;
            }
            heldBack.park();
        }
        records.lazySet(records.get() + 1);
        return true;
    }

    /**
     * Stops fetching while an operator has pipelines paused on this daemon (and fetches again after), so
     * the partition's ring does not fill behind the paused pipeline.
     */
    private void applyPause()
    {
        final boolean pause = member.pipelinesPaused();
        if (pause != consumerPaused)
        {
            if (pause)
            {
                consumer.pause(List.of(topicPartition));
            }
            else
            {
                consumer.resume(List.of(topicPartition));
            }
            consumerPaused = pause;
        }
    }

    /** Ends the partition's input once it journaled every record before its declared end (a bounded run). */
    private void endInputIfReached()
    {
        final Long end = member.inputEnd(topicPartition.partition());
        if (end != null && !partition.inputEnded && partition.lastOffset + 1 >= end)
        {
            partition.endInput();
            member.event("partition " + topicPartition.partition() + ": input ended at offset " + end);
        }
    }

    /** The source's consumer settings without the group: this consumer is assigned its partition, it never joins. */
    private Properties consumerProperties()
    {
        final Properties props = source.consumerProperties(clientId);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return props;
    }

    private void closeConsumer()
    {
        ConsumerThreads.close(consumer, "the reader of partition " + topicPartition, member::event);
    }
}
