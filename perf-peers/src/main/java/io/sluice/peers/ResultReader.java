package io.sluice.peers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * A {@code read_committed} consumer of an output topic on its own thread, assigned and positioned before the
 * constructor returns (so its start-up is never timed): decodes every record into a row,
 * notes the wall-clock millisecond each poll returned it (for latency) and the {@link System#nanoTime()} at which
 * the expected number of rows had arrived (for throughput).
 */
final class ResultReader implements AutoCloseable
{
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaPipeline.Factory decoder;
    private final long expected;
    private final Thread thread;
    private final Rows rows;
    private long[] arrivalMillis;
    private volatile long count;
    private volatile long completeNanos;
    private volatile boolean running = true;
    private volatile Throwable failure;

    ResultReader(final String bootstrap, final String topic, final String group, final KafkaPipeline.Factory decoder, final long expected)
    {
        this.consumer = new KafkaConsumer<>(KafkaBench.readCommittedConsumer(bootstrap, group));
        final List<TopicPartition> partitions = new ArrayList<>();
        for (final PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(60)))
        {
            partitions.add(new TopicPartition(topic, info.partition()));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        for (final TopicPartition partition : partitions)
        {
            consumer.position(partition, Duration.ofSeconds(60)); // resolved now, before anything is timed
        }
        this.decoder = decoder;
        this.expected = expected;
        this.rows = new Rows((int)Math.min(expected + 16, 1 << 20));
        this.arrivalMillis = new long[(int)Math.min(expected + 16, 1 << 20)];
        this.thread = new Thread(this::run, "result-reader-" + topic);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run()
    {
        try
        {
            while (running)
            {
                final ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(20));
                final long now = System.currentTimeMillis();
                synchronized (this)
                {
                    for (final ConsumerRecord<byte[], byte[]> record : records)
                    {
                        decoder.decode(record, rows);
                        final int n = rows.count();
                        if (n > arrivalMillis.length)
                        {
                            arrivalMillis = java.util.Arrays.copyOf(arrivalMillis, n * 2);
                        }
                        arrivalMillis[n - 1] = now;
                    }
                }
                if (!records.isEmpty())
                {
                    count = rows.count();
                    if (completeNanos == 0 && count >= expected)
                    {
                        completeNanos = System.nanoTime();
                    }
                }
            }
        }
        catch (final Throwable t)
        {
            failure = t;
        }
        finally
        {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(10)));
        }
    }

    /**
     * Waits until the expected rows have arrived.
     *
     * @param timeout longest wait.
     * @param unit    of the timeout.
     * @param what    for the error message.
     * @return the nanoTime of the poll that completed them.
     * @throws InterruptedException if interrupted.
     */
    long awaitComplete(final long timeout, final TimeUnit unit, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (completeNanos == 0)
        {
            if (failure != null)
            {
                throw new IllegalStateException(what + ": result reader failed", failure);
            }
            if (System.nanoTime() > deadline)
            {
                throw new IllegalStateException(what + ": " + count + " of " + expected + " result rows within " + timeout + " " + unit);
            }
            Thread.sleep(2);
        }
        return completeNanos;
    }

    /**
     * Stops the reader (after a short extra wait that would catch duplicate or surplus rows).
     *
     * @param lingerMillis to keep reading before stopping.
     * @return the rows read.
     * @throws InterruptedException if interrupted.
     */
    Rows stop(final long lingerMillis) throws InterruptedException
    {
        Thread.sleep(lingerMillis);
        running = false;
        thread.join(TimeUnit.SECONDS.toMillis(30));
        return rows;
    }

    /**
     * Rows read so far whose window ends at or before a time.
     *
     * @param endLimit latest window end counted.
     * @return the count.
     */
    synchronized long countEndingBy(final long endLimit)
    {
        long n = 0;
        for (int i = 0, c = rows.count(); i < c; i++)
        {
            if (rows.get(i, 2) <= endLimit)
            {
                n++;
            }
        }
        return n;
    }

    long[] arrivalMillis()
    {
        return arrivalMillis;
    }

    @Override
    public void close()
    {
        running = false;
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
