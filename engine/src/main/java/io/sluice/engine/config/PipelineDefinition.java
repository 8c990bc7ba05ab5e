package io.sluice.engine.config;

import java.util.List;


import io.sluice.engine.pipeline.ErrorPolicy;
import io.sluice.engine.pipeline.EventPredicate;
import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.WindowSpec;
import io.sluice.schema.Schema;

/**
 * One pipeline declared in a configuration file, validated and with its expressions compiled. It
 * becomes a {@link Pipeline} once given a sink, through the same DSL Java pipelines use. Immutable:
 * {@link #build} may be called any number of times (the compiled predicates are stateless and
 * shared).
 *
 * <p>A pipeline reads one source, or joins two ({@link #join()}); like {@link Pipeline}, the
 * single-source accessors ({@link #source()}, {@link #schema()}, {@link #partitionKey()}, ...) then
 * describe the left side, and {@link #sources()} lists both.
 */
public final class PipelineDefinition
{
    /** Initial capacity of a suppression's per-key state; it grows with the keys that raise outputs. */
    private static final int SUPPRESS_EXPECTED_KEYS = 1024;

    private final String name;
    private final List<SourceDefinition> sources;
    private final JoinDefinition join;
    private final long idleTimeout;
    private final ErrorPolicy errorPolicy;
    private final String filter;
    private final EventPredicate filterPredicate;
    private final ComputedFields map;
    private final WindowDefinition window;
    private final List<AggregateDefinition> aggregates;
    private final ComputedFields resultMap;
    private final String having;
    private final EventPredicate havingPredicate;
    private final long suppress;
    private final String sink;

    PipelineDefinition(
        final String name,
        final List<SourceDefinition> sources,
        final JoinDefinition join,
        final long idleTimeout,
        final ErrorPolicy errorPolicy,
        final String filter,
        final EventPredicate filterPredicate,
        final ComputedFields map,
        final WindowDefinition window,
        final List<AggregateDefinition> aggregates,
        final ComputedFields resultMap,
        final String having,
        final EventPredicate havingPredicate,
        final long suppress,
        final String sink)
    {
        this.name = name;
        this.sources = List.copyOf(sources);
        this.join = join;
        this.idleTimeout = idleTimeout;
        this.errorPolicy = errorPolicy;
        this.filter = filter;
        this.filterPredicate = filterPredicate;
        this.map = map;
        this.window = window;
        this.aggregates = List.copyOf(aggregates);
        this.resultMap = resultMap;
        this.having = having;
        this.havingPredicate = havingPredicate;
        this.suppress = suppress;
        this.sink = sink;
    }

    /**
     * Builds the pipeline with the DSL, ending in the given sink.
     *
     * @param eventSink receiving the pipeline's outputs.
     * @return the pipeline.
     */
    public Pipeline build(final EventSink eventSink)
    {
        final Pipeline.Builder builder;
        if (join != null)
        {
            builder = join.declare(name, idleTimeout).then();
        }
        else
        {
            final SourceDefinition input = sources.get(0);
            builder = Pipeline.from(input.topic(), input.schema()).name(name).partitionKey(input.partitionKey());
            if (input.eventTime() != null)
            {
                builder.eventTime(input.eventTime(), input.maxOutOfOrderness());
            }
            else
            {
                builder.processingTime();
            }
            builder.idleTimeout(idleTimeout);
        }
        builder.onError(errorPolicy);
        if (filterPredicate != null)
        {
            builder.filter(filter, filterPredicate);
        }
        if (map != null)
        {
            builder.map(map.description(), map.output(), map.mapper());
        }
        if (window != null)
        {
            builder.window(this::declareWindow);
            if (resultMap != null)
            {
                builder.map(resultMap.description(), resultMap.output(), resultMap.mapper());
            }
            if (havingPredicate != null)
            {
                builder.filter(having, havingPredicate);
            }
        }
        if (suppress > 0)
        {
            builder.suppressCooldown(suppress, SUPPRESS_EXPECTED_KEYS);
        }
        else if (suppress == 0)
        {
            builder.suppressOnChange(SUPPRESS_EXPECTED_KEYS);
        }
        return builder.sink(sink, eventSink).build();
    }

