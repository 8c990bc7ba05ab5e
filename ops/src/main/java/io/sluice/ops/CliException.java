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

    /**
     * Fails a command's option check as a usage error.
     *
     * @param condition that the options must meet.
     * @param message   saying which option is wrong and why, when the condition is false.
     */
    static void checkUsage(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new CliException(ExitCodes.USAGE, message);
        }
    }

    int exitCode()
    {
        return exitCode;
    }
}
