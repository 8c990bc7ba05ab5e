package io.sluice.ops.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.kafka.EventEncoder;
import io.sluice.kafka.KafkaBrokerExtension;
import io.sluice.kafka.KafkaSink;
import io.sluice.kafka.KafkaTestSupport;
import io.sluice.kafka.ValueFormat;
import io.sluice.ops.jmx.JmxClient;
import io.sluice.ops.jmx.ScaleOutMXBean;

/**
 * Real {@code sluice run} daemons configured with {@code scale_out} share a Kafka topic's partitions
 * through one consumer group, against a real Kafka broker: a second daemon joins, the first is
 * SIGKILLed while the input is still being produced, a third joins and the first is restarted. A
 * {@code read_committed} consumer of the output topic then sees exactly the outputs of the replay of
 * the whole input (what {@code sluice replay} runs), each once; {@code ctl status}, JMX and the
 * Prometheus endpoint show each daemon's owned partitions, lag and rebalances.
 */
class DaemonScaleOutProcessTest
{
    private static final int PARTITIONS = 4;
    private static final long SENTINEL_TIME = 1_000_000_000L;
    private static final String INPUT = "scale-in";
    private static final String OUTPUT = "scale-out";

    @TempDir
    Path dir;

    @RegisterExtension
    static final KafkaBrokerExtension broker = new KafkaBrokerExtension();

    static String config(final String bootstrap, final String dataDir)
    {
        return config(bootstrap, dataDir, INPUT, OUTPUT, "scale-test", PARTITIONS);
    }

    private static String config(final String bootstrap, final String dataDir, final String input, final String output, final String job,
        final int partitions)
    {
        return """
            data_dir: %s
            partitions: %d
            wait_strategy: sleep
            checkpoint:
              interval: 300ms
              retained: 5
            prometheus:
              enabled: true
              port: 0
            schemas:
              trade:
                sym: LONG
                px: DOUBLE
                qty: LONG
                ts: TIMESTAMP
            pipelines:
              - name: vol
                source: trades
                schema: trade
                partition_key: sym
                event_time: ts
                window:
                  kind: tumbling
                  size: 1s
                aggregates:
                  - n: count
                  - q: sum(qty)
                sink: results
            sinks:
              results:
                type: kafka
                bootstrap: %s
                topic: %s
                mode: exactly_once
                transactional_id: sluice.%s.results
            ingress:
              - type: kafka
                topic: trades
                bootstrap: %s
                kafka_topic: %s
                group: sluice.%s
                format: json
            scale_out:
              job: %s
              checkpoint_store: shared
              session_timeout: 6s
            """.formatted(dataDir, partitions, bootstrap, output, job, bootstrap, input, job, job);
    }

    /** Trades with event time increasing; per symbol a last trade far in the future fires every earlier window. */
    private static List<String> input()
    {
        final List<String> lines = new ArrayList<>();
        final Random random = new Random(7);
        for (int i = 0; i < 30_000; i++)
        {
            lines.add("{\"sym\":" + random.nextInt(40) + ",\"px\":" + (random.nextInt(10_000) / 100.0) + ",\"qty\":" +
                (1 + random.nextInt(9)) + ",\"ts\":" + (i * 5L + random.nextInt(100)) + "}");
        }
        for (int sym = 0; sym < 40; sym++)
        {
            lines.add("{\"sym\":" + sym + ",\"px\":1.0,\"qty\":1,\"ts\":" + SENTINEL_TIME + "}");
        }
        return lines;
    }

