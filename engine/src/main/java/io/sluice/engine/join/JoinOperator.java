package io.sluice.engine.join;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * What every join operator of a partition exposes: state size, counters and snapshot/restore.
 * <p>
 * <b>Threading:</b> single writer; every method is called from the partition's thread. Counter
 * getters are plain reads for that thread; publishing them to other threads (counters file, JMX)
 * is the pipeline's job.
 */
public interface JoinOperator
{
    /**
     * Entries of state held now: buffered stream records for interval joins, table rows (or
     * versions) for table joins.
     *
     * @return the number of state entries.
     */
    int stateEntries();

    /**
     * Bytes of record or value payload held now, excluding index overhead.
     *
     * @return the payload bytes of the state.
     */
    long stateBytes();

    /**
     * Rows emitted with both sides present.
     *
     * @return the count of matches.
     */
    long matches();

    /**
     * Null-padded rows emitted for rows without a partner (not counting tombstones).
     *
     * @return the count of unmatched rows emitted.
     */
    long unmatchedEmitted();

    /**
     * Events sent to the late side output.
     *
     * @return the count of late events, 0 for operators without event time.
     */
    long lateEvents();

    /**
     * Upper bound of the bytes {@link #snapshotTo(MutableDirectBuffer, int)} would write now.
     *
     * @return the snapshot length in bytes.
     */
    int snapshotLength();

    /**
     * Write all operator state into a buffer; the layout is drawn in the implementation's javadoc.
     *
     * @param buffer to write into, with at least {@link #snapshotLength()} bytes from offset.
     * @param offset in the buffer at which to start.
     * @return the number of bytes written.
     */
    int snapshotTo(MutableDirectBuffer buffer, int offset);

    /**
     * Starts a snapshot of the state as it is now (a checkpoint barrier) whose bulk may be written
     * later: what is not written yet follows in {@link #continueSnapshot} slices, and the operator
     * copies any row it is about to change or drop before doing so, so the finished snapshot holds
     * exactly the state at this call (rows possibly in another order than {@link #snapshotTo} writes
     * them, which restoring does not depend on). The buffer must stay untouched by others until the
     * snapshot is complete. By default the whole snapshot is written at once.
     *
     * @param buffer to write into, with at least {@link #snapshotLength()} bytes from offset.
     * @param offset in the buffer at which to start.
     * @return the number of bytes the complete snapshot takes.
     */
    default int beginSnapshot(final MutableDirectBuffer buffer, final int offset)
    {
        return snapshotTo(buffer, offset);
    }

    /**
     * Writes the next part of the snapshot {@link #beginSnapshot begun} at the last barrier, a bounded
     * amount of work.
     *
     * @param budget rows of state to look at, at least 1; {@link Integer#MAX_VALUE} for all.
     * @return true once the snapshot is complete (also when none is in progress).
     */
    default boolean continueSnapshot(final int budget)
    {
        return true;
    }

    /**
     * Replace all state with a snapshot written by an operator of identical configuration.
     * Continuing after a restore emits exactly what the snapshotted operator would have emitted.
     *
     * @param buffer to read from.
     * @param offset in the buffer at which the snapshot starts.
     * @return the number of bytes read.
     * @throws IllegalStateException if the snapshot was written by a differently configured operator.
     */
    int restoreFrom(DirectBuffer buffer, int offset);
}
