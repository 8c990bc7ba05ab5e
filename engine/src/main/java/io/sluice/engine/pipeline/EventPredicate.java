package io.sluice.engine.pipeline;

import io.sluice.schema.EventFlyweight;

/**
 * A filter condition, evaluated on the partition thread for every event. Must not allocate.
 */
@FunctionalInterface
public interface EventPredicate
{
    /**
     * Whether the event passes.
     *
     * @param event view of the event, valid only during the call.
     * @return true to pass the event downstream.
     */
    boolean test(EventFlyweight event);
}
