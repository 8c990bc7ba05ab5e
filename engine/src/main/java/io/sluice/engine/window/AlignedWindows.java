package io.sluice.engine.window;

/**
 * Index arithmetic of epoch-aligned windows {@code [s, s + size)} with {@code s = offset + j * hop}
 * for every integer window index {@code j}, cut into panes of {@code pane = gcd(size, hop)}
 * starting at {@code offset + i * pane} for pane index {@code i}.
 * <p>
 * Because the pane divides both size and hop, every window is exactly {@code panesPerWindow}
 * consecutive panes starting at pane {@code j * panesPerHop}, and an event updates exactly one
 * pane however much windows overlap. With gaps ({@code hop > size}) some panes belong to no
 * window; events there are unassigned. All divisions are floor divisions, so negative times and
 * windows starting before 0 follow the same rule.
 * <p>
 * <b>One pane per window.</b> Hopping windows with gaps may instead be cut into one pane per hop
 * ({@link #onePanePerWindow}): pane {@code j} is window {@code j}, its first {@code size} units
 * covered ({@link #covered}) and the rest a gap. An event then updates its window's single row
 * rather than one of {@code size / gcd(size, hop)} rows that the firing merges again: fewer rows
 * and no merge, for aggregators whose result does not depend on how the events are grouped
 * ({@link AggregateLayout#regroupsExactly()}). The pane index arithmetic is the same with
 * {@code pane = hop}; only whether a time is covered needs {@link #covered}.
 */
final class AlignedWindows
{
    final long size;
    final long hop;
    final long offset;
    final long pane;
    final long panesPerHop;
    final long panesPerWindow;
    final long allowedLateness;
    /** Whether each window (with a gap after it) is one pane of length {@code hop}, see the class comment. */
    final boolean onePanePerWindow;
    /** The part of each pane, from its start, that windows cover: {@code size} for one pane per window, else all of it. */
    final long covered;

    /**
     * Windows cut into panes of {@code gcd(size, hop)}.
     */
    AlignedWindows(final long size, final long hop, final long offset, final long allowedLateness)
    {
        this(size, hop, offset, allowedLateness, false);
    }

    /**
     * @param onePanePerWindow one pane per window and hop, for windows with gaps ({@code hop > size}); ignored
     *                         otherwise (tumbling windows are one pane each anyway, overlapping ones cannot be).
     */
    AlignedWindows(final long size, final long hop, final long offset, final long allowedLateness, final boolean onePanePerWindow)
    {
        this.size = size;
        this.hop = hop;
        this.offset = Math.floorMod(offset, hop);
        this.onePanePerWindow = onePanePerWindow && hop > size;
        this.pane = this.onePanePerWindow ? hop : gcd(size, hop);
        this.covered = this.onePanePerWindow ? size : pane;
        this.panesPerHop = hop / pane;
        this.panesPerWindow = this.onePanePerWindow ? 1 : size / pane;
        this.allowedLateness = allowedLateness;
    }

    /**
     * The window of a pane of the {@code gcd(size, hop)} grid, the grid of snapshots written before one pane per
     * window existed (version 2 and older), for a restore into one pane per window.
     *
     * @param gcdPane index on the gcd grid of a pane that holds rows (so is covered by a window).
     * @return the window index, which is the pane index here.
     */
    long windowOfGcdPane(final long gcdPane)
    {
        return Math.floorDiv(gcdPane, hop / gcd(size, hop));
    }

    long paneOf(final long timestamp)
    {
        return Math.floorDiv(timestamp - offset, pane);
    }

    /**
     * Smallest window index containing the pane; greater than {@link #lastWindowOf(long)} if the
     * pane lies in a gap.
     */
    long firstWindowOf(final long paneIndex)
    {
        return Math.floorDiv(paneIndex - panesPerWindow, panesPerHop) + 1;
    }

    long lastWindowOf(final long paneIndex)
    {
        return Math.floorDiv(paneIndex, panesPerHop);
    }

    long firstPaneOf(final long window)
    {
        return window * panesPerHop;
    }

    long windowStart(final long window)
    {
        return offset + window * hop;
    }

    long windowEnd(final long window)
    {
        return offset + window * hop + size;
    }

    /**
     * Largest window index whose end - 1 is at or below the watermark: the last window that has
     * fired. Only meaningful for a watermark that has been set.
     */
    long lastFiredWindow(final long watermark)
    {
        return Math.floorDiv(watermark - offset - size + 1, hop);
    }

    /**
     * The smallest watermark at which the window is due, its end - 1: {@link #lastFiredWindow} is below {@code window}
     * for every smaller watermark. Saturates at {@link Long#MAX_VALUE} for windows ending beyond it, and gives
     * {@link Long#MIN_VALUE} (every watermark: recompute) for windows starting below about -2^62, where times do not go.
     */
    long firingWatermark(final long window)
    {
        if (window > Math.floorDiv(Long.MAX_VALUE - offset - size + 1, hop))
        {
            return Long.MAX_VALUE;
        }
        if (window < (Long.MIN_VALUE >> 1) / hop)
        {
            return Long.MIN_VALUE;
        }
        return offset + window * hop + size - 1;
    }

    /**
     * Smallest window index still live, that is whose end - 1 + allowed lateness is above the
     * watermark. Windows below it have expired and their state may be dropped.
     */
    long firstLiveWindow(final long watermark)
    {
        return Math.floorDiv(watermark - offset - size + 1 - allowedLateness, hop) + 1;
    }

    /**
     * First pane that belongs to a live window; panes below it can be purged. Saturates rather
     * than overflowing at the end-of-input watermark.
     */
    long firstLivePane(final long watermark)
    {
        final long window = firstLiveWindow(watermark);
        return window > Long.MAX_VALUE / panesPerHop ? Long.MAX_VALUE : window * panesPerHop;
    }

    static long gcd(final long a, final long b)
    {
        long x = a;
        long y = b;
        while (y != 0)
        {
            final long t = x % y;
            x = y;
            y = t;
        }
        return x;
    }
}
