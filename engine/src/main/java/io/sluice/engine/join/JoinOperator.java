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
