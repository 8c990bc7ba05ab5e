package io.sluice.engine.checkpoint;

/**
 * Crash injection for the checkpoint protocol's tests: when the JVM runs with
 * {@code -Dsluice.test.killPoint=NAME}, reaching that step halts the process at once, like a
 * SIGKILL (no shutdown hooks, no finally blocks). Otherwise a check costs one comparison against a
 * static final null that the JIT removes.
 */
final class KillPoints
{
    /** After the state file is written and closed, before it is forced. */
    static final String AFTER_STATE_WRITE = "after-state-write";
    /** After the state file is forced. */
    static final String AFTER_STATE_FORCE = "after-state-force";
    /** After the manifest's temp file is written and forced, before the rename. */
    static final String AFTER_MANIFEST_WRITE = "after-manifest-write";
    /** After the rename, before the directory fsync. */
    static final String AFTER_RENAME = "after-rename";
    /** After the directory fsync, before older checkpoints are pruned. */
    static final String AFTER_DIRECTORY_FSYNC = "after-directory-fsync";

    private static final String ACTIVE = System.getProperty("sluice.test.killPoint");

    private KillPoints()
    {
    }

    static void reach(final String point)
    {
        if (ACTIVE != null && ACTIVE.equals(point))
        {
            Runtime.getRuntime().halt(137);
        }
    }
}
