package io.sluice.engine.runtime;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import io.sluice.engine.exec.PipelineInstance;

/**
 * The engine's counters, allocated from an Agrona {@link CountersManager} so that they can live in a
 * memory-mapped file and be read by other processes without any cooperation from the engine (like
 * AeronStat). Labels read {@code <name>: <topic>/<partition>[ <pipeline>]}; type ids are below.
 *
 * <p>Threading: each counter has one writer, its partition thread, which updates them at the end of
 * every batch with release stores; readers on other threads see values at most one batch old.
 */
public final class EngineCounters
{
    /** Events received by a partition. */
    public static final int EVENTS_IN_TYPE_ID = 1001;
    /** One past the partition's last journaled offset. */
    public static final int JOURNAL_END_TYPE_ID = 1002;
    /** Free slots of the partition's ring. */
    public static final int RING_REMAINING_TYPE_ID = 1003;
    /** Outputs delivered by a pipeline instance. */
    public static final int OUTPUTS_TYPE_ID = 1010;
    /** Failures of user code in a pipeline instance. */
    public static final int ERRORS_TYPE_ID = 1011;
    /** Events later than the allowed lateness. */
    public static final int LATE_TYPE_ID = 1012;
    /** Events in gaps of hopping windows. */
    public static final int UNASSIGNED_TYPE_ID = 1013;
    /** Watermark of a pipeline instance. */
    public static final int WATERMARK_TYPE_ID = 1014;
    /** Entries of window state. */
    public static final int STATE_ENTRIES_TYPE_ID = 1015;
    /** 0 running, 1 halted. */
    public static final int PIPELINE_STATE_TYPE_ID = 1016;
    /** Bytes of join state (records and table rows) held. */
    public static final int STATE_BYTES_TYPE_ID = 1017;

    private EngineCounters()
    {
    }

    /**
     * Counters of one partition of a topic.
     */
    static final class PartitionCounters
    {
        final AtomicCounter eventsIn;
        final AtomicCounter journalEnd;
        final AtomicCounter ringRemaining;

        PartitionCounters(final CountersManager manager, final String topic, final int partition)
        {
            final String where = ": " + topic + "/" + partition;
            eventsIn = manager.newCounter("events-in" + where, EVENTS_IN_TYPE_ID);
            journalEnd = manager.newCounter("journal-end" + where, JOURNAL_END_TYPE_ID);
            ringRemaining = manager.newCounter("ring-remaining" + where, RING_REMAINING_TYPE_ID);
        }

        void close()
        {
            eventsIn.close();
            journalEnd.close();
            ringRemaining.close();
        }
    }

    /**
     * Counters of one pipeline instance.
     */
    static final class InstanceCounters
    {
        final AtomicCounter outputs;
        final AtomicCounter errors;
        final AtomicCounter late;
        final AtomicCounter unassigned;
        final AtomicCounter watermark;
        final AtomicCounter stateEntries;
        final AtomicCounter stateBytes;
        final AtomicCounter state;

        InstanceCounters(final CountersManager manager, final String topic, final int partition, final String pipeline)
        {
            final String where = ": " + topic + "/" + partition + " " + pipeline;
            outputs = manager.newCounter("outputs" + where, OUTPUTS_TYPE_ID);
            errors = manager.newCounter("errors" + where, ERRORS_TYPE_ID);
            late = manager.newCounter("late" + where, LATE_TYPE_ID);
            unassigned = manager.newCounter("unassigned" + where, UNASSIGNED_TYPE_ID);
            watermark = manager.newCounter("watermark" + where, WATERMARK_TYPE_ID);
            stateEntries = manager.newCounter("state-entries" + where, STATE_ENTRIES_TYPE_ID);
            stateBytes = manager.newCounter("state-bytes" + where, STATE_BYTES_TYPE_ID);
            state = manager.newCounter("state" + where, PIPELINE_STATE_TYPE_ID);
        }

        void update(final PipelineInstance instance)
        {
            // Release stores: a reader on another thread sees whole values, at most one batch old.
            outputs.setRelease(instance.outputs());
            errors.setRelease(instance.errors());
            late.setRelease(instance.lateEvents());
            unassigned.setRelease(instance.unassignedEvents());
            watermark.setRelease(instance.watermark());
            stateEntries.setRelease(instance.stateEntries());
            stateBytes.setRelease(instance.joinStateBytes());
            state.setRelease(instance.state());
        }

        void close()
        {
            outputs.close();
            errors.close();
            late.close();
            unassigned.close();
            watermark.close();
            stateEntries.close();
            stateBytes.close();
            state.close();
        }
    }
}
