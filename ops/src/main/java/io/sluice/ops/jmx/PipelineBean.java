package io.sluice.ops.jmx;

/**
 * {@link PipelineMXBean}: sums over the pipeline's per-partition counters
 * ({@code <name>: <topic>/<p> <pipeline>}). Runs on JMX threads.
 */
final class PipelineBean implements PipelineMXBean
{
    private final DaemonControl daemon;
    private final CounterIndex counters;
    private final String name;
    private final String topic;
    private final int partitions;

    PipelineBean(final DaemonControl daemon, final CounterIndex counters, final String name, final String topic, final int partitions)
    {
        this.daemon = daemon;
        this.counters = counters;
        this.name = name;
        this.topic = topic;
        this.partitions = partitions;
    }

    @Override
    public String getName()
    {
        return name;
    }

    @Override
    public String getSourceTopic()
    {
        return topic;
    }

    @Override
    public boolean isPaused()
    {
        return daemon.engine().isPaused(name);
    }

    @Override
    public int getHaltedPartitions()
    {
        return (int)sum("state");
    }

    @Override
    public long getOutputs()
    {
        return sum("outputs");
    }

    @Override
    public long getErrors()
    {
        return sum("errors");
    }

    @Override
    public long getLateEvents()
    {
        return sum("late");
    }

    @Override
    public long getUnassignedEvents()
    {
        return sum("unassigned");
    }

    @Override
    public long getStateEntries()
    {
        return sum("state-entries");
    }

    @Override
    public long getMinWatermark()
    {
        long min = Long.MAX_VALUE;
        for (int p = 0; p < partitions; p++)
        {
            min = Math.min(min, counters.value(label("watermark", p), Long.MIN_VALUE));
        }
        return min;
    }

    @Override
    public long getProcessingLatencyP50Micros()
    {
        return counters.value("processing-latency-p50-us: " + name, 0);
    }

    @Override
    public long getProcessingLatencyP99Micros()
    {
        return counters.value("processing-latency-p99-us: " + name, 0);
    }

    @Override
    public long getProcessingLatencyP999Micros()
    {
        return counters.value("processing-latency-p999-us: " + name, 0);
    }

    @Override
    public long getProcessingLatencyP9999Micros()
    {
        return counters.value("processing-latency-p9999-us: " + name, 0);
    }

    @Override
    public long getProcessingLatencyMaxMicros()
    {
        return counters.value("processing-latency-max-us: " + name, 0);
    }

    @Override
    public long getProcessingLatencyCount()
    {
        return counters.value("processing-latency-count: " + name, 0);
    }

    @Override
    public void pause()
    {
        daemon.engine().pause(name);
    }

    @Override
    public void resume()
    {
        daemon.engine().resume(name);
    }

    private long sum(final String counter)
    {
        long total = 0;
        for (int p = 0; p < partitions; p++)
        {
            total += counters.value(label(counter, p), 0);
        }
        return total;
    }

    private String label(final String counter, final int partition)
    {
        return counter + ": " + topic + "/" + partition + " " + name;
    }
}
