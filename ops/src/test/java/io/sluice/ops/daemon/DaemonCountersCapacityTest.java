package io.sluice.ops.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.ops.stat.CountersFile;

/**
 * The counters file is sized from the configuration: a daemon of 16 partitions and 6 pipelines (about
 * 1,600 counters, more than the 1,024 a fixed-size file held) starts and runs every partition, where it
 * used to fail at start with "unable to allocate counter, buffer is full".
 */
class DaemonCountersCapacityTest
{
    @TempDir
    Path dir;

    @Test
    void shouldStartADaemonWithMoreCountersThanTheDefaultFileHolds() throws Exception
    {
        final StringBuilder pipelines = new StringBuilder();
        final StringBuilder sinks = new StringBuilder();
        for (int i = 0; i < 6; i++)
        {
            pipelines.append("""
                  - name: p%d
                    source: trades
                    schema: trade
                    partition_key: sym
                    event_time: ts
                    filter: qty >= %d
                    sink: s%d
                """.formatted(i, i, i));
            sinks.append("  s%d: {type: journal}\n".formatted(i));
        }
        final Path config = dir.resolve("sluice.yaml");
        Files.writeString(config, """
            data_dir: data
            partitions: 16
            wait_strategy: sleep
            checkpoint:
              interval: 0
            schemas:
              trade: {sym: LONG, qty: LONG, ts: TIMESTAMP}
            pipelines:
            %ssinks:
            %s""".formatted(pipelines, sinks));
        final DaemonConfig parsed = DaemonConfig.load(config);
        assertThat(Daemon.expectedCounters(parsed)).as("counters made room for").isGreaterThan(16 * (26 + 6 * 9));
        assertThat(CountersFile.valuesLengthFor(Daemon.expectedCounters(parsed))).isGreaterThan(CountersFile.DEFAULT_VALUES_LENGTH);

        try (DaemonProcess daemon = DaemonProcess.start(config, dir.resolve("data"), dir.resolve("daemon.log")))
        {
            daemon.awaitRunning();
            assertThat(DaemonProcessTest.sluice("ctl", "status", "--dir", dir.resolve("data").toString())).contains("partitions: 16 RUNNING")
                .contains("p5 ");
            assertThat(daemon.terminate()).as(daemon.log()).isZero();
        }
    }
}
