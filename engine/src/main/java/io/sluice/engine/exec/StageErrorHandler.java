package io.sluice.engine.exec;

import io.sluice.engine.pipeline.ErrorPolicy;
import io.sluice.schema.EventFlyweight;

/**
 * Where the stages of a pipeline instance report a failure of user code. The engine implements it
 * with counters, a distinct error log and a dead-letter topic.
 */
public interface StageErrorHandler
{
    /**
     * A stage's user code threw.
     *
     * @param pipeline  name of the pipeline.
     * @param stage     description of the stage.
     * @param policy    of the stage.
     * @param event     that caused it, valid only during the call; null when no event did (a sink failing to publish
     *                  a turn's outputs, {@link io.sluice.engine.pipeline.EventSink#onTurnEnd}).
     * @param key       of the event.
     * @param timestamp of the event.
     * @param error     thrown.
     */
    void onStageError(String pipeline, String stage, ErrorPolicy policy, EventFlyweight event, long key, long timestamp, Throwable error);
}
