package io.sluice.engine.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.sluice.schema.Field;
import io.sluice.schema.FieldType;
import io.sluice.schema.Schema;
import io.sluice.schema.SchemaException;

/**
 * An immutable pipeline definition: a source topic with its event schema, how each event's key and
 * time are found, and a linear chain of stages ending in a sink. Built once with {@link #from};
 * nothing of the builder runs per event. It is pure description: the runtime
 * ({@code io.sluice.engine.exec.PipelineInstance}) builds one fused chain of stages per partition
 * from it, run on that partition's thread.
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
    private final List<Source> sources;
    private final JoinSpec join;
    private final long idleTimeout;
    private final List<StageSpec> stages;

    private Pipeline(final Builder builder)
    {
        this.name = builder.name;
        this.sources = List.copyOf(builder.sources);
        this.join = builder.join;
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
     * Starts a pipeline whose head joins two co-partitioned inputs; the stages declared after
     * {@link JoinBuilder#then()} see the join's output rows (see {@link JoinSpec}).
     *
     * <pre>{@code
     *   Pipeline.join("orders-payments",
     *           Source.stream("orders", ORDER).partitionKey("order_id").eventTime("ts", 500),
     *           Source.stream("payments", PAYMENT).partitionKey("order_id").eventTime("ts", 500))
     *       .interval(0, 2_000).type(JoinType.LEFT)
     *       .then()
     *       .filter("unpaid", row -> row.getInt(1) == JoinResultHandler.RIGHT_NULL)
     *       .sink("alerts", sink)
     *       .build();
     * }</pre>
     *
     * @param name  of the pipeline (and the join).
     * @param left  input.
     * @param right input.
     * @return a builder for the join.
     */
    public static JoinBuilder join(final String name, final Source left, final Source right)
    {
        return new JoinBuilder(name, left, right);
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
        return sources.get(0).topic();
    }

    /**
     * The inputs: one, or two for a join (left then right).
     *
     * @return the sources.
     */
    public List<Source> sources()
    {
        return sources;
    }

    /**
     * The join at the head of the pipeline, or null.
     *
     * @return the join or null.
     */
    public JoinSpec join()
    {
        return join;
    }

    /**
     * The schema of the source events.
     *
     * @return the input schema.
     */
    public Schema inputSchema()
    {
        return sources.get(0).schema();
    }

    /**
     * Index of the field whose value routes an event to its partition and keys it.
     *
     * @return the partition key field index.
     */
    public int partitionKeyField()
    {
        return sources.get(0).partitionKeyField();
    }

    /**
     * Index of the event-time field, or -1 in processing-time mode (the journaled ingest time is used).
     *
     * @return the event-time field index or -1.
     */
    public int eventTimeField()
    {
        return sources.get(0).eventTimeField();
    }

    /**
     * Bound of out-of-orderness for watermarks.
     *
     * @return the bound in event-time units.
     */
    public long maxOutOfOrderness()
    {
        return sources.get(0).maxOutOfOrderness();
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

    /**
     * The stages after the source (or the join), in order, as declared: description only.
     *
     * @return the stage specifications, unmodifiable.
     */
    public List<StageSpec> stages()
    {
        return stages;
    }

    @Override
    public String toString()
    {
        return "Pipeline{" + name + " from " + sources + (join == null ? "" : " " + join) + ": " + describeStages() + "}";
    }

    /**
     * Declares a pipeline. Every mistake (unknown field, wrong type, missing sink) is reported by the
     * method that made it or by {@link #build()}, naming the pipeline and the stage.
     */
    public static final class Builder
    {
        private final List<Source> sources = new ArrayList<>();
        private final List<StageSpec> stages = new ArrayList<>();
        private final JoinSpec join;
        private String name;
        private long idleTimeout;
        private ErrorPolicy policy = ErrorPolicy.SKIP;
        private Schema current;
        private boolean sunk;

        private Builder(final String sourceTopic, final Schema inputSchema)
        {
            this.sources.add(Source.stream(sourceTopic, inputSchema));
            this.join = null;
            this.current = inputSchema;
            this.name = sourceTopic;
        }

        private Builder(final JoinSpec join, final long idleTimeout)
        {
            this.sources.add(join.left());
            this.sources.add(join.right());
            this.join = join;
            this.current = join.output();
            this.name = join.name();
            this.idleTimeout = idleTimeout;
        }

        private Source single(final String what)
        {
            if (join != null)
            {
                throw error(what + " belongs to the sources of a join: set it on Source.stream/table");
            }
            return sources.get(0);
        }

        /**
         * Names the pipeline (defaults to the topic name).
         *
         * @param name of the pipeline.
         * @return this.
         */
        public Builder name(final String name)
        {
            if (join != null)
            {
                throw error("a join pipeline is named by Pipeline.join(name, ...)");
            }
            this.name = name;
            return this;
        }

        /**
         * The field whose value routes each event to a partition and keys it (LONG, INT, TIMESTAMP or a
         * SYMBOL, hashed; a DECIMAL or TEXT field is refused).
         *
         * @param field of the input schema.
         * @return this.
         * @throws SchemaException naming the pipeline, the field and its type, for a DECIMAL or TEXT field.
         */
        public Builder partitionKey(final String field)
        {
            try
            {
                single("partitionKey").partitionKey(field);
            }
            catch (final SchemaException ex)
            {
                throw error(ex.getMessage().replace("source '" + sources.get(0).topic() + "': ", ""));
            }
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
            try
            {
                single("eventTime").eventTime(field, maxOutOfOrderness);
            }
            catch (final SchemaException ex)
            {
                throw error(ex.getMessage().replace("source '" + sources.get(0).topic() + "': ", ""));
            }
            return this;
        }

        /**
         * Processing time: each event's time is the ingest time stamped and journaled at ingress.
         *
         * @return this.
         */
        public Builder processingTime()
        {
            single("processingTime").processingTime();
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
         * The schema of the events the next declared stage will see (the input, a map's output, a
         * window's results or a join's rows), so that predicates can resolve field indexes at build time.
         *
         * @return the current schema.
         */
        public Schema schema()
        {
            return current;
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
            return map("to " + output.name(), output, mapper);
        }

        /**
         * Maps each event to an event of another schema, described for tools and errors.
         *
         * @param description of the mapping, e.g. the fields it computes.
         * @param output      schema.
         * @param mapper      writing the output.
         * @return this.
         */
        public Builder map(final String description, final Schema output, final EventMapper mapper)
        {
            final StageSpec spec = new StageSpec.MapSpec("map " + description, policy, current, output, mapper);
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
         * Suppresses repeated outputs: after an output of a key at event time t, the key's later
         * outputs with a time before t + cooldown are dropped (a window result's time is its window's
         * last instant). Placed before the sink; one suppression per pipeline.
         *
         * @param cooldown     in event-time units, greater than zero.
         * @param expectedKeys keys expected at once, to size the state.
         * @return this.
         */
        public Builder suppressCooldown(final long cooldown, final int expectedKeys)
        {
            if (cooldown <= 0)
            {
                throw error("suppress cooldown must be greater than zero, not " + cooldown);
            }
            return add(new StageSpec.SuppressSpec("suppress cooldown " + cooldown, policy, current, cooldown, new String[0],
                Math.max(16, expectedKeys)));
        }

        /**
         * Suppresses outputs equal to the last one emitted for their key. On window results, the
         * window's bounds and flags are left out of the comparison, so the same aggregates in the next
         * (sliding) window are no change. Placed before the sink; one suppression per pipeline.
         *
         * @param expectedKeys keys expected at once, to size the state.
         * @return this.
         */
        public Builder suppressOnChange(final int expectedKeys)
        {
            final List<String> ignored = new ArrayList<>();
            for (final String name : new String[] {WindowSpec.WINDOW_START, WindowSpec.WINDOW_END, WindowSpec.FLAGS})
            {
                if (current.hasField(name))
                {
                    ignored.add(name);
                }
            }
            return add(new StageSpec.SuppressSpec("suppress on change", policy, current, 0, ignored.toArray(new String[0]),
                Math.max(16, expectedKeys)));
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
            for (final Source source : sources)
            {
                try
                {
                    source.validate(name);
                }
                catch (final SchemaException ex)
                {
                    throw join == null ? error(ex.getMessage().replaceFirst(".*source '[^']*' ", "")) : ex;
                }
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
            int suppressions = 0;
            for (final StageSpec spec : stages)
            {
                if (spec instanceof StageSpec.SuppressSpec)
                {
                    suppressions++;
                }
            }
            if (suppressions > 1)
            {
                throw error("has " + suppressions + " suppress stages; one per pipeline");
            }
            return new Pipeline(this);
        }

        private SchemaException error(final String message)
        {
            return new SchemaException("pipeline '" + name + "' " + message);
        }
    }

    /**
     * Declares the join at the head of a two-input pipeline; {@link #then()} continues with the
     * stages that see the joined rows.
     */
    public static final class JoinBuilder
    {
        private final String name;
        private final Source left;
        private final Source right;
        private JoinSpec.Kind kind;
        private io.sluice.engine.join.JoinType type = io.sluice.engine.join.JoinType.INNER;
        private long lower;
        private long upper;
        private long allowedLateness;
        private int versions;
        private int expectedEntries = 1024;
        private int evictionSlice = io.sluice.engine.join.JoinOperatorContext.EVICTION_SLICE_DEFAULT;
        private long idleTimeout;
        private String leftPrefix;
        private String rightPrefix;

        private JoinBuilder(final String name, final Source left, final Source right)
        {
            this.name = name;
            this.left = left.copy();
            this.right = right.copy();
            this.leftPrefix = prefixOf(left.topic());
            this.rightPrefix = prefixOf(right.topic());
            if (leftPrefix.equals(rightPrefix))
            {
                leftPrefix = "left";
                rightPrefix = "right";
            }
        }

        private static String prefixOf(final String topic)
        {
            final String cleaned = topic.replaceAll("[^A-Za-z0-9_]", "_");
            return Character.isDigit(cleaned.charAt(0)) ? "t" + cleaned : cleaned;
        }

        /**
         * Stream-stream interval join: a left event at t matches right events at [t + lower, t + upper].
         *
         * @param lower bound, inclusive, may be negative.
         * @param upper bound, inclusive, at least lower.
         * @return this.
         */
        public JoinBuilder interval(final long lower, final long upper)
        {
            this.kind = JoinSpec.Kind.INTERVAL;
            this.lower = lower;
            this.upper = upper;
            return this;
        }

        /**
         * Stream-table join: each left event is enriched with the right table's row as of its
         * position in the journaled order.
         *
         * @return this.
         */
        public JoinBuilder lookup()
        {
            this.kind = JoinSpec.Kind.LOOKUP;
            this.versions = 0;
            return this;
        }

        /**
         * Stream-table join against the row as of the event's timestamp, keeping up to
         * {@code versions} versions per key.
         *
         * @param versions kept per key, 1 to 1024.
         * @return this.
         */
        public JoinBuilder lookupAsOfEventTime(final int versions)
        {
            this.kind = JoinSpec.Kind.LOOKUP;
            this.versions = versions;
            return this;
        }

        /**
         * Table-table join: every update of either side emits the updated joined row.
         *
         * @return this.
         */
        public JoinBuilder tables()
        {
            this.kind = JoinSpec.Kind.TABLES;
            return this;
        }

        /**
         * Inner (default), left, right or outer.
         *
         * @param type of the join.
         * @return this.
         */
        public JoinBuilder type(final io.sluice.engine.join.JoinType type)
        {
            this.type = type;
            return this;
        }

        /**
         * How late (behind the watermark) an interval-join event may still be joined.
         *
         * @param allowedLateness in event-time units.
         * @return this.
         */
        public JoinBuilder allowedLateness(final long allowedLateness)
        {
            this.allowedLateness = allowedLateness;
            return this;
        }

        /**
         * Pre-sizes the join's state.
         *
         * @param expectedEntries records or keys expected at once.
         * @return this.
         */
        public JoinBuilder expectedEntries(final int expectedEntries)
        {
            this.expectedEntries = expectedEntries;
            return this;
        }

        /**
         * Bounded work per event for an interval join: complete records evicted (and null-padded
         * rows emitted) per event at most, in an order that is a function of the processed sequence
         * (see {@link io.sluice.engine.join.JoinOperatorContext#evictionSlice(int)}).
         *
         * @param evictionSlice records per event, at least 1; {@link Integer#MAX_VALUE} for all at once.
         * @return this.
         */
        public JoinBuilder evictionSlice(final int evictionSlice)
        {
            if (evictionSlice < 1)
            {
                throw new SchemaException("join '" + name + "': evictionSlice must be >= 1, was " + evictionSlice);
            }
            this.evictionSlice = evictionSlice;
            return this;
        }

        /**
         * Lets a quiet input's watermark advance after this much journaled processing time.
         *
         * @param idleTimeout processing-time span, 0 to disable.
         * @return this.
         */
        public JoinBuilder idleTimeout(final long idleTimeout)
        {
            this.idleTimeout = idleTimeout;
            return this;
        }

        /**
         * Names the output fields {@code <leftPrefix>_<field>} and {@code <rightPrefix>_<field>}
         * (default: the topic names).
         *
         * @param leftPrefix  for the left fields.
         * @param rightPrefix for the right fields.
         * @return this.
         */
        public JoinBuilder prefixes(final String leftPrefix, final String rightPrefix)
        {
            this.leftPrefix = leftPrefix;
            this.rightPrefix = rightPrefix;
            return this;
        }

        /**
         * Ends the join declaration; the returned builder's stages see the joined rows.
         *
         * @return the pipeline builder.
         */
        public Builder then()
        {
            if (kind == null)
            {
                throw new SchemaException("join '" + name + "' needs a kind: interval(lower, upper), lookup() or tables()");
            }
            left.validate(name);
            right.validate(name);
            return new Builder(new JoinSpec(name, left, right, kind, type, lower, upper, allowedLateness, versions,
                expectedEntries, evictionSlice, idleTimeout, leftPrefix, rightPrefix), idleTimeout);
        }
    }
}
