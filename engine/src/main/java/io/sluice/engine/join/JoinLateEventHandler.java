package io.sluice.engine.join;

import org.agrona.DirectBuffer;

/**
 * Side output for stream events of an interval join that arrive beyond the allowed lateness
 * ({@code timestamp + allowedLateness <= watermark}): their partners may already be evicted, so
 * they cannot be joined correctly. They are also counted by {@link IntervalJoinOperator#lateEvents()};
 * they never vanish silently.
 */
@FunctionalInterface
public interface JoinLateEventHandler
{
    /**
     * A handler that ignores late events; they are still counted.
     */
    JoinLateEventHandler COUNT_ONLY = (side, key, timestamp, watermark, buffer, offset) -> {};

    /**
     * Handle one late event, on the operator's thread.
     *
     * @param side      {@link JoinResultHandler#LEFT} or {@link JoinResultHandler#RIGHT}.
     * @param key       of the event.
     * @param timestamp of the event.
     * @param watermark of the operator when the event arrived.
     * @param buffer    holding the event's record, valid only during the call.
     * @param offset    of the record in the buffer.
     */
    void onLateEvent(int side, long key, long timestamp, long watermark, DirectBuffer buffer, int offset);
}
