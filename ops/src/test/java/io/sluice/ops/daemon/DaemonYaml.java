package io.sluice.ops.daemon;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The configuration file of a daemon under test, built from the parts the process tests share (the
 * trade schema, the per-symbol volume window, Kafka ingress and sinks, scale-out), so each test states
 * only what its scenario is about:
 *
 * <pre>{@code
 * DaemonYaml.daemon("data", 2).checkpoint("300ms", 5).tradeSchema().volume("1s", "results")
 *     .kafkaSink("results", bootstrap, "daemon-out", "sluice.daemon-test.results")
 *     .kafkaIngress(bootstrap, "daemon-in", "sluice.daemon-test")
 *     .build();
 * }</pre>
 */
final class DaemonYaml
{
    private final StringBuilder head = new StringBuilder();
    private final Map<String, List<String>> schemas = new LinkedHashMap<>();
    private final List<String> pipelines = new ArrayList<>();
    private final List<String> sinks = new ArrayList<>();
    private final List<String> ingress = new ArrayList<>();
    private final StringBuilder tail = new StringBuilder();

    private DaemonYaml()
    {
    }

    /**
     * A daemon with its data directory and partition count, sleeping when idle (a test machine is shared).
     *
     * @param dataDir    relative to the configuration file.
     * @param partitions per topic.
     * @return the builder.
     */
    static DaemonYaml daemon(final String dataDir, final int partitions)
    {
        final DaemonYaml yaml = new DaemonYaml();
        yaml.head.append("data_dir: ").append(dataDir).append('\n')
            .append("partitions: ").append(partitions).append('\n')
            .append("wait_strategy: sleep\n");
        return yaml;
    }

    /**
     * Only schemas and pipelines (a pipelines file a configuration includes).
     *
     * @return the builder.
     */
    static DaemonYaml pipelinesOnly()
    {
        return new DaemonYaml();
    }

    /**
     * The checkpoint section.
     *
     * @param interval between checkpoints ({@code 0}: only on demand and at shutdown).
     * @param retained checkpoints kept.
     * @return this.
     */
    DaemonYaml checkpoint(final String interval, final int retained)
    {
        head.append("checkpoint:\n  interval: ").append(interval).append('\n').append("  retained: ").append(retained).append('\n');
        return this;
    }

    /**
     * Checkpoints only on demand and at shutdown.
     *
     * @return this.
     */
    DaemonYaml onDemandCheckpoints()
    {
        head.append("checkpoint:\n  interval: 0\n");
        return this;
    }

    /**
     * The {@code trade} schema: {@code sym LONG, px DOUBLE, qty LONG, ts TIMESTAMP}.
     *
     * @return this.
     */
    DaemonYaml tradeSchema()
    {
        return schema("trade", "sym: LONG", "px: DOUBLE", "qty: LONG", "ts: TIMESTAMP");
    }

    /**
     * A schema.
     *
     * @param name   of the schema.
     * @param fields one {@code name: TYPE} each.
     * @return this.
     */
    DaemonYaml schema(final String name, final String... fields)
    {
        schemas.put(name, List.of(fields));
        return this;
    }

    /**
     * The pipeline {@code vol} over topic {@code trades}: per {@code sym}, a tumbling window of event
     * time {@code ts} counting trades ({@code n}) and summing {@code qty} ({@code q}).
     *
     * @param window size, e.g. {@code 1s}.
     * @param sink   the results go to.
     * @param keys   more keys of the pipeline, one {@code key: value} each (e.g. {@code on_error: dead_letter}).
     * @return this.
     */
    DaemonYaml volume(final String window, final String sink, final String... keys)
    {
        final StringBuilder item = new StringBuilder("""
            name: vol
            source: trades
            schema: trade
            partition_key: sym
            event_time: ts
            window:
              kind: tumbling
              size: %s
            aggregates:
              - n: count
              - q: sum(qty)
            sink: %s
            """.formatted(window, sink));
        for (final String key : keys)
        {
            item.append(key).append('\n');
        }
        return pipeline(item.toString());
    }

    /**
     * A pipeline item.
     *
     * @param item its keys, one per line, unindented.
     * @return this.
     */
    DaemonYaml pipeline(final String item)
    {
        pipelines.add(item);
        return this;
    }

    /**
     * A sink written as a flow mapping.
     *
     * @param name    of the sink.
     * @param mapping e.g. {@code {type: csv, path: vol.csv}}.
     * @return this.
     */
    DaemonYaml sink(final String name, final String mapping)
    {
        sinks.add(name + ": " + mapping + "\n");
        return this;
    }

