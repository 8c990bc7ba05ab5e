package io.sluice.ops.stat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * The daemon's counters file, {@code <data>/sluice-counters.dat}: an Agrona counters metadata and
 * values buffer plus the distinct error log, memory-mapped so that {@code sluice stat}, the JMX beans
 * and the Prometheus endpoint read the very counters the partition threads write, without any
 * cooperation from them (as AeronStat reads Aeron's CnC file).
 *
 * <p>Layout: a 4 KiB header, then the three buffers, each a multiple of 4 KiB so every buffer is
 * page aligned (Agrona requires 8-byte alignment of counter values; pages give more than that).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                      Magic 'SLCT' (0x534C4354)                |  0
 *  +---------------------------------------------------------------+
 *  |                           Version                             |  4
 *  +---------------------------------------------------------------+
 *  |                     Metadata buffer length                    |  8
 *  +---------------------------------------------------------------+
 *  |                      Values buffer length                     | 12
 *  +---------------------------------------------------------------+
 *  |                     Error log buffer length                   | 16
 *  +---------------------------------------------------------------+
 *  |                           Reserved                            | 20
 *  +---------------------------------------------------------------+
 *  |                     PID of the writer (64 bits)               | 24
 *  +---------------------------------------------------------------+
 *  |                Start time, epoch ms (64 bits)                 | 32
 *  +---------------------------------------------------------------+
 *  |                  ... zero up to 4096 ...                      |
 *  +---------------------------------------------------------------+
 *  |         Counters metadata (Agrona CountersManager)            | 4096
 *  +---------------------------------------------------------------+
 *  |         Counters values (Agrona CountersManager)              |
 *  +---------------------------------------------------------------+
 *  |         Distinct error log (Agrona DistinctErrorLog)          |
 *  +---------------------------------------------------------------+
 * </pre>
 * The magic is written last, with a release store, when the file is ready: a reader that sees it
 * sees a complete header.
 *
 * <p>Threading: the daemon creates the file on its control thread; counters have one writer each
 * (see the engine's EngineCounters); readers may be in any thread of any process.
 */
public final class CountersFile implements AutoCloseable
{
    /** File name inside the data directory. */
    public static final String FILE_NAME = "sluice-counters.dat";
    /** Magic at offset 0: 'SLCT'. */
    public static final int MAGIC = 0x534C4354;
    /** Layout version. */
    public static final int VERSION = 1;
    /** Offset of the magic. */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the version. */
    public static final int VERSION_OFFSET = 4;
    /** Offset of the metadata buffer length. */
    public static final int METADATA_LENGTH_OFFSET = 8;
    /** Offset of the values buffer length. */
    public static final int VALUES_LENGTH_OFFSET = 12;
    /** Offset of the error log buffer length. */
    public static final int ERROR_LOG_LENGTH_OFFSET = 16;
    /** Offset of the writer's pid. */
    public static final int PID_OFFSET = 24;
    /** Offset of the start time. */
    public static final int START_TIME_OFFSET = 32;
    /** Length of the header; the buffers follow. */
    public static final int HEADER_LENGTH = 4096;
    /** Default values buffer length: 1024 counters of Agrona's 128 bytes. */
    public static final int DEFAULT_VALUES_LENGTH = 1024 * CountersReader.COUNTER_LENGTH;
    /**
     * The values buffer length for at least a number of counters: {@link #DEFAULT_VALUES_LENGTH} or,
     * for more counters than it holds, their length rounded up to a multiple of 4096.
     *
     * @param counters the daemon expects to allocate.
     * @return the length in bytes.
     */
    public static int valuesLengthFor(final int counters)
    {
        final long length = (long)counters * CountersReader.COUNTER_LENGTH;
        if (length <= DEFAULT_VALUES_LENGTH)
        {
            return DEFAULT_VALUES_LENGTH;
        }
        return (int)Math.min((length + 4095) & ~4095L, 1 << 26);
    }

    /** Default error log length. */
    public static final int DEFAULT_ERROR_LOG_LENGTH = 1024 * 1024;

    private final Path file;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final UnsafeBuffer metadata;
    private final UnsafeBuffer values;
    private final UnsafeBuffer errorLog;

    private CountersFile(final Path file, final MappedByteBuffer mapped)
    {
        this.file = file;
        this.mapped = mapped;
        this.header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        final int metadataLength = header.getInt(METADATA_LENGTH_OFFSET);
        final int valuesLength = header.getInt(VALUES_LENGTH_OFFSET);
        final int errorLogLength = header.getInt(ERROR_LOG_LENGTH_OFFSET);
        final long expected = (long)HEADER_LENGTH + metadataLength + valuesLength + errorLogLength;
        if (metadataLength <= 0 || valuesLength <= 0 || errorLogLength <= 0 || expected != mapped.capacity())
        {
            throw new IllegalStateException("counters file " + file + " has a bad header (lengths " + metadataLength + "/" +
                valuesLength + "/" + errorLogLength + ", file length " + mapped.capacity() + ")");
        }
        this.metadata = new UnsafeBuffer(mapped, HEADER_LENGTH, metadataLength);
        this.values = new UnsafeBuffer(mapped, HEADER_LENGTH + metadataLength, valuesLength);
        this.errorLog = new UnsafeBuffer(mapped, HEADER_LENGTH + metadataLength + valuesLength, errorLogLength);
    }

    /**
     * Creates (replacing any old one) and maps a counters file with mode 0600.
     *
     * @param directory      the data directory.
     * @param valuesLength   of the values buffer, a multiple of 4096; metadata gets four times as much.
     * @param errorLogLength of the error log, a multiple of 4096.
     * @param pid            of the writing process.
     * @param startTimeMs    of the writing process.
     * @return the mapped file.
     * @throws UncheckedIOException if it cannot be created.
     */
    public static CountersFile create(
        final Path directory, final int valuesLength, final int errorLogLength, final long pid, final long startTimeMs)
    {
        final Path file = directory.resolve(FILE_NAME);
        final int metadataLength = valuesLength * (CountersReader.METADATA_LENGTH / CountersReader.COUNTER_LENGTH);
        final long length = (long)HEADER_LENGTH + metadataLength + valuesLength + errorLogLength;
        try
        {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                MappedFiles.allocate(channel, length); // real blocks: a full disk fails here, not with SIGBUS later
                final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, length);
                final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
                header.putInt(VERSION_OFFSET, VERSION);
                header.putInt(METADATA_LENGTH_OFFSET, metadataLength);
                header.putInt(VALUES_LENGTH_OFFSET, valuesLength);
                header.putInt(ERROR_LOG_LENGTH_OFFSET, errorLogLength);
                header.putLong(PID_OFFSET, pid);
                header.putLong(START_TIME_OFFSET, startTimeMs);
                // Release store: a reader that sees the magic sees the lengths written before it.
                header.putIntRelease(MAGIC_OFFSET, MAGIC);
                return new CountersFile(file, mapped);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create counters file " + file + " (" + length + " bytes): " + ex.getMessage(), ex);
        }
    }

    /**
     * Maps an existing counters file for reading (another process's, usually).
     *
     * @param directory the data directory, or the file itself.
     * @return the mapped file.
     * @throws IllegalStateException if it is missing or not a counters file.
     */
    public static CountersFile openForReading(final Path directory)
    {
        final Path file = Files.isDirectory(directory) ? directory.resolve(FILE_NAME) : directory;
        if (!Files.isRegularFile(file))
        {
            throw new IllegalStateException("no counters file " + file + " (is a daemon configured with this data directory?)");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            if (channel.size() < HEADER_LENGTH)
            {
                throw new IllegalStateException("counters file " + file + " is too short (" + channel.size() + " bytes)");
            }
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
            final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
            if (header.getIntAcquire(MAGIC_OFFSET) != MAGIC || header.getInt(VERSION_OFFSET) != VERSION)
            {
                IoUtil.unmap(mapped);
                throw new IllegalStateException(file + " is not a sluice counters file of version " + VERSION);
            }
            return new CountersFile(file, mapped);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read counters file " + file, ex);
        }
    }

    /**
     * A counters manager over the file, for the writing daemon (allocates counters).
     *
     * @return a new manager over this file's buffers.
     */
    public CountersManager newCountersManager()
    {
        return new CountersManager(metadata, values);
    }

    /**
     * A reader over the file's counters.
     *
     * @return a new reader.
     */
    public CountersReader newCountersReader()
    {
        return new CountersReader(metadata, values);
    }

    /**
     * The distinct error log buffer.
     *
     * @return the buffer.
     */
    public UnsafeBuffer errorLogBuffer()
    {
        return errorLog;
    }

    /**
     * The pid of the process that created the file.
     *
     * @return the pid.
     */
    public long pid()
    {
        return header.getLong(PID_OFFSET);
    }

    /**
     * When the writing process started.
     *
     * @return epoch milliseconds.
     */
    public long startTimeMs()
    {
        return header.getLong(START_TIME_OFFSET);
    }

    /**
     * The file.
     *
     * @return the path.
     */
    public Path file()
    {
        return file;
    }

    /**
     * Unmaps the file. No buffer, manager or reader obtained from it may be used afterwards.
     */
    @Override
    public void close()
    {
        IoUtil.unmap(mapped);
    }
}
