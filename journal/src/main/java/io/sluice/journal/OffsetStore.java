/*
 * Copyright 2026 Sluice contributors.
 */
package io.sluice.journal;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Set;
import java.util.zip.CRC32C;

import static io.sluice.journal.OffsetFileDescriptor.*;
import static io.sluice.journal.OffsetFileCorruptException.Defect;

/**
 * Durable committed offsets of one consumer group on one topic, kept in one small file whose layout is described by
 * {@link OffsetFileDescriptor}.
 * <p>
 * Crash safety: every {@link #store(long, long[])} writes a complete new file next to the old one, forces it, renames
 * it atomically over the old one and forces the directory, so after a crash the file holds either the previous or the
 * new offsets, and a returned {@code store} survives power loss. A file that fails its checks on load raises an
 * {@link OffsetFileCorruptException}; offsets are never reset silently.
 * <p>
 * Files are created {@code 0600} and directories {@code 0700} where the file system is POSIX.
 * <p>
 * Threading: not thread-safe; a single writer, its {@link ConsumerGroup}, calls it while holding the group's lock.
 */
final class OffsetStore
{
    /** Longest group name accepted, so the file name stays well inside common 255-byte limits. */
    static final int MAX_GROUP_NAME_LENGTH = 200;

    /** Largest partition count a file can hold without its length overflowing an int. */
    static final int MAX_PARTITION_COUNT = (Integer.MAX_VALUE - HEADER_LENGTH - CHECKSUM_LENGTH) / Long.BYTES;

    private static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIRECTORY_PERMISSIONS = PosixFilePermissions.fromString("rwx------");

    private final Path directory;
    private final Path file;
    private final Path tempFile;
    private final int partitionCount;
    private final boolean posix;
    private final ByteBuffer byteBuffer;
    private final UnsafeBuffer buffer;
    private final CRC32C crc = new CRC32C();
    private final long[] committedOffsets;
    private long generation;

    private OffsetStore(final Path directory, final String groupName, final int partitionCount, final boolean posix)
    {
        this.directory = directory;
        this.file = directory.resolve(groupName + FILE_SUFFIX);
        this.tempFile = directory.resolve(groupName + TEMP_SUFFIX);
        this.partitionCount = partitionCount;
        this.posix = posix;
        this.byteBuffer = ByteBuffer.allocateDirect(fileLength(partitionCount)).order(BYTE_ORDER);
        this.buffer = new UnsafeBuffer(byteBuffer);
        this.committedOffsets = new long[partitionCount];
        Arrays.fill(committedOffsets, NULL_OFFSET);
    }

    /**
     * Open the store of a group, creating the directory if needed and loading the file if it exists. A missing file
     * means a new group: generation 0 and {@link OffsetFileDescriptor#NULL_OFFSET} for every partition. A leftover
     * temporary file from an interrupted write is discarded, since its rename never happened.
     *
     * @param directory      holding the groups' offsets files, normally {@code <topicDir>/groups}.
     * @param groupName      validated by {@link #validateGroupName(String)}.
     * @param partitionCount of the topic the group consumes.
     * @return the opened store.
     * @throws OffsetFileCorruptException if the file exists but is not valid.
     * @throws GroupException             if the name or count is invalid or the file system fails.
     */
    static OffsetStore open(final Path directory, final String groupName, final int partitionCount)
    {
        validateGroupName(groupName);
        if (partitionCount < 1 || partitionCount > MAX_PARTITION_COUNT)
        {
            throw new GroupException(GroupException.Reason.INVALID_ARGUMENT,
                "partition count must be in [1, " + MAX_PARTITION_COUNT + "]: " + partitionCount);
        }

        final boolean posix = directory.getFileSystem().supportedFileAttributeViews().contains("posix");
        final OffsetStore store = new OffsetStore(directory, groupName, partitionCount, posix);
        try
        {
            store.createDirectory();
            Files.deleteIfExists(store.tempFile);
            store.load();
        }
        catch (final IOException ex)
        {
            throw new GroupException(GroupException.Reason.IO_ERROR,
                "failed to open consumer-group offsets " + store.file + ": " + ex, store.file, ex);
        }

        return store;
    }

    /**
     * Reads a group's committed offsets without creating or deleting anything (for tools beside a
     * live process): every partition's committed offset, {@link OffsetFileDescriptor#NULL_OFFSET}
     * where none is committed.
     *
     * @param directory      holding the groups' offsets files.
     * @param groupName      of the group.
     * @param partitionCount of the topic.
     * @return the committed offsets, one per partition.
     * @throws OffsetFileCorruptException if the file is not valid.
     */
    static long[] readCommitted(final Path directory, final String groupName, final int partitionCount)
    {
        validateGroupName(groupName);
        final OffsetStore store = new OffsetStore(
            directory, groupName, partitionCount, directory.getFileSystem().supportedFileAttributeViews().contains("posix"));
        try
        {
            store.load();
        }
        catch (final IOException ex)
        {
            throw new GroupException(GroupException.Reason.IO_ERROR,
                "failed to read consumer-group offsets " + store.file + ": " + ex, store.file, ex);
        }
        return store.committedOffsets.clone();
    }

