package io.sluice.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Minor page faults of the calling thread, from its {@code /proc/thread-self/stat} line (Linux): read
 * before and after a timed loop, it tells whether the loop paid for mapping pages (a first store to a
 * page not yet mapped writable in this process). Reads allocate: call it outside timed code.
 */
final class ThreadFaults
{
    private static final Path STAT = Path.of("/proc/thread-self/stat");
    private static final Path PROCESS_STAT = Path.of("/proc/self/stat");
    /** Field of minflt after the command name's closing parenthesis (field 10 of the line, counted from 1). */
    private static final int MINFLT_FIELD = 7;

    private ThreadFaults()
    {
    }

    /**
     * Minor page faults of the calling thread so far.
     *
     * @return the count, or -1 where {@code /proc/thread-self/stat} cannot be read.
     */
    static long minor()
    {
        return minor(STAT);
    }

    /**
     * Minor page faults of the whole process so far (every thread, ended ones included: {@code /proc/self/stat}).
     *
     * @return the count, or -1 where {@code /proc/self/stat} cannot be read.
     */
    static long minorOfProcess()
    {
        return minor(PROCESS_STAT);
    }

    private static long minor(final Path stat)
    {
        try
        {
            final String line = Files.readString(stat);
            return Long.parseLong(line.substring(line.lastIndexOf(')') + 2).split(" ")[MINFLT_FIELD]);
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }
}
