package io.sluice.ops.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.kafka.KafkaTestBroker;
import io.sluice.kafka.KafkaTestSupport;

/**
 * A real {@code sluice run} daemon against a real Kafka broker whose only listener authenticates with
 * SASL/PLAIN (KRaft, StandardAuthorizer; one broker for the class): with the credentials of
 * {@code kafka.client_properties}, its secret read from a file, it reads and writes Kafka exactly once
 * and never prints the secret; with a wrong password (from an environment variable) it stays up,
 * STARTING, and says at each retry that the brokers refused its credentials; with a user not yet allowed
 * to use its sink's transactional ids it stays up, STARTING, says so at each retry, and once an operator
 * grants the ACL it starts and commits every result exactly once.
 */
class DaemonKafkaSecurityProcessTest
{
    private static final String PASSWORD = KafkaTestBroker.ADMIN + "-secret";

    @TempDir
    static Path brokerDirectory;

    private static KafkaTestBroker broker;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker()
    {
        broker = KafkaTestBroker.startSecured(brokerDirectory.resolve("broker"));
    }

    @AfterAll
    static void stopBroker()
    {
        if (broker != null)
        {
            broker.close();
        }
    }

    /** The volume pipeline between {@code <name>-in} and {@code <name>-out}, every client authenticating as the admin user. */
    private static String config(final String name, final String jaasConfig)
    {
        return DaemonYaml.daemon("data", 2).checkpoint("300ms", 5).tradeSchema().volume("1s", "results")
            .kafkaSink("results", broker.bootstrap(), name + "-out", "sluice." + name + ".results", "timeout: 5s", "max_retry_backoff: 2s")
            .kafkaIngress(broker.bootstrap(), name + "-in", "sluice." + name)
            .raw("""
                kafka:
                  client_properties:
                    security.protocol: SASL_PLAINTEXT
                    sasl.mechanism: PLAIN
                    sasl.jaas.config: '%s'
                """.formatted(jaasConfig))
            .build();
    }

    private static String jaas(final String password)
    {
        return jaas(KafkaTestBroker.ADMIN, password);
    }

    private static String jaas(final String user, final String password)
    {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user +
            "\" password=\"" + password + "\";";
    }

    @Test
    void shouldReadAndWriteASaslBrokerExactlyOnceWithTheSecretFromAFileAndNeverPrintIt() throws Exception
    {
        broker.createTopics(2, "sec-in", "sec-out");
        final Map<String, String> admin = KafkaTestBroker.clientProperties(KafkaTestBroker.ADMIN);
        final List<String> input = TradeVolumes.input(3, 4_000);
        KafkaTestSupport.produce(broker.bootstrap(), admin, "sec-in", 2, input);
        final Path jaas = Files.writeString(dir.resolve("kafka-jaas.conf"), jaas(PASSWORD) + "\n");
        Files.setPosixFilePermissions(jaas, PosixFilePermissions.fromString("rw-------"));
        final String yaml = config("sec", "${file:kafka-jaas.conf}");
        assertThat(yaml).doesNotContain(PASSWORD);
        final Path configFile = Files.writeString(dir.resolve("sluice.yaml"), yaml);
        final List<String> expected = TradeVolumes.expected(dir, yaml, input, 2);

        try (DaemonProcess daemon = DaemonProcess.running(configFile, dir.resolve("data"), dir.resolve("sec.log")))
        {
            final List<String> committed = TradeVolumes.committed(broker.bootstrap(), admin, "sec-out", expected.size());
            final String status = daemon.ctl("status");
            assertThat(status).contains("kafka ingress sec-in -> trades (group sluice.sec): RUNNING");
            assertThat(daemon.terminate()).as("exit code, log:\n%s", daemon.logText()).isZero();
            assertThat(new TreeSet<>(committed)).isEqualTo(new TreeSet<>(expected));
            assertThat(committed).as("each result once").hasSize(expected.size());
            assertThat(status + daemon.logText()).doesNotContain(PASSWORD);
        }
    }

