package io.sluice.ops.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configuration errors are all reported at once, each with its key and reason, before anything runs.
 */
class DaemonConfigTest
{
    @TempDir
    Path dir;

    private DaemonConfigException errors(final String yaml)
    {
        return refused(yaml, dir);
    }

    /**
     * Parses a configuration that must be refused.
     *
     * @param yaml the configuration.
     * @param dir  its directory.
     * @return the refusal, with every error.
     */
    static DaemonConfigException refused(final String yaml, final Path dir)
    {
        try
        {
            DaemonConfig.parse(yaml, "sluice.yaml", dir);
        }
        catch (final DaemonConfigException ex)
        {
            return ex;
        }
        throw new AssertionError("configuration accepted:\n" + yaml);
    }

    @Test
    void shouldAcceptTheTestConfiguration() throws Exception
    {
        Files.writeString(dir.resolve("trades.csv"), DaemonProcessTest.TRADES);
        final DaemonConfig config = DaemonConfig.parse(DaemonProcessTest.config(true, ""), "sluice.yaml", dir);

        assertThat(config.dataDirectory()).isEqualTo(dir.resolve("data"));
        assertThat(config.partitions()).isEqualTo(2);
        assertThat(config.sinks()).containsOnlyKeys("vol-out", "big-out");
        assertThat(config.jmx().host()).isEqualTo("127.0.0.1");
        assertThat(config.components()).hasSize(1);
        assertThat(config.threadingMode()).as("auto: the engine's default for this machine").isNull();
    }

    @Test
    void shouldNameTheLineAndColumnOfEveryError() throws Exception
    {
        Files.writeString(dir.resolve("trades.csv"), DaemonProcessTest.TRADES);
        // Appended after the 'prometheus:' section of the test configuration: its lines are counted from the text.
        final String yaml = DaemonProcessTest.config(true, "log_level: loud\nring_size: 1000\n");
        final String[] lines = yaml.split("\n", -1);
        final int logLevelLine = java.util.Arrays.asList(lines).indexOf("log_level: loud") + 1;
        assertThat(errors(yaml).errors())
            .contains("log_level: 'loud' is not one of error, warn, info, debug, trace (line " + logLevelLine + ", column 12)")
            .anyMatch(e -> e.startsWith("ring_size: must be a power of two, was 1000 (line " + (logLevelLine + 1) + ", column 12)"));
    }

    @Test
    void shouldReadTheCheckpointSliceRowsAndRefuseLessThanOneWithItsLineAndColumn() throws Exception
    {
        Files.writeString(dir.resolve("trades.csv"), DaemonProcessTest.TRADES);
        final String base = DaemonProcessTest.config(true, "");
        assertThat(DaemonConfig.parse(base, "sluice.yaml", dir).checkpointSliceRows())
            .isEqualTo(io.sluice.engine.runtime.EngineContext.Configuration.CHECKPOINT_SLICE_ROWS_DEFAULT);
        assertThat(DaemonConfig.parse(base.replace("  interval: 0\n", "  interval: 0\n  slice_rows: 256\n"), "sluice.yaml", dir)
            .checkpointSliceRows()).isEqualTo(256);
        assertThat(DaemonConfig.parse(base.replace("  interval: 0\n", "  interval: 0\n  slice_rows: unbounded\n"), "sluice.yaml", dir)
            .checkpointSliceRows()).isEqualTo(Integer.MAX_VALUE);
        final String zero = base.replace("  interval: 0\n", "  interval: 0\n  slice_rows: 0\n");
        final int line = java.util.Arrays.asList(zero.split("\n", -1)).indexOf("  slice_rows: 0") + 1;
        assertThat(errors(zero).errors())
            .contains("checkpoint.slice_rows: must be in [1, 2147483647], was 0 (line " + line + ", column 15)");
    }

    @Test
    void shouldReadTheThreadingModeAndRefuseAnUnknownOne() throws Exception
    {
        Files.writeString(dir.resolve("trades.csv"), DaemonProcessTest.TRADES);
        final String shared = DaemonProcessTest.config(true, "threading_mode: shared\n");
        assertThat(DaemonConfig.parse(shared, "sluice.yaml", dir).threadingMode()).isEqualTo(io.sluice.engine.runtime.ThreadingMode.SHARED);
        assertThat(errors(DaemonProcessTest.config(true, "threading_mode: lots\n")).errors())
            .anyMatch(e -> e.startsWith("threading_mode: 'lots' is not one of auto, dedicated, shared"));
    }

