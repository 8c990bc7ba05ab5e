package io.sluice.engine.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The Linux scheduling policy and nice value of single threads, addressed by thread id (the {@code tid}
 * of {@code /proc/self/task}, {@code Affinity.getThreadId()} for the calling thread). Java's own
 * {@link Thread#setPriority(int)} changes nothing on Linux unless the JVM runs as root with
 * {@code -XX:ThreadPriorityPolicy=1}; this calls {@code sched_setscheduler(2)} and {@code setpriority(2)}
 * through JNA (already on the class path for OpenHFT affinity), and reads a thread's setting back from
 * {@code /proc/self/task/<tid>/stat}, so no native code of our own.
 *
 * <p>{@link #IDLE} ({@code SCHED_IDLE}) is what a thread that must never delay a latency-critical one
 * sharing its CPU gets: it runs when nothing else of normal priority wants that CPU, never preempts one
 * on waking, and otherwise gets a weight of 3 against a normal thread's 1024 (about 0.3% of the CPU while
 * a normal thread spins there). Any thread may lower a thread of its own process to it; putting one back
 * to {@link #NORMAL} needs {@code CAP_SYS_NICE} or an {@code RLIMIT_NICE} that allows its nice value
 * ({@link #mayRaise(int)}): a Linux rule, so a caller that cannot put threads back should lower only
 * threads that end with its work.
 *
 * <p>Threading: any thread; each call is one system call or one read of {@code /proc}.
 */
public final class ThreadScheduling
{
    /** {@code SCHED_OTHER}: the default time-sharing policy, weighted by the nice value. */
    public static final int NORMAL = 0;
    /** {@code SCHED_IDLE}: runs only when no normal thread wants the CPU, never preempts one. */
    public static final int IDLE = 5;

    private static final int PRIO_PROCESS = 0;
    private static final int CAP_SYS_NICE = 23;
    private static final int NICE_FIELD = 19;
    private static final int POLICY_FIELD = 41;
    private static final String LIMITS = "/proc/self/limits";
    private static final String MAX_NICE = "Max nice priority";

    private ThreadScheduling()
    {
    }

    /**
     * A thread's scheduling policy and nice value.
     *
     * @param policy {@link #NORMAL}, {@link #IDLE} or another Linux policy number.
     * @param nice   the nice value, -20 to 19.
     */
    public record Setting(int policy, int nice)
    {
        /**
         * The policy's name as {@code chrt} prints it.
         *
         * @return e.g. {@code SCHED_OTHER}.
         */
        public String policyName()
        {
            switch (policy)
            {
                case NORMAL: return "SCHED_OTHER";
                case 1: return "SCHED_FIFO";
                case 2: return "SCHED_RR";
                case 3: return "SCHED_BATCH";
                case IDLE: return "SCHED_IDLE";
                case 6: return "SCHED_DEADLINE";
                default: return "policy " + policy;
            }
        }
    }

    /**
     * Reads a thread's setting from {@code /proc/self/task/<tid>/stat}.
     *
     * @param tid of a thread of this process.
     * @return its setting.
     * @throws IOException if the thread has ended or {@code /proc} cannot be read.
     */
    public static Setting read(final int tid) throws IOException
    {
        final String stat = Files.readString(Path.of("/proc/self/task/" + tid + "/stat"), StandardCharsets.US_ASCII);
        // pid (comm) state ...: the name may hold spaces and parentheses, the fields start after the last ')'.
        final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        try
        {
            return new Setting(Integer.parseInt(fields[POLICY_FIELD - 3]), Integer.parseInt(fields[NICE_FIELD - 3]));
        }
        catch (final RuntimeException ex)
        {
            throw new IOException("cannot read the policy and nice value of thread " + tid + " from: " + stat, ex);
        }
    }

    /**
     * Moves a thread to {@link #IDLE}.
     *
     * @param tid of a thread of this process.
     * @return null when done, else why not (no native support, or the system call's error).
     */
    public static String idle(final int tid)
    {
        return setPolicy(tid, IDLE);
    }

    /**
     * Gives a thread a setting: the policy, then, for {@link #NORMAL}, the nice value.
     *
     * @param tid     of a thread of this process.
     * @param setting to give it ({@link #NORMAL} or {@link #IDLE}; real-time policies are refused).
     * @return null when done, else why not.
     */
    public static String apply(final int tid, final Setting setting)
    {
        if (setting.policy() != NORMAL && setting.policy() != IDLE)
        {
            return "not a time-sharing policy: " + setting.policyName();
        }
        final String failure = setPolicy(tid, setting.policy());
        if (failure != null || setting.policy() != NORMAL)
        {
            return failure;
        }
        try
        {
            LibC.INSTANCE.setpriority(PRIO_PROCESS, tid, setting.nice());
            return null;
        }
        catch (final LastErrorException ex)
        {
            return "setpriority(" + tid + ", " + setting.nice() + "): errno " + ex.getErrorCode();
        }
        catch (final LinkageError ex)
        {
            return "no native support: " + ex;
        }
    }

    /**
     * Whether this process may raise a thread back to a nice value (from {@link #IDLE}, or from a higher
     * nice value): it has {@code CAP_SYS_NICE}, or its {@code RLIMIT_NICE} allows that value.
     *
     * @param nice the value to raise to.
     * @return true if it may.
     */
    public static boolean mayRaise(final int nice)
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII))
            {
                if (line.startsWith("CapEff:") && (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << CAP_SYS_NICE)) != 0)
                {
                    return true;
                }
            }
            for (final String line : Files.readAllLines(Path.of(LIMITS), StandardCharsets.US_ASCII))
            {
                if (line.startsWith(MAX_NICE))
                {
                    // Max nice priority  <soft>  <hard>: the nice value may go down to 20 - soft.
                    final String soft = line.substring(MAX_NICE.length()).trim().split("\\s+")[0];
                    return "unlimited".equals(soft) || 20 - Long.parseLong(soft) <= nice;
                }
            }
            return false;
        }
        catch (final IOException | RuntimeException ex)
        {
            return false;
        }
    }

    private static String setPolicy(final int tid, final int policy)
    {
        try
        {
            LibC.INSTANCE.sched_setscheduler(tid, policy, new int[] {0});
            return null;
        }
        catch (final LastErrorException ex)
        {
            return "sched_setscheduler(" + tid + ", " + new Setting(policy, 0).policyName() + "): errno " + ex.getErrorCode() +
                (ex.getErrorCode() == 1 ? " (EPERM: raising a thread needs CAP_SYS_NICE or RLIMIT_NICE)" :
                ex.getErrorCode() == 3 ? " (ESRCH: the thread has ended)" : "");
        }
        catch (final LinkageError ex)
        {
            return "no native support: " + ex;
        }
    }

    /** The two system calls, bound lazily: a class that fails to load here fails only these calls. */
    private interface LibC extends Library
    {
        LibC INSTANCE = Native.load("c", LibC.class);

        /** {@code int sched_setscheduler(pid_t pid, int policy, const struct sched_param *param)}; param is one int. */
        int sched_setscheduler(int pid, int policy, int[] param) throws LastErrorException;

        /** {@code int setpriority(int which, id_t who, int prio)}. */
        int setpriority(int which, int who, int prio) throws LastErrorException;
    }
}
