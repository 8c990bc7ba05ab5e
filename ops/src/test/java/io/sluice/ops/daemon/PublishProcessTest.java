package io.sluice.ops.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.ops.CliResult;
import io.sluice.ops.cli.ExitCodes;
import io.sluice.ops.jmx.JmxClient;

/**
 * {@code sluice publish} against a real {@code sluice run} process with an Aeron ingress: every event
 * of a CSV and a JSONL file is acknowledged (JOURNALED, then DURABLE) and counted by the daemon, a
 * malformed line is reported with its line number and fails the run, and an unknown topic or a config
 * without an Aeron ingress is a one-line usage error. Deadlines only bound a hung run.
 */
class PublishProcessTest
{
    @TempDir
    Path dir;

    @Test
    void shouldPublishFilesWithAcknowledgementsAndReportRejectedLines() throws Exception
    {
        final String channel = "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort();
        final String config = DaemonProcessTest.config(false, """
            ingress:
              - type: aeron
                channel: %s
            """.formatted(channel)).replace("path: vol.csv", "path: out/new/vol.csv"); // a sink's missing directories are created
        final Path configFile = dir.resolve("sluice.yaml");
        Files.writeString(configFile, config);
        final Path csv = dir.resolve("trades.csv");
        Files.writeString(csv, DaemonProcessTest.TRADES);
        final Path jsonl = dir.resolve("more.jsonl");
        Files.writeString(jsonl, """
            {"sym": 4, "px": 1.5, "qty": 9, "ts": 9500}
            {"sym": 4, "px": "not a number", "qty": 1, "ts": 9600}
            {"sym": 5, "px": 2.5, "qty": 2, "ts": 9700}
            """);
        final Path data = dir.resolve("data");

        try (DaemonProcess daemon = DaemonProcess.start(configFile, data, dir.resolve("daemon.log")))
        {
            final MarkFile.Info info = daemon.awaitRunning();
            assertThat(dir.resolve("out/new/vol.csv")).exists();
            assertThat(Files.getPosixFilePermissions(dir.resolve("out"))).isEqualTo(PosixFilePermissions.fromString("rwx------"));
            assertThat(Files.getPosixFilePermissions(dir.resolve("out/new"))).isEqualTo(PosixFilePermissions.fromString("rwx------"));

            final CliResult journaled = CliResult.run("publish", "--config", configFile.toString(), "--topic", "trades", csv.toString());
            assertThat(journaled.exitCode()).as(journaled + daemon.log()).isEqualTo(ExitCodes.OK);
            assertThat(journaled.out()).contains(csv + " -> trades: sent 6, acknowledged JOURNALED 6, rejected 0");

            final CliResult durable = CliResult.run("publish", "-c", configFile.toString(), "-t", "trades", "--ack", "DURABLE", jsonl.toString());
            assertThat(durable.exitCode()).as(durable.toString()).isEqualTo(ExitCodes.FAILURE);
            assertThat(durable.out()).contains(jsonl + " -> trades: sent 2, acknowledged DURABLE 2, rejected 1")
                .contains("1 malformed line(s) skipped").contains("line 2");

            try (JmxClient client = JmxClient.connect(info.jmxHost(), info.jmxPort(), null, null, false))
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                long events = 0;
                while (events != 8 && System.nanoTime() < deadline)
                {
                    events = client.partition("trades", 0).getEventsIn() + client.partition("trades", 1).getEventsIn();
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000_000); // poll interval of a wait with a deadline
                }
                assertThat(events).as("events the daemon received").isEqualTo(8);
            }

            final CliResult unknown = CliResult.run("publish", "--config", configFile.toString(), "--topic", "orders", csv.toString());
            assertThat(unknown.exitCode()).isEqualTo(ExitCodes.USAGE);
            assertThat(unknown.err()).contains("topic 'orders' is not read by any pipeline").contains("its topics: trades");
            assertThat(unknown.err().lines()).hasSize(1);

