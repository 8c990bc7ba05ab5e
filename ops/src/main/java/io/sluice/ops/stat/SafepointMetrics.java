package io.sluice.ops.stat;

import java.lang.reflect.Method;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * HotSpot's safepoint figures as Prometheus counters ({@code jvm_safepoints_total},
 * {@code jvm_safepoint_time_seconds_total}, {@code jvm_safepoint_sync_time_seconds_total}): the
 * Prometheus client's JVM metrics have none, and on a latency-sensitive JVM the time all threads stood
 * still is the first thing to look at. Read from HotSpot's internal runtime bean, which needs
 * {@code --add-exports=java.management/sun.management=ALL-UNNAMED} (the launcher passes it); on another
 * JVM, or without the flag, the families are simply absent.
 *
 * <p>Threading: the exporter's thread.
 */
final class SafepointMetrics implements MultiCollector
{
    private final Object bean;
    private final Method count;
    private final Method totalTime;
    private final Method syncTime;

    private SafepointMetrics(final Object bean, final Method count, final Method totalTime, final Method syncTime)
    {
        this.bean = bean;
        this.count = count;
        this.totalTime = totalTime;
        this.syncTime = syncTime;
    }

    /**
     * Registers the safepoint counters if this JVM offers them.
     *
     * @param registry to register with.
     * @return true if registered, false if this JVM does not give access to its safepoint figures.
     */
    static boolean register(final PrometheusRegistry registry)
    {
        try
        {
            final Object bean = Class.forName("sun.management.ManagementFactoryHelper").getMethod("getHotspotRuntimeMBean").invoke(null);
            final Class<?> type = Class.forName("sun.management.HotspotRuntimeMBean");
            final SafepointMetrics metrics = new SafepointMetrics(bean, type.getMethod("getSafepointCount"),
                type.getMethod("getTotalSafepointTime"), type.getMethod("getSafepointSyncTime"));
            metrics.collect(); // fails here, not at the first scrape, if the package is not exported to us
            registry.register(metrics);
            return true;
        }
        catch (final ReflectiveOperationException | RuntimeException | LinkageError ex)
        {
            return false;
        }
    }

    @Override
    public MetricSnapshots collect()
    {
        try
        {
            return MetricSnapshots.of(
                counter("jvm_safepoints", "Safepoints the JVM reached (all application threads stopped).", null,
                    (Long)count.invoke(bean)),
                counter("jvm_safepoint_time_seconds", "Time application threads were stopped at safepoints.", Unit.SECONDS,
                    Unit.millisToSeconds((Long)totalTime.invoke(bean))),
                counter("jvm_safepoint_sync_time_seconds", "Time spent bringing threads to safepoints.", Unit.SECONDS,
                    Unit.millisToSeconds((Long)syncTime.invoke(bean))));
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException("cannot read the JVM's safepoint figures", ex);
        }
    }

    private static CounterSnapshot counter(final String name, final String help, final Unit unit, final double value)
    {
        final CounterSnapshot.Builder builder = CounterSnapshot.builder().name(name).help(help);
        if (unit != null)
        {
            builder.unit(unit);
        }
        return builder.dataPoint(CounterDataPointSnapshot.builder().value(value).build()).build();
    }
}
