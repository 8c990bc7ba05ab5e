package io.sluice.kafka;

import static io.sluice.kafka.KafkaTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.io.Backtest;
import io.sluice.engine.io.BacktestOptions;
import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.schema.EventFlyweight;

class KafkaSinkTest
{
    private static final int PARTITIONS = KafkaPipelineChild.PARTITIONS;

    @TempDir
    Path dir;

    @RegisterExtension
    static final KafkaBrokerExtension broker = new KafkaBrokerExtension();

    /** What the outputs must be: the replay of the same input, rendered as "partition sequence value". */
    private List<String> replayed(final List<String> input) throws Exception
    {
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        final EventEncoder encoder = new EventEncoder(ValueFormat.JSON);
        final EventSink sink = (partition, sequence, key, timestamp, event) ->
            lines.add(partition + " " + sequence + " " + new String(encoder.encode(event), StandardCharsets.UTF_8));
        Backtest.replay(List.of(KafkaTestSupport.tumbling(sink)), List.of(KafkaTestSupport.jsonl(dir.resolve("in.jsonl"), input)),
            new BacktestOptions().partitions(PARTITIONS));
        return lines;
    }

    private static List<String> committedOutputs(final String topic, final int expected)
    {
        final List<String> lines = new ArrayList<>();
        for (final ConsumerRecord<byte[], byte[]> record : KafkaTestSupport.readAll(broker.bootstrap(), topic, expected))
        {
            lines.add(KafkaTestSupport.outputLine(record));
        }
        return lines;
    }

    @Test
    void shouldShowAReadCommittedConsumerEveryResultOnceAcrossSigkillsOfTheProcess() throws Exception
    {
        final String in = "crash-in";
        final String out = "crash-out";
        broker.createTopics(PARTITIONS, in, out);
        final List<String> input = KafkaTestSupport.trades(7, 0, 30_000);
        final List<String> expected = replayed(input);
        KafkaTestSupport.produce(broker.bootstrap(), in, PARTITIONS, input);

        final int kills = Boolean.getBoolean("sluice.test.slow") ? 100 : 3;
        final long seed = Long.getLong("sluice.test.seed", System.nanoTime());
        final Random random = new Random(seed);
        final Path data = dir.resolve("data");
        int killed = 0;
        boolean done = false;
        while (killed < kills && !done)
        {
            final Process child = start(data, in, out, input.size());
            final List<String> lines = Collections.synchronizedList(new ArrayList<>());
            final Thread pump = pump(child, lines);
            awaitReady(child, lines, data, seed);
            if (!child.waitFor(random.nextInt(2_000), TimeUnit.MILLISECONDS))
            {
                child.destroyForcibly(); // SIGKILL
                killed++;
            }
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
            pump.join(10_000);
            done = lines.contains("DONE");
            assertThat(done || child.exitValue() == 137).as("seed %d: child exit %d, output %s", seed, child.exitValue(), lines).isTrue();
        }
        if (!done)
        {
            final Process last = start(data, in, out, input.size());
            final List<String> lines = Collections.synchronizedList(new ArrayList<>());
            final Thread pump = pump(last, lines);
            final boolean exited = last.waitFor(300, TimeUnit.SECONDS);
            if (!exited)
            {
                last.destroyForcibly(); // a stuck child must not outlive the test (or the broker)
            }
            pump.join(10_000);
            assertThat(exited).as("seed %d: the last child did not finish in 300 s; output %s; stderr tail:%n%s",
                seed, lines, childErrors(data)).isTrue();
            assertThat(lines).as("seed %d", seed).contains("DONE");
        }
        final List<String> committed = committedOutputs(out, expected.size());
        assertThat(committed).as("seed %d, %d kills", seed, killed).hasSize(expected.size());
        assertThat(new TreeSet<>(committed)).as("seed %d, %d kills", seed, killed).isEqualTo(new TreeSet<>(expected));
    }

