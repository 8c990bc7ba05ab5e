package io.sluice.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;
import io.sluice.ops.cli.ExitCodes;
import io.sluice.ops.CliResult;
import io.sluice.ops.SluiceMain;

/**
 * {@code sluice loadgen --target aeron} against a real {@code sluice run} process started from the
 * configuration {@code sluice loadgen --print-config} writes: every event is acknowledged JOURNALED
 * and read back from the daemon's output journal over egress, the injected patterns are detected
 * (for the card scenario: by the three YAML card detectors), and the reports are written. No timed assertions: the deadlines only bound a hung run.
 */
class LoadgenAeronProcessTest
{
    private static final Pattern AERON_LINE =
        Pattern.compile("aeron +([\\d,]+) acknowledged JOURNALED of ([\\d,]+) sent, ([\\d,]+) read back");

    @TempDir
    Path dir;

    /**
     * The ticks desk (one spike in 10,000 ticks), and the card desk: the three card detectors of the
     * YAML file the demo runs, one pattern of each kind in 150,000 transactions (seed 42).
     */
    @ParameterizedTest
    @CsvSource({
        "ticks, 5000, 2, '10,000', price-spike        detected   1 of   1 injected, missed   0, false alerts   0",
        "card, 10000, 15, '150,000', all                detected   3 of   3 injected, missed   0, false alerts   0",
    })
    void shouldDriveADaemonOverAeronWithEveryEventAcknowledgedAndReadBack(
        final String scenario, final String rate, final String duration, final String events, final String detected) throws Exception
    {
        final String channel = "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort();
        final Path data = dir.resolve("data");
        final String[] common = {"loadgen", "--scenario", scenario, "--target", "aeron", "--channel", channel,
            "--daemon-dir", data.toString(), "--rate", rate, "--duration", duration, "--warm-up", "0"};

        final CliResult config = CliResult.run(concat(common, "--print-config"));
        assertThat(config.exitCode()).as(config.toString()).isEqualTo(ExitCodes.OK);
        final Path configFile = dir.resolve("sluice.yaml");
        Files.writeString(configFile, config.out());

        final Path log = dir.resolve("daemon.log");
        final Process daemon = startDaemon(configFile, log);
        try
        {
            awaitLog(daemon, log, "started aeron-egress");
            final Path out = dir.resolve("report");

            final CliResult run = CliResult.run(concat(common, "--out", out.toString()));

            assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.OK);
            assertThat(run.out()).contains("Summary", "all processed", "p99.9");
            final Matcher aeron = AERON_LINE.matcher(run.out());
            assertThat(aeron.find()).as(run.out()).isTrue();
            assertThat(aeron.group(1)).isEqualTo(events).isEqualTo(aeron.group(2)).isEqualTo(aeron.group(3));
            assertThat(run.out()).contains(detected);
            if (scenario.equals("card"))
            {
                assertThat(run.out()).contains("card-velocity      detected   1 of   1", "amount-vs-norm     detected   1 of   1",
                    "impossible-travel  detected   1 of   1");
            }
            assertThat(out.resolve("latency.hlog")).isNotEmptyFile();
            assertThat(out.resolve("latency.hgrm")).isNotEmptyFile();
            assertThat(out.resolve("rates.csv")).isNotEmptyFile();
            assertThat(out.resolve("latency-percentiles.png")).isNotEmptyFile();

            daemon.destroy();
            assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).as(read(log)).isTrue();
            assertThat(daemon.exitValue()).as(read(log)).isZero();
        }
        finally
        {
            if (daemon.isAlive())
            {
                daemon.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static String[] concat(final String[] first, final String... rest)
    {
        final String[] all = Arrays.copyOf(first, first.length + rest.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }

    /** A {@code sluice run} process with the parent pom's JVM flags and the test class path. */
    private static Process startDaemon(final Path config, final Path log) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(System.getProperty("sluice.jvm.flags", "").trim().split("\\s+")));
        command.add("-Xmx256m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        final String surefire = System.getProperty("surefire.test.class.path");
        command.add(surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path"));
        command.addAll(List.of("io.sluice.ops.SluiceMain", "run", "--config", config.toString()));
        command.removeIf(String::isEmpty);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void awaitLog(final Process daemon, final Path log, final String line) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!read(log).contains(line))
        {
            assertThat(daemon.isAlive()).as("daemon exited:\n" + read(log)).isTrue();
            assertThat(System.nanoTime() - deadline).as("daemon did not start within 60 s:\n" + read(log)).isNegative();
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000); // poll interval of a wait with a deadline
        }
    }

    private static String read(final Path log) throws IOException
    {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    private static int freeUdpPort() throws IOException
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }
}
