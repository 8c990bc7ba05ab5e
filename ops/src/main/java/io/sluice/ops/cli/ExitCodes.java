package io.sluice.ops.cli;

/**
 * Process exit codes of the {@code sluice} command line, stable for scripts.
 */
public final class ExitCodes
{
    /** The command did what was asked. */
    public static final int OK = 0;
    /** The command failed at run time: missing journal, I/O error, corrupt data, failed check. */
    public static final int FAILURE = 1;
    /** The command line was invalid: unknown command or option, bad value, missing argument. */
    public static final int USAGE = 2;
    /** {@code journal verify} found the journal damaged; the problems are on standard output. */
    public static final int DAMAGED = 3;

    private ExitCodes()
    {
    }
}
