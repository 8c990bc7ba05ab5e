package io.sluice.perf;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Facts about the machine and the build for benchmark reports, read from {@code /proc}, the JVM and git:
 * the one description the suite ({@link SuiteMain}) and the peer benchmarks (module perf-peers) print.
 */
public final class Machine
{
    private Machine()
    {
    }

    /**
     * The project's JVM flags (Chronicle Map's opens/exports, analytics off), as the build wrote them.
     *
     * @return the flags, one per element.
     */
    public static List<String> sluiceFlags()
    {
        try
        {
            return Arrays.asList(BenchmarkMain.jvmFlags().split("\\s+"));
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read sluice-jvm.options", ex);
        }
    }

    /**
     * The load average now.
     *
     * @return the first three fields of {@code /proc/loadavg} (1, 5 and 15 minutes), or "unknown".
     */
    public static String loadAverage()
    {
        final String line = read("/proc/loadavg");
        final String[] fields = line.trim().split("\\s+");
        return fields.length >= 3 ? fields[0] + " " + fields[1] + " " + fields[2] : "unknown";
    }

    /**
     * The machine, the JVM (with this process's heap, collectors and arguments) and the source, as
     * Markdown list items.
     *
     * @return the lines.
     */
    public static List<String> describe()
    {
        final List<String> lines = new ArrayList<>();
        lines.add("- `nproc` (available processors): " + Runtime.getRuntime().availableProcessors());
        lines.add("- CPU (`/proc/cpuinfo` model name): " + field(read("/proc/cpuinfo"), "model name"));
        lines.add("- Memory (`/proc/meminfo` MemTotal): " + field(read("/proc/meminfo"), "MemTotal"));
        lines.add("- OS: " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " " +
            System.getProperty("os.arch"));
        lines.add("- JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") +
            " (" + System.getProperty("java.vm.vendor") + "), max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB, GC " +
            gcNames());
        lines.add("- JVM arguments of the reporting process: `" + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())
            .replaceAll("--add-(opens|exports)=\\S+ ?", "").trim() + "` (plus the project's `--add-opens`/`--add-exports`)");
        lines.add("- Source: git " + git("rev-parse", "HEAD") + " on branch " + git("rev-parse", "--abbrev-ref", "HEAD") +
            gitState());
        return lines;
    }

    private static String gcNames()
    {
        final List<String> names = new ArrayList<>();
        ManagementFactory.getGarbageCollectorMXBeans().forEach(gc -> names.add(gc.getName()));
        return String.join(" + ", names);
    }

    private static String gitState()
    {
        final String status = git("status", "--porcelain", "--untracked-files=no");
        return status.isEmpty() ? " (clean)" : "unknown".equals(status) ? "" : " (with uncommitted changes)";
    }

    private static String field(final String text, final String name)
    {
        for (final String line : text.split("\n"))
        {
            if (line.startsWith(name))
            {
                final int colon = line.indexOf(':');
                return colon < 0 ? line.trim() : line.substring(colon + 1).trim();
            }
        }
        return "unknown";
    }

    private static String read(final String file)
    {
        try
        {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    private static String git(final String... args)
    {
        final List<String> argv = new ArrayList<>();
        argv.add("git");
        argv.addAll(Arrays.asList(args));
        try
        {
            final Process git = new ProcessBuilder(argv).redirectErrorStream(true).start();
            final String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return git.waitFor(10, TimeUnit.SECONDS) && git.exitValue() == 0 ? out : "unknown";
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
