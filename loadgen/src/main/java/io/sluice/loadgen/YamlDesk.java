package io.sluice.loadgen;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import io.sluice.engine.config.PipelineConfig;
import io.sluice.engine.config.PipelineDefinition;
import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Field;
import io.sluice.schema.Schema;

/**
 * A scenario's detector pipelines declared once in the YAML of {@code docs/pipelines.md}, so the same
 * text runs in an embedded engine ({@link #pipelines}) and in a daemon ({@link #daemonConfig}). Every
 * pipeline is named after the kind of alert it raises (the kind of {@link InjectedPattern} it must
 * find) and is windowed, so its results carry {@code key}, {@code window_start} and
 * {@code window_end}; the last pipeline, {@code <topic>-e2e}, passes every input event through to the
 * latency probe (embedded) or to a journal topic of that name that a load generator reads back
 * (daemon).
 *
 * <p>The schema section is written from the scenario's Java {@link Schema}, field for field, so the
 * layouts cannot disagree; the whole text is parsed and validated when the desk is created.
 *
 * <p>Threading: immutable; build-time only, nothing of it runs per event.
 */
public final class YamlDesk
{
    /**
     * Binds an alert's value to a detector's result schema.
     */
    @FunctionalInterface
    public interface AlertValue
    {
        /**
         * Resolves fields once, at build time.
         *
         * @param result schema of the detector's window results.
         * @return the value read from a result; must not allocate.
         */
        ToDoubleFunction<EventFlyweight> bind(Schema result);
    }

    private static final EventSink NO_SINK = (partition, sequence, key, timestamp, event) -> { };

    private final ScenarioTopic topic;
    private final String pipelinesYaml;
    private final Map<String, AlertValue> detectors;
    private final PipelineConfig config;
    private final Map<String, Schema> results = new LinkedHashMap<>();

    /**
     * Creates and validates a desk.
     *
     * @param topic     the scenario's topic.
     * @param pipelines the {@code pipelines:} list items (YAML, indented by two spaces) of the detectors,
     *                  each named after its alert kind; the probe pipeline is added after them.
     * @param detectors by pipeline name, how to read the alert value from a result.
     */
    public YamlDesk(final ScenarioTopic topic, final String pipelines, final Map<String, AlertValue> detectors)
    {
        this.topic = topic;
        this.detectors = Map.copyOf(detectors);
        this.pipelinesYaml = "schemas:\n" + schemaYaml(topic.schema()) + "pipelines:\n" + pipelines + String.format(Locale.ROOT,
            "  - name: %1$s\n    source: %2$s\n    schema: %3$s\n    partition_key: %4$s\n    event_time: %5$s\n" +
            "    sink: %1$s\n", probeTopic(), topic.name(), topic.schema().name(), topic.keyField(), topic.timeField());
        this.config = PipelineConfig.parse(pipelinesYaml, topic.name() + " desk");
        for (final PipelineDefinition definition : config.pipelines())
        {
            if (!definition.name().equals(probeTopic()))
            {
                if (!detectors.containsKey(definition.name()) || definition.window() == null)
                {
                    throw new IllegalArgumentException("desk pipeline '" + definition.name() +
                        "' must be windowed and have an alert value");
                }
                results.put(definition.name(), definition.build(NO_SINK).outputSchema());
            }
        }
    }

    /**
     * An alert value read from a numeric field of the results (e.g. one computed by {@code result_map}).
     *
     * @param name of the result field.
     * @return the binding.
     */
    public static AlertValue field(final String name)
    {
        return result ->
        {
            final Field field = result.field(name);
            final int index = field.index();
            return field.type() == io.sluice.schema.FieldType.DOUBLE ? r -> r.getDouble(index) : r -> r.longValue(index);
        };
    }

    /**
     * The list items of a YAML document's {@code pipelines:} key: the lines after the line
     * {@code pipelines:}, as the constructor takes them (comments before it are dropped).
     *
     * @param document a YAML document whose only key is {@code pipelines}.
     * @return the items, indented by two spaces.
     */
    public static String pipelineItems(final String document)
    {
        final java.util.regex.Matcher header = java.util.regex.Pattern.compile("(?m)^pipelines:\\s*$").matcher(document);
        if (!header.find())
        {
            throw new IllegalArgumentException("the document has no 'pipelines:' line");
        }
        return document.substring(header.end()).replaceFirst("^\\R", "");
    }