    @Test
    void shouldSharePartitionsAcrossDaemonsAndCommitEveryResultOnceWhenOneIsKilledAndOneAdded() throws Exception
    {
        broker.createTopics(PARTITIONS, INPUT, OUTPUT);
        final Path[] configs = new Path[3];
        final Path[] data = new Path[3];
        for (int i = 0; i < 3; i++)
        {
            final String name = "data-" + (char)('a' + i);
            data[i] = dir.resolve(name);
            configs[i] = dir.resolve("sluice-" + (char)('a' + i) + ".yaml");
            Files.writeString(configs[i], config(broker.bootstrap(), name));
        }
        final List<String> input = input();
        final List<String> expected = expected(Files.readString(configs[0]), input);
        assertThat(expected).hasSizeGreaterThan(1_000);
        final int third = 10_000;

        KafkaTestSupport.produce(broker.bootstrap(), INPUT, PARTITIONS, input.subList(0, third));
        final List<DaemonProcess> daemons = new ArrayList<>();
        try
        {
            final DaemonProcess first = start(daemons, configs[0], data[0], "a1.log");
            awaitOwned("the first daemon owns every partition", first, PARTITIONS);

            final DaemonProcess second = start(daemons, configs[1], data[1], "b.log");
            awaitShared("the second daemon joins and takes partitions", first, second);

            KafkaTestSupport.produce(broker.bootstrap(), INPUT, PARTITIONS, input.subList(third, 2 * third));
            first.process.destroyForcibly(); // SIGKILL, mid-stream
            assertThat(first.process.waitFor(60, TimeUnit.SECONDS)).isTrue();

            final DaemonProcess third3 = start(daemons, configs[2], data[2], "c.log");
            final DaemonProcess restarted = start(daemons, configs[0], data[0], "a2.log");
            KafkaTestSupport.produce(broker.bootstrap(), INPUT, PARTITIONS, input.subList(2 * third, input.size()));
            awaitShared("the third daemon and the restarted first share the partitions with the second", second, third3, restarted);

            final List<String> committed = committed(expected.size());

            final String status = DaemonProcessTest.sluice("ctl", "status", "--dir", data[2].toString());
            assertThat(status).contains("scale-out: job scale-test, group sluice.scale-test, Kafka topic scale-in: RUNNING")
                .containsPattern("owned partitions: [1-4] \\(\\d lag \\d+")
                .containsPattern("rebalances: [1-9]\\d*, last 20")
                .contains("  partition ").contains("recent moves:").contains("restored");
            final String metrics = scrape(second);
            assertThat(metrics).containsPattern("sluice_kafka_partition_owned\\{kafka_topic=\"scale-in\",partition=\"\\d\"\\} 1")
                .containsPattern("sluice_kafka_partition_lag_records\\{kafka_topic=\"scale-in\",partition=\"\\d\"\\} \\d+")
                .containsPattern("sluice_kafka_rebalances_total\\{kafka_topic=\"scale-in\"\\} [1-9]");

            for (final DaemonProcess daemon : List.of(second, third3, restarted))
            {
                assertThat(daemon.terminate()).as("exit code, log:\n%s", daemon.log()).isZero();
            }
            assertThat(new TreeSet<>(committed)).isEqualTo(new TreeSet<>(expected));
            assertThat(committed).as("each result once").hasSize(expected.size());
        }
        finally
        {
            daemons.forEach(DaemonProcess::close);
        }
        // Nothing more after the graceful stops (the final checkpoints commit what was open), and nothing twice.
        assertThat(committed(expected.size())).hasSize(expected.size());
    }

    /**
     * A zombie: the owner of both partitions is paused (SIGSTOP) while the group moves them to another
     * daemon, which fences its transactions; resumed (SIGCONT), it learns it lost them and commits
     * nothing more, and the outputs stay exactly once.
     */
    @Test
    void shouldFenceAPausedOwnerWhosePartitionsMovedAndKeepOutputsExactlyOnce() throws Exception
    {
        final String in = "zombie-in";
        final String out = "zombie-out";
        broker.createTopics(2, in, out);
        final Path[] configs = new Path[2];
        final Path[] data = new Path[2];
        for (int i = 0; i < 2; i++)
        {
            final String name = "zombie-" + (char)('a' + i);
            data[i] = dir.resolve(name);
            configs[i] = dir.resolve(name + ".yaml");
            Files.writeString(configs[i], config(broker.bootstrap(), name, in, out, "zombie-test", 2));
        }
        final List<String> input = input();
        final List<String> expected = expected(Files.readString(configs[0]), input, 2);
        final int half = input.size() / 2;
        KafkaTestSupport.produce(broker.bootstrap(), in, 2, input.subList(0, half));
        final List<DaemonProcess> daemons = new ArrayList<>();
        try
        {
            final DaemonProcess zombie = start(daemons, configs[0], data[0], "zombie-a.log");
            awaitOwned("the first daemon owns both partitions", zombie, 2);
            KafkaTestSupport.await("the first daemon has shared a checkpoint of each partition", () -> sharedEverywhere(zombie, 2));
            signal("STOP", zombie);

            final DaemonProcess successor = start(daemons, configs[1], data[1], "zombie-b.log");
            awaitOwned("the second daemon takes both partitions once the paused one's session expired", successor, 2);
            KafkaTestSupport.produce(broker.bootstrap(), in, 2, input.subList(half, input.size()));
            signal("CONT", zombie);
            KafkaTestSupport.await("the resumed daemon learns it lost its partitions", () ->
                logOf(zombie).contains("lost (the group moved it while this daemon was unreachable)"));

            final List<String> committed = committed(out, expected.size());
            for (final DaemonProcess daemon : List.of(successor, zombie))
            {
                assertThat(daemon.terminate()).as("exit code, log:\n%s", logOf(daemon)).isZero();
            }
            assertThat(new TreeSet<>(committed)).isEqualTo(new TreeSet<>(expected));
            assertThat(committed).as("each result once").hasSize(expected.size());
        }
        finally
        {
            daemons.forEach(DaemonProcess::close);
        }
        assertThat(committed(out, expected.size())).hasSize(expected.size());
    }

