package io.sluice.ops.daemon;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.sluice.kafka.KafkaSink;
import io.sluice.kafka.KafkaBrokerExtension;
import io.sluice.kafka.KafkaTestSupport;
import io.sluice.kafka.ValueFormat;

/**
 * A real {@code sluice run} daemon reading Kafka and writing Kafka exactly once, SIGKILLed at random
 * and restarted: a {@code read_committed} consumer sees exactly the outputs of the replay of the same
 * input, each once.
 */
class DaemonKafkaProcessTest
{
    private static final int PARTITIONS = 2;
    private static final long SENTINEL_TIME = 1_000_000_000L;

    @TempDir
    Path dir;

    @RegisterExtension
    static final KafkaBrokerExtension broker = new KafkaBrokerExtension();

    static String config(final String bootstrap)
    {
        return """
            data_dir: data
            partitions: 2
            wait_strategy: sleep
            checkpoint:
              interval: 300ms
              retained: 5
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
                topic: daemon-out
                mode: exactly_once
                transactional_id: sluice.daemon-test.results
            ingress:
              - type: kafka
                topic: trades
                bootstrap: %s
                kafka_topic: daemon-in
                group: sluice.daemon-test
                format: json
            """.formatted(bootstrap, bootstrap);
    }

    /** Trades with event time increasing; per partition a last trade far in the future fires every earlier window. */
    static List<String> input()
    {
        final List<String> lines = new ArrayList<>();
        final Random random = new Random(42);
        for (int i = 0; i < 20_000; i++)
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
    void shouldCommitEveryResultOnceAcrossSigkillsOfTheDaemon() throws Exception
    {
        broker.createTopics(PARTITIONS, "daemon-in", "daemon-out");
        final String yaml = config(broker.bootstrap());
        final Path configFile = dir.resolve("sluice.yaml");
        Files.writeString(configFile, yaml);
        final List<String> input = input();
        KafkaTestSupport.produce(broker.bootstrap(), "daemon-in", PARTITIONS, input);
        final List<String> expected = expected(dir, yaml, input);
        assertThat(expected).hasSizeGreaterThan(1_000);

        final int kills = Boolean.getBoolean("sluice.test.slow") ? 100 : 10;
        final long seed = Long.getLong("sluice.test.seed", System.nanoTime());
        final Random random = new Random(seed);
        final Path data = dir.resolve("data");
        for (int kill = 0; kill < kills; kill++)
        {
            try (DaemonProcess daemon = DaemonProcess.start(configFile, data, dir.resolve("run" + kill + ".log")))
            {
                daemon.awaitRunning();
                if (!daemon.process.waitFor(random.nextInt(1_500), TimeUnit.MILLISECONDS))
                {
                    daemon.process.destroyForcibly(); // SIGKILL
                }
                assertThat(daemon.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(daemon.process.exitValue()).as("seed %d run %d:\n%s", seed, kill, daemon.log()).isEqualTo(137);
            }
        }
        try (DaemonProcess daemon = DaemonProcess.start(configFile, data, dir.resolve("last.log")))
        {
            daemon.awaitRunning();
            final List<String> committed = committed(expected.size());
            final int exit = daemon.terminate();
            assertThat(exit).as("exit code, log:\n%s", daemon.log()).isZero();
            assertThat(new TreeSet<>(committed)).as("seed %d", seed).isEqualTo(new TreeSet<>(expected));
        }
        // Nothing more after the graceful stop, and nothing twice.
        assertThat(committed(expected.size())).as("seed %d", seed).hasSize(expected.size());
    }

    /** The replay of the same input, rendered as the sink renders, without the windows only the end of input fires. */
    static List<String> expected(final Path dir, final String yaml, final List<String> input) throws Exception
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
        return committed(broker.bootstrap(), expected);
    }

    static List<String> committed(final String bootstrap, final int expected)
    {
        final List<String> lines = new ArrayList<>();
        for (final ConsumerRecord<byte[], byte[]> record : KafkaTestSupport.readAll(bootstrap, "daemon-out", expected))
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
