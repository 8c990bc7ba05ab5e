package io.sluice.engine.window;

import io.sluice.schema.EventValues;

/**
 * A user-definable aggregate over primitive state. The operator owns the state: each pane,
 * window or session has {@link #slots()} 64-bit slots for this aggregator, seen through an
 * {@link AggregateState} flyweight. Implementations must be stateless themselves, must not
 * allocate, and must be deterministic.
 * <p>
 * {@link #merge(AggregateState, AggregateState)} combines the state of two disjoint parts of a
 * window. Parts are merged in ascending time order for aligned windows; for sessions the two
 * parts cover disjoint event-time ranges, in either order.
 */
public interface PrimitiveAggregator
{
    /**
     * Number of 64-bit state slots this aggregator needs.
     *
     * @return the number of slots, {@code >= 1}.
     */
    int slots();

    /**
     * Set the state to the empty aggregate.
     *
     * @param state to reset.
     */
    void reset(AggregateState state);

    /**
     * Fold one event into the state.
     *
     * @param state     to update.
     * @param timestamp event time of the event.
     * @param values    of the event.
     */
    void accumulate(AggregateState state, long timestamp, EventValues values);

    /**
     * Fold the state of another part into this one.
     *
     * @param into state that receives the combination.
     * @param from state to combine in; not modified.
     */
    void merge(AggregateState into, AggregateState from);

    /**
     * The result as a long.
     *
     * @param state to read.
     * @return the aggregate's value as a long.
     */
    long resultAsLong(AggregateState state);

    /**
     * The result as a double.
     *
     * @param state to read.
     * @return the aggregate's value as a double.
     */
    double resultAsDouble(AggregateState state);
}
