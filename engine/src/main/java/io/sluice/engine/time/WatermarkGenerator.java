package io.sluice.engine.time;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Tracks the watermark of one partition: the event time up to which the partition claims to be
 * complete. A window {@code [start, end)} may fire once {@code watermark() >= end - 1}.
 * <p>
 * The watermark never moves backwards. Before anything is observed it is {@link #NO_WATERMARK}.
 * <p>
 * <b>Threading:</b> single writer. One instance belongs to one partition pipeline thread; no
 * method may be called concurrently.
 */
public interface WatermarkGenerator
{
    /**
     * Watermark value before any event or signal has been observed.
     */
    long NO_WATERMARK = Long.MIN_VALUE;

    /**
     * Watermark value after the end of a bounded input: every window fires.
     */
    long END_OF_TIME = Long.MAX_VALUE;

    /**
     * The time of a continuation tick: a journaled tick that carries no time and only lets operators
     * emit the next slice of results left pending (a window firing, an interval join's eviction). The
     * partition thread journals one behind a tick that left results pending, so the rest follows slice
     * by slice without waiting for an event; a generator ignores it.
     */
    long CONTINUATION = Long.MIN_VALUE;

    /**
     * Observe the event time of an event after the event has been processed.
     *
     * @param eventTime of the event just processed.
     * @return the watermark after observing the event.
     */
    long onEvent(long eventTime);

    /**
     * Observe a processing-time tick. The timestamp must come from the journal (or another
     * replayable source), never from a clock read here, so a replay reproduces the same
     * watermarks. Implementations use it for idle-partition detection or processing-time mode, and
     * leave the watermark unchanged for {@link #CONTINUATION}.
     *
     * @param processingTime journaled processing timestamp of the tick, non-decreasing, or
     *                       {@link #CONTINUATION}.
     * @return the watermark after the tick.
     */
    long onProcessingTime(long processingTime);

    /**
     * Explicitly advance the watermark, for instance when the caller knows the partition is idle
     * or a source has emitted a watermark of its own. Values below the current watermark are
     * ignored.
     *
     * @param watermark to advance to.
     * @return the watermark after the advance.
     */
    long advanceTo(long watermark);

    /**
     * Signal the end of a bounded input: the watermark moves to {@link #END_OF_TIME}.
     *
     * @return {@link #END_OF_TIME}.
     */
    long endOfInput();

    /**
     * The current watermark.
     *
     * @return the current watermark, or {@link #NO_WATERMARK} if none yet.
     */
    long watermark();

    /**
     * Number of bytes {@link #snapshotTo(MutableDirectBuffer, int)} writes.
     *
     * @return the length of the snapshot in bytes.
     */
    int snapshotLength();

    /**
     * Write the complete state of this generator into a buffer.
     *
     * @param buffer to write into.
     * @param offset in the buffer at which to start.
     * @return the number of bytes written.
     */
    int snapshotTo(MutableDirectBuffer buffer, int offset);

    /**
     * Replace the state of this generator with one previously written by
     * {@link #snapshotTo(MutableDirectBuffer, int)} of a generator with the same configuration.
     *
     * @param buffer to read from.
     * @param offset in the buffer at which the snapshot starts.
     * @return the number of bytes read.
     */
    int restoreFrom(DirectBuffer buffer, int offset);
}
