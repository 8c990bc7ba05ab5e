package io.sluice.ops.demo;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Whether the demo's spinning threads had their CPUs while it measured: for each processing thread and
 * the load generator's sender, from Linux's per-thread scheduler statistics ({@code /proc/self/task/<tid>/schedstat}),
 * the time it ran, the time it was ready to run but waited for its CPU, and how many times another task took
 * the CPU from it: its turns on the CPU but the first (a spinning thread never gives its CPU up by itself; it
 * blocks only at a safepoint or a lock, rare).
 *
 * <p>A busy-spinning thread that is never taken off its CPU runs for the whole interval and waits 0 ms:
 * then a long wait in the ring is the processing thread's own work (the stage timers' lines say which).
 * On a machine whose spinning cores are not isolated, other tasks still get a share of them (measured on
 * the 2-core VM of perf/README.md section 38: the kernel's {@code kdamond.0} and writeback workers, each
 * holding the CPU for up to a scheduler tick at a time), and each such turn keeps every event due
 * meanwhile waiting: in the ring when it is the processing thread's CPU, in the sender when it is the
 * sender's. This line tells those apart from the engine's work.
 *
 * <p>Threads are found by name ({@code comm}, which Linux cuts to 15 characters): the engine's
 * {@code sluice-processing-N} and the load generator's {@code sluice-loadgen-sender}. A thread that ended
 * before the last mark (the sender, once it has sent everything) keeps its figures as of the last mark it
 * was alive for; each thread's interval is printed with it. Nothing is printed where {@code /proc} does
 * not offer these files (not Linux, or a kernel without scheduler statistics).
 *
 * <p>Threading: the demo's reporting thread, but for {@link #mark()}, which the sender's thread also calls once it has
 * sent everything (so that nothing reads its file while it sends): the methods that read or change the readings are
 * synchronized, uncontended but for that one call.
 */
final class SpinningThreadsCpu
{
    /** {@code comm} of the engine's processing threads (their names cut to 15 characters), and how the line names them. */
    static final String PROCESSING_COMM = "sluice-processi";
    /** {@code comm} of the load generator's sender thread. */
    static final String SENDER_COMM = "sluice-loadgen-";

    private final Path tasks;
    /** Per thread id: its reading at {@link #start()}. */
    private final Map<Long, Reading> first = new TreeMap<>();
    /** Per thread id: its latest reading. */
    private final Map<Long, Reading> last = new TreeMap<>();
    /** Per thread id found by {@link #find()}: its {@code comm}. */
    private final Map<Long, String> found = new TreeMap<>();
    /** Per thread id found by {@link #find()}: its schedstat file, kept open for {@link #start} and {@link #mark}. */
    private final Map<Long, SchedstatFile> files = new TreeMap<>();
    private boolean started;

    /**
     * @param tasks directory of the process's threads ({@code /proc/self/task}).
     */
    SpinningThreadsCpu(final Path tasks)
    {
        this.tasks = tasks;
    }

    /**
     * Reads this JVM's threads.
     *
     * @return the reader.
     */
    static SpinningThreadsCpu ofThisJvm()
    {
        return new SpinningThreadsCpu(Path.of("/proc/self/task"));
    }

    /**
     * Reads of each file {@link #find()} makes after opening it, past the JIT's thresholds for the read and its parse
     * (a few hundred calls, as the demo's other warm-ups): the measured interval's start and marks then run compiled
     * code. They are the reporter's only reads while the sender sends, so they used to be its first ones: interpreted,
     * 0.5-2.4 ms each on the sender's cpu (perf/README.md section 119).
     */
    static final int WARM_READS = 500;

