package io.sluice.ops.daemon;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.HdrHistogram.Histogram;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.ErrorLogReader;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import io.sluice.engine.checkpoint.CheckpointCoordinator;
import io.sluice.engine.checkpoint.CheckpointManifest;
import io.sluice.engine.counters.PartitionState;
import io.sluice.engine.counters.SluiceCounters;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.StageLatencyListener;

/**
 * The daemon's own counters, next to the engine's in the counters file, and the low-priority agent
 * that keeps them current once a second: heartbeat (also into the mark file), checkpoint figures,
 * distinct errors, and ingest latency percentiles in microseconds folded from the HdrHistogram
 * recorders. Everything that reads figures for people (JMX, {@code sluice stat}, Prometheus) reads
 * these counters, so the partition threads are never asked for anything.
 *
 * <p>Type ids (registered in the engine's SluiceCounters, with the key layout; the engine uses 1000-1999,
 * network components 3000-3999):
 * <pre>
 *   2001 heartbeat (epoch ms)           2005 last-checkpoint-age-ms
 *   2002 checkpoints-completed          2006 distinct-errors (observations)
 *   2003 checkpoints-failed             2007 daemon-state (MarkFile states)
 *   2004 last-checkpoint-id
 *   2010..2016 ingest-latency-{p50,p99,p999,p9999,max}-us, ingest-latency-count, ingest-latency-sum-ns: partition N
 *   2020..2026 ring-wait-latency-{p50,p99,p999,p9999,max}-us, -count, -sum-ns: partition N
 *   2030..2036 journal-append-latency-{p50,p99,p999,p9999,max}-us, -count, -sum-ns: partition N
 *   2040..2046 processing-latency-{p50,p99,p999,p9999,max}-us, -count, -sum-ns: PIPELINE
 * </pre>
 * Ring wait and journal append are per partition number (all source groups); processing is one
 * pipeline's fused chain over all its partitions (see {@link StageLatencyRecorder}).
 *
 * <p>Threading: counters allocated on the control thread; {@link #doWork} on the stats agent thread,
 * the single writer of every counter here except daemon-state (control thread).
 */
final class DaemonCounters implements Agent
{
    static final int HEARTBEAT_TYPE_ID = SluiceCounters.HEARTBEAT_TYPE_ID;
    static final int CHECKPOINTS_COMPLETED_TYPE_ID = SluiceCounters.CHECKPOINTS_COMPLETED_TYPE_ID;
    static final int CHECKPOINTS_FAILED_TYPE_ID = SluiceCounters.CHECKPOINTS_FAILED_TYPE_ID;
    static final int LAST_CHECKPOINT_ID_TYPE_ID = SluiceCounters.LAST_CHECKPOINT_ID_TYPE_ID;
    static final int LAST_CHECKPOINT_AGE_TYPE_ID = SluiceCounters.LAST_CHECKPOINT_AGE_TYPE_ID;
    static final int DISTINCT_ERRORS_TYPE_ID = SluiceCounters.DISTINCT_ERRORS_TYPE_ID;
    static final int DAEMON_STATE_TYPE_ID = SluiceCounters.DAEMON_STATE_TYPE_ID;
    static final int RING_WAIT_LATENCY_BASE_TYPE_ID = SluiceCounters.RING_WAIT_LATENCY_BASE_TYPE_ID;
    static final int JOURNAL_APPEND_LATENCY_BASE_TYPE_ID = SluiceCounters.JOURNAL_APPEND_LATENCY_BASE_TYPE_ID;
    static final int PROCESSING_LATENCY_BASE_TYPE_ID = SluiceCounters.PROCESSING_LATENCY_BASE_TYPE_ID;

    /** Figures of each latency, in counter order: percentiles and max in microseconds, the count, the sum in nanoseconds. */
    private static final String[] FIGURES = {"p50-us", "p99-us", "p999-us", "p9999-us", "max-us", "count", "sum-ns"};

    private static final long PERIOD_MS = 1000;

