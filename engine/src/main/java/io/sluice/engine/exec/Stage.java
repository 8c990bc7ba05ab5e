package io.sluice.engine.exec;

import io.sluice.schema.EventFlyweight;

/**
 * One fused operator of a pipeline instance, calling the next stage directly on the same thread.
 */
interface Stage
{
    void onEvent(EventFlyweight event, long key, long timestamp);

    /**
     * A hint that events of these keys come next: passed on to the first keyed state of the chain while
     * the key stays the event's own (see {@code WindowOperator#prefetch}). Changes nothing.
     *
     * @return a value depending on what was loaded, for the caller to keep.
     */
    long prefetch(long[] keys, int count);

    void onProcessingTime(long processingTime);

    void onEndOfInput();
}
