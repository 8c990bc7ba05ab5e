package io.sluice.ops.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.ops.SluiceMain;
import io.sluice.ops.jmx.JmxClient;

/**
 * A live daemon writes SYMBOL keys of window results as their names, byte for byte as {@code sluice
 * replay} writes them for the same input, across a SIGKILL: the names of keys whose events all came
 * before the crash (their windows fire only after the restart) are read back from the key names
 * file forced at the checkpoint.
 */
class SymbolKeyNamesProcessTest
{
    private static final String PIPELINES = DaemonYaml.pipelinesOnly().schema("trade", "sym: SYMBOL(8)", "qty: LONG", "ts: TIMESTAMP")
        .volume("2s", "vol-out").build();


    /** Before the crash: IBM is only here, in a window still open at the checkpoint. */
    private static final String BEFORE = """
        sym,qty,ts
        AAPL,3,1000
        MSFT,1,1500
        AAPL,2,2500
        IBM,4,3100
        MSFT,1,3500
        """;

    /** After the restart: MSFT again, ORCL new; the end of input fires every open window. */
    private static final String AFTER = """
        sym,qty,ts
        MSFT,5,4200
        ORCL,7,5000
        AAPL,1,9000
        """;

    @TempDir
    Path dir;

    @Test
    void shouldWriteSymbolKeysAsNamesIdenticallyToReplayAcrossSigkill() throws Exception
    {
        final List<String> expected = replayed(dir);
        assertThat(expected).contains("IBM,2000,4000,1,4", "ORCL,4000,6000,1,7");
        final Path replayed = dir.resolve("replayed.csv");
        runKilledAndRestarted(dir, (input, endOfInput) -> config("pipelines: pipelines.yaml", input, endOfInput));
        assertThat(Files.readString(dir.resolve("vol.csv"), StandardCharsets.UTF_8))
            .isEqualTo(Files.readString(replayed, StandardCharsets.UTF_8));
    }

    /**
     * Writes the inputs and replays them with {@code sluice replay} through the YAML twin of the
     * pipeline; the lines it wrote.
     */
    static List<String> replayed(final Path dir) throws Exception
    {
        Files.writeString(dir.resolve("pipelines.yaml"), PIPELINES);
        Files.writeString(dir.resolve("before.csv"), BEFORE);
        Files.writeString(dir.resolve("after.csv"), AFTER);
        final Path replayed = dir.resolve("replayed.csv");
        sluice("replay", "--pipeline", dir.resolve("pipelines.yaml").toString(),
            "--input", dir.resolve("before.csv").toString(), "--input", dir.resolve("after.csv").toString(), "--output", replayed.toString());
        return Files.readAllLines(replayed, StandardCharsets.UTF_8);
    }

    /**
     * A daemon takes BEFORE, checkpoints, is killed with SIGKILL, restarts and takes AFTER to the end of
     * input; returns once its vol.csv has as many lines as the replay's.
     */
    static void runKilledAndRestarted(final Path dir, final java.util.function.BiFunction<String, Boolean, String> config) throws Exception
    {
        final int lines = Files.readAllLines(dir.resolve("replayed.csv"), StandardCharsets.UTF_8).size();
        final Path configFile = dir.resolve("sluice.yaml");
        final Path data = dir.resolve("data");
        Files.writeString(configFile, config.apply("before.csv", false));
        try (DaemonProcess daemon = DaemonProcess.start(configFile, data, dir.resolve("run1.log")))
        {
            final MarkFile.Info info = daemon.awaitRunning();
            try (JmxClient client = JmxClient.connect(info.jmxHost(), info.jmxPort(), null, null, false))
            {
                awaitEventsIn(client, 5);
            }
            assertThat(sluice("ctl", "checkpoint", "--dir", data.toString())).contains("complete");
            daemon.process.destroyForcibly(); // SIGKILL: no final checkpoint, no last cut
            assertThat(daemon.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(Files.readString(data.resolve("keys").resolve("trades-0.keys"), StandardCharsets.ISO_8859_1)).contains("IBM");

        Files.writeString(configFile, config.apply("after.csv", true));
        try (DaemonProcess daemon = DaemonProcess.start(configFile, data, dir.resolve("run2.log")))
        {
            daemon.awaitRunning();
            awaitLines(data, dir.resolve("vol.csv"), lines);
            assertThat(daemon.terminate()).as(daemon.log()).isZero();
        }
    }

    static String config(final String pipelines, final String input, final boolean endOfInput)
    {
        return DaemonYaml.daemon("data", 1).onDemandCheckpoints().sink("vol-out", "{type: csv, path: vol.csv}").raw(pipelines)
            .raw("""
                ingress:
                  - type: file
                    topic: trades
                    path: %s
                    end_of_input: %s
                """.formatted(input, endOfInput)).build();
    }

    static void awaitEventsIn(final JmxClient client, final long events) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long seen = 0;
        while (System.nanoTime() < deadline)
        {
            seen = client.partition("trades", 0).getEventsIn();
            if (seen == events)
            {
                return;
            }
            LockSupport.parkNanos(50_000_000); // poll interval of a wait with a deadline
        }
        throw new AssertionError("saw " + seen + " events, expected " + events);
    }

    /**
     * Checkpoints (each cut flushes the sink) until the output has the expected number of lines.
     */
    static void awaitLines(final Path data, final Path output, final int lines) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int seen = 0;
        while (System.nanoTime() < deadline)
        {
            sluice("ctl", "checkpoint", "--dir", data.toString());
            seen = Files.readAllLines(output, StandardCharsets.UTF_8).size();
            if (seen >= lines)
            {
                return;
            }
            LockSupport.parkNanos(100_000_000); // poll interval of a wait with a deadline
        }
        throw new AssertionError("output has " + seen + " lines, expected " + lines);
    }

    static String sluice(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = SluiceMain.execute(new PrintWriter(out), new PrintWriter(err, true), args);
        assertThat(code).as(err.toString()).isZero();
        return out.toString();
    }
}
