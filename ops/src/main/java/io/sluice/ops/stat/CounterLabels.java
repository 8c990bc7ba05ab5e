package io.sluice.ops.stat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits counter labels into a metric name and dimensions. Labels read {@code <name>},
 * {@code <name>: <topic>/<partition>}, {@code <name>: <topic>/<partition> <pipeline>} or
 * {@code <name>: partition <n>}, or for a pipeline's own figures ({@code processing-latency-*})
 * {@code <name>: <pipeline>}.
 */
final class CounterLabels
{
    private static final Pattern TOPIC_PARTITION = Pattern.compile("(\\S+)/(\\d+)(?: (.+))?");
    private static final Pattern PARTITION = Pattern.compile("partition (\\d+)");
    /** Counters labelled {@code <name>: <pipeline>}. */
    private static final String PIPELINE_PREFIX = "processing-latency-";

    private CounterLabels()
    {
    }

    /**
     * Formats a counter as a Prometheus sample line.
     *
     * @param label of the counter.
     * @param value of the counter.
     * @param out   to append {@code sluice_<name>{...} <value>\n} to.
     */
    static void prometheus(final String label, final long value, final StringBuilder out)
    {
        final int colon = label.indexOf(": ");
        final String name = colon < 0 ? label : label.substring(0, colon);
        out.append("sluice_").append(name.replaceAll("[^A-Za-z0-9_]", "_"));
        if (colon >= 0)
        {
            final String rest = label.substring(colon + 2);
            final Matcher topicPartition = TOPIC_PARTITION.matcher(rest);
            final Matcher partition = PARTITION.matcher(rest);
            out.append('{');
            if (topicPartition.matches())
            {
                dimension(out, "topic", topicPartition.group(1)).append(',');
                dimension(out, "partition", topicPartition.group(2));
                if (topicPartition.group(3) != null)
                {
                    dimension(out.append(','), "pipeline", topicPartition.group(3));
                }
            }
            else if (partition.matches())
            {
                dimension(out, "partition", partition.group(1));
            }
            else if (name.startsWith(PIPELINE_PREFIX))
            {
                dimension(out, "pipeline", rest);
            }
            else
            {
                dimension(out, "label", rest);
            }
            out.append('}');
        }
        out.append(' ').append(value).append('\n');
    }

    private static StringBuilder dimension(final StringBuilder out, final String name, final String value)
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
        return out.append('"');
    }
}
