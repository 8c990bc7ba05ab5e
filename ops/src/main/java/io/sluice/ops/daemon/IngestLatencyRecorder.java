package io.sluice.ops.daemon;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import io.sluice.engine.runtime.IngestLatencyListener;

/**
 * Ingest-to-processed latency per partition (publication to the end of journaling and every fused
 * pipeline) into HdrHistogram {@link Recorder}s: wait-free and allocation-free on the partition
 * threads. Values are clamped to {@link #HIGHEST_TRACKABLE_NANOS} so a stall never makes a histogram
 * resize (which would allocate).
 *
 * <p>Partition numbers are shared by every source topic, so partition {@code p}'s histogram holds the
 * events of partition {@code p} of all topics.
 *
 * <p>Threading: {@link #onProcessed} from partition threads (any number of writers per recorder);
 * {@link #sample} and {@link #reset} from the stats agent only, which owns the accumulated histograms.
 */
final class IngestLatencyRecorder implements IngestLatencyListener
{
    /** One minute: anything slower is recorded as one minute. */
    static final long HIGHEST_TRACKABLE_NANOS = 60_000_000_000L;

    private final Recorder[] recorders;
    private final Histogram[] intervals;
    private final Histogram[] totals;

    IngestLatencyRecorder(final int partitions)
    {
        recorders = new Recorder[partitions];
        intervals = new Histogram[partitions];
        totals = new Histogram[partitions];
        for (int p = 0; p < partitions; p++)
        {
            recorders[p] = new Recorder(1, HIGHEST_TRACKABLE_NANOS, 3);
            intervals[p] = recorders[p].getIntervalHistogram();
            totals[p] = new Histogram(1, HIGHEST_TRACKABLE_NANOS, 3);
        }
    }

    @Override
    public void onProcessed(final int partition, final long ingestNanos, final long doneNanos)
    {
        final long nanos = doneNanos - ingestNanos;
        recorders[partition].recordValue(nanos < 1 ? 1 : Math.min(nanos, HIGHEST_TRACKABLE_NANOS));
    }

    int partitions()
    {
        return recorders.length;
    }

    /**
     * Folds what was recorded since the last sample into the partition's accumulated histogram.
     *
     * @param partition to sample.
     * @return the accumulated histogram (since start or the last reset), owned by the caller's thread.
     */
    Histogram sample(final int partition)
    {
        intervals[partition] = recorders[partition].getIntervalHistogram(intervals[partition]);
        totals[partition].add(intervals[partition]);
        return totals[partition];
    }

    /**
     * Forgets everything accumulated so far.
     */
    void reset()
    {
        for (int p = 0; p < recorders.length; p++)
        {
            recorders[p].reset();
            totals[p].reset();
        }
    }
}
