package io.sluice.ops.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.ops.CliResult;
import io.sluice.ops.cli.ExitCodes;

/**
 * {@code sluice loadgen --config F --topic T} with the default embedded target runs a configuration's
 * Java DSL pipelines too ({@code java_pipelines}, a jar compiled at test time), on the topic and schema
 * the jar's pipeline declares, without a daemon.
 */
class LoadgenJavaPipelinesTest
{
    @TempDir
    Path dir;

    @Test
    void shouldLoadATopicOfAJavaPipelineInAnEmbeddedEngine() throws Exception
    {
        PipelineJar.build(dir, "desk.jar", Map.of("desk.DeskPipelines", PipelineJar.DESK_PIPELINES), Map.of());
        final Path config = dir.resolve("sluice.yaml");
        Files.writeString(config, """
            data_dir: data
            partitions: 2
            wait_strategy: sleep
            java_pipelines:
              - jar: desk.jar
                class: desk.DeskPipelines
            sinks:
              vol-out: {type: csv, path: vol.csv}
            """);

        final CliResult run = CliResult.run("loadgen", "--config", config.toString(), "--topic", "trades", "--rate", "2000",
            "--duration", "1", "--warm-up", "0", "--keys", "5", "--time-step", "10", "--out", dir.resolve("report").toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.OK);
        assertThat(run.out()).contains("schema trade", "field sym", "SYMBOL(8)", "partition key: 5 keys")
            .contains("pipelines: vol (outputs counted")
            .contains("2,000 of 2,000 sent processed by every pipeline")
            // 2,000 events 10 ms apart span 20 s of event time: 10 tumbling 2 s windows for each of the 5 keys.
            .contains("pipeline     vol: 50 outputs");
        assertThat(dir.resolve("data")).doesNotExist();
        assertThat(dir.resolve("vol.csv")).doesNotExist();
    }
}
