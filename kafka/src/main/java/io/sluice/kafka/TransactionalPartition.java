package io.sluice.kafka;

import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * One Sluice partition's transactional producer and its open transaction, shared by two threads: the
 * partition thread sends outputs into the open transaction ({@link #send}) and passes checkpoint
 * barriers ({@link #barrier}); the sink's committer thread commits the transaction as soon as a
 * checkpoint the partition has passed completes ({@link #commitCovered}), without waiting for the
 * partition's next output or barrier.
 *
 * <p>A transaction committed for checkpoint {@code c} holds every output sent before the commit: those
 * before barrier {@code c} and those sent between the barrier and the commit. Beside them it commits,
 * for the bookkeeping group, the next output sequence with the metadata {@code checkpoint <c>}. That is
 * exactly once: after a crash the engine restores checkpoint {@code c} or an older one and its replay
 * produces again every output from that barrier on; those below the committed sequence are dropped.
 *
 * <p>One producer per partition keeps the outputs in the Kafka partition in sequence order (two
 * producers alternating would interleave their batches in the log). A send and a commit exclude each
 * other with a lock, which the committer holds for the offsets request and the end of the transaction
 * (it flushes what was sent before taking it). The partition thread never waits for it: an output
 * produced while the lock is held is handed over in a queue, and whoever releases the lock next (the
 * committer, after beginning the next transaction, or the partition thread) sends the queue, in order,
 * before anything newer; every holder looks at the queue again after releasing the lock, so nothing
 * stays in it ({@link #handedOver()}).
 */
final class TransactionalPartition
{
    static final long NONE = -1;
    private static final String CHECKPOINT_PREFIX = "checkpoint ";

    private final int partition;
    private final KafkaProducer<byte[], byte[]> producer;
    private final TopicPartition topicPartition;
    private final ConsumerGroupMetadata bookkeeping;
    private final Failures failures;
    private final Runnable wakeCommitter;
    private final ReentrantLock lock = new ReentrantLock();
    /** Outputs produced while the lock was held, in order: added by the partition thread, sent by the next lock holder. */
    private final ConcurrentLinkedQueue<Pending> handover = new ConcurrentLinkedQueue<>();
    /** Guarded by the lock. */
    private boolean inTransaction;
    /** Guarded by the lock: one more than the sequence of the last output sent. */
    private long nextSequence;
    private volatile long lastBarrier = NONE;
    /** Outputs were sent since the last commit; set by the partition thread, cleared under the lock by a commit. */
    private volatile boolean uncommitted;
    private volatile long committedCheckpoint;
    private volatile long committedNext;
    private volatile KafkaConnectorException failure;
    private volatile long commits;
    private volatile long commitNanos;
    private volatile long handedOver;

    /** Turns a Kafka client exception into the sink's message for a partition and an operation. */
    @FunctionalInterface
    interface Failures
    {
        KafkaConnectorException failure(int partition, String what, KafkaException ex);
    }

    TransactionalPartition(
        final int partition, final KafkaProducer<byte[], byte[]> producer, final TopicPartition topicPartition,
        final ConsumerGroupMetadata bookkeeping, final Failures failures, final long committedCheckpoint, final long committedNext,
        final Runnable wakeCommitter)
    {
        this.wakeCommitter = wakeCommitter;
        this.partition = partition;
        this.producer = producer;
        this.topicPartition = topicPartition;
        this.bookkeeping = bookkeeping;
        this.failures = failures;
        this.committedCheckpoint = committedCheckpoint;
        this.committedNext = committedNext;
        this.nextSequence = committedNext;
    }

    /** An output waiting in the hand-over queue. */
    private record Pending(ProducerRecord<byte[], byte[]> record, long sequence)
    {
    }

    /**
     * Sends one output into the open transaction, beginning one if none is open; hands it over if a
     * commit holds the producer. Partition thread.
     *
     * @param record   to send.
     * @param sequence of the output.
     */
    void send(final ProducerRecord<byte[], byte[]> record, final long sequence)
    {
        throwIfFailed();
        if (lock.tryLock())
        {
            try
            {
                sendHandedOver();
                sendLocked(record, sequence);
            }
            catch (final KafkaException ex)
            {
                throw failures.failure(partition, "send", ex);
            }
            finally
            {
                lock.unlock();
            }
        }
        else
        {
            handover.add(new Pending(record, sequence));
            handedOver = handedOver + 1; // single writer: the partition thread
        }
        drainAfterUnlock();
    }

    /** Sends what was handed over, if the lock is free: every lock holder calls this after releasing it. */
    private void drainAfterUnlock()
    {
        while (!handover.isEmpty() && failure == null && lock.tryLock())
        {
            try
            {
                sendHandedOver();
            }
            catch (final KafkaException ex)
            {
                failure = failures.failure(partition, "send", ex);
            }
            finally
            {
                lock.unlock();
            }
        }
    }

    private void sendHandedOver()
    {
        Pending pending;
        while ((pending = handover.poll()) != null)
        {
            sendLocked(pending.record(), pending.sequence());
        }
    }

    private void sendLocked(final ProducerRecord<byte[], byte[]> record, final long sequence)
    {
        if (!inTransaction)
        {
            producer.beginTransaction();
            inTransaction = true;
        }
        producer.send(record);
        nextSequence = sequence + 1;
        if (!uncommitted)
        {
            uncommitted = true;
            wakeCommitter.run(); // the first output since a commit may need a checkpoint asked for
        }
    }

    /**
     * The partition passed the barrier of a checkpoint. Partition thread.
     *
     * @param checkpointId of the barrier.
     */
    void barrier(final long checkpointId)
    {
        throwIfFailed();
        if (checkpointId > lastBarrier)
        {
            lastBarrier = checkpointId;
        }
    }

    /**
     * Commits the transaction if checkpoint {@code completed} is newer than the last committed one and
     * the partition has passed its barrier; an idle partition commits the bookkeeping alone, so the
     * checkpoint its commits record keeps up with the engine's. Committer thread (or the closing one).
     *
     * @param completed the newest completed checkpoint.
     * @return true if it committed.
     */
    boolean commitCovered(final long completed)
    {
        if (failure != null || completed == NONE || completed <= committedCheckpoint || lastBarrier < completed)
        {
            return false;
        }
        final long start = System.nanoTime();
        try
        {
            // Outside the lock: what is sent meanwhile goes into new batches, so the commit has little left to flush.
            producer.flush();
            lock.lock();
            try
            {
                sendHandedOver(); // produced before this commit: they belong in it
                if (!inTransaction)
                {
                    producer.beginTransaction();
                    inTransaction = true;
                }
                producer.sendOffsetsToTransaction(
                    Map.of(topicPartition, new OffsetAndMetadata(nextSequence, CHECKPOINT_PREFIX + completed)), bookkeeping);
                producer.commitTransaction();
                inTransaction = false;
                uncommitted = false;
                committedCheckpoint = completed;
                committedNext = nextSequence;
                commitNanos = commitNanos + (System.nanoTime() - start); // single writer: the committer
                commits = commits + 1;
                sendHandedOver(); // into the next transaction, before anything the partition thread sends later
            }
            finally
            {
                lock.unlock();
            }
        }
        catch (final KafkaException ex)
        {
            failure = failures.failure(partition, "commit", ex);
            return false;
        }
        drainAfterUnlock();
        return true;
    }

    /**
     * Whether outputs wait for a checkpoint that nobody asked for yet: some were sent since the last
     * commit and the partition has passed no barrier newer than the committed checkpoint (the
     * completion of one it has passed would commit them). Committer thread.
     *
     * @return true if a checkpoint should be asked for.
     */
    boolean needsCheckpoint()
    {
        return uncommitted && failure == null && lastBarrier <= committedCheckpoint;
    }

    /**
     * Aborts the open transaction, if any, at close: its outputs are not covered by a completed
     * checkpoint, and the replay after the next start produces them again. After the partition thread
     * and the committer have stopped.
     *
     * @return why the partition failed (its last commit, or this abort), or null.
     */
    KafkaConnectorException abortOpen()
    {
        lock.lock();
        try
        {
            if (inTransaction && failure == null)
            {
                producer.abortTransaction();
            }
        }
        catch (final KafkaException ex)
        {
            failure = failures.failure(partition, "abort", ex);
        }
        finally
        {
            inTransaction = false;
            lock.unlock();
        }
        return failure;
    }

    private void throwIfFailed()
    {
        final KafkaConnectorException failed = failure;
        if (failed != null)
        {
            throw failed;
        }
    }

    static String checkpointMetadata(final long checkpoint)
    {
        return CHECKPOINT_PREFIX + checkpoint;
    }

    static long parseCheckpoint(final String metadata)
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

    KafkaProducer<byte[], byte[]> producer()
    {
        return producer;
    }

    long lastBarrier()
    {
        return lastBarrier;
    }

    long committedCheckpoint()
    {
        return committedCheckpoint;
    }

    long committedNext()
    {
        return committedNext;
    }

    KafkaConnectorException failure()
    {
        return failure;
    }

    long commits()
    {
        return commits;
    }

    long commitNanos()
    {
        return commitNanos;
    }

    long handedOver()
    {
        return handedOver;
    }
}
