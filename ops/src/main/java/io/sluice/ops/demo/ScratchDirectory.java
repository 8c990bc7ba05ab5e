package io.sluice.ops.demo;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Consumer;

/**
 * The data directory of a demo or load run: the one the user gave, kept afterwards, or a new
 * temporary one that is deleted with everything in it when the run ends, however it ends.
 *
 * <p>Threading: used by a command's thread only.
 */
final class ScratchDirectory
{
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
        final boolean temporary = null == given;
        final Path directory = temporary ? Files.createTempDirectory(prefix) : given;
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
