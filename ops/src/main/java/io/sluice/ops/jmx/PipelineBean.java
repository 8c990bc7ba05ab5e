package io.sluice.ops.jmx;

import io.sluice.engine.counters.SluiceCounters;

/**
 * {@link PipelineMXBean}: sums over the pipeline's per-partition counters, found by type id and key
 * (topic id, partition, pipeline id) when the bean is built. Runs on JMX threads.
 */
final class PipelineBean implements PipelineMXBean
{
    private final DaemonControl daemon;
    private final CounterIndex counters;
    private final String name;
    private final String topic;
    private final int partitions;
    private final int topicId;
    private final int pipelineId;
    private final int[] processing = new int[SluiceCounters.LATENCY_FIGURES];

    PipelineBean(
        final DaemonControl daemon, final CounterIndex counters, final String name, final String topic, final String journalTopic,
        final int partitions)
    {
        this.daemon = daemon;
        this.counters = counters;
        this.name = name;
        this.topic = topic;
        this.partitions = partitions;
        this.topicId = counters.topicId(journalTopic);
        this.pipelineId = counters.pipelineId(name);
        for (int i = 0; i < processing.length; i++)
        {
            processing[i] = counters.require(SluiceCounters.PROCESSING_LATENCY_BASE_TYPE_ID + i, SluiceCounters.NONE, SluiceCounters.NONE,
                pipelineId);
        }
        for (final int typeId : new int[] {SluiceCounters.PIPELINE_STATE_TYPE_ID, SluiceCounters.OUTPUTS_TYPE_ID,
            SluiceCounters.ERRORS_TYPE_ID, SluiceCounters.LATE_TYPE_ID, SluiceCounters.UNASSIGNED_TYPE_ID,
            SluiceCounters.WATERMARK_TYPE_ID, SluiceCounters.STATE_ENTRIES_TYPE_ID, SluiceCounters.STATE_BYTES_TYPE_ID,
            SluiceCounters.SUPPRESSED_TYPE_ID})
        {
            for (int p = 0; p < partitions; p++)
            {
                counters.require(typeId, topicId, p, pipelineId);
            }
        }
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
        return (int)sum(SluiceCounters.PIPELINE_STATE_TYPE_ID);
    }

    @Override
    public long getOutputs()
    {
        return sum(SluiceCounters.OUTPUTS_TYPE_ID);
    }

    @Override
    public long getErrors()
    {
        return sum(SluiceCounters.ERRORS_TYPE_ID);
    }

    @Override
    public long getLateEvents()
    {
        return sum(SluiceCounters.LATE_TYPE_ID);
    }

    @Override
    public long getUnassignedEvents()
    {
        return sum(SluiceCounters.UNASSIGNED_TYPE_ID);
    }

    @Override
    public long getSuppressedOutputs()
    {
        return sum(SluiceCounters.SUPPRESSED_TYPE_ID);
    }

    @Override
    public long getStateEntries()
    {
        return sum(SluiceCounters.STATE_ENTRIES_TYPE_ID);
    }

    @Override
    public long getMinWatermark()
    {
        long min = Long.MAX_VALUE;
        for (int p = 0; p < partitions; p++)
        {
            min = Math.min(min, counters.value(counters.require(SluiceCounters.WATERMARK_TYPE_ID, topicId, p, pipelineId)));
        }
        return min;
    }

    @Override
    public long getProcessingLatencyP50Micros()
    {
        return counters.value(processing[0]);
    }

    @Override
    public long getProcessingLatencyP99Micros()
    {
        return counters.value(processing[1]);
    }

    @Override
    public long getProcessingLatencyP999Micros()
    {
        return counters.value(processing[2]);
    }

    @Override
    public long getProcessingLatencyP9999Micros()
    {
        return counters.value(processing[3]);
    }

    @Override
    public long getProcessingLatencyMaxMicros()
    {
        return counters.value(processing[4]);
    }

    @Override
    public long getProcessingLatencyCount()
    {
        return counters.value(processing[5]);
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

    private long sum(final int typeId)
    {
        long total = 0;
        for (int p = 0; p < partitions; p++)
        {
            total += counters.value(counters.require(typeId, topicId, p, pipelineId));
        }
        return total;
    }
}
