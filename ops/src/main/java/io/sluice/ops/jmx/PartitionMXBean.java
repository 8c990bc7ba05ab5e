package io.sluice.ops.jmx;

/**
 * One partition of a source topic, registered as
 * {@code io.sluice:type=Partition,topic=<topic>,partition=<n>}. Latency is ingest to processed
 * (journaled and through every fused pipeline), in microseconds, accumulated since start or the last
 * {@code resetLatency}; partition numbers share one histogram across source topics. RingWait* and
 * JournalAppend* are the first two stages of that latency alone, measured the same way (the
 * pipelines' own stage is on {@link PipelineMXBean}).
 */
public interface PartitionMXBean
{
    /**
     * The topic.
     *
     * @return the topic name.
     */
    String getTopic();

    /**
     * The partition number.
     *
     * @return the partition.
     */
    int getPartition();

    /**
     * The partition's state: STARTING, RUNNING, PAUSED, HALTED, DEGRADED, FAILED or CLOSED (see the
     * engine's PartitionState).
     *
     * @return the state's name.
     */
    String getState();

    /**
     * Journal failures of the partition.
     *
     * @return the count.
     */
    long getPartitionErrors();

    /**
     * Why the partition FAILED.
     *
     * @return the cause's message, or an empty string while it has not failed.
     */
    String getFailure();

    /**
     * Events received.
     *
     * @return the count.
     */
    long getEventsIn();

    /**
     * One past the last journaled offset.
     *
     * @return the offset.
     */
    long getJournalEnd();

    /**
     * Free slots of the ring.
     *
     * @return the count.
     */
    long getRingRemaining();

    /**
     * Times the partition's journal writer found no reserved space ahead and wrote the zeros itself while its event
     * waited (the journal's allocator duty was behind, for example without a CPU on a loaded machine): 0 where the
     * duty keeps up. Each is at most a megabyte of zeros written on the partition's thread.
     *
     * @return the count since start.
     */
    long getJournalWriterReservations();

    /**
     * Bytes of zeros the journal writer's own reservations ({@link #getJournalWriterReservations()}) wrote.
     *
     * @return bytes since start.
     */
    long getJournalWriterReservedBytes();

    /**
     * Positional writes ({@code pwrite}) of the partition's journal writer with staged writes (the engine's default):
     * one per run of events the partition took at once, so events journaled divided by this is the records per write;
     * 0 with mapped writes ({@code -Dsluice.journal.staged.writes=false}).
     *
     * @return the count since start.
     */
    long getJournalWrites();

    /**
     * Median latency.
     *
     * @return microseconds.
     */
    long getLatencyP50Micros();

    /**
     * 99th percentile latency.
     *
     * @return microseconds.
     */
    long getLatencyP99Micros();

    /**
     * 99.9th percentile latency.
     *
     * @return microseconds.
     */
    long getLatencyP999Micros();

    /**
     * 99.99th percentile latency.
     *
     * @return microseconds.
     */
    long getLatencyP9999Micros();

    /**
     * Largest latency.
     *
     * @return microseconds.
     */
    long getLatencyMaxMicros();

    /**
     * Events measured.
     *
     * @return the count.
     */
    long getLatencyCount();

    /**
     * Median ring wait (publication to pick-up by the partition thread).
     *
     * @return microseconds.
     */
    long getRingWaitP50Micros();

    /**
     * 99th percentile ring wait (publication to pick-up by the partition thread).
     *
     * @return microseconds.
     */
    long getRingWaitP99Micros();

    /**
     * 99.9th percentile ring wait (publication to pick-up by the partition thread).
     *
     * @return microseconds.
     */
    long getRingWaitP999Micros();

    /**
     * 99.99th percentile ring wait (publication to pick-up by the partition thread).
     *
     * @return microseconds.
     */
    long getRingWaitP9999Micros();

    /**
     * Largest ring wait (publication to pick-up by the partition thread).
     *
     * @return microseconds.
     */
    long getRingWaitMaxMicros();

    /**
     * Events measured for ring wait (publication to pick-up by the partition thread).
     *
     * @return the count.
     */
    long getRingWaitCount();

    /**
     * Median journal append.
     *
     * @return microseconds.
     */
    long getJournalAppendP50Micros();

    /**
     * 99th percentile journal append.
     *
     * @return microseconds.
     */
    long getJournalAppendP99Micros();

    /**
     * 99.9th percentile journal append.
     *
     * @return microseconds.
     */
    long getJournalAppendP999Micros();

    /**
     * 99.99th percentile journal append.
     *
     * @return microseconds.
     */
    long getJournalAppendP9999Micros();

    /**
     * Largest journal append.
     *
     * @return microseconds.
     */
    long getJournalAppendMaxMicros();

    /**
     * Events measured for journal append.
     *
     * @return the count.
     */
    long getJournalAppendCount();
}
