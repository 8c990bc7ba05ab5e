package io.sluice.loadgen;

import io.sluice.engine.pipeline.EventSink;
import io.sluice.schema.EventFlyweight;

/**
 * A sink that records, for every event reaching it, the time from the event's scheduled send time
 * ({@code sent_ns}) to now. Put it at the end of a pass-through pipeline declared LAST on a topic:
 * the engine runs a topic's pipelines in order on the partition thread, so the latency covers the
 * ring, the journal append and every detector before it.
 *
 * <p>Threading: called on partition threads; no allocation.
 */
public final class LatencyProbeSink implements EventSink
{
    private final LatencyRecorder recorder;
    private final int sentNsField;

    /**
     * Creates the probe.
     *
     * @param recorder    receiving latencies.
     * @param sentNsField index of the scheduled-send-time field in the sink's input schema.
     */
    public LatencyProbeSink(final LatencyRecorder recorder, final int sentNsField)
    {
        this.recorder = recorder;
        this.sentNsField = sentNsField;
    }

    @Override
    public void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
    {
        recorder.record(event.getLong(sentNsField), System.nanoTime());
    }
}