            // A configuration that names a topic the running daemon does not have: the daemon refuses, one line naming it.
            final Path other = dir.resolve("other.yaml");
            Files.writeString(other, config.replace("source: trades", "source: quotes"));
            final CliResult refused = CliResult.run("publish", "--config", other.toString(), "--topic", "quotes", "--timeout", "20",
                csv.toString());
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(ExitCodes.FAILURE);
            assertThat(refused.err()).contains("cannot publish to quotes").contains("for topic 'quotes'").contains("UNKNOWN_TOPIC")
                .contains("no topic 'quotes' on this daemon (its topics: trades)");

            // The load generator's scenario against a daemon configured otherwise: one line naming the topic.
            final CliResult loadgen = CliResult.run("loadgen", "--scenario", "ticks", "--target", "aeron", "--channel", channel,
                "--daemon-dir", data.toString(), "--rate", "10000", "--duration", "1", "--warm-up", "0", "--out", dir.resolve("report").toString());
            assertThat(loadgen.exitCode()).as(loadgen.toString()).isEqualTo(ExitCodes.FAILURE);
            assertThat(loadgen.err()).contains("cannot take the ticks scenario").contains("for topic '").contains("UNKNOWN_TOPIC")
                .contains("(its topics: trades)").doesNotContain("\tat ");
            assertThat(loadgen.err().strip().lines()).hasSize(1);

            assertThat(daemon.terminate()).as(daemon.log()).isZero();
        }

        // The daemon's journal decoded with the topic's schema from the same configuration.
        final String journal = data.resolve("journal").toString();
        final CliResult csvDump = CliResult.run("journal", "dump", "-d", journal, "-t", "trades", "--config", configFile.toString(),
            "--format", "csv");
        assertThat(csvDump.exitCode()).as(csvDump.toString()).isZero();
        assertThat(csvDump.out().lines().findFirst()).hasValue("partition,offset,timestamp,key,sym,px,qty,ts");
        assertThat(csvDump.out().lines().skip(1).map(l -> String.join(",", java.util.Arrays.asList(l.split(",")).subList(4, 8))))
            .as("the events' fields, after partition, offset, timestamp and key")
            .containsExactlyInAnyOrder("1,10.5,3,1000", "2,11.0,1,1500", "1,10.7,2,2500", "2,11.2,4,3100", "1,10.9,1,4200",
                "3,9.0,7,9000", "4,1.5,9,9500", "5,2.5,2,9700");
        final CliResult jsonDump = CliResult.run("journal", "dump", "-d", journal, "-t", "trades", "--config", configFile.toString(),
            "--format", "jsonl", "-p", "0");
        assertThat(jsonDump.exitCode()).as(jsonDump.toString()).isZero();
        assertThat(jsonDump.out().lines()).isNotEmpty().allMatch(l -> l.startsWith("{\"partition\":0,\"offset\":") &&
            l.contains(",\"sym\":") && l.endsWith("}"));
        final CliResult table = CliResult.run("journal", "dump", "-d", journal, "-t", "trades", "--config", configFile.toString());
        assertThat(table.exitCode()).as(table.toString()).isZero();
        assertThat(table.out().lines().findFirst().orElseThrow()).contains("PARTITION", "OFFSET", "SYM", "PX", "QTY", "TS");
        assertThat(table.out()).contains("10.5");
        // The table is for people: the record's timestamp and TIMESTAMP fields as ISO-8601 instants (CSV above keeps epoch ms).
        assertThat(table.out().lines().skip(1)).isNotEmpty()
            .allMatch(l -> l.matches(".*\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{3})?Z.*\\d{4}-\\d\\d-\\d\\dT.*Z\\s*$"), "ISO");

        Files.writeString(configFile, DaemonProcessTest.config(false, ""));
        final CliResult noIngress = CliResult.run("publish", "--config", configFile.toString(), "--topic", "trades", csv.toString());
        assertThat(noIngress.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(noIngress.err()).contains("has no 'type: aeron' ingress");
    }

    private static int freeUdpPort() throws java.io.IOException
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }
}
