package io.sluice.engine.runtime;

import java.util.List;

import io.sluice.journal.Topic;

/**
 * The running topology of one source group (topics that meet in a join, or a single topic): its
 * journal topic, its sources, and its partitions' rings, processors and threads. Built once at
 * launch; the fields never change afterwards.
 */
final class GroupRuntime
{
    final String name;
    final List<SourceGroups.Binding> sources;
    final Topic journalTopic;
    final PartitionRuntime[] partitions;
    final boolean needsTicks;
    /** Set once by {@link #endInput()} on a control thread; read by every publisher of the group. */
    private volatile boolean inputEnded;

    GroupRuntime(
        final String name,
        final List<SourceGroups.Binding> sources,
        final Topic journalTopic,
        final PartitionRuntime[] partitions,
        final boolean needsTicks)
    {
        this.name = name;
        this.sources = sources;
        this.journalTopic = journalTopic;
        this.partitions = partitions;
        this.needsTicks = needsTicks;
    }

    /**
     * Marks the group's input ended, once: the first {@link Engine#endOfInput} of any of its topics
     * ends the whole group (a join's inputs end together), later calls change nothing.
     *
     * @return true for the first call, false when the input had already ended.
     */
    synchronized boolean endInput()
    {
        if (inputEnded)
        {
            return false;
        }
        // Volatile store: publishers refuse events from here on (one racing with this call may still get in).
        inputEnded = true;
        return true;
    }

    /**
     * Refuses an event of a topic of this group once its input has ended: after the end every open
     * window and pending result has been emitted, so a further event could only be late.
     *
     * @param topic the event was published to.
     * @throws EngineException naming the topic and the group, when the input has ended.
     */
    void checkInputOpen(final String topic)
    {
        if (inputEnded)
        {
            throw new EngineException("the input of topic '" + topic + "' has ended (Engine.endOfInput on group '" + name +
                "'): event refused");
        }
    }

    SourceGroups.Binding binding(final String topic)
    {
        for (final SourceGroups.Binding binding : sources)
        {
            if (binding.topic().equals(topic))
            {
                return binding;
            }
        }
        throw new EngineException("topic '" + topic + "' is not in group '" + name + "'");
    }
}
