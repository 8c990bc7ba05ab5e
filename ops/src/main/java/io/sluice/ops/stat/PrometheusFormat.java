package io.sluice.ops.stat;

import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.status.CountersReader;

import io.sluice.client.wire.ErrorCode;
import io.sluice.engine.counters.SluiceCounters;

/**
 * Formats the counters as Prometheus samples from their type ids and keys (see {@link SluiceCounters}):
 * the metric name comes from the type id, the dimensions from the key's topic id, partition, pipeline
 * id, detail and name, with topic and pipeline names taken from the directory entries. Labels are never
 * parsed, so any name (with '/', spaces or quotes) comes out whole and escaped.
 *
 * <p>Threading: the exporter's thread; reads another process's memory without locks.
 */
final class PrometheusFormat
{
    private PrometheusFormat()
    {
    }

    /**
     * Appends one sample line per counter.
     *
     * @param reader of the counters.
     * @param out    to append {@code sluice_<name>{...} <value>\n} lines to.
     */
    static void samples(final CountersReader reader, final StringBuilder out)
    {
        final Int2ObjectHashMap<String> topics = new Int2ObjectHashMap<>();
        final Int2ObjectHashMap<String> pipelines = new Int2ObjectHashMap<>();
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (typeId == SluiceCounters.TOPIC_TYPE_ID)
            {
                topics.put(SluiceCounters.topicId(reader, counterId), SluiceCounters.name(reader, counterId));
            }
            else if (typeId == SluiceCounters.PIPELINE_TYPE_ID)
            {
                pipelines.put(SluiceCounters.pipelineId(reader, counterId), SluiceCounters.name(reader, counterId));
            }
        });
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (typeId != SluiceCounters.PIPELINE_TYPE_ID)
            {
                sample(reader, counterId, typeId, label, topics, pipelines, out);
            }
        });
    }

    private static void sample(
        final CountersReader reader,
        final int counterId,
        final int typeId,
        final String label,
        final Int2ObjectHashMap<String> topics,
        final Int2ObjectHashMap<String> pipelines,
        final StringBuilder out)
    {
        final String metric = SluiceCounters.metricName(typeId);
        final boolean known = !metric.startsWith("type_");
        out.append("sluice_").append(known ? metric : fallbackName(label));
        final int mark = out.length();
        out.append('{');
        if (known)
        {
            final int topicId = SluiceCounters.topicId(reader, counterId);
            final int partition = SluiceCounters.partition(reader, counterId);
            final int pipelineId = SluiceCounters.pipelineId(reader, counterId);
            final int detail = SluiceCounters.detail(reader, counterId);
            if (topicId != SluiceCounters.NONE)
            {
                final String topic = topics.get(topicId);
                dimension(out, "topic", topic == null ? SluiceCounters.name(reader, counterId) : topic);
            }
            if (partition != SluiceCounters.NONE)
            {
                dimension(out, "partition", Integer.toString(partition));
            }
            if (pipelineId != SluiceCounters.NONE)
            {
                final String pipeline = pipelines.get(pipelineId);
                dimension(out, "pipeline", pipeline == null ? Integer.toString(pipelineId) : pipeline);
            }
            if (typeId >= SluiceCounters.NET_MIN_TYPE_ID && typeId <= SluiceCounters.NET_MAX_TYPE_ID)
            {
                final String scope = SluiceCounters.name(reader, counterId);
                if (!scope.isEmpty())
                {
                    dimension(out, "scope", scope);
                }
                if (detail != SluiceCounters.NONE)
                {
                    dimension(out, "code", ErrorCode.name(detail));
                }
            }
        }
        else
        {
            final int colon = label.indexOf(": ");
            if (colon >= 0)
            {
                dimension(out, "label", label.substring(colon + 2));
            }
        }
        if (out.length() == mark + 1)
        {
            out.setLength(mark);
        }
        else
        {
            out.setLength(out.length() - 1);
            out.append('}');
        }
        out.append(' ').append(reader.getCounterValue(counterId)).append('\n');
    }

    private static String fallbackName(final String label)
    {
        final int colon = label.indexOf(": ");
        return (colon < 0 ? label : label.substring(0, colon)).replaceAll("[^A-Za-z0-9_]", "_");
    }

    private static void dimension(final StringBuilder out, final String name, final String value)
    {
        out.append(name).append("=\"");
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (c == '"' || c == '\\')
            {
                out.append('\\');
            }
            out.append(c == '\n' ? ' ' : c);
        }
        out.append("\",");
    }
}
