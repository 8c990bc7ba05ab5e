package io.sluice.engine.window;

/**
 * Read-only view of the aggregates of one window for one key, valid only for the duration of a
 * {@link WindowResultHandler#onResult(long, long, long, int, WindowResult)} call.
 */
public interface WindowResult
{
    /**
     * Number of aggregates the operator computes, in the order they were configured.
     *
     * @return the number of aggregates.
     */
    int aggregateCount();

    /**
     * Read an aggregate as a long.
     *
     * @param aggregate index of the aggregate in configuration order.
     * @return the aggregate's value as a long.
     */
    long longValue(int aggregate);

    /**
     * Read an aggregate as a double.
     *
     * @param aggregate index of the aggregate in configuration order.
     * @return the aggregate's value as a double.
     */
    double doubleValue(int aggregate);
}
