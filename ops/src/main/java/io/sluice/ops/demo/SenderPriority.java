package io.sluice.ops.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.stream.Stream;

import net.openhft.affinity.Affinity;

import io.sluice.engine.runtime.CoreBudget;
import io.sluice.engine.runtime.ThreadScheduling;

/**
 * Leaves the load generator's sender the CPU it shares with the rest of the JVM as far as that helps:
 * the threads there that no thread of the hot path ever waits for and that may work in long stretches
 * (the garbage collector's concurrent threads, the JVM's service threads, the dashboard's) move to Linux
 * {@code SCHED_IDLE} ({@link ThreadScheduling}). Why: on 2 cores the sender spins on CPU 0 between sends
 * 20 us apart, and a thread of equal priority that wants CPU 0 for longer than a wake-up takes turns with
 * it a scheduler tick at a time (4 ms at 250 Hz); every event due meanwhile leaves late and is counted
 * so. At {@code SCHED_IDLE} such a thread runs while the sender waits anyway, and otherwise gets about
 * 0.3% of the CPU.
 *
 * <p>The JIT compilers are the largest such competitor and are <em>not</em> lowered: starved of CPU,
 * they left the processing thread's code unoptimised for the whole run (measured under load, same
 * machine and minute: the engine's work per event p50 4.1-4.4 us and p99 18-22 us lowered, against
 * 1.2-1.4 us and 5.9-6.1 us not, and the sender no less late). What the JIT still compiles after the
 * warm-up remains the known cause of the sender's lateness on 2 cores (docs/low-latency.md).
 *
 * <p>Also kept at their priority: the threads pinned elsewhere (the processing threads on their own cores);
 * the VM thread and the collector's parallel workers, which run only while every Java thread, the sender
 * included, is stopped at a safepoint (lowered, they would only lengthen the pause); and the reporter and
 * the engine's background threads, which wake for microseconds at a time, and which the processing
 * thread may wait for: the journal's writer takes the segment lock its allocator holds while it
 * reserves, so a starved allocator holding it would stall the processing thread (measured: lowered, the
 * processing thread fell 200,000 events behind). Threads started later by a lowered thread inherit its
 * policy.
 *
 * <p>Linux lets a process lower its threads but raise them back only with {@code CAP_SYS_NICE} (or an
 * {@code RLIMIT_NICE} that allows it): without it, and in a JVM that outlives the demo (a test's), nothing
 * is lowered and {@link #line()} says so. {@link #restore()} puts back what it can.
 *
 * <p>Threading: {@link #lowerOthers} on the sender's thread before its first event; the rest from the
 * thread that ran the demo, after the sender has ended.
 */
final class SenderPriority
{
    private static final Path TASKS = Path.of("/proc/self/task");
    private static final String CPUS_ALLOWED = "Cpus_allowed_list:";
    /** Thread names (as {@code /proc} truncates them, to 15 characters) of the threads lowered, by kind. */
    private static final Map<String, List<String>> LOWERED_NAMES = Map.of(
        "GC concurrent", List.of("G1 "),
        "JVM service", List.of("VM Periodic Tas", "Sweeper thread", "Monitor Deflati", "Service Thread", "Common-Cleaner",
            "Notification Th", "Signal Dispatch", "Attach Listener", "Finalizer", "Reference Handl"),
        "dashboard", List.of("sluice-dashboar"));

    private final Map<Integer, ThreadScheduling.Setting> lowered = new LinkedHashMap<>();
    private final Map<String, Integer> loweredKinds = new LinkedHashMap<>();
    private int kept;
    private int keptElsewhere;
    private int failed;
    private String firstFailure;
    private String refusal;
    private boolean mayRestore;
    private String senderCpus = "?";

    private SenderPriority()
    {
    }

    /**
     * Lowers every other thread that may share the calling thread's (the sender's) CPUs.
     *
     * @param jvmEndsWithDemo whether this JVM ends with the demo (threads it cannot raise back may stay lowered).
     * @return what was done, to report and restore.
     */
    static SenderPriority lowerOthers(final boolean jvmEndsWithDemo)
    {
        final SenderPriority priority = new SenderPriority();
        priority.lower(jvmEndsWithDemo);
        return priority;
    }

