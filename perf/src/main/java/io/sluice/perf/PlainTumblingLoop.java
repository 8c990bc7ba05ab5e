package io.sluice.perf;

/**
 * the performance targets' baseline: a plain single-threaded loop over primitive arrays computing the same
 * query as the engine benchmarks (tumbling count + sum of amount per key over {@link BenchEvents}'s
 * stream), with no journal, no ring and no operator framework. Keys index the state arrays
 * directly (they are {@code [0, keys)}), a window's touched keys are kept in a list so firing costs
 * in proportion to the keys seen, and each fired (key, window) is folded into a checksum so nothing
 * is dead code.
 * <p>
 * Event-time firing matches the engine's with bound 0: a window fires when the first event of a
 * later window arrives (input is in order). Threading: one thread.
 */
final class PlainTumblingLoop
{
    private final long[] count;
    private final double[] sum;
    private final int[] touched;
    private final long windowSize;
    private int touchedCount;
    private long windowEnd = Long.MIN_VALUE;
    private long checksum;
    private long fired;

    PlainTumblingLoop(final int keys, final long windowSize)
    {
        this.count = new long[keys];
        this.sum = new double[keys];
        this.touched = new int[keys];
        this.windowSize = windowSize;
    }

    /**
     * Runs events {@code [from, from + n)} of the stream.
     *
     * @param keyTable  from {@link BenchEvents#keyTable(int)}.
     * @param from      index of the first event.
     * @param n         events to run.
     * @param timeShift events per ms = {@code 1 << timeShift}.
     */
    void run(final long[] keyTable, final long from, final long n, final int timeShift)
    {
        final long[] count = this.count;
        final double[] sum = this.sum;
        for (long i = from, end = from + n; i < end; i++)
        {
            final long ts = i >> timeShift;
            if (ts >= windowEnd)
            {
                fire();
                windowEnd = ts - Math.floorMod(ts, windowSize) + windowSize;
            }
            final int key = (int)keyTable[(int)i & BenchEvents.MASK];
            if (count[key]++ == 0)
            {
                touched[touchedCount++] = key;
            }
            sum[key] += BenchEvents.amount(i);
        }
    }

    /**
     * Emits and clears the open window.
     */
    void fire()
    {
        for (int i = 0; i < touchedCount; i++)
        {
            final int key = touched[i];
            checksum += key ^ windowEnd ^ count[key] ^ Double.doubleToRawLongBits(sum[key]);
            count[key] = 0;
            sum[key] = 0;
        }
        fired += touchedCount;
        touchedCount = 0;
    }

    long checksum()
    {
        return checksum;
    }

    long fired()
    {
        return fired;
    }
}
