package io.sluice.engine.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.sluice.engine.schema.Field;
import io.sluice.engine.schema.FieldType;
import io.sluice.engine.schema.Schema;
import io.sluice.engine.schema.SchemaException;

/**
 * An immutable pipeline definition: a source topic with its event schema, how each event's key and
 * time are found, and a linear chain of stages ending in a sink. Built once with {@link #from};
 * nothing of the builder runs per event. The engine creates one {@link PipelineInstance} per
 * partition, fused on that partition's thread.
 *
 * <pre>{@code
 *   Pipeline velocity = Pipeline.from("cards", CARD)
 *       .name("card-velocity")
 *       .partitionKey("card")
 *       .eventTime("ts", 2_000)
 *       .filter("positive amounts", e -> e.getDouble(amount) > 0)
 *       .window(w -> w.sliding(60_000, 5_000).count("n").sum("total", "amount"))
 *       .filter("bursts", r -> r.getLong(4) >= 5)
 *       .sink("alerts", sink)
 *       .build();
 * }</pre>
 */
public final class Pipeline
{
    private final String name;
    private final String sourceTopic;
    private final Schema inputSchema;
    private final int partitionKeyField;
    private final int eventTimeField;
    private final long maxOutOfOrderness;
    private final long idleTimeout;
    private final List<StageSpec> stages;

    private Pipeline(final Builder builder)
    {
        this.name = builder.name;
        this.sourceTopic = builder.sourceTopic;
        this.inputSchema = builder.inputSchema;
        this.partitionKeyField = builder.partitionKeyField;
        this.eventTimeField = builder.eventTimeField;
        this.maxOutOfOrderness = builder.maxOutOfOrderness;
        this.idleTimeout = builder.idleTimeout;
        this.stages = List.copyOf(builder.stages);
    }

    /**
     * Starts a pipeline reading a topic of events of a schema.
     *
     * @param sourceTopic the events come from.
     * @param schema      of the events.
     * @return a builder.
     */
    public static Builder from(final String sourceTopic, final Schema schema)
    {
        return new Builder(sourceTopic, schema);
    }

    /**
     * The pipeline's name.
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * The topic the pipeline reads.
     *
     * @return the source topic.
     */
    public String sourceTopic()
    {
        return sourceTopic;
    }

    /**
     * The schema of the source events.
     *
     * @return the input schema.
     */
    public Schema inputSchema()
    {
        return inputSchema;
    }

    /**
     * Index of the field whose value routes an event to its partition and keys it.
     *
     * @return the partition key field index.
     */
    public int partitionKeyField()
    {
        return partitionKeyField;
    }

    /**
     * Index of the event-time field, or -1 in processing-time mode (the journaled ingest time is used).
     *
     * @return the event-time field index or -1.
     */
    public int eventTimeField()
    {
        return eventTimeField;
    }

    /**
     * Bound of out-of-orderness for watermarks.
     *
     * @return the bound in event-time units.
     */
    public long maxOutOfOrderness()
    {
        return maxOutOfOrderness;
    }

    /**
     * Processing time after which a quiet partition lets its watermark advance, 0 for never.
     *
     * @return the idle timeout.
     */
    public long idleTimeout()
    {
        return idleTimeout;
    }

    /**
     * The schema of the events the sink receives.
     *
     * @return the output schema.
     */
    public Schema outputSchema()
    {
        return stages.get(stages.size() - 1).input();
    }

    /**
     * Descriptions of the stages, in order.
     *
     * @return one line per stage.
     */
    public List<String> describeStages()
    {
        final List<String> lines = new ArrayList<>();
        for (final StageSpec stage : stages)
        {
            lines.add(stage.description() + " [" + stage.policy() + "]");
        }
        return lines;
    }

    /**
     * Whether any stage runs under this error policy.
     *
     * @param policy to look for.
     * @return true if a stage uses it.
     */
    public boolean usesPolicy(final ErrorPolicy policy)
    {
        for (final StageSpec stage : stages)
        {
            if (stage.policy() == policy)
            {
                return true;
            }
        }
        return false;
    }

    List<StageSpec> stages()
    {
        return stages;
    }

    /**
     * Creates the fused operator chain for one partition.
     *
     * @param partition    the instance serves.
     * @param errorHandler receiving stage failures.
     * @return the instance.
     */
    public PipelineInstance newInstance(final int partition, final StageErrorHandler errorHandler)
    {
        return new PipelineInstance(this, partition, errorHandler);
    }

    @Override
    public String toString()
    {
        return "Pipeline{" + name + " from " + sourceTopic + ": " + describeStages() + "}";
    }

    /**
     * Declares a pipeline. Every mistake (unknown field, wrong type, missing sink) is reported by the
     * method that made it or by {@link #build()}, naming the pipeline and the stage.
     */
    public static final class Builder
    {
        private final String sourceTopic;
        private final Schema inputSchema;
        private final List<StageSpec> stages = new ArrayList<>();
        private String name;
        private int partitionKeyField = -1;
        private int eventTimeField = -1;
        private boolean timeChosen;
        private long maxOutOfOrderness;
        private long idleTimeout;
        private ErrorPolicy policy = ErrorPolicy.SKIP;
        private Schema current;
        private boolean sunk;

        private Builder(final String sourceTopic, final Schema inputSchema)
        {
            this.sourceTopic = sourceTopic;
            this.inputSchema = inputSchema;
            this.current = inputSchema;
            this.name = sourceTopic;
        }

        /**
         * Names the pipeline (defaults to the topic name).
         *
         * @param name of the pipeline.
         * @return this.
         */
        public Builder name(final String name)
        {
            this.name = name;
            return this;
        }

