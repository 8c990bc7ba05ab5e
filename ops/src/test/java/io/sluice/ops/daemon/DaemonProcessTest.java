package io.sluice.ops.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.ops.SluiceMain;
import io.sluice.ops.jmx.EngineMXBean;
import io.sluice.ops.jmx.JmxClient;
import io.sluice.ops.jmx.ObjectNames;
import io.sluice.ops.jmx.PartitionMXBean;
import io.sluice.ops.jmx.PipelineMXBean;
import io.sluice.ops.stat.GrafanaDashboard;
import io.sluice.ops.stat.PrometheusScrape;

/**
 * A real daemon process end to end: mark file, counters file read by {@code sluice stat}, a real
 * JMX client reading attributes and invoking operations, Prometheus, refusal of a second daemon,
 * SIGTERM (exit 0, final checkpoint), and a restart that recovers from that checkpoint without
 * writing any output twice.
 */
class DaemonProcessTest
{
    static final String TRADES = """
        sym,px,qty,ts
        1,10.5,3,1000
        2,11.0,1,1500
        1,10.7,2,2500
        2,11.2,4,3100
        1,10.9,1,4200
        3,9.0,7,9000
        """;

    @TempDir
    Path dir;

    /**
     * The configuration of these tests: pipelines {@code vol} (a 2 s volume window to a CSV file) and
     * {@code big} (trades of 3 or more to a journal topic) on two partitions, the Prometheus endpoint on.
     *
     * @param ingress whether {@code trades.csv} feeds the daemon.
     * @param extra   top-level YAML added.
     * @return the YAML.
     */
    static String config(final boolean ingress, final String extra)
    {
        final DaemonYaml yaml = DaemonYaml.daemon("data", 2).onDemandCheckpoints().tradeSchema().volume("2s", "vol-out")
            .pipeline("""
                name: big
                source: trades
                schema: trade
                partition_key: sym
                event_time: ts
                filter: qty >= 3
                sink: big-out
                """)
            .sink("vol-out", "{type: csv, path: vol.csv}")
            .sink("big-out", "{type: journal}")
            .prometheus()
            .raw(extra);
        return (ingress ? yaml.fileIngress("trades", "trades.csv") : yaml).build();
    }

