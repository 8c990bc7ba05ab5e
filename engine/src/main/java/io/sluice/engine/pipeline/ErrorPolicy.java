package io.sluice.engine.pipeline;

/**
 * What a stage does when its user code throws for an event.
 */
public enum ErrorPolicy
{
    /** Stop the partition's pipeline: its state becomes HALTED with the error, visible and counted. */
    HALT,
    /** Count the error, record it once in the distinct error log, drop the event, go on. */
    SKIP,
    /** Like SKIP, and hand the event to the dead-letter output (a journal topic in the engine). */
    DEAD_LETTER
}
