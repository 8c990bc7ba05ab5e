package io.sluice.ops.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka client settings in the configuration file: secrets come from files or environment variables,
 * the daemon-wide {@code kafka.client_properties} reach every Kafka ingress and sink (an item's own
 * setting wins), and keys that would break exactly once, unknown keys and secrets written in clear are
 * refused with the key and its line, never with a value.
 */
class KafkaClientSettingsTest
{
    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"desk\" " +
        "password=\"s3cret-from-file\";";

    @TempDir
    Path dir;

    private static String config(final String kafkaSection, final String sinkSetting)
    {
        return DaemonYaml.daemon("data", 2).onDemandCheckpoints().tradeSchema().volume("1s", "results")
            .kafkaSink("results", "127.0.0.1:9092", "out", "sluice.t.results", sinkSetting)
            .kafkaIngress("127.0.0.1:9092", "in", "sluice.t")
            .raw(kafkaSection)
            .build();
    }

    /** The 1-based line of the first line containing a text. */
    private static int lineOf(final String yaml, final String text)
    {
        final String[] lines = yaml.split("\n");
        for (int i = 0; i < lines.length; i++)
        {
            if (lines[i].contains(text))
            {
                return i + 1;
            }
        }
        throw new AssertionError(text + " not in:\n" + yaml);
    }

    private DaemonConfigException errors(final String yaml)
    {
        return DaemonConfigTest.refused(yaml, dir);
    }

    @Test
    void shouldGiveEveryKafkaClientTheDaemonWideSettingsWithTheSecretReadFromAFile() throws Exception
    {
        Files.writeString(dir.resolve("jaas.conf"), JAAS + "\n");
        Files.setPosixFilePermissions(dir.resolve("jaas.conf"), PosixFilePermissions.fromString("rw-------"));
        final String yaml = config("""
            kafka:
              client_properties:
                security.protocol: SASL_SSL
                sasl.mechanism: PLAIN
                sasl.jaas.config: ${file:jaas.conf}
                ssl.truststore.location: /etc/sluice/truststore.p12
            """, "client_properties: {sasl.mechanism: SCRAM-SHA-512}");

        final DaemonConfig config = DaemonConfig.parse(yaml, "sluice.yaml", dir);

        final var sink = config.sinks().get("results").kafka().clientProperties();
        assertThat(sink).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.jaas.config", JAAS)
            .containsEntry("ssl.truststore.location", "/etc/sluice/truststore.p12")
            .as("the sink's own setting wins").containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        final KafkaIngress ingress = (KafkaIngress)config.components().get(0).component();
        assertThat(ingress.settings().clientProperties()).containsEntry("sasl.jaas.config", JAAS).containsEntry("sasl.mechanism", "PLAIN");
        assertThat(config.maskedText()).doesNotContain("s3cret-from-file");
    }

    @Test
    void shouldRefuseOverridesThatWouldBreakExactlyOnceAndUnknownKeysNamingKeyAndLine()
    {
        final String yaml = config("""
            kafka:
              client_properties:
                enable.idempotence: false
                isolation.level: read_uncommitted
                sasl.mechanism: PLAIN
                no.such.setting: 1
            """, "client_properties: {transactional.id: mine}");

        final DaemonConfigException ex = errors(yaml);

        assertThat(ex.errors())
            .anyMatch(e -> e.startsWith("kafka.client_properties.enable.idempotence: 'enable.idempotence' is set by Sluice") &&
                e.contains("exactly once needs idempotent producers") && e.contains("(line " + lineOf(yaml, "enable.idempotence:") + ","))
            .anyMatch(e -> e.startsWith("kafka.client_properties.isolation.level: 'isolation.level' is set by Sluice") &&
                e.contains("(line " + lineOf(yaml, "isolation.level:") + ","))
            .anyMatch(e -> e.startsWith("kafka.client_properties.no.such.setting: 'no.such.setting' is not a Kafka 4.4") &&
                e.contains("(line " + lineOf(yaml, "no.such.setting:") + ","))
            .anyMatch(e -> e.startsWith("sinks.results.client_properties.transactional.id: 'transactional.id' is set by Sluice"))
            .hasSize(4);
        assertThat(String.join("\n", ex.errors())).doesNotContain("read_uncommitted").doesNotContain("mine");
    }

    @Test
    void shouldRefuseASecretWrittenInClearAMissingVariableAndAFileEveryoneMayRead() throws Exception
    {
        Files.writeString(dir.resolve("open.conf"), JAAS);
        Files.setPosixFilePermissions(dir.resolve("open.conf"), PosixFilePermissions.fromString("rw-r--r--"));
        final String yaml = config("""
            kafka:
              client_properties:
                ssl.keystore.password: in-clear-password
                ssl.key.password: ${env:SLUICE_TEST_SURELY_UNSET_VARIABLE}
                sasl.jaas.config: ${file:open.conf}
                ssl.truststore.password: ${file:missing.txt}
            """, "timeout: 60s");

        final DaemonConfigException ex = errors(yaml);

        assertThat(ex.errors())
            .anyMatch(e -> e.startsWith("kafka.client_properties.ssl.keystore.password: holds a secret") && e.contains("${env:NAME}"))
            .anyMatch(e -> e.startsWith("kafka.client_properties.ssl.key.password: names the environment variable " +
                "'SLUICE_TEST_SURELY_UNSET_VARIABLE', which the daemon's environment does not set"))
            .anyMatch(e -> e.startsWith("kafka.client_properties.sasl.jaas.config: names the file ") && e.contains("every user of the machine may read"))
            .anyMatch(e -> e.startsWith("kafka.client_properties.ssl.truststore.password: names the file ") && e.contains("cannot be read"))
            .hasSize(4);
        assertThat(String.join("\n", ex.errors())).doesNotContain("in-clear-password").doesNotContain("s3cret-from-file");
    }
}