    @Test
    void shouldReadTheLowLatencyProfileWithLatencyRecordingOffUnlessAsked() throws Exception
    {
        Files.writeString(dir.resolve("trades.csv"), DaemonProcessTest.TRADES);
        final String base = DaemonProcessTest.config(true, "profile: low-latency\n").replace("wait_strategy: sleep\n", "");
        final DaemonConfig lowLatency = DaemonConfig.parse(base, "sluice.yaml", dir);
        assertThat(lowLatency.profile()).isEqualTo(io.sluice.engine.runtime.EngineProfile.LOW_LATENCY);
        assertThat(lowLatency.latencyRecording()).as("no clock read per event unless asked").isFalse();
        assertThat(DaemonConfig.parse(base + "latency_recording: true\n", "sluice.yaml", dir).latencyRecording()).isTrue();
        final DaemonConfig standard = DaemonConfig.parse(DaemonProcessTest.config(true, ""), "sluice.yaml", dir);
        assertThat(standard.profile()).isEqualTo(io.sluice.engine.runtime.EngineProfile.STANDARD);
        assertThat(standard.latencyRecording()).isTrue();
        assertThat(errors(DaemonProcessTest.config(true, "profile: low-latency\n")).errors())
            .anyMatch(e -> e.startsWith("wait_strategy: conflicts with 'profile: low-latency'"));
        assertThat(errors(DaemonProcessTest.config(true, "profile: fast\n")).errors())
            .anyMatch(e -> e.startsWith("profile: 'fast' is not one of standard, low-latency"));
    }

    @Test
    void shouldWarmTheNetworkPathUpByDefaultOnlyUnderTheLowLatencyProfile() throws Exception
    {
        Files.writeString(dir.resolve("trades.csv"), DaemonProcessTest.TRADES);
        final String lowLatency = DaemonProcessTest.config(true, "profile: low-latency\n").replace("wait_strategy: sleep\n", "");
        assertThat(DaemonConfig.parse(lowLatency, "sluice.yaml", dir).networkWarmUpMillis()).isEqualTo(DaemonConfig.DEFAULT_NETWORK_WARM_UP_MS);
        assertThat(DaemonConfig.parse(lowLatency + "network_warm_up: 0\n", "sluice.yaml", dir).networkWarmUpMillis()).isZero();
        assertThat(DaemonConfig.parse(DaemonProcessTest.config(true, ""), "sluice.yaml", dir).networkWarmUpMillis()).isZero();
        assertThat(DaemonConfig.parse(DaemonProcessTest.config(true, "network_warm_up: 3s\n"), "sluice.yaml", dir).networkWarmUpMillis())
            .isEqualTo(3_000);
        assertThat(errors(DaemonProcessTest.config(true, "network_warm_up: soon\n")).errors())
            .anyMatch(e -> e.startsWith("network_warm_up: 'soon' is not a duration"));
    }

    @Test
    void shouldReportEveryErrorWithItsKeyBeforeAnythingRuns()
    {
        final String yaml = DaemonProcessTest.config(false, """
            ring_size: 1000
            jmx:
              host: 0.0.0.0
              prot: 1
            ingress:
              - type: carrier-pigeon
            """).replace("partitions: 2", "partitions: 0").replace("wait_strategy: sleep", "wait_strategy: nap").replace("interval: 0", "interval: 10x")
            .replace("big-out: {type: journal}", "big-out: {type: carrier}");

        final DaemonConfigException ex = errors(yaml);

        assertThat(ex.errors()).anyMatch(e -> e.startsWith("partitions: must be in [1, 1024], was 0"))
            .anyMatch(e -> e.startsWith("ring_size: must be a power of two"))
            .anyMatch(e -> e.startsWith("wait_strategy: 'nap' is not one of"))
            .anyMatch(e -> e.startsWith("checkpoint.interval:"))
            .anyMatch(e -> e.startsWith("sinks.big-out.type: 'carrier' is not one of csv, jsonl, journal, kafka"))
            .anyMatch(e -> e.startsWith("jmx.prot: unknown key"))
            .anyMatch(e -> e.startsWith("jmx.host: '0.0.0.0' is not a loopback address: remote JMX requires password_file"))
            .anyMatch(e -> e.contains("requires tls.enabled: true"))
            .anyMatch(e -> e.startsWith("ingress[0].type: unknown ingress type 'carrier-pigeon'"));
        assertThat(ex.getMessage()).startsWith(ex.errors().size() + " errors in sluice.yaml:");
    }

