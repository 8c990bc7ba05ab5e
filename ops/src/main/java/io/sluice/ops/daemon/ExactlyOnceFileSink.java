package io.sluice.ops.daemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import io.sluice.engine.exec.SymbolKeyNames;
import io.sluice.engine.io.EventFileSink;
import io.sluice.engine.io.FileFormat;
import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.IdempotentSink;
import io.sluice.engine.pipeline.KeyNames;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

/**
 * A CSV or JSONL output file that receives every output exactly once across crashes and restarts.
 *
 * <p>Next to the file, {@code <file>.progress} records a consistent cut: the file's length and, per
 * partition, the sequence of the next output after that length. It is rewritten (temporary file,
 * force, atomic rename, directory force) whenever a checkpoint barrier reaches a partition, after
 * the file has been flushed and forced. At start the file is truncated to the recorded length and an
 * {@link IdempotentSink} drops every replayed output whose sequence the file already holds. Because
 * recovery always resumes from a checkpoint taken at or before the last cut (each partition writes a
 * cut at its barrier before the checkpoint can complete), replayed outputs cover the gap exactly.
 *
 * <pre>
 *   sluice-sink-progress 1
 *   length 12345
 *   next 17 0 42          (one sequence per partition)
 * </pre>
 *
 * <p>A file that exists without a progress file was not written by this sink and is refused rather
 * than truncated.
 *
 * <p>Threading: partition threads call {@link #onEvent} and {@link #onCheckpoint} concurrently; the
 * file sink's monitor serialises them, and makes each cut consistent.
 */
final class ExactlyOnceFileSink implements EventSink, AutoCloseable
{
    private static final String HEADER = "sluice-sink-progress 1";

    private final Path file;
    private final Path progressFile;
    private final EventFileSink fileSink;
    private final FileChannel channel;
    private final long[] next;
    private final IdempotentSink idempotent;
    private final SymbolKeyNames[] keyNames;

    private ExactlyOnceFileSink(
        final Path file, final EventFileSink fileSink, final FileChannel channel, final long[] next, final List<SymbolKeyNames> keyNames)
    {
        this.keyNames = keyNames.toArray(new SymbolKeyNames[0]);
        this.file = file;
        this.progressFile = progressFile(file);
        this.fileSink = fileSink;
        this.channel = channel;
        this.next = next;
        this.idempotent = new IdempotentSink(new Counting(), next);
    }