    @Test
    void shouldRetryTheSinkWhileItsTransactionalIdIsRefusedAndCommitExactlyOnceOnceGranted() throws Exception
    {
        broker.createTopics(2, "acl-in", "acl-out");
        final Map<String, String> admin = KafkaTestBroker.clientProperties(KafkaTestBroker.ADMIN);
        final List<String> input = TradeVolumes.input(5, 2_000);
        KafkaTestSupport.produce(broker.bootstrap(), admin, "acl-in", 2, input);
        // The user may read its input and write its output topic, but not yet use the sink's transactional ids.
        for (final AclOperation operation : List.of(AclOperation.READ, AclOperation.DESCRIBE))
        {
            broker.allow(ResourceType.TOPIC, "acl-in", PatternType.LITERAL, operation);
            broker.allow(ResourceType.GROUP, "sluice.acl", PatternType.LITERAL, operation);
            broker.allow(ResourceType.GROUP, "sluice.acl.results", PatternType.LITERAL, operation);
        }
        for (final AclOperation operation : List.of(AclOperation.DESCRIBE, AclOperation.WRITE, AclOperation.READ))
        {
            broker.allow(ResourceType.TOPIC, "acl-out", PatternType.LITERAL, operation);
        }
        final Path jaas = Files.writeString(dir.resolve("alice-jaas.conf"), jaas(KafkaTestBroker.USER, KafkaTestBroker.USER + "-secret"));
        Files.setPosixFilePermissions(jaas, PosixFilePermissions.fromString("rw-------"));
        final String yaml = config("acl", "${file:alice-jaas.conf}");
        final Path configFile = Files.writeString(dir.resolve("sluice.yaml"), yaml);
        final List<String> expected = TradeVolumes.expected(dir, yaml, input, 2);
        final Path data = dir.resolve("data");

        try (DaemonProcess daemon = DaemonProcess.start(configFile, data, dir.resolve("acl.log"), List.of(), Map.of()))
        {
            daemon.awaitLog("(attempt 2)");
            assertThat(daemon.logText()).contains("sinks.results: not authorized to use transactional id 'sluice.acl.results-0' of " +
                "Kafka sink topic 'acl-out' on " + broker.bootstrap() + ": grant WRITE and DESCRIBE on the transactional ids prefixed " +
                "'sluice.acl.results-' to this principal");
            assertThat(daemon.process.isAlive()).as("no crash, no restart loop").isTrue();
            assertThat(MarkFile.read(data).state()).as("still starting, retrying").isEqualTo(MarkFile.STARTING);

            broker.allow(ResourceType.TRANSACTIONAL_ID, "sluice.acl.results-", PatternType.PREFIXED, AclOperation.WRITE);
            broker.allow(ResourceType.TRANSACTIONAL_ID, "sluice.acl.results-", PatternType.PREFIXED, AclOperation.DESCRIBE);
            final List<String> committed;
            try
            {
                committed = TradeVolumes.committed(broker.bootstrap(), admin, "acl-out", expected.size());
            }
            catch (final AssertionError ex)
            {
                throw new AssertionError(ex.getMessage() + "; daemon log:\n" + daemon.logText(), ex);
            }
            assertThat(daemon.logText()).contains("sinks.results: Kafka sink open after");
            assertThat(daemon.terminate()).as("exit code, log:\n%s", daemon.logText()).isZero();
            assertThat(new TreeSet<>(committed)).isEqualTo(new TreeSet<>(expected));
            assertThat(committed).as("each result once").hasSize(expected.size());
        }
    }

    @Test
    void shouldStayUpAndSayTheBrokersRefusedItsCredentialsWhenThePasswordIsWrong() throws Exception
    {
        broker.createTopics(2, "bad-in", "bad-out");
        final String wrong = "not-the-" + PASSWORD;
        final Path configFile = Files.writeString(dir.resolve("sluice.yaml"), config("bad", jaas("${env:SLUICE_TEST_KAFKA_PASSWORD}")));
        final Path data = dir.resolve("data");

        try (DaemonProcess daemon = DaemonProcess.start(configFile, data, dir.resolve("bad.log"), List.of(),
            Map.of("SLUICE_TEST_KAFKA_PASSWORD", wrong)))
        {
            daemon.awaitLog("(attempt 2)");
            assertThat(daemon.logText()).contains("sinks.results: cannot describe Kafka sink topic 'bad-out': the Kafka brokers " +
                broker.bootstrap() + " refused this client's credentials (check its client_properties: security.protocol, " +
                "sasl.mechanism, sasl.jaas.config, ssl.*)").doesNotContain(wrong);
            assertThat(daemon.process.isAlive()).as("no crash, no restart loop").isTrue();
            assertThat(MarkFile.read(data).state()).as("still starting, retrying").isEqualTo(MarkFile.STARTING);
            daemon.terminate(); // gives up the start: fails if the daemon does not stop
            assertThat(daemon.logText()).doesNotContain(wrong);
        }
    }
}
