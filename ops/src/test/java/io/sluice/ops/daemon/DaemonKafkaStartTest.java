package io.sluice.ops.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.kafka.KafkaTestBroker;
import io.sluice.kafka.KafkaTestSupport;

/**
 * A real {@code sluice run} daemon whose Kafka sink's brokers are not there yet: it stays STARTING,
 * logs and counts each failed attempt with the brokers and the next retry, and once a real broker
 * starts on that address it runs, and a {@code read_committed} consumer sees the replay's outputs once.
 */
class DaemonKafkaStartTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRetryAnUnreachableKafkaSinkAtStartAndRunOnceTheBrokerIsUp() throws Exception
    {
        final String address = KafkaTestBroker.unreachable();
        final int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        final String yaml = DaemonYaml.daemon("data", 2).checkpoint("300ms", 5).tradeSchema().volume("1s", "results")
            .kafkaSink("results", address, "daemon-out", "sluice.daemon-test.results", "timeout: 2s", "max_retry_backoff: 2s")
            .kafkaIngress(address, "daemon-in", "sluice.daemon-test").build();
        final Path configFile = Files.writeString(dir.resolve("sluice.yaml"), yaml);
        final List<String> input = DaemonKafkaProcessTest.input();
        final List<String> expected = TradeVolumes.expected(dir, yaml, input, 2);
        final Path data = dir.resolve("data");

        try (DaemonProcess daemon = DaemonProcess.start(configFile, data, dir.resolve("run.log")))
        {
            daemon.awaitLog("(attempt 2)");
            assertThat(daemon.logText()).as("the applied commit spacing, logged at start")
                .contains("sinks.results: exactly once, commits >= 200 ms apart while input waits (the default of a daemon reading a kafka ingress)");
            assertThat(daemon.logText()).contains("sinks.results: cannot reach the Kafka brokers " + address)
                .contains("to describe sink topic 'daemon-out'; retrying in 1000 ms (attempt 1)");
            assertThat(daemon.process.isAlive()).isTrue();
            assertThat(MarkFile.read(data).state()).as("still starting").isEqualTo(MarkFile.STARTING);
            assertThat(DaemonProcessTest.sluice("stat", "--dir", data.toString())).containsPattern(" ([2-9]|[1-9]\\d+) - kafka-sink-start-retries");

            try (KafkaTestBroker broker = KafkaTestBroker.start(dir.resolve("broker"), port))
            {
                broker.createTopics(2, "daemon-in", "daemon-out");
                KafkaTestSupport.produce(broker.bootstrap(), "daemon-in", 2, input);
                daemon.awaitRunning();
                assertThat(daemon.logText()).containsPattern("sinks.results: Kafka sink open after \\d+ failed attempts");
                final List<String> committed = TradeVolumes.committed(broker.bootstrap(), "daemon-out", expected.size());
                assertThat(daemon.terminate()).as("exit code, log:\n%s", daemon.logText()).isZero();
                assertThat(new TreeSet<>(committed)).isEqualTo(new TreeSet<>(expected));
                assertThat(committed).as("each result once").hasSize(expected.size());
            }
        }
    }
}
