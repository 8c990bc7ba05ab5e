package io.sluice.kafka;

import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

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
 * checkpoint the partition has passed completes ({@link #commit}), without waiting for the
 * partition's next output or barrier.
 *
 * <p>A transaction committed for checkpoint {@code c} holds every output sent before the commit: those
 * before barrier {@code c} and those sent between the barrier and the commit. Beside them it commits,
 * for the bookkeeping group, the next output sequence with the metadata {@code checkpoint <c> all <a>}:
 * {@code c} covers this partition (its replay from barrier {@code c} on produces again every output not
 * committed), and {@code a} covered every partition of the sink when the commit began (see
 * {@link #metadata}). That is exactly once: after a crash the engine restores such a checkpoint or an
 * older one and its replay produces again every output from that barrier on; those below the committed
 * sequence are dropped.
 *
 * <p>A partition that sent nothing since its last commit is covered by a newer checkpoint without a
 * commit ({@link #coverIfIdle}): its committed next sequence already bounds every output before that
 * barrier.
 *
 * <p>One producer per partition keeps the outputs in the Kafka partition in sequence order (two
 * producers alternating would interleave their batches in the log). A send and a commit exclude each
 * other with a lock, which the committer holds for the offsets request and the end of the transaction
 * (it flushes what was sent before taking it). The partition thread never waits for it: an output
 * produced while the lock is held is handed over in a queue, and whoever releases the lock next (the
 * committer, after beginning the next transaction, or the partition thread) sends the queue, in order,
 * before anything newer; every holder looks at the queue again after releasing the lock, so nothing
 * stays in it ({@link #handedOver()}).
 *
 * <p>A refusal (an ACL revoked while the sink runs: WRITE on the topic, READ on the topic or the
 * bookkeeping group, the transactional id; or a credential no longer accepted) does not fail the
 * partition. The outputs of the open transaction are kept ({@link #retained()}) from their send to their
 * commit; on a refusal the partition says so ({@link #refusals()}, the sink's error handler: a message
 * naming the ACL to grant), stops sending, and the next commit, after a back-off of
 * {@value #MIN_RETRY_MILLIS} ms doubling to {@value #MAX_RETRY_MILLIS} ms, reopens the producer (a new one
 * with the same transactional id: initialising it aborts the refused transaction), sends the kept outputs
 * again in order, then commits as usual. Exactly once holds: a {@code read_committed} consumer never sees
 * the aborted transaction, and sees the outputs once, in the committed one. Outputs produced meanwhile are
 * kept too, up to {@value #MAX_RETAINED}; beyond that the partition fails as before, its outputs being
 * produced again by the replay after a restart.
 */
final class TransactionalPartition
{
    static final long NONE = -1;
    /** Outputs kept while a refused transaction waits to be retried, at most; beyond them the partition fails. */
    static final int MAX_RETAINED = 100_000;
    /** First wait before retrying a refused transaction. */
    static final long MIN_RETRY_MILLIS = 100;
    /** Longest wait between two attempts at a refused transaction. */
    static final long MAX_RETRY_MILLIS = 5_000;
    private static final String CHECKPOINT_PREFIX = "checkpoint ";
    private static final String ALL_INFIX = " all ";

    private final int partition;
    /** Guarded by the lock; replaced by {@link #reopener} after a refusal. */
    private KafkaProducer<byte[], byte[]> producer;
    private final TopicPartition topicPartition;
    private final ConsumerGroupMetadata bookkeeping;
    private final Failures failures;
    private final Runnable wakeCommitter;
    private final Reopener reopener;
    private final Consumer<Throwable> refusalHandler;
    /** Guarded by the lock: the outputs of the open transaction (sent or, while retrying, not), in order. */
    private final ArrayList<ProducerRecord<byte[], byte[]>> retained = new ArrayList<>();
    /** A refused transaction waits to be retried: outputs are kept, not sent. Written under the lock. */
    private volatile boolean retrying;
    /** When the next attempt at a refused transaction may start (written under the lock), and the wait after it. */
    private volatile long retryAtNanos;
    private long retryBackoffNanos = TimeUnit.MILLISECONDS.toNanos(MIN_RETRY_MILLIS);
    private volatile long refusals;
    private volatile String lastRefusal;
    /** Sends, commits and retries that the brokers did not answer (unreachable, timed out, unavailable), each retried. */
    private volatile long interruptions;
    /** Transactions this partition ended by aborting them while the sink ran, each with its reason ({@link #lastAbort}). */
    private volatile long aborts;
    private volatile String lastAbort;
    /** The open transaction is gone with the producer it was opened by: the next attempt needs a new producer (whose
     * initialisation aborts the transaction, if the brokers still hold it open). Written under the lock. */
    private boolean reopen;
    /** When the open transaction began (System.nanoTime): the committer ends one open too long. Written under the lock. */
    private volatile long transactionStartNanos;
    /** The sink closes: problems are no longer reported to the handler (the engine is closed). Under the lock. */
    private boolean closing;
    /** Longest wait for the brokers per committer request (commit, abort), repeated in steps of the producer's max.block.ms. */
    private final long timeoutMillis;
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
    /** When {@link #uncommitted} last turned true (System.nanoTime); written with it. */
    private volatile long uncommittedSinceNanos;
    /**
     * Outputs the partition thread has produced, written lazily: the committer's quiet test. A count and not the time of
     * the last output, so that the hot path reads no clock per output (~30 ns of CPU each here, perf/README.md section 84).
     */
    private final AtomicLong outputs = new AtomicLong();
    /** The count of {@link #outputs} the committer last saw, and when it first saw it (System.nanoTime); committer thread only. */
    private long seenOutputs;
    private long seenOutputsAtNanos;
    /** When the committer last started a commit of this partition (System.nanoTime): the commit spacing; committer thread only. */
    private long commitStartNanos = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
    /** The spacing holds the next commit back; committer thread only. */
    private boolean heldBySpacing;
    /** When the committer last saw the spacing hold this partition's commit (System.nanoTime); committer thread only. */
    private long heldSeenNanos = commitStartNanos;
    private volatile long spacingHolds;
    /** Newest completed checkpoint whose barrier the partition had passed when the committer looked; committer thread only. */
    private long commitPoint = NONE;
    private volatile long committedCheckpoint;
    /** Newest checkpoint whose replay from its barrier would produce again every output not committed; committer thread writes. */
    private volatile long coveredCheckpoint;
    private volatile long skipped;
    private volatile long committedNext;
    private volatile KafkaConnectorException failure;
    private volatile long commits;
    private volatile long commitNanos;
    /** Of {@link #commitNanos}: the flush before the lock, the offsets request, the end of the transaction (one committing thread at a time). */
    private volatile long flushNanos;
    private volatile long offsetsNanos;
    private volatile long endNanos;
    private volatile long handedOver;

    /** Turns a Kafka client exception into the sink's message for a partition and an operation. */
    @FunctionalInterface
    interface Failures
    {
        KafkaConnectorException failure(int partition, String what, KafkaException ex);
    }

    /**
     * Replaces a partition's producer after a refusal: closes the old one, creates one with the same
     * transactional id and initialises its transactions (which aborts the refused transaction).
     */
    @FunctionalInterface
    interface Reopener
    {
        /**
         * @param partition whose producer to replace.
         * @return the new producer, its transactions initialised.
         * @throws KafkaConnectorException retriable if the brokers still refuse or cannot be reached.
         */
        KafkaProducer<byte[], byte[]> reopen(int partition);
    }

    TransactionalPartition(
        final int partition, final KafkaProducer<byte[], byte[]> producer, final TopicPartition topicPartition,
        final ConsumerGroupMetadata bookkeeping, final Failures failures, final long committedCheckpoint, final long committedNext,
        final Runnable wakeCommitter, final Reopener reopener, final Consumer<Throwable> refusalHandler, final long timeoutMillis)
    {
        this.timeoutMillis = timeoutMillis;
        this.wakeCommitter = wakeCommitter;
        this.reopener = reopener;
        this.refusalHandler = refusalHandler;
        this.partition = partition;
        this.producer = producer;
        this.topicPartition = topicPartition;
        this.bookkeeping = bookkeeping;
        this.failures = failures;
        this.committedCheckpoint = committedCheckpoint;
        this.coveredCheckpoint = committedCheckpoint;
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
        outputs.lazySet(outputs.get() + 1); // single writer, ordered store, no fence per output: the committer only needs it eventually
        if (lock.tryLock())
        {
            try
            {
                sendHandedOver();
                sendLocked(record, sequence);
            }
            catch (final KafkaException ex)
            {
                final KafkaConnectorException reason = failures.failure(partition, "send", ex);
                if (!reason.retriable())
                {
                    fail(reason);
                    throw reason;
                }
                refused(reason);
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
            catch (final KafkaConnectorException ex)
            {
                // too many outputs kept while refused: failure is set, the partition thread's next call throws it
            }
            catch (final KafkaException ex)
            {
                final KafkaConnectorException reason = failures.failure(partition, "send", ex);
                if (reason.retriable())
                {
                    refused(reason);
                }
                else
                {
                    fail(reason);
                }
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
        if (retrying && retained.size() >= MAX_RETAINED)
        {
            final KafkaConnectorException full = new KafkaConnectorException(lastRefusal + "; the partition kept " + MAX_RETAINED +
                " outputs while refused and stops (a restart produces them again from the last committed checkpoint)", null, true);
            fail(full);
            throw full;
        }
        retained.add(record); // before the producer may throw: a refused send is sent again by the retry
        nextSequence = sequence + 1;
        if (!retrying)
        {
            beginIfNone();
            producer.send(record);
        }
        if (!uncommitted)
        {
            uncommittedSinceNanos = System.nanoTime(); // before the flag: whoever sees the flag sees the time
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
     * Whether checkpoint {@code completed} is to be committed or covered: newer than the checkpoint
     * covering the partition, and the partition has passed its barrier. Committer thread.
     *
     * @param completed a completed checkpoint, or NONE.
     * @return true if the partition is due for it.
     */
    boolean due(final long completed)
    {
        return failure == null && completed != NONE && completed > coveredCheckpoint && lastBarrier >= completed;
    }

    /**
     * Covers a checkpoint the partition is {@link #due} for without a commit, if nothing was sent
     * since the last commit (nor waits in the hand-over queue): every output before the checkpoint's
     * barrier is then below the committed next sequence. Committer thread.
     *
     * @param completed the checkpoint.
     * @return true if covered; false if the partition must commit.
     */
    boolean coverIfIdle(final long completed)
    {
        if (uncommitted)
        {
            return false; // busy, without waiting for a send in progress
        }
        // Under the lock: no hand-over is being drained (polled, not yet sent) meanwhile. Outputs the partition
        // thread sends concurrently come after the barrier the caller saw it pass.
        lock.lock();
        try
        {
            if (uncommitted || !handover.isEmpty())
            {
                return false;
            }
            coveredCheckpoint = Math.max(coveredCheckpoint, completed);
            skipped = skipped + 1; // single writer: the committer
            return true;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Commits the open transaction (or, with nothing sent, the bookkeeping alone) for a checkpoint the
     * partition has passed, recording the next output sequence with {@link #metadata}. Committer
     * thread, or a commit pool thread (one at a time per partition).
     *
     * @param completed   the checkpoint, complete, whose barrier the partition has passed.
     * @param coveringAll the newest checkpoint covering every partition of the sink before this commit, or NONE.
     * @return true if it committed; false if it failed ({@link #failure()}) or was refused (retried later).
     */
    boolean commit(final long completed, final long coveringAll)
    {
        if (failure != null)
        {
            return false;
        }
        if (retrying)
        {
            // Waits out the back-off here, on the committing thread: returning at once would have the committer
            // dispatch this commit again at once, a busy loop for the whole back-off.
            final long wait = retryAtNanos - System.nanoTime();
            if (wait > 0)
            {
                LockSupport.parkNanos(this, wait);
            }
            if (!retry(System.nanoTime()))
            {
                return false;
            }
        }
        final long start = System.nanoTime();
        try
        {
            // Outside the lock: what is sent meanwhile goes into new batches, so the commit has little left to flush.
            producer.flush();
            final long flushed = System.nanoTime();
            lock.lock();
            try
            {
                sendHandedOver(); // produced before this commit: they belong in it
                if (retrying)
                {
                    return false; // refused meanwhile: kept outputs were not sent, this transaction must not commit
                }
                beginIfNone();
                final long offsetsStart = System.nanoTime();
                producer.sendOffsetsToTransaction(
                    Map.of(topicPartition, new OffsetAndMetadata(nextSequence, metadata(completed, coveringAll))), bookkeeping);
                final long offsetsEnd = System.nanoTime();
                commitOrFail();
                final long ended = System.nanoTime();
                flushNanos = flushNanos + (flushed - start);
                offsetsNanos = offsetsNanos + (offsetsEnd - offsetsStart);
                endNanos = endNanos + (ended - offsetsEnd);
                inTransaction = false;
                uncommitted = false;
                committedCheckpoint = completed;
                coveredCheckpoint = Math.max(coveredCheckpoint, completed);
                commitNanos = commitNanos + (ended - start); // one committing thread at a time
                commits = commits + 1;
                // Published last (volatile store after the counters'): a thread that reads this commit's committedNext
                // also reads its commit counted, never the count before it (with the stores the other way round, a reader
                // could see the new committedNext and the old count while the committer was descheduled between them).
                committedNext = nextSequence;
                retained.clear();
                retryBackoffNanos = TimeUnit.MILLISECONDS.toNanos(MIN_RETRY_MILLIS);
                sendHandedOver(); // into the next transaction, before anything the partition thread sends later
            }
            finally
            {
                lock.unlock();
            }
        }
        catch (final RuntimeException ex)
        {
            // Anything else from the client (an IllegalStateException of its transaction state) must end the transaction too.
            final KafkaConnectorException reason = ex instanceof KafkaConnectorException connector ? connector :
                failures.failure(partition, "commit", ex instanceof KafkaException kafka ? kafka : new KafkaException("unexpected " + ex, ex));
            lock.lock();
            try
            {
                if (reason.retriable())
                {
                    refused(reason);
                }
                else
                {
                    fail(reason);
                }
            }
            finally
            {
                lock.unlock();
            }
            return false;
        }
        drainAfterUnlock();
        return true;
    }

    /**
     * Commits the open transaction, repeated up to the timeout. One that still has not completed then cannot be
     * aborted (the client allows only repeating the commit): the partition fails, as before, and the brokers end
     * the transaction, or the producer of the next start does. Under the lock.
     */
    private void commitOrFail()
    {
        final KafkaProducer<byte[], byte[]> committing = producer;
        try
        {
            PatientCall.run(committing::commitTransaction, timeoutMillis);
        }
        catch (final org.apache.kafka.common.errors.TimeoutException ex)
        {
            throw new KafkaConnectorException("Kafka sink partition " + partition + " (" + topicPartition + "): the commit did not " +
                "complete within " + timeoutMillis + " ms; the partition stops (a restart produces its outputs again from the last " +
                "committed checkpoint)", ex, false);
        }
    }

    private void beginIfNone()
    {
        if (!inTransaction)
        {
            producer.beginTransaction();
            inTransaction = true;
            transactionStartNanos = System.nanoTime();
        }
    }

    /**
     * The partition fails for good (a fenced producer, an error a retry cannot clear): the committer ends its open
     * transaction at once ({@link #endIfStuck}), rather than leaving it to the brokers' transaction timeout
     * (read_committed consumers of the Kafka partition would wait for it until then). Under the lock.
     */
    private void fail(final KafkaConnectorException reason)
    {
        failure = reason;
        wakeCommitter.run(); // it ends the open transaction (endIfStuck), off the partition thread
    }

    /**
     * Ends the open transaction, if any, by aborting it with the producer that opened it, counted
     * ({@link #aborts()}) and reported with {@code why}. Never with a new producer of the same transactional id:
     * if this partition is a zombie whose successor has not committed yet, that would fence the successor. Under
     * the lock.
     *
     * @param why the transaction ends, for the report.
     * @return true if no transaction is open any more; false if the brokers could not be told (they abort it
     *         at its transaction timeout, or the next producer with this id does).
     */
    private boolean endOpen(final String why)
    {
        if (!inTransaction)
        {
            return true;
        }
        String how = "aborted";
        try
        {
            if (reopen)
            {
                throw new KafkaException("its producer was refused");
            }
            final KafkaProducer<byte[], byte[]> aborting = producer;
            PatientCall.run(aborting::abortTransaction, timeoutMillis);
            inTransaction = false;
        }
        catch (final RuntimeException ex)
        {
            how = "not aborted (" + ex.getMessage() + "): the brokers abort it after the transaction timeout, or the next producer " +
                "with this transactional id does";
        }
        report(new KafkaConnectorException(noteAbort(how, why), null, true));
        return !inTransaction;
    }

    /** Counts an ended transaction with its reason (under the lock), and returns the reason. */
    private String noteAbort(final String how, final String why)
    {
        lastAbort = "Kafka sink partition " + partition + " (" + topicPartition + "): open transaction " + how + ": " + why;
        aborts = aborts + 1; // after the reason, so that whoever sees the count sees the reason
        return lastAbort;
    }

    /**
     * Ends a transaction that nothing else would end: that of a failed partition (not fenced: the producer that
     * fenced it aborted it), and one open longer than {@code limitNanos} without a commit (no checkpoint completed
     * since its first output, commits failing), before the brokers' transaction timeout aborts it, which would
     * fence this producer and fail the partition. The outputs of the latter are kept, as for a refusal, and sent
     * again into the transaction of the next commit. Committer thread, while no commit of this partition runs.
     *
     * @param nowNanos   System.nanoTime.
     * @param limitNanos longest a transaction may stay open.
     * @return true if a transaction was ended.
     */
    boolean endIfStuck(final long nowNanos, final long limitNanos)
    {
        final KafkaConnectorException failed = failure;
        if (!(failed != null ? inTransaction && !KafkaSink.isFenced(failed) : !retrying && inTransactionFor(nowNanos, limitNanos)))
        {
            return false; // an unlocked look first (inTransaction read racily): the committer looks every pass
        }
        lock.lock();
        try
        {
            if (failure != null)
            {
                if (!inTransaction || KafkaSink.isFenced(failure))
                {
                    return false;
                }
                endOpen("the partition failed: " + failure.getMessage());
                inTransaction = false; // one attempt: if the brokers could not be told, they abort it at its transaction timeout
                return true;
            }
            // A refused transaction is ended by its retry's new producer, after the back-off (see retry).
            if (retrying || !inTransactionFor(nowNanos, limitNanos))
            {
                return false;
            }
            final long openMillis = TimeUnit.NANOSECONDS.toMillis(nowNanos - transactionStartNanos);
            endOpen("open for " + openMillis + " ms without a commit (no checkpoint completed since its first output, or its commits " +
                "failed), before the brokers' transaction timeout aborts it and fences this producer; its " + retained.size() +
                " outputs are kept and sent again with the next commit");
            retrying = true;
            retryAtNanos = nowNanos;
            return true;
        }
        finally
        {
            lock.unlock();
        }
    }

    private boolean inTransactionFor(final long nowNanos, final long limitNanos)
    {
        return inTransaction && nowNanos - transactionStartNanos > limitNanos;
    }

    /**
     * Notes a refusal, under the lock: outputs are kept from now on, not sent, until {@link #retry}
     * reopens the producer; counted, and reported once per attempt with the ACL to grant.
     */
    private void refused(final KafkaConnectorException reason)
    {
        retrying = true;
        final boolean unavailable = KafkaSink.isUnavailable(reason);
        // A refused producer is replaced; an interrupted one aborts its own transaction (retry): a new producer of a
        // zombie, whose request timed out before it learnt it was fenced, would fence its successor in turn.
        reopen |= !unavailable;
        retryAtNanos = System.nanoTime() + retryBackoffNanos;
        if (unavailable)
        {
            interruptions = interruptions + 1; // under the lock
        }
        else
        {
            refusals = refusals + 1; // under the lock
        }
        lastRefusal = reason.getMessage();
        retryBackoffNanos = Math.min(TimeUnit.MILLISECONDS.toNanos(MAX_RETRY_MILLIS), retryBackoffNanos * 2);
        report(new KafkaConnectorException(reason.getMessage() + "; the sink keeps the outputs of the open transaction and tries again " +
            "(" + MIN_RETRY_MILLIS + " ms, doubling to " + MAX_RETRY_MILLIS + " ms; a new producer with the same transactional id aborts the " +
            "open transaction): nothing is lost or written twice once " + (unavailable ? "the brokers answer" : "granted"), reason.getCause(), true));
    }

    private void report(final KafkaConnectorException problem)
    {
        final Consumer<Throwable> handler = refusalHandler;
        if (handler != null && !closing) // at close the engine (and its error log) is closed already
        {
            handler.accept(problem);
        }
    }

    /**
     * Once the back-off allows: replaces the refused producer (the new one's initialisation aborts the
     * refused transaction), begins a transaction and sends the kept outputs again, in order. Committer thread.
     *
     * @return true if the outputs are in a new transaction (the commit may go on), false to try again later.
     */
    private boolean retry(final long nowNanos)
    {
        lock.lock();
        try
        {
            if (nowNanos - retryAtNanos < 0)
            {
                return false;
            }
            if (reopen)
            {
                final boolean wasOpen = inTransaction;
                producer = reopener.reopen(partition); // its initialisation aborts the refused transaction, if open
                reopen = false;
                inTransaction = false;
                if (wasOpen)
                {
                    noteAbort("aborted by a new producer with the same transactional id", lastRefusal);
                }
            }
            else if (inTransaction)
            {
                final KafkaProducer<byte[], byte[]> aborting = producer;
                PatientCall.run(aborting::abortTransaction, timeoutMillis); // fails as fenced if this partition is a zombie
                inTransaction = false;
                noteAbort("aborted", lastRefusal);
            }
            beginIfNone();
            for (int i = 0, size = retained.size(); i < size; i++)
            {
                producer.send(retained.get(i));
            }
            retrying = false;
            return true;
        }
        catch (final KafkaConnectorException ex)
        {
            if (ex.retriable())
            {
                refused(ex);
            }
            else
            {
                fail(ex);
            }
            return false;
        }
        catch (final RuntimeException ex)
        {
            // Anything else (the client's IllegalStateException) fails the partition rather than the committer thread.
            final KafkaConnectorException reason = failures.failure(partition, "send",
                ex instanceof KafkaException kafka ? kafka : new KafkaException("unexpected " + ex, ex));
            if (reason.retriable())
            {
                refused(reason);
            }
            else
            {
                fail(reason);
            }
            return false;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Whether outputs wait for a checkpoint that nobody asked for yet: some were sent since the last
     * commit and the partition has passed no barrier newer than the checkpoint covering it (the
     * completion of one it has passed would commit them). Committer thread.
     *
     * @return true if a checkpoint should be asked for.
     */
    boolean needsCheckpoint(final boolean betweenCheckpoints)
    {
        return uncommitted && failure == null && (betweenCheckpoints ? commitPoint == NONE : lastBarrier <= coveredCheckpoint);
    }

    /**
     * The checkpoint a commit between checkpoints records: the newest completed checkpoint whose barrier the
     * partition has passed. Every output not yet committed is either in the open transaction (those before that
     * barrier among them) or comes after it, so the replay from that barrier produces again whatever a crash loses
     * of them, with the same sequences. Committer thread.
     *
     * @param completed the newest completed checkpoint, or NONE.
     * @return the checkpoint, or NONE if the partition has passed no completed checkpoint's barrier since the sink opened.
     */
    long commitPoint(final long completed)
    {
        if (completed != NONE && completed > commitPoint && lastBarrier >= completed)
        {
            commitPoint = completed;
        }
        return commitPoint;
    }

    /**
     * Whether outputs were sent since the last commit (or are being handed over). Any thread.
     *
     * @return true if a commit has something to take.
     */
    boolean uncommitted()
    {
        return uncommitted || !handover.isEmpty();
    }

    /**
     * How long a commit between checkpoints should still wait: until no output came for {@code quietNanos} (the
     * end of a burst) or the oldest uncommitted output waited {@code maxDelayNanos}, and in any case until
     * {@code notBeforeNanos} (the commit spacing); after the spacing ends (at that moment, or when this partition's input
     * stops waiting, seen by the caller's looks) the burst in progress still gets its quiet, and the delay counts from
     * then for outputs older than it. The quiet is timed by the committer: from when it
     * first saw the partition's output count where it is now, so the caller should look again within half the quiet
     * while outputs come (a burst's end is then seen 1-1.5 quiet periods after its last output). Committer thread.
     *
     * @param nowNanos       System.nanoTime.
     * @param quietNanos     of quiet that ends a burst.
     * @param maxDelayNanos  an output waits at most (from the later of its send and the end of the spacing).
     * @param notBeforeNanos earliest moment the commit may start (System.nanoTime), {@code nowNanos} or earlier for none.
     * @return nanoseconds to wait, 0 or less to commit now.
     */
    long commitWaitNanos(final long nowNanos, final long quietNanos, final long maxDelayNanos, final long notBeforeNanos)
    {
        final long count = outputs.get();
        if (count != seenOutputs)
        {
            seenOutputs = count;
            seenOutputsAtNanos = nowNanos;
        }
        if (notBeforeNanos - nowNanos > 0)
        {
            heldSeenNanos = nowNanos;
        }
        final long quietAt = seenOutputsAtNanos + quietNanos;
        final long since = uncommitted ? uncommittedSinceNanos : quietAt - maxDelayNanos;
        // The delay counts from the end of the spacing: its natural end, or the last look that saw it hold (input waited),
        // so that the burst in progress when the spacing ends still gets its quiet.
        final long delayFrom = later(since, later(notBeforeNanos, heldSeenNanos));
        return later(notBeforeNanos, earlier(quietAt, delayFrom + maxDelayNanos)) - nowNanos;
    }

    /**
     * The earliest moment the spacing lets this partition's next commit start: {@code spacingNanos} after its last
     * commit started. Committer thread.
     *
     * @param spacingNanos shortest time between the starts of two commits.
     * @return System.nanoTime of that moment.
     */
    long spacedFromNanos(final long spacingNanos)
    {
        return commitStartNanos + spacingNanos;
    }

    /**
     * The committer starts a commit of this partition now (the spacing counts from here). Committer thread.
     *
     * @param nowNanos System.nanoTime.
     */
    void commitStarting(final long nowNanos)
    {
        commitStartNanos = nowNanos;
        heldBySpacing = false;
    }

    /** The spacing holds the partition's next commit back (outputs came before it ended): counted once per commit. Committer thread. */
    void heldBySpacing()
    {
        if (!heldBySpacing)
        {
            heldBySpacing = true;
            spacingHolds = spacingHolds + 1; // single writer: the committer
        }
    }

    /**
     * Commits the spacing held back: each counts once, when outputs waited for the partition's commit less than the spacing
     * after its last commit started. Any thread.
     *
     * @return the count.
     */
    long spacingHolds()
    {
        return spacingHolds;
    }

    private static long later(final long aNanos, final long bNanos)
    {
        return aNanos - bNanos >= 0 ? aNanos : bNanos; // nanoTime values compare by difference
    }

    private static long earlier(final long aNanos, final long bNanos)
    {
        return aNanos - bNanos <= 0 ? aNanos : bNanos;
    }

    /**
     * Aborts the open transaction, if any, at close: its outputs are not covered by a completed checkpoint, and
     * the replay after the next start produces them again. A failed or interrupted partition's transaction is
     * aborted too (not a fenced one's: its successor aborted it; nor a refused one's: the next start's
     * initialisation does). After the partition thread and the committer have stopped.
     *
     * @return why the partition failed (its last commit, or this abort), or null.
     */
    KafkaConnectorException abortOpen()
    {
        lock.lock();
        try
        {
            closing = true;
            // A refused producer cannot abort: the next start's initialisation does (as a fenced one's successor did).
            if (inTransaction && !reopen && (failure == null || !KafkaSink.isFenced(failure)) && !endOpen("the sink closed before a completed " +
                "checkpoint covered its outputs (the replay after the next start produces them again)") && failure == null)
            {
                failure = new KafkaConnectorException(lastAbort, null, true);
            }
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

    /**
     * The metadata of a commit's bookkeeping offset (whose offset is the partition's next output
     * sequence), text:
     * <pre>
     *   checkpoint &lt;c&gt;            (c: the checkpoint this commit covers this partition for)
     *   checkpoint &lt;c&gt; all &lt;a&gt;    (a: a checkpoint covering every partition of the sink: for each
     *                              partition its committed next sequence, then, was at least its
     *                              output sequence at barrier a; -1 is left out)
     * </pre>
     *
     * @param checkpoint  c.
     * @param coveringAll a, or NONE.
     * @return the text.
     */
    static String metadata(final long checkpoint, final long coveringAll)
    {
        return coveringAll == NONE ? CHECKPOINT_PREFIX + checkpoint : CHECKPOINT_PREFIX + checkpoint + ALL_INFIX + coveringAll;
    }

    /**
     * The checkpoint {@code c} of a commit's {@link #metadata}.
     *
     * @param metadata of the committed offset, or null.
     * @return c, or NONE if absent or unreadable.
     */
    static long parseCheckpoint(final String metadata)
    {
        if (metadata != null && metadata.startsWith(CHECKPOINT_PREFIX))
        {
            final int all = metadata.indexOf(ALL_INFIX);
            return parseId(metadata.substring(CHECKPOINT_PREFIX.length(), all < 0 ? metadata.length() : all));
        }
        return NONE;
    }

    /**
     * The checkpoint {@code a} covering every partition of a commit's {@link #metadata}.
     *
     * @param metadata of the committed offset, or null.
     * @return a, or NONE if absent or unreadable.
     */
    static long parseCoveringAll(final String metadata)
    {
        if (metadata != null && metadata.startsWith(CHECKPOINT_PREFIX))
        {
            final int all = metadata.indexOf(ALL_INFIX);
            return all < 0 ? NONE : parseId(metadata.substring(all + ALL_INFIX.length()));
        }
        return NONE;
    }

    private static long parseId(final String text)
    {
        try
        {
            return Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            return NONE;
        }
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

    /**
     * Covers a checkpoint known at open to cover every partition (what Kafka recorded), if newer.
     *
     * @param checkpoint the id.
     */
    void covered(final long checkpoint)
    {
        coveredCheckpoint = Math.max(coveredCheckpoint, checkpoint);
    }

    long coveredCheckpoint()
    {
        return coveredCheckpoint;
    }

    long skipped()
    {
        return skipped;
    }

    int partition()
    {
        return partition;
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

    long flushNanos()
    {
        return flushNanos;
    }

    long offsetsNanos()
    {
        return offsetsNanos;
    }

    long endNanos()
    {
        return endNanos;
    }

    long handedOver()
    {
        return handedOver;
    }

    /** Refusals (revoked ACLs, rejected credentials) met by sends, commits and retries, each retried. */
    long refusals()
    {
        return refusals;
    }

    /** The message of the last refusal, naming the ACL to grant, or null. */
    String lastRefusal()
    {
        return lastRefusal;
    }

    /** Sends, commits and retries the brokers did not answer (unreachable, timed out, unavailable), each retried. */
    long interruptions()
    {
        return interruptions;
    }

    /** Transactions ended by an abort while the sink ran or at close, each reported with its reason ({@link #lastAbort()}). */
    long aborts()
    {
        return aborts;
    }

    /** Why the last transaction was aborted, or null. */
    String lastAbort()
    {
        return lastAbort;
    }

    /** Whether a refused transaction waits to be retried. */
    boolean retrying()
    {
        return retrying;
    }

    /** Outputs of the open transaction, kept until it commits (under the lock: committer thread, or after it stopped). */
    int retained()
    {
        lock.lock();
        try
        {
            return retained.size();
        }
        finally
        {
            lock.unlock();
        }
    }
}
