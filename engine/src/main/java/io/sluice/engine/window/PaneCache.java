package io.sluice.engine.window;

/**
 * The pane of the previous event's time and its windows, so that an event in the same pane (most events: a pane holds
 * every key's events of its span) costs a subtraction and a compare instead of divisions: {@link #covers}, else
 * {@link #moveTo}. For one pane per window ({@link AlignedWindows#onePanePerWindow}) the gap after a window's span is
 * a span of its own whose {@link #firstWindow} is above its {@link #lastWindow}: its events are in no window.
 * Not thread safe: the operator's thread.
 */
final class PaneCache
{
    private final AlignedWindows windows;
    private long start;
    /** 0 until the first {@link #moveTo}, so nothing is covered. */
    private long length;
    long pane;
    long firstWindow;
    long lastWindow;

    PaneCache(final AlignedWindows windows)
    {
        this.windows = windows;
    }

    /**
     * @param timestamp an event time.
     * @return whether the time is in the span of the last {@link #moveTo}.
     */
    boolean covers(final long timestamp)
    {
        return Long.compareUnsigned(timestamp - start, length) < 0;
    }

    /**
     * Takes the pane and windows of a time (or the gap after a window's span).
     *
     * @param timestamp an event time.
     */
    void moveTo(final long timestamp)
    {
        final long index = windows.paneOf(timestamp);
        final long paneStart = windows.offset + index * windows.pane;
        pane = index;
        firstWindow = windows.firstWindowOf(index);
        lastWindow = windows.lastWindowOf(index);
        if (timestamp - paneStart < windows.covered)
        {
            start = paneStart;
            length = windows.covered;
        }
        else
        {
            // One pane per window: the gap after the window's span belongs to no window.
            start = paneStart + windows.covered;
            length = windows.pane - windows.covered;
            firstWindow = lastWindow + 1;
        }
    }

    /**
     * Forgets the span, so the next time {@link #moveTo}s (after a restore).
     */
    void clear()
    {
        length = 0;
    }
}
