package io.sluice.ops.daemon;

import java.util.List;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import io.sluice.engine.runtime.StageLatencyListener;

/**
 * Latency per stage (ring wait, journal append, each pipeline; ids as in {@link StageLatencyListener})
 * into one HdrHistogram {@link Recorder} per partition and stage: wait-free and allocation-free on
 * the partition threads, values clamped to {@link #HIGHEST_TRACKABLE_NANOS} so that a stall never
 * makes a histogram resize. Two significant digits (1% value precision) keep each histogram near
 * 30 KB, as there are partitions x stages of them, each with four copies.
 *
 * <p>Accumulation for readers: ring wait and journal append per partition (partition {@code p}
 * holds partition {@code p} of every source group, as the ingest latency does); a pipeline over all
 * its partitions, since a pipeline's percentiles cannot be summed from its partitions' afterwards.
 *
 * <p>Threading: {@link #onStage} from partition threads (a pipeline stage of a partition has one
 * writer; ring wait and journal append one per source group, which a {@link Recorder} allows);
 * {@link #sample}, {@link #partitionTotal}, {@link #pipelineTotal} and {@link #reset} from the stats
 * agent only, which owns the accumulated histograms.
 */
final class StageLatencyRecorder implements StageLatencyListener
{
    /** One minute: anything slower is recorded as one minute. */
    static final long HIGHEST_TRACKABLE_NANOS = 60_000_000_000L;
    static final int SIGNIFICANT_DIGITS = 2;

    private final List<String> stageNames;
    private final Recorder[][] recorders;
    private final Histogram[][] intervals;
    /** [partition][RING_WAIT or JOURNAL_APPEND]. */
    private final Histogram[][] partitionTotals;
    /** [stage - FIRST_PIPELINE]. */
    private final Histogram[] pipelineTotals;

    /**
     * Recorders for every stage of every partition.
     *
     * @param partitions per source topic.
     * @param stageNames names by stage id, from {@code Engine.stageNames(pipelines)}.
     */
    StageLatencyRecorder(final int partitions, final List<String> stageNames)
    {
        this.stageNames = List.copyOf(stageNames);
        final int stages = stageNames.size();
        recorders = new Recorder[partitions][stages];
        intervals = new Histogram[partitions][stages];
        partitionTotals = new Histogram[partitions][FIRST_PIPELINE];
        pipelineTotals = new Histogram[stages - FIRST_PIPELINE];
        for (int p = 0; p < partitions; p++)
        {
            for (int s = 0; s < stages; s++)
            {
                recorders[p][s] = new Recorder(1, HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
                intervals[p][s] = recorders[p][s].getIntervalHistogram();
            }
            for (int s = 0; s < FIRST_PIPELINE; s++)
            {
                partitionTotals[p][s] = newHistogram();
            }
        }
        for (int i = 0; i < pipelineTotals.length; i++)
        {
            pipelineTotals[i] = newHistogram();
        }
    }

    private static Histogram newHistogram()
    {
        return new Histogram(1, HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
    }

    @Override
    public void onStage(final int partition, final int stage, final long nanos)
    {
        recorders[partition][stage].recordValue(nanos < 1 ? 1 : Math.min(nanos, HIGHEST_TRACKABLE_NANOS));
    }

    int partitions()
    {
        return recorders.length;
    }

    /**
     * Pipeline names, by index: pipeline {@code i} is stage {@code FIRST_PIPELINE + i}.
     *
     * @return the names.
     */
    List<String> pipelineNames()
    {
        return stageNames.subList(FIRST_PIPELINE, stageNames.size());
    }

    /**
     * Folds what every recorder has recorded since the last sample into the accumulated histograms.
     */
    void sample()
    {
        for (int p = 0; p < recorders.length; p++)
        {
            final Recorder[] partition = recorders[p];
            for (int s = 0; s < partition.length; s++)
            {
                final Histogram interval = partition[s].getIntervalHistogram(intervals[p][s]);
                intervals[p][s] = interval;
                (s < FIRST_PIPELINE ? partitionTotals[p][s] : pipelineTotals[s - FIRST_PIPELINE]).add(interval);
            }
        }
    }

    /**
     * Accumulated ring wait or journal append of one partition, as of the last {@link #sample}.
     *
     * @param partition number.
     * @param stage     {@link StageLatencyListener#RING_WAIT} or {@link StageLatencyListener#JOURNAL_APPEND}.
     * @return the histogram, owned by the caller's thread.
     */
    Histogram partitionTotal(final int partition, final int stage)
    {
        return partitionTotals[partition][stage];
    }

    /**
     * Accumulated processing of one pipeline over all its partitions, as of the last {@link #sample}.
     *
     * @param pipeline index in {@link #pipelineNames()}.
     * @return the histogram, owned by the caller's thread.
     */
    Histogram pipelineTotal(final int pipeline)
    {
        return pipelineTotals[pipeline];
    }

    /**
     * Forgets everything accumulated so far.
     */
    void reset()
    {
        for (final Recorder[] partition : recorders)
        {
            for (final Recorder recorder : partition)
            {
                recorder.reset();
            }
        }
        for (final Histogram[] partition : partitionTotals)
        {
            for (final Histogram histogram : partition)
            {
                histogram.reset();
            }
        }
        for (final Histogram histogram : pipelineTotals)
        {
            histogram.reset();
        }
    }
}
