package io.sluice.ops.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.ops.jmx.JmxClient;
import io.sluice.ops.jmx.ObjectNames;
import io.sluice.ops.stat.GrafanaDashboard;
import io.sluice.ops.stat.PrometheusScrape;

/**
 * The outputs a pipeline's alert suppression drops are visible where operators look, read from a real
 * daemon process: the {@code SuppressedOutputs} attribute of the pipeline's MBean over a real JMX
 * connection, the SUPPRESSED column of {@code ctl status} and {@code ctl top}, the {@code suppressed}
 * counters of {@code sluice stat}, and {@code sluice_suppressed_outputs_total} in a scrape parsed by
 * the official Prometheus parser (which the Grafana dashboard queries).
 */
class SuppressedOutputsProcessTest
{
    /**
     * With a 10 s cooldown per sym: sym 1 passes at 1000 and 20000 (2500 and 4200 dropped), sym 2 passes
     * at 1500 (3100 dropped), sym 3 passes at 9000: 4 outputs, 3 suppressed.
     */
    private static final String TRADES = """
        sym,px,qty,ts
        1,10.5,3,1000
        2,11.0,1,1500
        1,10.7,2,2500
        2,11.2,4,3100
        1,10.9,1,4200
        3,9.0,7,9000
        1,10.1,5,20000
        """;

    @TempDir
    Path dir;

    @Test
    void shouldShowSuppressedOutputsInJmxCtlStatStatusAndPrometheus() throws Exception
    {
        Files.writeString(dir.resolve("trades.csv"), TRADES);
        final Path configFile = dir.resolve("sluice.yaml");
        Files.writeString(configFile, """
            data_dir: data
            partitions: 2
            wait_strategy: sleep
            checkpoint:
              interval: 0
            schemas:
              trade:
                sym: LONG
                px: DOUBLE
                qty: LONG
                ts: TIMESTAMP
            pipelines:
              - name: quiet
                source: trades
                schema: trade
                partition_key: sym
                event_time: ts
                suppress: {cooldown: 10s}
                sink: quiet-out
              - name: loud
                source: trades
                schema: trade
                partition_key: sym
                event_time: ts
                sink: loud-out
            sinks:
              quiet-out: {type: journal}
              loud-out: {type: journal}
            prometheus:
              enabled: true
              port: 0
            ingress:
              - type: file
                topic: trades
                path: trades.csv
            """);
        final Path data = dir.resolve("data");

        try (DaemonProcess daemon = DaemonProcess.start(configFile, data, dir.resolve("daemon.log")))
        {
            final MarkFile.Info info = daemon.awaitRunning();
            try (JmxClient client = JmxClient.connect(info.jmxHost(), info.jmxPort(), null, null, false))
            {
                awaitAttribute(client, "loud", "Outputs", 7);
                awaitAttribute(client, "quiet", "SuppressedOutputs", 3);
                // Plain JMX, as JConsole or jmxterm read it: a Long attribute.
                assertThat(client.connection().getAttribute(ObjectNames.pipeline("quiet"), "SuppressedOutputs")).isEqualTo(3L);
                assertThat(client.pipeline("quiet").getOutputs()).isEqualTo(4);
                assertThat(client.pipeline("loud").getSuppressedOutputs()).isZero();
            }

            final String status = DaemonProcessTest.sluice("ctl", "status", "--dir", data.toString());
            assertThat(status).contains("SUPPRESSED");
            assertThat(row(status, "quiet")).as(status).containsSubsequence("quiet", "trades", "RUNNING", " 4 ", " 3 ");
            assertThat(row(status, "loud")).as(status).containsSubsequence("loud", "trades", "RUNNING", " 7 ", " 0 ");
            final String top = DaemonProcessTest.sluice("ctl", "top", "--iterations", "1", "--dir", data.toString());
            assertThat(row(top, "quiet")).as(top).containsSubsequence("quiet", " 4 ", " 3 ");

            final String stat = DaemonProcessTest.sluice("stat", "--dir", data.toString());
            assertThat(stat).contains("suppressed: trades/0 quiet").contains("suppressed: trades/1 loud");

            final PrometheusScrape scrape = PrometheusScrape.scrape(MarkFile.read(data).prometheusPort(), dir);
            scrape.assertConventions();
            final PrometheusScrape.Family suppressed = scrape.family("sluice_suppressed_outputs");
            assertThat(suppressed.type()).isEqualTo("counter");
            assertThat(suppressed.samples()).allSatisfy(s -> assertThat(s.name()).isEqualTo("sluice_suppressed_outputs_total"))
                .allSatisfy(s -> assertThat(s.labels()).containsOnlyKeys("topic", "partition", "pipeline"));
            assertThat(suppressed.samples()).filteredOn(s -> s.labels().get("pipeline").equals("quiet"))
                .extracting(PrometheusScrape.Sample::value).hasSize(2)
                .satisfies(values -> assertThat(values.stream().mapToDouble(Double::doubleValue).sum()).isEqualTo(3.0));
            assertThat(suppressed.samples()).filteredOn(s -> s.labels().get("pipeline").equals("loud"))
                .extracting(PrometheusScrape.Sample::value).containsOnly(0.0);
            assertThat(GrafanaDashboard.metricNames()).contains("sluice_suppressed_outputs_total");

            assertThat(daemon.terminate()).as(daemon.log()).isZero();
        }
        assertThat(Files.readString(dir.resolve("daemon.log"), StandardCharsets.UTF_8)).doesNotContain("SLF4J");
    }

    /** The line of a pipeline in the status table. */
    private static String row(final String status, final String pipeline)
    {
        final List<String> rows = status.lines().filter(l -> l.startsWith(pipeline + " ")).toList();
        assertThat(rows).as(status).hasSize(1);
        return rows.get(0);
    }

    private static void awaitAttribute(final JmxClient client, final String pipeline, final String attribute, final long expected)
        throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Object value = null;
        while (System.nanoTime() < deadline)
        {
            value = client.connection().getAttribute(ObjectNames.pipeline(pipeline), attribute);
            if (value instanceof Long && (Long)value == expected)
            {
                return;
            }
            LockSupport.parkNanos(50_000_000); // poll interval of a wait with a deadline
        }
        throw new AssertionError(pipeline + " " + attribute + " was " + value + ", expected " + expected);
    }
}
