package io.sluice.engine.io;

/**
 * A backtest cannot run as asked: pipelines that cannot be replayed from files (processing time,
 * several source topics), an unusable output path, an output that failed.
 */
public final class BacktestException extends io.sluice.engine.exceptions.SluiceException
{
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message saying what is wrong and how to fix it.
     */
    public BacktestException(final String message)
    {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message saying what is wrong.
     * @param cause   of the failure.
     */
    public BacktestException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