    private final EpochClock clock;
    private final MarkFile markFile;
    private final UnsafeBuffer errorLogBuffer;
    private final IngestLatencyRecorder latency;
    private final StageLatencyRecorder stages;
    private final AtomicCounter heartbeat;
    private final AtomicCounter checkpointsCompleted;
    private final AtomicCounter checkpointsFailed;
    private final AtomicCounter lastCheckpointId;
    private final AtomicCounter lastCheckpointAge;
    private final AtomicCounter distinctErrors;
    private final AtomicCounter state;
    private final AtomicCounter[][] latencyCounters;
    /** [partition][RING_WAIT or JOURNAL_APPEND][figure]. */
    private final AtomicCounter[][][] partitionStageCounters;
    /** [pipeline][figure]. */
    private final AtomicCounter[][] processingCounters;
    private final AtomicBoolean resetLatency = new AtomicBoolean();
    private final long[] errorObservations = new long[1];
    /** Partitions by state code, refilled every period. */
    private final int[] partitionStates = new int[PartitionState.values().length];
    private volatile Engine engine;
    private long nextRunMs;

    DaemonCounters(final CountersManager manager, final EpochClock clock, final MarkFile markFile, final UnsafeBuffer errorLogBuffer,
        final IngestLatencyRecorder latency, final StageLatencyRecorder stages)
    {
        this.clock = clock;
        this.markFile = markFile;
        this.errorLogBuffer = errorLogBuffer;
        this.latency = latency;
        this.stages = stages;
        heartbeat = daemonCounter(manager, "heartbeat-ms", HEARTBEAT_TYPE_ID);
        state = daemonCounter(manager, "daemon-state", DAEMON_STATE_TYPE_ID);
        checkpointsCompleted = daemonCounter(manager, "checkpoints-completed", CHECKPOINTS_COMPLETED_TYPE_ID);
        checkpointsFailed = daemonCounter(manager, "checkpoints-failed", CHECKPOINTS_FAILED_TYPE_ID);
        lastCheckpointId = daemonCounter(manager, "last-checkpoint-id", LAST_CHECKPOINT_ID_TYPE_ID);
        lastCheckpointAge = daemonCounter(manager, "last-checkpoint-age-ms", LAST_CHECKPOINT_AGE_TYPE_ID);
        distinctErrors = daemonCounter(manager, "distinct-errors", DISTINCT_ERRORS_TYPE_ID);
        lastCheckpointId.setRelease(-1);
        lastCheckpointAge.setRelease(-1);
        latencyCounters = new AtomicCounter[latency.partitions()][];
        for (int p = 0; p < latency.partitions(); p++)
        {
            latencyCounters[p] = newLatencyCounters(
                manager, "ingest-latency-", ": partition " + p, SluiceCounters.INGEST_LATENCY_BASE_TYPE_ID, p, SluiceCounters.NONE);
        }
        partitionStageCounters = new AtomicCounter[stages.partitions()][][];
        for (int p = 0; p < stages.partitions(); p++)
        {
            partitionStageCounters[p] = new AtomicCounter[][] {
                newLatencyCounters(manager, "ring-wait-latency-", ": partition " + p, RING_WAIT_LATENCY_BASE_TYPE_ID, p, SluiceCounters.NONE),
                newLatencyCounters(manager, "journal-append-latency-", ": partition " + p, JOURNAL_APPEND_LATENCY_BASE_TYPE_ID, p,
                    SluiceCounters.NONE)};
        }
        final List<String> pipelines = stages.pipelineNames();
        processingCounters = new AtomicCounter[pipelines.size()][];
        for (int i = 0; i < processingCounters.length; i++)
        {
            processingCounters[i] = newLatencyCounters(
                manager, "processing-latency-", ": " + pipelines.get(i), PROCESSING_LATENCY_BASE_TYPE_ID, SluiceCounters.NONE, i);
        }
    }

    /**
     * Seven latency figures, keyed by partition (ring wait, journal append) or pipeline id (processing: the
     * index in the engine's pipeline order, as the engine's own counters number pipelines).
     */
    private static AtomicCounter[] newLatencyCounters(final CountersManager manager, final String prefix, final String suffix,
        final int baseTypeId, final int partition, final int pipelineId)
    {
        final AtomicCounter[] counters = new AtomicCounter[FIGURES.length];
        for (int i = 0; i < FIGURES.length; i++)
        {
            counters[i] = SluiceCounters.allocate(manager, baseTypeId + i, prefix + FIGURES[i] + suffix,
                SluiceCounters.NONE, partition, pipelineId, SluiceCounters.NONE, null);
        }
        return counters;
    }

