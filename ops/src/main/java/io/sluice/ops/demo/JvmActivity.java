package io.sluice.ops.demo;

import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Locale;

import com.sun.management.HotSpotDiagnosticMXBean;

/**
 * What the JVM itself did while the demo measured, from its own counters: safepoints (every one stops the
 * sender and the processing threads alike), garbage collections, and the JIT's compilation time (on 2 cores
 * the compiler threads run on the sender's CPU and take turns with it). Also says whether the JVM runs with
 * the two settings {@code ./sluice demo} gives it (docs/low-latency.md has the measurements):
 * <ul>
 *   <li>{@code -XX:GuaranteedSafepointInterval=0}: no periodic cleanup safepoint. By default HotSpot stops
 *   every thread about once a second; on a loaded 2-core machine reaching it took up to 180 ms.</li>
 *   <li>{@code -XX:PerMethodTrapLimit=0 -XX:PerBytecodeTrapLimit=0}: C2 compiles the branches the profile
 *   saw untaken instead of an uncommon trap. With traps, a branch first taken in the measured seconds (an
 *   injected fraud pattern, a window boundary) deoptimised the method, which ran interpreted until C2, on
 *   the sender's CPU, compiled it again: 16-17 compiled methods deoptimised in 10 measured seconds, 1 without.</li>
 * </ul>
 *
 * <p>The safepoint figures come from HotSpot's internal runtime bean, which needs
 * {@code --add-exports=java.management/sun.management=ALL-UNNAMED} (the launcher passes it); without it, or on
 * another JVM, the line says they are not available.
 *
 * <p>Also used by the perf module's latency benchmark, which reports the same counters per measured mode.
 *
 * <p>Threading: one thread (the demo's reporting thread, the benchmark's producer).
 */
public final class JvmActivity
{
    /** HotSpot's default interval of the periodic cleanup safepoint, ms, when the (diagnostic) flag is not visible. */
    private static final long DEFAULT_GUARANTEED_SAFEPOINT_MS = 1000;
    /** HotSpot's default limit of uncommon traps per method before C2 compiles the untaken paths instead. */
    private static final long DEFAULT_PER_METHOD_TRAP_LIMIT = 100;

    private final Object runtime;
    private final Method safepointCount;
    private final Method safepointTime;
    private final Method safepointSyncTime;
    private final CompilationMXBean compilation = ManagementFactory.getCompilationMXBean();
    /** Looked up once: the lookup builds a new list of the platform's beans at every call. */
    private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
    private long[] start;
    private long[] end;

    private JvmActivity(final Object runtime, final Method count, final Method time, final Method syncTime)
    {
        this.runtime = runtime;
        this.safepointCount = count;
        this.safepointTime = time;
        this.safepointSyncTime = syncTime;
    }

    /**
     * Reads this JVM's counters, where it offers them.
     *
     * @return the reader; its safepoint figures are absent when the JVM does not give access to them.
     */
    public static JvmActivity ofThisJvm()
    {
        try
        {
            final Object bean = Class.forName("sun.management.ManagementFactoryHelper").getMethod("getHotspotRuntimeMBean").invoke(null);
            final Class<?> type = Class.forName("sun.management.HotspotRuntimeMBean");
            final JvmActivity activity = new JvmActivity(bean, type.getMethod("getSafepointCount"), type.getMethod("getTotalSafepointTime"),
                type.getMethod("getSafepointSyncTime"));
            activity.snapshot(); // fails here if the package is not exported to us
            return activity;
        }
        catch (final ReflectiveOperationException | RuntimeException | LinkageError ex)
        {
            return new JvmActivity(null, null, null, null);
        }
    }

    /**
     * A numeric HotSpot flag of this JVM.
     *
     * @param name         of the flag.
     * @param defaultValue its value when the flag is not visible (a diagnostic flag, not unlocked).
     * @return its value, or -1 when this JVM is not HotSpot.
     */
    static long vmOption(final String name, final long defaultValue)
    {
        try
        {
            final HotSpotDiagnosticMXBean diagnostic = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return Long.parseLong(diagnostic.getVMOption(name).getValue());
        }
        catch (final IllegalArgumentException ex) // a diagnostic flag, invisible unless unlocked: then at its default
        {
            return defaultValue;
        }
        catch (final RuntimeException | LinkageError ex) // not HotSpot
        {
            return -1;
        }
    }

