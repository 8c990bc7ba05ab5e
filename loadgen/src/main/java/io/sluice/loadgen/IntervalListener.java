package io.sluice.loadgen;

/**
 * Told once per reporting interval what the run is doing (live console output).
 */
@FunctionalInterface
public interface IntervalListener
{
    /**
     * One interval ended.
     *
     * @param stats of the interval, valid only during the call.
     */
    void onInterval(IntervalStats stats);
}