    @Test
    void shouldRefuseAPasswordFileOthersCanRead() throws Exception
    {
        final Path passwords = dir.resolve("jmx.password");
        Files.writeString(passwords, "admin secret\n");
        Files.setPosixFilePermissions(passwords, PosixFilePermissions.fromString("rw-r--r--"));
        Files.writeString(dir.resolve("jmx.access"), "admin readwrite\n");
        Files.setPosixFilePermissions(dir.resolve("jmx.access"), PosixFilePermissions.fromString("rw-------"));
        final String yaml = DaemonProcessTest.config(false, """
            jmx:
              password_file: jmx.password
              access_file: jmx.access
            """);

        final DaemonConfigException ex = errors(yaml);

        assertThat(ex.errors()).containsExactly("jmx.password_file: " + passwords + " must be readable by its owner only (chmod 600 " +
            passwords + ") (line 39, column 18)");
    }

    @Test
    void shouldReportPipelineErrorsWithTheirLineInTheDaemonFile()
    {
        final String yaml = DaemonProcessTest.config(false, "").replace("size: 2s", "size: 2x");

        final DaemonConfigException ex = errors(yaml);

        assertThat(ex.errors()).hasSize(1);
        assertThat(ex.errors().get(0)).startsWith("pipelines[0].window.size: '2x' is not a duration").contains("line 20");
    }

    @Test
    void shouldReadTheScaleOutSection() throws Exception
    {
        final DaemonConfig config = DaemonConfig.parse(DaemonScaleOutProcessTest.config("127.0.0.1:9092", "data", "scale-test", 4), "sluice.yaml", dir);

        assertThat(config.scaleOut()).isEqualTo(new DaemonConfig.ScaleOutConfig("scale-test", dir.resolve("shared"), 6_000));
        assertThat(config.partitions()).isEqualTo(4);
    }

    @Test
    void shouldReadHowOftenAnExactlyOnceKafkaSinkMayAskForACheckpoint() throws Exception
    {
        final String yaml = DaemonScaleOutProcessTest.config("127.0.0.1:9092", "data", "scale-test", 4);
        assertThat(DaemonConfig.parse(yaml, "sluice.yaml", dir).sinks().get("results").kafka().minCheckpointSpacingMillis()).isEqualTo(20);
        final String spaced = yaml.replaceFirst("( +)mode: exactly_once\n", "$1mode: exactly_once\n$1min_checkpoint_spacing: 250ms\n");
        assertThat(spaced).isNotEqualTo(yaml);
        assertThat(DaemonConfig.parse(spaced, "sluice.yaml", dir).sinks().get("results").kafka().minCheckpointSpacingMillis()).isEqualTo(250);
    }

    @Test
    void shouldSpaceTheCommitsOfAnExactlyOnceKafkaSinkInADaemonReadingKafkaUnlessTheSinkSaysOtherwise() throws Exception
    {
        final String fed = DaemonYaml.daemon("data", 2).checkpoint("300ms", 5).tradeSchema().volume("1s", "results")
            .kafkaSink("results", "127.0.0.1:9092", "fed-out", "sluice.fed.results").kafkaIngress("127.0.0.1:9092", "fed-in", "sluice.fed")
            .build();
        assertThat(commitSpacing(fed)).isEqualTo(DaemonConfig.KAFKA_FED_COMMIT_SPACING_MS).isEqualTo(200);
        assertThat(commitSpacing(withSinkKeys(fed, "min_commit_spacing: 0ms"))).isZero();
        assertThat(commitSpacing(withSinkKeys(fed, "min_commit_spacing: 50ms"))).isEqualTo(50);
        // A delay that leaves no room for the default below half the transaction timeout (300 s) keeps none.
        assertThat(commitSpacing(withSinkKeys(fed, "max_commit_delay: 149900ms"))).isZero();
        assertThat(DaemonConfig.parse(fed.replaceFirst("mode: exactly_once", "mode: at_least_once"), "sluice.yaml", dir).sinks()
            .get("results").kafka().minCommitSpacingMillis()).isZero();

        // Nothing would lift the spacing: a scale-out member, or a daemon without a Kafka ingress.
        assertThat(commitSpacing(DaemonScaleOutProcessTest.config("127.0.0.1:9092", "data", "scale-test", 4))).isZero();
        final String notFed = DaemonYaml.daemon("data", 2).checkpoint("300ms", 5).tradeSchema().volume("1s", "results")
            .kafkaSink("results", "127.0.0.1:9092", "fed-out", "sluice.fed.results").build();
        assertThat(commitSpacing(notFed)).isZero();
    }

