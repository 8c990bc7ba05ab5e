package io.sluice.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.sluice.ops.cli.ExitCodes;
import io.sluice.ops.cli.SluiceVersion;

/**
 * Runs the real {@code ./sluice} launcher on what {@code mvn package} built (SLUICE_BUILD=never, so
 * it cannot start a nested Maven build), from a working directory outside the repository: class
 * path, the JVM flags argfile and SLUICE_JAVA_OPTS as a user gets them.
 */
class LauncherIT
{
    private static final Path LAUNCHER =
        Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath().getParent().resolve("sluice");

    @TempDir
    Path workDir;

    @Test
    void shouldRunVersionFromAnotherDirectory() throws Exception
    {
        final Run run = sluice(Map.of(), "version");

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(run.out).startsWith("sluice " + SluiceVersion.version() + "\n");
    }

    @Test
    void shouldAppendThenDumpThroughTheLauncherWithRelativeDirectory() throws Exception
    {
        final Run append = sluice(Map.of(), "journal", "append", "-d", "j", "-t", "t", "--create", "2", "-k", "9", "hi");
        final Run dump = sluice(Map.of(), "journal", "dump", "-d", "j", "-t", "t");

        assertThat(append.exitCode).as(append.toString()).isZero();
        assertThat(dump.exitCode).as(dump.toString()).isZero();
        assertThat(dump.out).contains("key=0x0000000000000009 length=2 payload=6869");
        assertThat(workDir.resolve("j/t")).isDirectory();
    }

    @Test
    void shouldRunSmallDemoWithChronicleFlagsAndExtraJavaOpts() throws Exception
    {
        final Run demo = sluice(Map.of("SLUICE_JAVA_OPTS", "-Xmx256m -Dsluice.it=1"), "demo", "journal", "-n", "50000", "-p", "2");

        assertThat(demo.exitCode).as(demo.toString()).isZero();
        assertThat(demo.out).contains("verified");
        assertThat(demo.err).doesNotContain("WARNING");
    }

    @Test
    void shouldRunTheDemoWithoutPeriodicSafepointsOrLateDeoptimisationButNoOtherCommand() throws Exception
    {
        final Map<String, String> printFlags = Map.of("SLUICE_JAVA_OPTS", "-Xmx256m -XX:+PrintFlagsFinal");
        final Run demo = sluice(printFlags, "demo", "journal", "-n", "50000", "-p", "2");
        final Run version = sluice(printFlags, "version");

        assertThat(demo.exitCode).as(demo.toString()).isZero();
        assertThat(demo.out).containsPattern("GuaranteedSafepointInterval\\s+= 0\\s").containsPattern("PerMethodTrapLimit\\s+= 0\\s")
            .containsPattern("PerBytecodeTrapLimit\\s+= 0\\s");
        // C1 only where the compiler threads share the sender's cpu (at most 2 cpus), C2 as usual elsewhere.
        assertThat(demo.out).containsPattern("TieredStopAtLevel\\s+= " + (Runtime.getRuntime().availableProcessors() <= 2 ? 1 : 4) + "\\s");
        assertThat(version.out).containsPattern("TieredStopAtLevel\\s+= 4\\s");
        assertThat(version.exitCode).as(version.toString()).isZero();
        assertThat(version.out).containsPattern("PerMethodTrapLimit\\s+= 100\\s").doesNotContain("GuaranteedSafepointInterval");
    }

    @Test
    void shouldGiveTheDaemonHugePagesClassDataSharingAndLaterCompilesByDefaultButNoOtherCommand() throws Exception
    {
        final Path archive = cdsArchive("run");
        Files.deleteIfExists(archive);
        final Map<String, String> printFlags = Map.of("SLUICE_JAVA_OPTS", "-Xmx256m -XX:+PrintFlagsFinal");
        final Map<String, String> off = Map.of("SLUICE_HUGE_PAGES", "off", "SLUICE_CDS", "off",
            "SLUICE_JAVA_OPTS", "-Xmx256m -XX:+PrintFlagsFinal");
        // The daemon's JVM starts with both (its command then fails on the missing configuration file).
        final Run daemon = sluice(printFlags, "run", "--config", "missing.yaml");
        final Run daemonWithout = sluice(off, "run", "--config", "missing.yaml");
        final Run version = sluice(printFlags, "version");

        // Asked for only where this machine's kernel offers them; where it does not, the JVM gets no flag to warn about.
        assertThat(daemon.out).as(daemon.toString())
            .containsPattern("UseTransparentHugePages\\s+= " + kernelOffersTransparentHugePages() + "\\s")
            .doesNotContain("UseTransparentHugePages disabled")
            .containsPattern("CompileThresholdScaling\\s+= 4\\.0+\\s")
            .containsPattern("ArchiveClassesAtExit\\s+= " + Pattern.quote(archive.toString()) + "\\.\\d+\\s");
        assertThat(daemon.exitCode).as(daemon.toString()).isEqualTo(daemonWithout.exitCode).isNotZero();
        // A run that failed archived only the classes it got to: neither kept nor left behind.
        assertThat(archive).doesNotExist();
        assertThat(writtenArchives(archive)).isEmpty();
        assertThat(daemonWithout.out).as(daemonWithout.toString()).containsPattern("UseTransparentHugePages\\s+= false\\s")
            .containsPattern("ArchiveClassesAtExit\\s+= \\s");
        assertThat(daemonWithout.out).as(daemonWithout.toString()).containsPattern("CompileThresholdScaling\\s+= 4\\.0+\\s");
        assertThat(version.out).as(version.toString()).containsPattern("UseTransparentHugePages\\s+= false\\s")
            .containsPattern("CompileThresholdScaling\\s+= 1\\.0+\\s")
            .containsPattern("ArchiveClassesAtExit\\s+= \\s").containsPattern("SharedArchiveFile\\s+= \\s");
        assertThat(version.exitCode).as(version.toString()).isZero();
        final Run refused = sluice(Map.of("SLUICE_HUGE_PAGES", "yes"), "version");
        assertThat(refused.exitCode).isNotZero();
        assertThat(refused.err).contains("SLUICE_HUGE_PAGES must be on or off, not 'yes'");
    }

