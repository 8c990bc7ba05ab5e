package io.sluice.engine.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Fault injection into the checkpoint store's file operations, for tests that prove a failed write
 * or rename is reported truthfully (the failed count rises, the last complete checkpoint stays the
 * one before, a final checkpoint is never claimed). The store calls {@link #before} ahead of each
 * step; an {@link IOException} thrown there fails the step exactly as the file system would.
 *
 * <p>Production code uses {@link #NONE}. A test of a whole process names a step in the system
 * property {@value #PROPERTY} instead ({@link #fromSystemProperty()}), like the crash points of
 * {@code KillPoints}. Threading: called on the checkpoint thread.
 */
@FunctionalInterface
public interface CheckpointFaults
{
    /** No faults. */
    CheckpointFaults NONE = (step, file) ->
    {
    };

    /** System property naming a {@link Step} that always fails, for tests of a whole process. */
    String PROPERTY = "sluice.test.checkpointFault";

    /**
     * The faults the system property {@value #PROPERTY} asks for: the named step always fails with
     * an {@link IOException}; {@link #NONE} when the property is not set.
     *
     * @return the faults.
     * @throws IllegalArgumentException if the property names no step.
     */
    static CheckpointFaults fromSystemProperty()
    {
        final String name = System.getProperty(PROPERTY);
        if (name == null || name.isEmpty())
        {
            return NONE;
        }
        final Step failing = Step.valueOf(name);
        return (step, file) ->
        {
            if (step == failing)
            {
                throw new IOException("injected fault (" + PROPERTY + "=" + name + ") at " + file);
            }
        };
    }

    /**
     * The file operations a checkpoint performs, in order.
     */
    enum Step
    {
        /** Writing a partition's state file. */
        STATE_WRITE,
        /** Writing and forcing the manifest's temporary file. */
        MANIFEST_WRITE,
        /** Renaming the temporary manifest into place, which completes the checkpoint. */
        MANIFEST_RENAME
    }

    /**
     * Called before a step; throws to make it fail.
     *
     * @param step about to run.
     * @param file the step writes or creates.
     * @throws IOException to fail the step.
     */
    void before(Step step, Path file) throws IOException;
}