    @Test
    void shouldDeliverAtLeastOnceWithSequenceHeadersThatIdentifyDuplicates() throws Exception
    {
        final String in = "alo-in";
        final String out = "alo-out";
        broker.createTopics(PARTITIONS, in, out);
        final List<String> input = KafkaTestSupport.trades(8, 0, 5_000);
        final List<String> expected = replayed(input);
        KafkaTestSupport.produce(broker.bootstrap(), in, PARTITIONS, input);
        try (KafkaSink sink = KafkaSink.open(new KafkaSinkContext().bootstrapServers(broker.bootstrap()).topic(out)
            .transactionalIdPrefix("sluice.alo").partitions(PARTITIONS).mode(SinkMode.AT_LEAST_ONCE)))
        {
            assertThat(sink.restoreCheckpointAtMost()).isEqualTo(Long.MAX_VALUE);
            try (Engine engine = Engine.launch(new EngineContext().directory(dir.resolve("data")).partitions(PARTITIONS),
                    List.of(KafkaTestSupport.tumbling(sink)));
                 KafkaSource source = KafkaSource.start(engine, new KafkaSourceContext().bootstrapServers(broker.bootstrap())
                     .topic(in).groupId("alo").sluiceTopic("trades")))
            {
                await("the input", () -> source.records() == input.size());
                assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
                engine.endOfInput("trades");
            }
        }
        final List<String> delivered = committedOutputs(out, expected.size());
        assertThat(new TreeSet<>(delivered)).isEqualTo(new TreeSet<>(expected));
    }

    @Test
    void shouldFenceTheZombieWhenTheSamePartitionsStartElsewhere()
    {
        final String out = "fence-out";
        broker.createTopics(PARTITIONS, out);
        final KafkaSinkContext settings = new KafkaSinkContext().bootstrapServers(broker.bootstrap()).topic(out)
            .transactionalIdPrefix("sluice.fence").partitions(PARTITIONS);
        final KafkaSink zombie = KafkaSink.open(settings);
        final EventFlyweight event = new EventFlyweight(KafkaTestSupport.TRADE)
            .wrapForWrite(new org.agrona.concurrent.UnsafeBuffer(new byte[KafkaTestSupport.TRADE.length()]), 0);
        zombie.onEvent(0, 0, 1, 1, event);
        try (KafkaSink successor = KafkaSink.open(new KafkaSinkContext().bootstrapServers(broker.bootstrap()).topic(out)
            .transactionalIdPrefix("sluice.fence").partitions(PARTITIONS)))
        {
            assertThat(successor.restoreCheckpointAtMost()).isEqualTo(-1);
            zombie.onCheckpoint(0, 1);
            zombie.onCheckpointComplete(new io.sluice.engine.checkpoint.CheckpointManifest(1, 0, List.of()));
            // The zombie's committer tries to commit checkpoint 1 and learns that it was fenced.
            await("the zombie's commit to fail", () -> zombie.failure(0) != null);
            assertThatThrownBy(() -> zombie.onCheckpoint(0, 2)).isInstanceOf(KafkaConnectorException.class)
                .hasMessageContaining("was fenced").hasMessageContaining("sluice.fence-0");
        }
        finally
        {
            try
            {
                zombie.close();
            }
            catch (final RuntimeException expected)
            {
                // fenced producers cannot abort; closing still releases them
            }
        }
    }

