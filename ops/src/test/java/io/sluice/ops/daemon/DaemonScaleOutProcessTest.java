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
        return """
            data_dir: %s
            partitions: 4
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
                transactional_id: sluice.scale-test.results
            ingress:
              - type: kafka
                topic: trades
                bootstrap: %s
                kafka_topic: %s
                group: sluice.scale-test
                format: json
            scale_out:
              job: scale-test
              checkpoint_store: shared
              session_timeout: 6s
            """.formatted(dataDir, bootstrap, OUTPUT, bootstrap, INPUT);
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
        Backtest.replay(pipelines, List.of(file), new BacktestOptions().partitions(PARTITIONS));
        return lines;
    }

    private static List<String> committed(final int expected)
    {
        final List<String> lines = new ArrayList<>();
        for (final ConsumerRecord<byte[], byte[]> record : KafkaTestSupport.readAll(broker.bootstrap(), OUTPUT, expected))
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
