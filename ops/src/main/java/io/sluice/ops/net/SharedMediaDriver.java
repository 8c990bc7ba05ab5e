package io.sluice.ops.net;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.BackoffIdleStrategy;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;

/**
 * One embedded media driver per Aeron directory in this process, shared by the daemon's Aeron
 * components and reference counted: the ingress and egress endpoints of one directory use the same
 * driver (and may listen on the same channel, on different streams), and the driver stops when the
 * last of them closes, so egress keeps serving after ingress has stopped.
 *
 * <p>Threading: acquire and release on the daemon's control thread (synchronized all the same).
 */
final class SharedMediaDriver
{
    private static final Map<String, SharedMediaDriver> DRIVERS = new HashMap<>();

    private final String directory;
    private final int termBufferLength;
    private final MediaDriver driver;
    private int references;

    private SharedMediaDriver(final String directory, final int termBufferLength, final ErrorHandler errorHandler)
    {
        this.directory = directory;
        this.termBufferLength = termBufferLength;
        this.driver = launch(directory, termBufferLength, errorHandler);
    }

    /**
     * Launches the driver on a directory proven to be Sluice's, with room for its mapped files, then
     * makes the directory private.
     */
    private static MediaDriver launch(final String directory, final int termBufferLength, final ErrorHandler errorHandler)
    {
        final Path dir = Path.of(directory);
        final MediaDriver.Context context = new MediaDriver.Context()
            .aeronDirectoryName(directory)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1_000, TimeUnit.MILLISECONDS.toNanos(1)))
            .publicationTermBufferLength(termBufferLength)
            .ipcTermBufferLength(termBufferLength)
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false)
            .errorHandler(errorHandler);
        AeronDirectory.checkFreeSpace(dir, requiredSpace(context, termBufferLength));
        final MediaDriver driver = MediaDriver.launch(context);
        try
        {
            AeronDirectory.claim(dir);
        }
        catch (final RuntimeException ex)
        {
            driver.close();
            throw ex;
        }
        return driver;
    }

    /**
     * Bytes the driver maps at start (command-and-control file with its buffers, counters metadata
     * four times the values, error log; loss report) plus room for the term buffers of a few
     * streams: the driver's files are mapped sparse, and a mapped page the file system cannot back
     * is a SIGBUS, not an error.
     */
    private static long requiredSpace(final MediaDriver.Context context, final int termBufferLength)
    {
        final long cnc = 4096L + context.conductorBufferLength() + context.toClientsBufferLength() +
            5L * context.counterValuesBufferLength() + context.errorBufferLength();
        return cnc + context.lossReportBufferLength() + 4L * 3 * termBufferLength;
    }

    /**
     * The driver of a directory, launched by the first caller.
     *
     * @param directory        of the driver.
     * @param termBufferLength of its publications; must match the running driver's.
     * @param errorHandler     for the driver's errors (the first caller's).
     * @return the shared driver; {@link #release()} it once.
     * @throws IllegalStateException if the driver of that directory runs with another term length.
     */
    static synchronized SharedMediaDriver acquire(final String directory, final int termBufferLength, final ErrorHandler errorHandler)
    {
        SharedMediaDriver shared = DRIVERS.get(directory);
        if (shared == null)
        {
            shared = new SharedMediaDriver(directory, termBufferLength, errorHandler);
            DRIVERS.put(directory, shared);
        }
        else if (shared.termBufferLength != termBufferLength)
        {
            throw new IllegalStateException("the media driver in " + directory + " already runs with term_buffer_length " +
                shared.termBufferLength + ", not " + termBufferLength + " (components sharing aeron_dir must agree)");
        }
        shared.references++;
        return shared;
    }

    /**
     * Drops one reference; the last one stops the driver and deletes its directory.
     */
    void release()
    {
        synchronized (SharedMediaDriver.class)
        {
            if (--references == 0)
            {
                DRIVERS.remove(directory);
                driver.close();
            }
        }
    }
}
