package io.sluice.kafka;

import static io.sluice.kafka.KafkaTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.sluice.engine.checkpoint.CheckpointManifest;
import io.sluice.schema.EventFlyweight;

/**
 * An exactly-once sink's transactions always end, and its partition thread does not stall, when the
 * brokers go away or no checkpoint completes: against a real broker, stopped and restarted here (so this
 * class has a broker of its own). The test thread plays the partition thread and the engine's checkpoints.
 */
class KafkaSinkOutageTest
{
    @RegisterExtension
    static final KafkaBrokerExtension broker = new KafkaBrokerExtension();

    private final EventFlyweight event = new EventFlyweight(KafkaTestSupport.TRADE)
        .wrapForWrite(new org.agrona.concurrent.UnsafeBuffer(new byte[KafkaTestSupport.TRADE.length()]), 0);

    /**
     * Outputs sent before any checkpoint completed keep their transaction open: the sink aborts it at half the
     * transaction timeout (before the brokers would, fencing the producer and failing the partition), says why and
     * counts it, keeps the outputs, and commits them once when a checkpoint completes.
     */
    @Test
    void shouldAbortATransactionOpenTooLongAndCommitItsOutputsOnceWhenACheckpointCompletes()
    {
        final String out = "stale-out";
        broker.createTopics(1, out);
        final List<Throwable> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (KafkaSink sink = KafkaSink.open(new KafkaSinkContext().bootstrapServers(broker.bootstrap()).topic(out)
            .transactionalIdPrefix("sluice.stale").partitions(1).transactionTimeoutMillis(20_000)))
        {
            sink.refusalHandler(reported::add);
            KafkaTestSupport.sendRange(sink, event, 0, 50);                              // no checkpoint completes: the transaction stays open
            await("the sink to abort the transaction open too long", () -> sink.abortedTransactions(0) == 1);
            assertThat(sink.lastAbort(0)).contains("open for").contains("50 outputs are kept");
            assertThat(reported).anyMatch(problem -> problem.getMessage().contains("open for"));
            KafkaTestSupport.awaitNoOpenTransaction(broker.bootstrap(), out);
            KafkaTestSupport.sendRange(sink, event, 50, 80);                             // kept with the others
            sink.onCheckpoint(0, 1);
            sink.onCheckpointComplete(new CheckpointManifest(1, 0, List.of()));
            await("the kept outputs committed", () -> sink.committedNext(0) == 80);
            assertThat(sink.failure(0)).isNull();
        }
        assertThat(KafkaTestSupport.committedSequences(broker.bootstrap(), out, 80)).containsExactlyElementsOf(KafkaTestSupport.range(0, 80));
        KafkaTestSupport.awaitNoOpenTransaction(broker.bootstrap(), out);
    }

