package io.sluice.ops.daemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.ops.stat.MappedFiles;

/**
 * The daemon's mark file, {@code <data>/sluice.mark}: who runs on this data directory, since when,
 * whether it is still alive, and where to reach it. Tools ({@code sluice stat}, {@code sluice ctl})
 * read it without any lock.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     Magic 'SLMK' (0x534C4D4B)                 |  0
 *  +---------------------------------------------------------------+
 *  |                           Version                             |  4
 *  +---------------------------------------------------------------+
 *  |                       PID (64 bits)                           |  8
 *  +---------------------------------------------------------------+
 *  |                 Start time, epoch ms (64 bits)                | 16
 *  +---------------------------------------------------------------+
 *  |         Heartbeat, epoch ms (64 bits, every second)           | 24
 *  +---------------------------------------------------------------+
 *  |                         State                                 | 32
 *  +---------------------------------------------------------------+
 *  |                 JMX port (0: JMX off)                         | 36
 *  +---------------------------------------------------------------+
 *  |                 Prometheus port (0: off)                      | 40
 *  +---------------------------------------------------------------+
 *  |                 JMX host length (bytes)                       | 44
 *  +---------------------------------------------------------------+
 *  |                 JMX host, ASCII, up to 192 bytes             ...| 48
 *  +---------------------------------------------------------------+
 *  |                 Partitions FAILED                             | 240
 *  +---------------------------------------------------------------+
 *  |                 Partitions DEGRADED                           | 244
 *  +---------------------------------------------------------------+
 *  |      Partitions not RUNNING (any other state, these included) | 248
 *  +---------------------------------------------------------------+
 *  |                         Reserved                              | 252
 *  +---------------------------------------------------------------+
 * </pre>
 * The partition figures are refreshed with the heartbeat, from the engine's partition-state counters.
 * State is one of {@link #STARTING}, {@link #RUNNING}, {@link #STOPPING}, {@link #STOPPED}. A daemon is
 * live when its state is not STOPPED, its heartbeat is younger than {@link #LIVENESS_TIMEOUT_MS} and
 * its pid is a running process: a daemon killed with SIGKILL leaves a stale heartbeat behind.
 *
 * <p>Threading: one writer, the daemon (heartbeat from its stats agent thread, the rest from its
 * control thread); stores are ordered so readers in other processes see whole values.
 */
public final class MarkFile implements AutoCloseable
{
    /** File name inside the data directory. */
    public static final String FILE_NAME = "sluice.mark";
    /** Magic at offset 0. */
    public static final int MAGIC = 0x534C4D4B;
    /** Layout version. */
    public static final int VERSION = 1;
    /** A heartbeat older than this means the daemon is dead. */
    public static final long LIVENESS_TIMEOUT_MS = 5_000;
    /** Recovering; not yet accepting input. */
    public static final int STARTING = 1;
    /** Accepting input. */
    public static final int RUNNING = 2;
    /** Draining and taking the final checkpoint. */
    public static final int STOPPING = 3;
    /** Stopped cleanly. */
    public static final int STOPPED = 4;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int PID_OFFSET = 8;
    static final int START_TIME_OFFSET = 16;
    static final int HEARTBEAT_OFFSET = 24;
    static final int STATE_OFFSET = 32;
    static final int JMX_PORT_OFFSET = 36;
    static final int PROMETHEUS_PORT_OFFSET = 40;
    static final int HOST_LENGTH_OFFSET = 44;
    static final int HOST_OFFSET = 48;
    static final int MAX_HOST_LENGTH = 192;
    static final int PARTITIONS_FAILED_OFFSET = 240;
    static final int PARTITIONS_DEGRADED_OFFSET = 244;
    static final int PARTITIONS_NOT_RUNNING_OFFSET = 248;
    static final int LENGTH = 256;

    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;

    private MarkFile(final MappedByteBuffer mapped)
    {
        this.mapped = mapped;
        this.buffer = new UnsafeBuffer(mapped, 0, LENGTH);
    }