    private static AtomicCounter daemonCounter(final CountersManager manager, final String label, final int typeId)
    {
        return SluiceCounters.allocate(manager, typeId, label, SluiceCounters.NONE, SluiceCounters.NONE, SluiceCounters.NONE,
            SluiceCounters.NONE, null);
    }

    void engine(final Engine engine)
    {
        this.engine = engine;
    }

    void state(final int daemonState)
    {
        // Release store: readers in other processes see the new state as a whole value.
        state.setRelease(daemonState);
    }

    /**
     * Asks the agent to forget accumulated latency on its next duty cycle (any thread).
     */
    void resetLatency()
    {
        resetLatency.set(true);
    }

    @Override
    public int doWork()
    {
        final long now = clock.time();
        if (now < nextRunMs)
        {
            return 0;
        }
        nextRunMs = now + PERIOD_MS;
        markFile.heartbeat(now);
        final Engine current = engine;
        if (current != null)
        {
            SluiceCounters.countPartitionStates(current.context().countersManager(), partitionStates);
            int notRunning = 0;
            for (int code = 0; code < partitionStates.length; code++)
            {
                notRunning += code == PartitionState.RUNNING.code() ? 0 : partitionStates[code];
            }
            markFile.partitions(partitionStates[PartitionState.FAILED.code()], partitionStates[PartitionState.DEGRADED.code()], notRunning);
        }
        heartbeat.setRelease(now);
        if (resetLatency.getAndSet(false))
        {
            latency.reset();
            stages.reset();
        }
        for (int p = 0; p < latencyCounters.length; p++)
        {
            final Histogram histogram = latency.sample(p);
            publish(latencyCounters[p], histogram);
        }
        stages.sample();
        for (int p = 0; p < partitionStageCounters.length; p++)
        {
            publish(partitionStageCounters[p][StageLatencyListener.RING_WAIT], stages.partitionTotal(p, StageLatencyListener.RING_WAIT));
            publish(partitionStageCounters[p][StageLatencyListener.JOURNAL_APPEND],
                stages.partitionTotal(p, StageLatencyListener.JOURNAL_APPEND));
        }
        for (int i = 0; i < processingCounters.length; i++)
        {
            publish(processingCounters[i], stages.pipelineTotal(i));
        }
        final Engine running = engine;
        final CheckpointCoordinator checkpoints = running == null ? null : running.checkpoints();
        if (checkpoints != null)
        {
            checkpointsCompleted.setRelease(checkpoints.completed());
            checkpointsFailed.setRelease(checkpoints.failed());
            final CheckpointManifest last = checkpoints.lastCompleted();
            if (last != null)
            {
                lastCheckpointId.setRelease(last.id());
                lastCheckpointAge.setRelease(Math.max(0, now - last.createdMs()));
            }
        }
        errorObservations[0] = 0;
        ErrorLogReader.read(errorLogBuffer, (count, first, last, text) -> errorObservations[0] += count);
        distinctErrors.setRelease(errorObservations[0]);
        return 1;
    }

    private static void publish(final AtomicCounter[] counters, final Histogram histogram)
    {
        // Release stores: a reader in another process sees each figure whole (figures may be from adjacent samples).
        counters[0].setRelease(micros(histogram.getValueAtPercentile(50)));
        counters[1].setRelease(micros(histogram.getValueAtPercentile(99)));
        counters[2].setRelease(micros(histogram.getValueAtPercentile(99.9)));
        counters[3].setRelease(micros(histogram.getValueAtPercentile(99.99)));
        counters[4].setRelease(micros(histogram.getMaxValue()));
        counters[5].setRelease(histogram.getTotalCount());
        // The sum from the mean: HdrHistogram keeps no running total; exact to its two significant digits.
        counters[6].setRelease(Math.round(histogram.getMean() * histogram.getTotalCount()));
    }

    private static long micros(final long nanos)
    {
        return (nanos + 500) / 1000;
    }

    @Override
    public String roleName()
    {
        return "sluice-stats";
    }
}
