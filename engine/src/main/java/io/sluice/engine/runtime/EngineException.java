package io.sluice.engine.runtime;

/**
 * The engine was configured or used wrongly; raised at start-up or by the offending call.
 */
public final class EngineException extends io.sluice.engine.exceptions.SluiceException
{
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message naming what is wrong.
     */
    public EngineException(final String message)
    {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message naming what is wrong.
     * @param cause   underlying failure.
     */
    public EngineException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
