package io.sluice.kafka;

import static io.sluice.kafka.KafkaTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.sluice.engine.checkpoint.CheckpointManifest;
import io.sluice.schema.EventFlyweight;

/**
 * Looks for a transaction the exactly-once sink reports committed whose outputs a {@code read_committed}
 * consumer never sees (seen once in a benchmark under load: a partition's last rows without a commit
 * marker). Two partition threads send many short bursts with random pauses, so that the sink commits
 * between checkpoints all the time; a checkpoint thread begins checkpoints (also when the sink asks), waits
 * until both partitions passed the barrier and completes them after a random delay, so that checkpoints
 * complete during commits and bookkeeping commits rotate among the partitions. At the end the sink is
 * closed after a final checkpoint; each Kafka partition must then hold every output sequence exactly once,
 * committed, and its last stable offset must reach its end (no transaction left open). Run with
 * {@code -Pslow}; {@code -Dsluice.test.stress.seconds=N} (default 60) sets the length of each round and
 * {@code -Dsluice.test.stress.rounds=N} (default 3) their number, {@code -Dsluice.test.stress.quiet} and
 * {@code -Dsluice.test.stress.max.delay} the sink's quiet period and longest delay in ms (default 1 and 20, the
 * settings of the run that saw it).
 */
@Tag("slow")
class KafkaSinkCommitStressTest
{
    private static final int PARTITIONS = 2;

    @RegisterExtension
    static final KafkaBrokerExtension broker = new KafkaBrokerExtension();

    @Test
    void shouldLeaveNoTransactionOpenAndEveryOutputCommittedOnceUnderManyShortBursts() throws Exception
    {
        final long seconds = Long.getLong("sluice.test.stress.seconds", 60);
        final int rounds = Integer.getInteger("sluice.test.stress.rounds", 3);
        for (int round = 0; round < rounds; round++)
        {
            final long seed = Long.getLong("sluice.test.seed", System.nanoTime());
            runRound("stress-" + round, seed, seconds);
        }
    }

