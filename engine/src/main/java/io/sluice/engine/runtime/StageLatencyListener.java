package io.sluice.engine.runtime;

/**
 * Told, on the partition thread, how long each stage of an event's processing took. Optional: with
 * none set ({@link EngineContext#stageLatencyListener}) the partition thread reads no extra clock.
 * With one set it reads {@code System.nanoTime()} once when it picks a slot up, once after the
 * journal append and once after each pipeline instance that processed the event, and reports the
 * differences once the event is processed (so the listener's own cost is in no stage), in stage
 * order, before the ingest latency of the same event and before the next event's.
 *
 * <p>Stage ids:
 * <pre>
 *   0            {@link #RING_WAIT}       publication (the publisher's ingest stamp) to pick-up by the
 *                                          partition thread; includes a batching publisher's buffering
 *   1            {@link #JOURNAL_APPEND}  the journal append of the slot
 *   2 + k        pipeline k               the pipeline's fused chain for the event, where k is the
 *                                          pipeline's index in {@link Engine#pipelineNames()} (engine-wide,
 *                                          so ids are unique across source groups; with one source
 *                                          group it is the instance's index in the partition)
 * </pre>
 * {@link Engine#stageNames(java.util.List)} maps ids to names before launch, {@link Engine#stageNames()}
 * after. Ring wait and journal append are reported for every journaled slot (events, ticks, end of
 * input, replay requests); a pipeline stage only for events the instance processed (not for a halted
 * instance, nor for a source it does not read). Recovery replay reports nothing.
 *
 * <p>Threading: called on partition threads, one per partition of each source group, so stage ids 0
 * and 1 of partition {@code p} have one writer per source group while a pipeline stage has exactly
 * one. Implementations must not allocate, block or throw.
 */
@FunctionalInterface
public interface StageLatencyListener
{
    /** Stage id of the wait in the ring. */
    int RING_WAIT = 0;

    /** Stage id of the journal append. */
    int JOURNAL_APPEND = 1;

    /** Stage id of the first pipeline; pipeline k is {@code FIRST_PIPELINE + k}. */
    int FIRST_PIPELINE = 2;

    /**
     * One stage of one event completed.
     *
     * @param partition of the event.
     * @param stage     id, as in the table above.
     * @param nanos     the stage took, by {@code System.nanoTime()} differences (never negative).
     */
    void onStage(int partition, int stage, long nanos);
}
