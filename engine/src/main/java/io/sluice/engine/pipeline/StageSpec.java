package io.sluice.engine.pipeline;

import io.sluice.engine.schema.Schema;

/**
 * Build-time description of one stage; {@link #instantiate} creates its per-partition stage.
 */
abstract class StageSpec
{
    private final String description;
    private final ErrorPolicy policy;
    private final Schema input;

    StageSpec(final String description, final ErrorPolicy policy, final Schema input)
    {
        this.description = description;
        this.policy = policy;
        this.input = input;
    }

    String description()
    {
        return description;
    }

    ErrorPolicy policy()
    {
        return policy;
    }

    Schema input()
    {
        return input;
    }

    abstract Stage instantiate(PipelineInstance instance, Stage next);

    static final class FilterSpec extends StageSpec
    {
        private final EventPredicate predicate;

        FilterSpec(final String description, final ErrorPolicy policy, final Schema input, final EventPredicate predicate)
        {
            super(description, policy, input);
            this.predicate = predicate;
        }

        @Override
        Stage instantiate(final PipelineInstance instance, final Stage next)
        {
            return new Stages.Filter(instance, description(), policy(), next, predicate);
        }
    }

    static final class MapSpec extends StageSpec
    {
        private final Schema output;
        private final EventMapper mapper;

        MapSpec(final String description, final ErrorPolicy policy, final Schema input, final Schema output, final EventMapper mapper)
        {
            super(description, policy, input);
            this.output = output;
            this.mapper = mapper;
        }

        @Override
        Stage instantiate(final PipelineInstance instance, final Stage next)
        {
            return new Stages.Map(instance, description(), policy(), next, mapper, output);
        }
    }

    static final class KeyBySpec extends StageSpec
    {
        private final KeySelector selector;

        KeyBySpec(final String description, final ErrorPolicy policy, final Schema input, final KeySelector selector)
        {
            super(description, policy, input);
            this.selector = selector;
        }

        @Override
        Stage instantiate(final PipelineInstance instance, final Stage next)
        {
            return new Stages.KeyBy(instance, description(), policy(), next, selector);
        }
    }

    static final class WindowStageSpec extends StageSpec
    {
        private final WindowSpec spec;

        WindowStageSpec(final String description, final ErrorPolicy policy, final Schema input, final WindowSpec spec)
        {
            super(description, policy, input);
            this.spec = spec;
        }

        WindowSpec spec()
        {
            return spec;
        }

        @Override
        Stage instantiate(final PipelineInstance instance, final Stage next)
        {
            return new Stages.Window(instance, description(), policy(), next, spec);
        }
    }

    static final class SinkSpec extends StageSpec
    {
        private final EventSink sink;

        SinkSpec(final String description, final ErrorPolicy policy, final Schema input, final EventSink sink)
        {
            super(description, policy, input);
            this.sink = sink;
        }

        @Override
        Stage instantiate(final PipelineInstance instance, final Stage next)
        {
            return new Stages.Sink(instance, description(), policy(), sink);
        }
    }
}
