package io.sluice.perf;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs one benchmark main of this module in a child JVM, so that each gets its own flags and heap (Epsilon
 * and a small heap for the allocation proof), and keeps what it printed for the report.
 *
 * <p>The child is {@code java <sluice JVM flags> <jvmArgs> -cp <this JVM's class path> <main> <args>}: the
 * same JDK and jar as the suite. Its output is echoed to this process's stdout line by line as it comes.
 * Called from the suite's main thread only.
 */
final class SuiteChild
{
    private SuiteChild()
    {
    }

    /**
     * Runs the child to completion (or kills it at the time-out) and parses its output.
     *
     * @param title      of the step in the report.
     * @param jvmArgs    for this child in addition to the project's flags (heap, GC).
     * @param mainClass  to run.
     * @param args       of the main.
     * @param timeoutSec after which the child is destroyed and the step reported as failed.
     * @param parser     reading the figures from the output lines.
     * @return the step.
     */
    static SuiteStep run(
        final String title,
        final List<String> jvmArgs,
        final Class<?> mainClass,
        final List<String> args,
        final long timeoutSec,
        final Function<List<String>, List<SuiteFigure>> parser)
    {
        final List<String> argv = new ArrayList<>();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        argv.addAll(Machine.sluiceFlags());
        argv.addAll(jvmArgs);
        argv.add("-cp");
        argv.add(System.getProperty("java.class.path"));
        argv.add(mainClass.getName());
        argv.addAll(args);
        final String shown = "java @perf/target/classes/sluice-jvm.options " + String.join(" ", jvmArgs) +
            " -cp " + System.getProperty("java.class.path") + " " + mainClass.getName() + " " + String.join(" ", args);

        System.out.println("=== " + title + ": " + shown);
        final String loadBefore = Machine.loadAverage();
        final String startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        final long start = System.nanoTime();
        final List<String> output = new ArrayList<>();
        String status;
        try
        {
            final Process child = new ProcessBuilder(argv).redirectErrorStream(true).start();
            final Thread reader = new Thread(() -> copy(child, output), "suite-child-output");
            reader.setDaemon(true);
            reader.start();
            if (child.waitFor(timeoutSec, TimeUnit.SECONDS))
            {
                reader.join(TimeUnit.SECONDS.toMillis(10));
                status = child.exitValue() == 0 ? "ok" : "FAILED: exit code " + child.exitValue();
            }
            else
            {
                child.destroyForcibly().waitFor();
                reader.join(TimeUnit.SECONDS.toMillis(10));
                status = "FAILED: killed after the time-out of " + timeoutSec + " s";
            }
        }
        catch (final IOException ex)
        {
            status = "FAILED: " + ex;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            status = "FAILED: interrupted";
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        final String loadAfter = Machine.loadAverage();
        final List<String> lines;
        synchronized (output)
        {
            lines = List.copyOf(output);
        }
        return new SuiteStep(title, shown, startedAt, seconds, loadBefore, loadAfter, status, lines, parser.apply(lines));
    }

    /**
     * Whether the scratch directory the children write to exists; children fail clearly without it.
     *
     * @return the directory the benchmarks write their files to.
     */
    static Path scratchDirectory()
    {
        final Path dir = Path.of(System.getProperty("sluice.perf.dir", System.getProperty("java.io.tmpdir")));
        if (!Files.isDirectory(dir))
        {
            throw new IllegalStateException("scratch directory " + dir + " does not exist");
        }
        return dir;
    }

    private static void copy(final Process child, final List<String> output)
    {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)))
        {
            for (String line = in.readLine(); line != null; line = in.readLine())
            {
                System.out.println("  | " + line);
                synchronized (output)
                {
                    output.add(line);
                }
            }
        }
        catch (final IOException ex)
        {
            synchronized (output)
            {
                output.add("(suite: output stream failed: " + ex + ")");
            }
        }
    }
}