    /**
     * Check a group name is usable as a file name on every platform: 1 to {@value #MAX_GROUP_NAME_LENGTH} characters
     * from {@code [A-Za-z0-9._-]}, not starting with '.'.
     *
     * @param groupName to check.
     * @throws GroupException with {@link GroupException.Reason#INVALID_ARGUMENT} naming the problem.
     */
    static void validateGroupName(final String groupName)
    {
        if (null == groupName || groupName.isEmpty())
        {
            throw new GroupException(GroupException.Reason.INVALID_ARGUMENT, "group name must not be null or empty");
        }

        if (groupName.length() > MAX_GROUP_NAME_LENGTH)
        {
            throw new GroupException(GroupException.Reason.INVALID_ARGUMENT,
                "group name longer than " + MAX_GROUP_NAME_LENGTH + " characters: '" + groupName + "'");
        }

        if (groupName.charAt(0) == '.')
        {
            throw new GroupException(GroupException.Reason.INVALID_ARGUMENT,
                "group name must not start with '.': '" + groupName + "'");
        }

        for (int i = 0, length = groupName.length(); i < length; i++)
        {
            final char c = groupName.charAt(i);
            final boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '-';
            if (!allowed)
            {
                throw new GroupException(GroupException.Reason.INVALID_ARGUMENT,
                    "group name may only contain letters, digits, '.', '_' and '-', found '" + c + "' at index " + i +
                    " in '" + groupName + "'");
            }
        }
    }

    /**
     * Path of the offsets file.
     *
     * @return path of the offsets file.
     */
    Path file()
    {
        return file;
    }

    /**
     * Number of partitions the store holds offsets for.
     *
     * @return number of partitions the store holds offsets for.
     */
    int partitionCount()
    {
        return partitionCount;
    }

    /**
     * Generation last stored, or loaded on open.
     *
     * @return generation last stored.
     */
    long generation()
    {
        return generation;
    }

    /**
     * Committed offset of a partition as last stored.
     *
     * @param partition whose committed offset is wanted.
     * @return committed offset, or {@link OffsetFileDescriptor#NULL_OFFSET} when none has been committed.
     */
    long committedOffset(final int partition)
    {
        return committedOffsets[partition];
    }

    /**
     * Durably replace the file's contents. When this returns, the new offsets survive power loss and the in-memory
     * view reflects them; when it throws, the in-memory view is unchanged and the file holds either the old or the
     * new contents (a later successful store supersedes both).
     *
     * @param generation       of the group to record.
     * @param committedOffsets indexed by partition, {@link OffsetFileDescriptor#NULL_OFFSET} for none; copied.
     * @throws GroupException with {@link GroupException.Reason#IO_ERROR} if writing or forcing fails.
     */
    void store(final long generation, final long[] committedOffsets)
    {
        encode(generation, committedOffsets);
        try
        {
            writeTempFile();
            move();
            forceDirectory(directory);
        }
        catch (final IOException ex)
        {
            throw new GroupException(GroupException.Reason.IO_ERROR,
                "failed to store consumer-group offsets " + file + ": " + ex, file, ex);
        }

        this.generation = generation;
        System.arraycopy(committedOffsets, 0, this.committedOffsets, 0, partitionCount);
    }

    private void encode(final long generation, final long[] offsets)
    {
        buffer.putInt(MAGIC_OFFSET, MAGIC, BYTE_ORDER);
        buffer.putInt(VERSION_OFFSET, VERSION, BYTE_ORDER);
        buffer.putInt(PARTITION_COUNT_OFFSET, partitionCount, BYTE_ORDER);
        buffer.putInt(RESERVED_OFFSET, 0, BYTE_ORDER);
        buffer.putLong(GENERATION_OFFSET, generation, BYTE_ORDER);
        for (int p = 0; p < partitionCount; p++)
        {
            buffer.putLong(committedOffsetOffset(p), offsets[p], BYTE_ORDER);
        }

        final int checksumOffset = checksumOffset(partitionCount);
        buffer.putInt(checksumOffset, checksum(checksumOffset), BYTE_ORDER);
    }

    private int checksum(final int length)
    {
        crc.reset();
        byteBuffer.clear().limit(length);
        crc.update(byteBuffer);
        byteBuffer.clear();
        return (int)crc.getValue();
    }

