package io.sluice.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * File-system helpers with the journal's secure defaults: directories 0700, files 0600, and
 * refusal to use a directory that group or others can write. Also real (non-sparse)
 * pre-allocation of the bytes a writer will touch, so a full disk fails here with an error rather
 * than later with a SIGBUS.
 */
public final class JournalFiles
{
    private static final Set<PosixFilePermission> DIR_PERMISSIONS = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
    private static final FileAttribute<Set<PosixFilePermission>> DIR_ATTRIBUTE =
        PosixFilePermissions.asFileAttribute(DIR_PERMISSIONS);
    private static final FileAttribute<Set<PosixFilePermission>> FILE_ATTRIBUTE =
        PosixFilePermissions.asFileAttribute(FILE_PERMISSIONS);
    private static final int ZERO_CHUNK = 1 << 20;
    /** Bytes of zeros per write, aligned to their size: see {@link #writeZeros(FileChannel, ByteBuffer, Path, long, long)}. */
    private static final int ZERO_PIECE = 64 << 10;
    /** Shared zeros for {@link #writeZeros}; each call writes from its own duplicate. */
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(ZERO_CHUNK);

    private JournalFiles()
    {
    }

    /**
     * Creates a directory (and parents) with mode 0700 if missing, then checks it is not writable
     * by group or others.
     *
     * @param dir to create or check.
     * @return the directory.
     * @throws JournalException if it cannot be created or is writable by others.
     */
    public static Path ensureSecureDirectory(final Path dir)
    {
        try
        {
            if (!Files.isDirectory(dir))
            {
                final Path parent = dir.toAbsolutePath().getParent();
                if (parent != null && !Files.isDirectory(parent))
                {
                    Files.createDirectories(parent);
                }
                try
                {
                    Files.createDirectory(dir, DIR_ATTRIBUTE);
                }
                catch (final FileAlreadyExistsException ignore)
                {
                    // raced with another creator: checked below like any existing directory
                }
            }
            checkNotWritableByOthers(dir);
            return dir;
        }
        catch (final IOException ex)
        {
            throw new JournalException(JournalException.Category.IO, "cannot create directory " + dir, ex);
        }
    }

