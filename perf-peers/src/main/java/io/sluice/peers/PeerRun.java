package io.sluice.peers;

import java.util.List;

/**
 * What one timed run of one system on one query gives: the time from its first input to its last output after
 * the end of input, and the rows it produced.
 *
 * @param nanos elapsed, first input to last output.
 * @param rows  every output row, in the order of the parts (sorted later).
 */
record PeerRun(long nanos, List<Rows> rows)
{
}