    private void runRound(final String out, final long seed, final long seconds) throws Exception
    {
        broker.createTopics(PARTITIONS, out);
        final KafkaSink sink = KafkaSink.open(new KafkaSinkContext().bootstrapServers(broker.bootstrap()).topic(out)
            .transactionalIdPrefix("sluice." + out).partitions(PARTITIONS).commitQuietMillis(Long.getLong("sluice.test.stress.quiet", 1))
            .maxCommitDelayMillis(Long.getLong("sluice.test.stress.max.delay", 20)));
        final Checkpoints checkpoints = new Checkpoints(sink, new Random(seed ^ 0x5DEECE66DL));
        sink.checkpointTrigger(checkpoints::begin);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final long[] sent = new long[PARTITIONS];
        final List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++)
        {
            final int partition = p;
            threads.add(new Thread(() -> sent[partition] = partitionLoop(sink, checkpoints, partition, new Random(seed + partition), deadline, failure),
                "stress-partition-" + p));
        }
        final Thread checkpointer = new Thread(() -> checkpoints.run(deadline, failure), "stress-checkpoints");
        threads.forEach(Thread::start);
        checkpointer.start();
        for (final Thread thread : threads)
        {
            thread.join();
        }
        checkpoints.stop();
        checkpointer.join();
        assertThat(failure.get()).as("seed %d", seed).isNull();
        checkpoints.finalCheckpoint();
        final long[] commits = new long[PARTITIONS];
        for (int p = 0; p < PARTITIONS; p++)
        {
            commits[p] = sink.commits(p);
        }
        sink.close();
        for (int p = 0; p < PARTITIONS; p++)
        {
            assertThat(sink.committedNext(p)).as("seed %d: partition %d says it committed every output", seed, p).isEqualTo(sent[p]);
        }
        System.out.printf("stress %s: seed %d, %d s, sent %s, commits %s, checkpoints %d%n", out, seed, seconds,
            java.util.Arrays.toString(sent), java.util.Arrays.toString(commits), checkpoints.completed.get());
        assertCommittedOnceAndClosed(out, sent, seed);
    }

    /** One partition thread: bursts of outputs, random pauses, barriers of the checkpoints begun. */
    private static long partitionLoop(
        final KafkaSink sink, final Checkpoints checkpoints, final int partition, final Random random, final long deadline,
        final AtomicReference<Throwable> failure)
    {
        long sequence = 0;
        try
        {
            final EventFlyweight event = new EventFlyweight(KafkaTestSupport.TRADE)
                .wrapForWrite(new org.agrona.concurrent.UnsafeBuffer(new byte[KafkaTestSupport.TRADE.length()]), 0);
            while (System.nanoTime() < deadline && failure.get() == null)
            {
                final int burst = 1 + random.nextInt(random.nextInt(10) == 0 ? 2_000 : 50);
                for (int i = 0; i < burst; i++)
                {
                    sink.onEvent(partition, sequence, sequence % 97, sequence, event);
                    sequence++;
                    if (random.nextInt(500) == 0)
                    {
                        checkpoints.passBarrier(partition); // a barrier inside a burst
                    }
                }
                checkpoints.passBarrier(partition);
                final int pause = random.nextInt(10);
                if (pause < 3)
                {
                    Thread.yield();
                }
                else
                {
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(random.nextInt(pause < 8 ? 3_000 : 60_000)));
                }
            }
        }
        catch (final Throwable t)
        {
            failure.compareAndSet(null, t);
        }
        return sequence;
    }

    /** Checkpoints as the engine runs them: one at a time, barriers on the partition threads, completion after both. */
    private static final class Checkpoints
    {
        private final KafkaSink sink;
        private final Random random;
        private final AtomicLong begun = new AtomicLong();
        private final AtomicLongArray passed = new AtomicLongArray(PARTITIONS);
        final AtomicLong completed = new AtomicLong();
        private volatile boolean stopped;

        Checkpoints(final KafkaSink sink, final Random random)
        {
            this.sink = sink;
            this.random = random;
        }

        /** Begins a checkpoint unless one is in flight (the sink's trigger, or the periodic one). */
        void begin()
        {
            final long current = begun.get();
            if (completed.get() == current && !stopped)
            {
                begun.compareAndSet(current, current + 1);
            }
        }

        /** Partition thread: passes the barrier of the checkpoint in flight, once. */
        void passBarrier(final int partition)
        {
            final long id = begun.get();
            if (id > passed.get(partition))
            {
                passed.set(partition, id);
                sink.onCheckpoint(partition, id);
            }
        }

        void run(final long deadline, final AtomicReference<Throwable> failure)
        {
            try
            {
                long nextPeriodic = System.nanoTime();
                while (System.nanoTime() < deadline && failure.get() == null && !stopped)
                {
                    if (System.nanoTime() >= nextPeriodic)
                    {
                        begin();
                        nextPeriodic = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5 + random.nextInt(100));
                    }
                    final long id = begun.get();
                    if (id > completed.get() && passedByAll(id))
                    {
                        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(random.nextInt(10_000))); // writing the state
                        complete(id);
                    }
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
                }
            }
            catch (final Throwable t)
            {
                failure.compareAndSet(null, t);
            }
        }

        private boolean passedByAll(final long id)
        {
            for (int p = 0; p < PARTITIONS; p++)
            {
                if (passed.get(p) < id)
                {
                    return false;
                }
            }
            return true;
        }

        private void complete(final long id)
        {
            completed.set(id);
            sink.onCheckpointComplete(new CheckpointManifest(id, System.currentTimeMillis(), List.of()));
        }

        void stop()
        {
            stopped = true;
        }

        /** After the partition threads stopped: the engine's final checkpoint, all barriers passed here. */
        void finalCheckpoint()
        {
            final long id = begun.get() + 1;
            begun.set(id);
            for (int p = 0; p < PARTITIONS; p++)
            {
                passed.set(p, id);
                sink.onCheckpoint(p, id);
            }
            complete(id);
        }
    }

    /** Every sequence of each partition exactly once, committed, in order, and the last stable offset at the end of the log. */
    private static void assertCommittedOnceAndClosed(final String topic, final long[] sent, final long seed)
    {
        final Map<String, Object> config = new HashMap<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(),
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config))
        {
            final List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++)
            {
                partitions.add(new TopicPartition(topic, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final long[] next = new long[PARTITIONS];
            await("every output committed (seed " + seed + "), a read_committed consumer at " + java.util.Arrays.toString(next) +
                " of " + java.util.Arrays.toString(sent), () ->
            {
                for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100)))
                {
                    final long sequence = OutputHeaderDescriptor.sequence(record.headers());
                    assertThat(sequence).as("seed %d: partition %d in order, once", seed, record.partition()).isEqualTo(next[record.partition()]);
                    next[record.partition()]++;
                }
                return java.util.Arrays.equals(next, sent);
            });
        }
        KafkaTestSupport.awaitNoOpenTransaction(broker.bootstrap(), topic);
    }
}
