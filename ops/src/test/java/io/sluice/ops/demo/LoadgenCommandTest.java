package io.sluice.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.sluice.ops.cli.ExitCodes;
import io.sluice.ops.CliResult;

class LoadgenCommandTest
{
    @TempDir
    Path tempDir;

    @Test
    void shouldDetectEverySensorPatternOnTheEmbeddedTargetAndWriteTheReports()
    {
        final Path out = tempDir.resolve("report");

        final CliResult run = CliResult.run("loadgen", "--scenario", "sensors", "-t", "2", "-w", "1", "-r", "20000",
            "-o", out.toString(), "-d", tempDir.resolve("data").toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.OK);
        assertThat(run.out()).contains("scenario sensors", "Summary", "all processed", "sensor-drift", "sensor-outage");
        final String all = run.out().lines().filter(l -> l.trim().startsWith("all ")).findFirst().orElseThrow();
        final String[] words = all.trim().split("\\s+");
        assertThat(words[2]).as(all).isEqualTo(words[4]);
        assertThat(all).contains("missed   0", "false alerts   0");
        assertThat(out.resolve("latency.hlog")).isNotEmptyFile();
        assertThat(out.resolve("latency-percentiles.png")).isNotEmptyFile();
    }

    @Test
    void shouldRejectAnUnknownScenarioAndAnAeronTargetWithoutADriverDirectory()
    {
        final CliResult unknown = CliResult.run("loadgen", "--scenario", "weather");
        assertThat(unknown.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(unknown.err()).contains("--scenario must be one of");

        final CliResult aeron = CliResult.run("loadgen", "--scenario", "ticks", "--target", "aeron");
        assertThat(aeron.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(aeron.err()).contains("--aeron-dir");
    }

    /**
     * {@code loadgen --config F --topic T} without a daemon: the configuration's own schema (SYMBOL key,
     * DECIMAL, TEXT, BOOLEAN) into its pipelines in an embedded engine; every event is processed, a
     * pipeline without window or filter delivers exactly one output per event, a filter some, and the
     * daemon's data directory and sinks are not touched.
     */
    @Test
    void shouldLoadAConfigurationsOwnTopicIntoItsPipelinesInAnEmbeddedEngine() throws Exception
    {
        final Path config = tempDir.resolve("sluice.yaml");
        Files.writeString(config, """
            data_dir: daemon-data
            partitions: 3
            wait_strategy: sleep
            schemas:
              order:
                sym: SYMBOL(8)
                px: DECIMAL(12, 2)
                note: TEXT(8)
                urgent: BOOLEAN
                qty: LONG
                ts: TIMESTAMP
            pipelines:
              - name: every
                source: orders
                schema: order
                partition_key: sym
                event_time: ts
                sink: every-out
              - name: big
                source: orders
                schema: order
                partition_key: sym
                event_time: ts
                filter: qty >= 6
                sink: big-out
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
                suppress: on_change
                sink: flow-out
            sinks:
              every-out: {type: csv, path: every.csv}
              big-out: {type: journal}
              flow-out: {type: csv, path: flow.csv}
            """);
        final Path report = tempDir.resolve("report");

        final CliResult run = CliResult.run("loadgen", "--config", config.toString(), "--topic", "orders", "--rate", "2000",
            "--duration", "1", "--warm-up", "0", "--keys", "20", "--field", "px=0.01..99.99", "--field", "qty=1..10",
            "--out", report.toString(), "--dir", tempDir.resolve("scratch").toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.OK);
        assertThat(run.out()).contains("topic orders of", "field px", "DECIMAL(12, 2)")
            .contains("target: embedded engine: 3 partitions")
            .contains("pipelines: every, big, flow (outputs counted, not written to the configured sinks)")
            .contains("latency: from each event's SCHEDULED send time to its partition having journaled it and run every pipeline")
            .contains("2,000 of 2,000 sent processed by every pipeline")
            .contains("pipeline     every: 2,000 outputs");
        final Matcher big = Pattern.compile("pipeline     big: ([\\d,]+) outputs").matcher(run.out());
        assertThat(big.find()).as(run.out()).isTrue();
        assertThat(Long.parseLong(big.group(1).replace(",", ""))).as("qty >= 6 of 1..10").isBetween(1L, 1_999L);
        assertThat(run.out()).containsPattern("pipeline     flow: [1-9][\\d,]* outputs");
        assertThat(report.resolve("latency.hlog")).isNotEmptyFile();
        assertThat(tempDir.resolve("daemon-data")).as("the daemon's data directory").doesNotExist();
        assertThat(tempDir.resolve("every.csv")).as("a configured sink").doesNotExist();
        assertThat(tempDir.resolve("flow.csv")).as("a configured sink").doesNotExist();
    }
}
