package io.sluice.dashboard;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.status.CountersReader;

import io.sluice.engine.counters.SluiceCounters;

/**
 * Reads the health figures from the counters (the zero-allocation source of truth the partition
 * threads and the daemon's stats agent write), each selected by its type id and the typed ids of its
 * key ({@link SluiceCounters}: topic id, partition, pipeline id), with topic and pipeline names from
 * the directory entries. Labels are never parsed, so a topic or pipeline named {@code a/b c} shows as
 * it is.
 *
 * <p>Type ids read: 1001-1003 per topic partition, 1010-1016 and 1018 per pipeline instance, 2001-2007 daemon
 * figures, the first six figures of the latencies 2010-2046 per partition or pipeline.
 *
 * <p>Threading: the dashboard thread; reading is safe while other threads allocate and write.
 */
final class HealthReader
{
    static final int EVENTS_IN = SluiceCounters.EVENTS_IN_TYPE_ID;
    static final int JOURNAL_END = SluiceCounters.JOURNAL_END_TYPE_ID;
    static final int RING_REMAINING = SluiceCounters.RING_REMAINING_TYPE_ID;
    static final int OUTPUTS = SluiceCounters.OUTPUTS_TYPE_ID;
    static final int ERRORS = SluiceCounters.ERRORS_TYPE_ID;
    static final int LATE = SluiceCounters.LATE_TYPE_ID;
    static final int UNASSIGNED = SluiceCounters.UNASSIGNED_TYPE_ID;
    static final int WATERMARK = SluiceCounters.WATERMARK_TYPE_ID;
    static final int STATE_ENTRIES = SluiceCounters.STATE_ENTRIES_TYPE_ID;
    static final int PIPELINE_STATE = SluiceCounters.PIPELINE_STATE_TYPE_ID;
    static final int SUPPRESSED = SluiceCounters.SUPPRESSED_TYPE_ID;
    static final int HEARTBEAT = SluiceCounters.HEARTBEAT_TYPE_ID;
    static final int CHECKPOINTS_COMPLETED = SluiceCounters.CHECKPOINTS_COMPLETED_TYPE_ID;
    static final int CHECKPOINTS_FAILED = SluiceCounters.CHECKPOINTS_FAILED_TYPE_ID;
    static final int LAST_CHECKPOINT_ID = SluiceCounters.LAST_CHECKPOINT_ID_TYPE_ID;
    static final int LAST_CHECKPOINT_AGE = SluiceCounters.LAST_CHECKPOINT_AGE_TYPE_ID;
    static final int DISTINCT_ERRORS = SluiceCounters.DISTINCT_ERRORS_TYPE_ID;
    static final int DAEMON_STATE = SluiceCounters.DAEMON_STATE_TYPE_ID;
    static final int NET_CLIENT_UP = SluiceCounters.NET_CLIENT_UP_TYPE_ID;
    static final int NET_CLIENT_LOSSES = SluiceCounters.NET_CLIENT_LOSSES_TYPE_ID;
    static final int INGEST_LATENCY_BASE = SluiceCounters.INGEST_LATENCY_BASE_TYPE_ID;
    static final int RING_WAIT_LATENCY_BASE = SluiceCounters.RING_WAIT_LATENCY_BASE_TYPE_ID;
    static final int JOURNAL_APPEND_LATENCY_BASE = SluiceCounters.JOURNAL_APPEND_LATENCY_BASE_TYPE_ID;
    static final int PROCESSING_LATENCY_BASE = SluiceCounters.PROCESSING_LATENCY_BASE_TYPE_ID;
    /** Figures of a latency, in type id order from its base. */
    static final int P50 = 0;
    static final int P99 = 1;
    static final int P999 = 2;
    static final int P9999 = 3;
    static final int MAX = 4;
    static final int COUNT = 5;

    private final CountersReader counters;

    HealthReader(final CountersReader counters)
    {
        this.counters = counters;
    }