    /**
     * Opens the sink, truncating the file to its last consistent cut.
     *
     * @param file       the output file.
     * @param format     CSV or JSONL.
     * @param schema     of the outputs.
     * @param writeEmit  whether window results get an {@code emit} column.
     * @param partitions of the pipeline.
     * @param keyNames   registries of the pipeline's symbol keys (written as names, forced at each barrier), or empty.
     * @return the sink.
     */
    static ExactlyOnceFileSink open(
        final Path file, final FileFormat format, final Schema schema, final boolean writeEmit, final int partitions,
        final List<SymbolKeyNames> keyNames)
    {
        final Path progress = progressFile(file);
        long[] next = new long[partitions];
        try
        {
            final Path parent = file.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent))
            {
                // A missing output directory is created private to the daemon's user, as the data directory is.
                Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            if (Files.exists(progress))
            {
                final List<String> lines = Files.readAllLines(progress, StandardCharsets.UTF_8);
                final long length = parseProgress(progress, lines, next);
                if (!Files.exists(file) || Files.size(file) < length)
                {
                    throw new DaemonException("output " + file + " is shorter than its progress file " + progress +
                        " records (" + length + " bytes): outputs were lost outside the daemon; move both away to start afresh");
                }
                try (FileChannel truncate = FileChannel.open(file, StandardOpenOption.WRITE))
                {
                    truncate.truncate(length);
                    truncate.force(true);
                }
            }
            else
            {
                if (Files.exists(file) && Files.size(file) > 0)
                {
                    throw new DaemonException("output " + file + " exists but was not written by this sink (no " +
                        progress.getFileName() + "): move it away or choose another path");
                }
                next = new long[partitions];
                if (!Files.exists(file))
                {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                }
                writeProgress(progress, 0, next);
            }
            final EventFileSink fileSink = EventFileSink.openAppending(file, format, schema, writeEmit, names(keyNames));
            final FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE);
            return new ExactlyOnceFileSink(file, fileSink, channel, next, keyNames);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open output " + file, ex);
        }
    }

    /**
     * Renders keys by the first registry that knows them (a join has one per side), or null when no
     * source key is a symbol.
     */
    private static KeyNames names(final List<SymbolKeyNames> registries)
    {
        if (registries.isEmpty())
        {
            return null;
        }
        final SymbolKeyNames[] all = registries.toArray(new SymbolKeyNames[0]);
        return (partition, key) ->
        {
            for (final SymbolKeyNames registry : all)
            {
                final String name = registry.name(partition, key);
                if (name != null)
                {
                    return name;
                }
            }
            return null;
        };
    }

    private static long parseProgress(final Path progress, final List<String> lines, final long[] next)
    {
        try
        {
            if (lines.size() < 3 || !lines.get(0).equals(HEADER) || !lines.get(1).startsWith("length ") || !lines.get(2).startsWith("next"))
            {
                throw new IllegalArgumentException("unexpected content");
            }
            final long length = Long.parseLong(lines.get(1).substring("length ".length()).trim());
            final String[] sequences = lines.get(2).substring("next".length()).trim().split(" ");
            if (sequences.length != next.length)
            {
                throw new DaemonException("progress file " + progress + " has " + sequences.length + " partitions but the daemon runs " +
                    next.length + ": partition counts cannot change under existing outputs");
            }
            for (int p = 0; p < next.length; p++)
            {
                next[p] = Long.parseLong(sequences[p]);
            }
            return length;
        }
        catch (final IllegalArgumentException ex)
        {
            throw new DaemonException("progress file " + progress + " is damaged (" + ex.getMessage() + ")");
        }
    }

    private static Path progressFile(final Path file)
    {
        return file.resolveSibling(file.getFileName() + ".progress");
    }

    private static void writeProgress(final Path progress, final long length, final long[] next) throws IOException
    {
        final StringBuilder text = new StringBuilder(64).append(HEADER).append("\nlength ").append(length).append("\nnext");
        for (final long sequence : next)
        {
            text.append(' ').append(sequence);
        }
        text.append('\n');
        final Path tmp = progress.resolveSibling(progress.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE))
        {
            out.write(java.nio.ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
            out.force(true);
        }
        Files.move(tmp, progress, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        final Path directory = progress.toAbsolutePath().getParent();
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ))
        {
            dir.force(true);
        }
    }

    @Override
    public void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
    {
        idempotent.onEvent(partition, sequence, key, timestamp, event);
    }

    @Override
    public void onCheckpoint(final int partition)
    {
        // The names of the keys in this partition's checkpointed state are forced before it can complete.
        for (final SymbolKeyNames registry : keyNames)
        {
            registry.force(partition);
        }
        cut();
    }

    private void cut()
    {
        synchronized (fileSink)
        {
            try
            {
                fileSink.flush();
                channel.force(false);
                writeProgress(progressFile, channel.size(), next);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot record progress of output " + file, ex);
            }
        }
    }

    /**
     * Outputs dropped because the file already held them, over all partitions.
     *
     * @return the count.
     */
    long duplicates()
    {
        long total = 0;
        for (int p = 0; p < next.length; p++)
        {
            total += idempotent.duplicates(p);
        }
        return total;
    }

    /**
     * Records a last cut, then closes the file.
     */
    @Override
    public void close()
    {
        try
        {
            cut();
        }
        finally
        {
            try
            {
                fileSink.close();
            }
            finally
            {
                try
                {
                    channel.close();
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            }
        }
    }

    /**
     * Between the idempotent filter and the file: writes and counts under the file sink's monitor.
     */
    private final class Counting implements EventSink
    {
        @Override
        public void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
        {
            synchronized (fileSink)
            {
                fileSink.onEvent(partition, sequence, key, timestamp, event);
                next[partition] = sequence + 1;
            }
        }
    }
}
