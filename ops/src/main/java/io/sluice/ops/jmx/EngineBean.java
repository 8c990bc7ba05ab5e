package io.sluice.ops.jmx;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.sluice.engine.checkpoint.CheckpointManifest;
import io.sluice.engine.counters.SluiceCounters;
import io.sluice.engine.runtime.Engine;

/**
 * {@link EngineMXBean} over the daemon. Runs on JMX (RMI) threads; attributes read the counters file.
 */
final class EngineBean implements EngineMXBean
{
    private final DaemonControl daemon;
    private final CounterIndex counters;

    EngineBean(final DaemonControl daemon, final CounterIndex counters)
    {
        this.daemon = daemon;
        this.counters = counters;
    }

    @Override
    public String getState()
    {
        return daemon.state();
    }

    @Override
    public long getPid()
    {
        return daemon.pid();
    }

    @Override
    public long getUptimeMillis()
    {
        return System.currentTimeMillis() - daemon.startTimeMs();
    }

    @Override
    public String[] getPipelines()
    {
        return daemon.engine() == null ? new String[0] : daemon.engine().pipelineNames().toArray(new String[0]);
    }

    @Override
    public String[] getTopics()
    {
        return daemon.engine() == null ? new String[0] : daemon.engine().topicNames().toArray(new String[0]);
    }

    @Override
    public int getPartitions()
    {
        return daemon.engine() == null ? 0 : daemon.engine().partitionCount();
    }

    @Override
    public String[] getProcessingThreads()
    {
        final java.util.List<String> threads = new java.util.ArrayList<>();
        if (daemon.engine() == null)
        {
            return new String[0];
        }
        daemon.engine().processingThreads().forEach((thread, partitions) -> threads.add(thread + ": " + String.join(" ", partitions)));
        return threads.toArray(new String[0]);
    }

    @Override
    public long getCheckpointsCompleted()
    {
        return counters.value(counters.require(SluiceCounters.CHECKPOINTS_COMPLETED_TYPE_ID));
    }

    @Override
    public long getCheckpointsFailed()
    {
        return counters.value(counters.require(SluiceCounters.CHECKPOINTS_FAILED_TYPE_ID));
    }

    @Override
    public long getLastCheckpointId()
    {
        return counters.value(counters.require(SluiceCounters.LAST_CHECKPOINT_ID_TYPE_ID));
    }

    @Override
    public long getLastCheckpointAgeMillis()
    {
        return counters.value(counters.require(SluiceCounters.LAST_CHECKPOINT_AGE_TYPE_ID));
    }

    @Override
    public String[] getRecoveryEvents()
    {
        return daemon.engine() == null ? new String[0] : daemon.engine().recoveryEvents().toArray(new String[0]);
    }

    @Override
    public long getErrors()
    {
        return counters.value(counters.require(SluiceCounters.DISTINCT_ERRORS_TYPE_ID));
    }

    @Override
    public String checkpointNow()
    {
        final ScaleOutMXBean scaleOut = scaleOut();
        if (scaleOut != null)
        {
            return perPartition(scaleOut.checkpointPartitions());
        }
        final Engine engine = requireEngine();
        final CheckpointManifest manifest;
        try
        {
            manifest = engine.checkpoint().get(60, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the checkpoint");
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException("checkpoint failed: " + ex.getCause().getMessage());
        }
        catch (final TimeoutException ex)
        {
            throw new IllegalStateException("checkpoint did not complete within 60 s (it may still complete)");
        }
        catch (final RuntimeException ex)
        {
            // Engine exceptions are project classes a generic JMX client cannot load: pass the message only.
            throw new IllegalStateException(ex.getMessage());
        }
        return "checkpoint " + manifest.id() + " complete: " + manifest.partitions().size() + " partitions, created at " +
            java.time.Instant.ofEpochMilli(manifest.createdMs());
    }

    @Override
    public void pause(final String pipeline)
    {
        final ScaleOutMXBean scaleOut = scaleOut();
        if (scaleOut != null)
        {
            scaleOut.pause(pipeline);
            return;
        }
        try
        {
            requireEngine().pause(pipeline);
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException(ex.getMessage());
        }
    }

    @Override
    public void resume(final String pipeline)
    {
        final ScaleOutMXBean scaleOut = scaleOut();
        if (scaleOut != null)
        {
            scaleOut.resume(pipeline);
            return;
        }
        try
        {
            requireEngine().resume(pipeline);
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException(ex.getMessage());
        }
    }

    @Override
    public void replay(final String pipeline, final long fromOffset)
    {
        final ScaleOutMXBean scaleOut = scaleOut();
        if (scaleOut != null)
        {
            scaleOut.replay(pipeline, fromOffset);
            return;
        }
        try
        {
            requireEngine().replay(pipeline, fromOffset);
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException(ex.getMessage());
        }
    }

    @Override
    public void replayFromTime(final String pipeline, final long fromEpochMillis)
    {
        final ScaleOutMXBean scaleOut = scaleOut();
        if (scaleOut != null)
        {
            scaleOut.replayFromTime(pipeline, fromEpochMillis);
            return;
        }
        try
        {
            requireEngine().replayFromTime(pipeline, fromEpochMillis);
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException(ex.getMessage());
        }
    }

    /** The engine of a daemon that runs every partition in one. */
    private Engine requireEngine()
    {
        final Engine engine = daemon.engine();
        if (engine == null)
        {
            throw new IllegalStateException("the daemon has no engine running");
        }
        return engine;
    }

    /**
     * A scale-out daemon's operations, which act on the engine of every partition it owns (its
     * {@code io.sluice:type=ScaleOut} bean says per partition what happened); null for other daemons.
     */
    private ScaleOutMXBean scaleOut()
    {
        final io.sluice.kafka.KafkaGroupMember member = daemon.scaleOut();
        return member == null ? null : new ScaleOutBean(daemon.counters(), member);
    }

    private static String perPartition(final String[] lines)
    {
        return lines.length == 0 ? "no partition owned: nothing to checkpoint" : String.join("\n", lines);
    }

    @Override
    public void resetLatency()
    {
        daemon.resetLatency();
    }

    @Override
    public String[] getErrorLog()
    {
        final java.util.List<String> entries = new java.util.ArrayList<>();
        org.agrona.concurrent.errors.ErrorLogReader.read(daemon.errorLog(), (count, first, last, text) ->
            entries.add(count + " observations from " + java.time.Instant.ofEpochMilli(first) + " to " +
                java.time.Instant.ofEpochMilli(last) + ":\n" + text));
        return entries.toArray(new String[0]);
    }
}
