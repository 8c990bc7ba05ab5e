package io.sluice.engine.window;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static io.sluice.engine.window.WindowSnapshotRows.ORDER;

/**
 * The header of an aligned window snapshot (tumbling, sliding, hopping), written and read alike by
 * {@link AlignedWindowOperator} and {@link DenseWindowOperator}: either restores the other's snapshots.
 * Layout (little endian), followed by the watermark generator's state and {@code rowCount} rows:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Magic 'SLWA'                           |
 *  +---------------------------------------------------------------+
 *  |                          Version                              |
 *  +---------------------------------------------------------------+
 *  |                        Size (64 bits)                         |
 *  +---------------------------------------------------------------+
 *  |                         Hop (64 bits)                         |
 *  +---------------------------------------------------------------+
 *  |                       Offset (64 bits)                        |
 *  +---------------------------------------------------------------+
 *  |                  Allowed Lateness (64 bits)                   |
 *  +---------------------------------------------------------------+
 *  |                   Stride (longs per row)                      |
 *  +---------------------------------------------------------------+
 *  |                         Row Count                             |
 *  +---------------------------------------------------------------+
 *  |                 Late Events Dropped (64 bits)                 |
 *  +---------------------------------------------------------------+
 *  |                  Unassigned Events (64 bits)                  |
 *  +---------------------------------------------------------------+
 *  |                   Windows Fired (64 bits)                     |
 *  +---------------------------------------------------------------+
 *  |                        Firing State                           |
 *  +---------------------------------------------------------------+
 *  |                          Reserved                             |
 *  +---------------------------------------------------------------+
 *  |                    Firing Window (64 bits)                    |
 *  +---------------------------------------------------------------+
 *  |                     Firing Due (64 bits)                      |
 *  +---------------------------------------------------------------+
 *  |                     Resume Key (64 bits)                      |
 *  +---------------------------------------------------------------+
 *  |        Firing Pace (16 bytes, see {@link FiringPace})        ...
 *  +---------------------------------------------------------------+
 *  |     Watermark generator state (its own snapshotLength())     ...
 *  +---------------------------------------------------------------+
 *  |                  Row: Key (64 bits)                           |
 *  +---------------------------------------------------------------+
 *  |                  Row: Pane Index (64 bits)                    |
 *  +---------------------------------------------------------------+
 *  |           Row: Aggregate State (Stride x 64 bits)            ...
 *  +---------------------------------------------------------------+
 * </pre>
 * Rows follow in no particular order (a checkpoint copies them incrementally, see {@link PaneSnapshot}), each
 * (key, pane) once. The firing fields record a firing that was half done when the snapshot was taken: state
 * {@link #IDLE} none, {@link #BETWEEN_WINDOWS} windows due from Firing Window to Firing Due (inclusive) with none
 * opened, {@link #IN_WINDOW} Firing Window open with no key done, {@link #IN_WINDOW_AFTER_KEY} Firing Window open
 * with every key up to Resume Key (signed order) done. A row's Pane Index is on the operator's pane grid
 * ({@link AlignedWindows}): for windows with gaps cut into one pane per window it is the window index (version 3
 * on). The Firing Pace (version 4) holds what paces the firing by event time. Version 3 snapshots (no pace: the
 * restored operator counts events afresh), version 2 ones (pane indices on the {@code gcd(size, hop)} grid
 * throughout) and version 1 ones (header of 72 bytes, no firing fields, gcd grid) are still read: into one pane per
 * window, each old row is merged into its window's row.
 */