    @Test
    void shouldRunServeJmxStopOnSigtermWithFinalCheckpointAndRecoverOnRestart() throws Exception
    {
        Files.writeString(dir.resolve("trades.csv"), TRADES);
        final Path configFile = dir.resolve("sluice.yaml");
        // Two processing threads for two partitions: ctl status shows which partition runs on which.
        Files.writeString(configFile, config(true, "processing_threads: 2\n"));
        final Path data = dir.resolve("data");

        try (DaemonProcess daemon = DaemonProcess.start(configFile, data, dir.resolve("run1.log")))
        {
            final MarkFile.Info info = daemon.awaitRunning();
            assertThat(info.isLive(System.currentTimeMillis())).isTrue();
            assertThat(info.jmxHost()).isEqualTo("127.0.0.1");
            assertThat(info.jmxPort()).isPositive();
            assertThat(Files.getPosixFilePermissions(data)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
            assertThat(Files.getPosixFilePermissions(data.resolve(MarkFile.FILE_NAME))).isEqualTo(PosixFilePermissions.fromString("rw-------"));

            try (JmxClient client = JmxClient.connect(info.jmxHost(), info.jmxPort(), null, null, false))
            {
                final EngineMXBean engine = client.engine();
                assertThat(engine.getState()).isEqualTo("RUNNING");
                assertThat(engine.getPid()).isEqualTo(daemon.process.pid());
                assertThat(engine.getPipelines()).containsExactly("vol", "big");
                awaitEvents(client, 6);
                final PipelineMXBean big = client.pipeline("big");
                assertThat(big.getOutputs()).isEqualTo(3);
                assertThat(client.partition("trades", 0).getState()).isEqualTo("RUNNING");
                assertThat(client.partition("trades", 1).getFailure()).isEmpty();
                for (int p = 0; p < 2; p++)
                {
                    // A few events, within the first megabyte a segment is created with: the writer never reserved.
                    assertThat(client.partition("trades", p).getJournalWriterReservations()).isZero();
                    assertThat(client.partition("trades", p).getJournalWriterReservedBytes()).isZero();
                }
                assertStageLatencies(client);

                final String checkpoint = engine.checkpointNow();
                assertThat(checkpoint).startsWith("checkpoint ").contains("complete");
                assertThat(engine.getCheckpointsCompleted()).isGreaterThanOrEqualTo(0);

                engine.pause("vol");
                assertThat(client.pipeline("vol").isPaused()).isTrue();
                engine.resume("vol");
                assertThat(client.pipeline("vol").isPaused()).isFalse();
                engine.resetLatency();
                awaitAttribute(client, ObjectNames.pipeline("vol"), "ProcessingLatencyCount", 0);

                // An operator's replay re-runs "big" from offset 0: its three outputs come again.
                engine.replay("big", 0);
                awaitOutputs(big, 6);
            }

            assertThat(sluice("ctl", "status", "--dir", data.toString())).contains("RUNNING").contains("vol").contains("big")
                .contains("partitions: 2 RUNNING").contains("processing threads: 2")
                .contains("sluice-processing-0: trades/0").contains("sluice-processing-1: trades/1");
            assertThat(sluice("ctl", "errors", "--dir", data.toString())).contains("distinct errors");
            assertThat(sluice("ctl", "checkpoint", "--dir", data.toString())).contains("complete");
            assertThat(sluice("ctl", "pause", "vol", "--dir", data.toString())).contains("paused vol");
            assertThat(sluice("ctl", "status", "--dir", data.toString())).contains("PAUSED");
            assertThat(sluice("ctl", "resume", "vol", "--dir", data.toString())).contains("resumed vol");
            assertThat(sluice("ctl", "replay", "big", "--from-offset", "0", "--dir", data.toString())).contains("replaying big");
            try (JmxClient client = JmxClient.connect(info.jmxHost(), info.jmxPort(), null, null, false))
            {
                awaitOutputs(client.pipeline("big"), 9);
            }
            assertThat(sluice("ctl", "top", "--iterations", "2", "--interval", "10", "--dir", data.toString()))
                .contains("EVENTS-IN").contains("WRITER-RES n/KiB").contains("p99.99 us").contains("ring-wait p0").contains("journal-append p1").contains("pipeline vol")
                .doesNotContain("\u001b"); // not a terminal: no ANSI codes

            // The mark file counts partitions by state at each heartbeat: after the replay above, wait for one
            // that saw them RUNNING again rather than reading a heartbeat taken during the replay.
            final String stat = awaitStat(data.toString(), "partitions not RUNNING: 0");
            assertThat(stat).containsPattern("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:[\\d.]+Z - heartbeat-ms").contains("LIVE")
                .contains("events-in: trades/0").contains("outputs: trades/1 big")
                .contains("ingest-latency-p99-us: partition 0").contains("ring-wait-latency-p99-us: partition 0")
                .contains("journal-append-latency-p9999-us: partition 1").contains("processing-latency-max-us: vol")
                .contains("partition trades/0: RUNNING").contains("partition trades/1: RUNNING").contains("partitions not RUNNING: 0");

            assertPrometheusScrape(MarkFile.read(data).prometheusPort());

            final StringWriter secondErr = new StringWriter();
            final int second = SluiceMain.execute(new PrintWriter(new StringWriter()), new PrintWriter(secondErr, true),
                "run", "--config", configFile.toString());
            assertThat(second).isEqualTo(1);
            assertThat(secondErr.toString()).contains("another sluice daemon is running on").contains("pid " + daemon.process.pid());

            assertThat(daemon.terminate()).as(daemon.log()).isZero();
            // One line per lifecycle event through slf4j-simple: a real binding (no "No SLF4J providers"), nothing per event.
            assertThat(daemon.log()).contains(" INFO sluice - running: pipelines [vol, big]").contains(" INFO sluice - final checkpoint")
                .contains(" INFO sluice - stopped").doesNotContain("SLF4J");
            assertThat(daemon.log().lines().filter(l -> l.contains(" sluice - "))).hasSizeLessThan(40);
        }
        assertThat(MarkFile.read(data).state()).isEqualTo(MarkFile.STOPPED);
        try (var manifests = Files.list(data.resolve("checkpoints")))
        {
            assertThat(manifests.filter(p -> p.toString().endsWith(".manifest")).count()).isPositive();
        }
        final List<String> firstRun = Files.readAllLines(dir.resolve("vol.csv"), StandardCharsets.UTF_8);
        assertThat(firstRun).hasSize(5);

        // Restart without the file ingress: recovery loads the final checkpoint, and outputs stay exactly once.
        Files.writeString(configFile, config(false, "log_level: warn\n"));
        try (DaemonProcess daemon = DaemonProcess.start(configFile, data, dir.resolve("run2.log")))
        {
            final MarkFile.Info info = daemon.awaitRunning();
            try (JmxClient client = JmxClient.connect(info.jmxHost(), info.jmxPort(), null, null, false))
            {
                assertThat(String.join("\n", client.engine().getRecoveryEvents())).containsIgnoringCase("checkpoint");
                assertThat(client.engine().getRecoveryEvents()).noneMatch(e -> e.contains("no usable checkpoint"));
            }
            assertThat(daemon.terminate()).as(daemon.log()).isZero();
            assertThat(daemon.log()).as("log_level: warn").doesNotContain(" INFO ").doesNotContain("SLF4J");
        }
        assertThat(Files.readAllLines(dir.resolve("vol.csv"), StandardCharsets.UTF_8)).isEqualTo(firstRun);
    }

    /**
     * Per-stage latency over plain JMX (OpenTypes: Long attributes, no project classes): once the stats
     * agent has sampled, each pipeline has measured all six events, each partition its ring wait and
     * journal append, and the percentiles are ordered.
     */
    private static void assertStageLatencies(final JmxClient client) throws Exception
    {
        final javax.management.MBeanServerConnection connection = client.connection();
        awaitAttribute(client, ObjectNames.pipeline("vol"), "ProcessingLatencyCount", 6);
        awaitAttribute(client, ObjectNames.pipeline("big"), "ProcessingLatencyCount", 6);
        final Object p99 = connection.getAttribute(ObjectNames.pipeline("vol"), "ProcessingLatencyP99Micros");
        assertThat(p99).isInstanceOf(Long.class);
        assertThat((Long)p99).isBetween(0L, (Long)connection.getAttribute(ObjectNames.pipeline("vol"), "ProcessingLatencyMaxMicros"));
        long ringWaits = 0;
        long journalAppends = 0;
        for (int p = 0; p < 2; p++)
        {
            final PartitionMXBean partition = client.partition("trades", p);
            ringWaits += partition.getRingWaitCount();
            journalAppends += partition.getJournalAppendCount();
            assertThat(partition.getRingWaitP50Micros()).isLessThanOrEqualTo(partition.getRingWaitP9999Micros());
            assertThat(partition.getJournalAppendP99Micros()).isLessThanOrEqualTo(partition.getJournalAppendMaxMicros());
        }
        assertThat(ringWaits).isGreaterThanOrEqualTo(6);
        assertThat(journalAppends).isGreaterThanOrEqualTo(6);
    }

    private static void awaitAttribute(final JmxClient client, final javax.management.ObjectName name, final String attribute,
        final long expected) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Object value = null;
        while (System.nanoTime() < deadline)
        {
            value = client.connection().getAttribute(name, attribute);
            if (value instanceof Long && (Long)value == expected)
            {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000); // poll interval of a wait with a deadline
        }
        throw new AssertionError(name + " " + attribute + " was " + value + ", expected " + expected);
    }

