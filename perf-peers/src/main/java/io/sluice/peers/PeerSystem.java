package io.sluice.peers;

/**
 * One system of the comparison. Each {@link #run} builds a fresh instance (engine, job, topology), feeds it the
 * workload and times it from its first input to its last output after the end of input; building and tearing
 * down the instance are not timed.
 */
interface PeerSystem
{
    /**
     * Name in the report.
     *
     * @return the name.
     */
    String name();

    /**
     * Runs a query over a workload on a fresh instance.
     *
     * @param query    to run.
     * @param workload its input.
     * @return the time and rows.
     * @throws Exception if the system fails.
     */
    PeerRun run(Query query, Workload workload) throws Exception;
}
