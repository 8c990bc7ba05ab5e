package io.sluice.engine.runtime;

import io.sluice.schema.EventFlyweight;

/**
 * Told of each event a pipeline stage with {@code on_error: dead_letter} failed on, after the engine has appended it
 * to the group's dead-letter topic ({@code <group>}{@value Engine#DEAD_LETTER_SUFFIX}): a connector forwards it with
 * its reason (the Kafka module sends it to a Kafka dead-letter topic). Set with {@link EngineContext#deadLetterListener}.
 *
 * <p>Threading: called on the partition's thread, or on the launching thread while the engine replays the journal at
 * a restart: a replayed event fails again and is told again (at least once). Failures are rare, so the listener may
 * allocate; it must not block for long (the partition waits) and must not keep {@code event} after the call.
 */
@FunctionalInterface
public interface DeadLetterListener
{
    /**
     * A stage failed on an event and the event was dead-lettered.
     *
     * @param pipeline  name of the pipeline whose stage failed.
     * @param stage     description of the stage.
     * @param partition of the engine the event was processed on.
     * @param event     the stage's input, valid only during the call (its schema is that of the stage's input).
     * @param key       of the event.
     * @param timestamp of the event (event time, epoch milliseconds).
     * @param error     the stage threw.
     */
    void onDeadLetter(String pipeline, String stage, int partition, EventFlyweight event, long key, long timestamp, Throwable error);
}
