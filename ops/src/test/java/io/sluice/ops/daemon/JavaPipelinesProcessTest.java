package io.sluice.ops.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real daemon runs a Java DSL pipeline from a jar compiled at test time ({@code java_pipelines}),
 * is killed with SIGKILL after a checkpoint, restarts and finishes the input: its output file holds
 * every result exactly once, byte for byte what {@code sluice replay} writes through the YAML twin of
 * the same pipeline (same checkpointing, recovery and exactly-once sink as YAML pipelines).
 */
class JavaPipelinesProcessTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRunAJavaPipelineJarExactlyOnceAcrossSigkill() throws Exception
    {
        PipelineJar.build(dir, "desk.jar", Map.of("desk.DeskPipelines", PipelineJar.DESK_PIPELINES), Map.of());
        assertThat(SymbolKeyNamesProcessTest.replayed(dir)).contains("IBM,2000,4000,1,4", "ORCL,4000,6000,1,7");

        SymbolKeyNamesProcessTest.runKilledAndRestarted(dir, (input, endOfInput) -> SymbolKeyNamesProcessTest.config("""
            java_pipelines:
              - jar: desk.jar
                class: desk.DeskPipelines""", input, endOfInput));

        assertThat(Files.readString(dir.resolve("vol.csv"), StandardCharsets.UTF_8))
            .isEqualTo(Files.readString(dir.resolve("replayed.csv"), StandardCharsets.UTF_8));
        assertThat(Files.readString(dir.resolve("run2.log"), StandardCharsets.UTF_8)).contains("running: pipelines [vol]");
    }
}
