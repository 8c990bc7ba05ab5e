package io.sluice.ops.net;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.BackoffIdleStrategy;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;

/**
 * One embedded media driver per Aeron directory in this process, shared by the daemon's Aeron
 * components and reference counted: the ingress and egress endpoints of one directory use the same
 * driver (and may listen on the same channel, on different streams), and the driver stops when the
 * last of them closes, so egress keeps serving after ingress has stopped.
 *
 * <p>Threading mode: SHARED (one thread of the driver's own, backing off when idle), or INVOKER under
 * the low-latency profile: no thread at all, the driver's duty cycle is invoked by the servers that use
 * it ({@link #invoker()}), from their duty on the engine's shared duties thread, so that on a machine
 * with few cores the driver does not compete for the cores the processing threads spin on. Every
 * invocation of the driver, and every synchronous Aeron call of a client that invokes it while it
 * waits, happens while holding {@link #lock()}.
 *
 * <p>Threading: acquire and release on the daemon's control thread (synchronized all the same).
 */
final class SharedMediaDriver
{
    /** How much longer than the client liveness timeout a blocked publication waits to be unblocked (Aeron: 15 s after 10 s). */
    static final long UNBLOCK_AFTER_LIVENESS_NS = TimeUnit.SECONDS.toNanos(5);

    private static final Map<String, SharedMediaDriver> DRIVERS = new HashMap<>();

    private final String directory;
    private final int termBufferLength;
    private final boolean invokerMode;
    private final MediaDriver driver;
    private final Object lock = new Object();
    private int references;

    private SharedMediaDriver(final String directory, final int termBufferLength, final ErrorHandler errorHandler, final boolean invokerMode)
    {
        this.directory = directory;
        this.termBufferLength = termBufferLength;
        this.invokerMode = invokerMode;
        this.driver = launch(directory, termBufferLength, errorHandler, invokerMode);
    }

    /**
     * Launches the driver on a directory proven to be Sluice's, with room for its mapped files, then
     * makes the directory private.
     */
    private static MediaDriver launch(
        final String directory, final int termBufferLength, final ErrorHandler errorHandler, final boolean invokerMode)
    {
        final Path dir = Path.of(directory);
        final MediaDriver.Context context = driverContext(directory, termBufferLength, errorHandler, invokerMode);
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
     * The settings of every embedded driver: sparse term buffers of the given length, its directory
     * deleted on start and on close; the client liveness timeout {@link NetServerContext#livenessTimeoutMs()}; SHARED threading (one thread, backing off from 1 us to the network duty's
     * {@link NetServerContext#DEFAULT_MAX_IDLE_NS} when idle), or INVOKER (no thread, no asynchronous executor thread either: whoever holds
     * {@link MediaDriver#sharedAgentInvoker()} runs its duty cycle).
     *
     * @param directory        of the driver.
     * @param termBufferLength of its publications.
     * @param errorHandler     for its errors.
     * @param invokerMode      true for INVOKER threading.
     * @return the context, to launch.
     */
    static MediaDriver.Context driverContext(
        final String directory, final int termBufferLength, final ErrorHandler errorHandler, final boolean invokerMode)
    {
        final MediaDriver.Context context = new MediaDriver.Context()
            .aeronDirectoryName(directory)
            .publicationTermBufferLength(termBufferLength)
            .ipcTermBufferLength(termBufferLength)
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false)
            .errorHandler(errorHandler);
        // A stall of the whole process (its machine's cpus held) must not cost every client: see livenessTimeoutMs.
        // Aeron requires a blocked publication's unblock timeout to exceed the client liveness timeout.
        final long livenessNs = TimeUnit.MILLISECONDS.toNanos(NetServerContext.livenessTimeoutMs());
        context.clientLivenessTimeoutNs(livenessNs).publicationUnblockTimeoutNs(livenessNs + UNBLOCK_AFTER_LIVENESS_NS);
        if (invokerMode)
        {
            context.threadingMode(ThreadingMode.INVOKER).asyncExecutorEnabled(false);
        }
        else
        {
            // Over UDP every message crosses this thread twice (sender, then receiver): its longest park is the network
            // duty's, not a millisecond, or each datagram could wait that long (the IPC path does not go through it).
            context.threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1_000, NetServerContext.DEFAULT_MAX_IDLE_NS));
        }
        return context;
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
     * @param invokerMode      whether the driver runs in INVOKER threading mode (see the class comment).
     * @return the shared driver; {@link #release()} it once.
     * @throws IllegalStateException if the driver of that directory runs with another term length or threading mode.
     */
    static synchronized SharedMediaDriver acquire(
        final String directory, final int termBufferLength, final ErrorHandler errorHandler, final boolean invokerMode)
    {
        SharedMediaDriver shared = DRIVERS.get(directory);
        if (shared == null)
        {
            shared = new SharedMediaDriver(directory, termBufferLength, errorHandler, invokerMode);
            DRIVERS.put(directory, shared);
        }
        else if (shared.termBufferLength != termBufferLength || shared.invokerMode != invokerMode)
        {
            throw new IllegalStateException("the media driver in " + directory + " already runs with term_buffer_length " +
                shared.termBufferLength + (shared.invokerMode ? " in INVOKER mode" : " on its own thread") + ", not " + termBufferLength +
                (invokerMode ? " in INVOKER mode" : " on its own thread") + " (components sharing aeron_dir must agree)");
        }
        shared.references++;
        return shared;
    }

    /**
     * The driver's duty cycle, to invoke while holding {@link #lock()}.
     *
     * @return the invoker in INVOKER mode, else null (the driver has its own thread).
     */
    AgentInvoker invoker()
    {
        return invokerMode ? driver.sharedAgentInvoker() : null;
    }

    /**
     * What every invocation of the driver holds (see the class comment).
     *
     * @return the lock.
     */
    Object lock()
    {
        return lock;
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
                synchronized (lock)
                {
                    driver.close();
                }
            }
        }
    }
}
