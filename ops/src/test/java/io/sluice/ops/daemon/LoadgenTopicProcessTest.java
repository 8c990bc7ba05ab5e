package io.sluice.ops.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.ops.CliResult;
import io.sluice.ops.cli.ExitCodes;
import io.sluice.ops.jmx.JmxClient;

/**
 * {@code sluice loadgen --config F --topic T} against a real daemon: open-loop load on the daemon's own
 * topic and schema (SYMBOL key, DECIMAL, TEXT, BOOLEAN, LONG, TIMESTAMP fields) with generated values
 * per field spec, every event acknowledged and counted by the daemon, the latency report written, the
 * journal decoding the generated decimals and texts; bad specs and unknown topics are one-line errors.
 */
class LoadgenTopicProcessTest
{
    @TempDir
    Path dir;

    @Test
    void shouldLoadADaemonsOwnTopicWithGeneratedValues() throws Exception
    {
        final String channel = "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort();
        final Path configFile = dir.resolve("sluice.yaml");
        Files.writeString(configFile, """
            data_dir: data
            partitions: 2
            wait_strategy: sleep
            checkpoint:
              interval: 0
            schemas:
              order:
                sym: SYMBOL(8)
                px: DECIMAL(12, 2)
                note: TEXT(8)
                urgent: BOOLEAN
                qty: LONG
                ts: TIMESTAMP
            pipelines:
              - name: flow
                source: orders
                schema: order
                partition_key: sym
                event_time: ts
                window:
                  kind: tumbling
                  size: 1s
                aggregates:
                  - n: count
                  - notional: sum(px)
                sink: flow-out
            sinks:
              flow-out: {type: csv, path: flow.csv}
            ingress:
              - type: aeron
                channel: %s
            """.formatted(channel));
        final Path data = dir.resolve("data");
        final Path report = dir.resolve("report");

        try (DaemonProcess daemon = DaemonProcess.start(configFile, data, dir.resolve("daemon.log")))
        {
            final MarkFile.Info info = daemon.awaitRunning();
            final CliResult run = CliResult.run("loadgen", "--config", configFile.toString(), "--topic", "orders", "--target", "aeron",
                "--rate", "1000", "--duration", "2", "--warm-up", "0", "--keys", "20", "--field", "px=0.01..99.99",
                "--field", "note=a|bé|c", "--field", "urgent=0.25", "--field", "qty=1..10", "--out", report.toString());
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.OK);
            assertThat(run.out()).contains("topic orders of").contains("field px", "DECIMAL(12, 2)", "uniform in 0.01..99.99")
                .contains("latency: from each event's SCHEDULED send time to its JOURNALED acknowledgement");
            final Matcher acks = Pattern.compile("([\\d,]+) acknowledged JOURNALED of ([\\d,]+) sent").matcher(run.out());
            assertThat(acks.find()).as(run.out()).isTrue();
            assertThat(acks.group(1)).isEqualTo(acks.group(2)).isEqualTo("2,000");
            assertThat(report.resolve("latency.hlog")).exists();

            try (JmxClient client = JmxClient.connect(info.jmxHost(), info.jmxPort(), null, null, false))
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                long events = 0;
                while (events != 2_000 && System.nanoTime() < deadline)
                {
                    events = client.partition("orders", 0).getEventsIn() + client.partition("orders", 1).getEventsIn();
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000_000); // poll interval of a wait with a deadline
                }
                assertThat(events).as("events the daemon received").isEqualTo(2_000);
            }

            final CliResult badSpec = CliResult.run("loadgen", "--config", configFile.toString(), "--topic", "orders", "--target", "aeron",
                "--field", "px=0.001..1");
            assertThat(badSpec.exitCode()).isEqualTo(ExitCodes.USAGE);
            assertThat(badSpec.err()).contains("--field px=0.001..1 (DECIMAL(12, 2)): '0.001' has more than the 2 decimal places");
            assertThat(badSpec.err().strip().lines()).hasSize(1);
            final CliResult unknown = CliResult.run("loadgen", "--config", configFile.toString(), "--topic", "trades", "--target", "aeron");
            assertThat(unknown.exitCode()).isEqualTo(ExitCodes.USAGE);
            assertThat(unknown.err()).contains("topic 'trades' is not read by any pipeline").contains("its topics: orders");
            final CliResult ackEmbedded = CliResult.run("loadgen", "--config", configFile.toString(), "--topic", "orders", "--ack", "durable");
            assertThat(ackEmbedded.exitCode()).isEqualTo(ExitCodes.USAGE);
            assertThat(ackEmbedded.err()).contains("--ack measures a daemon's acknowledgements: it needs --target aeron");

            assertThat(daemon.terminate()).as(daemon.log()).isZero();
        }

        final CliResult dump = CliResult.run("journal", "dump", "-d", data.resolve("journal").toString(), "-t", "orders",
            "--config", configFile.toString(), "--format", "csv");
        assertThat(dump.exitCode()).as(dump.toString()).isZero();
        assertThat(dump.out().lines().findFirst()).hasValue("partition,offset,timestamp,key,sym,px,note,urgent,qty,ts");
        assertThat(dump.out().lines().skip(1)).hasSize(2_000).allMatch(line ->
            line.matches("\\d,\\d+,\\d+,-?\\d+,K\\d{1,2},\\d{1,2}\\.\\d\\d,(a|bé|c),(true|false),\\d{1,2},17040672\\d+"), "decoded");
    }

    private static int freeUdpPort() throws java.io.IOException
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }
}
