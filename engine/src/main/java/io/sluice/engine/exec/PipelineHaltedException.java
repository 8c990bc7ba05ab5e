package io.sluice.engine.exec;

/**
 * Thrown out of a pipeline instance when a stage with the HALT policy failed; the instance stays
 * halted and refuses further events.
 */
public final class PipelineHaltedException extends io.sluice.engine.exceptions.SluiceException
{
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message naming the pipeline, partition and stage.
     * @param cause   the failure of the stage.
     */
    public PipelineHaltedException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
