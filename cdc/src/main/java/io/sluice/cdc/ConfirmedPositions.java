package io.sluice.cdc;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The source's durable map from stream positions (LSNs) to change counts: each line of the file
 * {@code cdc-<slot>.positions} is {@code <lsn> <count>}, meaning "once the slot has confirmed this LSN,
 * the stream resumes with change number count + 1". A change's number is the position journaled with its
 * event, so numbering after a restart repeats the numbers of the changes PostgreSQL sends again and the
 * engine's per-partition positions tell which of them are journaled already.
 *
 * <p>An entry is written (temp file, force, rename, fsync of the directory) BEFORE the LSN is confirmed
 * to PostgreSQL, so the slot never holds a position this file does not know. The last 256 entries are
 * kept. Threading: the source thread and its position writer; methods are synchronized.
 */
final class ConfirmedPositions
{
    private static final int KEPT = 256;

    private final Path file;
    private final Deque<long[]> entries = new ArrayDeque<>();

    ConfirmedPositions(final Path directory, final String slot)
    {
        this.file = directory.resolve("cdc-" + slot + ".positions");
    }

    /**
     * Loads the file, if any.
     *
     * @return this.
     */
    synchronized ConfirmedPositions load()
    {
        entries.clear();
        if (!Files.exists(file))
        {
            return this;
        }
        try
        {
            for (final String line : Files.readAllLines(file, StandardCharsets.US_ASCII))
            {
                if (line.isBlank())
                {
                    continue;
                }
                final String[] parts = line.trim().split(" ");
                entries.addLast(new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])});
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new CdcException(CdcException.Category.SLOT, "cannot read the CDC position file " + file + ": " + ex.getMessage(), ex);
        }
        return this;
    }

    /**
     * Whether any position was recorded (the initial snapshot completed).
     *
     * @return true if the file has entries.
     */
    synchronized boolean isEmpty()
    {
        return entries.isEmpty();
    }

    /**
     * The change count recorded for an LSN.
     *
     * @param lsn the slot's confirmed position.
     * @return the count, or -1 if this LSN was never recorded.
     */
    synchronized long countAt(final long lsn)
    {
        for (final long[] e : entries)
        {
            if (e[0] == lsn)
            {
                return e[1];
            }
        }
        return -1;
    }

    /**
     * The newest entry's LSN.
     *
     * @return the LSN, or 0 if none.
     */
    synchronized long lastLsn()
    {
        return entries.isEmpty() ? 0 : entries.peekLast()[0];
    }

    /**
     * Records an entry durably.
     *
     * @param lsn   to be confirmed.
     * @param count of changes up to it.
     */
    synchronized void record(final long lsn, final long count)
    {
        if (!entries.isEmpty() && entries.peekLast()[0] == lsn && entries.peekLast()[1] == count)
        {
            return;
        }
        entries.addLast(new long[] {lsn, count});
        while (entries.size() > KEPT)
        {
            entries.removeFirst();
        }
        final StringBuilder text = new StringBuilder();
        for (final long[] e : entries)
        {
            text.append(e[0]).append(' ').append(e[1]).append('\n');
        }
        final Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try
        {
            Files.createDirectories(file.getParent());
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING))
            {
                channel.write(java.nio.ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.US_ASCII)));
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ))
            {
                dir.force(true);
            }
        }
        catch (final IOException ex)
        {
            throw new CdcException(CdcException.Category.SLOT, "cannot write the CDC position file " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Deletes the file (before a new slot and snapshot).
     */
    synchronized void clear()
    {
        entries.clear();
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ex)
        {
            throw new CdcException(CdcException.Category.SLOT, "cannot delete the CDC position file " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * The file.
     *
     * @return its path.
     */
    Path file()
    {
        return file;
    }
}
