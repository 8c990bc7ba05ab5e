package io.sluice.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.sluice.engine.runtime.CoreBudget;
import io.sluice.ops.cli.ExitCodes;
import io.sluice.ops.CliResult;

class DemoCommandTest
{
    @TempDir
    Path tempDir;

    @Test
    void shouldDetectEveryInjectedFraudAndJoinPatternWithoutFalseAlertsAndWriteTheReports() throws InterruptedException
    {
        final Path out = tempDir.resolve("report");
        final DashboardThreadsWatch dashboardThreads = new DashboardThreadsWatch();

        final CliResult demo;
        try
        {
            demo = CliResult.run("demo", "-t", "3", "-w", "1", "-r", "20000", "-o", out.toString(),
                "-d", tempDir.resolve("data").toString(), "--stage-times");
        }
        finally
        {
            dashboardThreads.stop();
        }

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
        if (java.nio.file.Files.isReadable(Path.of("/proc/self/schedstat")))
        {
            // Whether the spinning threads had their cpus, and who else ran (Linux only).
            assertThat(demo.out())
                .containsPattern("\n  cpu          while measuring .*: processing thread ran [\\d.]+ \\w+ of [\\d.]+ \\w+, " +
                    "waited [\\d.]+ \\w+ for its cpu, taken off it \\d+ times; sender ran ")
                .containsPattern("\n  others       cpu time of the other tasks on this machine .* this JVM's other threads \\d+\\.\\d ms/s \\(most: [^)]+\\d ms/s\\)\n");
        }
        if (demo.out().startsWith("layout: low-latency profile") && demo.out().contains("sender spinning on cpu 0 beside the reporter"))
        {
            // The reporter yields to the sender between the steps of each report: the longest step of each report made while
            // the sender sends, and which steps were longest, by name.
            assertThat(demo.out()).containsPattern("\n  report step  cpu of each report's longest step between two yields to the " +
                "sender, while it sends: p50 [\\d.,]+ \\w+  max [\\d.,]+ \\w+; the longest steps: [a-z' .]+ max [\\d.,]+ \\w+ mean " +
                "[\\d.,]+ \\w+, [a-z' .]+ max ");
        }
        if (demo.out().startsWith("layout: low-latency profile"))
        {
            // The dashboard's threads never on a spinning thread's core (they were, inheriting the reporter's cpus).
            assertThat(dashboardThreads.seen()).as("dashboard threads seen while the demo ran").isPositive();
            assertThat(dashboardThreads.onSpinningCores()).as("dashboard threads allowed on the spinning cores " +
                CoreBudget.cpuList(CoreBudget.ofThisMachine().pinnable())).isEmpty();
        }
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
        // Where the lag comes from: the sender's absences from its loop (the 1 s warm-up's own left out).
        assertThat(demo.out()).containsPattern("\n  sender away  from its wait for the next event [\\d,]+ times for 20 us or more, [\\d.]+ \\w+ in all; " +
            "[\\d,]+ times for 500 us or more, [\\d.]+ \\w+ in all; longest .*; sends of 20 us or more [\\d,]+, [\\d.]+ \\w+ in all");
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

    /**
     * Samples, while the demo runs in this JVM, the cpus each dashboard thread it starts may run on
     * ({@code Cpus_allowed_list} of {@code /proc/self/task/<tid>/status}); threads of that name already
     * running before (another test's) are left out.
     */
    private static final class DashboardThreadsWatch
    {
        private final BitSet spinning = CoreBudget.ofThisMachine().pinnable();
        private final Set<String> before = dashboardThreads().keySet();
        private final Set<String> seen = ConcurrentHashMap.newKeySet();
        private final Set<String> onSpinningCores = ConcurrentHashMap.newKeySet();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread sampler = new Thread(this::sample, "dashboard-threads-watch");

        DashboardThreadsWatch()
        {
            sampler.start();
        }

        private void sample()
        {
            while (!stop.get())
            {
                for (final Map.Entry<String, String> thread : dashboardThreads().entrySet())
                {
                    if (!before.contains(thread.getKey()))
                    {
                        seen.add(thread.getKey());
                        if (cpus(thread.getValue()).intersects(spinning))
                        {
                            onSpinningCores.add(thread.getKey() + " allowed on " + thread.getValue());
                        }
                    }
                }
                LockSupport.parkNanos(1_000_000);
            }
        }

        void stop() throws InterruptedException
        {
            stop.set(true);
            sampler.join();
        }

        int seen()
        {
            return seen.size();
        }

        Set<String> onSpinningCores()
        {
            return onSpinningCores;
        }

        /** Thread id -> Cpus_allowed_list of this JVM's threads named sluice-dashboard*. */
        private static Map<String, String> dashboardThreads()
        {
            final Map<String, String> threads = new HashMap<>();
            try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task")))
            {
                tasks.forEach(task ->
                {
                    try
                    {
                        if (Files.readString(task.resolve("comm")).startsWith("sluice-dashboar"))
                        {
                            Files.readAllLines(task.resolve("status")).stream().filter(l -> l.startsWith("Cpus_allowed_list:")).findFirst()
                                .ifPresent(l -> threads.put(task.getFileName().toString(), l.substring(l.indexOf(':') + 1).strip()));
                        }
                    }
                    catch (final IOException ex)
                    {
                        // ended meanwhile
                    }
                });
            }
            catch (final IOException | UncheckedIOException ex)
            {
                // not Linux: nothing seen
            }
            return threads;
        }

        /** Parses a kernel cpu list ("0-1,3"). */
        private static BitSet cpus(final String list)
        {
            final BitSet cpus = new BitSet();
            for (final String range : list.split(","))
            {
                final String[] ends = range.split("-");
                cpus.set(Integer.parseInt(ends[0]), Integer.parseInt(ends[ends.length - 1]) + 1);
            }
            return cpus;
        }
    }

    @Test
    void shouldRejectARunTooShortForTheScenario()
    {
        final CliResult demo = CliResult.run("demo", "-t", "1", "-w", "0", "-r", "100");
        assertThat(demo.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(demo.err()).contains("needs at least");
    }
}
