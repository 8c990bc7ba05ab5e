package io.sluice.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The committer of an exactly-once {@link KafkaSink}: a thread ({@code sluice-kafka-commit-<prefix>})
 * that, for the newest completed checkpoint, commits the transactions of the partitions that have
 * passed its barrier, and asks the engine for a checkpoint when outputs wait for one.
 *
 * <p>A round for checkpoint {@code c}:
 * <ol>
 *   <li>every partition {@link TransactionalPartition#due due} for {@code c} that sent nothing since its
 *       last commit is covered by {@code c} without a commit (an idle partition costs no transaction);</li>
 *   <li>the others commit, each its own producer's transaction, in parallel (each commit is a few round
 *       trips to the brokers: the offsets, the end of the transaction); a partition's commit records
 *       {@code checkpoint c all a}, {@code a} being the newest checkpoint covering every partition, this
 *       one taken at {@code c} (its commit covers it atomically) and the others as they were before the
 *       round: with a single busy partition, {@code a = c};</li>
 *   <li>if nothing committed but {@code a} moved past what Kafka has recorded, one partition commits the
 *       bookkeeping alone, so that a restart need not go back further than the retained checkpoints.</li>
 * </ol>
 * Rounds follow each other: a partition's next commit begins after the round of its last one ended.
 * A commit never starts before its checkpoint is complete and its partition has passed the barrier, and
 * each partition's producer commits only its own transaction, so the order checkpoint, then commit, and
 * the fencing of a zombie by transactional id are those of a sequential committer.
 */
final class SinkCommitter
{
    private static final long NONE = TransactionalPartition.NONE;
    /** Longest the committer sleeps without being woken by a completed checkpoint or a barrier. */
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Threads committing in parallel beside the committer itself, at most. */
    private static final int MAX_POOL = 7;

    private final TransactionalPartition[] transactions;
    private final long spacingNanos;
    private final Thread thread;
    private final ExecutorService pool;
    private final int[] due;
    /** Per due partition of a round, what its commit records as covering every partition. */
    private final long[] coveringAll;
    private final List<Future<Boolean>> inFlight = new ArrayList<>();
    private volatile long completedCheckpoint = NONE;
    private volatile boolean closing;
    private volatile Runnable checkpointTrigger;
    private volatile long checkpointsAsked;
    private long lastTriggerNanos;
    /** The newest checkpoint covering every partition that some commit recorded in Kafka (its {@code all}). */
    private long recordedAll;