    /**
     * The committer commits as soon as the covering checkpoint completes, with no later output or barrier;
     * the commit takes the outputs sent after the barrier too; partitions with nothing to commit skip the
     * commit. A crash with a transaction open after that commit loses nothing and duplicates nothing: the
     * successor fences it, restores at most the committed checkpoint (which covers the idle partitions
     * too), drops what its replay produces again below the committed sequence and sends the rest. (The crashed
     * sink commits only at checkpoints, so that its last transaction is certainly open at the crash; commits
     * between checkpoints have their own test below.)
     */
    @Test
    void shouldCommitWhenTheCheckpointCompletesAndRecoverExactlyOnceFromACrashWithATransactionOpen()
    {
        final String out = "eager-out";
        broker.createTopics(PARTITIONS, out);
        final KafkaSinkContext settings = new KafkaSinkContext().bootstrapServers(broker.bootstrap()).topic(out)
            .transactionalIdPrefix("sluice.eager").partitions(PARTITIONS);
        final EventFlyweight event = new EventFlyweight(KafkaTestSupport.TRADE)
            .wrapForWrite(new org.agrona.concurrent.UnsafeBuffer(new byte[KafkaTestSupport.TRADE.length()]), 0);
        final KafkaSink crashed = KafkaSink.open(settings.copy().commitBetweenCheckpoints(false));
        KafkaTestSupport.sendRange(crashed, event, 0, 10);                       // before barrier 2
        for (int p = 0; p < PARTITIONS; p++)
        {
            crashed.onCheckpoint(p, 2);
        }
        KafkaTestSupport.sendRange(crashed, event, 10, 20);                      // after the barrier, before the completion
        crashed.onCheckpointComplete(new io.sluice.engine.checkpoint.CheckpointManifest(2, 0, List.of()));
        await("the commit of checkpoint 2 without a later output or barrier", () -> crashed.committedNext(0) == 20);
        assertThat(crashed.commits(0)).isEqualTo(1);
        assertThat(List.of(crashed.commits(1), crashed.commits(2))).as("partitions with no output commit nothing").containsOnly(0L);
        assertThat(List.of(crashed.skippedCommits(1), crashed.skippedCommits(2))).containsOnly(1L);
        assertThat(KafkaTestSupport.committedSequences(broker.bootstrap(), out, 20)).containsExactlyElementsOf(KafkaTestSupport.range(0, 20));
        KafkaTestSupport.sendRange(crashed, event, 20, 30);                      // an open transaction at the crash: the process is never closed

        try (KafkaSink successor = KafkaSink.open(settings.copy()))
        {
            assertThat(successor.restoreCheckpointAtMost()).as("partition 0's commit recorded checkpoint 2 as covering the idle ones")
                .isEqualTo(2);
            assertThat(successor.committedNext(0)).isEqualTo(20);
            KafkaTestSupport.sendRange(successor, event, 10, 40);                // the replay from barrier 2, then new outputs
            assertThat(successor.duplicates(0)).isEqualTo(10);
            for (int p = 0; p < PARTITIONS; p++)
            {
                successor.onCheckpoint(p, 3);
            }
            successor.onCheckpointComplete(new io.sluice.engine.checkpoint.CheckpointManifest(3, 0, List.of()));
            await("the successor's commit of checkpoint 3", () -> successor.committedNext(0) == 40);
        }
        finally
        {
            try
            {
                crashed.close();
            }
            catch (final RuntimeException fenced)
            {
                // its producer was fenced by the successor
            }
        }
        assertThat(KafkaTestSupport.committedSequences(broker.bootstrap(), out, 40)).containsExactlyElementsOf(KafkaTestSupport.range(0, 40));
    }

