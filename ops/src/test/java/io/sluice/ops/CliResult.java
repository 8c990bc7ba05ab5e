package io.sluice.ops;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * What one in-process run of the {@code sluice} command line returned and printed.
 *
 * @param exitCode the command's exit code.
 * @param out      what it printed on its out writer.
 * @param err      what it printed on its err writer.
 */
public record CliResult(int exitCode, String out, String err)
{
    /**
     * Runs the command line in this JVM.
     *
     * @param args of the command line.
     * @return what it returned and printed.
     */
    public static CliResult run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exitCode;
        try (PrintWriter outWriter = new PrintWriter(out); PrintWriter errWriter = new PrintWriter(err))
        {
            exitCode = SluiceMain.execute(outWriter, errWriter, args);
        }
        return new CliResult(exitCode, out.toString(), err.toString());
    }

    @Override
    public String toString()
    {
        return "exit " + exitCode + "\n--- out:\n" + out + "--- err:\n" + err;
    }
}