final class AlignedSnapshotHeader
{
    static final int MAGIC = 0x41574C53;
    static final int VERSION = 4;
    /** Version 3: the same layout without the Firing Pace, its header ending at {@link #PACE_OFFSET}. */
    static final int VERSION_WITHOUT_PACE = 3;
    /**
     * Version 2: the same layout, with every row's pane index on the {@code gcd(size, hop)} grid, also for
     * windows with gaps that version 3 cuts into one pane per window ({@link AlignedWindows#onePanePerWindow}).
     */
    static final int VERSION_GCD_PANES = 2;
    /** Version 1 had no firing cursor either: its header ends at {@link #FIRING_STATE_OFFSET}. */
    static final int VERSION_WITHOUT_CURSOR = 1;
    static final int SIZE_OFFSET = 8;
    static final int HOP_OFFSET = 16;
    static final int OFFSET_OFFSET = 24;
    static final int LATENESS_OFFSET = 32;
    static final int STRIDE_OFFSET = 40;
    static final int ROW_COUNT_OFFSET = 44;
    static final int LATE_OFFSET = 48;
    static final int UNASSIGNED_OFFSET = 56;
    static final int FIRED_OFFSET = 64;
    static final int FIRING_STATE_OFFSET = 72;
    static final int FIRING_WINDOW_OFFSET = 80;
    static final int FIRING_DUE_OFFSET = 88;
    static final int RESUME_KEY_OFFSET = 96;
    static final int PACE_OFFSET = 104;
    static final int HEADER_LENGTH = PACE_OFFSET + FiringPace.LENGTH;

    /** Firing state: no window due. */
    static final int IDLE = 0;
    /** Firing state: windows due; the next one to look at is the firing window, not opened yet. */
    static final int BETWEEN_WINDOWS = 1;
    /** Firing state: the firing window is open, no key done (in an operator: keys before its position are done). */
    static final int IN_WINDOW = 2;
    /** Firing state, snapshot only: the firing window is open, keys up to and including the resume key are done. */
    static final int IN_WINDOW_AFTER_KEY = 3;

    private AlignedSnapshotHeader()
    {
    }

    /**
     * Writes the header up to the watermark generator's state.
     *
     * @param buffer       to write into.
     * @param offset       at which the snapshot starts.
     * @param windows      of the operator.
     * @param stride       longs of aggregate state per row.
     * @param rowCount     rows that follow.
     * @param late         late events dropped.
     * @param unassigned   events in no window.
     * @param fired        results emitted.
     * @param firingState  {@link #IDLE} to {@link #IN_WINDOW_AFTER_KEY}.
     * @param firingWindow the firing window.
     * @param firingDue    the last window due.
     * @param resumeKey    the last key done in the open window, for {@link #IN_WINDOW_AFTER_KEY}.
     * @param pace         the firing's pace.
     * @return {@link #HEADER_LENGTH}.
     */
    static int put(
        final MutableDirectBuffer buffer, final int offset, final AlignedWindows windows, final int stride, final int rowCount,
        final long late, final long unassigned, final long fired,
        final int firingState, final long firingWindow, final long firingDue, final long resumeKey, final FiringPace pace)
    {
        WindowSnapshotRows.putHeader(buffer, offset, MAGIC, VERSION);
        buffer.putLong(offset + SIZE_OFFSET, windows.size, ORDER);
        buffer.putLong(offset + HOP_OFFSET, windows.hop, ORDER);
        buffer.putLong(offset + OFFSET_OFFSET, windows.offset, ORDER);
        buffer.putLong(offset + LATENESS_OFFSET, windows.allowedLateness, ORDER);
        buffer.putInt(offset + STRIDE_OFFSET, stride, ORDER);
        buffer.putInt(offset + ROW_COUNT_OFFSET, rowCount, ORDER);
        buffer.putLong(offset + LATE_OFFSET, late, ORDER);
        buffer.putLong(offset + UNASSIGNED_OFFSET, unassigned, ORDER);
        buffer.putLong(offset + FIRED_OFFSET, fired, ORDER);
        buffer.putInt(offset + FIRING_STATE_OFFSET, firingState, ORDER);
        buffer.putInt(offset + FIRING_STATE_OFFSET + 4, 0, ORDER);
        buffer.putLong(offset + FIRING_WINDOW_OFFSET, firingWindow, ORDER);
        buffer.putLong(offset + FIRING_DUE_OFFSET, firingDue, ORDER);
        buffer.putLong(offset + RESUME_KEY_OFFSET, resumeKey, ORDER);
        pace.snapshotTo(buffer, offset + PACE_OFFSET);
        return HEADER_LENGTH;
    }

