package io.sluice.journal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The seam where the journal asks the operating system for something that can fail for lack of space
 * or an I/O error: forcing data to the device, allocating file blocks, renaming files into place,
 * fsyncing directories and writing staged records. Every such call site in the journal calls {@link #check} first, so a test can
 * make any of them fail as the disk would (an {@link IOException} such as "No space left on device")
 * and observe that the failure is visible and loses nothing acknowledged.
 *
 * <p>No hook is installed in production: each check is then one volatile read next to a system call.
 * Hooks are process-wide; tests that install one must clear it when done.
 */
public final class StorageFaults
{
    /**
     * The kinds of storage operation that can fail.
     */
    public enum Operation
    {
        /** Forcing written bytes of a file (a mapped segment or index, or a file written whole) to the device. */
        FORCE,
        /** Allocating real blocks for a file (a spare segment, an index, a re-extended tail). */
        ALLOCATE,
        /** Renaming a file into place (a spare becoming a segment, an atomically written file). */
        RENAME,
        /** Forcing a directory's entries (creations, renames, deletions) to the device. */
        FSYNC_DIRECTORY,
        /** Writing a writer's staged records into its segment file ({@link JournalContext#stagedWrites}). */
        WRITE
    }

    /**
     * Called before each storage operation; throws to make it fail.
     */
    @FunctionalInterface
    public interface Hook
    {
        /**
         * Decides whether the operation fails.
         *
         * @param operation about to be performed.
         * @param file      it applies to.
         * @throws IOException to make the operation fail with it.
         */
        void before(Operation operation, Path file) throws IOException;
    }

    private static volatile Hook hook;

    private StorageFaults()
    {
    }

    /**
     * Installs a hook consulted before every storage operation of the journal, replacing any other.
     *
     * @param newHook to install.
     */
    public static void install(final Hook newHook)
    {
        hook = newHook;
    }

    /**
     * Removes the hook: storage operations are no longer checked.
     */
    public static void clear()
    {
        hook = null;
    }

    /**
     * Consults the installed hook, if any.
     *
     * @param operation about to be performed.
     * @param file      it applies to.
     * @throws IOException when the hook makes the operation fail.
     */
    static void check(final Operation operation, final Path file) throws IOException
    {
        final Hook current = hook; // volatile: tests install hooks from another thread
        if (current != null)
        {
            current.before(operation, file);
        }
    }
}