        /**
         * The field whose value routes each event to a partition and keys it (LONG, INT, TIMESTAMP or a
         * SYMBOL, hashed).
         *
         * @param field of the input schema.
         * @return this.
         */
        public Builder partitionKey(final String field)
        {
            partitionKeyField = inputSchema.field(field).index();
            return this;
        }

        /**
         * Event time from a field, with watermarks trailing the largest time seen by the bound.
         *
         * @param field             TIMESTAMP or LONG field of the input.
         * @param maxOutOfOrderness bound of disorder.
         * @return this.
         */
        public Builder eventTime(final String field, final long maxOutOfOrderness)
        {
            final Field f = inputSchema.field(field);
            if (f.type() != FieldType.TIMESTAMP && f.type() != FieldType.LONG)
            {
                throw error("event-time field '" + field + "' must be TIMESTAMP or LONG, is " + f.type());
            }
            if (maxOutOfOrderness < 0)
            {
                throw error("maxOutOfOrderness must not be negative, was " + maxOutOfOrderness);
            }
            eventTimeField = f.index();
            this.maxOutOfOrderness = maxOutOfOrderness;
            timeChosen = true;
            return this;
        }

        /**
         * Processing time: each event's time is the ingest time stamped and journaled at ingress.
         *
         * @return this.
         */
        public Builder processingTime()
        {
            eventTimeField = -1;
            timeChosen = true;
            return this;
        }

        /**
         * Lets the watermark of a partition with no events for this long (in journaled processing time)
         * advance, so a quiet partition does not hold results back forever.
         *
         * @param idleTimeout processing-time span, 0 to disable.
         * @return this.
         */
        public Builder idleTimeout(final long idleTimeout)
        {
            this.idleTimeout = idleTimeout;
            return this;
        }

        /**
         * The error policy of the stages declared from now on (default SKIP).
         *
         * @param policy for following stages.
         * @return this.
         */
        public Builder onError(final ErrorPolicy policy)
        {
            this.policy = policy;
            return this;
        }

        /**
         * Keeps only events for which the predicate holds.
         *
         * @param description of the condition, for tools and errors.
         * @param predicate   evaluated per event.
         * @return this.
         */
        public Builder filter(final String description, final EventPredicate predicate)
        {
            return add(new StageSpec.FilterSpec("filter " + description, policy, current, predicate));
        }

        /**
         * Maps each event to an event of another schema.
         *
         * @param output schema.
         * @param mapper writing the output.
         * @return this.
         */
        public Builder map(final Schema output, final EventMapper mapper)
        {
            final StageSpec spec = new StageSpec.MapSpec("map to " + output.name(), policy, current, output, mapper);
            add(spec);
            current = output;
            return this;
        }

        /**
         * Re-keys events by a field. Keys must stay within the partition the partition key chose, so
         * this is only allowed for the partition key field itself or derived keys that refine it.
         *
         * @param field of the current schema.
         * @return this.
         */
        public Builder keyBy(final String field)
        {
            final Field f = current.field(field);
            final int index = f.index();
            final KeySelector selector = f.type() == FieldType.SYMBOL ? e -> e.symbolHash(index) : e -> e.longValue(index);
            return add(new StageSpec.KeyBySpec("key by " + field, policy, current, selector));
        }

        /**
         * Re-keys events by a function.
         *
         * @param description of the key.
         * @param selector    computing the key.
         * @return this.
         */
        public Builder keyBy(final String description, final KeySelector selector)
        {
            return add(new StageSpec.KeyBySpec("key by " + description, policy, current, selector));
        }

        /**
         * A keyed window aggregation; downstream stages see the window result schema.
         *
         * @param declaration of the window kind and aggregates.
         * @return this.
         */
        public Builder window(final Consumer<WindowSpec> declaration)
        {
            final WindowSpec spec = new WindowSpec(current);
            declaration.accept(spec);
            try
            {
                spec.validate();
            }
            catch (final SchemaException ex)
            {
                throw error(ex.getMessage());
            }
            add(new StageSpec.WindowStageSpec("window " + spec, policy, current, spec));
            current = spec.resultSchema();
            return this;
        }

        /**
         * Ends the pipeline in a sink.
         *
         * @param description of the sink.
         * @param sink        receiving outputs.
         * @return this.
         */
        public Builder sink(final String description, final EventSink sink)
        {
            add(new StageSpec.SinkSpec("sink " + description, policy, current, sink));
            sunk = true;
            return this;
        }

        private Builder add(final StageSpec spec)
        {
            if (sunk)
            {
                throw error("nothing can follow the sink; '" + spec.description() + "' came after it");
            }
            stages.add(spec);
            return this;
        }

        /**
         * Validates and completes the definition.
         *
         * @return the pipeline.
         */
        public Pipeline build()
        {
            if (!sunk)
            {
                throw error("has no sink");
            }
            if (partitionKeyField < 0)
            {
                throw error("has no partition key: call partitionKey(field)");
            }
            if (!timeChosen)
            {
                throw error("has no time: call eventTime(field, bound) or processingTime()");
            }
            int windows = 0;
            for (final StageSpec spec : stages)
            {
                if (spec instanceof StageSpec.WindowStageSpec)
                {
                    windows++;
                }
            }
            if (windows > 1)
            {
                throw error("has " + windows + " window stages; one per pipeline (chain pipelines through a topic)");
            }
            return new Pipeline(this);
        }

        private SchemaException error(final String message)
        {
            return new SchemaException("pipeline '" + name + "' " + message);
        }
    }
}
