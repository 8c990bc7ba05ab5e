package io.sluice.kafka;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntPredicate;

/**
 * The committer of an exactly-once {@link KafkaSink}: a thread ({@code sluice-kafka-commit-<prefix>})
 * that commits each partition's transaction once a completed checkpoint covers it (by default as soon as its
 * burst of outputs ends, against the newest completed checkpoint it has passed), and asks the engine for a
 * checkpoint when outputs wait for one.
 *
 * <p>Whenever a checkpoint completes, a partition passes a barrier or a commit ends, the committer looks at
 * the newest completed checkpoint {@code c} and, for each partition not committing at that moment:
 * <ol>
 *   <li>if it is {@link TransactionalPartition#due due} for {@code c} and sent nothing since its last commit,
 *       {@code c} covers it without a commit (an idle partition costs no transaction);</li>
 *   <li>committing between checkpoints (the default), if it has outputs not committed and has passed the barrier
 *       of a completed checkpoint (the newest such is {@code k}, {@link TransactionalPartition#commitPoint}), its
 *       commit for {@code k} starts once its outputs pause for the quiet period or the oldest has waited the
 *       longest delay (until then the committer sleeps until that moment); otherwise, if it is due and busy,
 *       its commit for {@code c} starts at once. A commit runs on a pool thread
 *       ({@code sluice-kafka-commit-<prefix>-<n>}; each commit is a few round trips to the brokers: the offsets,
 *       the end of the transaction) and records {@code checkpoint k all a}, {@code a} being the newest checkpoint
 *       covering every partition: this one taken at {@code k} (its commit covers it atomically), the others as
 *       their last commits left them (a commit in flight is not counted until it has ended);</li>
 *   <li>if no partition is committing or due and {@code a} moved past the restore limit Kafka has recorded
 *       (the newer of the oldest checkpoint the partitions' last commits covered and the newest {@code all}),
 *       one partition commits the bookkeeping alone (each in turn, which also has every producer look up
 *       the bookkeeping group's coordinator before its first outputs), so that a restart need not go back
 *       further than the retained checkpoints. Idle partitions are covered before the busy ones' commits start,
 *       so those commits' {@code all} counts them and no bookkeeping commit follows just for them.</li>
 * </ol>
 * Partitions commit independently: a partition's commit never waits for another's (a slow commit of
 * partition A once held back the next commit of partition B until both had ended). A partition has at
 * most one commit in flight; one due meanwhile starts when it ends. A commit never starts before its
 * checkpoint is complete and its partition has passed the barrier, and each partition's producer commits
 * only its own transaction, so the order checkpoint, then commit, and the fencing of a zombie by
 * transactional id are those of a sequential committer. With a single partition the committer commits
 * on its own thread.
 *
 * <p>On every pass the committer also ends the transactions nothing else would end
 * ({@link TransactionalPartition#endIfStuck}): a failed partition's (not a fenced one's), and one open longer than
 * half the transaction timeout without a commit, whose outputs are kept for the next commit.
 */
final class SinkCommitter
{
    private static final long NONE = TransactionalPartition.NONE;
    /** Longest the committer sleeps without being woken by a completed checkpoint, a barrier or a commit's end. */
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Threads committing in parallel, at most. */
    private static final int MAX_POOL = 8;

    private final TransactionalPartition[] transactions;
    /** Shortest time between two checkpoints the committer asks for. */
    private final long triggerSpacingNanos;
    private final Thread thread;
    private final ExecutorService pool;
    /** Per partition: 1 while a commit of it runs on the pool (set by the committer, cleared by the pool thread). */
    private final AtomicIntegerArray committing;
    /** Per partition, during a dispatch: the checkpoint to commit it for now, or NONE (committer thread only). */
    private final long[] dueNow;
    /** Commit between checkpoints (see {@link TransactionalPartition#commitPoint}), or only when a newer one completes. */
    private final boolean betweenCheckpoints;
    private final long quietNanos;
    private final long maxDelayNanos;
    /** Shortest time between the starts of two commits of a partition, 0 for none. */
    private final long commitSpacingNanos;
    /** Whether input waits for a partition (the spacing holds only then), or null: the spacing always holds. */
    private volatile IntPredicate inputWaiting;
    /** Longest a transaction stays open without a commit before the committer ends it (half the transaction timeout). */
    private final long openLimitNanos;
    /** The newest checkpoint covering every partition that some commit recorded in Kafka (its {@code all}). */
    private final AtomicLong recordedAll;
    private volatile Throwable unexpected;
    private volatile long completedCheckpoint = NONE;
    private volatile boolean closing;
    private volatile Runnable checkpointTrigger;
    private volatile long checkpointsAsked;
    private long lastTriggerNanos;
    /** The partition whose producer commits the next bookkeeping-only transaction (committer thread). */
    private int bookkeeper;