    /**
     * @param name                 of the thread.
     * @param transactions         the partitions.
     * @param minSpacingMillis     shortest time between two checkpoints asked for.
     * @param recordedAll          the newest checkpoint covering every partition Kafka has recorded, or NONE.
     */
    SinkCommitter(final String name, final TransactionalPartition[] transactions, final long minSpacingMillis, final long recordedAll)
    {
        this.transactions = transactions;
        this.spacingNanos = TimeUnit.MILLISECONDS.toNanos(minSpacingMillis);
        this.recordedAll = recordedAll;
        this.due = new int[transactions.length];
        this.coveringAll = new long[transactions.length];
        final int poolSize = Math.min(transactions.length - 1, MAX_POOL);
        final AtomicInteger threads = new AtomicInteger();
        this.pool = poolSize <= 0 ? null : Executors.newFixedThreadPool(poolSize, task ->
        {
            final Thread worker = new Thread(task, name + "-" + threads.incrementAndGet());
            worker.setDaemon(true);
            return worker;
        });
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    void start()
    {
        thread.start();
    }

    /** A checkpoint completed (checkpoint thread). */
    void checkpointCompleted(final long id)
    {
        if (id > completedCheckpoint)
        {
            completedCheckpoint = id; // volatile: read by the committer, woken here
            LockSupport.unpark(thread);
        }
    }

    /** A partition passed a barrier (its thread): wakes the committer if that checkpoint completed already. */
    void barrierPassed(final long id)
    {
        if (completedCheckpoint >= id)
        {
            LockSupport.unpark(thread);
        }
    }

    /** Wakes the committer (an output waits for a checkpoint). */
    void wake()
    {
        LockSupport.unpark(thread);
    }

    /** See {@link KafkaSink#checkpointTrigger}. */
    void checkpointTrigger(final Runnable trigger)
    {
        this.checkpointTrigger = trigger;
        wake();
    }

    long checkpointsAsked()
    {
        return checkpointsAsked;
    }

    /**
     * Stops the thread, then commits what the newest completed checkpoint covers (the engine's final
     * one) and aborts what it does not. After the engine is closed.
     *
     * @return the first partition failure, or null.
     * @throws InterruptedException if interrupted while waiting for the thread.
     */
    KafkaConnectorException close() throws InterruptedException
    {
        closing = true;
        LockSupport.unpark(thread);
        thread.join();
        try
        {
            round(completedCheckpoint);
            KafkaConnectorException failed = null;
            for (final TransactionalPartition transaction : transactions)
            {
                final KafkaConnectorException failure = transaction.abortOpen();
                failed = failed == null ? failure : failed;
            }
            return failed;
        }
        finally
        {
            if (pool != null)
            {
                pool.shutdownNow();
            }
        }
    }

    private void run()
    {
        lastTriggerNanos = System.nanoTime() - spacingNanos;
        while (!closing)
        {
            try
            {
                round(completedCheckpoint);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            long parkNanos = IDLE_NANOS;
            final Runnable trigger = checkpointTrigger;
            if (trigger != null && needsCheckpoint())
            {
                final long now = System.nanoTime();
                final long wait = lastTriggerNanos + spacingNanos - now;
                if (wait <= 0)
                {
                    lastTriggerNanos = now;
                    askForCheckpoint(trigger);
                }
                else
                {
                    parkNanos = wait;
                }
            }
            LockSupport.parkNanos(this, parkNanos);
        }
    }

    /** One round for the checkpoint {@code completed} (see the class comment). */
    private void round(final long completed) throws InterruptedException
    {
        if (completed == NONE)
        {
            return;
        }
        int count = 0;
        for (final TransactionalPartition transaction : transactions)
        {
            if (transaction.due(completed) && !transaction.coverIfIdle(completed))
            {
                due[count++] = transaction.partition();
            }
        }
        if (count == 0)
        {
            final long coveringAll = coveringAllBut(-1, NONE);
            if (coveringAll > recordedAll && transactions[0].commit(coveringAll, coveringAll))
            {
                recordedAll = coveringAll;
            }
            return;
        }
        // Each commit covers its own partition at 'completed' atomically with its outputs: what it records as covering
        // every partition takes the others as they are before the round (a commit of this round may fail).
        for (int i = 0; i < count; i++)
        {
            coveringAll[i] = coveringAllBut(due[i], completed);
        }
        for (int i = 1; i < count; i++)
        {
            final TransactionalPartition transaction = transactions[due[i]];
            final long all = coveringAll[i];
            inFlight.add(pool.submit(() -> transaction.commit(completed, all)));
        }
        long recorded = transactions[due[0]].commit(completed, coveringAll[0]) ? coveringAll[0] : NONE;
        for (int i = 0; i < inFlight.size(); i++)
        {
            if (awaitCommit(inFlight.get(i)))
            {
                recorded = Math.max(recorded, coveringAll[i + 1]);
            }
        }
        inFlight.clear();
        recordedAll = Math.max(recordedAll, recorded);
    }

    /**
     * The newest checkpoint covering every partition, {@code partition} taken as covered at {@code
     * checkpoint}: the oldest of the partitions' covering checkpoints.
     */
    private long coveringAllBut(final int partition, final long checkpoint)
    {
        long oldest = Long.MAX_VALUE;
        for (final TransactionalPartition transaction : transactions)
        {
            oldest = Math.min(oldest, transaction.partition() == partition ? checkpoint : transaction.coveredCheckpoint());
        }
        return oldest;
    }

    private static boolean awaitCommit(final Future<Boolean> commit) throws InterruptedException
    {
        try
        {
            return commit.get();
        }
        catch (final ExecutionException ex)
        {
            // commit() turns Kafka failures into the partition's failure; anything else is a bug to surface.
            throw new IllegalStateException("a Kafka sink commit failed unexpectedly", ex.getCause());
        }
    }

    private boolean needsCheckpoint()
    {
        for (final TransactionalPartition transaction : transactions)
        {
            if (transaction.needsCheckpoint())
            {
                return true;
            }
        }
        return false;
    }

    private void askForCheckpoint(final Runnable trigger)
    {
        try
        {
            trigger.run();
            checkpointsAsked = checkpointsAsked + 1; // single writer: the committer
        }
        catch (final RuntimeException ex)
        {
            // The engine is closing or has checkpoints off: the periodic and final checkpoints commit instead.
        }
    }
}
