package io.sluice.ops.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.sluice.client.ClientAeron;
import io.sluice.client.ClientContext;
import io.sluice.client.SluiceProducer;
import io.sluice.client.wire.Durability;
import io.sluice.ops.jmx.JmxClient;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * A {@code sluice run} process whose Aeron ingress uses a media driver of another process
 * ({@code embedded_media_driver: false}); the test kills that driver with SIGKILL. The daemon's Aeron
 * client dies (the driver's heartbeat stops), the daemon says so (JMX, {@code sluice ctl status},
 * the error log) and keeps running; once a new driver runs in the same directory the daemon reconnects
 * by itself and a new producer is acknowledged JOURNALED, every event acknowledged before the loss
 * still there.
 */
@Timeout(600)
class DaemonAeronClientLossProcessTest
{
    private static final int EVENTS = 200;
    /** How long a step may take on a busy machine before the test fails: a bound for a hang, never a measurement. */
    private static final long DEADLINE_MS = 120_000;
    /** The daemon's Aeron client gives up on a silent driver after this (Aeron's default is 10 s). */
    private static final long DRIVER_TIMEOUT_MS = 3_000;
    private static final Schema TRADE = Schema.builder("trade")
        .longField("account").doubleField("amount").longField("seq").timestampField("ts").build();

    @TempDir
    Path dir;

    @Test
    void shouldReportTheAeronClientDownWhenItsMediaDriverIsKilledAndServeAgainOnceADriverIsBack() throws Exception
    {
        final Path aeronDir = dir.resolve("aeron");
        final String channel = "aeron:udp?endpoint=127.0.0.1:" + DaemonAeronProcessTest.freeUdpPort();
        final Path configFile = dir.resolve("sluice.yaml");
        Files.writeString(configFile, """
            data_dir: data
            partitions: 2
            wait_strategy: sleep
            checkpoint:
              interval: 0
            schemas:
              trade: {account: LONG, amount: DOUBLE, seq: LONG, ts: TIMESTAMP}
            pipelines:
              - name: all
                source: trades
                schema: trade
                partition_key: account
                event_time: ts
                sink: all
            sinks:
              all: {type: journal}
            ingress:
              - type: aeron
                channel: %s
                aeron_dir: %s
                embedded_media_driver: false
                heartbeat_interval: 100ms
            """.formatted(channel, aeronDir));
        final Path data = dir.resolve("data");
        Process driver = startDriver(aeronDir, dir.resolve("driver1.log"));
        try (DaemonProcess daemon = DaemonProcess.start(configFile, data, dir.resolve("daemon.log"),
            List.of("-Daeron.driver.timeout=" + DRIVER_TIMEOUT_MS)))
        {
            final MarkFile.Info info = daemon.awaitRunning();
            publish(aeronDir, channel, 4201);
            try (JmxClient jmx = JmxClient.connect(info.jmxHost(), info.jmxPort(), null, null, false))
            {
                assertThat(jmx.components().getNetworkStatus()).containsExactly("ingress[0]: UP");

                driver.destroyForcibly();
                assertThat(driver.waitFor(DEADLINE_MS, TimeUnit.MILLISECONDS)).isTrue();
                await(() -> jmx.components().getNetworkStatus()[0].startsWith("ingress[0]: DOWN"), "the daemon reports its client down",
                    daemon);
                assertThat(jmx.components().getNetworkStatus())
                    .containsExactly("ingress[0]: DOWN, its Aeron client died and it is reconnecting (Aeron client lost 1 time)");
                assertThat(DaemonProcessTest.sluice("ctl", "status", "--jmx", info.jmxHost() + ":" + info.jmxPort()))
                    .contains("network ingress[0]: DOWN, its Aeron client died and it is reconnecting");
                assertThat(String.join("\n", jmx.engine().getErrorLog()))
                    .contains("network ingress ingress[0]: its Aeron client died").contains(aeronDir.toString());
                assertThat(MarkFile.read(data).state()).as("the daemon runs on").isEqualTo(MarkFile.RUNNING);

                driver = startDriver(aeronDir, dir.resolve("driver2.log"));
                await(() -> jmx.components().getNetworkStatus()[0].startsWith("ingress[0]: UP"), "the daemon reconnects", daemon);
                assertThat(jmx.components().getNetworkStatus()).containsExactly("ingress[0]: UP (Aeron client lost 1 time)");
                publish(aeronDir, channel, 4202);
                await(() -> totalEventsIn(jmx) == 2L * EVENTS, "every acknowledged event processed once", daemon);
            }
            assertThat(daemon.terminate()).as(daemon.log()).isZero();
        }
        finally
        {
            driver.destroyForcibly();
            driver.waitFor(DEADLINE_MS, TimeUnit.MILLISECONDS);
        }
    }

