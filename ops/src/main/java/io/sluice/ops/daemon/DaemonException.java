package io.sluice.ops.daemon;

/**
 * The daemon cannot start or run: another daemon holds the data directory, an output is not its own,
 * a component failed to start. The message says what and, where it can, what to do.
 */
public final class DaemonException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message for the operator.
     */
    public DaemonException(final String message)
    {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message for the operator.
     * @param cause   the underlying failure.
     */
    public DaemonException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
