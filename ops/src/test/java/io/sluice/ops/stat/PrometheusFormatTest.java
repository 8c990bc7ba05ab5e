package io.sluice.ops.stat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;

import io.sluice.client.wire.ErrorCode;
import io.sluice.engine.counters.SluiceCounters;

class PrometheusFormatTest
{
    @Test
    void shouldTakeDimensionsFromKeysSoThatAnyTopicOrPipelineNameComesOutWhole()
    {
        final CountersManager manager = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(64 * CountersReader.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(64 * CountersReader.COUNTER_LENGTH)));
        final int none = SluiceCounters.NONE;
        SluiceCounters.allocate(manager, SluiceCounters.TOPIC_TYPE_ID, "topic: a/b c", 2, none, none, none, "a/b c").set(4);
        SluiceCounters.allocate(manager, SluiceCounters.PIPELINE_TYPE_ID, "pipeline: p \"q\"", 2, none, 0, none, "p \"q\"");
        SluiceCounters.allocate(manager, SluiceCounters.EVENTS_IN_TYPE_ID, "events-in: a/b c/3", 2, 3, none, none, null).set(42);
        SluiceCounters.allocate(manager, SluiceCounters.OUTPUTS_TYPE_ID, "outputs: a/b c/3 p \"q\"", 2, 3, 0, none, null).set(7);
        SluiceCounters.allocate(manager, SluiceCounters.PROCESSING_LATENCY_BASE_TYPE_ID + 1, "processing-latency-p99-us: p \"q\"",
            none, none, 0, none, null).set(5);
        SluiceCounters.allocate(manager, SluiceCounters.NET_FRAMES_REJECTED_TYPE_ID, "net-frames-rejected: ingress[0] TRUNCATED",
            none, none, none, ErrorCode.TRUNCATED, "ingress[0]").set(1);
        SluiceCounters.allocate(manager, SluiceCounters.CHECKPOINTS_COMPLETED_TYPE_ID, "checkpoints-completed", none, none, none, none, null)
            .set(9);
        manager.newCounter("custom-thing: x y", 9999).set(3);

        final StringBuilder out = new StringBuilder();
        PrometheusFormat.samples(manager, out);

        assertThat(out.toString())
            .contains("sluice_topic_partitions{topic=\"a/b c\"} 4\n")
            .contains("sluice_events_in{topic=\"a/b c\",partition=\"3\"} 42\n")
            .contains("sluice_outputs{topic=\"a/b c\",partition=\"3\",pipeline=\"p \\\"q\\\"\"} 7\n")
            .contains("sluice_processing_latency_p99_us{pipeline=\"p \\\"q\\\"\"} 5\n")
            .contains("sluice_net_frames_rejected{scope=\"ingress[0]\",code=\"TRUNCATED\"} 1\n")
            .contains("sluice_checkpoints_completed 9\n")
            .contains("sluice_custom_thing{label=\"x y\"} 3\n")
            .doesNotContain("sluice_pipeline");
    }
}
