package io.sluice.ops.demo;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Who else ran while the demo ran: the CPU time of every task on the machine (other processes, kernel
 * threads, and this JVM's threads other than the spinning ones), from Linux's per-thread scheduler
 * statistics ({@code /proc/<pid>/task/<tid>/schedstat}) read before the first event is sent and after the
 * last is processed, so that reading them takes nothing from the sender while it sends. When the spinning threads fill every CPU (2 cpus: the processing thread on one, the sender on
 * the other), every millisecond another task ran was taken from one of them, and the events due meanwhile
 * waited: so this line names what a quiet machine still runs beside the demo (on the 2-core VM of
 * perf/README.md section 38, the kernel's {@code kdamond.0}, ~20 ms of CPU every ~0.6 s, in runs of up to a
 * scheduler tick).
 *
 * <p>Two readings of a few hundred small files, at the start and at the end, on the reporting thread;
 * nothing in between. Tasks that end in between are left out. Nothing is printed where
 * {@code /proc} does not offer these files.
 *
 * <p>Threading: the demo's reporting thread only.
 */
final class OtherTasksCpu
{
    /** Tasks named in the line, the busiest first. */
    static final int NAMED = 4;

    private final Path proc;
    private final long selfPid;
    private Map<Long, Task> first;
    private Map<Long, Task> last;
    private long firstNanos;
    private long lastNanos;

    /**
     * @param proc     the proc file system's root ({@code /proc}).
     * @param selfPid  this JVM's process id.
     */
    OtherTasksCpu(final Path proc, final long selfPid)
    {
        this.proc = proc;
        this.selfPid = selfPid;
    }

    /**
     * Reads this machine's tasks.
     *
     * @return the reader.
     */
    static OtherTasksCpu ofThisMachine()
    {
        return new OtherTasksCpu(Path.of("/proc"), ProcessHandle.current().pid());
    }

    /**
     * Marks the start, before the sender starts.
     */
    void start()
    {
        firstNanos = System.nanoTime();
        first = read();
        last = null;
    }

    /**
     * Marks the end, once everything was sent; a later call moves it.
     */
    void finish()
    {
        if (first != null)
        {
            last = read();
            lastNanos = System.nanoTime();
        }
    }

    /**
     * One line for the summary: the CPU time per second the busiest other tasks took between {@link #start()}
     * and {@link #finish()}, and this JVM's own non-spinning threads in all.
     *
     * @return the line, or null if not measured or nothing was readable.
     */
    String line()
    {
        if (first == null || last == null || first.isEmpty() || lastNanos <= firstNanos)
        {
            return null;
        }
        final double seconds = (lastNanos - firstNanos) / 1e9;
        final Map<String, Long> byName = otherProcessesByName();
        final Map<String, Long> own = ownThreadsByName();
        return String.format(Locale.ROOT, "  others       cpu time of the other tasks on this machine over the %.1f s of the run (with " +
            "every cpu spun, each took it from a spinning thread): other processes and kernel threads %s (most: %s); this JVM's " +
            "other threads %s (most: %s)", seconds, perSecond(sum(byName), seconds), busiest(byName, seconds),
            perSecond(sum(own), seconds), busiest(own, seconds));
    }

    private static long sum(final Map<String, Long> byName)
    {
        long total = 0;
        for (final long ran : byName.values())
        {
            total += ran;
        }
        return total;
    }

    /** The {@value #NAMED} busiest names with their CPU time per second, the busiest first, or "none". */
    private static String busiest(final Map<String, Long> byName, final double seconds)
    {
        final List<Map.Entry<String, Long>> busiest = new ArrayList<>(byName.entrySet());
        busiest.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        final List<String> named = new ArrayList<>();
        for (int i = 0; i < Math.min(NAMED, busiest.size()) && busiest.get(i).getValue() > 0; i++)
        {
            named.add(busiest.get(i).getKey() + " " + perSecond(busiest.get(i).getValue(), seconds));
        }
        return named.isEmpty() ? "none" : String.join(", ", named);
    }

    /**
     * CPU time the tasks of other processes (kernel threads included) ran between {@link #start()} and
     * {@link #finish()}, by name ({@code comm}); tasks that ended in between are left out (under a load of many
     * short processes, such as builds, the figure is a lower bound).
     *
     * @return nanoseconds per name; empty unless both ends were read.
     */
    Map<String, Long> otherProcessesByName()
    {
        final Map<String, Long> byName = new HashMap<>();
        forEachTaskThatRan((task, ran) ->
        {
            if (task.pid() != selfPid)
            {
                byName.merge(task.comm(), ran, Long::sum);
            }
        });
        return byName;
    }

    /**
     * CPU time this JVM's threads other than the spinning ones (processing threads, the sender) ran between
     * {@link #start()} and {@link #finish()}, by name ({@code comm}: the reporter is {@code java}, the command's thread).
     *
     * @return nanoseconds per name; empty unless both ends were read.
     */
    Map<String, Long> ownThreadsByName()
    {
        final Map<String, Long> byName = new HashMap<>();
        forEachTaskThatRan((task, ran) ->
        {
            if (task.pid() == selfPid && !SpinningThreadsCpu.PROCESSING_COMM.equals(task.comm()) &&
                !SpinningThreadsCpu.SENDER_COMM.equals(task.comm()))
            {
                byName.merge(task.comm(), ran, Long::sum);
            }
        });
        return byName;
    }

    private void forEachTaskThatRan(final java.util.function.ObjLongConsumer<Task> action)
    {
        if (first == null || last == null)
        {
            return;
        }
        for (final Map.Entry<Long, Task> entry : last.entrySet())
        {
            final Task before = first.get(entry.getKey());
            final Task after = entry.getValue();
            // A task started meanwhile ran all its time in the interval. (Its name may have changed: a kernel worker's
            // names the work queue it serves.)
            action.accept(after, before != null ? after.runNanos() - before.runNanos() : after.runNanos());
        }
    }

    private static String perSecond(final long nanos, final double seconds)
    {
        return String.format(Locale.ROOT, "%.1f ms/s", nanos / 1e6 / seconds);
    }

    private Map<Long, Task> read()
    {
        final Map<Long, Task> tasks = new HashMap<>();
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(proc, OtherTasksCpu::isNumber))
        {
            for (final Path process : processes)
            {
                readProcess(process, tasks);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // no /proc (not Linux): nothing to report
        }
        return tasks;
    }

    private static void readProcess(final Path process, final Map<Long, Task> into)
    {
        final long pid = Long.parseLong(process.getFileName().toString());
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(process.resolve("task"), OtherTasksCpu::isNumber))
        {
            for (final Path thread : threads)
            {
                try
                {
                    final String comm = taskName(Files.readString(thread.resolve("comm")).strip());
                    final long run = SpinningThreadsCpu.parseSchedstat(Files.readString(thread.resolve("schedstat")))[0];
                    into.put(Long.parseLong(thread.getFileName().toString()), new Task(pid, comm, run));
                }
                catch (final IOException | RuntimeException ex)
                {
                    // the thread ended meanwhile
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // the process ended meanwhile
        }
    }

    /**
     * A task's name as the line groups it: a kernel worker ({@code kworker/1:2-events}) without the work queue it
     * serves at the moment, which changes from one reading to the next.
     */
    static String taskName(final String comm)
    {
        final int queue = comm.indexOf('-');
        return comm.startsWith("kworker/") && queue > 0 ? comm.substring(0, queue) : comm;
    }

    private static boolean isNumber(final Path path)
    {
        final String name = path.getFileName().toString();
        for (int i = 0; i < name.length(); i++)
        {
            if (!Character.isDigit(name.charAt(i)))
            {
                return false;
            }
        }
        return !name.isEmpty();
    }

    private record Task(long pid, String comm, long runNanos)
    {
    }
}
