package io.sluice.ops.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Ownership, placement, space and permissions of an embedded media driver's directory. Aeron's
 * driver deletes its directory, recursively, when it starts and when it stops; so Sluice hands it
 * only a directory it can prove is a media driver directory of its own:
 *
 * <ul>
 *   <li>the directory does not exist, or is empty; or</li>
 *   <li>it holds the marker file {@value #MARKER} Sluice writes into every directory its driver
 *       creates, and nothing but Aeron's own files ({@code cnc.dat}, {@code loss-report.dat},
 *       {@code publications/}, {@code images/}); or</li>
 *   <li>it is the default {@code <data_dir>/aeron} and holds nothing but Aeron's own files (a directory
 *       of an older Sluice, which wrote no marker).</li>
 * </ul>
 *
 * It must not overlap the data directory: not the data directory itself, not a directory that
 * contains it, and, other than the default {@code <data_dir>/aeron}, nothing inside it. Anything
 * else is refused with the reason, at {@code run --check} and again at start.
 *
 * <p>After the driver has started, the directory is made private ({@code 0700}, its files
 * {@code 0600}): events in term buffers are readable by nobody else. Files the driver creates
 * later (term buffers of new sessions) get the process umask, inside the private directory.
 *
 * <p>Threading: the daemon's control thread.
 */
final class AeronDirectory
{
    /** The marker file Sluice writes into a media driver directory it created. */
    static final String MARKER = "sluice-aeron.marker";

    /** Name of the default Aeron directory inside the data directory. */
    static final String DEFAULT_NAME = "aeron";

    private static final Set<String> AERON_FILES = Set.of("cnc.dat", "loss-report.dat", "publications", "images", MARKER);

    private AeronDirectory()
    {
    }

    /**
     * The Aeron directory of a component: its {@code aeron_dir} or the default inside the data directory.
     *
     * @param configured    the {@code aeron_dir} setting, or null.
     * @param dataDirectory of the daemon.
     * @return the absolute, normalised directory.
     */
    static Path resolve(final Path configured, final Path dataDirectory)
    {
        final Path data = dataDirectory.toAbsolutePath().normalize();
        return configured != null ? configured.toAbsolutePath().normalize() : data.resolve(DEFAULT_NAME);
    }

    /**
     * Why a directory must not be given to an embedded media driver, or null when it may.
     *
     * @param aeronDir      the driver's directory, absolute.
     * @param dataDirectory of the daemon.
     * @return the reason, or null.
     */
    static String problem(final Path aeronDir, final Path dataDirectory)
    {
        final Path data = dataDirectory.toAbsolutePath().normalize();
        final Path dir = aeronDir.toAbsolutePath().normalize();
        final boolean isDefault = dir.equals(data.resolve(DEFAULT_NAME));
        if (data.startsWith(dir))
        {
            return dir + " is or contains the data directory " + data +
                ", and the media driver deletes its directory: choose a directory of its own";
        }
        if (dir.startsWith(data) && !isDefault)
        {
            return dir + " is inside the data directory " + data + " (only the default " + data.resolve(DEFAULT_NAME) +
                " may be), and the media driver deletes its directory: choose a directory of its own";
        }
        if (Files.isSymbolicLink(dir))
        {
            return dir + " is a symbolic link: the media driver deletes its directory, so name the real directory";
        }
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS))
        {
            return null;
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS))
        {
            return dir + " exists and is not a directory";
        }
        final String[] names = listNames(dir);
        if (names.length == 0)
        {
            return null;
        }
        for (final String name : names)
        {
            if (!AERON_FILES.contains(name))
            {
                return dir + " is not empty and is not a media driver directory Sluice created (it holds '" + name +
                    "'), and the media driver deletes its directory: choose a new or empty directory";
            }
        }
        if (!isDefault && !Files.isRegularFile(dir.resolve(MARKER), LinkOption.NOFOLLOW_LINKS))
        {
            return dir + " holds Aeron files but no " + MARKER + ": it is not a media driver directory Sluice created, and " +
                "the media driver deletes its directory; choose a new or empty directory (or remove this one if it is unused)";
        }
        return null;
    }

    /**
     * Refuses to start a driver when there is not enough free space for the files it maps at once:
     * its command-and-control file, loss report and, per stream, a term buffer set. Mapped files on
     * a full file system fail with SIGBUS on first touch, not with an error.
     *
     * @param dir      the driver's directory.
     * @param required bytes needed.
     * @throws IllegalStateException naming the space needed and available.
     */
    static void checkFreeSpace(final Path dir, final long required)
    {
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.exists(existing))
        {
            existing = existing.getParent();
        }
        if (existing == null)
        {
            return;
        }
        try
        {
            final FileStore store = Files.getFileStore(existing);
            final long usable = store.getUsableSpace();
            if (usable < required)
            {
                throw new IllegalStateException("not enough free space for the media driver in " + dir + ": it needs " + required +
                    " bytes, " + usable + " are free on " + store);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the free space of " + existing, ex);
        }
    }

    /**
     * Marks a directory the driver has just created as Sluice's, and makes it and its files private.
     *
     * @param dir the driver's directory.
     */
    static void claim(final Path dir)
    {
        try
        {
            final Path marker = dir.resolve(MARKER);
            if (!Files.exists(marker))
            {
                Files.writeString(marker, "media driver directory of the Sluice daemon, pid " + ProcessHandle.current().pid() + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            }
            try (Stream<Path> files = Files.walk(dir))
            {
                for (final Path file : (Iterable<Path>)files::iterator)
                {
                    try
                    {
                        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(
                            Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS) ? "rwx------" : "rw-------"));
                    }
                    catch (final java.nio.file.NoSuchFileException ex)
                    {
                        // The driver removed a term buffer meanwhile: nothing left to protect.
                    }
                }
            }
        }
        catch (final IOException | UncheckedIOException ex)
        {
            throw new IllegalStateException("cannot make the media driver directory " + dir + " private: " + ex.getMessage(), ex);
        }
    }

    private static String[] listNames(final Path dir)
    {
        try (Stream<Path> list = Files.list(dir))
        {
            return list.map(p -> p.getFileName().toString()).toArray(String[]::new);
        }
        catch (final IOException ex)
        {
            return new String[] {"<unreadable: " + ex.getMessage() + ">"};
        }
    }
}
