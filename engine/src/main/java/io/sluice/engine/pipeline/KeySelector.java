package io.sluice.engine.pipeline;

import io.sluice.schema.EventFlyweight;

/**
 * Chooses the key of an event for keyed operators. Must not allocate.
 */
@FunctionalInterface
public interface KeySelector
{
    /**
     * The event's key.
     *
     * @param event view of the event.
     * @return the key.
     */
    long key(EventFlyweight event);
}
