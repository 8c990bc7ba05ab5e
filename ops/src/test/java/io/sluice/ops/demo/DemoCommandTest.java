package io.sluice.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.sluice.ops.cli.ExitCodes;
import io.sluice.ops.CliResult;

class DemoCommandTest
{
    @TempDir
    Path tempDir;

    @Test
    void shouldDetectEveryInjectedFraudAndJoinPatternWithoutFalseAlertsAndWriteTheReports()
    {
        final Path out = tempDir.resolve("report");

        final CliResult demo = CliResult.run("demo", "-t", "3", "-w", "1", "-r", "20000", "-o", out.toString(),
            "-d", tempDir.resolve("data").toString(), "--stage-times");

        assertThat(demo.exitCode()).as(demo.toString()).isEqualTo(ExitCodes.OK);
        assertThat(demo.out().lines().findFirst().orElseThrow()).startsWith("layout: ");
        assertThat(demo.out()).contains("wait strategy ", "Summary", "all processed", "p99.9");
        // Whether this JVM stops every thread for periodic safepoints (a test's JVM does: ./sluice turns them off).
        assertThat(demo.out().lines().skip(1).limit(3))
            .anySatisfy(l -> assertThat(l).containsAnyOf("jvm: no periodic cleanup safepoint", "note: this JVM runs with"));
        final String jvm = demo.out().lines().filter(l -> l.startsWith("  jvm          while measuring")).findFirst()
            .orElseThrow(() -> new AssertionError("no jvm line in " + demo.out()));
        assertThat(jvm).containsPattern("\\d+ safepoints \\(all threads stopped \\d+ ms").containsPattern("\\d+ collections")
            .containsPattern("JIT compiling \\d+ ms");
        final String all = demo.out().lines().filter(l -> l.trim().startsWith("all ")).findFirst().orElseThrow();
        final String[] words = all.trim().split("\\s+");
        // all detected N of N injected, missed 0, false alerts 0
        assertThat(words[2]).as(all).isEqualTo(words[4]);
        assertThat(Integer.parseInt(words[2])).isGreaterThanOrEqualTo(3);
        assertThat(all).contains("missed   0", "false alerts   0");
        for (final String rule : DemoFormat.JOIN_RULES)
        {
            final String line = demo.out().lines().filter(l -> l.trim().startsWith(rule + " ")).findFirst().orElseThrow();
            final String[] counts = line.trim().split("\\s+");
            // <rule> detected N of N injected, missed 0, false alerts 0 (K alerts in all)
            assertThat(counts[2]).as(line).isEqualTo(counts[4]);
            assertThat(Integer.parseInt(counts[2])).as(line).isGreaterThanOrEqualTo(2);
            assertThat(line).contains("missed   0", "false alerts   0");
        }
        assertThat(demo.out()).contains("detected so far:", "join alerts");
        // The sender's lateness and, with --stage-times, each event's work and wait on the processing thread.
        assertThat(demo.out()).contains("sender       behind schedule p50 ", "largest single item of work: ");
        for (final String heading : new String[] {"engine work  per event", "ring wait    published", "    card-velocity "})
        {
            final String line = demo.out().lines().filter(l -> l.startsWith("  " + heading) || l.startsWith(heading)).findFirst()
                .orElseThrow(() -> new AssertionError(heading + " not in " + demo.out()));
            final java.util.regex.Matcher events = java.util.regex.Pattern.compile("\\(([\\d,]+) events\\)").matcher(line);
            assertThat(events.find()).as(line).isTrue();
            assertThat(Long.parseLong(events.group(1).replace(",", ""))).as(line).isPositive();
        }
        assertThat(out.resolve("latency.hlog")).isNotEmptyFile();
        assertThat(out.resolve("latency.hgrm")).isNotEmptyFile();
        assertThat(out.resolve("latency-percentiles.png")).isNotEmptyFile();
    }

    @Test
    void shouldRejectARunTooShortForTheScenario()
    {
        final CliResult demo = CliResult.run("demo", "-t", "1", "-w", "0", "-r", "100");
        assertThat(demo.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(demo.err()).contains("needs at least");
    }
}