    private static void signal(final String signal, final DaemonProcess daemon) throws Exception
    {
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(daemon.process.pid())).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s", signal).isZero();
    }

    /** Whether the daemon owns {@code partitions} partitions and has shared a checkpoint of each. */
    private static boolean sharedEverywhere(final DaemonProcess daemon, final int partitions)
    {
        final MarkFile.Info info = MarkFile.read(daemon.dataDirectory);
        try (JmxClient client = JmxClient.connect(info.jmxHost(), info.jmxPort(), null, null, false))
        {
            final ScaleOutMXBean scaleOut = client.scaleOut();
            final String[] status = scaleOut == null ? new String[0] : scaleOut.getPartitionStatus();
            return status.length == partitions && java.util.Arrays.stream(status).noneMatch(line -> line.contains("shared checkpoint none yet"));
        }
        catch (final Exception ex)
        {
            return false;
        }
    }

    private static String logOf(final DaemonProcess daemon)
    {
        try
        {
            return daemon.log();
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private DaemonProcess start(final List<DaemonProcess> daemons, final Path config, final Path data, final String log) throws Exception
    {
        final DaemonProcess daemon = DaemonProcess.start(config, data, dir.resolve(log));
        daemons.add(daemon);
        daemon.awaitRunning();
        return daemon;
    }

    private static int[] owned(final DaemonProcess daemon)
    {
        final MarkFile.Info info = MarkFile.read(daemon.dataDirectory);
        try (JmxClient client = JmxClient.connect(info.jmxHost(), info.jmxPort(), null, null, false))
        {
            final ScaleOutMXBean scaleOut = client.scaleOut();
            return scaleOut == null ? new int[0] : scaleOut.getOwnedPartitions();
        }
        catch (final Exception ex)
        {
            return new int[0]; // not reachable yet: the wait goes on
        }
    }

    private static void awaitOwned(final String what, final DaemonProcess daemon, final int partitions)
    {
        KafkaTestSupport.await(what, () -> owned(daemon).length == partitions);
    }

    /** Waits until every daemon owns at least one partition and together they own each partition once. */
    private static void awaitShared(final String what, final DaemonProcess... daemons)
    {
        KafkaTestSupport.await(what, () ->
        {
            final TreeSet<Integer> all = new TreeSet<>();
            int total = 0;
            for (final DaemonProcess daemon : daemons)
            {
                final int[] owned = owned(daemon);
                if (owned.length == 0)
                {
                    return false;
                }
                for (final int partition : owned)
                {
                    all.add(partition);
                }
                total += owned.length;
            }
            return total == PARTITIONS && all.size() == PARTITIONS;
        });
    }

    private static String scrape(final DaemonProcess daemon) throws Exception
    {
        final MarkFile.Info info = MarkFile.read(daemon.dataDirectory);
        final HttpResponse<String> response = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + info.prometheusPort() + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** The replay of the same input, rendered as the sink renders, without the windows only the end of input fires. */
    private List<String> expected(final String yaml, final List<String> input) throws Exception
    {
        return expected(yaml, input, PARTITIONS);
    }

    private List<String> expected(final String yaml, final List<String> input, final int partitions) throws Exception
    {
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        final EventEncoder encoder = new EventEncoder(ValueFormat.JSON);
        final EventSink sink = (partition, sequence, key, timestamp, event) ->
        {
            if (timestamp < SENTINEL_TIME - 10_000)
            {
                lines.add(partition + " " + sequence + " " + new String(encoder.encode(event), StandardCharsets.UTF_8));
            }
        };
        final List<Pipeline> pipelines = DaemonConfig.parse(yaml, "sluice.yaml", dir).pipelines().build(definition -> sink);
        final Path file = dir.resolve("input.jsonl");
        Files.write(file, input, StandardCharsets.UTF_8);
        Backtest.replay(pipelines, List.of(file), new BacktestOptions().partitions(partitions));
        return lines;
    }

    private static List<String> committed(final int expected)
    {
        return committed(OUTPUT, expected);
    }

    private static List<String> committed(final String topic, final int expected)
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
}
