package io.sluice.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark suite: runs every end-to-end main in a child JVM of its own (project flags for all; Epsilon
 * and a 64 MiB heap for the allocation proof) and the JMH benchmarks through JMH's Runner API, then writes
 * a Markdown report with each figure, its same-run baseline (plain loop, raw Disruptor hand-off, raw memcpy
 * into an mmap, raw scan, full replay), the performance target and met / not met, the machine and the load
 * average around every step.
 * <pre>{@code
 *   mvn -B -q -pl perf -am package -DskipTests          (from the repository root)
 *   java @perf/target/classes/sluice-jvm.options -cp perf/target/benchmarks.jar io.sluice.perf.SuiteMain [--quick] [--out perf/reports]
 * }</pre>
 * {@code --quick} uses small sizes and short JMH settings (a few minutes on a 2-core machine); the default
 * (full) mode uses the sizes of perf/README.md. Steps run one after the other; a failed step is reported
 * as failed and the suite goes on. Started from the repository root (relative report path).
 */
public final class SuiteMain
{
    private static final List<String> EPSILON = List.of(
        "-XX:+UnlockExperimentalVMOptions", "-XX:+UseEpsilonGC", "-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch");

    /**
     * The latency step's JVM: besides the heap, no periodic "Cleanup" safepoint (by default the JVM stops every
     * thread about once a second for it), as docs/low-latency.md recommends; raw hand-off and engine alike.
     */
    private static final List<String> LATENCY_JVM =
        List.of("-Xms1g", "-Xmx1g", "-XX:+UnlockDiagnosticVMOptions", "-XX:GuaranteedSafepointInterval=0");

    private SuiteMain()
    {
    }

