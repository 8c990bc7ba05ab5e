package io.sluice.ops.jmx;

/**
 * One pipeline over all its partitions, registered as {@code io.sluice:type=Pipeline,name=<pipeline>}.
 * Sums (and the minimum watermark) of its instances' counters. ProcessingLatency* is the time the
 * pipeline's fused chain took per event, over all its partitions, in microseconds, accumulated since
 * start or the last {@code resetLatency}.
 */
public interface PipelineMXBean
{
    /**
     * The pipeline's name.
     *
     * @return the name.
     */
    String getName();

    /**
     * The topic it reads.
     *
     * @return the source topic.
     */
    String getSourceTopic();

    /**
     * Whether its partitions are paused.
     *
     * @return true if paused.
     */
    boolean isPaused();

    /**
     * Instances halted by a HALT error policy.
     *
     * @return the count of halted partitions.
     */
    int getHaltedPartitions();

    /**
     * Outputs delivered.
     *
     * @return the count.
     */
    long getOutputs();

    /**
     * User-code failures.
     *
     * @return the count.
     */
    long getErrors();

    /**
     * Events later than allowed lateness (sent to the late side output).
     *
     * @return the count.
     */
    long getLateEvents();

    /**
     * Events in hopping-window gaps.
     *
     * @return the count.
     */
    long getUnassignedEvents();

    /**
     * Outputs dropped by the pipeline's alert suppression ({@code suppress: {cooldown: D}} or
     * {@code suppress: on_change}): counted on the partition threads, 0 for a pipeline without one.
     *
     * @return the count over all its partitions.
     */
    long getSuppressedOutputs();

    /**
     * Window/join state entries.
     *
     * @return the count.
     */
    long getStateEntries();

    /**
     * The smallest watermark of its partitions.
     *
     * @return epoch ms (Long.MIN_VALUE before any event).
     */
    long getMinWatermark();

    /**
     * Median processing latency (the pipeline's fused chain for one event, over all partitions).
     *
     * @return microseconds.
     */
    long getProcessingLatencyP50Micros();

    /**
     * 99th percentile processing latency (the pipeline's fused chain for one event, over all partitions).
     *
     * @return microseconds.
     */
    long getProcessingLatencyP99Micros();

    /**
     * 99.9th percentile processing latency (the pipeline's fused chain for one event, over all partitions).
     *
     * @return microseconds.
     */
    long getProcessingLatencyP999Micros();

    /**
     * 99.99th percentile processing latency (the pipeline's fused chain for one event, over all partitions).
     *
     * @return microseconds.
     */
    long getProcessingLatencyP9999Micros();

    /**
     * Largest processing latency (the pipeline's fused chain for one event, over all partitions).
     *
     * @return microseconds.
     */
    long getProcessingLatencyMaxMicros();

    /**
     * Events measured for processing latency (the pipeline's fused chain for one event, over all partitions).
     *
     * @return the count.
     */
    long getProcessingLatencyCount();

    /**
     * Pauses the pipeline.
     */
    void pause();

    /**
     * Resumes the pipeline.
     */
    void resume();
}
