package io.sluice.peers;

import java.util.List;

/**
 * What one timed run of one system on one query gives: the time from its first input to its last output after
 * the end of input, and the rows it produced.
 *
 * @param nanos    elapsed, first input to last output.
 * @param rows     every output row, in the order of the parts (sorted later).
 * @param cpuNanos CPU time of the calling thread over the same span, for systems that run on it alone (the plain loop,
 *                 the backtest), else -1.
 */
record PeerRun(long nanos, List<Rows> rows, long cpuNanos)
{
    PeerRun(final long nanos, final List<Rows> rows)
    {
        this(nanos, rows, -1);
    }

    /**
     * CPU time of the calling thread now, for {@link #cpuNanos}.
     *
     * @return nanoseconds of CPU time.
     */
    static long threadCpuNanos()
    {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }
}
