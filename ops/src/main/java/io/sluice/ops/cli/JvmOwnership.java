package io.sluice.ops.cli;

/**
 * Whether this JVM ends with the command it runs ({@code sluice}'s own process: {@code SluiceMain.main}
 * exits when the command returns) or goes on to host other work afterwards (a test running commands in
 * process). A command that changes something of the whole JVM it cannot undo (e.g. lowering the JIT
 * compiler threads' priority without the privilege to raise it back) does it only in the first case.
 *
 * <p>Threading: set once by the main thread before the command runs; read from any thread.
 */
public final class JvmOwnership
{
    private static volatile boolean endsWithCommand;

    private JvmOwnership()
    {
    }

    /**
     * Marks this JVM as ending when the command returns.
     */
    public static void markEndsWithCommand()
    {
        endsWithCommand = true;
    }

    /**
     * Whether this JVM ends when the command returns.
     *
     * @return true in {@code sluice}'s own process, false where commands run in a longer-lived JVM.
     */
    public static boolean endsWithCommand()
    {
        return endsWithCommand;
    }
}
