package io.sluice.ops.demo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One thread's Linux scheduler statistics, {@code /proc/<pid>/task/<tid>/schedstat}, kept open and read again from
 * position 0 (the kernel writes the file anew at each read from its start) into one reused buffer, its three numbers
 * parsed in place: the demo reads its spinning threads' files on the sender's cpu, and opening, reading into a new
 * string and splitting it with a regular expression took 0.1-1.2 ms of that cpu per file in C1's code (perf/README.md
 * section 94). The buffer is a direct one, so that the channel reads into it with no copy and no temporary direct buffer
 * of the reading thread's own (which a heap buffer takes, allocated at a thread's first read).
 *
 * <pre>
 *   schedstat: "&lt;ns on the cpu&gt; &lt;ns waiting on a run queue&gt; &lt;time slices&gt;\n"   (decimal, space separated)
 * </pre>
 *
 * <p>Threading: one reader thread.
 */
final class SchedstatFile implements AutoCloseable
{
    /** The file's text is three numbers of at most 20 digits each: well under this. */
    private static final int MAX_BYTES = 128;

    private final Path path;
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_BYTES);
    private final long[] fields = new long[3];

    private SchedstatFile(final Path path, final FileChannel channel)
    {
        this.path = path;
        this.channel = channel;
    }

    /**
     * Opens a thread's file.
     *
     * @param path of the file ({@code /proc/<pid>/task/<tid>/schedstat}).
     * @return the open file.
     * @throws IOException if it cannot be opened (the thread ended, or no scheduler statistics).
     */
    static SchedstatFile open(final Path path) throws IOException
    {
        return new SchedstatFile(path, FileChannel.open(path, StandardOpenOption.READ));
    }

    /**
     * Reads the file again.
     *
     * @return false if the thread has ended (the figures keep their last values).
     * @throws IllegalArgumentException naming the file and its text if it is not three numbers.
     */
    boolean read()
    {
        buffer.clear();
        try
        {
            while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0)
            {
                // the whole text, whatever the reads return at a time
            }
        }
        catch (final IOException ex)
        {
            return false; // the thread ended: its task directory is gone
        }
        if (buffer.position() == 0)
        {
            return false;
        }
        parse(buffer, buffer.position());
        return true;
    }

    private void parse(final ByteBuffer text, final int length)
    {
        int field = 0;
        long value = 0;
        boolean inNumber = false;
        for (int i = 0; i < length; i++)
        {
            final byte b = text.get(i);
            if (b >= '0' && b <= '9')
            {
                if (field == fields.length)
                {
                    throw notThreeNumbers(text, length);
                }
                value = value * 10 + (b - '0');
                inNumber = true;
            }
            else if (b == ' ' || b == '\n')
            {
                if (inNumber)
                {
                    fields[field++] = value;
                    value = 0;
                    inNumber = false;
                }
            }
            else
            {
                throw notThreeNumbers(text, length);
            }
        }
        if (inNumber)
        {
            fields[field++] = value;
        }
        if (field != fields.length)
        {
            throw notThreeNumbers(text, length);
        }
    }

    private IllegalArgumentException notThreeNumbers(final ByteBuffer text, final int length)
    {
        final byte[] bytes = new byte[length];
        text.get(0, bytes);
        return new IllegalArgumentException("schedstat is not 'run_ns wait_ns slices': '" +
            new String(bytes, StandardCharsets.US_ASCII).strip() + "' in " + path);
    }

    /**
     * Nanoseconds the thread ran, as of the last {@link #read}.
     *
     * @return the figure.
     */
    long runNanos()
    {
        return fields[0];
    }

    /**
     * Nanoseconds the thread waited on a run queue for its cpu, as of the last {@link #read}.
     *
     * @return the figure.
     */
    long waitNanos()
    {
        return fields[1];
    }

    /**
     * Time slices the thread ran in, as of the last {@link #read}.
     *
     * @return the figure.
     */
    long slices()
    {
        return fields[2];
    }

    @Override
    public void close()
    {
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            // a read-only /proc file: nothing is lost
        }
    }
}
