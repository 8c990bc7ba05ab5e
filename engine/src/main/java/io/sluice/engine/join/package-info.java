/**
 * Keyed joins: stream-stream interval joins, stream-table joins (latest or versioned) and
 * table-table joins over changelogs, with null-padded rows, tombstones, late side output and
 * snapshot/restore.
 * <p>
 * <b>Public surface:</b> {@link io.sluice.engine.join.JoinOperatorContext} configures and builds
 * an {@link io.sluice.engine.join.IntervalJoinOperator},
 * {@link io.sluice.engine.join.StreamTableJoinOperator} or
 * {@link io.sluice.engine.join.TableTableJoinOperator}, all
 * {@link io.sluice.engine.join.JoinOperator}s; rows arrive at a
 * {@link io.sluice.engine.join.JoinResultHandler}, late events at a
 * {@link io.sluice.engine.join.JoinLateEventHandler}. State (record arenas, tables, indexes) is
 * package private.
 * <p>
 * <b>Records</b> are fixed-length byte records (an event schema's layout); the operators copy
 * their bytes into off-heap arenas and hand out views, so there is no object per event, and
 * steady state allocates nothing.
 * <p>
 * <b>Co-partitioning:</b> both inputs of a join must be partitioned by the same key with the same
 * partition count and hash, so each partition's operator sees every row of its keys; the pipeline
 * builder checks this.
 */
package io.sluice.engine.join;
