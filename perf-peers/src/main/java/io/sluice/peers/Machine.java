package io.sluice.peers;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Facts about the machine and the build for the reports, read from {@code /proc}, the JVM and git.
 */
final class Machine
{
    private Machine()
    {
    }

    /**
     * The load average now.
     *
     * @return the 1, 5 and 15 minute load averages of {@code /proc/loadavg}, or "unknown".
     */
    static String loadAverage()
    {
        final String line = read("/proc/loadavg");
        final String[] parts = line.trim().split("\\s+");
        return parts.length >= 3 ? parts[0] + " " + parts[1] + " " + parts[2] : "unknown";
    }

    /**
     * Markdown list items describing the machine, the JVM and the source.
     *
     * @return the lines.
     */
    static List<String> describe()
    {
        final List<String> lines = new ArrayList<>();
        lines.add("- `nproc`: " + Runtime.getRuntime().availableProcessors() + "; CPU: " + field(read("/proc/cpuinfo"), "model name") +
            "; memory: " + field(read("/proc/meminfo"), "MemTotal"));
        lines.add("- OS: " + System.getProperty("os.name") + " " + System.getProperty("os.version") + "; JVM: " +
            System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + ", max heap " +
            (Runtime.getRuntime().maxMemory() >> 20) + " MiB, GC " + gcNames());
        lines.add("- JVM arguments: `" + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())
            .replaceAll("--add-(opens|exports)=\\S+ ?", "") .trim() + "` (plus the `--add-opens`/`--add-exports` of peers-jvm.options)");
        lines.add("- Source: git " + git("rev-parse", "HEAD") + " (" + git("rev-parse", "--abbrev-ref", "HEAD") + ")" +
            (git("status", "--porcelain", "--untracked-files=no").isEmpty() ? "" : ", with uncommitted changes"));
        return lines;
    }

    private static String gcNames()
    {
        final List<String> names = new ArrayList<>();
        ManagementFactory.getGarbageCollectorMXBeans().forEach(gc -> names.add(gc.getName()));
        return String.join(" + ", names);
    }

    private static String field(final String text, final String name)
    {
        for (final String line : text.split("\n"))
        {
            if (line.startsWith(name))
            {
                final int colon = line.indexOf(':');
                return colon < 0 ? line : line.substring(colon + 1).trim();
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
        argv.addAll(List.of(args));
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