    /**
     * The broker stops while outputs flow: the partition thread's send waits at most the send block (its producer's
     * buffer fills, then the sink keeps the outputs), so it goes on producing; the committer's attempts fail, are
     * counted and retried with back-off; once the broker is back, a new producer aborts the interrupted transaction
     * and every output is committed once, in order.
     */
    @Test
    void shouldKeepProducingWhileTheBrokerIsStoppedAndCommitEveryOutputOnceAfterItRestarts()
    {
        final String out = "outage-out";
        broker.createTopics(1, out);
        final List<Throwable> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
        long sequence = 0;
        try (KafkaSink sink = KafkaSink.open(new KafkaSinkContext().bootstrapServers(broker.bootstrap()).topic(out)
            .transactionalIdPrefix("sluice.outage").partitions(1).sendBlockMillis(200).timeoutMillis(10_000)
            // A small producer buffer, so that outputs fill it while the broker is away and a send has to wait for room.
            .clientProperties(Map.of("buffer.memory", "65536", "batch.size", "16384", "request.timeout.ms", "3000",
                "delivery.timeout.ms", "6000"))))
        {
            sink.refusalHandler(reported::add);
            KafkaTestSupport.sendRange(sink, event, 0, 100);
            sink.onCheckpoint(0, 1);
            sink.onCheckpointComplete(new CheckpointManifest(1, 0, List.of()));
            await("the first outputs committed", () -> sink.committedNext(0) == 100);
            sequence = 100;

            broker.broker().stop();
            final long stoppedAt = sequence;
            // With the producer waiting the sink's whole timeout per send, as before, this loop would stall in a send and
            // then fail the partition; here every send returns, the outputs kept once the buffer is full.
            while (sink.interruptions(0) == 0 || sequence < stoppedAt + 5_000)
            {
                assertThat(sequence - stoppedAt).as("outputs produced with the broker stopped before the sink noticed").isLessThan(10_000_000);
                KafkaTestSupport.sendRange(sink, event, sequence, sequence + 100);
                sequence += 100;
            }
            assertThat(sink.lastRefusal(0)).contains(broker.bootstrap()).contains("did not answer");
            assertThat(reported).anyMatch(problem -> problem.getMessage().contains("did not answer"));
            sink.onCheckpoint(0, 2);
            sink.onCheckpointComplete(new CheckpointManifest(2, 0, List.of()));

            broker.broker().restart();
            final long sent = sequence;
            await("every output committed after the restart", () -> sink.committedNext(0) == sent);
            assertThat(sink.failure(0)).isNull();
            KafkaTestSupport.sendRange(sink, event, sent, sent + 100);                   // sent directly again
            sequence = sent + 100;
            sink.onCheckpoint(0, 3);
            sink.onCheckpointComplete(new CheckpointManifest(3, 0, List.of()));
            final long all = sequence;
            await("the outputs after the restart committed", () -> sink.committedNext(0) == all);
        }
        assertThat(KafkaTestSupport.committedSequences(broker.bootstrap(), out, (int)sequence)).containsExactlyElementsOf(KafkaTestSupport.range(0, sequence));
        KafkaTestSupport.awaitNoOpenTransaction(broker.bootstrap(), out);
    }

    /**
     * A transaction the sink does not hold stays open on its Kafka partition (here another producer's; seen once under
     * load, one whose commit marker never arrived): read_committed consumers stop at it, the sink's own commits go on
     * behind it. The sink reports it, with what to do, and counts it.
     */
    @Test
    void shouldReportATransactionLeftOpenOnItsPartitionThatTheSinkDoesNotHold()
    {
        final String out = "hanging-out";
        broker.createTopics(1, out);
        final List<Throwable> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (KafkaSink sink = KafkaSink.open(new KafkaSinkContext().bootstrapServers(broker.bootstrap()).topic(out)
            .transactionalIdPrefix("sluice.hanging").partitions(1).transactionTimeoutMillis(8_000));
             org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> other = new org.apache.kafka.clients.producer.KafkaProducer<>(Map.of(
                 "bootstrap.servers", broker.bootstrap(), "transactional.id", "another-writer", "transaction.timeout.ms", "900000",
                 "key.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class.getName(),
                 "value.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class.getName())))
        {
            sink.refusalHandler(reported::add);
            KafkaTestSupport.sendRange(sink, event, 0, 10);
            sink.onCheckpoint(0, 1);
            sink.onCheckpointComplete(new CheckpointManifest(1, 0, List.of()));
            await("the first outputs committed", () -> sink.committedNext(0) == 10);
            KafkaTestSupport.awaitNoOpenTransaction(broker.bootstrap(), out); // their commit marker written: offset 10
            other.initTransactions();
            other.beginTransaction();
            other.send(new org.apache.kafka.clients.producer.ProducerRecord<>(out, 0, new byte[0], new byte[0]));
            other.flush();                                  // open at offset 11 (10 outputs, their commit marker), never ended
            KafkaTestSupport.sendRange(sink, event, 10, 20);
            await("the outputs behind it committed", () -> sink.committedNext(0) == 20);
            await("the sink to report the transaction it does not hold", () -> sink.hangingTransactions(0) == 1);
            assertThat(reported).anyMatch(problem -> problem.getMessage().contains("holds a transaction open at offset 11")
                && problem.getMessage().contains("kafka-transactions.sh")
                // the holder as the brokers describe it: another producer's transactional id, still open at its coordinator
                && problem.getMessage().contains("transactional id 'another-writer' (not this sink's); its coordinator holds it Ongoing")
                && problem.getMessage().contains("with partitions [hanging-out-0]"));
            assertThat(sink.abortedTransactions(0)).isZero();
            other.abortTransaction();
        }
        assertThat(KafkaTestSupport.committedSequences(broker.bootstrap(), out, 20)).containsExactlyElementsOf(KafkaTestSupport.range(0, 20));
    }
}
