package io.sluice.engine.pipeline;

import io.sluice.schema.EventFlyweight;

/**
 * Maps or projects an event of one schema to an event of another, writing into a pre-allocated
 * output event. Evaluated on the partition thread; must not allocate.
 */
@FunctionalInterface
public interface EventMapper
{
    /**
     * Writes the output event.
     *
     * @param in  the input event.
     * @param out the output event, zeroed, to write into.
     * @return false to drop the event.
     */
    boolean map(EventFlyweight in, EventFlyweight out);
}
