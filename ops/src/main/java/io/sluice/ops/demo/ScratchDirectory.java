package io.sluice.ops.demo;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Consumer;

/**
 * The data directory of a demo or load run: the one the user gave, kept afterwards, or a new
 * temporary one that is deleted with everything in it when the run ends, however it ends. A temporary
 * one may be asked for in memory ({@link #memoryBackedParent(long)}): a scratch journal on a disk's file
 * system is written back by the kernel's flusher, every dirty page of a file at once, 30 s after the file
 * was first dirtied, on whichever cpu its worker gets (perf/README.md sections 125 and 130), for data that
 * is deleted when the run ends.
 *
 * <p>Threading: used by a command's thread only.
 */
final class ScratchDirectory
{
    /** Linux's shared-memory file system, a {@code tmpfs} on every distribution. */
    static final String SHARED_MEMORY = "/dev/shm";
    /** The type name Java reports for a memory-backed Linux file system ({@link FileStore#type()}). */
    static final String TMPFS = "tmpfs";

    private ScratchDirectory()
    {
    }

    /**
     * Runs a body in a data directory.
     *
     * @param given  directory of the user's, or null for a temporary one.
     * @param prefix of the temporary directory's name.
     * @param body   run with the directory.
     * @throws IOException if the temporary directory cannot be created or deleted.
     */
    static void use(final Path given, final String prefix, final Consumer<Path> body) throws IOException
    {
        use(given, null, prefix, body);
    }

    /**
     * Runs a body in a data directory.
     *
     * @param given  directory of the user's, or null for a temporary one.
     * @param parent of the temporary directory, or null for the JVM's temporary directory ({@code java.io.tmpdir}).
     * @param prefix of the temporary directory's name.
     * @param body   run with the directory.
     * @throws IOException if the temporary directory cannot be created or deleted.
     */
    static void use(final Path given, final Path parent, final String prefix, final Consumer<Path> body) throws IOException
    {
        final boolean temporary = null == given;
        final Path directory = !temporary ? given :
            null == parent ? Files.createTempDirectory(prefix) : Files.createTempDirectory(parent, prefix);
        try
        {
            body.accept(directory);
        }
        finally
        {
            if (temporary)
            {
                deleteRecursively(directory);
            }
        }
    }

    /**
     * A memory-backed file system to put a temporary data directory in: {@code /dev/shm} where it is a {@code tmpfs} (as on
     * every Linux distribution) with at least the bytes asked for usable, else null.
     *
     * @param bytesNeeded the run may write there at most.
     * @return the directory, or null where there is none or it has too little room.
     */
    static Path memoryBackedParent(final long bytesNeeded)
    {
        return memoryBackedParent(Paths.get(SHARED_MEMORY), bytesNeeded);
    }

    static Path memoryBackedParent(final Path candidate, final long bytesNeeded)
    {
        try
        {
            if (!Files.isDirectory(candidate) || !Files.isWritable(candidate))
            {
                return null;
            }
            final FileStore store = Files.getFileStore(candidate);
            return TMPFS.equals(store.type()) && store.getUsableSpace() >= bytesNeeded ? candidate : null;
        }
        catch (final IOException | SecurityException ex)
        {
            return null;
        }
    }

    private static void deleteRecursively(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>()
        {
            @Override
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException
            {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(final Path directory, final IOException ex) throws IOException
            {
                if (null != ex)
                {
                    throw ex;
                }
                Files.delete(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
