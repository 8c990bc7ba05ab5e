package io.sluice.engine.runtime;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Whether the JIT has been quiet: no compilation time added (over all compiler threads, as the platform's
 * {@link CompilationMXBean} reports it) for a given time, as far as calls spaced by the caller can tell. A warm-up
 * that drives live-shaped work asks {@link #quiet()} between its steps and stops once it answers true, so that what
 * follows is not measured (or served) while compiler threads take turns with it on its CPU.
 *
 * <p>Threading: one caller. Reads allocate nothing; call it between events, not per event.
 */
public final class JitQuiet
{
    private final CompilationMXBean compilation = ManagementFactory.getCompilationMXBean();
    private final boolean reported = compilation != null && compilation.isCompilationTimeMonitoringSupported();
    private final long quietNs;
    private final long startMillis;
    private long lastTotalMillis = -1;
    private long changedAtNs = System.nanoTime();

    /**
     * @param quietNs how long no compilation must be added for the JIT to count as quiet.
     */
    public JitQuiet(final long quietNs)
    {
        this.quietNs = quietNs;
        this.startMillis = totalMillis();
    }

    /**
     * @return whether no compilation time was added in the last {@code quietNs} (true on a JVM that does not report
     *     its compilation time).
     */
    public boolean quiet()
    {
        if (!reported)
        {
            return true;
        }
        final long total = compilation.getTotalCompilationTime();
        final long now = System.nanoTime();
        if (total != lastTotalMillis)
        {
            lastTotalMillis = total;
            changedAtNs = now;
        }
        return now - changedAtNs >= quietNs;
    }

    /**
     * @return the compilation time the JIT added since this was created, in milliseconds, or 0 where the JVM does
     *     not report it.
     */
    public long compiledMillisSinceStart()
    {
        return totalMillis() - startMillis;
    }

    private long totalMillis()
    {
        return reported ? compilation.getTotalCompilationTime() : 0;
    }
}
