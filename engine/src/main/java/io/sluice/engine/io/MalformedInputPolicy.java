package io.sluice.engine.io;

/**
 * What a file source does with a line it cannot decode. Either way the line is counted and its
 * error recorded; it never reaches a pipeline, and no other event is affected.
 */
public enum MalformedInputPolicy
{
    /** Stop the run: the source throws {@link MalformedInputException}. */
    STOP,
    /** Skip the line and go on. */
    SKIP
}
