package io.sluice.dashboard;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.agrona.concurrent.status.CountersReader;

/**
 * Reads the health figures from the counters (the zero-allocation source of truth the partition
 * threads and the daemon's stats agent write): the only class of the dashboard that knows counter
 * type ids and label formats, so that a change of how counters are keyed changes this class alone.
 *
 * <p>Type ids read (see the engine's EngineCounters and the daemon's DaemonCounters): 1001-1003 per
 * topic partition, 1010-1016 per pipeline instance (labels {@code <name>: <topic>/<partition>
 * <pipeline>}), 2001-2007 daemon figures, 2010-2045 latency figures per partition or pipeline.
 *
 * <p>Threading: the dashboard thread; reading is safe while other threads allocate and write.
 */
final class HealthReader
{
    static final int EVENTS_IN = 1001;
    static final int JOURNAL_END = 1002;
    static final int RING_REMAINING = 1003;
    static final int OUTPUTS = 1010;
    static final int ERRORS = 1011;
    static final int LATE = 1012;
    static final int UNASSIGNED = 1013;
    static final int WATERMARK = 1014;
    static final int STATE_ENTRIES = 1015;
    static final int PIPELINE_STATE = 1016;
    static final int HEARTBEAT = 2001;
    static final int CHECKPOINTS_COMPLETED = 2002;
    static final int CHECKPOINTS_FAILED = 2003;
    static final int LAST_CHECKPOINT_ID = 2004;
    static final int LAST_CHECKPOINT_AGE = 2005;
    static final int DISTINCT_ERRORS = 2006;
    static final int DAEMON_STATE = 2007;
    static final int INGEST_LATENCY_BASE = 2010;
    static final int RING_WAIT_LATENCY_BASE = 2020;
    static final int JOURNAL_APPEND_LATENCY_BASE = 2030;
    static final int PROCESSING_LATENCY_BASE = 2040;
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
        counters.forEach((counterId, typeId, keyBuffer, label) ->
        {
            final long value = counters.getCounterValue(counterId);
            final String where = where(label);
            switch (typeId)
            {
                case EVENTS_IN, JOURNAL_END, RING_REMAINING -> partition(health, where).set(typeId, value);
                case OUTPUTS, ERRORS, LATE, UNASSIGNED, WATERMARK, STATE_ENTRIES, PIPELINE_STATE -> instance(health, where).set(typeId, value);
                case HEARTBEAT, CHECKPOINTS_COMPLETED, CHECKPOINTS_FAILED, LAST_CHECKPOINT_ID, LAST_CHECKPOINT_AGE, DISTINCT_ERRORS,
                    DAEMON_STATE -> health.daemon.put(typeId, value);
                default -> latency(health, typeId, where, value);
            }
        });
        return health;
    }

    private static void latency(final Health health, final int typeId, final String where, final long value)
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
            case PROCESSING_LATENCY_BASE -> stage = where;
            default ->
            {
                return;
            }
        }
        // Per-partition stages fold into one line: the worst partition's figure (counts add up).
        final long[] figures = health.latency.computeIfAbsent(stage, s -> new long[COUNT + 1]);
        figures[figure] = figure == COUNT ? figures[figure] + value : Math.max(figures[figure], value);
    }

    private static String where(final String label)
    {
        final int colon = label.indexOf(": ");
        return colon < 0 ? "" : label.substring(colon + 2);
    }

    private static PartitionHealth partition(final Health health, final String where)
    {
        final int slash = where.lastIndexOf('/');
        final String topic = slash < 0 ? where : where.substring(0, slash);
        final int partition = slash < 0 ? 0 : parse(where.substring(slash + 1));
        final String id = topic + "/" + partition;
        return health.partitions.computeIfAbsent(id, k -> new PartitionHealth(topic, partition));
    }

    private static InstanceHealth instance(final Health health, final String where)
    {
        final int space = where.indexOf(' ');
        final String topicPartition = space < 0 ? where : where.substring(0, space);
        final String pipeline = space < 0 ? "" : where.substring(space + 1);
        final int slash = topicPartition.lastIndexOf('/');
        final String topic = slash < 0 ? topicPartition : topicPartition.substring(0, slash);
        final int partition = slash < 0 ? 0 : parse(topicPartition.substring(slash + 1));
        return health.instances.computeIfAbsent(pipeline + "@" + topic + "/" + partition,
            k -> new InstanceHealth(pipeline, topic, partition));
    }

    private static int parse(final String text)
    {
        try
        {
            return Integer.parseInt(text.trim());
        }
        catch (final NumberFormatException ex)
        {
            return 0;
        }
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
                default -> state = value;
            }
        }
    }
}
