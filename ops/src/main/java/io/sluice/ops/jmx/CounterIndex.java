package io.sluice.ops.jmx;

import org.agrona.concurrent.status.CountersReader;

import io.sluice.engine.counters.SluiceCounters;

/**
 * Finds the beans' counters by type id and key (see {@link SluiceCounters}), once, when the beans
 * are registered (every counter exists by then), so that a getter is one volatile read of the
 * counters file. A counter that is missing is an error at registration, never a silent 0.
 *
 * <p>Threading: resolved on the control thread, read from JMX threads.
 */
final class CounterIndex
{
    private final CountersReader reader;

    CounterIndex(final CountersReader reader)
    {
        this.reader = reader;
    }

    /**
     * The id of a counter that must exist.
     *
     * @param typeId     of the counter.
     * @param topicId    topic id or {@link SluiceCounters#NONE}.
     * @param partition  partition or {@link SluiceCounters#NONE}.
     * @param pipelineId pipeline id or {@link SluiceCounters#NONE}.
     * @return the counter id.
     * @throws IllegalStateException naming the type and key if it is missing.
     */
    int require(final int typeId, final int topicId, final int partition, final int pipelineId)
    {
        return SluiceCounters.require(reader, typeId, topicId, partition, pipelineId, SluiceCounters.NONE);
    }

    /**
     * The id of a daemon-wide counter (no topic, partition or pipeline in its key).
     *
     * @param typeId of the counter.
     * @return the counter id.
     */
    int require(final int typeId)
    {
        return require(typeId, SluiceCounters.NONE, SluiceCounters.NONE, SluiceCounters.NONE);
    }

    /**
     * The id of a journal topic.
     *
     * @param journalTopic name.
     * @return its id.
     * @throws IllegalStateException if the counters do not know it.
     */
    int topicId(final String journalTopic)
    {
        final int id = SluiceCounters.findTopicId(reader, journalTopic);
        if (id == SluiceCounters.NONE)
        {
            throw new IllegalStateException("no topic '" + journalTopic + "' in the counters");
        }
        return id;
    }

    /**
     * The id of a pipeline.
     *
     * @param pipeline name.
     * @return its id.
     * @throws IllegalStateException if the counters do not know it.
     */
    int pipelineId(final String pipeline)
    {
        final int id = SluiceCounters.findPipelineId(reader, pipeline);
        if (id == SluiceCounters.NONE)
        {
            throw new IllegalStateException("no pipeline '" + pipeline + "' in the counters");
        }
        return id;
    }

    /**
     * A counter's value.
     *
     * @param counterId from {@link #require}.
     * @return the value.
     */
    long value(final int counterId)
    {
        return reader.getCounterValue(counterId);
    }
}
