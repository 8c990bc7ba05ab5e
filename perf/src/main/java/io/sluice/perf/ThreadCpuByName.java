package io.sluice.perf;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of every thread of this process so far, the JVM's own included (JIT compilers, GC, VM thread), summed by
 * thread name with its trailing digits dropped ({@code "C2 CompilerThread0"} and {@code "C2 CompilerThread1"} count as
 * one), from {@code /proc/self/task/<tid>/stat} (Linux; user plus system time, in clock ticks of 10 ms). Threads that
 * already ended are not counted; also another process's ({@link #millisByName(long)}). Reads allocate: call it outside
 * timed code.
 */
final class ThreadCpuByName
{
    private static final Path TASKS = Path.of("/proc/self/task");
    /** Fields utime and stime after the command name's closing parenthesis (fields 14 and 15 of the line, from 1). */
    private static final int UTIME_FIELD = 11;
    /** Field minflt after the command name's closing parenthesis (field 10 of the line, from 1). */
    private static final int MINFLT_FIELD = 7;
    private static final int STIME_FIELD = 12;
    /** Milliseconds per clock tick ({@code getconf CLK_TCK} is 100 on Linux). */
    private static final int MILLIS_PER_TICK = 10;

    private ThreadCpuByName()
    {
    }

    /**
     * The threads' CPU so far, by name, most first.
     *
     * @return e.g. {@code "C2 CompilerThread 1,230 ms, main 410 ms, ..."}, or a sentence saying why there is none.
     */
    static String describe()
    {
        final Map<String, Long> millis = millisByName(TASKS);
        if (millis == null)
        {
            return "(thread CPU unavailable)";
        }
        final StringBuilder line = new StringBuilder();
        millis.entrySet().stream().filter(e -> e.getValue() > 0).sorted(Map.Entry.<String, Long>comparingByValue().reversed())
            .forEach(e -> line.append(line.length() == 0 ? "" : ", ").append(e.getKey()).append(' ')
                .append(String.format("%,d", e.getValue())).append(" ms"));
        return line.toString();
    }

    /**
     * The CPU so far of another process's threads, by name (trailing digits dropped), in milliseconds.
     *
     * @param pid of the process.
     * @return the milliseconds by name, or null if they could not be read (the process ended).
     */
    static Map<String, Long> millisByName(final long pid)
    {
        return millisByName(Path.of("/proc", Long.toString(pid), "task"));
    }

    /**
     * The minor page faults so far of another process's threads, by name (trailing digits dropped).
     *
     * @param pid of the process.
     * @return the counts by name, or null if they could not be read (the process ended).
     */
    static Map<String, Long> minorFaultsByName(final long pid)
    {
        return sumByName(Path.of("/proc", Long.toString(pid), "task"), MINFLT_FIELD, -1, 1);
    }

    /**
     * Minor page faults per event between two {@link #minorFaultsByName(long)} reads, the threads that took any, most first.
     *
     * @param before the earlier read.
     * @param after  the later read.
     * @param events handled between the two.
     * @return e.g. {@code "sluice-processing- 0.0310 faults/event (25,420), ..."}.
     */
    static String faultsPerEvent(final Map<String, Long> before, final Map<String, Long> after, final long events)
    {
        final StringBuilder line = new StringBuilder();
        delta(before, after).entrySet().stream().filter(e -> e.getValue() > 0)
            .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
            .forEach(e -> line.append(line.length() == 0 ? "" : ", ").append(String.format("%s %.4f faults/event (%,d)", e.getKey(),
                events == 0 ? 0.0 : (double)e.getValue() / events, e.getValue())));
        return line.toString();
    }

    private static Map<String, Long> delta(final Map<String, Long> before, final Map<String, Long> after)
    {
        final Map<String, Long> delta = new TreeMap<>();
        after.forEach((name, value) -> delta.put(name, value - before.getOrDefault(name, 0L)));
        return delta;
    }

    /**
     * What a process's threads took between two {@link #millisByName(long)} reads, per event, most first.
     *
     * @param before the earlier read.
     * @param after  the later read.
     * @param events handled between the two.
     * @return e.g. {@code "total 12.30 us/event (1,230 ms); sluice-processing- 8.10 us/event (810 ms), ..."}.
     */
    static String perEvent(final Map<String, Long> before, final Map<String, Long> after, final long events)
    {
        final Map<String, Long> delta = delta(before, after);
        final long total = delta.values().stream().mapToLong(Long::longValue).sum();
        final StringBuilder line = new StringBuilder(perEvent("total", total, events)).append(';');
        delta.entrySet().stream().filter(e -> e.getValue() > 0).sorted(Map.Entry.<String, Long>comparingByValue().reversed())
            .forEach(e -> line.append(' ').append(perEvent(e.getKey(), e.getValue(), events)).append(','));
        line.setLength(line.length() - 1);
        return line.toString();
    }

    private static String perEvent(final String name, final long millis, final long events)
    {
        return String.format("%s %.2f us/event (%,d ms)", name, events == 0 ? 0.0 : millis * 1_000.0 / events, millis);
    }

    private static Map<String, Long> millisByName(final Path tasks)
    {
        return sumByName(tasks, UTIME_FIELD, STIME_FIELD, MILLIS_PER_TICK);
    }

    /** Per thread name, the sum of one or two numeric fields of each thread's stat line (second -1: none), times a scale. */
    private static Map<String, Long> sumByName(final Path tasks, final int field, final int secondField, final long scale)
    {
        final Map<String, Long> sums = new TreeMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tasks))
        {
            for (final Path task : entries)
            {
                final String stat;
                try
                {
                    stat = Files.readString(task.resolve("stat"));
                }
                catch (final IOException ended)
                {
                    continue;
                }
                final String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[#\\d]+$", "");
                final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                final long value = Long.parseLong(fields[field]) + (secondField < 0 ? 0 : Long.parseLong(fields[secondField]));
                sums.merge(name, value * scale, Long::sum);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
        return sums;
    }
}
