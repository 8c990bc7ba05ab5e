package io.sluice.engine.runtime;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import io.sluice.engine.counters.SluiceCounters;
import io.sluice.engine.exec.PipelineInstance;

/**
 * The engine's counters, allocated from an Agrona {@link CountersManager} so that they can live in a
 * memory-mapped file and be read by other processes without any cooperation from the engine (like
 * AeronStat). Type ids and the key layout are in the registry, {@link SluiceCounters}: every counter's
 * key carries the topic id, partition and pipeline id, and readers find counters by type id and key.
 * Labels ({@code <name>: <topic>/<partition>[ <pipeline>]}) are for people only.
 *
 * <p>Threading: allocated on the launching thread; each counter has one writer, its partition thread,
 * which updates them at the end of every batch with release stores; readers on other threads see
 * values at most one batch old.
 */
public final class EngineCounters
{
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

        final AtomicCounter state;
        final AtomicCounter errors;
        /** The journal writer's own reservations ({@code Partition.writerReservations()}), and their bytes. */
        final AtomicCounter writerReservations;
        final AtomicCounter writerReservedBytes;
        /** The journal writer's positional writes with staged writes ({@code PartitionWriter.stagedWriteCount()}). */
        final AtomicCounter journalWrites;

        PartitionCounters(final CountersManager manager, final String topic, final int topicId, final int partition)
        {
            final String where = ": " + topic + "/" + partition;
            eventsIn = partitionCounter(manager, SluiceCounters.EVENTS_IN_TYPE_ID, "events-in" + where, topicId, partition);
            journalEnd = partitionCounter(manager, SluiceCounters.JOURNAL_END_TYPE_ID, "journal-end" + where, topicId, partition);
            ringRemaining = partitionCounter(manager, SluiceCounters.RING_REMAINING_TYPE_ID, "ring-remaining" + where, topicId, partition);
            state = partitionCounter(manager, SluiceCounters.PARTITION_STATE_TYPE_ID, "partition-state" + where, topicId, partition);
            errors = partitionCounter(manager, SluiceCounters.PARTITION_ERRORS_TYPE_ID, "partition-errors" + where, topicId, partition);
            writerReservations = partitionCounter(manager, SluiceCounters.JOURNAL_WRITER_RESERVATIONS_TYPE_ID,
                "journal-writer-reservations" + where, topicId, partition);
            writerReservedBytes = partitionCounter(manager, SluiceCounters.JOURNAL_WRITER_RESERVED_BYTES_TYPE_ID,
                "journal-writer-reserved-bytes" + where, topicId, partition);
            journalWrites = partitionCounter(manager, SluiceCounters.JOURNAL_WRITES_TYPE_ID, "journal-writes" + where, topicId, partition);
            // Release store: a reader sees STARTING until the partition thread takes over.
            state.setRelease(io.sluice.engine.counters.PartitionState.STARTING.code());
        }

        private static AtomicCounter partitionCounter(
            final CountersManager manager, final int typeId, final String label, final int topicId, final int partition)
        {
            return SluiceCounters.allocate(manager, typeId, label, topicId, partition, SluiceCounters.NONE, SluiceCounters.NONE, null);
        }

        void close()
        {
            eventsIn.close();
            journalEnd.close();
            ringRemaining.close();
            state.close();
            errors.close();
            writerReservations.close();
            writerReservedBytes.close();
            journalWrites.close();
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
        final AtomicCounter suppressed;

        InstanceCounters(
            final CountersManager manager, final String topic, final int topicId, final int partition, final String pipeline,
            final int pipelineId)
        {
            final String where = ": " + topic + "/" + partition + " " + pipeline;
            final int[] ids = {topicId, partition, pipelineId};
            outputs = instanceCounter(manager, SluiceCounters.OUTPUTS_TYPE_ID, "outputs" + where, ids);
            errors = instanceCounter(manager, SluiceCounters.ERRORS_TYPE_ID, "errors" + where, ids);
            late = instanceCounter(manager, SluiceCounters.LATE_TYPE_ID, "late" + where, ids);
            unassigned = instanceCounter(manager, SluiceCounters.UNASSIGNED_TYPE_ID, "unassigned" + where, ids);
            watermark = instanceCounter(manager, SluiceCounters.WATERMARK_TYPE_ID, "watermark" + where, ids);
            stateEntries = instanceCounter(manager, SluiceCounters.STATE_ENTRIES_TYPE_ID, "state-entries" + where, ids);
            stateBytes = instanceCounter(manager, SluiceCounters.STATE_BYTES_TYPE_ID, "state-bytes" + where, ids);
            state = instanceCounter(manager, SluiceCounters.PIPELINE_STATE_TYPE_ID, "state" + where, ids);
            suppressed = instanceCounter(manager, SluiceCounters.SUPPRESSED_TYPE_ID, "suppressed" + where, ids);
        }

        private static AtomicCounter instanceCounter(final CountersManager manager, final int typeId, final String label, final int[] ids)
        {
            return SluiceCounters.allocate(manager, typeId, label, ids[0], ids[1], ids[2], SluiceCounters.NONE, null);
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
            suppressed.setRelease(instance.suppressedOutputs());
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
            suppressed.close();
        }
    }

    /**
     * The directory entry of a topic (its id and name, value = partitions), for readers in other processes.
     *
     * @param manager    to allocate from.
     * @param topic      journal topic name.
     * @param topicId    its id.
     * @param partitions of the topic.
     * @return the counter.
     */
    static AtomicCounter topicEntry(final CountersManager manager, final String topic, final int topicId, final int partitions)
    {
        final AtomicCounter counter = SluiceCounters.allocate(manager, SluiceCounters.TOPIC_TYPE_ID, "topic: " + topic,
            topicId, SluiceCounters.NONE, SluiceCounters.NONE, SluiceCounters.NONE, topic);
        counter.setRelease(partitions);
        return counter;
    }

    /**
     * The directory entry of a pipeline (its id and name), for readers in other processes.
     *
     * @param manager    to allocate from.
     * @param pipeline   name.
     * @param topicId    of its journal topic.
     * @param pipelineId its id.
     * @return the counter.
     */
    static AtomicCounter pipelineEntry(final CountersManager manager, final String pipeline, final int topicId, final int pipelineId)
    {
        return SluiceCounters.allocate(manager, SluiceCounters.PIPELINE_TYPE_ID, "pipeline: " + pipeline,
            topicId, SluiceCounters.NONE, pipelineId, SluiceCounters.NONE, pipeline);
    }
}
