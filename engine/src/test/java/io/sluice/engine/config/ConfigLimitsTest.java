package io.sluice.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.WindowSpec;
import io.sluice.schema.Schema;
import io.sluice.schema.SchemaException;

/**
 * Limits on configurations: windows per event, file and value sizes, and values in error messages
 * cut and escaped.
 */
class ConfigLimitsTest
{
    private static final Schema TRADE = Schema.builder("trade").longField("account").longField("ts").build();

    @TempDir
    Path dir;

    @Test
    void shouldRefuseWindowsThatPutAnEventInMoreWindowsThanTheLimitFromYaml()
    {
        final String yaml = ConfigParsingTest.GOOD.replace("size: 1m", "size: 3650d").replace("hop: 10s", "hop: 1ms")
            .replace("      offset: 250ms\n", "");

        assertThatThrownBy(() -> PipelineConfig.parse(yaml, "bad.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("pipelines[0].window.hop: pipeline 'volume': size 3650d / hop 1ms puts every event in " +
                "315360000000 windows, more than the limit of 10000");
        // At the limit it loads.
        PipelineConfig.parse(ConfigParsingTest.GOOD.replace("size: 1m", "size: 10000s").replace("hop: 10s", "hop: 1s"), "ok.yaml");
    }

    @Test
    void shouldRefuseWindowsThatPutAnEventInMoreWindowsThanTheLimitFromTheDsl()
    {
        assertThatThrownBy(() -> Pipeline.from("trades", TRADE).name("decade").partitionKey("account").eventTime("ts", 0)
            .window(w -> w.sliding(3650L * 86_400_000, 1).count("n")))
            .isInstanceOf(SchemaException.class)
            .hasMessageContaining("pipeline 'decade'")
            .hasMessageContaining("size 315360000000, hop 1) puts every event in 315360000000 windows, more than the limit of 10000");
        assertThat(WindowSpec.windowsPerEvent(10_000, 1)).isEqualTo(WindowSpec.MAX_WINDOWS_PER_EVENT);
        assertThat(WindowSpec.windowsPerEvent(10, 3)).isEqualTo(4);
        assertThat(WindowSpec.windowsPerEvent(10, 30)).isEqualTo(1);
    }

    @Test
    void shouldRefuseAFileOverTheLimitBeforeParsingIt() throws Exception
    {
        final Path file = dir.resolve("huge.yaml");
        Files.writeString(file, ConfigParsingTest.GOOD + "\n# " + "x".repeat(ConfigLimits.MAX_FILE_BYTES) + "\n");

        assertThatThrownBy(() -> PipelineConfig.load(file))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("huge.yaml is " + Files.size(file) + " bytes, more than the limit of 1048576 bytes");
        // Text handed over directly is bounded the same way.
        assertThatThrownBy(() -> PipelineConfig.parse(Files.readString(file), "huge.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("huge.yaml is " + Files.size(file) + " characters, more than the limit of 1048576");
    }

    @Test
    void shouldCutLongValuesAndEscapeControlBytesInErrors()
    {
        final String value = "1" + "\0".repeat(3) + "x".repeat(200_000);
        final String yaml = ConfigParsingTest.GOOD.replace("size: 1m", "size: \"" + value.replace("\0", "\\0") + "\"");

        assertThatThrownBy(() -> PipelineConfig.parse(yaml, "bad.yaml"))
            .isInstanceOf(ConfigException.class)
            .satisfies(ex -> assertThat(ex.getMessage()).hasSizeLessThan(300).doesNotContain("\0")
                .startsWith("pipelines[0].window.size: the value is 200004 characters, more than the limit of 65536"));

        final String shorter = "1\0\u001b[31m" + "y".repeat(1_000);
        assertThatThrownBy(() -> PipelineConfig.parse(
            ConfigParsingTest.GOOD.replace("size: 1m", "size: \"" + shorter.replace("\0", "\\0").replace("\u001b", "\\e") + "\""), "bad.yaml"))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("pipelines[0].window.size: '1\\0\\u001b[31myyy")
            .hasMessageContaining("y... (1007 bytes)' is not a duration");
        assertThat(ConfigLimits.value("a\nb")).isEqualTo("a\\nb");
        assertThat(ConfigLimits.message("x".repeat(5_000))).hasSize(ConfigLimits.MAX_MESSAGE_CHARS + " (5000 bytes)".length() + 3);
    }
}
