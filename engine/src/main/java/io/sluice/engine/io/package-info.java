/**
 * File sources and sinks (CSV, JSONL) and the {@link io.sluice.engine.io.Backtest} runner, which
 * replays files through pipelines at full speed in event time, without rings or threads, with the
 * same results the live engine gives for the same events.
 *
 * <p>This is I/O-bound tooling: reading allocates per line. Output is deterministic: the same input
 * gives byte-identical files (fixed column order, {@code \n} line ends, UTF-8, and a number format
 * defined by exact decimal arithmetic rather than by the JDK's {@code Double.toString}).
 */
package io.sluice.engine.io;
