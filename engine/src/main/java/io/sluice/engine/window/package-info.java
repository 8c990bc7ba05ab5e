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
 * <b>Public surface:</b> {@link io.sluice.engine.window.WindowOperatorContext} configures and
 * builds a {@link io.sluice.engine.window.WindowOperator}; events are read through
 * {@link io.sluice.engine.window.EventValues}; results arrive at a
 * {@link io.sluice.engine.window.WindowResultHandler}; aggregates come from
 * {@link io.sluice.engine.window.Aggregators} or implement
 * {@link io.sluice.engine.window.PrimitiveAggregator}. Everything else is package private.
 */
package io.sluice.engine.window;