    @Test
    void shouldPassExitCodesAndHonourSluiceJavaOpts() throws Exception
    {
        assertThat(sluice(Map.of(), "journal", "dump").exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(sluice(Map.of(), "journal", "stats", "-d", "missing").exitCode).isEqualTo(ExitCodes.FAILURE);
        final Run badFlag = sluice(Map.of("SLUICE_JAVA_OPTS", "-XX:+NoSuchSluiceFlag"), "version");
        assertThat(badFlag.exitCode).isNotZero();
        assertThat(badFlag.err).contains("NoSuchSluiceFlag");
    }

    @Test
    void shouldWriteAClassDataSharingArchiveOnAFirstRunAndMapItOnTheNext() throws Exception
    {
        final Path archive = cdsArchive("version");
        Files.deleteIfExists(archive);
        try
        {
            final Run first = sluice(Map.of("SLUICE_CDS", "on"), "version");
            assertThat(first.exitCode).as(first.toString()).isZero();
            assertThat(first.out).startsWith("sluice " + SluiceVersion.version() + "\n");
            assertThat(archive).isRegularFile();

            // The launcher turns the JVM's notes on class data sharing off; SLUICE_JAVA_OPTS comes after and turns them on.
            final Run second = sluice(Map.of("SLUICE_CDS", "on", "SLUICE_JAVA_OPTS", "-Xlog:cds=info -XX:+PrintFlagsFinal"), "version");
            assertThat(second.exitCode).as(second.toString()).isZero();
            assertThat(second.out).contains("Opened archive " + archive).contains("sluice " + SluiceVersion.version() + "\n")
                .containsPattern("ArchiveRelocationMode\\s+= 0\\s"); // mapped where it was written for, not relocated
            assertThat(writtenArchives(archive)).isEmpty();
        }
        finally
        {
            Files.deleteIfExists(archive);
        }
    }

    @Test
    void shouldKeepNoArchiveOfARunThatWasKilled() throws Exception
    {
        final Path archive = cdsArchive("demo");
        Files.deleteIfExists(archive);
        final ProcessBuilder builder = new ProcessBuilder(
                LAUNCHER.toString(), "demo", "-t", "600", "--no-dashboard", "-d", "data", "-o", "report")
            .directory(workDir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(workDir.resolve("killed.txt").toFile())
            .redirectErrorStream(true);
        builder.environment().put("SLUICE_BUILD", "never");
        builder.environment().put("SLUICE_CDS", "on");
        builder.environment().put("SLUICE_JAVA_OPTS", "-Xmx1g");
        // A run that lasts until it is killed: a journal demo of 500M events once ended by itself within a second,
        // out of heap, before the test's kill, and the launcher rightly passed on its exit code 1.
        final Process launcher = builder.start();
        try
        {
            // Without an archive the launcher waits for java instead of becoming it: java is its child (the one running
            // java: the launcher's own checks may have short-lived children before it).
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            ProcessHandle java = null;
            while (java == null && System.nanoTime() < deadline && launcher.isAlive())
            {
                java = launcher.toHandle().children().filter(LauncherIT::isJava).findFirst().orElse(null);
                Thread.sleep(10); // poll interval of a wait bounded by the deadline above
            }
            assertThat(java).as("the launcher's java").isNotNull();
            java.destroyForcibly();

            assertThat(launcher.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(launcher.exitValue()).isEqualTo(137);
            assertThat(archive).doesNotExist();
            assertThat(writtenArchives(archive)).isEmpty();
        }
        finally
        {
            launcher.destroyForcibly().waitFor();
            Files.deleteIfExists(archive);
        }
    }

    @Test
    void shouldKeepTheArchiveOfADaemonStoppedBySigtermAndMapItOnItsNextStart() throws Exception
    {
        final Path archive = cdsArchive("run");
        Files.deleteIfExists(archive);
        Files.writeString(workDir.resolve("trades.csv"), "sym,px,qty,ts\n1,10.0,5,1000\n2,11.0,6,2000\n");
        Files.writeString(workDir.resolve("sluice.yaml"), """
            data_dir: data
            partitions: 2
            wait_strategy: sleep
            checkpoint:
              interval: 0
            schemas:
              trade: {sym: LONG, px: DOUBLE, qty: LONG, ts: TIMESTAMP}
            pipelines:
              - {name: trades-out, source: trades, schema: trade, partition_key: sym, event_time: ts, sink: out}
            sinks:
              out: {type: journal}
            ingress:
              - {type: file, topic: trades, path: trades.csv}
            """);
        try
        {
            // SLUICE_CDS left to its default: the daemon's first run writes the archive at its exit, its exit status 0.
            final String first = runDaemonUntilSigterm("first", Map.of());
            assertThat(archive).as(first).isRegularFile();
            assertThat(writtenArchives(archive)).isEmpty();

            final String second = runDaemonUntilSigterm("second", Map.of("SLUICE_JAVA_OPTS", "-Xlog:cds=info"));
            assertThat(second).contains("Opened archive " + archive + ".");
        }
        finally
        {
            Files.deleteIfExists(archive);
        }
    }

    /** Starts {@code sluice run} in the work directory, stops it with SIGTERM once running; its output, exit status 0. */
    private String runDaemonUntilSigterm(final String name, final Map<String, String> env) throws Exception
    {
        final Path output = workDir.resolve(name + ".txt");
        final ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString(), "run", "--config", "sluice.yaml")
            .directory(workDir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(output.toFile())
            .redirectErrorStream(true);
        builder.environment().put("SLUICE_BUILD", "never");
        builder.environment().remove("SLUICE_JAVA_OPTS");
        builder.environment().remove("SLUICE_CDS");
        builder.environment().putAll(env);
        final Process launcher = builder.start();
        try
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            while (launcher.isAlive() && System.nanoTime() < deadline && !Files.readString(output).contains("INFO sluice - running:"))
            {
                Thread.sleep(50); // poll interval of a wait bounded by the deadline above
            }
            final String started = Files.readString(output);
            assertThat(started).as(name + " run's output").contains("INFO sluice - running:");
            launcher.destroy(); // SIGTERM to the launcher: it forwards it to java, or is java
            // The stop drains, writes the final checkpoint and, on a first run, the archive, which the launcher then tries.
            assertThat(launcher.waitFor(300, TimeUnit.SECONDS)).as(name + " run stopped").isTrue();
            final String all = Files.readString(output);
            assertThat(launcher.exitValue()).as(all).isZero();
            return all;
        }
        finally
        {
            launcher.descendants().forEach(ProcessHandle::destroyForcibly); // none left after a normal stop
            launcher.destroyForcibly().waitFor();
        }
    }

    private static boolean isJava(final ProcessHandle process)
    {
        return process.info().command().map(command -> Path.of(command).getFileName().toString().equals("java")).orElse(false);
    }

    @Test
    void shouldRefuseAnUnknownClassDataSharingSetting() throws Exception
    {
        final Run run = sluice(Map.of("SLUICE_CDS", "yes"), "version");

        assertThat(run.exitCode).isNotZero();
        assertThat(run.err).contains("SLUICE_CDS must be auto, on or off, not 'yes'");
    }

    /**
     * Whether the kernel backs a JVM's madvised heap with transparent huge pages: its mode (the bracketed word of
     * {@code /sys/kernel/mm/transparent_hugepage/enabled}) is {@code always} or {@code madvise}; false without the file.
     */
    private static boolean kernelOffersTransparentHugePages() throws IOException
    {
        final Path mode = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        if (!Files.isReadable(mode))
        {
            return false;
        }
        final String text = Files.readString(mode, StandardCharsets.US_ASCII);
        return text.contains("[always]") || text.contains("[madvise]");
    }

    private static Path cdsArchive(final String command)
    {
        return LAUNCHER.getParent().resolve("ops").resolve("target").resolve("sluice-cds-" + command + ".jsa");
    }

    /** Archives a run was writing (the final name, a dot and its pid) that the launcher left behind. */
    private static List<Path> writtenArchives(final Path archive) throws IOException
    {
        try (Stream<Path> files = Files.list(archive.getParent()))
        {
            return files.filter(f -> f.getFileName().toString().startsWith(archive.getFileName() + ".")).toList();
        }
    }

    private Run sluice(final Map<String, String> env, final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(LAUNCHER.toString());
        command.addAll(List.of(args));
        final Path out = workDir.resolve("stdout.txt");
        final Path err = workDir.resolve("stderr.txt");
        final ProcessBuilder builder = new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
        builder.environment().put("SLUICE_BUILD", "never");
        builder.environment().remove("SLUICE_JAVA_OPTS");
        builder.environment().putAll(env);
        final Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor();
            throw new AssertionError("sluice " + String.join(" ", args) + " did not finish in 120 s");
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
    }

    private static final class Run
    {
        final int exitCode;
        final String out;
        final String err;

        Run(final int exitCode, final String out, final String err)
        {
            this.exitCode = exitCode;
            this.out = out;
            this.err = err;
        }

        @Override
        public String toString()
        {
            return "exit " + exitCode + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }
}