    private static long totalEventsIn(final JmxClient jmx) throws IOException
    {
        long total = 0;
        for (int p = 0; p < 2; p++)
        {
            total += jmx.partition("trades", p).getEventsIn();
        }
        return total;
    }

    /** A media driver of its own process on the directory, small sparse terms; waits until it is active. */
    private static Process startDriver(final Path aeronDir, final Path log) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(System.getProperty("sluice.jvm.flags", "").trim().split("\\s+")));
        command.addAll(List.of("-Xmx128m", "-XX:TieredStopAtLevel=1", "-Daeron.dir=" + aeronDir, "-Daeron.dir.delete.on.start=true",
            "-Daeron.dir.delete.on.shutdown=true", "-Daeron.threading.mode=SHARED", "-Daeron.term.buffer.sparse.file=true",
            "-Daeron.term.buffer.length=262144", "-Daeron.ipc.term.buffer.length=262144", "-cp", DaemonProcess.classPath(),
            "io.aeron.driver.MediaDriver"));
        command.removeIf(String::isEmpty);
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (!CommonContext.isDriverActive(aeronDir.toFile(), DRIVER_TIMEOUT_MS, message -> { }))
        {
            assertThat(process.isAlive()).as("the media driver runs: " + Files.readString(log)).isTrue();
            assertThat(System.currentTimeMillis()).as("the media driver starts").isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(50); // poll interval of a wait with a deadline
        }
        return process;
    }

    /** A new client and producer, {@link #EVENTS} events acknowledged JOURNALED. */
    private static void publish(final Path aeronDir, final String channel, final int responseStream)
    {
        try (Aeron aeron = ClientAeron.connect(aeronDir.toString());
            SluiceProducer producer = SluiceProducer.connect(new ClientContext().aeron(aeron).serverChannel(channel)
                .responseChannel("aeron:ipc").responseStreamId(responseStream).connectTimeoutMs(DEADLINE_MS), "trades"))
        {
            final UnsafeBuffer event = new UnsafeBuffer(new byte[TRADE.length()]);
            final EventFlyweight view = new EventFlyweight(TRADE);
            for (long seq = 1; seq <= EVENTS; seq++)
            {
                view.wrapForWrite(event, 0).putLong(0, seq % 7).putDouble(1, seq).putLong(2, seq).putLong(3, 1_000 + seq);
                final long deadline = System.currentTimeMillis() + DEADLINE_MS;
                while (producer.offer(event, 0, Durability.JOURNALED) < 0)
                {
                    producer.poll();
                    assertThat(System.currentTimeMillis()).as("offer of seq " + seq).isLessThan(deadline);
                }
            }
            assertThat(producer.awaitAcknowledged(EVENTS, Durability.JOURNALED, DEADLINE_MS)).isTrue();
            assertThat(producer.errorCount()).isZero();
        }
    }

    private static void await(final Condition condition, final String what, final DaemonProcess daemon) throws Exception
    {
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (!condition.met())
        {
            assertThat(System.currentTimeMillis()).as(what + "\n" + daemon.log()).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(50); // poll interval of a wait with a deadline
        }
    }

    @FunctionalInterface
    private interface Condition
    {
        boolean met() throws Exception;
    }
}
