package io.sluice.ops.cli;

/**
 * Whether the commands write to a person's terminal, so that refreshing views ({@code ctl top},
 * {@code stat --watch}) clear the screen with ANSI codes there and write plain blocks to a pipe or a
 * file.
 */
public final class Terminal
{
    /** ANSI: cursor home, clear screen. */
    public static final String CLEAR_SCREEN = "\u001b[H\u001b[2J";

    private Terminal()
    {
    }

    /**
     * Whether standard input and output are a terminal (the JVM has a console only then).
     *
     * @return true for an interactive terminal.
     */
    public static boolean isInteractive()
    {
        return System.console() != null;
    }
}
