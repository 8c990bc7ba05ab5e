package io.sluice.ops.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.List;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import io.sluice.engine.runtime.StageLatencyListener;

/**
 * The daemon's per-stage recorders: nothing allocated per recorded value on the writing thread,
 * ring wait and journal append kept per partition, a pipeline over all its partitions, and reset.
 */
class StageLatencyRecorderTest
{
    private static final List<String> STAGES = List.of("ring-wait", "journal-append", "vol", "big");

    @Test
    void shouldRecordEveryStageWithoutAllocating()
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final StageLatencyRecorder recorder = new StageLatencyRecorder(2, STAGES);
        record(recorder, 100_000);
        recorder.reset();

        final long before = threads.getCurrentThreadAllocatedBytes();
        record(recorder, 1_000_000);
        final long bytes = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(bytes).as("bytes over 1M events of 4 stages").isLessThan(4_096);
    }

    @Test
    void shouldAccumulateStagesPerPartitionAndPipelinesOverPartitionsUntilReset()
    {
        final StageLatencyRecorder recorder = new StageLatencyRecorder(2, STAGES);
        assertThat(recorder.pipelineNames()).containsExactly("vol", "big");
        record(recorder, 1_000);
        recorder.sample();
        record(recorder, 1_000);
        recorder.sample();

        assertThat(recorder.partitionTotal(0, StageLatencyListener.RING_WAIT).getTotalCount()).isEqualTo(1_000);
        assertThat(recorder.partitionTotal(1, StageLatencyListener.JOURNAL_APPEND).getTotalCount()).isEqualTo(1_000);
        final Histogram vol = recorder.pipelineTotal(0);
        assertThat(vol.getTotalCount()).isEqualTo(2_000);
        // Pipeline "vol" took 1000..1999 ns (1% precision): its p50 is about 1.5 us.
        assertThat(vol.getValueAtPercentile(50)).isBetween(1_450L, 1_550L);
        assertThat(recorder.pipelineTotal(1).getMaxValue()).isBetween(9_900L, 10_100L);
        // Zero and a stall past the highest trackable value are clamped, never a resize or an exception.
        recorder.onStage(0, StageLatencyListener.RING_WAIT, 0);
        recorder.onStage(0, StageLatencyListener.RING_WAIT, Long.MAX_VALUE);
        recorder.sample();
        assertThat(recorder.partitionTotal(0, StageLatencyListener.RING_WAIT).getMaxValue())
            .isGreaterThanOrEqualTo(StageLatencyRecorder.HIGHEST_TRACKABLE_NANOS);

        recorder.reset();
        recorder.sample();
        assertThat(recorder.pipelineTotal(0).getTotalCount()).isZero();
        assertThat(recorder.partitionTotal(0, StageLatencyListener.RING_WAIT).getTotalCount()).isZero();
    }

    /** Events alternate partitions; "vol" takes 1000 + i % 1000 ns, "big" 10 us. */
    private static void record(final StageLatencyRecorder recorder, final int events)
    {
        for (int i = 0; i < events; i++)
        {
            final int partition = i & 1;
            recorder.onStage(partition, StageLatencyListener.RING_WAIT, 200 + (i % 50));
            recorder.onStage(partition, StageLatencyListener.JOURNAL_APPEND, 300);
            recorder.onStage(partition, StageLatencyListener.FIRST_PIPELINE, 1_000 + (i % 1_000));
            recorder.onStage(partition, StageLatencyListener.FIRST_PIPELINE + 1, 10_000);
        }
    }
}