    /**
     * Refuses a directory that group or others can write, since they could then replace journal files.
     *
     * @param dir to check.
     * @throws JournalException naming the directory and its mode.
     */
    public static void checkNotWritableByOthers(final Path dir)
    {
        try
        {
            final Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
            if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE))
            {
                throw new JournalException(
                    JournalException.Category.CONFIGURATION,
                    "refusing to use directory " + dir + " with mode " + PosixFilePermissions.toString(perms) +
                    ": it is writable by group or others (chmod 700 it)");
            }
        }
        catch (final IOException ex)
        {
            throw new JournalException(JournalException.Category.IO, "cannot read permissions of " + dir, ex);
        }
    }

    /**
     * Creates a new file of mode 0600 filled with real zero blocks (not sparse).
     *
     * @param file   to create; must not exist.
     * @param length in bytes.
     * @throws JournalException naming the file when the disk is full or the write fails.
     */
    public static void preallocate(final Path file, final long length)
    {
        preallocate(file, length, true);
    }

    /**
     * Creates a new file of mode 0600 filled with real zero blocks (not sparse), optionally forcing
     * the zeros to the device. Writing the zeros is what reserves the blocks (a full disk fails
     * here); forcing them is only needed when the zeros themselves must survive power loss.
     *
     * @param file   to create; must not exist.
     * @param length in bytes.
     * @param force  whether to force the zeros to the device.
     * @throws JournalException naming the file when the disk is full or the write fails.
     */
    public static void preallocate(final Path file, final long length, final boolean force)
    {
        try (FileChannel channel = FileChannel.open(
            file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), FILE_ATTRIBUTE))
        {
            StorageFaults.check(StorageFaults.Operation.ALLOCATE, file);
            final ByteBuffer zeros = ByteBuffer.allocateDirect((int)Math.min(ZERO_CHUNK, Math.max(length, 1)));
            long position = 0;
            while (position < length)
            {
                zeros.clear().limit((int)Math.min(zeros.capacity(), length - position));
                position += channel.write(zeros, position);
            }
            if (force)
            {
                StorageFaults.check(StorageFaults.Operation.FORCE, file);
                channel.force(true);
            }
        }
        catch (final IOException ex)
        {
            deleteQuietly(file);
            throw new JournalException(
                JournalException.Category.IO, "cannot pre-allocate " + length + " bytes for " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Creates a new file of mode 0600 and this length whose first {@code reservedBytes} are real zero
     * blocks and the rest a hole: creating a segment costs the blocks the writer needs first, not the
     * whole file. The writer never writes past what {@link #writeZeros} reserved, so a full disk still
     * fails with an error naming the file, never with a SIGBUS.
     *
     * @param file          to create; must not exist.
     * @param length        of the file in bytes.
     * @param reservedBytes at the start of the file to fill with zero blocks.
     * @throws JournalException naming the file when the disk is full or the write fails.
     */
    public static void createSparse(final Path file, final long length, final long reservedBytes)
    {
        try (FileChannel channel = FileChannel.open(
            file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), FILE_ATTRIBUTE))
        {
            writeZeros(channel, file, 0, Math.min(reservedBytes, length));
            if (channel.size() < length)
            {
                // The file's length, as a hole: one zero byte at its last position.
                channel.write(ByteBuffer.allocate(1), length - 1);
            }
        }
        catch (final IOException ex)
        {
            deleteQuietly(file);
            throw new JournalException(
                JournalException.Category.IO, "cannot create " + file + " (" + length + " bytes): " + ex.getMessage(), ex);
        }
    }

    /**
     * Writes zeros over {@code [from, to)} of an open file, which reserves the blocks of a hole (a full
     * disk fails here, with an IOException) and leaves zero pages in the page cache. Allocates nothing
     * but a buffer view per call.
     *
     * @param channel open for writing on the file.
     * @param file    the channel is open on, for fault injection and messages.
     * @param from    first byte to write.
     * @param to      one past the last byte to write.
     * @throws IOException if the disk is full or the write fails.
     */
    static void writeZeros(final FileChannel channel, final Path file, final long from, final long to) throws IOException
    {
        writeZeros(channel, zerosView(), file, from, to);
    }

    /**
     * A view of the shared zero chunk for {@link #writeZeros(FileChannel, ByteBuffer, Path, long, long)}, to be
     * kept by a caller that writes zeros often and used by one thread at a time.
     *
     * @return a new view.
     */
    static ByteBuffer zerosView()
    {
        return ZEROS.duplicate();
    }

    /**
     * {@link #writeZeros(FileChannel, Path, long, long)} through a view of the zero chunk the caller keeps
     * ({@link #zerosView()}), so that it allocates nothing.
     *
     * @param channel to write to.
     * @param zeros   a view of the zero chunk, used by this thread only for the call.
     * @param file    the channel's, for errors.
     * @param from    first byte.
     * @param to      one past the last byte.
     * @throws IOException if a write fails.
     */
    static void writeZeros(final FileChannel channel, final ByteBuffer zeros, final Path file, final long from, final long to)
        throws IOException
    {
        if (to <= from)
        {
            return;
        }
        StorageFaults.check(StorageFaults.Operation.ALLOCATE, file);
        long position = from;
        while (position < to)
        {
            // Aligned 64 KiB pieces, whatever the range: the page cache keeps each write as a folio of its size (ext4
            // since Linux 6.16), and on this project's VMs a page of a 1 MiB folio still cost the writer's first store
            // ~3 us after the pre-touch, against ~0.2-0.8 us in a 64 KiB one (perf/README.md, section 76).
            final long pieceEnd = Math.min(to, (position + ZERO_PIECE) & -ZERO_PIECE);
            zeros.clear().limit((int)(pieceEnd - position));
            position += channel.write(zeros, position);
        }
    }

    /**
     * Extends an existing file to a length with real zero blocks (not sparse) and forces it; used to
     * restore a tail segment that is shorter than its header says.
     *
     * @param file   to extend.
     * @param length the file's new length; nothing is done if it is already that long.
     * @throws JournalException naming the file when the disk is full or the write fails.
     */
    public static void extendWithZeros(final Path file, final long length)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            StorageFaults.check(StorageFaults.Operation.ALLOCATE, file);
            long position = channel.size();
            final ByteBuffer zeros = ByteBuffer.allocateDirect((int)Math.min(ZERO_CHUNK, Math.max(length - position, 1)));
            while (position < length)
            {
                zeros.clear().limit((int)Math.min(zeros.capacity(), length - position));
                position += channel.write(zeros, position);
            }
            StorageFaults.check(StorageFaults.Operation.FORCE, file);
            channel.force(true);
        }
        catch (final IOException ex)
        {
            throw new JournalException(
                JournalException.Category.IO, "cannot extend " + file + " to " + length + " bytes: " + ex.getMessage(), ex);
        }
    }

    /**
     * Maps a whole file read-write.
     *
     * @param file to map.
     * @return the mapping.
     */
    public static MappedByteBuffer mapReadWrite(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size());
        }
        catch (final IOException ex)
        {
            throw new JournalException(JournalException.Category.IO, "cannot map " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Maps a whole file read-only.
     *
     * @param file to map.
     * @return the mapping.
     */
    public static MappedByteBuffer mapReadOnly(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
        }
        catch (final IOException ex)
        {
            throw new JournalException(JournalException.Category.IO, "cannot map " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Writes bytes to a file atomically: a temp file of mode 0600 is written and forced, renamed over
     * the target, and the directory is fsynced so the rename itself survives power loss.
     *
     * @param target file to replace.
     * @param bytes  new contents.
     */
    public static void writeAtomically(final Path target, final byte[] bytes)
    {
        final Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try
        {
            Files.deleteIfExists(tmp);
            try (FileChannel channel = FileChannel.open(
                tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), FILE_ATTRIBUTE))
            {
                final ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining())
                {
                    channel.write(buffer);
                }
                StorageFaults.check(StorageFaults.Operation.FORCE, tmp);
                channel.force(true);
            }
            StorageFaults.check(StorageFaults.Operation.RENAME, target);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(target.toAbsolutePath().getParent());
        }
        catch (final IOException ex)
        {
            deleteQuietly(tmp);
            throw new JournalException(JournalException.Category.IO, "cannot write " + target + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Forces a directory's entries (creations, renames, deletions) to disk.
     *
     * @param dir to fsync.
     */
    public static void fsyncDirectory(final Path dir)
    {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ))
        {
            StorageFaults.check(StorageFaults.Operation.FSYNC_DIRECTORY, dir);
            channel.force(true);
        }
        catch (final IOException ex)
        {
            throw new JournalException(JournalException.Category.IO, "cannot fsync directory " + dir + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Deletes a file or empty directory if it exists, ignoring failure (clean-up paths only).
     *
     * @param file to delete.
     */
    public static void deleteQuietly(final Path file)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ignore)
        {
            // best effort clean-up of a partial file; the original failure is what gets reported
        }
    }
}
