package io.sluice.perf;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A restart as a user sees it: {@link RestartMain}'s restart launched in a JVM of its own ({@code java}, the
 * project's flags, this JVM's heap limit and class path), timed from the process's start to the line the child
 * prints once {@code Engine.launch} has returned. That includes the JVM's start, class loading and the JIT of the
 * restart's code, which {@link RestartMain}'s own launches, in the JVM that wrote the checkpoint, do not pay.
 *
 * <p>The child's other lines (its recovery's phases) are echoed, prefixed {@code child:}. Its ready line, parsed here:
 * <pre>
 *   FRESH launch_s=&lt;Engine.launch wall s&gt; process_cpu_s=&lt;the child's CPU from its start to ready&gt; process_minflt=&lt;its minor page faults to ready&gt;
 * </pre>
 */
final class FreshRestart
{
    /**
     * The flag the launcher gives the daemon's JVM by default ({@code sluice run}, {@code SLUICE_HUGE_PAGES=on}): its heap
     * in transparent huge pages, so a restart of a large state takes a page fault per 2 MiB instead of per 4 KiB.
     */
    static final String DAEMON_HUGE_PAGES = "-XX:+UseTransparentHugePages";
    /**
     * The JIT thresholds the launcher gives the daemon's JVM ({@code sluice run}): a method is compiled once it has run 4x
     * as often as the JVM's defaults ask, so that the start's code that runs hundreds rather than millions of times is not
     * compiled before ready (perf/README.md, section 124).
     */
    static final String DAEMON_COMPILE_THRESHOLDS = "-XX:CompileThresholdScaling=4";
    /**
     * How the launcher has the daemon's JVM map its class data sharing archive: at the address it was written for, so
     * the JVM does not rewrite the archive's pointers at start (the JDK's default maps it at a random address).
     */
    static final List<String> DAEMON_ARCHIVE_MAPPING = List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0");
    /** Prefix of the line the child prints when ready. */
    static final String READY_PREFIX = "FRESH ";
    /** Longest a child may take from its start to its exit. */
    private static final long CHILD_TIMEOUT_SECONDS = 300;

    /** What one fresh restart took. */
    record Timing(double startToReadySeconds, double launchSeconds, double processCpuSeconds, long minorFaults)
    {
    }

    private FreshRestart()
    {
    }

    /**
     * Starts the child, waits for its ready line and its exit.
     *
     * @param jvmFlags  added to the project's flags (empty strings are ignored).
     * @param childArgs arguments of {@link RestartMain} in child mode.
     * @return the timing.
     * @throws IOException          if the child cannot start or fails.
     * @throws InterruptedException if interrupted while waiting.
     */
    static Timing run(final List<String> jvmFlags, final List<String> childArgs) throws IOException, InterruptedException
    {
        final List<String> argv = new ArrayList<>();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        argv.addAll(Machine.sluiceFlags());
        argv.add("-Xmx" + (Runtime.getRuntime().maxMemory() >> 20) + "m");
        argv.addAll(jvmFlags);
        argv.add("-cp");
        argv.add(System.getProperty("java.class.path"));
        argv.add(RestartMain.class.getName());
        argv.addAll(childArgs);
        argv.removeIf(String::isEmpty);
        final long start = System.nanoTime();
        final Process child = new ProcessBuilder(argv).redirectErrorStream(true).start();
        final List<String> output = Collections.synchronizedList(new ArrayList<>());
        final long[] readyAt = {0};
        // Read on a thread of its own: a child that hangs without closing its output cannot hang this process.
        final Thread reader = new Thread(() -> readLines(child, output, readyAt), "fresh-restart-output");
        reader.setDaemon(true);
        reader.start();
        final boolean exited = child.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!exited)
        {
            child.destroyForcibly().waitFor();
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
        final List<String> lines;
        synchronized (output)
        {
            lines = List.copyOf(output);
        }
        final String ready = lines.stream().filter(line -> line.startsWith(READY_PREFIX)).findFirst().orElse(null);
        if (!exited || child.exitValue() != 0 || ready == null)
        {
            throw new IOException("fresh restart child failed (" + (exited ? "exit " + child.exitValue() :
                "killed after " + CHILD_TIMEOUT_SECONDS + " s") + "), its output: " + lines);
        }
        final double startToReady = (readyAt[0] - start) / 1e9;
        for (final String line : lines)
        {
            if (!line.startsWith(READY_PREFIX))
            {
                System.out.println("  child: " + line.strip());
            }
        }
        return new Timing(startToReady, field(ready, "launch_s="), field(ready, "process_cpu_s="), (long)field(ready, "process_minflt="));
    }

    private static void readLines(final Process child, final List<String> output, final long[] readyAt)
    {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)))
        {
            for (String line = in.readLine(); line != null; line = in.readLine())
            {
                if (readyAt[0] == 0 && line.startsWith(READY_PREFIX))
                {
                    readyAt[0] = System.nanoTime();
                }
                output.add(line);
            }
        }
        catch (final IOException ex)
        {
            output.add("(output unreadable: " + ex + ")");
        }
    }

    private static double field(final String line, final String name)
    {
        final int at = line.indexOf(name);
        if (at < 0)
        {
            throw new IllegalArgumentException("no " + name + " in '" + line + "'");
        }
        final int end = line.indexOf(' ', at);
        return Double.parseDouble(line.substring(at + name.length(), end < 0 ? line.length() : end));
    }
}
