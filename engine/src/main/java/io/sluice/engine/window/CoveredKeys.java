package io.sluice.engine.window;

/**
 * The keys of those events of a run that fall in a window, for windows with gaps ({@code hop > size}): an event in
 * a gap never touches an operator's state, and loading its key's entries ahead (a prefetch) would cost as much as for
 * an event that does. Whether a time is in a gap is one subtraction and compare against the start of the hop of the
 * event before it (times are ordered to within the watermark bound, far less than a hop), a division only when a hop
 * ends. Zero allocation once grown to the longest run. Not thread safe: the operator's thread.
 */
final class CoveredKeys
{
    private final long hop;
    private final long size;
    private final long offset;
    /** The keys selected, grown to the largest run seen. */
    private long[] keys = new long[0];
    private int count;
    /** Start of the hop of the last event looked at. */
    private long hopStart = Long.MIN_VALUE;

    CoveredKeys(final AlignedWindows windows)
    {
        this.hop = windows.hop;
        this.size = windows.size;
        this.offset = windows.offset;
    }

    /**
     * Selects the keys of the events in a window.
     *
     * @param eventKeys  of the run's events.
     * @param timestamps of the run's events, index for index.
     * @param events     in the run.
     * @return the selected keys, the first {@link #count()} of the array (scratch, valid until the next call).
     */
    long[] select(final long[] eventKeys, final long[] timestamps, final int events)
    {
        if (keys.length < events)
        {
            keys = new long[events];
        }
        final long[] covered = keys;
        long start = hopStart;
        int n = 0;
        for (int i = 0; i < events; i++)
        {
            final long t = timestamps[i];
            if (Long.compareUnsigned(t - start, hop) >= 0)
            {
                start = t - Math.floorMod(t - offset, hop);
            }
            if (t - start < size)
            {
                covered[n++] = eventKeys[i];
            }
        }
        hopStart = start;
        count = n;
        return covered;
    }

    /**
     * @return the keys the last {@link #select} selected.
     */
    int count()
    {
        return count;
    }
}
