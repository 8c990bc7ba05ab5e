package io.sluice.ops;

/**
 * A failure a command reports to its user as one line on standard error and an exit code, without
 * a stack trace: the message must say what is wrong and, where it can, what to do about it.
 */
final class CliException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    CliException(final String message)
    {
        this(ExitCodes.FAILURE, message);
    }

    CliException(final int exitCode, final String message)
    {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode()
    {
        return exitCode;
    }
}
