package io.sluice.engine.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.Source;
import io.sluice.schema.FieldType;

/**
 * Plans the engine's topology: source topics that meet in a join (directly or through other joins)
 * form a group processed by the same partition threads, so that partition p of every topic of the
 * group is in one place and one journaled order. A group of one topic journals to that topic; a
 * group of several journals to one topic named by its topics joined with '.', each record's flags
 * naming its source (its index in the group). Build-time only.
 */
final class SourceGroups
{
    private SourceGroups()
    {
    }

    /**
     * How a topic enters its group.
     *
     * @param index       of the source within the group (journaled as the record's flags).
     * @param topic       name.
     * @param source      declaration (schema, key, time), as agreed by every pipeline reading it.
     * @param keyIsSymbol whether the partition key is a symbol (hashed) or a number.
     */
    record Binding(int index, String topic, Source source, boolean keyIsSymbol)
    {
    }

    /**
     * One group: its journal topic name, sources, pipelines, and for every pipeline the input index
     * each group source feeds (-1 when the pipeline does not read it).
     *
     * @param name      of the group's journal topic.
     * @param sources   in index order.
     * @param pipelines run by the group's partition threads.
     * @param inputs    {@code inputs[pipeline][source]} = the pipeline's input index, or -1.
     */
    record Plan(String name, List<Binding> sources, List<Pipeline> pipelines, int[][] inputs)
    {
        boolean needsTicks()
        {
            for (final Pipeline pipeline : pipelines)
            {
                if (pipeline.idleTimeout() > 0 || (pipeline.join() != null && pipeline.join().idleTimeout() > 0))
                {
                    return true;
                }
                for (final Source source : pipeline.sources())
                {
                    if (source.eventTimeField() < 0)
                    {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    static List<Plan> plan(final List<Pipeline> pipelines)
    {
        final Map<String, Source> declared = new LinkedHashMap<>();
        final Map<String, String> declaredBy = new LinkedHashMap<>();
        final Map<String, String> parent = new LinkedHashMap<>();
        for (final Pipeline pipeline : pipelines)
        {
            for (final Source source : pipeline.sources())
            {
                final Source first = declared.putIfAbsent(source.topic(), source);
                if (first == null)
                {
                    declaredBy.put(source.topic(), pipeline.name());
                    parent.put(source.topic(), source.topic());
                }
                else
                {
                    checkAgree(declaredBy.get(source.topic()), first, pipeline.name(), source);
                }
            }
            final List<Source> sources = pipeline.sources();
            for (int i = 1; i < sources.size(); i++)
            {
                union(parent, sources.get(0).topic(), sources.get(i).topic());
            }
        }
        final Map<String, List<String>> members = new LinkedHashMap<>();
        for (final String topic : declared.keySet())
        {
            members.computeIfAbsent(find(parent, topic), r -> new ArrayList<>()).add(topic);
        }
        final List<Plan> plans = new ArrayList<>();
        for (final List<String> topics : members.values())
        {
            final List<String> sorted = new ArrayList<>(topics);
            sorted.sort(String::compareTo);
            final List<Binding> bindings = new ArrayList<>();
            for (final String topic : sorted)
            {
                final Source source = declared.get(topic);
                bindings.add(new Binding(bindings.size(), topic, source,
                    source.schema().field(source.partitionKeyField()).type() == FieldType.SYMBOL));
            }
            final List<Pipeline> groupPipelines = new ArrayList<>();
            for (final Pipeline pipeline : pipelines)
            {
                if (sorted.contains(pipeline.sourceTopic()))
                {
                    groupPipelines.add(pipeline);
                }
            }
            final int[][] inputs = new int[groupPipelines.size()][bindings.size()];
            for (int p = 0; p < groupPipelines.size(); p++)
            {
                java.util.Arrays.fill(inputs[p], -1);
                final List<Source> sources = groupPipelines.get(p).sources();
                for (int i = 0; i < sources.size(); i++)
                {
                    inputs[p][sorted.indexOf(sources.get(i).topic())] = i;
                }
            }
            final String name = String.join(".", sorted);
            if (sorted.size() > 1 && declared.containsKey(name))
            {
                throw new EngineException("the journal topic '" + name + "' of the group " + sorted + " is also a source topic; rename one");
            }
            plans.add(new Plan(name, bindings, groupPipelines, inputs));
        }
        return plans;
    }

    private static void checkAgree(final String firstPipeline, final Source first, final String otherPipeline, final Source other)
    {
        final String topic = first.topic();
        if (!first.schema().describeLayout().equals(other.schema().describeLayout()))
        {
            throw new EngineException("pipelines '" + firstPipeline + "' and '" + otherPipeline + "' read topic '" + topic +
                "' with different schemas:\n" + first.schema().describeLayout() + "vs\n" + other.schema().describeLayout());
        }
        if (first.partitionKeyField() != other.partitionKeyField())
        {
            throw new EngineException("pipelines '" + firstPipeline + "' and '" + otherPipeline + "' partition topic '" + topic +
                "' by different keys (" + first.schema().field(first.partitionKeyField()).name() + " vs " +
                other.schema().field(other.partitionKeyField()).name() + "): a topic has one partitioning");
        }
        if (first.eventTimeField() != other.eventTimeField())
        {
            throw new EngineException("pipelines '" + firstPipeline + "' and '" + otherPipeline +
                "' take time from different fields of topic '" + topic + "': the journaled timestamp is one per event");
        }
        if (first.kind() != other.kind())
        {
            throw new EngineException("pipelines '" + firstPipeline + "' and '" + otherPipeline + "' read topic '" + topic +
                "' as a " + first.kind() + " and as a " + other.kind());
        }
    }

    private static String find(final Map<String, String> parent, final String topic)
    {
        String root = topic;
        while (!parent.get(root).equals(root))
        {
            root = parent.get(root);
        }
        return root;
    }

    private static void union(final Map<String, String> parent, final String a, final String b)
    {
        final String ra = find(parent, a);
        final String rb = find(parent, b);
        if (!ra.equals(rb))
        {
            parent.put(rb, ra);
        }
    }
}