    /**
     * Commits between checkpoints: once checkpoint 2 completed, outputs produced after it are committed at the end
     * of their burst without waiting for another checkpoint, recording checkpoint 2 again (the replay from its
     * barrier produces them again). A crash after such a commit, with a transaction open, loses nothing and
     * duplicates nothing: the successor restores at most checkpoint 2 and drops what its replay produces below the
     * committed sequence.
     */
    @Test
    void shouldCommitBetweenCheckpointsAgainstTheLastCompletedOneAndRecoverExactlyOnce()
    {
        final String out = "between-out";
        broker.createTopics(PARTITIONS, out);
        final KafkaSinkContext settings = new KafkaSinkContext().bootstrapServers(broker.bootstrap()).topic(out)
            .transactionalIdPrefix("sluice.between").partitions(PARTITIONS);
        final EventFlyweight event = new EventFlyweight(KafkaTestSupport.TRADE)
            .wrapForWrite(new org.agrona.concurrent.UnsafeBuffer(new byte[KafkaTestSupport.TRADE.length()]), 0);
        final KafkaSink crashed = KafkaSink.open(settings.copy());
        KafkaTestSupport.sendRange(crashed, event, 0, 10);                       // no checkpoint completed yet: the outputs wait for one
        for (int p = 0; p < PARTITIONS; p++)
        {
            crashed.onCheckpoint(p, 2);
        }
        KafkaTestSupport.sendRange(crashed, event, 10, 20);                      // after barrier 2
        crashed.onCheckpointComplete(new io.sluice.engine.checkpoint.CheckpointManifest(2, 0, List.of()));
        await("the commit of checkpoint 2", () -> crashed.committedNext(0) == 20);
        KafkaTestSupport.sendRange(crashed, event, 20, 30);                      // a burst after the commit, no further checkpoint
        await("the commit of the burst without a new checkpoint", () -> crashed.committedNext(0) == 30);
        assertThat(crashed.commits(0)).isEqualTo(2);
        assertThat(KafkaTestSupport.committedSequences(broker.bootstrap(), out, 30)).containsExactlyElementsOf(KafkaTestSupport.range(0, 30));
        KafkaTestSupport.sendRange(crashed, event, 30, 40);                      // open at the crash, or committed just before it
        try (KafkaSink successor = KafkaSink.open(settings.copy()))
        {
            assertThat(successor.restoreCheckpointAtMost()).as("the commits between checkpoints recorded checkpoint 2").isEqualTo(2);
            final long committed = successor.committedNext(0);
            assertThat(committed).as("30, or 40 if the outputs sent just before the crash were committed too").isIn(30L, 40L);
            KafkaTestSupport.sendRange(successor, event, 10, 50);                // the replay from barrier 2, then new outputs
            assertThat(successor.duplicates(0)).isEqualTo(committed - 10);
            for (int p = 0; p < PARTITIONS; p++)
            {
                successor.onCheckpoint(p, 3);
            }
            successor.onCheckpointComplete(new io.sluice.engine.checkpoint.CheckpointManifest(3, 0, List.of()));
            await("the successor's commit", () -> successor.committedNext(0) == 50);
        }
        finally
        {
            try
            {
                crashed.close();
            }
            catch (final RuntimeException fenced)
            {
                // its producer was fenced by the successor
            }
        }
        assertThat(KafkaTestSupport.committedSequences(broker.bootstrap(), out, 50)).containsExactlyElementsOf(KafkaTestSupport.range(0, 50));
    }

