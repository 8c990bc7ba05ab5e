package io.sluice.ops.jmx;

/**
 * {@link PartitionMXBean} over the partition's engine counters and the daemon's latency counters.
 * Runs on JMX threads.
 */
final class PartitionBean implements PartitionMXBean
{
    private final CounterIndex counters;
    private final String topic;
    private final int partition;
    private final String where;
    private final String latencyWhere;

    PartitionBean(final CounterIndex counters, final String topic, final int partition)
    {
        this.counters = counters;
        this.topic = topic;
        this.partition = partition;
        this.where = ": " + topic + "/" + partition;
        this.latencyWhere = ": partition " + partition;
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
        return counters.value("events-in" + where, 0);
    }

    @Override
    public long getJournalEnd()
    {
        return counters.value("journal-end" + where, 0);
    }

    @Override
    public long getRingRemaining()
    {
        return counters.value("ring-remaining" + where, 0);
    }

    @Override
    public long getLatencyP50Micros()
    {
        return counters.value("ingest-latency-p50-us" + latencyWhere, 0);
    }

    @Override
    public long getLatencyP99Micros()
    {
        return counters.value("ingest-latency-p99-us" + latencyWhere, 0);
    }

    @Override
    public long getLatencyP999Micros()
    {
        return counters.value("ingest-latency-p999-us" + latencyWhere, 0);
    }

    @Override
    public long getLatencyP9999Micros()
    {
        return counters.value("ingest-latency-p9999-us" + latencyWhere, 0);
    }

    @Override
    public long getLatencyMaxMicros()
    {
        return counters.value("ingest-latency-max-us" + latencyWhere, 0);
    }

    @Override
    public long getLatencyCount()
    {
        return counters.value("ingest-latency-count" + latencyWhere, 0);
    }

    @Override
    public long getRingWaitP50Micros()
    {
        return counters.value("ring-wait-latency-p50-us" + latencyWhere, 0);
    }

    @Override
    public long getRingWaitP99Micros()
    {
        return counters.value("ring-wait-latency-p99-us" + latencyWhere, 0);
    }

    @Override
    public long getRingWaitP999Micros()
    {
        return counters.value("ring-wait-latency-p999-us" + latencyWhere, 0);
    }

    @Override
    public long getRingWaitP9999Micros()
    {
        return counters.value("ring-wait-latency-p9999-us" + latencyWhere, 0);
    }

    @Override
    public long getRingWaitMaxMicros()
    {
        return counters.value("ring-wait-latency-max-us" + latencyWhere, 0);
    }

    @Override
    public long getRingWaitCount()
    {
        return counters.value("ring-wait-latency-count" + latencyWhere, 0);
    }

    @Override
    public long getJournalAppendP50Micros()
    {
        return counters.value("journal-append-latency-p50-us" + latencyWhere, 0);
    }

    @Override
    public long getJournalAppendP99Micros()
    {
        return counters.value("journal-append-latency-p99-us" + latencyWhere, 0);
    }

    @Override
    public long getJournalAppendP999Micros()
    {
        return counters.value("journal-append-latency-p999-us" + latencyWhere, 0);
    }

    @Override
    public long getJournalAppendP9999Micros()
    {
        return counters.value("journal-append-latency-p9999-us" + latencyWhere, 0);
    }

    @Override
    public long getJournalAppendMaxMicros()
    {
        return counters.value("journal-append-latency-max-us" + latencyWhere, 0);
    }

    @Override
    public long getJournalAppendCount()
    {
        return counters.value("journal-append-latency-count" + latencyWhere, 0);
    }
}