    @Test
    void shouldSayWhichCommitSpacingEachExactlyOnceKafkaSinkRunsWithAndWhy() throws Exception
    {
        final String fed = DaemonYaml.daemon("data", 2).checkpoint("300ms", 5).tradeSchema().volume("1s", "results")
            .kafkaSink("results", "127.0.0.1:9092", "fed-out", "sluice.fed.results").kafkaIngress("127.0.0.1:9092", "fed-in", "sluice.fed")
            .build();
        assertThat(spacingOf(fed)).isEqualTo(new CommitSpacing(200, true, CommitSpacing.Reason.KAFKA_INGRESS_DEFAULT));
        assertThat(spacingOf(fed).describe())
            .isEqualTo("commits >= 200 ms apart while input waits (the default of a daemon reading a kafka ingress)");
        assertThat(spacingOf(withSinkKeys(fed, "min_commit_spacing: 0ms"))).isEqualTo(new CommitSpacing(0, true, CommitSpacing.Reason.CONFIG));
        assertThat(spacingOf(withSinkKeys(fed, "min_commit_spacing: 0ms")).describe()).isEqualTo("no commit spacing (set by min_commit_spacing)");
        assertThat(spacingOf(withSinkKeys(fed, "min_commit_spacing: 50ms"))).isEqualTo(new CommitSpacing(50, true, CommitSpacing.Reason.CONFIG));
        assertThat(spacingOf(withSinkKeys(fed, "max_commit_delay: 149900ms")))
            .isEqualTo(new CommitSpacing(0, true, CommitSpacing.Reason.TRANSACTION_TIMEOUT));
        assertThat(spacingOf(DaemonScaleOutProcessTest.config("127.0.0.1:9092", "data", "scale-test", 4)))
            .isEqualTo(new CommitSpacing(0, false, CommitSpacing.Reason.SCALE_OUT_MEMBER));
        final CommitSpacing setInAMember = spacingOf(withSinkKeys(DaemonScaleOutProcessTest.config("127.0.0.1:9092", "data", "scale-test", 4),
            "min_commit_spacing: 100ms"));
        assertThat(setInAMember.describe()).isEqualTo("commits >= 100 ms apart always (nothing tells the sink that input waits) (set by min_commit_spacing)");
        final String notFed = DaemonYaml.daemon("data", 2).checkpoint("300ms", 5).tradeSchema().volume("1s", "results")
            .kafkaSink("results", "127.0.0.1:9092", "fed-out", "sluice.fed.results").build();
        assertThat(spacingOf(notFed)).isEqualTo(new CommitSpacing(0, false, CommitSpacing.Reason.NO_KAFKA_INGRESS));
        // An at-least-once sink has no transactions, so no spacing to report.
        assertThat(DaemonConfig.parse(fed.replaceFirst("mode: exactly_once", "mode: at_least_once"), "sluice.yaml", dir).commitSpacings())
            .isEmpty();
    }

    private CommitSpacing spacingOf(final String yaml) throws Exception
    {
        final DaemonConfig config = DaemonConfig.parse(yaml, "sluice.yaml", dir);
        assertThat(config.commitSpacings().get("results").millis()).isEqualTo(config.sinks().get("results").kafka().minCommitSpacingMillis());
        return config.commitSpacings().get("results");
    }

    private long commitSpacing(final String yaml) throws Exception
    {
        return DaemonConfig.parse(yaml, "sluice.yaml", dir).sinks().get("results").kafka().minCommitSpacingMillis();
    }

