package io.sluice.ops.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.pipeline.PipelineFactory;

/**
 * {@code java_pipelines}: a jar built at test time, its factory named by class or found as a
 * ServiceLoader service, and each mistake a configuration error naming the item.
 */
class JavaPipelinesConfigTest
{
    @TempDir
    Path dir;

    private static String config(final String item)
    {
        return """
            data_dir: data
            java_pipelines:
            %s
            sinks:
              vol-out: {type: csv, path: vol.csv}
            """.formatted(item);
    }

    @Test
    void shouldLoadAFactoryByClassOrAsAService() throws Exception
    {
        PipelineJar.build(dir, "desk.jar", Map.of("desk.DeskPipelines", PipelineJar.DESK_PIPELINES), Map.of());
        final DaemonConfig byClass = DaemonConfig.parse(config("  - {jar: desk.jar, class: desk.DeskPipelines}"), "sluice.yaml", dir);
        assertThat(byClass.javaPipelines()).hasSize(1);
        assertThat(byClass.javaPipelines().get(0).name()).isEqualTo("vol");
        assertThat(byClass.topicSchemas()).containsKey("trades");
        assertThat(JavaPipelines.sinkOf(byClass.javaPipelines().get(0)).name()).isEqualTo("vol-out");

        PipelineJar.build(dir, "service.jar", Map.of("desk.DeskPipelines", PipelineJar.DESK_PIPELINES),
            Map.of(PipelineFactory.class.getName(), "desk.DeskPipelines\n"));
        final DaemonConfig byService = DaemonConfig.parse(config("  - jar: service.jar"), "sluice.yaml", dir);
        assertThat(byService.javaPipelines()).extracting(p -> p.name()).containsExactly("vol");
    }

    @Test
    void shouldReportEveryMistakeNamingTheItem() throws Exception
    {
        PipelineJar.build(dir, "desk.jar", Map.of("desk.DeskPipelines", PipelineJar.DESK_PIPELINES,
            "desk.NotAFactory", "package desk; public final class NotAFactory { }",
            "desk.WrongSink", PipelineJar.DESK_PIPELINES.replace("DeskPipelines", "WrongSink").replace("sinks.sink(\"vol-out\")",
                "sinks.sink(\"nowhere\")")), Map.of());
        assertThatThrownBy(() -> DaemonConfig.parse(config("  - {jar: missing.jar, class: desk.DeskPipelines}"), "sluice.yaml", dir))
            .hasMessageContaining("java_pipelines[0].jar: no such file");
        assertThatThrownBy(() -> DaemonConfig.parse(config("  - {jar: desk.jar, class: desk.Nope}"), "sluice.yaml", dir))
            .hasMessageContaining("java_pipelines[0].class: cannot load pipelines from desk.jar class desk.Nope")
            .hasMessageContaining("ClassNotFoundException");
        assertThatThrownBy(() -> DaemonConfig.parse(config("  - {jar: desk.jar, class: desk.NotAFactory}"), "sluice.yaml", dir))
            .hasMessageContaining("desk.NotAFactory does not implement io.sluice.engine.pipeline.PipelineFactory");
        assertThatThrownBy(() -> DaemonConfig.parse(config("  - {jar: desk.jar, class: desk.WrongSink}"), "sluice.yaml", dir))
            .hasMessageContaining("no sink named 'nowhere' under 'sinks'");
        assertThatThrownBy(() -> DaemonConfig.parse(config("  - {jar: desk.jar}"), "sluice.yaml", dir))
            .hasMessageContaining("lists no io.sluice.engine.pipeline.PipelineFactory in META-INF/services");
        assertThatThrownBy(() -> DaemonConfig.parse(config("  - {jar: desk.jar, class: desk.DeskPipelines, colour: red}"), "sluice.yaml",
            dir)).hasMessageContaining("colour");
        assertThat(Files.exists(dir.resolve("data"))).isFalse();
    }
}
