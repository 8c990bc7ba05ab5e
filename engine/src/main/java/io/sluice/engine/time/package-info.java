/**
 * Event time for Sluice pipelines: per-partition watermarks with bounded out-of-orderness,
 * idle-partition handling driven by caller-supplied (journaled) timestamps, processing-time
 * mode and end-of-input.
 * <p>
 * Nothing in this package reads a clock: every timestamp comes from the caller, so processing
 * stays a deterministic function of the journaled input.
 */
package io.sluice.engine.time;
