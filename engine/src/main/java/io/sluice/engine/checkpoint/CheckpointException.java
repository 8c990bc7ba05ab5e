package io.sluice.engine.checkpoint;

/**
 * A checkpoint could not be written, or a stored one does not verify.
 */
public final class CheckpointException extends io.sluice.engine.exceptions.SluiceException
{
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message naming the checkpoint, file and problem.
     */
    public CheckpointException(final String message)
    {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message naming the checkpoint, file and problem.
     * @param cause   underlying failure.
     */
    public CheckpointException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