    private void declareWindow(final WindowSpec w)
    {
        switch (window.kind())
        {
            case "tumbling":
                w.tumbling(window.size());
                break;
            case "sliding":
                w.sliding(window.size(), window.hop());
                break;
            case "hopping":
                w.hopping(window.size(), window.hop());
                break;
            default:
                w.session(window.gap());
                break;
        }
        w.offset(window.offset()).allowedLateness(window.allowedLateness()).earlyOnUpdate(window.early())
            .firingSlice(window.firingSlice()).firingPace(window.firingPace()).expectedEntries(window.expectedEntries());
        for (final AggregateDefinition aggregate : aggregates)
        {
            switch (aggregate.function())
            {
                case "count":
                    w.count(aggregate.name());
                    break;
                case "sum":
                    w.sum(aggregate.name(), aggregate.field());
                    break;
                case "min":
                    w.min(aggregate.name(), aggregate.field());
                    break;
                case "max":
                    w.max(aggregate.name(), aggregate.field());
                    break;
                case "avg":
                    w.avg(aggregate.name(), aggregate.field());
                    break;
                case "first":
                    w.first(aggregate.name(), aggregate.field());
                    break;
                default:
                    w.last(aggregate.name(), aggregate.field());
                    break;
            }
        }
    }

    /**
     * The pipeline's name, unique in its file.
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * The inputs: one, or the left and right side of a join.
     *
     * @return the sources in input order.
     */
    public List<SourceDefinition> sources()
    {
        return sources;
    }

    /**
     * The join at the head of the pipeline, or null for a single-source pipeline.
     *
     * @return the join or null.
     */
    public JoinDefinition join()
    {
        return join;
    }

    /**
     * The source topic (of a join: the left one).
     *
     * @return the topic name.
     */
    public String source()
    {
        return sources.get(0).topic();
    }

    /**
     * The schema of the source events (of a join: the left ones).
     *
     * @return the input schema.
     */
    public Schema schema()
    {
        return sources.get(0).schema();
    }

    /**
     * The field that routes events to partitions and keys them (of a join: on the left side).
     *
     * @return the partition key field name.
     */
    public String partitionKey()
    {
        return sources.get(0).partitionKey();
    }

    /**
     * The event-time field (of a join: of the left side), or null in processing-time mode.
     *
     * @return the field name or null.
     */
    public String eventTime()
    {
        return sources.get(0).eventTime();
    }

    /**
     * Bound of out-of-orderness of event time (of a join: of the left side).
     *
     * @return milliseconds.
     */
    public long maxOutOfOrderness()
    {
        return sources.get(0).maxOutOfOrderness();
    }

    /**
     * Processing time after which a quiet partition's watermark advances, 0 for never.
     *
     * @return milliseconds.
     */
    public long idleTimeout()
    {
        return idleTimeout;
    }

    /**
     * Error policy of every stage.
     *
     * @return the policy.
     */
    public ErrorPolicy errorPolicy()
    {
        return errorPolicy;
    }

    /**
     * The filter expression applied to input events, or null.
     *
     * @return the expression text or null.
     */
    public String filter()
    {
        return filter;
    }

    /**
     * The window stage, or null for a pipeline without one.
     *
     * @return the window or null.
     */
    public WindowDefinition window()
    {
        return window;
    }

    /**
     * The aggregates of the window, in result-field order.
     *
     * @return the aggregates, empty without a window.
     */
    public List<AggregateDefinition> aggregates()
    {
        return aggregates;
    }

    /**
     * The filter expression applied to window results, or null.
     *
     * @return the expression text or null.
     */
    public String having()
    {
        return having;
    }

    /**
     * The suppression before the sink: a cooldown in milliseconds of event time, 0 for on-change
     * suppression, -1 for none.
     *
     * @return the cooldown, 0 or -1.
     */
    public long suppress()
    {
        return suppress;
    }

    /**
     * Name of the sink the outputs go to.
     *
     * @return the sink name.
     */
    public String sink()
    {
        return sink;
    }

    @Override
    public String toString()
    {
        return "PipelineDefinition{" + name + " from " + (join == null ? source() : source() + " join " + join.right().topic()) + "}";
    }
}
