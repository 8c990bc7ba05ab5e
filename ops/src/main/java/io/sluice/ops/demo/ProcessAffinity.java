package io.sluice.ops.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import net.openhft.affinity.Affinity;
import net.openhft.affinity.impl.LinuxHelper;

import io.sluice.engine.runtime.CoreBudget;

/**
 * Moves every other thread this process has so far onto given CPUs (Linux {@code sched_setaffinity} on
 * each task of {@code /proc/self/task} but the caller's): the JIT compiler threads, the garbage
 * collector's workers, the VM thread, and through inheritance every thread they start later. The demo's
 * low-latency layout does this before the engine starts, so that the cores the processing threads then
 * pin themselves to run nothing else of this JVM: without {@code isolcpus}, a compiler thread the OS
 * places on a spinning thread's core takes turns with it for milliseconds at a time. The caller keeps
 * its affinity (the JVM sizes itself by the caller's: {@code Runtime.availableProcessors()}) and moves
 * itself once the engine has started. {@link #restore()} puts every moved thread back (the demo may run
 * inside a longer-lived JVM, such as a test's).
 *
 * <p>Used by the demo and by the perf suite's {@code LatencyMain} (for the engine and the raw hand-off alike).
 *
 * <p>Threading: create, and restore, from the thread that starts the engine.
 */
public final class ProcessAffinity
{
    private static final Path TASKS = Path.of("/proc/self/task");
    private static final String CPUS_ALLOWED = "Cpus_allowed_list:";

    private final Map<Integer, BitSet> moved = new HashMap<>();
    private String failure;

    private ProcessAffinity()
    {
    }

    /**
     * Moves the threads.
     *
     * @param cpus to run them on.
     * @return the moves, to restore.
     */
    public static ProcessAffinity moveOtherThreads(final BitSet cpus)
    {
        final ProcessAffinity affinity = new ProcessAffinity();
        affinity.move(cpus);
        return affinity;
    }

    /**
     * What could not be moved.
     *
     * @return null when every thread moved, else what failed (no Linux, no native support; a thread that
     *         ended meanwhile is not a failure).
     */
    public String failure()
    {
        return failure;
    }

    /**
     * Puts every moved thread that still runs back on the CPUs it had.
     */
    public void restore()
    {
        for (final Map.Entry<Integer, BitSet> entry : moved.entrySet())
        {
            try
            {
                LinuxHelper.sched_setaffinity(entry.getKey(), entry.getValue());
            }
            catch (final RuntimeException | LinkageError ex) // ended meanwhile
            {
                continue;
            }
        }
        moved.clear();
    }

    private void move(final BitSet cpus)
    {
        if (!Files.isDirectory(TASKS))
        {
            failure = "no " + TASKS + " (not Linux)";
            return;
        }
        final int self;
        try
        {
            self = Affinity.getThreadId();
        }
        catch (final RuntimeException | LinkageError ex)
        {
            failure = "no native thread id: " + ex;
            return;
        }
        int failed = 0;
        String first = null;
        try (Stream<Path> tasks = Files.list(TASKS))
        {
            for (final Path task : (Iterable<Path>)tasks::iterator)
            {
                final int tid = Integer.parseInt(task.getFileName().toString());
                if (tid == self)
                {
                    continue;
                }
                try
                {
                    final BitSet before = allowed(task);
                    LinuxHelper.sched_setaffinity(tid, cpus);
                    moved.put(tid, before);
                }
                catch (final RuntimeException | LinkageError | IOException ex)
                {
                    if (Files.exists(task))
                    {
                        failed++;
                        first = first == null ? ex.toString() : first;
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            failure = "cannot list " + TASKS + ": " + ex.getMessage();
            return;
        }
        failure = failed == 0 ? null : failed + " thread(s) not moved: " + first;
    }

    private static BitSet allowed(final Path task) throws IOException
    {
        final List<String> status = Files.readAllLines(task.resolve("status"));
        for (final String line : status)
        {
            if (line.startsWith(CPUS_ALLOWED))
            {
                return CoreBudget.parseCpuList(line.substring(CPUS_ALLOWED.length()).trim());
            }
        }
        throw new IOException("no " + CPUS_ALLOWED + " in " + task.resolve("status"));
    }
}
