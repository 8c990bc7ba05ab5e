package io.sluice.engine.config;

/**
 * A declared window stage. Times are milliseconds.
 *
 * @param kind            tumbling, sliding, hopping or session.
 * @param size            of aligned windows, 0 for sessions.
 * @param hop             between aligned window starts (equal to size for tumbling), 0 for sessions.
 * @param gap             of inactivity that closes a session, 0 for aligned windows.
 * @param offset          of aligned window starts from the epoch.
 * @param allowedLateness after a window fires during which late events update it.
 * @param early           whether early (on-update) results are emitted before a window fires.
 * @param firingSlice     results emitted per event at most while closed windows fire (YAML
 *                        {@code firing_slice}, a positive integer or {@code unbounded}).
 * @param firingPace      results per millisecond of event time a firing is paced at (YAML {@code firing_pace}, a
 *                        positive integer or {@code unbounded}, the default: not paced).
 * @param expectedEntries (key, pane) rows or sessions the state is sized for at start (YAML
 *                        {@code expected_entries}); it grows beyond, at the cost of a rehash.
 */
public record WindowDefinition(
    String kind, long size, long hop, long gap, long offset, long allowedLateness, boolean early, int firingSlice,
    int firingPace, int expectedEntries)
{
    /** Entries a window's state is sized for when {@code expected_entries} is not set. */
    public static final int DEFAULT_EXPECTED_ENTRIES = 1024;
    /** Largest {@code expected_entries} accepted: beyond, the state is better left to grow. */
    public static final int MAX_EXPECTED_ENTRIES = 1 << 24;

    /**
     * Whether the window can emit results other than FINAL ones (updates or early results), so the
     * result flags are worth writing out.
     *
     * @return true with allowed lateness or early results.
     */
    public boolean emitsNonFinal()
    {
        return allowedLateness > 0 || early;
    }
}
