package io.sluice.ops.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.kafka.KafkaBrokerExtension;
import io.sluice.kafka.KafkaTestSupport;

/**
 * A real {@code sluice run} daemon reading Kafka and writing Kafka exactly once: SIGKILLed at random and
 * restarted, a {@code read_committed} consumer sees exactly the outputs of the replay of the same
 * input, each once; its Kafka source's lag per partition shows in {@code ctl status}, JMX and the
 * Prometheus endpoint. One broker for the class.
 */
class DaemonKafkaProcessTest
{
    private static final int PARTITIONS = 2;

    @TempDir
    Path dir;

    @RegisterExtension
    static final KafkaBrokerExtension broker = new KafkaBrokerExtension();

    /**
     * A daemon reading Kafka topic {@code <name>-in} into {@code vol}, whose results go to {@code <name>-out} exactly once.
     *
     * @param bootstrap servers.
     * @param name      of the test: topics, group and transactional ids derive from it.
     * @return the configuration builder, data in {@code data}.
     */
    static DaemonYaml config(final String bootstrap, final String name)
    {
        return DaemonYaml.daemon("data", PARTITIONS).checkpoint("300ms", 5).tradeSchema().volume("1s", "results")
            .kafkaSink("results", bootstrap, name + "-out", "sluice." + name + ".results")
            .kafkaIngress(bootstrap, name + "-in", "sluice." + name);
    }

    /** The trades of these tests. */
    static List<String> input()
    {
        return TradeVolumes.input(42, 20_000);
    }

    /**
     * A YAML pipeline under {@code on_error: dead_letter} whose filter fails on trades of quantity 9 (an integer division
     * by zero): the daemon sends each such trade to its Kafka ingress's dead-letter topic with the pipeline, the stage and
     * the reason, and commits every other result once, as the replay of the same input produces them.
     */
    @Test
    void shouldSendTheEventsAStageDeadLettersToTheKafkaDeadLetterTopicWithTheReason() throws Exception
    {
        broker.createTopics(PARTITIONS, "failing-in", "failing-out", "failing-in.dlq");
        final String yaml = DaemonYaml.daemon("data", PARTITIONS).checkpoint("300ms", 5).tradeSchema()
            .volume("1s", "results", "on_error: dead_letter", "filter: qty / (qty - 9) >= 0")
            .kafkaSink("results", broker.bootstrap(), "failing-out", "sluice.failing.results")
            .kafkaIngress(broker.bootstrap(), "failing-in", "sluice.failing", "dead_letter_topic: failing-in.dlq").build();
        final Path configFile = Files.writeString(dir.resolve("sluice.yaml"), yaml);
        final List<String> input = TradeVolumes.input(7, 3_000);
        final long nines = input.stream().filter(line -> line.contains("\"qty\":9,")).count();
        assertThat(nines).isGreaterThan(100);
        KafkaTestSupport.produce(broker.bootstrap(), "failing-in", PARTITIONS, input);
        final List<String> expected = TradeVolumes.expected(dir, yaml, input, PARTITIONS);
        assertThat(expected).hasSizeGreaterThan(100);

        try (DaemonProcess daemon = DaemonProcess.running(configFile, dir.resolve("data"), dir.resolve("run.log")))
        {
            final List<String> committed = TradeVolumes.committed(broker.bootstrap(), "failing-out", expected.size());
            final List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> dead =
                KafkaTestSupport.readAll(broker.bootstrap(), "failing-in.dlq", (int)nines);
            assertThat(daemon.logText()).contains("stage failures dead-lettered to Kafka: pipelines [vol]");
            assertThat(daemon.terminate()).as("exit code, log:\n%s", daemon.logText()).isZero();
            assertThat(new TreeSet<>(committed)).isEqualTo(new TreeSet<>(expected));
            assertThat(committed).as("each result once").hasSize(expected.size());
            // Read to the end: no restart here, so each refused trade once.
            assertThat(dead).hasSize((int)nines).allSatisfy(record ->
            {
                assertThat(new String(record.headers().lastHeader("sluice.error").value(), java.nio.charset.StandardCharsets.UTF_8))
                    .contains("pipeline 'vol'", "integer division by zero");
                assertThat(new String(record.headers().lastHeader("sluice.origin").value(), java.nio.charset.StandardCharsets.UTF_8))
                    .startsWith("pipeline vol/");
                assertThat(new String(record.value(), java.nio.charset.StandardCharsets.UTF_8)).contains("\"qty\":9,");
            });
        }
    }