    /**
     * A sink told to write no output header ({@link KafkaSinkContext#outputHeader(boolean)}) writes records without any
     * header and recovers exactly once as with it: the successor of a crash with a transaction open learns what Kafka
     * committed from the bookkeeping group, never from the records, and drops what its replay produces below it. Each
     * output carries its sequence in its value ({@code qty}) here, so the read_committed outputs show it.
     */
    @Test
    void shouldWriteRecordsWithoutAnyHeaderWhenToldAndStillRecoverExactlyOnce()
    {
        final String out = "headerless-out";
        broker.createTopics(PARTITIONS, out);
        final KafkaSinkContext settings = new KafkaSinkContext().bootstrapServers(broker.bootstrap()).topic(out)
            .transactionalIdPrefix("sluice.headerless").partitions(PARTITIONS).outputHeader(false);
        final EventFlyweight event = new EventFlyweight(KafkaTestSupport.TRADE)
            .wrapForWrite(new org.agrona.concurrent.UnsafeBuffer(new byte[KafkaTestSupport.TRADE.length()]), 0);
        final KafkaSink crashed = KafkaSink.open(settings.copy());
        sendNumbered(crashed, event, 0, 10);                                     // before barrier 2
        completeCheckpoint(crashed, 2);
        sendNumbered(crashed, event, 10, 20);                                    // after barrier 2: committed between checkpoints
        await("the commit of the outputs 0-19", () -> crashed.committedNext(0) == 20);
        sendNumbered(crashed, event, 20, 30);                                    // open at the crash, or committed just before it
        try (KafkaSink successor = KafkaSink.open(settings.copy()))
        {
            assertThat(successor.restoreCheckpointAtMost()).isEqualTo(2);
            final long committed = successor.committedNext(0);
            assertThat(committed).as("20, or 30 if the outputs sent just before the crash were committed too").isIn(20L, 30L);
            sendNumbered(successor, event, 10, 40);                              // the replay from barrier 2, then new outputs
            assertThat(successor.duplicates(0)).isEqualTo(committed - 10);
            completeCheckpoint(successor, 3);
            await("the successor's commit", () -> successor.committedNext(0) == 40);
        }
        finally
        {
            try
            {
                crashed.close();
            }
            catch (final RuntimeException fenced)
            {
                // its producer was fenced by the successor
            }
        }
        final List<Long> numbers = new ArrayList<>();
        for (final ConsumerRecord<byte[], byte[]> record : KafkaTestSupport.readAll(broker.bootstrap(), out, 40))
        {
            assertThat(record.headers().toArray()).as("headers of the record at %s-%d@%d", out, record.partition(), record.offset()).isEmpty();
            final java.util.regex.Matcher qty = java.util.regex.Pattern.compile("\"qty\":(\\d+)")
                .matcher(new String(record.value(), StandardCharsets.UTF_8));
            assertThat(qty.find()).as("a qty in %s", new String(record.value(), StandardCharsets.UTF_8)).isTrue();
            numbers.add(Long.parseLong(qty.group(1)));
        }
        assertThat(numbers).as("every output once, in order").containsExactlyElementsOf(KafkaTestSupport.range(0, 40));
    }

    /** Sends outputs {@code from} (inclusive) to {@code to} (exclusive) of Sluice partition 0, each with its sequence as its qty. */
    private static void sendNumbered(final KafkaSink sink, final EventFlyweight event, final long from, final long to)
    {
        final int qty = KafkaTestSupport.TRADE.indexOf("qty");
        for (long sequence = from; sequence < to; sequence++)
        {
            event.putLong(qty, sequence);
            sink.onEvent(0, sequence, 1, 1, event);
        }
    }

