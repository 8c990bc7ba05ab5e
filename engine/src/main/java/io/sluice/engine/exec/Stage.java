package io.sluice.engine.exec;

import io.sluice.schema.EventFlyweight;

/**
 * One fused operator of a pipeline instance, calling the next stage directly on the same thread.
 */
interface Stage
{
    void onEvent(EventFlyweight event, long key, long timestamp);

    void onProcessingTime(long processingTime);

    void onEndOfInput();
}