    /**
     * Finds the spinning threads running now, opens their schedstat files and reads each {@value #WARM_READS} times:
     * a walk of every thread's directory and {@code comm}, and some milliseconds of code that runs once. The demo calls
     * it on the sender's thread before its first event is due, so that the start of the measured interval
     * ({@link #start(Runnable)}) only reads the open files, in compiled code; a {@link #start(Runnable)} that follows no
     * {@code find} finds the threads itself.
     *
     * <p>Threading: any one thread; the {@link #start} that follows on another must see its writes (the demo's reporter
     * reads the sender's volatile origin, written after it).
     *
     * @return the threads found.
     */
    synchronized int find()
    {
        close();
        found.clear();
        for (final Reading reading : read())
        {
            try
            {
                files.put(reading.tid, SchedstatFile.open(tasks.resolve(Long.toString(reading.tid)).resolve("schedstat")));
                found.put(reading.tid, reading.comm);
            }
            catch (final IOException ex)
            {
                // the thread ended meanwhile: not one to report
            }
        }
        for (int round = 0; round < WARM_READS; round++)
        {
            for (final Map.Entry<Long, String> thread : found.entrySet())
            {
                readOpen(thread.getKey(), thread.getValue()); // a system call and a parse: nothing the JIT can drop
            }
        }
        return found.size();
    }

    /**
     * Marks the start of the measured interval: the threads running now are the ones reported.
     */
    void start()
    {
        find();
        start(() -> { });
    }

    /**
     * Marks the start of the measured interval for the threads {@link #find()} found (finding them first if it was not
     * called): each one's open file is read, {@code betweenReads} running between two files (each read is a step of the
     * reporter's turn on the sender's cpu).
     *
     * @param betweenReads run after each thread's file but the last.
     */
    synchronized void start(final Runnable betweenReads)
    {
        if (found.isEmpty())
        {
            find();
        }
        started = true;
        first.clear();
        last.clear();
        int read = 0;
        for (final Map.Entry<Long, String> thread : found.entrySet())
        {
            if (read++ > 0)
            {
                betweenReads.run();
            }
            final Reading reading = readOpen(thread.getKey(), thread.getValue());
            if (reading != null)
            {
                first.put(reading.tid, reading);
                last.put(reading.tid, reading);
            }
        }
    }

    /**
     * Closes the files {@link #mark} reads; a later {@link #start()} opens them again.
     */
    synchronized void close()
    {
        for (final SchedstatFile file : files.values())
        {
            file.close();
        }
        files.clear();
        found.clear();
    }

    /**
     * Marks how far the measured interval has come, for the threads still running.
     */
    void mark()
    {
        mark(() -> { });
    }

    /**
     * As {@link #mark()}, running {@code betweenReads} between two threads' files: each read is a step of the reporter's
     * turn on the sender's cpu (the reads of all took 0.38-0.63 ms a second, perf/README.md section 52).
     *
     * @param betweenReads run after each thread's file but the last.
     */
    synchronized void mark(final Runnable betweenReads)
    {
        if (!started)
        {
            return;
        }
        // Only the threads found at the start, one small file each, kept open: once a second on the reporter's cpu,
        // the sender's.
        int read = 0;
        for (final Reading known : first.values())
        {
            if (read++ > 0)
            {
                betweenReads.run();
            }
            final Reading reading = readOpen(known.tid, known.comm);
            if (reading != null)
            {
                last.put(known.tid, reading);
            }
        }
    }

    /**
     * A thread's reading from its open file.
     *
     * @return null if the thread has ended (an empty read), its file is not open, or it is not scheduler statistics as
     *     this class knows them: the thread keeps its last reading.
     */
    private Reading readOpen(final long tid, final String comm)
    {
        final SchedstatFile file = files.get(tid);
        final long now = System.nanoTime();
        try
        {
            return file != null && file.read() ? new Reading(tid, comm, now, file.runNanos(), file.waitNanos(), file.slices()) : null;
        }
        catch (final IllegalArgumentException ex)
        {
            return null;
        }
    }