    private static void awaitEvents(final JmxClient client, final long events) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long seen = 0;
        while (System.nanoTime() < deadline)
        {
            final PartitionMXBean p0 = client.partition("trades", 0);
            final PartitionMXBean p1 = client.partition("trades", 1);
            seen = p0.getEventsIn() + p1.getEventsIn();
            if (seen == events && client.pipeline("big").getOutputs() == 3)
            {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000); // poll interval of a wait with a deadline
        }
        throw new AssertionError("saw " + seen + " events, expected " + events);
    }

    /**
     * Scrapes the running daemon's /metrics over HTTP, parses it with the official Prometheus parser,
     * and checks names, types and units, and that every metric the Grafana dashboard queries is exported.
     */
    private void assertPrometheusScrape(final int port) throws Exception
    {
        final PrometheusScrape scrape = PrometheusScrape.scrape(port, dir);
        scrape.assertConventions();
        assertThat(scrape.family("sluice_outputs").type()).isEqualTo("counter");
        assertThat(scrape.family("sluice_outputs").samples())
            .anySatisfy(s -> assertThat(s.labels()).isEqualTo(Map.of("topic", "trades", "partition", "0", "pipeline", "big")))
            .allSatisfy(s -> assertThat(s.name()).isEqualTo("sluice_outputs_total"));
        assertThat(scrape.family("sluice_events_in").samples()).extracting(PrometheusScrape.Sample::value)
            .satisfies(values -> assertThat(values.stream().mapToDouble(Double::doubleValue).sum()).isGreaterThanOrEqualTo(6));
        for (final String stage : List.of("ingest", "ring_wait", "journal_append", "processing"))
        {
            final PrometheusScrape.Family latency = scrape.family("sluice_" + stage + "_latency_seconds");
            assertThat(latency.type()).isEqualTo("summary");
            assertThat(latency.samples()).extracting(PrometheusScrape.Sample::name)
                .contains("sluice_" + stage + "_latency_seconds", "sluice_" + stage + "_latency_seconds_count",
                    "sluice_" + stage + "_latency_seconds_sum");
        }
        assertThat(scrape.family("sluice_processing_latency_seconds").samples()).extracting(s -> s.labels().get("pipeline"))
            .contains("vol", "big");
        assertThat(scrape.family("sluice_journal_writer_reservations").samples()).extracting(s -> s.labels().get("partition"))
            .containsExactlyInAnyOrder("0", "1");
        assertThat(scrape.family("sluice_partition_state").samples())
            .filteredOn(s -> s.value() == 1).extracting(s -> s.labels().get("sluice_partition_state")).containsOnly("RUNNING");
        assertThat(scrape.family("sluice_daemon_state").samples())
            .filteredOn(s -> s.value() == 1).extracting(s -> s.labels().get("sluice_daemon_state")).containsExactly("RUNNING");
        assertThat(scrape.family("jvm_gc_collection_seconds").type()).isEqualTo("summary");
        assertThat(scrape.family("jvm_memory_used_bytes").type()).isEqualTo("gauge");
        assertThat(scrape.family("jvm_threads_current").type()).isEqualTo("gauge");
        assertThat(scrape.family("jvm_safepoint_time_seconds").type()).isEqualTo("counter");

        assertThat(GrafanaDashboard.metricNames()).as("metrics the Grafana dashboard queries").isNotEmpty()
            .contains("sluice_events_in_total", "sluice_processing_latency_seconds")
            .allSatisfy(name -> assertThat(scrape.sampleNames()).as("exported by the daemon").contains(name));
    }

    static String sluice(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = SluiceMain.execute(new PrintWriter(out), new PrintWriter(err, true), args);
        assertThat(code).as(err.toString()).isZero();
        return out.toString();
    }

    private static String awaitStat(final String dataDir, final String expected)
    {
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        String stat = sluice("stat", "--dir", dataDir);
        while (!stat.contains(expected) && System.nanoTime() < deadline)
        {
            java.util.concurrent.locks.LockSupport.parkNanos(100_000_000);
            stat = sluice("stat", "--dir", dataDir);
        }
        return stat;
    }

    private static void awaitOutputs(final PipelineMXBean pipeline, final long outputs) throws InterruptedException
    {
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (pipeline.getOutputs() < outputs)
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("pipeline outputs stayed at " + pipeline.getOutputs() + ", expected " + outputs);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
        }
        assertThat(pipeline.getOutputs()).isEqualTo(outputs);
    }
}
