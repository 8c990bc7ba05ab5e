package io.sluice.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

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
}
