package io.sluice.ops.jmx;

import io.sluice.engine.counters.PartitionState;
import io.sluice.engine.counters.SluiceCounters;
import io.sluice.engine.runtime.Engine;

/**
 * {@link PartitionMXBean} over the partition's engine counters and the daemon's latency counters,
 * found by type id and key (topic id, partition) when the bean is built. Runs on JMX threads.
 */
final class PartitionBean implements PartitionMXBean
{
    private final CounterIndex counters;
    private final DaemonControl daemon;
    private final String topic;
    private final int partition;
    private final int eventsIn;
    private final int journalEnd;
    private final int ringRemaining;
    private final int state;
    private final int errors;
    private final int writerReservations;
    private final int writerReservedBytes;
    private final int journalWrites;
    private final int[] ingest = new int[SluiceCounters.LATENCY_FIGURES];
    private final int[] ringWait = new int[SluiceCounters.LATENCY_FIGURES];
    private final int[] journalAppend = new int[SluiceCounters.LATENCY_FIGURES];

    PartitionBean(final CounterIndex counters, final DaemonControl daemon, final String topic, final String journalTopic, final int partition)
    {
        this.counters = counters;
        this.daemon = daemon;
        this.topic = topic;
        this.partition = partition;
        final int topicId = counters.topicId(journalTopic);
        eventsIn = counters.require(SluiceCounters.EVENTS_IN_TYPE_ID, topicId, partition, SluiceCounters.NONE);
        journalEnd = counters.require(SluiceCounters.JOURNAL_END_TYPE_ID, topicId, partition, SluiceCounters.NONE);
        ringRemaining = counters.require(SluiceCounters.RING_REMAINING_TYPE_ID, topicId, partition, SluiceCounters.NONE);
        state = counters.require(SluiceCounters.PARTITION_STATE_TYPE_ID, topicId, partition, SluiceCounters.NONE);
        errors = counters.require(SluiceCounters.PARTITION_ERRORS_TYPE_ID, topicId, partition, SluiceCounters.NONE);
        writerReservations = counters.require(SluiceCounters.JOURNAL_WRITER_RESERVATIONS_TYPE_ID, topicId, partition, SluiceCounters.NONE);
        writerReservedBytes = counters.require(SluiceCounters.JOURNAL_WRITER_RESERVED_BYTES_TYPE_ID, topicId, partition, SluiceCounters.NONE);
        journalWrites = counters.require(SluiceCounters.JOURNAL_WRITES_TYPE_ID, topicId, partition, SluiceCounters.NONE);
        for (int i = 0; i < SluiceCounters.LATENCY_FIGURES; i++)
        {
            ingest[i] = counters.require(SluiceCounters.INGEST_LATENCY_BASE_TYPE_ID + i, SluiceCounters.NONE, partition, SluiceCounters.NONE);
            ringWait[i] = counters.require(SluiceCounters.RING_WAIT_LATENCY_BASE_TYPE_ID + i, SluiceCounters.NONE, partition, SluiceCounters.NONE);
            journalAppend[i] = counters.require(
                SluiceCounters.JOURNAL_APPEND_LATENCY_BASE_TYPE_ID + i, SluiceCounters.NONE, partition, SluiceCounters.NONE);
        }
    }

    @Override
    public String getState()
    {
        return PartitionState.name(counters.value(state));
    }

    @Override
    public long getPartitionErrors()
    {
        return counters.value(errors);
    }

    @Override
    public String getFailure()
    {
        final Engine engine = daemon.engine();
        final Throwable failure = engine == null ? null : engine.partitionFailure(topic, partition);
        return failure == null ? "" : String.valueOf(failure.getMessage());
    }

    @Override
    public String getTopic()
    {
        return topic;
    }

    @Override
    public int getPartition()
    {
        return partition;
    }

    @Override
    public long getEventsIn()
    {
        return counters.value(eventsIn);
    }

    @Override
    public long getJournalEnd()
    {
        return counters.value(journalEnd);
    }

    @Override
    public long getRingRemaining()
    {
        return counters.value(ringRemaining);
    }

    @Override
    public long getJournalWriterReservations()
    {
        return counters.value(writerReservations);
    }

    @Override
    public long getJournalWriterReservedBytes()
    {
        return counters.value(writerReservedBytes);
    }

    @Override
    public long getJournalWrites()
    {
        return counters.value(journalWrites);
    }

    @Override
    public long getLatencyP50Micros()
    {
        return counters.value(ingest[0]);
    }

    @Override
    public long getLatencyP99Micros()
    {
        return counters.value(ingest[1]);
    }

    @Override
    public long getLatencyP999Micros()
    {
        return counters.value(ingest[2]);
    }

    @Override
    public long getLatencyP9999Micros()
    {
        return counters.value(ingest[3]);
    }

    @Override
    public long getLatencyMaxMicros()
    {
        return counters.value(ingest[4]);
    }

    @Override
    public long getLatencyCount()
    {
        return counters.value(ingest[5]);
    }

    @Override
    public long getRingWaitP50Micros()
    {
        return counters.value(ringWait[0]);
    }

    @Override
    public long getRingWaitP99Micros()
    {
        return counters.value(ringWait[1]);
    }

    @Override
    public long getRingWaitP999Micros()
    {
        return counters.value(ringWait[2]);
    }

    @Override
    public long getRingWaitP9999Micros()
    {
        return counters.value(ringWait[3]);
    }

    @Override
    public long getRingWaitMaxMicros()
    {
        return counters.value(ringWait[4]);
    }

    @Override
    public long getRingWaitCount()
    {
        return counters.value(ringWait[5]);
    }

    @Override
    public long getJournalAppendP50Micros()
    {
        return counters.value(journalAppend[0]);
    }

    @Override
    public long getJournalAppendP99Micros()
    {
        return counters.value(journalAppend[1]);
    }

    @Override
    public long getJournalAppendP999Micros()
    {
        return counters.value(journalAppend[2]);
    }

    @Override
    public long getJournalAppendP9999Micros()
    {
        return counters.value(journalAppend[3]);
    }

    @Override
    public long getJournalAppendMaxMicros()
    {
        return counters.value(journalAppend[4]);
    }

    @Override
    public long getJournalAppendCount()
    {
        return counters.value(journalAppend[5]);
    }
}
