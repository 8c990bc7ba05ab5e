/**
 * The per-event kernel: a {@link io.sluice.engine.exec.PipelineInstance} is one partition's fused
 * chain of stages built from a {@link io.sluice.engine.pipeline.Pipeline} description, with its
 * state; the state codec writes and restores the instances of a partition for checkpoints. Both the
 * live engine ({@code io.sluice.engine.runtime}) and the backtest ({@code io.sluice.engine.io})
 * drive instances through this package, so their equivalence rests on shared code.
 *
 * <p>Threading: everything here runs on the one thread that owns the partition; only counter
 * getters may be read by other threads, and then only as a lagging view.
 */
package io.sluice.engine.exec;
