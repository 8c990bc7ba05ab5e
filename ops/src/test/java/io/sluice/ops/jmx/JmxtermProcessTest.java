package io.sluice.ops.jmx;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.ops.daemon.DaemonTestSupport;
import io.sluice.ops.daemon.MarkFile;

/**
 * jmxterm 1.0.4 from Maven Central (copied to {@code target/jmxterm/jmxterm.jar} by the build at
 * process-test-resources) as an outside client, in its own JVM and without project classes, against
 * a real daemon process with authentication: it reads attributes of the documented ObjectNames and
 * invokes {@code checkpointNow} as the control user; the read-only user reads but cannot invoke.
 */
class JmxtermProcessTest
{
    private static final Path JMXTERM = Path.of("target", "jmxterm", "jmxterm.jar");

    @TempDir
    Path dir;

    @Test
    void shouldReadAttributesAndInvokeCheckpointFromJmxtermAndRefuseTheReadOnlyUser() throws Exception
    {
        assertThat(JMXTERM).as("jmxterm.jar is copied by the build (mvn ... process-test-resources)").exists();
        final Path passwords = dir.resolve("jmx.password");
        Files.writeString(passwords, "reader r3ad\noperator 0p3r\n");
        Files.setPosixFilePermissions(passwords, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(dir.resolve("jmx.access"), "reader readonly\noperator readwrite\n");
        Files.setPosixFilePermissions(dir.resolve("jmx.access"), PosixFilePermissions.fromString("rw-------"));
        final String jmx = """
            jmx:
              password_file: jmx.password
              access_file: jmx.access
            """;
        try (DaemonTestSupport.Running daemon = DaemonTestSupport.start(dir, jmx))
        {
            final MarkFile.Info info = daemon.info();
            final String url = info.jmxHost() + ":" + info.jmxPort();

            final String read = jmxterm(url, "operator", "0p3r", List.of(
                "get -s -b io.sluice:type=Engine State",
                "get -s -b io.sluice:type=Engine Pipelines",
                "get -s -b io.sluice:type=Pipeline,name=big Outputs",
                "get -s -b io.sluice:type=Partition,topic=trades,partition=0 EventsIn",
                "run -b io.sluice:type=Engine checkpointNow",
                "get -s -b io.sluice:type=Engine LastCheckpointId"));
            assertThat(read).contains("RUNNING").contains("vol").contains("big").contains("checkpoint ").contains("complete");

            final String reader = jmxterm(url, "reader", "r3ad", List.of(
                "get -s -b io.sluice:type=Engine State",
                "run -b io.sluice:type=Engine checkpointNow"));
            assertThat(reader).contains("RUNNING").contains("SecurityException").doesNotContain("complete");

            final String wrong = jmxterm(url, "reader", "wrong", List.of("get -s -b io.sluice:type=Engine State"));
            assertThat(wrong).doesNotContain("RUNNING").containsIgnoringCase("authentication");

            assertThat(daemon.process().terminate()).isZero();
        }
    }

    /**
     * Runs jmxterm non-interactively with commands on its standard input.
     *
     * @return standard output and error together.
     */
    private String jmxterm(final String url, final String user, final String password, final List<String> commands) throws Exception
    {
        final Path input = Files.createTempFile(dir, "jmxterm", ".in");
        Files.writeString(input, String.join("\n", commands) + "\nquit\n", StandardCharsets.UTF_8);
        final Path output = Files.createTempFile(dir, "jmxterm", ".out");
        final Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx64m", "-XX:TieredStopAtLevel=1", "-jar", JMXTERM.toAbsolutePath().toString(),
            "-l", url, "-u", user, "-p", password, "-n", "-v", "brief")
            .redirectErrorStream(true).redirectInput(input.toFile()).redirectOutput(output.toFile()).start();
        if (!process.waitFor(180, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("jmxterm did not finish:\n" + Files.readString(output));
        }
        return Files.readString(output, StandardCharsets.UTF_8);
    }
}
