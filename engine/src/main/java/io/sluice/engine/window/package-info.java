/**
 * Windowed aggregation: tumbling, sliding, hopping (with gaps) and session windows over keyed
 * event streams, with watermarks, allowed lateness, a late side output and snapshot/restore.
 * <p>
 * <b>Window semantics.</b> Windows are epoch aligned and half open, {@code [start, end)}. For an
 * aligned window of {@code size} and {@code hop} with {@code offset}, an event at time {@code t}
 * belongs to every window {@code [s, s + size)} with {@code s == offset (mod hop)} and
 * {@code s <= t < s + size}, including windows that start before 0. With {@code hop > size}
 * events in a gap belong to no window and are counted as unassigned, never as late.
 * <p>
 * <b>Time domain.</b> Timestamps, sizes, gaps and lateness must lie within
 * {@code [-2^62, 2^62]} so that window arithmetic cannot overflow; the end-of-input watermark
 * {@link Long#MAX_VALUE} is handled specially.
 * <p>
 * <b>Design.</b> Aligned windows keep one primitive row of aggregate state per (key, pane), with
 * {@code pane = gcd(size, hop)}, so an event updates exactly one row however much windows
 * overlap, and events in the gaps of hopping windows create no state. Rows are reachable by pane
 * (sorted pane array, for firing and purging) and by key (a sorted key table with each key's
 * rows chained in pane order). A firing window visits keys in ascending order and assembles each
 * key's result in O(1) merges from chunk prefix/suffix aggregates (van Herk/Gil-Werman), which
 * are pure functions of the rows so snapshots need store only rows, counters and the watermark.
 * Windows of at most 16 panes with no allowed lateness, no early results and exact long aggregates (counts, long
 * sums, minima, maxima, averages) are laid out on dense key slots instead: a key's row of a pane is at a place given by
 * the key's slot in the pane's column of a flat array, found with one hash probe per event, with the same results,
 * firing order and snapshots as the linked rows.
 * Session windows keep one row per open session and a timer heap. All state lives in
 * {@code long[]}/{@code int[]} arrays that grow geometrically and are recycled through free
 * lists: no allocation per event once warm.
 * <p>
 * <b>Public surface:</b> {@link io.sluice.engine.window.WindowOperatorContext} configures and
 * builds a {@link io.sluice.engine.window.WindowOperator}; events are read through
 * {@link io.sluice.schema.EventValues}; results arrive at a
 * {@link io.sluice.engine.window.WindowResultHandler}; aggregates come from
 * {@link io.sluice.engine.window.Aggregators} or implement
 * {@link io.sluice.engine.window.PrimitiveAggregator}. Everything else is package private.
 */
package io.sluice.engine.window;
