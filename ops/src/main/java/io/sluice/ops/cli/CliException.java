package io.sluice.ops.cli;

/**
 * A failure a command reports to its user as one line on standard error and an exit code, without
 * a stack trace: the message must say what is wrong and, where it can, what to do about it.
 */
public final class CliException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    /**
     * A failure that exits with {@link ExitCodes#FAILURE}.
     *
     * @param message saying what is wrong.
     */
    public CliException(final String message)
    {
        this(ExitCodes.FAILURE, message);
    }

    /**
     * A failure with its exit code.
     *
     * @param exitCode one of {@link ExitCodes}.
     * @param message  saying what is wrong.
     */
    public CliException(final int exitCode, final String message)
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
    /**
     * Fails with {@link ExitCodes#USAGE} unless a condition about the command line holds.
     *
     * @param condition that must hold.
     * @param message   saying what is wrong when it does not.
     */
    public static void checkUsage(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new CliException(ExitCodes.USAGE, message);
        }
    }

    /**
     * The exit code of the command.
     *
     * @return one of {@link ExitCodes}.
     */
    public int exitCode()
    {
        return exitCode;
    }
}