    @Test
    void shouldReadTheCommitSettingsOfAnExactlyOnceKafkaSink() throws Exception
    {
        final String yaml = DaemonScaleOutProcessTest.config("127.0.0.1:9092", "data", "scale-test", 4);
        final io.sluice.kafka.KafkaSinkContext defaults = DaemonConfig.parse(yaml, "sluice.yaml", dir).sinks().get("results").kafka();
        assertThat(defaults.commitBetweenCheckpoints()).isTrue();
        assertThat(defaults.commitQuietMillis()).isEqualTo(2);
        assertThat(defaults.maxCommitDelayMillis()).isEqualTo(50);
        assertThat(defaults.minCommitSpacingMillis()).isZero();

        final io.sluice.kafka.KafkaSinkContext set = DaemonConfig.parse(withSinkKeys(yaml, "commit_quiet: 5ms", "max_commit_delay: 200ms",
            "min_commit_spacing: 150ms"), "sluice.yaml", dir).sinks().get("results").kafka();
        assertThat(set.commitBetweenCheckpoints()).isTrue();
        assertThat(set.commitQuietMillis()).isEqualTo(5);
        assertThat(set.maxCommitDelayMillis()).isEqualTo(200);
        assertThat(set.minCommitSpacingMillis()).isEqualTo(150);

        final io.sluice.kafka.KafkaSinkContext atCheckpoints = DaemonConfig.parse(withSinkKeys(yaml, "commit_between_checkpoints: false"),
            "sluice.yaml", dir).sinks().get("results").kafka();
        assertThat(atCheckpoints.commitBetweenCheckpoints()).isFalse();
    }

    @Test
    void shouldRefuseMeaninglessCommitSettingsOfAKafkaSinkNamingTheKeyAndLine()
    {
        final String yaml = DaemonScaleOutProcessTest.config("127.0.0.1:9092", "data", "scale-test", 4);

        assertThat(errors(withSinkKeys(yaml, "commit_quiet: 80ms", "max_commit_delay: 50ms")).errors()).singleElement().asString()
            .startsWith("sinks.results.commit_quiet: must not exceed max_commit_delay (50 ms), was 80 ms").containsPattern("\\(line \\d+, column \\d+\\)$");
        assertThat(errors(withSinkKeys(yaml, "max_commit_delay: 10m")).errors()).singleElement().asString()
            .startsWith("sinks.results.max_commit_delay: must be shorter than the sink's transaction timeout (300000 ms), was 600000 ms")
            .contains("(line ");
        assertThat(errors(withSinkKeys(yaml, "commit_quiet: 2x")).errors()).singleElement().asString()
            .startsWith("sinks.results.commit_quiet: '2x' is not a duration").contains("(line ");
        assertThat(errors(withSinkKeys(yaml, "commit_between_checkpoints: sometimes")).errors()).singleElement().asString()
            .startsWith("sinks.results.commit_between_checkpoints: 'sometimes' is not true or false").contains("(line ");
        assertThat(errors(withSinkKeys(yaml, "commit_between_checkpoints: false", "max_commit_delay: 20ms")).errors()).singleElement()
            .asString().startsWith("sinks.results.max_commit_delay: has no effect with commit_between_checkpoints: false").contains("(line ");
        assertThat(errors(withSinkKeys(yaml, "min_commit_spacing: 200s")).errors()).singleElement().asString()
            .startsWith("sinks.results.min_commit_spacing: with max_commit_delay (50 ms) must stay below half the sink's transaction timeout " +
                "(150000 ms)").contains("(line ");
        assertThat(errors(withSinkKeys(yaml, "min_commit_spacing: 100ms").replaceFirst("mode: exactly_once", "mode: at_least_once")).errors())
            .anyMatch(e -> e.startsWith("sinks.results.min_commit_spacing: applies to mode exactly_once only"));
        final String atLeastOnce = withSinkKeys(yaml, "commit_quiet: 1ms").replaceFirst("mode: exactly_once", "mode: at_least_once");
        assertThat(errors(atLeastOnce).errors()).anyMatch(e -> e.startsWith("sinks.results.commit_quiet: applies to mode exactly_once only") &&
            e.contains("(line "));
    }