    @Test
    void shouldCommitEveryResultOnceAcrossSigkillsOfTheDaemon() throws Exception
    {
        broker.createTopics(PARTITIONS, "daemon-in", "daemon-out");
        final String yaml = config(broker.bootstrap(), "daemon").build();
        final Path configFile = Files.writeString(dir.resolve("sluice.yaml"), yaml);
        final List<String> input = input();
        KafkaTestSupport.produce(broker.bootstrap(), "daemon-in", PARTITIONS, input);
        final List<String> expected = TradeVolumes.expected(dir, yaml, input, PARTITIONS);
        assertThat(expected).hasSizeGreaterThan(1_000);

        final int kills = Boolean.getBoolean("sluice.test.slow") ? 100 : 10;
        final long seed = Long.getLong("sluice.test.seed", System.nanoTime());
        final Random random = new Random(seed);
        final Path data = dir.resolve("data");
        for (int kill = 0; kill < kills; kill++)
        {
            try (DaemonProcess daemon = DaemonProcess.running(configFile, data, dir.resolve("run" + kill + ".log")))
            {
                // A random point of the run, not a deadline: the kill lands wherever the daemon is by then.
                if (!daemon.process.waitFor(random.nextInt(1_500), TimeUnit.MILLISECONDS))
                {
                    daemon.process.destroyForcibly(); // SIGKILL
                }
                assertThat(daemon.process.waitFor(3, TimeUnit.MINUTES)).as("seed %d run %d exits", seed, kill).isTrue();
                assertThat(daemon.process.exitValue()).as("seed %d run %d:\n%s", seed, kill, daemon.logText()).isEqualTo(137);
            }
        }
        try (DaemonProcess daemon = DaemonProcess.running(configFile, data, dir.resolve("last.log")))
        {
            final List<String> committed = TradeVolumes.committed(broker.bootstrap(), "daemon-out", expected.size());
            assertThat(daemon.terminate()).as("exit code, log:\n%s", daemon.logText()).isZero();
            assertThat(new TreeSet<>(committed)).as("seed %d", seed).isEqualTo(new TreeSet<>(expected));
        }
        // Nothing more after the graceful stop, and nothing twice.
        assertThat(TradeVolumes.committed(broker.bootstrap(), "daemon-out", expected.size())).as("seed %d", seed).hasSize(expected.size());
    }

    /**
     * While {@code vol} is paused the source can journal no more than the ring holds, so the input
     * produced meanwhile shows as lag; once resumed the lag drains to 0 on both partitions and every
     * result is committed once.
     */
    @Test
    void shouldShowTheKafkaSourceLagPerPartitionInCtlStatusJmxAndPrometheus() throws Exception
    {
        broker.createTopics(PARTITIONS, "lag-in", "lag-out");
        final String yaml = config(broker.bootstrap(), "lag").prometheus().raw("ring_size: 1024").build();
        final Path configFile = Files.writeString(dir.resolve("sluice.yaml"), yaml);
        final List<String> input = input();
        final List<String> expected = TradeVolumes.expected(dir, yaml, input, PARTITIONS);

        try (DaemonProcess daemon = DaemonProcess.running(configFile, dir.resolve("data"), dir.resolve("lag.log")))
        {
            assertThat(daemon.ctl("pause", "vol")).contains("paused vol");
            KafkaTestSupport.produce(broker.bootstrap(), "lag-in", PARTITIONS, input);

            daemon.awaitStatus("a lag on the paused daemon's Kafka source in ctl status", status -> totalLag(status) > 0);
            DaemonProcess.await("the lag over JMX", () ->
            {
                final long[] lag = daemon.jmx(client -> client.kafkaIngress().get(0).getLag());
                // -1 is a partition's unknown lag (no poll has seen its end yet): counted as none, as ctl status counts it.
                return lag != null && lag.length == PARTITIONS && Math.max(0, lag[0]) + Math.max(0, lag[1]) > 0;
            });
            DaemonProcess.await("the lag at the Prometheus endpoint", () -> Pattern.compile(
                "sluice_kafka_partition_lag_records\\{kafka_topic=\"lag-in\",partition=\"\\d\"\\} [1-9]").matcher(daemon.metrics()).find());

            assertThat(daemon.ctl("resume", "vol")).contains("resumed vol");
            daemon.awaitStatus("every record journaled and no lag left", status -> status.contains(
                "kafka ingress lag-in -> trades (group sluice.lag): RUNNING, partitions (0 lag 0, 1 lag 0), total lag 0, records in " +
                    String.format(java.util.Locale.ROOT, "%,d", input.size()) + ", malformed 0"));
            assertThat(daemon.<String>jmx(client -> client.kafkaIngress().get(0).getState())).isEqualTo("RUNNING");
            assertThat(daemon.metrics()).contains("sluice_kafka_partition_lag_records{kafka_topic=\"lag-in\",partition=\"0\"} 0.0")
                .contains("sluice_kafka_partition_lag_records{kafka_topic=\"lag-in\",partition=\"1\"} 0.0");

            final List<String> committed = TradeVolumes.committed(broker.bootstrap(), "lag-out", expected.size());
            assertThat(daemon.terminate()).as("exit code, log:\n%s", daemon.logText()).isZero();
            assertThat(committed).as("each result once").hasSize(expected.size());
            assertThat(new TreeSet<>(committed)).isEqualTo(new TreeSet<>(expected));
        }
    }

    private static long totalLag(final String status)
    {
        final Matcher matcher = Pattern.compile("kafka ingress lag-in -> trades \\(group sluice.lag\\): RUNNING, .*total lag (\\d+)").matcher(status);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }

}