    /**
     * An exactly-once Kafka sink.
     *
     * @param name            of the sink.
     * @param bootstrap       servers.
     * @param topic           Kafka topic written.
     * @param transactionalId prefix of the partitions' transactional ids.
     * @return this.
     */
    DaemonYaml kafkaSink(final String name, final String bootstrap, final String topic, final String transactionalId)
    {
        return kafkaSink(name, bootstrap, topic, transactionalId, new String[0]);
    }

    /**
     * An exactly-once Kafka sink with more settings.
     *
     * @param name            of the sink.
     * @param bootstrap       servers.
     * @param topic           Kafka topic written.
     * @param transactionalId prefix of the partitions' transactional ids.
     * @param settings        more keys of the sink, one {@code key: value} each.
     * @return this.
     */
    DaemonYaml kafkaSink(final String name, final String bootstrap, final String topic, final String transactionalId,
        final String... settings)
    {
        final StringBuilder item = new StringBuilder("""
            %s:
              type: kafka
              bootstrap: %s
              topic: %s
              mode: exactly_once
              transactional_id: %s
            """.formatted(name, bootstrap, topic, transactionalId));
        for (final String setting : settings)
        {
            item.append("  ").append(setting).append('\n');
        }
        sinks.add(item.toString());
        return this;
    }

    /**
     * A Kafka ingress of JSON trades into topic {@code trades}.
     *
     * @param bootstrap  servers.
     * @param kafkaTopic read.
     * @param group      consumer group.
     * @param settings   more settings, one {@code key: value} each (e.g. {@code dead_letter_topic: trades.dlq}).
     * @return this.
     */
    DaemonYaml kafkaIngress(final String bootstrap, final String kafkaTopic, final String group, final String... settings)
    {
        final StringBuilder item = new StringBuilder("""
            type: kafka
            topic: trades
            bootstrap: %s
            kafka_topic: %s
            group: %s
            format: json
            """.formatted(bootstrap, kafkaTopic, group));
        for (final String setting : settings)
        {
            item.append(setting).append('\n');
        }
        ingress.add(item.toString());
        return this;
    }

    /**
     * A file ingress.
     *
     * @param topic the pipelines' source topic.
     * @param path  of the file, relative to the configuration.
     * @return this.
     */
    DaemonYaml fileIngress(final String topic, final String path)
    {
        ingress.add("type: file\ntopic: " + topic + "\npath: " + path + "\n");
        return this;
    }

    /**
     * The {@code scale_out} section.
     *
     * @param job            name, the same on every daemon of the job.
     * @param store          the shared checkpoint store directory.
     * @param sessionTimeout e.g. {@code 6s}.
     * @return this.
     */
    DaemonYaml scaleOut(final String job, final String store, final String sessionTimeout)
    {
        return raw("""
            scale_out:
              job: %s
              checkpoint_store: %s
              session_timeout: %s
            """.formatted(job, store, sessionTimeout));
    }

    /**
     * The Prometheus endpoint on a free loopback port (written into the mark file).
     *
     * @return this.
     */
    DaemonYaml prometheus()
    {
        return raw("prometheus:\n  enabled: true\n  port: 0\n");
    }

    /**
     * Top-level YAML added as written.
     *
     * @param yaml one or more top-level keys.
     * @return this.
     */
    DaemonYaml raw(final String yaml)
    {
        tail.append(yaml);
        if (!yaml.isEmpty() && !yaml.endsWith("\n"))
        {
            tail.append('\n');
        }
        return this;
    }

    /**
     * The configuration text.
     *
     * @return the YAML.
     */
    String build()
    {
        final StringBuilder yaml = new StringBuilder(head);
        if (!schemas.isEmpty())
        {
            yaml.append("schemas:\n");
            schemas.forEach((name, fields) ->
            {
                yaml.append("  ").append(name).append(":\n");
                fields.forEach(field -> yaml.append("    ").append(field).append('\n'));
            });
        }
        items(yaml, "pipelines", pipelines, true);
        items(yaml, "sinks", sinks, false);
        yaml.append(tail);
        items(yaml, "ingress", ingress, true);
        return yaml.toString();
    }

    private static void items(final StringBuilder yaml, final String key, final List<String> items, final boolean list)
    {
        if (items.isEmpty())
        {
            return;
        }
        yaml.append(key).append(":\n");
        for (final String item : items)
        {
            final String[] lines = item.split("\n");
            for (int i = 0; i < lines.length; i++)
            {
                yaml.append(list ? (i == 0 ? "  - " : "    ") : "  ").append(lines[i]).append('\n');
            }
        }
    }

    @Override
    public String toString()
    {
        return build();
    }
}
