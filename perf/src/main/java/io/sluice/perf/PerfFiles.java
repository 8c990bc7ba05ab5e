package io.sluice.perf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Scratch directories for benchmarks. They live under {@code -Dsluice.perf.dir} (default
 * {@code java.io.tmpdir}, which on these machines is the same ext4 volume as the project), so the
 * journal and the raw baseline always write to the same file system.
 *
 * <p>Threading: set-up and tear-down threads only, never a measured loop.
 */
final class PerfFiles
{
    /** System property naming the parent of every benchmark scratch directory. */
    static final String DIR_PROPERTY = "sluice.perf.dir";

    private PerfFiles()
    {
    }

    /**
     * Creates a fresh, empty scratch directory.
     *
     * @param prefix naming what the directory holds.
     * @return the new directory.
     */
    static Path newDirectory(final String prefix)
    {
        try
        {
            final Path parent = Paths.get(System.getProperty(DIR_PROPERTY, System.getProperty("java.io.tmpdir")));
            Files.createDirectories(parent);
            return Files.createTempDirectory(parent, "sluice-perf-" + prefix + "-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Deletes a directory and everything below it; a no-op for null or a missing directory.
     *
     * @param directory to delete.
     */
    static void deleteRecursively(final Path directory)
    {
        if (directory == null || !Files.exists(directory))
        {
            return;
        }
        try (Stream<Path> walk = Files.walk(directory))
        {
            for (final Path path : walk.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Waits while the journal's background allocator is writing the partition's next spare segment,
     * so that its zero-fill does not overlap the start of a measurement. The journal asks for a spare
     * only once the tail segment is half full, so right after opening there is usually none, and
     * nothing to wait for.
     *
     * @param partitionDirectory of the partition.
     * @param segmentLength      the spare's expected size.
     */
    static void awaitSpareSegment(final Path partitionDirectory, final long segmentLength)
    {
        final Path spare = partitionDirectory.resolve("next.spare.log");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try
        {
            while (Files.exists(spare) && Files.size(spare) != segmentLength)
            {
                if (System.nanoTime() > deadline)
                {
                    throw new IllegalStateException("spare segment " + spare + " not allocated within 60 s");
                }
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
            }
            if (Files.exists(spare))
            {
                // Flush the zero-fill's write-back now rather than during the measurement.
                try (FileChannel channel = FileChannel.open(spare, StandardOpenOption.READ))
                {
                    channel.force(true);
                }
            }
        }
        catch (final IOException ex)
        {
            // The allocator may be renaming the file right now: treat as not ready and let the caller go on.
        }
    }

    /**
     * How a report path is printed: relative to the working directory (the repository root when the
     * mains are started as documented) when it lies below it, so printed paths can be committed and
     * read on any machine as they are; else as given.
     *
     * @param path of a report file or directory.
     * @return the path to print.
     */
    static Path shown(final Path path)
    {
        final Path cwd = Path.of("").toAbsolutePath().normalize();
        final Path absolute = path.toAbsolutePath().normalize();
        return absolute.startsWith(cwd) && !absolute.equals(cwd) ? cwd.relativize(absolute) : path.normalize();
    }
}
