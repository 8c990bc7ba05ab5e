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
            lines.add(header(record, KafkaSink.PARTITION_HEADER) + " " + header(record, KafkaSink.SEQUENCE_HEADER) + " " +
                new String(record.value(), StandardCharsets.UTF_8));
        }
        return lines;
    }

    private static String header(final ConsumerRecord<byte[], byte[]> record, final String name)
    {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.US_ASCII);
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
            await("the child to be ready", () -> lines.stream().anyMatch(l -> l.startsWith("READY")) || !child.isAlive());
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
