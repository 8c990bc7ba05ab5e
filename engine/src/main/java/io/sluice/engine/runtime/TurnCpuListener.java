package io.sluice.engine.runtime;

/**
 * Told, on the processing thread, the thread's CPU time spent in each turn of a partition that took ring slots, and how
 * many it took: summed over a run and divided by the slots, the processing thread's <b>busy ns per slot</b>. Optional,
 * for benchmarks: with none set ({@link EngineContext#turnCpuListener}, the default) the processing thread reads no
 * extra clock, and a turn costs one check of a final field more.
 *
 * <p>Why a turn and not the thread's total: a processing thread that keeps up with its publishers spends part of its
 * CPU polling an empty ring (YIELD spins), which varies from run to run with the scheduler; the turns that took slots
 * hold the work alone. The span measured is from before the turn's first slot to after its end ({@code endTurn}: the
 * turn's journal records and sink outputs published); the two clock reads
 * ({@link java.lang.management.ThreadMXBean#getCurrentThreadCpuTime}) are shared by all the slots of the turn (up to
 * {@link EngineContext#partitionBatchLimit()}), so the figure is exact in CPU time and cheap wherever turns are long.
 *
 * <p>Threading: called on the processing threads, once per turn that took at least one slot, after the turn's
 * {@code endTurn} and before its slots are released to the producers (so that an {@link Engine#drain} that returned
 * true has seen every report of the slots it waited for). With several processing threads, calls for different
 * partitions come from different threads at once. Implementations must not allocate, block or throw.
 */
@FunctionalInterface
public interface TurnCpuListener
{
    /**
     * One turn of a partition took slots.
     *
     * @param partition of the source topic whose ring the turn took slots from.
     * @param slots     taken and done with in the turn, at least 1 (events, ticks and every other slot kind alike).
     * @param cpuNanos  the processing thread's CPU time over the turn, by its thread CPU clock (never negative).
     */
    void onTurn(int partition, int slots, long cpuNanos);
}