    /**
     * Runs the suite and writes the report.
     *
     * @param args {@code [--quick] [--out DIR]}.
     * @throws Exception if the report cannot be written.
     */
    public static void main(final String[] args) throws Exception
    {
        boolean quick = false;
        Path out = Path.of("perf", "reports");
        for (int i = 0; i < args.length; i++)
        {
            if ("--quick".equals(args[i]))
            {
                quick = true;
            }
            else if ("--out".equals(args[i]) && i + 1 < args.length)
            {
                out = Path.of(args[++i]);
            }
            else
            {
                throw new IllegalArgumentException("unknown argument '" + args[i] + "'; usage: SuiteMain [--quick] [--out DIR]");
            }
        }
        final String command = "java @perf/target/classes/sluice-jvm.options -cp " + System.getProperty("java.class.path") +
            " " + SuiteMain.class.getName() + (args.length > 0 ? " " + String.join(" ", args) : "");
        final Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        final long startNs = System.nanoTime();
        final List<String> machine = describe();
        final List<SuiteStep> steps = quick ? quick(out) : full(out);
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        final Path file = out.resolve("suite-" +
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(start) + (quick ? "-quick" : "") + ".md");
        SuiteReport.write(file, command, quick ? "quick" : "full", machine, start.toString(),
            Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), seconds, steps);
        System.out.printf("suite done in %.1f min; report: %s%n", seconds / 60, file);
    }

    private static List<SuiteStep> quick(final Path out)
    {
        final long t = 600;
        final List<SuiteStep> steps = new ArrayList<>();
        steps.add(SuiteChild.run("Journal append and replay vs raw memcpy into an mmap", List.of("-Xms1g", "-Xmx1g"),
            JournalThroughputMain.class, List.of("rounds=3", "mib=128"), t, SuiteParsers::journal));
        steps.add(SuiteChild.run("Journal replay vs raw scan of the same bytes, by CPU time", List.of("-Xms1g", "-Xmx1g"),
            JournalReplayMain.class, List.of("rounds=5", "mib=128"), t, SuiteParsers::journalReplayCpu));
        steps.add(SuiteChild.run("Engine throughput vs plain loop and raw Disruptor hand-off", List.of("-Xms2g", "-Xmx2g"),
            EngineThroughputMain.class, List.of("rounds=3", "events=5000000", "wait=YIELD"), t, SuiteParsers::engine));
        steps.add(SuiteChild.run("Live engine end to end as users measure it (fresh engine per run, W1)", List.of("-Xms2g", "-Xmx2g"),
            LiveEngineThroughputMain.class, List.of("rounds=3", "events=2000000", "configs=1x1,2x1,2x2", "wait=SLEEP"), t,
            SuiteParsers::live));
        steps.add(SuiteChild.run("Latency, in process, open loop, vs raw Disruptor hand-off and empty pipeline", LATENCY_JVM,
            LatencyMain.class, List.of("rates=100000,1000000", "seconds=3", "warmup=1", "profile=low-latency", "out=" + out), t,
            SuiteParsers::latency));
        steps.add(SuiteChild.run("Network latency, client -> daemon -> client over Aeron IPC and UDP, vs raw Aeron ping-pong",
            List.of("-Xmx256m"), NetLatencyMain.class, List.of("rate=10000", "seconds=3", "warmup=1", "rounds=1", "out=" + out), t,
            SuiteParsers::net));
        steps.add(SuiteChild.run("Restart from a checkpoint vs full replay", List.of("-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"),
            RestartMain.class, List.of("keys=100000", "history=4000000", "tail=200000", "partitions=2", "rounds=2"), t,
            SuiteParsers::restart));
        steps.add(SuiteChild.run("Checkpoint pause with a checkpoint a second", List.of("-Xms2g", "-Xmx2g"),
            CheckpointPauseMain.class, List.of("keys=100000", "seconds=4", "profile=low-latency"), t, SuiteParsers::checkpointPause));
        steps.add(SuiteChild.run("Allocation proof under Epsilon (50M events)", EPSILON,
            AllocationMain.class, List.of("events=50000000"), t, SuiteParsers::allocation));
        steps.add(SuiteJmh.run("Window operators (JMH, -prof gc)",
            new SuiteJmh.Spec("WindowOperatorBenchmark.events", List.of("kind=plain,tumbling,sliding", "eventsPerMs=128"), 1, 3, 1, true),
            SuiteParsers::windows));
        steps.add(SuiteJmh.run("Journal replay (JMH, -prof gc)",
            new SuiteJmh.Spec("JournalReplayBenchmark", List.of("payloadLength=64"), 1, 2, 1, true),
            SuiteParsers::journalReplayJmh));
        return steps;
    }

    private static List<SuiteStep> full(final Path out)
    {
        final long t = 3600;
        final List<SuiteStep> steps = new ArrayList<>();
        steps.add(SuiteChild.run("Journal append and replay vs raw memcpy into an mmap", List.of("-Xms1g", "-Xmx1g"),
            JournalThroughputMain.class, List.of("rounds=5", "mib=384"), t, SuiteParsers::journal));
        steps.add(SuiteChild.run("Journal replay vs raw scan of the same bytes, by CPU time", List.of("-Xms1g", "-Xmx1g"),
            JournalReplayMain.class, List.of("rounds=7", "mib=256"), t, SuiteParsers::journalReplayCpu));
        steps.add(SuiteChild.run("Engine throughput vs plain loop and raw Disruptor hand-off", List.of("-Xms2g", "-Xmx2g"),
            EngineThroughputMain.class, List.of("rounds=5", "events=10000000", "wait=YIELD"), t, SuiteParsers::engine));
        steps.add(SuiteChild.run("Live engine end to end as users measure it (fresh engine per run, W1)", List.of("-Xms2g", "-Xmx2g"),
            LiveEngineThroughputMain.class, List.of("rounds=5", "events=2000000", "configs=1x1,2x1,2x2", "wait=SLEEP"), t,
            SuiteParsers::live));
        steps.add(SuiteChild.run("Latency, in process, open loop, vs raw Disruptor hand-off and empty pipeline", LATENCY_JVM,
            LatencyMain.class, List.of("rates=100000,500000,1000000", "seconds=5", "warmup=2", "profile=low-latency", "out=" + out), t,
            SuiteParsers::latency));
        steps.add(SuiteChild.run("Network latency, client -> daemon -> client over Aeron IPC and UDP, vs raw Aeron ping-pong",
            List.of("-Xmx256m"), NetLatencyMain.class, List.of("rate=10000", "seconds=5", "warmup=2", "rounds=2", "out=" + out), t,
            SuiteParsers::net));
        steps.add(SuiteChild.run("Micro-batching vs one-at-a-time publication", List.of("-Xmx1g"),
            MicroBatchingMain.class, List.of("events=2000000", "rate=200000"), t, SuiteParsers::microBatching));
        // The target's sizes of state and tail (1M keys, 10M events since the checkpoint) on two partitions, one per core.
        steps.add(SuiteChild.run("Restart from a checkpoint vs full replay", List.of("-Xms6g", "-Xmx6g", "-XX:+AlwaysPreTouch"),
            RestartMain.class, List.of("keys=1000000", "history=20000000", "tail=10000000", "partitions=2", "rounds=2"), t,
            SuiteParsers::restart));
        steps.add(SuiteChild.run("Checkpoint pause with a checkpoint a second", List.of("-Xms4g", "-Xmx4g"),
            CheckpointPauseMain.class, List.of("keys=100000,1000000", "seconds=10", "profile=low-latency"), t, SuiteParsers::checkpointPause));
        steps.add(SuiteChild.run("Window snapshot and restore by state size (attribution of restart)", List.of("-Xms2g", "-Xmx2g"),
            WindowRestoreMain.class, List.of("62500", "250000", "1000000"), t, SuiteParsers::none));
        steps.add(SuiteChild.run("Allocation proof under Epsilon (50M events)", EPSILON,
            AllocationMain.class, List.of("events=50000000"), t, SuiteParsers::allocation));
        steps.add(SuiteJmh.run("Window operators (JMH, -prof gc)",
            new SuiteJmh.Spec("WindowOperatorBenchmark.events", List.of(), 2, 3, 1, true), SuiteParsers::windows));
        steps.add(SuiteJmh.run("Joins (JMH, -prof gc)",
            new SuiteJmh.Spec("JoinOperatorBenchmark", List.of(), 2, 3, 1, true), SuiteParsers::jmhAllocation));
        steps.add(SuiteJmh.run("Journal append sustained, with rolls (JMH, -prof gc)",
            new SuiteJmh.Spec("JournalAppendBenchmark", List.of(), 3, 5, 1, true),
            rows -> SuiteParsers.journalJmh(rows, ".journalAppend", ".rawCopy", "Journal append sustained vs raw copy", 0.8)));
        steps.add(SuiteJmh.run("Journal replay (JMH, -prof gc)",
            new SuiteJmh.Spec("JournalReplayBenchmark", List.of(), 3, 5, 1, true),
            SuiteParsers::journalReplayJmh));
        steps.add(SuiteJmh.run("DURABLE append: group commit vs force per append (JMH)",
            new SuiteJmh.Spec("DurableAppendBenchmark", List.of(), 3, 5, 1, false), SuiteParsers::jmhAllocation));
        steps.add(SuiteJmh.run("Cost of the per-record CRC32C (JMH, attribution)",
            new SuiteJmh.Spec("ChecksumBenchmark", List.of(), 3, 5, 1, false), SuiteParsers::jmhAllocation));
        return steps;
    }

    /**
     * The machine ({@link Machine#describe()}) and what the suite adds: where the children write and the
     * project flags every child and JMH fork gets.
     */
    private static List<String> describe()
    {
        final List<String> lines = new ArrayList<>(Machine.describe());
        final Path scratch = SuiteChild.scratchDirectory();
        try
        {
            lines.add("- Scratch directory (`-Dsluice.perf.dir`, default java.io.tmpdir): `" + scratch + "`, " +
                Files.getFileStore(scratch).type() + ", " + Files.getFileStore(scratch).getUsableSpace() / (1L << 30) +
                " GiB free at start");
        }
        catch (final IOException ex)
        {
            lines.add("- Scratch directory: `" + scratch + "` (" + ex + ")");
        }
        lines.add("- Project JVM flags given to every child and JMH fork (`perf/target/classes/sluice-jvm.options`): `" +
            String.join(" ", Machine.sluiceFlags()) + "`");
        return lines;
    }
}