    /**
     * One line for the summary: each spinning thread's time on and off its CPU from {@link #start()} to its last
     * {@link #mark()}.
     *
     * @return the line, or null if never started or nothing was found.
     */
    synchronized String line()
    {
        if (!started || first.isEmpty())
        {
            return null;
        }
        final List<String> parts = new ArrayList<>();
        for (final Map.Entry<Long, Reading> entry : first.entrySet())
        {
            final Reading from = entry.getValue();
            final Reading to = last.get(entry.getKey());
            parts.add(String.format(Locale.ROOT, "%s ran %s of %s, waited %s for its cpu, taken off it %d times",
                PROCESSING_COMM.equals(from.comm) ? "processing thread" : "sender", DemoFormat.nanos(to.runNanos - from.runNanos),
                DemoFormat.nanos(to.atNanos - from.atNanos), DemoFormat.nanos(to.waitNanos - from.waitNanos),
                Math.max(0, to.slices - from.slices - 1)));
        }
        return "  cpu          while measuring (Linux schedstat; time another task held its cpu is time its events waited): " +
            String.join("; ", parts);
    }

    /**
     * Spinning threads found at {@link #start()}.
     *
     * @return their number.
     */
    int threads()
    {
        return first.size();
    }

    /**
     * CPU time the threads of this {@code comm} ran from {@link #start()} to their last {@link #mark()}.
     *
     * @param comm {@link #PROCESSING_COMM} or {@link #SENDER_COMM}.
     * @return nanoseconds, summed over those threads.
     */
    long ranNanos(final String comm)
    {
        long sum = 0;
        for (final Map.Entry<Long, Reading> entry : first.entrySet())
        {
            if (entry.getValue().comm.equals(comm))
            {
                sum += last.get(entry.getKey()).runNanos - entry.getValue().runNanos;
            }
        }
        return sum;
    }

    private List<Reading> read()
    {
        final List<Reading> readings = new ArrayList<>();
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks))
        {
            for (final Path thread : threads)
            {
                final Reading reading = readThread(thread);
                if (reading != null)
                {
                    readings.add(reading);
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // no /proc (not Linux): nothing to report
        }
        return readings;
    }

    private static Reading readThread(final Path thread)
    {
        try
        {
            final String comm = Files.readString(thread.resolve("comm")).strip();
            if (!PROCESSING_COMM.equals(comm) && !SENDER_COMM.equals(comm))
            {
                return null;
            }
            return readSchedstat(thread, Long.parseLong(thread.getFileName().toString()), comm);
        }
        catch (final IOException | RuntimeException ex)
        {
            return null; // the thread ended meanwhile, or the kernel has no scheduler statistics
        }
    }

    private static Reading readSchedstat(final Path thread, final long tid, final String comm)
    {
        try
        {
            final long now = System.nanoTime();
            final long[] schedstat = parseSchedstat(Files.readString(thread.resolve("schedstat")));
            return new Reading(tid, comm, now, schedstat[0], schedstat[1], schedstat[2]);
        }
        catch (final IOException | RuntimeException ex)
        {
            return null; // the thread ended meanwhile, or the kernel has no scheduler statistics
        }
    }

    /**
     * Parses {@code /proc/<pid>/task/<tid>/schedstat}: nanoseconds on the CPU, nanoseconds waiting on a run
     * queue, and time slices.
     *
     * @param text of the file.
     * @return {run ns, wait ns, time slices}.
     * @throws IllegalArgumentException naming the text if it is not three numbers.
     */
    static long[] parseSchedstat(final String text)
    {
        final String[] fields = text.strip().split("\\s+");
        if (fields.length != 3)
        {
            throw new IllegalArgumentException("schedstat is not 'run_ns wait_ns slices': '" + text.strip() + "'");
        }
        return new long[] { Long.parseLong(fields[0]), Long.parseLong(fields[1]), Long.parseLong(fields[2]) };
    }

    private static final class Reading
    {
        final long tid;
        final String comm;
        final long atNanos;
        final long runNanos;
        final long waitNanos;
        final long slices;

        Reading(final long tid, final String comm, final long atNanos, final long runNanos, final long waitNanos, final long slices)
        {
            this.tid = tid;
            this.comm = comm;
            this.atNanos = atNanos;
            this.runNanos = runNanos;
            this.waitNanos = waitNanos;
            this.slices = slices;
        }
    }
}
