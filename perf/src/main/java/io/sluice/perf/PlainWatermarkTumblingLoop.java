package io.sluice.perf;

/**
 * The same-run baseline of {@link LiveEngineThroughputMain}: tumbling count + sum per key over an
 * input up to {@code bound} ms out of order, in a plain single-threaded loop over primitive arrays (no
 * journal, no ring, no operator framework), with the engine's event-time semantics: the watermark is
 * the largest timestamp so far minus the bound minus 1, and a window {@code [s, s + size)} fires once
 * the watermark reaches {@code s + size - 1}. Windows starting before 0 are windows like any other.
 * <p>
 * Since the bound is smaller than the window, at most two windows are open at once; the state is
 * {@value #SLOTS} slots of per-key arrays indexed by window number modulo {@value #SLOTS}. Keys are
 * {@code [0, keys)} and index the arrays directly; each slot keeps the keys it touched so that firing
 * costs in proportion to them. Every fired (key, window) is folded into a checksum so nothing is dead
 * code, and counted, to cross-check the engine's outputs row for row in number and total count.
 * <p>
 * Threading: one thread.
 */
final class PlainWatermarkTumblingLoop
{
    private static final int SLOTS = 4;

    private final long size;
    private final long bound;
    private final long[][] count = new long[SLOTS][];
    private final double[][] sum = new double[SLOTS][];
    private final int[][] touched = new int[SLOTS][];
    private final int[] touchedCount = new int[SLOTS];
    private final long[] slotWindow = new long[SLOTS];
    private long maxTs = Long.MIN_VALUE;
    private long nextToFire = Long.MIN_VALUE;
    private long checksum;
    private long fired;
    private long firedCount;
    private long late;

    /**
     * @param keys  distinct keys, {@code [0, keys)}.
     * @param size  of the windows in ms.
     * @param bound largest out-of-orderness in ms, smaller than {@code size}.
     */
    PlainWatermarkTumblingLoop(final int keys, final long size, final long bound)
    {
        if (bound >= size)
        {
            throw new IllegalArgumentException("bound " + bound + " must be smaller than the window " + size);
        }
        this.size = size;
        this.bound = bound;
        for (int s = 0; s < SLOTS; s++)
        {
            count[s] = new long[keys];
            sum[s] = new double[keys];
            touched[s] = new int[keys];
            slotWindow[s] = Long.MIN_VALUE;
        }
    }

    /**
     * Adds one event.
     *
     * @param key    in {@code [0, keys)}.
     * @param ts     event time in ms.
     * @param amount summed.
     */
    void onEvent(final int key, final long ts, final double amount)
    {
        final long window = Math.floorDiv(ts, size);
        if (nextToFire == Long.MIN_VALUE)
        {
            nextToFire = window - 1;
        }
        if (window < nextToFire)
        {
            late++;
            return;
        }
        final int slot = (int)(window & (SLOTS - 1));
        if (slotWindow[slot] != window)
        {
            if (touchedCount[slot] != 0)
            {
                throw new IllegalStateException("window " + window + " meets unfired window " + slotWindow[slot]);
            }
            slotWindow[slot] = window;
        }
        if (count[slot][key]++ == 0)
        {
            touched[slot][touchedCount[slot]++] = key;
        }
        sum[slot][key] += amount;
        if (ts > maxTs)
        {
            maxTs = ts;
            final long watermark = ts - bound - 1;
            while ((nextToFire + 1) * size - 1 <= watermark)
            {
                fire(nextToFire++);
            }
        }
    }

    /**
     * Fires every open window (end of input: the watermark moves to the end of time).
     */
    void endOfInput()
    {
        final long last = Math.floorDiv(maxTs, size);
        while (nextToFire <= last)
        {
            fire(nextToFire++);
        }
    }

    private void fire(final long window)
    {
        final int slot = (int)(window & (SLOTS - 1));
        if (slotWindow[slot] != window)
        {
            return; // nothing arrived for this window
        }
        final long[] counts = count[slot];
        final double[] sums = sum[slot];
        final int[] keys = touched[slot];
        for (int i = 0, n = touchedCount[slot]; i < n; i++)
        {
            final int key = keys[i];
            checksum += key ^ window ^ counts[key] ^ Double.doubleToRawLongBits(sums[key]);
            firedCount += counts[key];
            counts[key] = 0;
            sums[key] = 0;
        }
        fired += touchedCount[slot];
        touchedCount[slot] = 0;
        slotWindow[slot] = Long.MIN_VALUE;
    }

    long checksum()
    {
        return checksum;
    }

    /**
     * Rows (key, window) fired.
     *
     * @return the count.
     */
    long fired()
    {
        return fired;
    }

    /**
     * Events counted in fired rows.
     *
     * @return the count.
     */
    long firedCount()
    {
        return firedCount;
    }

    /**
     * Events behind the watermark (none with input within the bound).
     *
     * @return the count.
     */
    long late()
    {
        return late;
    }
}
