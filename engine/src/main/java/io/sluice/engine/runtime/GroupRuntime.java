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
