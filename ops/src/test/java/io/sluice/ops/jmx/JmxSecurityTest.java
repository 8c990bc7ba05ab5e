package io.sluice.ops.jmx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import javax.management.ObjectName;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.ops.daemon.DaemonTestSupport;
import io.sluice.ops.daemon.MarkFile;

/**
 * A real daemon process with JMX authentication and roles: no credentials, a wrong password and a
 * read-only user invoking an operation or creating an MBean are all refused; the control user may
 * invoke operations.
 */
class JmxSecurityTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRefuseUnauthenticatedAndReadOnlyAccessAndAllowTheControlRole() throws Exception
    {
        final Path passwords = dir.resolve("jmx.password");
        Files.writeString(passwords, "reader r3ad\noperator 0p3r\n");
        Files.setPosixFilePermissions(passwords, PosixFilePermissions.fromString("rw-------"));
        final Path access = dir.resolve("jmx.access");
        Files.writeString(access, "reader readonly\noperator readwrite\n");
        Files.setPosixFilePermissions(access, PosixFilePermissions.fromString("rw-------"));
        final String jmx = """
            jmx:
              password_file: jmx.password
              access_file: jmx.access
            """;
        try (DaemonTestSupport.Running daemon = DaemonTestSupport.start(dir, jmx))
        {
            final MarkFile.Info info = daemon.info();
            final String host = info.jmxHost();
            final int port = info.jmxPort();

            assertThatThrownBy(() -> JmxClient.connect(host, port, null, null, false).close())
                .isInstanceOf(SecurityException.class);
            assertThatThrownBy(() -> JmxClient.connect(host, port, "reader", "wrong", false).close())
                .isInstanceOf(SecurityException.class);

            try (JmxClient reader = JmxClient.connect(host, port, "reader", "r3ad", false))
            {
                assertThat(reader.engine().getState()).isEqualTo("RUNNING");
                assertThat(reader.pipeline("vol").getOutputs()).isGreaterThanOrEqualTo(0);
                assertThatThrownBy(() -> reader.engine().checkpointNow()).isInstanceOf(SecurityException.class);
                assertThatThrownBy(() -> reader.engine().pause("vol")).isInstanceOf(SecurityException.class);
                assertThatThrownBy(() -> reader.connection().createMBean("javax.management.timer.Timer", new ObjectName("evil:type=Timer")))
                    .isInstanceOf(SecurityException.class);
            }
            try (JmxClient operator = JmxClient.connect(host, port, "operator", "0p3r", false))
            {
                operator.engine().pause("vol");
                assertThat(operator.pipeline("vol").isPaused()).isTrue();
                operator.engine().resume("vol");
                assertThat(operator.engine().checkpointNow()).contains("complete");
            }
            assertThat(daemon.process().terminate()).isZero();
        }
    }
}
