package io.sluice.engine.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;

import net.openhft.affinity.AffinityLock;

/**
 * The cores a low-latency engine may give its spinning threads, as OpenHFT affinity sees them: the
 * CPUs reserved for pinning ({@code AffinityLock.RESERVED_AFFINITY}: the CPUs outside the process's
 * default affinity, i.e. isolated by {@code isolcpus} or left out of the default cpuset; or the mask
 * of {@code -Daffinity.reserved}; or, when neither, every CPU but CPU 0, which is left to the OS).
 * The other CPUs of the process run everything else: the JVM's own threads, producers, and the
 * engine's background duties.
 *
 * <p>Immutable; {@link #ofThisMachine()} reads the machine once. Public so that an embedding
 * application (the demo) can choose its layout from the same figures the engine's profile uses.
 */
public final class CoreBudget
{
    private static final Path ISOLATED = Path.of("/sys/devices/system/cpu/isolated");

    private final int cpus;
    private final BitSet pinnable;
    private final BitSet others;
    private final boolean isolated;
    private final boolean canPin;
    private final double loadAverage;

    /**
     * A budget with given figures (tests, and {@link #ofThisMachine()}).
     *
     * @param cpus        CPUs the JVM may run on.
     * @param pinnable    CPUs for spinning threads.
     * @param others      CPUs for everything else (empty if unknown).
     * @param isolated    whether the pinnable CPUs are isolated from the scheduler (isolcpus).
     * @param canPin      whether threads can be pinned at all (affinity's native support works).
     * @param loadAverage one-minute system load average, negative if unknown.
     */
    public CoreBudget(final int cpus, final BitSet pinnable, final BitSet others, final boolean isolated, final boolean canPin,
        final double loadAverage)
    {
        this.cpus = cpus;
        this.pinnable = (BitSet)pinnable.clone();
        this.others = (BitSet)others.clone();
        this.isolated = isolated;
        this.canPin = canPin;
        this.loadAverage = loadAverage;
    }

    /**
     * Reads this machine: affinity's reserved and base CPUs, the kernel's isolated list and the load average.
     *
     * @return the budget.
     */
    public static CoreBudget ofThisMachine()
    {
        final int cpus = Runtime.getRuntime().availableProcessors();
        final double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        BitSet pinnable;
        BitSet others;
        boolean canPin;
        try
        {
            pinnable = (BitSet)AffinityLock.RESERVED_AFFINITY.clone();
            others = (BitSet)AffinityLock.BASE_AFFINITY.clone();
            others.andNot(pinnable);
            canPin = true;
        }
        catch (final Throwable ex) // LinkageError without native support: count the cores, pin nothing
        {
            pinnable = new BitSet();
            pinnable.set(1, Math.max(1, cpus));
            others = new BitSet();
            others.set(0);
            canPin = false;
        }
        return new CoreBudget(cpus, pinnable, others, intersects(isolatedCpus(), pinnable), canPin, load);
    }

    private static boolean intersects(final BitSet a, final BitSet b)
    {
        return a.intersects(b);
    }

    /**
     * The kernel's isolated CPUs ({@code isolcpus=}), empty if none or unknown.
     *
     * @return the CPU set.
     */
    static BitSet isolatedCpus()
    {
        try
        {
            return parseCpuList(Files.readString(ISOLATED, StandardCharsets.US_ASCII));
        }
        catch (final IOException | RuntimeException ex)
        {
            return new BitSet();
        }
    }

    /**
     * Parses a kernel CPU list such as {@code 2-5,8}.
     *
     * @param list the text, possibly empty.
     * @return the CPUs.
     * @throws NumberFormatException if the text is not a CPU list.
     */
    public static BitSet parseCpuList(final String list)
    {
        final BitSet cpus = new BitSet();
        for (final String part : list.trim().split(","))
        {
            if (part.isBlank())
            {
                continue;
            }
            final int dash = part.indexOf('-');
            final int from = Integer.parseInt(part.substring(0, dash < 0 ? part.length() : dash).trim());
            final int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1).trim());
            cpus.set(from, to + 1);
        }
        return cpus;
    }

    /**
     * Formats CPUs as a kernel CPU list ({@code 2-5,8}).
     *
     * @param cpus the set.
     * @return the list, "none" if empty.
     */
    public static String cpuList(final BitSet cpus)
    {
        if (cpus.isEmpty())
        {
            return "none";
        }
        final StringBuilder text = new StringBuilder();
        for (int from = cpus.nextSetBit(0); from >= 0; )
        {
            final int end = cpus.nextClearBit(from);
            text.append(text.isEmpty() ? "" : ",").append(from).append(end - 1 > from ? "-" + (end - 1) : "");
            from = cpus.nextSetBit(end);
        }
        return text.toString();
    }

    /**
     * CPUs the JVM may run on.
     *
     * @return the count.
     */
    public int cpus()
    {
        return cpus;
    }

    /**
     * Cores a spinning thread may be pinned to: the free cores of the low-latency profile.
     *
     * @return the count, 0 when threads cannot be pinned.
     */
    public int pinnableCount()
    {
        return canPin ? pinnable.cardinality() : 0;
    }

    /**
     * CPUs a spinning thread may be pinned to.
     *
     * @return a copy of the set.
     */
    public BitSet pinnable()
    {
        return (BitSet)pinnable.clone();
    }

    /**
     * CPUs for everything but the spinning threads: the JVM's own threads, producers and the background duties.
     *
     * @return a copy of the set, empty if unknown.
     */
    public BitSet others()
    {
        return (BitSet)others.clone();
    }

    /**
     * Whether the pinnable cores are isolated from the scheduler ({@code isolcpus}).
     *
     * @return true if isolated.
     */
    public boolean isolated()
    {
        return isolated;
    }

    /**
     * Whether threads can be pinned at all (OpenHFT affinity's native support works).
     *
     * @return true if they can.
     */
    public boolean canPin()
    {
        return canPin;
    }

    /**
     * The one-minute system load average when the budget was read.
     *
     * @return the load average, negative if unknown.
     */
    public double loadAverage()
    {
        return loadAverage;
    }
}
