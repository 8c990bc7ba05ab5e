package io.sluice.ops.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.ops.SluiceMain;

/**
 * Settings that used to pass {@code run --check} and then crash, hang, expose or delete something are
 * refused at load time, each with its key and reason, and {@code run --check} exits 2 on them.
 */
class DaemonConfigSafetyTest
{
    @TempDir
    Path dir;

    private List<String> errors(final String yaml)
    {
        try
        {
            DaemonConfig.parse(yaml, "sluice.yaml", dir);
        }
        catch (final DaemonConfigException ex)
        {
            return ex.errors();
        }
        throw new AssertionError("configuration accepted:\n" + yaml);
    }

    private String check(final String yaml, final int expectedExit) throws Exception
    {
        final Path file = dir.resolve("check.yaml");
        Files.writeString(file, yaml);
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = SluiceMain.execute(new PrintWriter(out, true), new PrintWriter(err, true), "run", "--config", file.toString(), "--check");
        assertThat(code).as(out + "\n" + err).isEqualTo(expectedExit);
        return err.toString();
    }

    @Test
    void shouldRefuseARingSizeWhoseRingBlockWouldOverflow() throws Exception
    {
        final String yaml = DaemonProcessTest.config(false, "ring_size: 8388608\n");
        assertThat(errors(yaml)).containsExactly("ring_size: must be in [2, 4194304], was 8388608 (line 38, column 12)");
        assertThat(check(yaml, 2)).contains("ring_size: must be in [2, 4194304], was 8388608");
    }

    @Test
    void shouldRefuseAnEmptyDataDirectory() throws Exception
    {
        final String yaml = DaemonProcessTest.config(false, "").replace("data_dir: data", "data_dir: \"\"");
        assertThat(errors(yaml)).containsExactly("data_dir: must not be empty: write a path (line 1, column 11)");
        assertThat(check(yaml, 2)).contains("data_dir: must not be empty");
    }

    @Test
    void shouldRefuseAnAccessFileOthersCanWrite() throws Exception
    {
        final Path passwords = dir.resolve("jmx.password");
        Files.writeString(passwords, "admin secret\n");
        Files.setPosixFilePermissions(passwords, PosixFilePermissions.fromString("rw-------"));
        final Path access = dir.resolve("jmx.access");
        Files.writeString(access, "admin readwrite\n");
        Files.setPosixFilePermissions(access, PosixFilePermissions.fromString("rw-rw-rw-"));
        final String yaml = DaemonProcessTest.config(false, """
            jmx:
              password_file: jmx.password
              access_file: jmx.access
            """);

        assertThat(errors(yaml)).containsExactly("jmx.access_file: " + access + " must be readable by its owner only (chmod 600 " + access + ") (line 40, column 16)");
        Files.setPosixFilePermissions(access, PosixFilePermissions.fromString("rw-------"));
        DaemonConfig.parse(yaml, "sluice.yaml", dir);
    }

    @Test
    void shouldRefuseAPrometheusEndpointBeyondLoopback()
    {
        final String yaml = DaemonProcessTest.config(false, "").replace("  enabled: true\n  port: 0", "  enabled: true\n  port: 0\n  host: 0.0.0.0");
        assertThat(yaml).contains("host: 0.0.0.0");
        assertThat(errors(yaml)).singleElement().asString()
            .startsWith("prometheus.host: '0.0.0.0' is not a loopback address: the Prometheus endpoint has no authentication");
    }

    @Test
    void shouldRefuseWindowsThatPutAnEventInTooManyWindows() throws Exception
    {
        final String yaml = DaemonProcessTest.config(false, "").replace("kind: tumbling\n      size: 2s",
            "kind: sliding\n      size: 3650d\n      hop: 1ms");
        assertThat(yaml).contains("hop: 1ms");
        assertThat(errors(yaml)).singleElement().asString()
            .startsWith("pipelines[0].window.hop: pipeline 'vol': size 3650d / hop 1ms puts every event in 315360000000 windows, " +
                "more than the limit of 10000");
        assertThat(check(yaml, 2)).contains("315360000000 windows");
    }

    @Test
    void shouldCutHugeValuesAndEscapeNulBytesInErrors() throws Exception
    {
        final String huge = "9".repeat(100_000);
        final String yaml = DaemonProcessTest.config(false, "ring_size: \"" + huge + "\"\nwait_strategy_x: \"a\\0b\\x1bc\"\n")
            .replace("wait_strategy: sleep", "wait_strategy: \"nap\\0" + "z".repeat(500) + "\"");

        final List<String> errors = errors(yaml);
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("ring_size: the value is 100000 characters, more than the limit of 65536")
            .hasSizeLessThan(200));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("wait_strategy: 'nap\\0zzz").contains("... (504 bytes)' is not one of"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("wait_strategy_x: unknown key"));
        assertThat(String.join("\n", errors)).doesNotContain("\0").doesNotContain("\u001b").hasSizeLessThan(2_000);

        final Path big = dir.resolve("big.yaml");
        Files.writeString(big, "# " + "x".repeat(2 * 1024 * 1024) + "\n");
        assertThat(check(Files.readString(big), 2)).contains("more than the limit of 1048576");
    }

    @Test
    void shouldRefuseAnAeronDirectorySluiceDoesNotOwnAndDeleteNothing() throws Exception
    {
        final Path victim = Files.createDirectories(dir.resolve("victim"));
        final Path precious = Files.writeString(victim.resolve("thesis.tex"), "years of work\n");
        final Path journal = Files.createDirectories(dir.resolve("data/journal"));
        final Path segment = Files.writeString(journal.resolve("keep.log"), "acknowledged\n");

        final List<String> errors = errors(DaemonProcessTest.config(false, """
            ingress:
              - type: aeron
                aeron_dir: victim
              - type: aeron
                aeron_dir: data/journal
                stream_id: 7
            egress:
              - type: aeron
                aeron_dir: data
            """));

        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("ingress[0].aeron_dir: " + victim +
            " is not empty and is not a media driver directory Sluice created (it holds 'thesis.tex')"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("ingress[1].aeron_dir: " + journal + " is inside the data directory"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("egress[0].aeron_dir: " + dir.resolve("data") +
            " is or contains the data directory"));
        assertThat(precious).hasContent("years of work");
        assertThat(segment).hasContent("acknowledged");

        // Aeron's own files without Sluice's marker are not proof either; with the marker they are.
        final Path stale = Files.createDirectories(dir.resolve("stale"));
        Files.write(stale.resolve("cnc.dat"), new byte[64]);
        final String staleYaml = DaemonProcessTest.config(false, "ingress:\n  - type: aeron\n    aeron_dir: stale\n");
        assertThat(errors(staleYaml)).singleElement().asString().contains("holds Aeron files but no sluice-aeron.marker");
        Files.writeString(stale.resolve("sluice-aeron.marker"), "x");
        DaemonConfig.parse(staleYaml, "sluice.yaml", dir);
    }
}