    /**
     * A YAML schema entry for a Java schema, field for field.
     *
     * @param schema to write.
     * @return the entry, indented by two spaces.
     */
    static String schemaYaml(final Schema schema)
    {
        final StringBuilder text = new StringBuilder("  ").append(schema.name()).append(": {");
        for (int f = 0; f < schema.fieldCount(); f++)
        {
            final Field field = schema.field(f);
            text.append(f == 0 ? "" : ", ").append(field.name()).append(": ").append(field.type().name());
        }
        return text.append("}\n").toString();
    }

    /**
     * The topic the scenario writes.
     *
     * @return the topic.
     */
    public ScenarioTopic topic()
    {
        return topic;
    }

    /**
     * The journal topic (daemon) and pipeline name of the latency probe.
     *
     * @return {@code <topic>-e2e}.
     */
    public String probeTopic()
    {
        return topic.name() + "-e2e";
    }

    /**
     * The alert kinds, one per detector, in declaration order.
     *
     * @return the kinds, which are also the detectors' output journal topics in a daemon.
     */
    public List<String> kinds()
    {
        return new ArrayList<>(results.keySet());
    }

    /**
     * A detector's result schema.
     *
     * @param kind of alert.
     * @return the schema of the window results that become alerts.
     */
    public Schema resultSchema(final String kind)
    {
        return results.get(kind);
    }

    /**
     * The alert value of a detector, bound to its result schema.
     *
     * @param kind of alert.
     * @return the value function.
     */
    public ToDoubleFunction<EventFlyweight> alertValue(final String kind)
    {
        return detectors.get(kind).bind(results.get(kind));
    }

    /**
     * The schemas and pipelines section.
     *
     * @return YAML text.
     */
    public String pipelinesYaml()
    {
        return pipelinesYaml;
    }

    /**
     * Builds the pipelines for an embedded engine: detectors into the alert log, the probe last.
     *
     * @param alerts   receiving alerts.
     * @param recorder of end-to-end latency.
     * @return the pipelines in declaration order.
     */
    public List<Pipeline> pipelines(final AlertLog alerts, final LatencyRecorder recorder)
    {
        return pipelines(alerts, recorder, FraudDesk.SinkTap.NONE);
    }

    /**
     * Builds the pipelines for an embedded engine, each detector's sink passed through a tap (e.g.
     * onto a dashboard's board).
     *
     * @param alerts   receiving alerts.
     * @param recorder of end-to-end latency.
     * @param tap      wraps each detector's sink; build-time only.
     * @return the pipelines in declaration order.
     */
    public List<Pipeline> pipelines(final AlertLog alerts, final LatencyRecorder recorder, final FraudDesk.SinkTap tap)
    {
        final int sentNs = topic.sentNsIndex();
        return config.build(definition -> definition.name().equals(probeTopic()) ?
            new LatencyProbeSink(recorder, sentNs) :
            tap.tap(definition.name(),
                new AlertSink(alerts, definition.name(), alertValue(definition.name()), results.get(definition.name()))));
    }

    /**
     * A complete daemon configuration running this desk: every pipeline into a journal sink of its
     * name, Aeron ingress and egress on one channel.
     *
     * @param dataDirectory of the daemon.
     * @param channel       the daemon's Aeron channel.
     * @param partitions    per source topic.
     * @return the YAML of {@code sluice run --config}.
     */
    public String daemonConfig(final String dataDirectory, final String channel, final int partitions)
    {
        final StringBuilder text = new StringBuilder()
            .append("# Generated by 'sluice loadgen --print-config': the ").append(topic.name())
            .append(" desk, every pipeline into an output journal topic of its name.\n")
            .append("data_dir: ").append(dataDirectory).append('\n')
            .append("partitions: ").append(partitions).append('\n')
            .append("wait_strategy: sleep\n")
            .append("checkpoint:\n  interval: 0\n")
            .append(pipelinesYaml)
            .append("sinks:\n");
        for (final PipelineDefinition definition : config.pipelines())
        {
            text.append("  ").append(definition.name()).append(": {type: journal, topic: ").append(definition.name()).append("}\n");
        }
        return text.append("ingress:\n  - type: aeron\n    channel: ").append(channel).append('\n')
            .append("egress:\n  - type: aeron\n    channel: ").append(channel).append('\n')
            .toString();
    }
}