    /**
     * One line for the demo's first lines: the JVM settings that decide whether the JVM stops or slows the
     * sender and the processing threads during the run, as {@code ./sluice demo} sets them
     * ({@code -XX:+UnlockDiagnosticVMOptions -XX:GuaranteedSafepointInterval=0 -XX:PerMethodTrapLimit=0
     * -XX:PerBytecodeTrapLimit=0}) or not.
     *
     * @return the line, starting {@code jvm: } when both are the demo's, {@code note: } when not.
     */
    static String settingsLine()
    {
        final long interval = vmOption("GuaranteedSafepointInterval", DEFAULT_GUARANTEED_SAFEPOINT_MS);
        final long traps = vmOption("PerMethodTrapLimit", DEFAULT_PER_METHOD_TRAP_LIMIT);
        if (interval < 0 || traps < 0)
        {
            return "note: not a HotSpot JVM: the demo's JVM settings do not apply";
        }
        final String safepoints = interval == 0 ? "no periodic cleanup safepoint (-XX:GuaranteedSafepointInterval=0)" :
            "a cleanup safepoint stopping every thread up to every " + interval + " ms";
        final String deopt = traps == 0 ? "compiled code not deoptimised at a branch first taken late (-XX:PerMethodTrapLimit=0)" :
            "compiled code deoptimised at a branch first taken late (recompiled on the sender's cpu)";
        if (interval == 0 && traps == 0)
        {
            final String compiler = vmOption("TieredStopAtLevel", 4) == 1 ?
                "; C1 only (-XX:TieredStopAtLevel=1: on 2 cpus C2's compiles would take the sender's cpu)" : "";
            return "jvm: " + safepoints + "; " + deopt + compiler;
        }
        return "note: this JVM runs with " + safepoints + " and " + deopt + "; ./sluice demo sets " +
            "-XX:+UnlockDiagnosticVMOptions -XX:GuaranteedSafepointInterval=0 -XX:PerMethodTrapLimit=0 -XX:PerBytecodeTrapLimit=0";
    }

    /**
     * Reads the counters {@code rounds} times and forgets them, so that {@link #start()} and {@link #mark()} run
     * compiled code (and the reflective calls their generated accessors): the demo's measurement start, interpreted, took
     * 0.7-1.2 ms of the sender's cpu in one step (perf/README.md section 119).
     *
     * @param rounds readings, past the JIT's thresholds (a few hundred).
     */
    public void warmUp(final int rounds)
    {
        for (int round = 0; round < rounds; round++)
        {
            snapshot();
        }
    }

    /**
     * Marks the start of the measured interval.
     */
    public void start()
    {
        start = snapshot();
        end = start;
    }

    /**
     * Marks how far the measured interval has come: the line covers {@link #start()} to the last mark, so that
     * what follows the run (writing its reports, drawing its plots, which the JIT compiles) is left out.
     */
    public void mark()
    {
        if (start != null)
        {
            end = snapshot();
        }
    }

    /**
     * One line for the summary: what the JVM did from {@link #start()} to the last {@link #mark()}.
     *
     * @return the line, or null if {@link #start()} was never called.
     */
    String line()
    {
        if (start == null)
        {
            return null;
        }
        return "  jvm          while measuring (from the first measured second to the end of the drain): " +
            counts("JIT compiling %d ms (summed over the compiler threads, which share the sender's cpu)");
    }

    /**
     * What the JVM did from {@link #start()} to the last {@link #mark()}: safepoints, collections and JIT time.
     *
     * @return e.g. {@code 2 safepoints (all threads stopped 3 ms in all, 1 ms of it reaching them), 0 collections (0 ms),
     *     JIT compiling 12 ms}; null if {@link #start()} was never called.
     */
    public String counts()
    {
        return start == null ? null : counts("JIT compiling %d ms");
    }

    private String counts(final String jitFormat)
    {
        final long[] now = end;
        final String safepoints = runtime == null ? "safepoints not available (needs --add-exports=java.management/sun.management)" :
            String.format(Locale.ROOT, "%d safepoints (all threads stopped %d ms in all, %d ms of it reaching them)",
                now[0] - start[0], now[1] - start[1], now[2] - start[2]);
        final String jit = now[5] < 0 ? "JIT time not available" : String.format(Locale.ROOT, jitFormat, now[5] - start[5]);
        return String.format(Locale.ROOT, "%s, %d collections (%d ms), %s", safepoints, now[3] - start[3], now[4] - start[4], jit);
    }

    private long[] snapshot()
    {
        final long[] values = new long[6];
        if (runtime != null)
        {
            try
            {
                values[0] = (Long)safepointCount.invoke(runtime);
                values[1] = (Long)safepointTime.invoke(runtime);
                values[2] = (Long)safepointSyncTime.invoke(runtime);
            }
            catch (final ReflectiveOperationException ex)
            {
                throw new IllegalStateException("cannot read the JVM's safepoint figures", ex);
            }
        }
        for (final GarbageCollectorMXBean gc : collectors)
        {
            values[3] += Math.max(0, gc.getCollectionCount());
            values[4] += Math.max(0, gc.getCollectionTime());
        }
        values[5] = compilation != null && compilation.isCompilationTimeMonitoringSupported() ? compilation.getTotalCompilationTime() : -1;
        return values;
    }
}
