package io.sluice.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * Watches an exactly-once sink's Kafka partitions for a transaction left open that the sink does not hold: a
 * thread ({@code sluice-kafka-txn-watch-<prefix>}) that, every {@code intervalMillis}, compares each partition's
 * last stable offset (where {@code read_committed} consumers stop) with its log end. A partition whose last
 * stable offset stays at the same offset below the log end for {@code stuckMillis} while the sink has sent
 * nothing uncommitted to it (before and after each look) holds a transaction nobody will end: seen once under
 * load, a transaction the sink's producer reported committed whose commit marker never reached the partition, or
 * another producer writing the topic. The watch reports it once per offset, with its holder as the brokers describe it
 * ({@link TransactionHolder}: producer id and epoch, transactional id, the coordinator's state), with what to do (the sink cannot
 * commit it: its producer already has; aborting it hides its outputs from {@code read_committed} consumers), and
 * counts it ({@link KafkaSink#hangingTransactions}). Nothing of the partition threads or the committer waits for it.
 */
final class HangingTransactionWatch
{
    private final TransactionalPartition[] transactions;
    private final TopicPartition[] topicPartitions;
    private final Supplier<Admin> admins;
    private final long intervalNanos;
    private final long stuckNanos;
    private final Consumer<Throwable> report;
    private final String describe;
    private final String transactionalIdPrefix;
    private final Thread thread;
    /** Per partition: the last stable offset seen stuck below the log end, or -1; since when; whether reported. */
    private final long[] stuckAt;
    private final long[] stuckSinceNanos;
    private final boolean[] reported;
    private final long[] hanging;
    private volatile boolean closing;

    /**
     * Longest wait for each of the brokers' answers describing a hanging transaction's holder: once per report, so
     * longer than a look's requests (a tenth of the interval: 401 ms in a test, which a broker under a load of 40-80
     * did not always answer in time, leaving the report without its holder).
     */
    private static final long DESCRIBE_HOLDER_MILLIS = 10_000;

    /**
     * @param name            of the thread.
     * @param transactions    the sink's partitions.
     * @param topicPartitions the Kafka partition each writes.
     * @param admins          creates the admin client (the sink's settings), once.
     * @param intervalMillis  between two looks.
     * @param stuckMillis     a last stable offset must stay this long to be reported.
     * @param report          of each hanging transaction found (the sink's refusal handler).
     * @param describe        the sink, for the messages: topic and brokers.
     * @param transactionalIdPrefix of the sink's producers, to tell its own transactions from others' in the report.
     */
    HangingTransactionWatch(
        final String name, final TransactionalPartition[] transactions, final TopicPartition[] topicPartitions, final Supplier<Admin> admins,
        final long intervalMillis, final long stuckMillis, final Consumer<Throwable> report, final String describe,
        final String transactionalIdPrefix)
    {
        this.transactionalIdPrefix = transactionalIdPrefix;
        this.transactions = transactions;
        this.topicPartitions = topicPartitions;
        this.admins = admins;
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
        this.stuckNanos = TimeUnit.MILLISECONDS.toNanos(stuckMillis);
        this.report = report;
        this.describe = describe;
        this.stuckAt = new long[transactions.length];
        this.stuckSinceNanos = new long[transactions.length];
        this.reported = new boolean[transactions.length];
        this.hanging = new long[transactions.length];
        java.util.Arrays.fill(stuckAt, -1);
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    void start()
    {
        thread.start();
    }

    /** Hanging transactions reported for a partition. */
    long hanging(final int partition)
    {
        synchronized (hanging)
        {
            return hanging[partition];
        }
    }

    void close() throws InterruptedException
    {
        closing = true;
        LockSupport.unpark(thread);
        thread.join();
    }

    private void run()
    {
        Admin admin = null;
        try
        {
            while (!closing)
            {
                LockSupport.parkNanos(this, intervalNanos);
                if (closing)
                {
                    break;
                }
                if (admin == null)
                {
                    admin = admins.get();
                }
                look(admin);
            }
        }
        finally
        {
            if (admin != null)
            {
                admin.close(java.time.Duration.ZERO);
            }
        }
    }

    private void look(final Admin admin)
    {
        final boolean[] quietBefore = quiet();
        final Map<TopicPartition, Long> stable;
        final Map<TopicPartition, Long> end;
        try
        {
            stable = offsets(admin, IsolationLevel.READ_COMMITTED);
            end = offsets(admin, IsolationLevel.READ_UNCOMMITTED);
        }
        catch (final KafkaException | ExecutionException | TimeoutException ex)
        {
            return; // brokers away: the sink's own retries report that; look again next time
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            closing = true;
            return;
        }
        final boolean[] quietAfter = quiet();
        final long now = System.nanoTime();
        for (int p = 0; p < transactions.length; p++)
        {
            final Long lso = stable.get(topicPartitions[p]);
            final Long logEnd = end.get(topicPartitions[p]);
            if (lso == null || logEnd == null || lso >= logEnd || !quietBefore[p] || !quietAfter[p])
            {
                stuckAt[p] = -1; // nothing held back, or the sink's own transaction may hold it
                continue;
            }
            if (stuckAt[p] != lso)
            {
                stuckAt[p] = lso;
                stuckSinceNanos[p] = now;
                reported[p] = false;
            }
            else if (!reported[p] && now - stuckSinceNanos[p] >= stuckNanos)
            {
                reported[p] = true;
                report.accept(new KafkaConnectorException(describe + ": Kafka partition " + topicPartitions[p] + " holds a transaction " +
                    "open at offset " + lso + " (log end " + logEnd + ") for " + TimeUnit.NANOSECONDS.toSeconds(now - stuckSinceNanos[p]) +
                    " s that this sink does not hold (" + TransactionHolder.describe(admin, topicPartitions[p], lso, transactionalIdPrefix,
                    Math.max(TimeUnit.NANOSECONDS.toMillis(intervalNanos) + 1, DESCRIBE_HOLDER_MILLIS)) + "): read_committed consumers stop there. Find it with kafka-transactions.sh " +
                    "find-hanging and end it with kafka-transactions.sh abort (its records then stay invisible to read_committed " +
                    "consumers)", null, true));
                synchronized (hanging)
                {
                    hanging[p]++; // after the report: whoever sees the count finds the report
                }
            }
        }
    }

    private Map<TopicPartition, Long> offsets(final Admin admin, final IsolationLevel isolation)
        throws ExecutionException, TimeoutException, InterruptedException
    {
        final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (final TopicPartition topicPartition : topicPartitions)
        {
            latest.put(topicPartition, OffsetSpec.latest());
        }
        final Map<TopicPartition, Long> offsets = new HashMap<>();
        admin.listOffsets(latest, new ListOffsetsOptions(isolation)).all().get(TimeUnit.NANOSECONDS.toMillis(intervalNanos) + 1, TimeUnit.MILLISECONDS)
            .forEach((topicPartition, info) -> offsets.put(topicPartition, info.offset()));
        return offsets;
    }

    private boolean[] quiet()
    {
        final boolean[] quiet = new boolean[transactions.length];
        for (int p = 0; p < transactions.length; p++)
        {
            quiet[p] = !transactions[p].uncommitted();
        }
        return quiet;
    }
}
