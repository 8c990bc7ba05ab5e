package io.sluice.ops.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code dashboard} section: off by default, loopback by default, a remote bind only with TLS
 * and users, every error with its key; the configuration text shown has its secrets masked.
 */
class DashboardConfigTest
{
    @TempDir
    Path dir;

    @Test
    void shouldBeOffAndOnLoopbackByDefault() throws Exception
    {
        Files.writeString(dir.resolve("trades.csv"), DaemonProcessTest.TRADES);
        final DaemonConfig config = DaemonConfig.parse(DaemonProcessTest.config(true, ""), "sluice.yaml", dir);

        assertThat(config.dashboard().enabled()).isFalse();
        assertThat(config.dashboard().settings().host()).isEqualTo("127.0.0.1");
        assertThat(config.dashboard().settings().port()).isEqualTo(8470);
        assertThat(config.dashboard().settings().tls()).isFalse();
        assertThat(config.dashboard().alertPipelines()).isNull();
    }

    @Test
    void shouldRefuseARemoteDashboardWithoutTlsAndUsersAndReportEveryErrorWithItsKey()
    {
        final String yaml = DaemonProcessTest.config(false, """
            dashboard:
              enabled: true
              host: 0.0.0.0
              refresh: 10ms
              keys_per_partition: 1000
              alerts: [no-such-pipeline]
              colour: blue
            """);

        assertThatThrownBy(() -> DaemonConfig.parse(yaml, "sluice.yaml", dir))
            .isInstanceOfSatisfying(DaemonConfigException.class, ex -> assertThat(ex.errors())
                .anyMatch(e -> e.startsWith("dashboard.host: '0.0.0.0' is not a loopback address: a remote dashboard requires users"))
                .anyMatch(e -> e.startsWith("dashboard.host: '0.0.0.0' is not a loopback address: a remote dashboard requires tls"))
                .anyMatch(e -> e.startsWith("dashboard.refresh: must be between 100ms and 60s"))
                .anyMatch(e -> e.startsWith("dashboard.keys_per_partition: must be a power of two"))
                .anyMatch(e -> e.startsWith("dashboard.alerts: no pipeline 'no-such-pipeline'"))
                .anyMatch(e -> e.startsWith("dashboard.colour: unknown key")));
    }

    @Test
    void shouldMaskSecretsInTheConfigurationItShows() throws Exception
    {
        Files.writeString(dir.resolve("trades.csv"), DaemonProcessTest.TRADES);
        final DaemonConfig config = DaemonConfig.parse(DaemonProcessTest.config(true, "") +
            "# sink_password: hunter2 (a comment)\n", "sluice.yaml", dir);

        assertThat(config.maskedText()).contains("data_dir").doesNotContain("hunter2");
    }
}
