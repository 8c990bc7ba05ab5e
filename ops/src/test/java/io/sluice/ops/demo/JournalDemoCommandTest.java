package io.sluice.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.sluice.ops.cli.ExitCodes;
import io.sluice.ops.CliResult;

class JournalDemoCommandTest
{
    @TempDir
    Path tempDir;

    @Test
    void shouldJournalReplayAndVerifyEventsAcrossSegmentRolls()
    {
        final String dir = tempDir.resolve("journal").toString();

        // 64 KiB segments hold ~680 events of 96 bytes: 20,000 events over 3 partitions roll many times.
        final CliResult demo = CliResult.run("demo", "journal", "-d", dir, "-p", "3", "-n", "20000", "--keys", "100",
            "--segment-size", "65536");

        assertThat(demo.exitCode()).as(demo.toString()).isEqualTo(ExitCodes.OK);
        assertThat(demo.out()).contains("append", "force", "replay", "M events/s", "MB/s", "verified");

        final CliResult stats = CliResult.run("journal", "stats", "-d", dir, "-t", "demo");
        assertThat(stats.out().lines().filter((line) -> line.trim().startsWith("total")))
            .singleElement().satisfies((line) -> assertThat(line.trim().split("\\s+")[1]).isEqualTo("20000"));
    }

    @Test
    void shouldRefuseJournalThatAlreadyHasDemoTopic()
    {
        final String dir = tempDir.resolve("journal").toString();
        assertThat(CliResult.run("demo", "journal", "-d", dir, "-n", "10", "--no-force").exitCode()).isEqualTo(ExitCodes.OK);

        final CliResult again = CliResult.run("demo", "journal", "-d", dir, "-n", "10");

        assertThat(again.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(again.err()).contains("topic 'demo' already exists");
    }

    @Test
    void shouldRejectInvalidSizesAsUsageErrors()
    {
        assertThat(CliResult.run("demo", "journal", "--payload-size", "16").err()).contains("--payload-size must be in [32,");
        assertThat(CliResult.run("demo", "journal", "-p", "0").exitCode()).isEqualTo(ExitCodes.USAGE);
    }
}