    private void writeTempFile() throws IOException
    {
        // A leftover from a failed write may exist; CREATE_NEW then guarantees the file gets our permissions.
        Files.deleteIfExists(tempFile);
        try (FileChannel channel = posix ?
            FileChannel.open(tempFile, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(FILE_PERMISSIONS)) :
            FileChannel.open(tempFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            byteBuffer.clear();
            while (byteBuffer.hasRemaining())
            {
                channel.write(byteBuffer);
            }
            StorageFaults.check(StorageFaults.Operation.FORCE, tempFile);
            channel.force(true);
        }
    }

    private void move() throws IOException
    {
        try
        {
            StorageFaults.check(StorageFaults.Operation.RENAME, file);
            Files.move(tempFile, file, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final AtomicMoveNotSupportedException ex)
        {
            throw new IOException("file system does not support atomic rename, offsets cannot be stored safely", ex);
        }
    }

    private void createDirectory() throws IOException
    {
        if (Files.isDirectory(directory))
        {
            if (posix)
            {
                // Same secure default as the journal's own directories: refuse one others could write into.
                JournalFiles.checkNotWritableByOthers(directory);
            }
            return;
        }

        if (posix)
        {
            final FileAttribute<Set<PosixFilePermission>> attribute =
                PosixFilePermissions.asFileAttribute(DIRECTORY_PERMISSIONS);
            Files.createDirectories(directory, attribute);
        }
        else
        {
            Files.createDirectories(directory);
        }

        // The new directory entry must itself be durable before a file in it can be.
        final Path parent = directory.toAbsolutePath().getParent();
        if (null != parent)
        {
            forceDirectory(parent);
        }
    }

    private void load() throws IOException
    {
        final long length;
        try
        {
            length = Files.size(file);
        }
        catch (final NoSuchFileException ignore)
        {
            return;
        }

        final int expectedLength = fileLength(partitionCount);
        if (length < HEADER_LENGTH)
        {
            throw corrupt(Defect.BAD_LENGTH,
                "length " + length + " is shorter than the " + HEADER_LENGTH + "-byte header");
        }

        final int readLength = (int)Math.min(length, expectedLength);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            byteBuffer.clear().limit(readLength);
            while (byteBuffer.hasRemaining())
            {
                if (channel.read(byteBuffer) < 0)
                {
                    throw corrupt(Defect.BAD_LENGTH, "file shrank while being read");
                }
            }
            byteBuffer.clear();
        }

        verifyHeader(length, expectedLength);
        decode();
    }

    private void verifyHeader(final long length, final int expectedLength)
    {
        final int magic = buffer.getInt(MAGIC_OFFSET, BYTE_ORDER);
        if (magic != MAGIC)
        {
            throw corrupt(Defect.BAD_MAGIC,
                "expected magic 0x" + Integer.toHexString(MAGIC) + " found 0x" + Integer.toHexString(magic));
        }

        final int version = buffer.getInt(VERSION_OFFSET, BYTE_ORDER);
        if (version != VERSION)
        {
            throw corrupt(Defect.UNSUPPORTED_VERSION, "expected version " + VERSION + " found " + version);
        }

        final int storedCount = buffer.getInt(PARTITION_COUNT_OFFSET, BYTE_ORDER);
        if (storedCount != partitionCount)
        {
            throw corrupt(Defect.PARTITION_COUNT_MISMATCH,
                "topic has " + partitionCount + " partitions but the file holds " + storedCount);
        }

        if (length != expectedLength)
        {
            throw corrupt(Defect.BAD_LENGTH,
                "expected " + expectedLength + " bytes for " + partitionCount + " partitions, found " + length);
        }

        final int checksumOffset = checksumOffset(partitionCount);
        final int storedChecksum = buffer.getInt(checksumOffset, BYTE_ORDER);
        final int computedChecksum = checksum(checksumOffset);
        if (storedChecksum != computedChecksum)
        {
            throw corrupt(Defect.CHECKSUM_MISMATCH,
                "stored CRC32C 0x" + Integer.toHexString(storedChecksum) + " but contents give 0x" +
                Integer.toHexString(computedChecksum));
        }
    }

    private void decode()
    {
        final long storedGeneration = buffer.getLong(GENERATION_OFFSET, BYTE_ORDER);
        if (storedGeneration < 0)
        {
            throw corrupt(Defect.BAD_FIELD, "negative generation " + storedGeneration);
        }

        for (int p = 0; p < partitionCount; p++)
        {
            final long offset = buffer.getLong(committedOffsetOffset(p), BYTE_ORDER);
            if (offset < NULL_OFFSET)
            {
                throw corrupt(Defect.BAD_FIELD, "partition " + p + " has committed offset " + offset);
            }
            committedOffsets[p] = offset;
        }
        generation = storedGeneration;
    }

    private OffsetFileCorruptException corrupt(final Defect defect, final String detail)
    {
        return new OffsetFileCorruptException(file, defect, detail);
    }

    /**
     * Force a directory so renames and creations within it are durable.
     *
     * @param directory to force.
     * @throws IOException if opening or forcing fails.
     */
    static void forceDirectory(final Path directory) throws IOException
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            StorageFaults.check(StorageFaults.Operation.FSYNC_DIRECTORY, directory);
            channel.force(true);
        }
    }
}
