package io.sluice.engine.runtime;

import org.agrona.concurrent.errors.DistinctErrorLog;

import io.sluice.engine.exec.StageErrorHandler;
import io.sluice.engine.pipeline.ErrorPolicy;
import io.sluice.journal.PartitionWriter;
import io.sluice.schema.EventFlyweight;

/**
 * Where the pipeline instances of one partition report failures of user code: every failure goes to
 * the engine's distinct error log, and an event failing under DEAD_LETTER is appended to the group's
 * dead-letter topic, then told to the engine's {@link DeadLetterListener}, if any. Built before the instances
 * and the {@link PartitionProcessor}, so that neither needs the other to exist first.
 *
 * <p>Threading: built on a recovering thread with its instances ({@link PartitionPreparation}), given its dead-letter
 * writer by the launching thread before any stage runs, then the partition thread's, the single writer of the
 * dead-letter partition once {@link #releaseOwnership()} handed it over.
 */
final class PartitionStageErrors implements StageErrorHandler
{
    private final DistinctErrorLog errorLog;
    private final int partition;
    private PartitionWriter deadLetterWriter;
    private DeadLetterListener deadLetterListener;

    /**
     * @param errorLog         of the engine.
     * @param partition        of the engine these instances run on.
     * @param deadLetterWriter of the partition's dead-letter topic, or null when no stage needs one (or until
     *                         {@link #deadLetters} gives it).
     */
    PartitionStageErrors(final DistinctErrorLog errorLog, final int partition, final PartitionWriter deadLetterWriter)
    {
        this.errorLog = errorLog;
        this.partition = partition;
        this.deadLetterWriter = deadLetterWriter;
    }

    /**
     * Gives the partition's dead-letter writer and listener once the journal is open, before any stage runs.
     *
     * @param writer   of the partition's dead-letter topic, or null when no stage needs one.
     * @param listener told of each dead-lettered event after its append, or null.
     */
    void deadLetters(final PartitionWriter writer, final DeadLetterListener listener)
    {
        this.deadLetterWriter = writer;
        this.deadLetterListener = listener;
    }

    DistinctErrorLog errorLog()
    {
        return errorLog;
    }

    /**
     * Hands the dead-letter writer to the thread that calls next (the partition thread, at its start).
     */
    void releaseOwnership()
    {
        if (deadLetterWriter != null)
        {
            deadLetterWriter.releaseOwnership();
        }
    }

    @Override
    public void onStageError(
        final String pipeline,
        final String stage,
        final ErrorPolicy policy,
        final EventFlyweight event,
        final long key,
        final long timestamp,
        final Throwable error)
    {
        errorLog.record(error);
        if (policy == ErrorPolicy.DEAD_LETTER && deadLetterWriter != null)
        {
            deadLetterWriter.append(PartitionProcessor.RECORD_EVENT, 0, timestamp, key, event.buffer(), event.offset(), event.length());
            final DeadLetterListener listener = deadLetterListener;
            if (listener != null)
            {
                try
                {
                    listener.onDeadLetter(pipeline, stage, partition, event, key, timestamp, error);
                }
                catch (final RuntimeException ex)
                {
                    // The event is in the dead-letter topic already: a listener's failure is recorded, the partition goes on.
                    errorLog.record(ex);
                }
            }
        }
    }
}
