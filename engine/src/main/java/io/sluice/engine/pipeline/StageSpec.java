package io.sluice.engine.pipeline;

import io.sluice.schema.Schema;

/**
 * Build-time description of one stage of a {@link Pipeline}: what it is (one of the nested final
 * kinds), its description for people, its error policy and its input schema. Pure description: the
 * runtime ({@code io.sluice.engine.exec}) builds the per-partition stage from it; nothing here runs
 * per event.
 */
public abstract class StageSpec
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

    /**
     * What the stage does, for people (error messages, {@link Pipeline#describeStages()}).
     *
     * @return the description.
     */
    public String description()
    {
        return description;
    }

    /**
     * What happens when the stage's user code throws.
     *
     * @return the policy.
     */
    public ErrorPolicy policy()
    {
        return policy;
    }

    /**
     * The schema of the events the stage receives.
     *
     * @return the schema.
     */
    public Schema input()
    {
        return input;
    }

    /**
     * A filter: events for which the predicate is false go no further.
     */
    public static final class FilterSpec extends StageSpec
    {
        private final EventPredicate predicate;

        FilterSpec(final String description, final ErrorPolicy policy, final Schema input, final EventPredicate predicate)
        {
            super(description, policy, input);
            this.predicate = predicate;
        }

        /**
         * The user's predicate.
         *
         * @return the predicate.
         */
        public EventPredicate predicate()
        {
            return predicate;
        }
    }

    /**
     * A map into an event of another schema, which may drop the event.
     */
    public static final class MapSpec extends StageSpec
    {
        private final Schema output;
        private final EventMapper mapper;

        MapSpec(final String description, final ErrorPolicy policy, final Schema input, final Schema output, final EventMapper mapper)
        {
            super(description, policy, input);
            this.output = output;
            this.mapper = mapper;
        }

        /**
         * The schema of the events the map emits.
         *
         * @return the output schema.
         */
        public Schema output()
        {
            return output;
        }

        /**
         * The user's mapper.
         *
         * @return the mapper.
         */
        public EventMapper mapper()
        {
            return mapper;
        }
    }

    /**
     * A re-keying: the selector computes each event's new key.
     */
    public static final class KeyBySpec extends StageSpec
    {
        private final KeySelector selector;

        KeyBySpec(final String description, final ErrorPolicy policy, final Schema input, final KeySelector selector)
        {
            super(description, policy, input);
            this.selector = selector;
        }

        /**
         * The user's key selector.
         *
         * @return the selector.
         */
        public KeySelector selector()
        {
            return selector;
        }
    }

    /**
     * A window: aggregates per key and window, emitting results of {@link WindowSpec#resultSchema()}.
     */
    public static final class WindowStageSpec extends StageSpec
    {
        private final WindowSpec spec;

        WindowStageSpec(final String description, final ErrorPolicy policy, final Schema input, final WindowSpec spec)
        {
            super(description, policy, input);
            this.spec = spec;
        }

        /**
         * The window's declaration.
         *
         * @return the window specification.
         */
        public WindowSpec spec()
        {
            return spec;
        }
    }

    /**
     * Alert suppression per key, just before the sink: at most one output per key per cooldown of event
     * time, or only outputs that differ from the last one emitted for their key. Its state (per key:
     * the last emitted time, or the last emitted values) is checkpointed with the pipeline's.
     */
    public static final class SuppressSpec extends StageSpec
    {
        private final long cooldown;
        private final String[] ignoredFields;
        private final int expectedKeys;

        SuppressSpec(final String description, final ErrorPolicy policy, final Schema input, final long cooldown,
            final String[] ignoredFields, final int expectedKeys)
        {
            super(description, policy, input);
            this.cooldown = cooldown;
            this.ignoredFields = ignoredFields.clone();
            this.expectedKeys = expectedKeys;
        }

        /**
         * Whether outputs are suppressed by a cooldown (else: unless changed).
         *
         * @return true for a cooldown.
         */
        public boolean isCooldown()
        {
            return cooldown > 0;
        }

        /**
         * The cooldown: after an output of a key at event time t, the key's outputs before t + cooldown
         * are suppressed.
         *
         * @return the cooldown in event-time units, 0 for on-change suppression.
         */
        public long cooldown()
        {
            return cooldown;
        }

        /**
         * For on-change suppression, the fields left out of the comparison (a window result's
         * {@code window_start}, {@code window_end} and {@code flags}: the same values in the next window
         * are no change).
         *
         * @return the field names, a copy.
         */
        public String[] ignoredFields()
        {
            return ignoredFields.clone();
        }

        /**
         * Keys expected at once, to size the state.
         *
         * @return the expected number of keys.
         */
        public int expectedKeys()
        {
            return expectedKeys;
        }
    }

    /**
     * The terminal sink, which numbers the outputs.
     */
    public static final class SinkSpec extends StageSpec
    {
        private final EventSink sink;

        SinkSpec(final String description, final ErrorPolicy policy, final Schema input, final EventSink sink)
        {
            super(description, policy, input);
            this.sink = sink;
        }

        /**
         * The user's sink.
         *
         * @return the sink.
         */
        public EventSink sink()
        {
            return sink;
        }
    }
}