    /**
     * A commit spacing: outputs ready less than the spacing after the partition's last commit started wait, and the
     * bursts and checkpoints of the spacing ride one transaction, committed against the newest completed checkpoint
     * the partition has passed; once no input waits for the partition the spacing holds nothing. A crash with a held
     * transaction open loses and duplicates nothing: the successor fences it, restores at most the checkpoint the last
     * commit recorded, and drops what its replay produces below the committed sequence.
     */
    @Test
    void shouldGatherTheBurstsOfACommitSpacingIntoOneTransactionAndRecoverExactlyOnce()
    {
        final String out = "spacing-out";
        broker.createTopics(PARTITIONS, out);
        final KafkaSinkContext settings = new KafkaSinkContext().bootstrapServers(broker.bootstrap()).topic(out)
            .transactionalIdPrefix("sluice.spacing").partitions(PARTITIONS).minCommitSpacingMillis(100_000); // never over in this test
        final EventFlyweight event = new EventFlyweight(KafkaTestSupport.TRADE)
            .wrapForWrite(new org.agrona.concurrent.UnsafeBuffer(new byte[KafkaTestSupport.TRADE.length()]), 0);
        final KafkaSink crashed = KafkaSink.open(settings.copy());
        KafkaTestSupport.sendRange(crashed, event, 0, 10);
        completeCheckpoint(crashed, 1);
        await("the first commit, which no earlier commit spaces", () -> crashed.committedNext(0) == 10);
        KafkaTestSupport.sendRange(crashed, event, 10, 20);                      // a burst, ready at once after checkpoint 2
        completeCheckpoint(crashed, 2);
        KafkaTestSupport.sendRange(crashed, event, 20, 25);
        passBarrier(crashed, 3);
        KafkaTestSupport.sendRange(crashed, event, 25, 30);                      // after barrier 3: its replay produces them again
        crashed.onCheckpointComplete(new io.sluice.engine.checkpoint.CheckpointManifest(3, 0, List.of()));
        await("the spacing to hold the partition's commit", () -> crashed.commitsHeldBySpacing(0) == 1);
        assertThat(crashed.commits(0)).isEqualTo(1);
        assertThat(KafkaTestSupport.committedSequences(broker.bootstrap(), out, 10)).as("read_committed: the held outputs not yet")
            .containsExactlyElementsOf(KafkaTestSupport.range(0, 10));

        crashed.inputWaiting(partition -> false);                               // caught up: the spacing no longer holds
        await("the held outputs' commit once no input waits", () -> crashed.committedNext(0) == 30);
        assertThat(crashed.commits(0)).as("two bursts and two checkpoints in one transaction").isEqualTo(2);
        crashed.inputWaiting(partition -> true);
        KafkaTestSupport.sendRange(crashed, event, 30, 40);                      // held again, open at the crash
        await("the spacing to hold the next commit", () -> crashed.commitsHeldBySpacing(0) == 2);
        try (KafkaSink successor = KafkaSink.open(settings.copy()))
        {
            assertThat(successor.restoreCheckpointAtMost()).as("the spaced commit recorded checkpoint 3, the newest it had passed")
                .isEqualTo(3);
            assertThat(successor.committedNext(0)).isEqualTo(30);
            KafkaTestSupport.sendRange(successor, event, 25, 50);                // the replay from barrier 3, then new outputs
            assertThat(successor.duplicates(0)).isEqualTo(5);
            completeCheckpoint(successor, 4);
            await("the successor's commit", () -> successor.committedNext(0) == 50);
            assertThat(successor.commits(0)).isEqualTo(1);
        }
        finally
        {
            try
            {
                crashed.close();
            }
            catch (final RuntimeException fenced)
            {
                // its producer was fenced by the successor
            }
        }
        assertThat(KafkaTestSupport.committedSequences(broker.bootstrap(), out, 50)).containsExactlyElementsOf(KafkaTestSupport.range(0, 50));
    }

    private static void passBarrier(final KafkaSink sink, final long checkpoint)
    {
        for (int p = 0; p < PARTITIONS; p++)
        {
            sink.onCheckpoint(p, checkpoint);
        }
    }

    private static void completeCheckpoint(final KafkaSink sink, final long checkpoint)
    {
        passBarrier(sink, checkpoint);
        sink.onCheckpointComplete(new io.sluice.engine.checkpoint.CheckpointManifest(checkpoint, 0, List.of()));
    }