    /**
     * Checks a snapshot's magic, version and configuration against the restoring operator's.
     *
     * @param buffer  to read from.
     * @param offset  at which the snapshot starts.
     * @param windows of the restoring operator.
     * @param stride  of the restoring operator's rows.
     * @return the snapshot's version, {@link #VERSION_WITHOUT_CURSOR} to {@link #VERSION}.
     * @throws IllegalStateException naming what differs.
     */
    static int check(final DirectBuffer buffer, final int offset, final AlignedWindows windows, final int stride)
    {
        final int version = buffer.getInt(offset + WindowSnapshotRows.VERSION_OFFSET, ORDER);
        WindowSnapshotRows.checkHeader(
            buffer, offset, MAGIC, version >= VERSION_WITHOUT_CURSOR && version <= VERSION ? version : VERSION,
            "not an aligned window snapshot of version " + VERSION_WITHOUT_CURSOR + " to " + VERSION);
        if (buffer.getLong(offset + SIZE_OFFSET, ORDER) != windows.size ||
            buffer.getLong(offset + HOP_OFFSET, ORDER) != windows.hop ||
            buffer.getLong(offset + OFFSET_OFFSET, ORDER) != windows.offset ||
            buffer.getLong(offset + LATENESS_OFFSET, ORDER) != windows.allowedLateness ||
            buffer.getInt(offset + STRIDE_OFFSET, ORDER) != stride)
        {
            throw WindowSnapshotRows.configurationMismatch();
        }
        return version;
    }

    /**
     * Whether the rows of a snapshot of this version are on the {@code gcd(size, hop)} grid where the restoring
     * operator's windows are one pane each: each row then goes to its window's row ({@link AlignedWindows#windowOfGcdPane}).
     *
     * @param version of the snapshot.
     * @param windows of the restoring operator.
     * @return whether the rows are to be regridded.
     */
    static boolean regrid(final int version, final AlignedWindows windows)
    {
        return version <= VERSION_GCD_PANES && windows.onePanePerWindow;
    }

    /**
     * Restores the pace (version 4), or resets it (older versions hold none).
     *
     * @param buffer  to read from.
     * @param offset  at which the snapshot starts.
     * @param version of the snapshot.
     * @param pace    to restore.
     * @return where the watermark generator's state starts.
     */
    static int restorePace(final DirectBuffer buffer, final int offset, final int version, final FiringPace pace)
    {
        if (version > VERSION_WITHOUT_PACE)
        {
            pace.restoreFrom(buffer, offset + PACE_OFFSET);
            return offset + HEADER_LENGTH;
        }
        pace.reset();
        return offset + (version == VERSION_WITHOUT_CURSOR ? FIRING_STATE_OFFSET : PACE_OFFSET);
    }

    /**
     * The firing state of a snapshot, {@link #IDLE} for version 1 (no cursor).
     *
     * @param buffer  to read from.
     * @param offset  at which the snapshot starts.
     * @param version of the snapshot.
     * @return the state, {@link #IDLE} to {@link #IN_WINDOW_AFTER_KEY}.
     * @throws IllegalStateException for an unknown state.
     */
    static int firingState(final DirectBuffer buffer, final int offset, final int version)
    {
        if (version == VERSION_WITHOUT_CURSOR)
        {
            return IDLE;
        }
        final int state = buffer.getInt(offset + FIRING_STATE_OFFSET, ORDER);
        if (state < IDLE || state > IN_WINDOW_AFTER_KEY)
        {
            throw new IllegalStateException("aligned window snapshot: unknown firing state " + state);
        }
        return state;
    }

    static int rowCount(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + ROW_COUNT_OFFSET, ORDER);
    }

    static long lateEvents(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + LATE_OFFSET, ORDER);
    }

    static long unassignedEvents(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + UNASSIGNED_OFFSET, ORDER);
    }

    static long windowsFired(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + FIRED_OFFSET, ORDER);
    }

    static long firingWindow(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + FIRING_WINDOW_OFFSET, ORDER);
    }

    static long firingDue(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + FIRING_DUE_OFFSET, ORDER);
    }

    static long resumeKey(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + RESUME_KEY_OFFSET, ORDER);
    }
}