    /**
     * Creates (replacing) the mark file, mode 0600, in state STARTING.
     *
     * @param directory   the data directory.
     * @param pid         of this process.
     * @param startTimeMs of this process.
     * @return the mark file.
     */
    static MarkFile create(final Path directory, final long pid, final long startTimeMs)
    {
        final Path file = directory.resolve(FILE_NAME);
        try
        {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                MappedFiles.allocate(channel, LENGTH); // real blocks: a full disk fails here, not with SIGBUS later
                final MarkFile markFile = new MarkFile(channel.map(FileChannel.MapMode.READ_WRITE, 0, LENGTH));
                final UnsafeBuffer buffer = markFile.buffer;
                buffer.putInt(VERSION_OFFSET, VERSION);
                buffer.putLong(PID_OFFSET, pid);
                buffer.putLong(START_TIME_OFFSET, startTimeMs);
                buffer.putLong(HEARTBEAT_OFFSET, startTimeMs);
                buffer.putInt(STATE_OFFSET, STARTING);
                // Release store: a reader that sees the magic sees the fields above.
                buffer.putIntRelease(MAGIC_OFFSET, MAGIC);
                return markFile;
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create mark file " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Reads a data directory's mark file.
     *
     * @param directory the data directory.
     * @return what it says, or null if there is no valid mark file.
     */
    public static Info read(final Path directory)
    {
        final Path file = directory.resolve(FILE_NAME);
        if (!Files.isRegularFile(file))
        {
            return null;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            if (channel.size() < LENGTH)
            {
                return null;
            }
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, LENGTH);
            try
            {
                final UnsafeBuffer buffer = new UnsafeBuffer(mapped, 0, LENGTH);
                if (buffer.getIntAcquire(MAGIC_OFFSET) != MAGIC || buffer.getInt(VERSION_OFFSET) != VERSION)
                {
                    return null;
                }
                final int hostLength = Math.min(MAX_HOST_LENGTH, Math.max(0, buffer.getInt(HOST_LENGTH_OFFSET)));
                final byte[] host = new byte[hostLength];
                buffer.getBytes(HOST_OFFSET, host);
                return new Info(
                    buffer.getLong(PID_OFFSET),
                    buffer.getLong(START_TIME_OFFSET),
                    buffer.getLongVolatile(HEARTBEAT_OFFSET),
                    buffer.getIntVolatile(STATE_OFFSET),
                    new String(host, StandardCharsets.US_ASCII),
                    buffer.getIntVolatile(JMX_PORT_OFFSET),
                    buffer.getIntVolatile(PROMETHEUS_PORT_OFFSET),
                    buffer.getIntVolatile(PARTITIONS_FAILED_OFFSET),
                    buffer.getIntVolatile(PARTITIONS_DEGRADED_OFFSET),
                    buffer.getIntVolatile(PARTITIONS_NOT_RUNNING_OFFSET));
            }
            finally
            {
                IoUtil.unmap(mapped);
            }
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    void heartbeat(final long nowMs)
    {
        // Ordered store: readers in other processes see a whole, monotonic value.
        buffer.putLongRelease(HEARTBEAT_OFFSET, nowMs);
    }

    void partitions(final int failed, final int degraded, final int notRunning)
    {
        // Release stores: readers in other processes see whole values (the three may be from adjacent refreshes).
        buffer.putIntRelease(PARTITIONS_FAILED_OFFSET, failed);
        buffer.putIntRelease(PARTITIONS_DEGRADED_OFFSET, degraded);
        buffer.putIntRelease(PARTITIONS_NOT_RUNNING_OFFSET, notRunning);
    }

    void state(final int state)
    {
        // Volatile store: a state change must be visible before whatever follows it (e.g. unlocking).
        buffer.putIntVolatile(STATE_OFFSET, state);
    }

    void endpoints(final String jmxHost, final int jmxPort, final int prometheusPort)
    {
        final byte[] host = jmxHost == null ? new byte[0] : jmxHost.getBytes(StandardCharsets.US_ASCII);
        final int length = Math.min(host.length, MAX_HOST_LENGTH);
        buffer.putBytes(HOST_OFFSET, host, 0, length);
        buffer.putInt(HOST_LENGTH_OFFSET, length);
        buffer.putInt(PROMETHEUS_PORT_OFFSET, prometheusPort);
        // Release store last: a reader that sees the port sees the host.
        buffer.putIntRelease(JMX_PORT_OFFSET, jmxPort);
    }

    @Override
    public void close()
    {
        mapped.force();
        IoUtil.unmap(mapped);
    }

    /**
     * A snapshot of a mark file.
     *
     * @param pid            of the daemon.
     * @param startTimeMs    when it started.
     * @param heartbeatMs    its last heartbeat.
     * @param state          STARTING, RUNNING, STOPPING or STOPPED.
     * @param jmxHost        the JMX connector's host, empty when JMX is off.
     * @param jmxPort        the JMX port, 0 when off.
     * @param prometheusPort the Prometheus port, 0 when off.
     * @param partitionsFailed      partitions FAILED at the last heartbeat.
     * @param partitionsDegraded    partitions DEGRADED at the last heartbeat.
     * @param partitionsNotRunning  partitions in any state but RUNNING at the last heartbeat.
     */
    public record Info(long pid, long startTimeMs, long heartbeatMs, int state, String jmxHost, int jmxPort, int prometheusPort,
        int partitionsFailed, int partitionsDegraded, int partitionsNotRunning)
    {
        /**
         * Whether the daemon is alive: not stopped, a fresh heartbeat, and its process exists.
         *
         * @param nowMs the current epoch time.
         * @return true if alive.
         */
        public boolean isLive(final long nowMs)
        {
            return state != STOPPED && nowMs - heartbeatMs < LIVENESS_TIMEOUT_MS &&
                ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }

        /**
         * The state's name.
         *
         * @return STARTING, RUNNING, STOPPING, STOPPED or UNKNOWN.
         */
        public String stateName()
        {
            return switch (state)
            {
                case STARTING -> "STARTING";
                case RUNNING -> "RUNNING";
                case STOPPING -> "STOPPING";
                case STOPPED -> "STOPPED";
                default -> "UNKNOWN(" + state + ")";
            };
        }
    }
}