    /**
     * Reads every counter once.
     *
     * @return the figures.
     */
    Health read()
    {
        final Health health = new Health();
        final Int2ObjectHashMap<String> topics = new Int2ObjectHashMap<>();
        final Int2ObjectHashMap<String> pipelines = new Int2ObjectHashMap<>();
        counters.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (typeId == SluiceCounters.TOPIC_TYPE_ID)
            {
                topics.put(SluiceCounters.topicId(counters, counterId), SluiceCounters.name(counters, counterId));
            }
            else if (typeId == SluiceCounters.PIPELINE_TYPE_ID)
            {
                pipelines.put(SluiceCounters.pipelineId(counters, counterId), SluiceCounters.name(counters, counterId));
            }
        });
        counters.forEach((counterId, typeId, keyBuffer, label) ->
        {
            final long value = counters.getCounterValue(counterId);
            switch (typeId)
            {
                case EVENTS_IN, JOURNAL_END, RING_REMAINING -> partition(health, topic(topics, counterId), partitionOf(counterId))
                    .set(typeId, value);
                case OUTPUTS, ERRORS, LATE, UNASSIGNED, WATERMARK, STATE_ENTRIES, PIPELINE_STATE, SUPPRESSED -> instance(health,
                    pipeline(pipelines, SluiceCounters.pipelineId(counters, counterId)), topic(topics, counterId), partitionOf(counterId))
                    .set(typeId, value);
                case HEARTBEAT, CHECKPOINTS_COMPLETED, CHECKPOINTS_FAILED, LAST_CHECKPOINT_ID, LAST_CHECKPOINT_AGE, DISTINCT_ERRORS,
                    DAEMON_STATE -> health.daemon.put(typeId, value);
                case NET_CLIENT_UP, NET_CLIENT_LOSSES -> health.network.computeIfAbsent(SluiceCounters.name(counters, counterId),
                    k -> new long[2])[typeId == NET_CLIENT_UP ? 0 : 1] = value;
                default -> latency(health, typeId, pipelines, counterId, value);
            }
        });
        return health;
    }

    private int partitionOf(final int counterId)
    {
        return SluiceCounters.partition(counters, counterId);
    }

    private String topic(final Int2ObjectHashMap<String> topics, final int counterId)
    {
        final int topicId = SluiceCounters.topicId(counters, counterId);
        final String name = topics.get(topicId);
        return name == null ? Integer.toString(topicId) : name;
    }

    private static String pipeline(final Int2ObjectHashMap<String> pipelines, final int pipelineId)
    {
        final String name = pipelines.get(pipelineId);
        return name == null ? Integer.toString(pipelineId) : name;
    }

    private void latency(final Health health, final int typeId, final Int2ObjectHashMap<String> pipelines, final int counterId,
        final long value)
    {
        final int base = typeId - typeId % 10;
        final int figure = typeId % 10;
        if (figure > COUNT)
        {
            return;
        }
        final String stage;
        switch (base)
        {
            case INGEST_LATENCY_BASE -> stage = "ingest";
            case RING_WAIT_LATENCY_BASE -> stage = "ring-wait";
            case JOURNAL_APPEND_LATENCY_BASE -> stage = "journal-append";
            case PROCESSING_LATENCY_BASE -> stage = pipeline(pipelines, SluiceCounters.pipelineId(counters, counterId));
            default ->
            {
                return;
            }
        }
        // Per-partition stages fold into one line: the worst partition's figure (counts add up).
        final long[] figures = health.latency.computeIfAbsent(stage, s -> new long[COUNT + 1]);
        figures[figure] = figure == COUNT ? figures[figure] + value : Math.max(figures[figure], value);
    }

    private static PartitionHealth partition(final Health health, final String topic, final int partition)
    {
        return health.partitions.computeIfAbsent(topic + "/" + partition, k -> new PartitionHealth(topic, partition));
    }

    private static InstanceHealth instance(final Health health, final String pipeline, final String topic, final int partition)
    {
        return health.instances.computeIfAbsent(pipeline + "@" + topic + "/" + partition, k -> new InstanceHealth(pipeline, topic, partition));
    }

    /**
     * Every figure of one read.
     */
    static final class Health
    {
        final Map<String, PartitionHealth> partitions = new LinkedHashMap<>();
        final Map<String, InstanceHealth> instances = new LinkedHashMap<>();
        final Map<Integer, Long> daemon = new LinkedHashMap<>();
        /** Stage name to figures p50, p99, p99.9, p99.99, max (microseconds) and count. */
        final Map<String, long[]> latency = new LinkedHashMap<>();
        /** Network (Aeron) endpoint, by its configuration item, to its client's state: up (1 or 0), losses. */
        final Map<String, long[]> network = new LinkedHashMap<>();

        long daemon(final int typeId, final long absent)
        {
            final Long value = daemon.get(typeId);
            return value == null ? absent : value;
        }

        List<InstanceHealth> instancesOf(final String pipeline)
        {
            final List<InstanceHealth> list = new ArrayList<>();
            for (final InstanceHealth instance : instances.values())
            {
                if (instance.pipeline.equals(pipeline))
                {
                    list.add(instance);
                }
            }
            return list;
        }
    }

    /**
     * One partition of a source topic.
     */
    static final class PartitionHealth
    {
        final String topic;
        final int partition;
        long eventsIn;
        long journalEnd;
        long ringRemaining;

        PartitionHealth(final String topic, final int partition)
        {
            this.topic = topic;
            this.partition = partition;
        }

        void set(final int typeId, final long value)
        {
            switch (typeId)
            {
                case EVENTS_IN -> eventsIn = value;
                case JOURNAL_END -> journalEnd = value;
                default -> ringRemaining = value;
            }
        }
    }

    /**
     * One pipeline on one partition.
     */
    static final class InstanceHealth
    {
        final String pipeline;
        final String topic;
        final int partition;
        long outputs;
        long errors;
        long late;
        long unassigned;
        long watermark;
        long stateEntries;
        long state;
        long suppressed;

        InstanceHealth(final String pipeline, final String topic, final int partition)
        {
            this.pipeline = pipeline;
            this.topic = topic;
            this.partition = partition;
        }

        void set(final int typeId, final long value)
        {
            switch (typeId)
            {
                case OUTPUTS -> outputs = value;
                case ERRORS -> errors = value;
                case LATE -> late = value;
                case UNASSIGNED -> unassigned = value;
                case WATERMARK -> watermark = value;
                case STATE_ENTRIES -> stateEntries = value;
                case SUPPRESSED -> suppressed = value;
                default -> state = value;
            }
        }
    }
}
