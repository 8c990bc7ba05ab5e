package io.sluice.engine.window;

import io.sluice.schema.EventValues;

/**
 * Side output for events that arrive after every window they belong to has expired (its end - 1
 * plus the allowed lateness is at or below the watermark). Such events are also counted by
 * {@link WindowOperator#lateEventsDropped()}; they never vanish silently.
 */
@FunctionalInterface
public interface LateEventHandler
{
    /**
     * A handler that ignores late events; they are still counted.
     */
    LateEventHandler COUNT_ONLY = (key, timestamp, watermark, values) -> {};

    /**
     * Handle one late event. Called on the operator's thread during
     * {@link WindowOperator#onEvent(long, long, EventValues)}.
     *
     * @param key       of the event.
     * @param timestamp event time of the event.
     * @param watermark at the time the event arrived.
     * @param values    of the event, valid only during this call.
     */
    void onLateEvent(long key, long timestamp, long watermark, EventValues values);
}
