package io.sluice.cdc;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Live figures of a {@link CdcSource}. Written by the source thread only (single writer, ordered
 * stores), read from any thread: the daemon copies them into its counters file, which JMX, Prometheus
 * and {@code sluice stat} read. Rates (changes/s) are derived by readers from {@link #changes()}.
 */
public final class CdcMetrics
{
    private static final int CHANGES = 0;
    private static final int DUPLICATES = 1;
    private static final int ERRORS = 2;
    private static final int RECONNECTS = 3;
    private static final int SNAPSHOT_ROWS = 4;
    private static final int LAST_COMMIT_MILLIS = 5;
    private static final int LAST_COMMIT_LSN = 6;
    private static final int CONFIRMED_LSN = 7;
    private static final int LAG_MILLIS = 8;
    private static final int LAG_BYTES = 9;
    private static final int COUNT = 10;

    // One padded cache line per value is not needed: the writer is one cold-ish thread, the readers poll once a second.
    private final AtomicLongArray values = new AtomicLongArray(COUNT);

    CdcMetrics()
    {
        values.set(LAST_COMMIT_MILLIS, -1);
        values.set(LAG_BYTES, -1);
    }

    void change()
    {
        // Ordered store: the single writer publishes the new count without a full fence.
        values.lazySet(CHANGES, values.get(CHANGES) + 1);
    }

    void duplicate()
    {
        values.lazySet(DUPLICATES, values.get(DUPLICATES) + 1);
    }

    void error()
    {
        values.lazySet(ERRORS, values.get(ERRORS) + 1);
    }

    void reconnect()
    {
        values.lazySet(RECONNECTS, values.get(RECONNECTS) + 1);
    }

    void snapshotRows(final long rows)
    {
        values.lazySet(SNAPSHOT_ROWS, values.get(SNAPSHOT_ROWS) + rows);
    }

    void commit(final long commitMillis, final long endLsn)
    {
        values.lazySet(LAST_COMMIT_MILLIS, commitMillis);
        values.lazySet(LAST_COMMIT_LSN, endLsn);
    }

    void confirmed(final long lsn)
    {
        values.lazySet(CONFIRMED_LSN, lsn);
    }

    void pending(final long oldestCommitMillis, final long nowMillis)
    {
        values.lazySet(LAG_MILLIS, oldestCommitMillis < 0 ? 0 : Math.max(0, nowMillis - oldestCommitMillis));
    }

    void lagBytes(final long bytes)
    {
        values.lazySet(LAG_BYTES, bytes);
    }

    /**
     * Changes published (snapshot rows included), not counting those dropped as already journaled.
     *
     * @return the count.
     */
    public long changes()
    {
        return values.get(CHANGES);
    }

    /**
     * Changes PostgreSQL sent again after a restart or reconnect that were journaled already and dropped.
     *
     * @return the count.
     */
    public long duplicates()
    {
        return values.get(DUPLICATES);
    }

    /**
     * Errors that stopped the source (values that do not fit, schema changes, a dropped slot).
     *
     * @return the count.
     */
    public long errors()
    {
        return values.get(ERRORS);
    }

    /**
     * Connections lost and retried.
     *
     * @return the count.
     */
    public long reconnects()
    {
        return values.get(RECONNECTS);
    }

    /**
     * Rows loaded by the initial snapshot.
     *
     * @return the count.
     */
    public long snapshotRows()
    {
        return values.get(SNAPSHOT_ROWS);
    }

    /**
     * Commit time of the last transaction streamed.
     *
     * @return epoch milliseconds, -1 before the first.
     */
    public long lastCommitMillis()
    {
        return values.get(LAST_COMMIT_MILLIS);
    }

    /**
     * End LSN of the last transaction streamed.
     *
     * @return the LSN as a long, 0 before the first.
     */
    public long lastCommitLsn()
    {
        return values.get(LAST_COMMIT_LSN);
    }

    /**
     * The LSN last confirmed to the slot (covered by a completed checkpoint).
     *
     * @return the LSN as a long.
     */
    public long confirmedLsn()
    {
        return values.get(CONFIRMED_LSN);
    }

    /**
     * Slot lag in time: age of the oldest streamed transaction not yet confirmed.
     *
     * @return milliseconds, 0 when nothing is pending.
     */
    public long lagMillis()
    {
        return values.get(LAG_MILLIS);
    }

    /**
     * Slot lag in bytes: the server's current WAL position minus the slot's confirmed LSN, sampled about
     * once a second.
     *
     * @return bytes, -1 before the first sample.
     */
    public long lagBytes()
    {
        return values.get(LAG_BYTES);
    }
}