    /**
     * One line for the console: what was lowered and what kept, or why nothing was.
     *
     * @return the line, starting {@code priorities: } or {@code warning: }.
     */
    String line()
    {
        if (refusal != null)
        {
            return "warning: the sender shares cpu " + senderCpus + " with the JVM's other threads at equal priority: " + refusal +
                "; their work delays it a scheduler tick at a time (the summary's sender line)";
        }
        final StringJoiner kinds = new StringJoiner(", ");
        loweredKinds.forEach((kind, count) -> kinds.add(count + " " + kind));
        final String line = String.format(Locale.ROOT, "priorities: the sender at normal priority on cpu %s; %d thread%s there " +
            "moved to SCHED_IDLE (%s); kept at normal priority: %d there (the reporter, the engine's background threads, the JIT " +
            "compilers, the VM thread and GC workers), %d pinned elsewhere (processing)", senderCpus, lowered.size(), lowered.size() == 1 ? "" : "s", kinds, kept, keptElsewhere);
        return failed == 0 ? line : line + String.format(Locale.ROOT, "%nwarning: %d thread%s could not be lowered and may delay the " +
            "sender: %s", failed, failed == 1 ? "" : "s", firstFailure);
    }

    /**
     * Threads moved to {@code SCHED_IDLE}.
     *
     * @return their count.
     */
    int loweredCount()
    {
        return lowered.size();
    }

    /**
     * Puts every lowered thread that still runs back to its policy and nice value, when this process may
     * (else they stay lowered, which only happens in a JVM that ends with the demo).
     */
    void restore()
    {
        if (mayRestore)
        {
            lowered.forEach(ThreadScheduling::apply); // a thread that ended meanwhile: nothing to put back
        }
        lowered.clear();
    }

    private void lower(final boolean jvmEndsWithDemo)
    {
        final int self;
        final BitSet mine;
        try
        {
            self = Affinity.getThreadId();
            mine = Affinity.getAffinity();
            senderCpus = CoreBudget.cpuList(mine);
        }
        catch (final RuntimeException | LinkageError ex)
        {
            refusal = "no native thread id or affinity (" + ex + ")";
            return;
        }
        mayRestore = ThreadScheduling.mayRaise(0);
        if (!mayRestore && !jvmEndsWithDemo)
        {
            refusal = "this JVM outlives the demo and could not raise them back afterwards (needs CAP_SYS_NICE or RLIMIT_NICE)";
            return;
        }
        try (Stream<Path> tasks = Files.list(TASKS))
        {
            for (final Path task : (Iterable<Path>)tasks::iterator)
            {
                final int tid = Integer.parseInt(task.getFileName().toString());
                if (tid != self)
                {
                    consider(task, tid, mine);
                }
            }
        }
        catch (final IOException ex)
        {
            refusal = "cannot list " + TASKS + ": " + ex.getMessage();
        }
    }

    private void consider(final Path task, final int tid, final BitSet senderCpus)
    {
        try
        {
            final String name = Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).trim();
            if (!allowed(task).intersects(senderCpus))
            {
                keptElsewhere++;
                return;
            }
            final String kind = kind(name);
            if (kind == null)
            {
                kept++;
                return;
            }
            final ThreadScheduling.Setting before = ThreadScheduling.read(tid);
            if (before.policy() != ThreadScheduling.NORMAL)
            {
                return; // already lowered (or real-time, set by someone who meant it)
            }
            final String failure = ThreadScheduling.idle(tid);
            if (failure == null)
            {
                lowered.put(tid, before);
                loweredKinds.merge(kind, 1, Integer::sum);
            }
            else if (Files.exists(task))
            {
                failed++;
                firstFailure = firstFailure == null ? name + ": " + failure : firstFailure;
            }
        }
        catch (final IOException ex) // the thread ended meanwhile
        {
            return;
        }
    }

    private static String kind(final String name)
    {
        for (final Map.Entry<String, List<String>> kind : LOWERED_NAMES.entrySet())
        {
            if (kind.getValue().stream().anyMatch(name::startsWith))
            {
                return kind.getKey();
            }
        }
        return null;
    }

    private static BitSet allowed(final Path task) throws IOException
    {
        for (final String line : Files.readAllLines(task.resolve("status"), StandardCharsets.UTF_8))
        {
            if (line.startsWith(CPUS_ALLOWED))
            {
                return CoreBudget.parseCpuList(line.substring(CPUS_ALLOWED.length()).trim());
            }
        }
        throw new IOException("no " + CPUS_ALLOWED + " in " + task.resolve("status"));
    }
}