    /**
     * @param name                 of the thread.
     * @param transactions         the partitions.
     * @param minSpacingMillis     shortest time between two checkpoints asked for.
     * @param recordedAll          the newest checkpoint covering every partition Kafka has recorded, or NONE.
     * @param pacing               when a partition's commit starts.
     * @param openLimitMillis      longest a transaction stays open without a commit before the committer aborts it (its
     *                             outputs kept for the next commit): less than the transaction timeout, at which the
     *                             brokers would abort it and fence the producer.
     */
    SinkCommitter(
        final String name, final TransactionalPartition[] transactions, final long minSpacingMillis, final long recordedAll,
        final CommitPacing pacing, final long openLimitMillis)
    {
        this.openLimitNanos = TimeUnit.MILLISECONDS.toNanos(openLimitMillis);
        this.betweenCheckpoints = pacing.betweenCheckpoints();
        this.quietNanos = pacing.quietNanos();
        this.maxDelayNanos = pacing.maxDelayNanos();
        this.commitSpacingNanos = pacing.spacingNanos();
        this.transactions = transactions;
        this.triggerSpacingNanos = TimeUnit.MILLISECONDS.toNanos(minSpacingMillis);
        this.recordedAll = new AtomicLong(recordedAll);
        this.committing = new AtomicIntegerArray(transactions.length);
        this.dueNow = new long[transactions.length];
        java.util.Arrays.fill(dueNow, NONE);
        final int poolSize = transactions.length < 2 ? 0 : Math.min(transactions.length, MAX_POOL);
        final AtomicInteger threads = new AtomicInteger();
        this.pool = poolSize == 0 ? null : Executors.newFixedThreadPool(poolSize, task ->
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

    /** See {@link KafkaSink#inputWaiting}. */
    void inputWaiting(final IntPredicate waiting)
    {
        this.inputWaiting = waiting;
    }

    long checkpointsAsked()
    {
        return checkpointsAsked;
    }

    /**
     * Stops the thread, waits for the commits in flight, then commits what the newest completed checkpoint
     * covers (the engine's final one) and aborts what it does not. After the engine is closed.
     *
     * @return the first partition failure, or null.
     * @throws InterruptedException if interrupted while waiting for the thread or a commit.
     */
    KafkaConnectorException close() throws InterruptedException
    {
        closing = true;
        LockSupport.unpark(thread);
        thread.join();
        try
        {
            awaitCommits();
            dispatch(completedCheckpoint, true);
            awaitCommits();
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
        lastTriggerNanos = System.nanoTime() - triggerSpacingNanos;
        while (!closing)
        {
            endStuckTransactions();
            long parkNanos = Math.max(1, Math.min(IDLE_NANOS, dispatch(completedCheckpoint, false)));
            final Runnable trigger = checkpointTrigger;
            if (trigger != null && needsCheckpoint())
            {
                final long now = System.nanoTime();
                final long wait = lastTriggerNanos + triggerSpacingNanos - now;
                if (wait <= 0)
                {
                    lastTriggerNanos = now;
                    askForCheckpoint(trigger);
                }
                else
                {
                    parkNanos = Math.min(parkNanos, wait);
                }
            }
            LockSupport.parkNanos(this, parkNanos);
        }
    }

    /**
     * Starts the commits that are due, and covers the idle partitions (class comment).
     *
     * @param completed the newest completed checkpoint, or NONE.
     * @param force     commit every partition with outputs now (at close), without waiting for the end of a burst.
     * @return nanoseconds until a partition waiting for the end of its burst is to be looked at again, or IDLE_NANOS.
     */
    private long dispatch(final long completed, final boolean force)
    {
        final Throwable bug = unexpected;
        if (bug != null)
        {
            // commit() turns Kafka failures into the partition's failure; anything else is a bug to surface.
            throw new IllegalStateException("a Kafka sink commit failed unexpectedly", bug);
        }
        if (completed == NONE)
        {
            return IDLE_NANOS;
        }
        // Idle partitions first, so that what the busy partitions' commits record as covering every partition
        // already counts them covered by this checkpoint (else a bookkeeping commit would follow just for that).
        final long now = System.nanoTime();
        long wait = IDLE_NANOS;
        boolean busy = false;
        for (final TransactionalPartition transaction : transactions)
        {
            final int partition = transaction.partition();
            if (committing.get(partition) != 0)
            {
                busy = true;
                continue;
            }
            final long point = transaction.commitPoint(completed);
            final boolean due = transaction.due(completed);
            if (due && transaction.coverIfIdle(completed))
            {
                continue;
            }
            final long notBefore = force ? now : spacedFrom(transaction);
            if (!betweenCheckpoints)
            {
                if (due)
                {
                    busy = true;
                    if (notBefore - now <= 0)
                    {
                        dueNow[partition] = completed;
                    }
                    else
                    {
                        transaction.heldBySpacing();
                        // A newer checkpoint completing meanwhile rides along; within half the quiet, as input may stop waiting.
                        wait = Math.min(wait, Math.min(notBefore - now, Math.max(1, quietNanos / 2)));
                    }
                }
                continue;
            }
            if (point == NONE || !transaction.uncommitted())
            {
                continue;
            }
            busy = true;
            final long before = force ? 0 : transaction.commitWaitNanos(now, quietNanos, maxDelayNanos, notBefore);
            if (before <= 0)
            {
                dueNow[partition] = point;
            }
            else
            {
                if (notBefore - now > 0)
                {
                    transaction.heldBySpacing();
                }
                // Look again within half the quiet: the partition's quiet is timed from when this thread saw its last output,
                // and while the spacing holds, input may stop waiting (the spacing then no longer holds).
                wait = Math.min(wait, Math.min(before, Math.max(1, quietNanos / 2)));
            }
        }
        for (final TransactionalPartition transaction : transactions)
        {
            final int partition = transaction.partition();
            final long checkpoint = dueNow[partition];
            if (checkpoint != NONE)
            {
                dueNow[partition] = NONE;
                // What this commit records as covering every partition takes the others as their ended commits
                // left them: one in flight may still fail.
                commit(transaction, checkpoint, coveringAllBut(partition, checkpoint));
            }
        }
        if (!busy)
        {
            final long coveringAll = coveringAllBut(-1, NONE);
            if (coveringAll > recordedRestoreLimit())
            {
                // In turn: each producer looks up the bookkeeping group's coordinator with a commit that holds no
                // output, instead of with the first outputs of its partition (a lookup and a retry back-off).
                commit(transactions[bookkeeper], coveringAll, coveringAll);
                bookkeeper = (bookkeeper + 1) % transactions.length;
            }
        }
        return wait;
    }

    /**
     * Ends the transactions nothing else would end ({@link TransactionalPartition#endIfStuck}): a failed partition's,
     * and one open longer than {@link #openLimitNanos}. Not while a commit of the partition runs.
     */
    private void endStuckTransactions()
    {
        final long now = System.nanoTime();
        for (final TransactionalPartition transaction : transactions)
        {
            if (committing.get(transaction.partition()) == 0)
            {
                transaction.endIfStuck(now, openLimitNanos);
            }
        }
    }

    /**
     * The earliest moment the commit spacing lets the partition commit: {@link #commitSpacingNanos} after its last
     * commit started, while input waits for it (or always, without {@link #inputWaiting}); its last commit's start
     * when there is no spacing or no input waits (the spacing then delays nothing).
     */
    private long spacedFrom(final TransactionalPartition transaction)
    {
        final IntPredicate waiting = inputWaiting;
        final boolean spaced = commitSpacingNanos > 0 && (waiting == null || waiting.test(transaction.partition()));
        return transaction.spacedFromNanos(spaced ? commitSpacingNanos : 0);
    }

    /** Commits one partition: on the pool, or on this thread when the sink has a single partition. */
    private void commit(final TransactionalPartition transaction, final long checkpoint, final long coveringAll)
    {
        transaction.commitStarting(System.nanoTime());
        if (pool == null)
        {
            if (transaction.commit(checkpoint, coveringAll))
            {
                recordedAll.accumulateAndGet(coveringAll, Math::max);
            }
            return;
        }
        final int partition = transaction.partition();
        committing.set(partition, 1);
        pool.execute(() ->
        {
            try
            {
                if (transaction.commit(checkpoint, coveringAll))
                {
                    recordedAll.accumulateAndGet(coveringAll, Math::max);
                }
            }
            catch (final Throwable t)
            {
                unexpected = t;
            }
            finally
            {
                committing.set(partition, 0); // ordered before the wake-up: the committer sees the partition free
                LockSupport.unpark(thread);
            }
        });
    }

    /**
     * The newest checkpoint a restart may restore according to what Kafka has recorded (as
     * {@link KafkaSink#restoreCheckpointAtMost()} reads it at open): the newer of the oldest checkpoint the
     * partitions' last commits covered them for and the newest {@code all} a commit recorded. When every
     * partition committed for the same checkpoint, no bookkeeping commit is needed to record it.
     */
    private long recordedRestoreLimit()
    {
        long oldest = Long.MAX_VALUE;
        for (final TransactionalPartition transaction : transactions)
        {
            oldest = Math.min(oldest, transaction.committedCheckpoint());
        }
        return Math.max(oldest, recordedAll.get());
    }

    /** Waits until no commit runs on the pool (at close, after the committer thread stopped). */
    private void awaitCommits() throws InterruptedException
    {
        for (int p = 0; p < committing.length(); p++)
        {
            while (committing.get(p) != 0)
            {
                if (Thread.interrupted())
                {
                    throw new InterruptedException("closing the Kafka sink while a commit runs");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
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

    private boolean needsCheckpoint()
    {
        for (final TransactionalPartition transaction : transactions)
        {
            if (transaction.needsCheckpoint(betweenCheckpoints))
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
