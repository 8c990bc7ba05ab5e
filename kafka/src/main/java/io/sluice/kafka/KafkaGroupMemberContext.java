package io.sluice.kafka;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.runtime.EngineContext;

/**
 * Settings of a {@link KafkaGroupMember}, one daemon of a scale-out job: fluent setters, and one
 * {@link #conclude()} that checks them all and fails with a message naming the setting. Every daemon
 * of a job must have the same job name, source (topic and group), pipelines and sinks.
 */
public final class KafkaGroupMemberContext
{
    private String job;
    private KafkaSourceContext source;
    private SharedCheckpointStore checkpointStore;
    private Path workDirectory;
    private Supplier<EngineContext> engine = EngineContext::new;
    private Function<Map<String, EventSink>, List<Pipeline>> pipelines;
    private final Map<String, KafkaSinkContext> sinks = new LinkedHashMap<>();
    private long sessionTimeoutMillis = 10_000;
    private int partitions;
    private boolean concluded;

    /**
     * The job's name: the same on every daemon sharing the work; it names the job's checkpoints in
     * the shared store.
     *
     * @param job name.
     * @return this.
     */
    public KafkaGroupMemberContext job(final String job)
    {
        this.job = job;
        return this;
    }

    /**
     * The job's name.
     *
     * @return the name.
     */
    public String job()
    {
        return job;
    }

    /**
     * The Kafka input: brokers, topic, consumer group (the same on every daemon of the job: the group
     * spreads the topic's partitions over them), the pipelines' source topic, value format, event time,
     * dead-letter topic, back-offs and client properties.
     *
     * @param source settings of the input.
     * @return this.
     */
    public KafkaGroupMemberContext source(final KafkaSourceContext source)
    {
        this.source = source;
        return this;
    }

    /**
     * The Kafka input.
     *
     * @return the source settings.
     */
    public KafkaSourceContext source()
    {
        return source;
    }

    /**
     * Where every daemon of the job finds each partition's checkpoints.
     *
     * @param store shared by the job's daemons.
     * @return this.
     */
    public KafkaGroupMemberContext checkpointStore(final SharedCheckpointStore store)
    {
        this.checkpointStore = store;
        return this;
    }

    /**
     * Where the daemons of the job find each partition's checkpoints.
     *
     * @return the store.
     */
    public SharedCheckpointStore checkpointStore()
    {
        return checkpointStore;
    }

    /**
     * This daemon's own directory: {@code partition-<k>/} holds the journal and local checkpoints of a
     * partition it owns, started afresh each time it takes the partition.
     *
     * @param directory local to the daemon, not shared.
     * @return this.
     */
    public KafkaGroupMemberContext workDirectory(final Path directory)
    {
        this.workDirectory = directory;
        return this;
    }

    /**
     * This daemon's own directory.
     *
     * @return the directory.
     */
    public Path workDirectory()
    {
        return workDirectory;
    }

    /**
     * A fresh engine context per owned partition (ring size, checkpoint interval, wait strategy...):
     * the member sets its directory, one partition and the checkpoint to restore.
     *
     * @param engine supplying a new context on each call.
     * @return this.
     */
    public KafkaGroupMemberContext engine(final Supplier<EngineContext> engine)
    {
        this.engine = engine;
        return this;
    }

    /**
     * Supplies a fresh engine context per owned partition.
     *
     * @return the supplier.
     */
    public Supplier<EngineContext> engine()
    {
        return engine;
    }

    /**
     * Builds the job's pipelines for one owned partition, writing to the given sinks (by name, as
     * added with {@link #sink}).
     *
     * @param pipelines from the partition's sinks to its pipelines.
     * @return this.
     */
    public KafkaGroupMemberContext pipelines(final Function<Map<String, EventSink>, List<Pipeline>> pipelines)
    {
        this.pipelines = pipelines;
        return this;
    }

    /**
     * Builds the job's pipelines for one owned partition.
     *
     * @return the builder.
     */
    public Function<Map<String, EventSink>, List<Pipeline>> pipelines()
    {
        return pipelines;
    }

    /**
     * Adds a Kafka sink: a template from which each owned partition opens its own sink of one partition
     * (its transactional id {@code <prefix>-<k>} for Kafka partition {@code k}). The template's
     * partition settings are ignored.
     *
     * @param name     the pipelines know the sink by.
     * @param template of the sink's settings.
     * @return this.
     */
    public KafkaGroupMemberContext sink(final String name, final KafkaSinkContext template)
    {
        sinks.put(name, template);
        return this;
    }

    /**
     * The Kafka sinks by name.
     *
     * @return the templates.
     */
    public Map<String, KafkaSinkContext> sinks()
    {
        return sinks;
    }

    /**
     * How long the group waits for a silent daemon (killed, hung) before moving its partitions:
     * Kafka's {@code session.timeout.ms}, default 10 s, within the broker's bounds (6 s to 30 min by default).
     *
     * @param millis session timeout.
     * @return this.
     */
    public KafkaGroupMemberContext sessionTimeoutMillis(final long millis)
    {
        this.sessionTimeoutMillis = millis;
        return this;
    }

    /**
     * How long the group waits for a silent daemon before moving its partitions.
     *
     * @return milliseconds.
     */
    public long sessionTimeoutMillis()
    {
        return sessionTimeoutMillis;
    }

    /**
     * The partition count the job expects of its input topic: a topic with another count stops the member
     * (state FAILED) with a message naming both counts. 0, the default, accepts any count.
     *
     * @param partitions expected of the input topic, or 0.
     * @return this.
     */
    public KafkaGroupMemberContext partitions(final int partitions)
    {
        this.partitions = partitions;
        return this;
    }

    /**
     * The partition count the job expects of its input topic, 0 for any.
     *
     * @return the count or 0.
     */
    public int partitions()
    {
        return partitions;
    }

    /**
     * Checks every setting once.
     *
     * @return this.
     * @throws KafkaConnectorException naming the missing or invalid setting.
     */
    public KafkaGroupMemberContext conclude()
    {
        if (concluded)
        {
            return this;
        }
        if (job == null || job.isBlank())
        {
            throw new KafkaConnectorException("scale-out: no job name configured (the same on every daemon of the job)");
        }
        if (source == null)
        {
            throw new KafkaConnectorException("scale-out job '" + job + "': no Kafka source configured");
        }
        source.conclude();
        if (checkpointStore == null || workDirectory == null || engine == null || pipelines == null)
        {
            throw new KafkaConnectorException("scale-out job '" + job + "': the shared checkpoint store, the work directory, the " +
                "engine settings and the pipelines are required");
        }
        if (sessionTimeoutMillis < 1_000)
        {
            throw new KafkaConnectorException("scale-out job '" + job + "': session timeout must be at least 1000 ms, was " + sessionTimeoutMillis);
        }
        if (partitions < 0)
        {
            throw new KafkaConnectorException("scale-out job '" + job + "': partitions must be 0 (any) or positive, was " + partitions);
        }
        concluded = true;
        return this;
    }
}
