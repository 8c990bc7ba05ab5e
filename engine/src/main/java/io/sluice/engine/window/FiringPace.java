package io.sluice.engine.window;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static io.sluice.engine.window.WindowSnapshotRows.ORDER;

/**
 * How many results a firing in progress emits per event when it is paced by event time: about {@code pace}
 * results per unit of event time (a millisecond in the engine's configuration), shared out over the events of
 * that unit, and never more than the firing slice. The events' density is read from their own timestamps: each
 * time the highest event time seen moves on, the events that carried the previous one, over the time it moved,
 * give the events per unit, so the slice is {@code ceil(pace * span / events)} within {@code [1, firingSlice]}.
 * At a million events a second in milliseconds (1,000 per unit) a pace of 1,000 emits one result per event; at
 * 100,000 a second, ten; at 10,000 a second the firing slice caps it. A window's results then follow its close
 * over {@code results / pace} units of event time instead of arriving in slices that, when events are dense,
 * queue every event behind them.
 * <p>
 * The slice is a function of the processed sequence alone (the timestamps in their order), so replays and
 * backtests emit the same results from the same events; a snapshot holds the three fields below, so a restored
 * operator goes on with the same slices. Until the highest event time has moved once, the slice is the firing
 * slice. Threading: single writer, the partition thread.
 * <p>
 * Snapshot layout (little endian), {@link #LENGTH} bytes:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |               Highest Event Time Seen (64 bits)               |
 *  +---------------------------------------------------------------+
 *  |                 Events Since It Was Reached                   |
 *  +---------------------------------------------------------------+
 *  |                        Current Slice                          |
 *  +---------------------------------------------------------------+
 * </pre>
 */
final class FiringPace
{
    /** A pace that leaves the firing slice alone: every event emits up to the firing slice. */
    static final int UNPACED = Integer.MAX_VALUE;
    static final int LATEST_OFFSET = 0;
    static final int EVENTS_OFFSET = 8;
    static final int SLICE_OFFSET = 12;
    static final int LENGTH = 16;
    /** Longest span of event time counted: keeps {@code pace * span} within a long. */
    private static final long MAX_SPAN = Integer.MAX_VALUE;

    private final int pace;
    private final int firingSlice;
    private long latest = Long.MIN_VALUE;
    private int eventsAtLatest;
    private int slice;

    /**
     * @param pace        results per unit of event time, at least 1, or {@link #UNPACED}.
     * @param firingSlice results per event at most.
     */
    FiringPace(final int pace, final int firingSlice)
    {
        this.pace = pace;
        this.firingSlice = firingSlice;
        this.slice = firingSlice;
    }

    /**
     * Count an event, before the firing it may move on takes its slice.
     *
     * @param timestamp event time of the event.
     */
    void onEvent(final long timestamp)
    {
        if (pace == UNPACED)
        {
            return;
        }
        if (timestamp > latest)
        {
            if (latest != Long.MIN_VALUE)
            {
                slice = sliceFor(Math.min(MAX_SPAN, timestamp - latest), eventsAtLatest);
            }
            latest = timestamp;
            eventsAtLatest = 1;
        }
        else if (eventsAtLatest < Integer.MAX_VALUE)
        {
            eventsAtLatest++;
        }
    }

    private int sliceFor(final long span, final int events)
    {
        // span > 0 here (the time moved on); the events are at least the one that reached the previous time.
        final long perEvent = (pace * span + events - 1) / events;
        return (int)Math.max(1, Math.min(firingSlice, perEvent));
    }

    /**
     * @return results the current event emits at most.
     */
    int slice()
    {
        return slice;
    }

    /**
     * Write the pace's state.
     *
     * @param buffer to write to.
     * @param offset of the first byte.
     */
    void snapshotTo(final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putLong(offset + LATEST_OFFSET, latest, ORDER);
        buffer.putInt(offset + EVENTS_OFFSET, eventsAtLatest, ORDER);
        buffer.putInt(offset + SLICE_OFFSET, slice, ORDER);
    }

    /**
     * Read the state {@link #snapshotTo} wrote.
     *
     * @param buffer to read from.
     * @param offset of the first byte.
     */
    void restoreFrom(final DirectBuffer buffer, final int offset)
    {
        latest = buffer.getLong(offset + LATEST_OFFSET, ORDER);
        eventsAtLatest = buffer.getInt(offset + EVENTS_OFFSET, ORDER);
        final int restored = buffer.getInt(offset + SLICE_OFFSET, ORDER);
        if (restored < 1 || eventsAtLatest < 0)
        {
            throw new IllegalStateException("window snapshot: firing pace with slice " + restored + " and " +
                eventsAtLatest + " events");
        }
        // A snapshot of an operator with another firing slice or pace: the slice stays within this one's.
        slice = pace == UNPACED ? firingSlice : Math.min(firingSlice, restored);
    }

    /**
     * Forget the events seen, as for a snapshot that holds no pace.
     */
    void reset()
    {
        latest = Long.MIN_VALUE;
        eventsAtLatest = 0;
        slice = firingSlice;
    }
}
