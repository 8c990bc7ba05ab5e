package io.sluice.peers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;

import io.sluice.journal.Topic;
import io.sluice.kafka.KafkaTestBroker;

/**
 * The broker's raw produce+consume rate of the benchmark's records, the ceiling of a pipeline whose input is
 * produced while it runs: {@code producers} plain producers (acks=all, idempotent: the client defaults, as
 * Sluice's sink) send the workload's records into a fresh topic, producer {@code i} the partitions {@code p} with
 * {@code p % producers == i}, each on its own thread, while one {@code read_committed} consumer (the isolation
 * Sluice's source and Kafka Streams' exactly-once consumers use) reads them; timed from the first send to the last
 * record read. The producers are created and have the topic's metadata before the clock starts: a client's start-up
 * (its connection, metadata and idempotent producer id) is not the broker's rate, and a pipeline's start-up is not in
 * its rate either.
 */
final class KafkaCeiling
{
    private KafkaCeiling()
    {
    }

    /**
     * One measurement.
     *
     * @param broker     to create the topic on.
     * @param bootstrap  of the broker.
     * @param partitions of the topic.
     * @param w          the records (the peer workload's orders).
     * @param base       added to every timestamp.
     * @param topic      a fresh topic name.
     * @param producer   settings of the producers beside the client defaults.
     * @param consumer   settings of the consumer beside the client defaults.
     * @param producers  producer threads, 1 to partitions.
     * @return {produce+consume ev/s, produce-alone ev/s}.
     * @throws InterruptedException if interrupted.
     */
    static double[] produceConsume(
        final KafkaTestBroker broker, final String bootstrap, final int partitions, final Workload w, final long base, final String topic,
        final Map<String, String> producer, final Map<String, String> consumer, final int producers) throws InterruptedException
    {
        broker.createTopics(partitions, topic);
        final long[] consumed = new long[1];
        final long[] lastNanos = new long[1];
        final CountDownLatch ready = new CountDownLatch(1);
        // The producers stay open until the reader has read the clocks at its end: an ended thread's CPU has no name.
        final CountDownLatch measured = new CountDownLatch(1);
        final AtomicReference<CpuSnapshot> atEnd = new AtomicReference<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread reader = new Thread(() ->
        {
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(KafkaBench.readCommittedConsumer(bootstrap, topic, consumer)))
            {
                final List<TopicPartition> tps = new ArrayList<>();
                for (int p = 0; p < partitions; p++)
                {
                    tps.add(new TopicPartition(topic, p));
                }
                c.assign(tps);
                c.seekToBeginning(tps);
                tps.forEach(tp -> c.position(tp, Duration.ofSeconds(60)));
                ready.countDown();
                consumed[0] = TopicLoad.until(c, w.count, bootstrap, "ceiling " + topic).records();
                lastNanos[0] = System.nanoTime();
                atEnd.set(CpuSnapshot.take());
            }
            catch (final RuntimeException ex)
            {
                failure.set(ex);
                ready.countDown();
            }
            finally
            {
                measured.countDown();
            }
        }, "ceiling-reader");
        reader.start();
        if (!ready.await(2, TimeUnit.MINUTES))
        {
            throw new IllegalStateException("ceiling: the consumer did not start");
        }
        final long[] produced = new long[producers];
        final Thread[] senders = new Thread[producers];
        final CountDownLatch created = new CountDownLatch(producers);
        final CountDownLatch go = new CountDownLatch(1);
        final long createdFrom = System.nanoTime();
        for (int i = 0; i < producers; i++)
        {
            final int self = i;
            senders[i] = new Thread(() ->
            {
                try (KafkaProducer<byte[], byte[]> p = KafkaBench.producer(bootstrap, producer))
                {
                    p.partitionsFor(topic);
                    created.countDown();
                    go.await();
                    final TopicLoad.Sends sends = new TopicLoad.Sends();
                    for (int r = 0; r < w.count; r++)
                    {
                        if (Topic.partitionFor(w.key[r], partitions) % producers == self)
                        {
                            p.send(KafkaBench.record(topic, partitions, w.key[r], w.value[r], base + w.ts[r]), sends);
                        }
                    }
                    p.flush();
                    sends.check("ceiling " + topic + " producer " + self);
                    produced[self] = System.nanoTime();
                    measured.await();
                }
                catch (final RuntimeException | InterruptedException ex)
                {
                    failure.set(ex);
                    created.countDown();
                }
            }, "ceiling-producer-" + i);
            senders[i].start();
        }
        if (!created.await(2, TimeUnit.MINUTES))
        {
            throw new IllegalStateException("ceiling: the producers did not start");
        }
        final long createdNanos = System.nanoTime() - createdFrom;
        final CpuSnapshot before = CpuSnapshot.take();
        final long start = System.nanoTime();
        go.countDown();
        long producedNanos = 0;
        for (final Thread sender : senders)
        {
            sender.join();
        }
        for (final long t : produced)
        {
            producedNanos = Math.max(producedNanos, t);
        }
        reader.join();
        if (failure.get() != null)
        {
            throw new IllegalStateException("ceiling failed: " + failure.get(), failure.get());
        }
        if (consumed[0] < w.count)
        {
            throw new IllegalStateException("ceiling: read " + consumed[0] + " of " + w.count);
        }
        final CpuBudget budget = before.until(atEnd.get(), name -> name.startsWith("ceiling-") ||
            name.startsWith("kafka-producer-network-thread | "), name -> name.equals("main"));
        System.out.printf("  %s: %,.0f ev/s (%,.0f ev/s with the producers' start-up of %d ms in it); cpu us per record: %s%n", topic,
            w.count * 1e9 / (lastNanos[0] - start), w.count * 1e9 / (lastNanos[0] - start + createdNanos), createdNanos / 1_000_000,
            CpuBudget.describe(budget.perRecord(w.count, lastNanos[0] - start)).replace("pipeline's threads", "the ceiling's clients"));
        return new double[] {w.count * 1e9 / (lastNanos[0] - start), w.count * 1e9 / (producedNanos - start)};
    }
}
