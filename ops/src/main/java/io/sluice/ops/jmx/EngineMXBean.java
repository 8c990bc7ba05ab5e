package io.sluice.ops.jmx;

/**
 * The daemon and its engine, registered as {@code io.sluice:type=Engine}. Open types only, so
 * JConsole, VisualVM and jmxterm need no project classes. Figures come from the counters file.
 *
 * <p>Operations throw only {@link IllegalArgumentException} or {@link IllegalStateException} with a
 * message (never a project exception class a generic client could not load).
 */
public interface EngineMXBean
{
    /**
     * The daemon state: STARTING, RUNNING, STOPPING or STOPPED.
     *
     * @return the state.
     */
    String getState();

    /**
     * The daemon's process id.
     *
     * @return the pid.
     */
    long getPid();

    /**
     * Time since start.
     *
     * @return milliseconds.
     */
    long getUptimeMillis();

    /**
     * Running pipelines.
     *
     * @return names in launch order.
     */
    String[] getPipelines();

    /**
     * Source topics.
     *
     * @return topic names.
     */
    String[] getTopics();

    /**
     * Partitions per source topic.
     *
     * @return the count.
     */
    int getPartitions();

    /**
     * Which partitions run on which processing thread, one entry per thread:
     * {@code sluice-processing-0: trades/0 trades/2}.
     *
     * @return the mapping, in thread order.
     */
    String[] getProcessingThreads();

    /**
     * Checkpoints completed since start.
     *
     * @return the count.
     */
    long getCheckpointsCompleted();

    /**
     * Checkpoints failed since start.
     *
     * @return the count.
     */
    long getCheckpointsFailed();

    /**
     * Id of the newest complete checkpoint.
     *
     * @return the id, -1 if none.
     */
    long getLastCheckpointId();

    /**
     * Age of the newest complete checkpoint.
     *
     * @return milliseconds, -1 if none.
     */
    long getLastCheckpointAgeMillis();

    /**
     * What recovery found and did at start.
     *
     * @return one line per event.
     */
    String[] getRecoveryEvents();

    /**
     * Observations in the distinct error log (stage and journal failures).
     *
     * @return the count.
     */
    long getErrors();

    /**
     * Every distinct error in the daemon's error log, oldest first: its observation count, first and
     * last time, and its stack trace, so that {@link #getErrors()} can be explained.
     *
     * @return one entry per distinct error, {@code "<count> observations from <first> to <last>:\n<stack trace>"}.
     */
    String[] getErrorLog();

    /**
     * Takes a checkpoint now and waits for it (up to 60 s).
     *
     * @return a one-line description of the completed checkpoint.
     */
    String checkpointNow();

    /**
     * Pauses a pipeline (and every pipeline fused on the same source topic).
     *
     * @param pipeline name.
     */
    void pause(String pipeline);

    /**
     * Resumes a paused pipeline.
     *
     * @param pipeline name.
     */
    void resume(String pipeline);

    /**
     * Re-runs a pipeline over its journal from an offset (in every partition): its state is rebuilt
     * from there and its outputs come again, numbered on. The request is journaled, so recovery
     * repeats it at the same point.
     *
     * @param pipeline   name.
     * @param fromOffset journal offset to re-run from.
     */
    void replay(String pipeline, long fromOffset);

    /**
     * Re-runs a pipeline over its journal from the first record at or after a time (epoch ms).
     *
     * @param pipeline      name.
     * @param fromEpochMillis record timestamp to re-run from.
     */
    void replayFromTime(String pipeline, long fromEpochMillis);

    /**
     * Starts a new latency interval: percentiles cover events from now on.
     */
    void resetLatency();
}