    @Test
    void shouldReadHowLongAnExactlyOnceKafkaSinksSendMayBlockAndRefuseMeaninglessValues() throws Exception
    {
        final String yaml = DaemonScaleOutProcessTest.config("127.0.0.1:9092", "data", "scale-test", 4);
        assertThat(DaemonConfig.parse(yaml, "sluice.yaml", dir).sinks().get("results").kafka().sendBlockMillis()).isEqualTo(1_000);
        assertThat(DaemonConfig.parse(withSinkKeys(yaml, "max_send_block: 250ms"), "sluice.yaml", dir).sinks().get("results").kafka()
            .sendBlockMillis()).isEqualTo(250);
        assertThat(DaemonConfig.parse(withSinkKeys(yaml, "timeout: 10s", "max_send_block: 10s"), "sluice.yaml", dir).sinks().get("results")
            .kafka().sendBlockMillis()).isEqualTo(10_000);

        assertThat(errors(withSinkKeys(yaml, "max_send_block: 0ms")).errors()).singleElement().asString()
            .startsWith("sinks.results.max_send_block: must be at least 1ms, was 0 ms").containsPattern("\\(line \\d+, column \\d+\\)$");
        assertThat(errors(withSinkKeys(yaml, "timeout: 5s", "max_send_block: 6s")).errors()).singleElement().asString()
            .startsWith("sinks.results.max_send_block: must not exceed timeout (5000 ms), was 6000 ms").contains("(line ");
        assertThat(errors(withSinkKeys(yaml, "max_send_block: soon")).errors()).singleElement().asString()
            .startsWith("sinks.results.max_send_block: 'soon' is not a duration").contains("(line ");
        final String atLeastOnce = withSinkKeys(yaml, "max_send_block: 1s").replaceFirst("mode: exactly_once", "mode: at_least_once");
        assertThat(errors(atLeastOnce).errors()).singleElement().asString()
            .startsWith("sinks.results.max_send_block: applies to mode exactly_once only").contains("(line ");
    }

    @Test
    void shouldReadWhetherAKafkaSinksRecordsCarryTheOutputHeader() throws Exception
    {
        final String yaml = DaemonScaleOutProcessTest.config("127.0.0.1:9092", "data", "scale-test", 4);
        assertThat(DaemonConfig.parse(yaml, "sluice.yaml", dir).sinks().get("results").kafka().outputHeader()).as("the default").isTrue();
        assertThat(DaemonConfig.parse(withSinkKeys(yaml, "output_header: false"), "sluice.yaml", dir).sinks().get("results").kafka()
            .outputHeader()).isFalse();
        final String atLeastOnce = withSinkKeys(yaml, "output_header: false").replaceFirst("mode: exactly_once", "mode: at_least_once");
        assertThat(DaemonConfig.parse(atLeastOnce, "sluice.yaml", dir).sinks().get("results").kafka().outputHeader()).isFalse();
        assertThat(errors(withSinkKeys(yaml, "output_header: none")).errors()).singleElement().asString()
            .startsWith("sinks.results.output_header: 'none' is not true or false").contains("(line ");
    }

    /** The configuration with keys added to its exactly-once Kafka sink {@code results}, below its {@code mode}. */
    private static String withSinkKeys(final String yaml, final String... lines)
    {
        final java.util.regex.Matcher mode = java.util.regex.Pattern.compile("( +)mode: exactly_once\n").matcher(yaml);
        assertThat(mode.find()).as("an exactly-once sink in:%n%s", yaml).isTrue();
        final StringBuilder added = new StringBuilder(mode.group());
        for (final String line : lines)
        {
            added.append(mode.group(1)).append(line).append('\n');
        }
        return yaml.substring(0, mode.start()) + added + yaml.substring(mode.end());
    }

    @Test
    void shouldRefuseScaleOutWithoutExactlyOneKafkaIngressAndOnlyKafkaSinks() throws Exception
    {
        Files.writeString(dir.resolve("trades.csv"), DaemonProcessTest.TRADES);
        final DaemonConfigException ex = errors(DaemonProcessTest.config(true, "scale_out:\n  checkpoint_store: shared\n  session_timeout: 10ms\n"));

        assertThat(ex.errors())
            .anyMatch(e -> e.startsWith("scale_out.job: is required"))
            .anyMatch(e -> e.startsWith("scale_out.session_timeout: must be at least 1s, was 10 ms"))
            .anyMatch(e -> e.startsWith("ingress[0]: is not available with scale_out"))
            .anyMatch(e -> e.startsWith("scale_out: needs exactly one ingress of type kafka") && e.contains("found 0"))
            .anyMatch(e -> e.startsWith("sinks.vol-out: is not available with scale_out: every sink must be of type kafka"));
    }
}