    /**
     * Outputs produced while the committer holds the producer are handed over and sent after the
     * commit, before anything newer: a read_committed consumer sees every output once, in sequence order.
     */
    @Test
    void shouldKeepSequenceOrderWhenOutputsAreProducedDuringACommit()
    {
        final String out = "handover-out";
        broker.createTopics(PARTITIONS, out);
        final EventFlyweight event = new EventFlyweight(KafkaTestSupport.TRADE)
            .wrapForWrite(new org.agrona.concurrent.UnsafeBuffer(new byte[KafkaTestSupport.TRADE.length()]), 0);
        long sequence = 0;
        try (KafkaSink sink = KafkaSink.open(new KafkaSinkContext().bootstrapServers(broker.bootstrap()).topic(out)
            .transactionalIdPrefix("sluice.handover").partitions(PARTITIONS)))
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            long checkpoint = 0;
            // Checkpoints complete while this thread (the partition thread) keeps sending, until a commit overlapped a send.
            while (sink.handedOver(0) == 0 || checkpoint < 3)
            {
                assertThat(System.nanoTime() - deadline).as("no output was produced during a commit").isNegative();
                KafkaTestSupport.sendRange(sink, event, sequence, sequence + 100);
                sequence += 100;
                checkpoint++;
                for (int p = 0; p < PARTITIONS; p++)
                {
                    sink.onCheckpoint(p, checkpoint);
                }
                sink.onCheckpointComplete(new io.sluice.engine.checkpoint.CheckpointManifest(checkpoint, 0, List.of()));
            }
        }
        assertThat(KafkaTestSupport.committedSequences(broker.bootstrap(), out, (int)sequence)).containsExactlyElementsOf(KafkaTestSupport.range(0, sequence));
    }

    @Test
    void shouldRefuseASinkTopicThatIsMissingOrHasAnotherPartitionCount()
    {
        broker.createTopics(2, "two-partitions");
        assertThatThrownBy(() -> KafkaSink.open(new KafkaSinkContext().bootstrapServers(broker.bootstrap()).topic("two-partitions")
            .transactionalIdPrefix("sluice.two").partitions(PARTITIONS)))
            .hasMessageContaining("'two-partitions' has 2 partitions but the engine runs 3");
        assertThatThrownBy(() -> KafkaSink.open(new KafkaSinkContext().bootstrapServers(broker.bootstrap()).topic("absent")
            .transactionalIdPrefix("sluice.absent").partitions(PARTITIONS)))
            .hasMessageContaining("'absent' does not exist on " + broker.bootstrap());
    }

    private static Process start(final Path data, final String in, final String out, final int expected) throws Exception
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        command.addAll(List.of(System.getProperty("sluice.jvm.flags", "").trim().split("\\s+")));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), KafkaPipelineChild.class.getName(),
            broker.bootstrap(), in, out, data.toString(), String.valueOf(expected), "300"));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(data.resolveSibling("child-stderr.log").toFile())).start();
    }

    /**
     * Waits until the child printed READY (or died). A fresh JVM that opens the sink, recovers and starts the source
     * needs a few CPU seconds: at a load average of 100 on 2 cores that took more than the 180 s of a plain await
     * (seen in the -Pslow loop on main, 2026-12-05), hence 600 s. A child still not ready then is dumped (its threads,
     * output and error log in the failure) and killed, so the failure says where it was.
     */
    private static void awaitReady(final Process child, final List<String> lines, final Path data, final long seed) throws Exception
    {
        try
        {
            KafkaTestSupport.await("the child to be ready", 600, () -> lines.stream().anyMatch(l -> l.startsWith("READY")) || !child.isAlive());
        }
        catch (final AssertionError notReady)
        {
            final Process dump = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(child.pid()), "Thread.print").redirectErrorStream(true).start();
            final String threads = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            dump.waitFor(60, TimeUnit.SECONDS);
            child.destroyForcibly();
            throw new AssertionError("seed " + seed + ": the child was not ready in 600 s; output " + lines + "; stderr tail:" +
                System.lineSeparator() + childErrors(data) + System.lineSeparator() + "threads:" + System.lineSeparator() + threads, notReady);
        }
    }

    private static String childErrors(final Path data) throws java.io.IOException
    {
        final Path log = data.resolveSibling("child-stderr.log");
        if (!java.nio.file.Files.exists(log))
        {
            return "(none)";
        }
        final List<String> all = java.nio.file.Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - 60), all.size()));
    }

    private static Thread pump(final Process child, final List<String> lines)
    {
        final Thread thread = new Thread(() ->
        {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = reader.readLine()) != null)
                {
                    lines.add(line);
                }
            }
            catch (final java.io.IOException ex)
            {
                // the child died
            }
        });
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
