package io.sluice.engine.counters;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * The registry of every counter type Sluice allocates, the layout of their keys, and the readers
 * that find a counter by type id and key (as Aeron's {@code AeronCounters} and
 * {@code ArchiveCounters.find} do). Labels are for people only: no reader in Sluice parses one, so a
 * topic or pipeline named {@code a/b c}, or a reworded label, changes nothing a tool reads.
 *
 * <p>Type ids, by owner:
 * <pre>
 *   engine, per topic / partition / pipeline instance (1000-1999)
 *     1000 topic              value: partitions; key names the topic (directory entry)
 *     1001 events-in          1002 journal-end        1003 ring-remaining
 *     1004 partition-state    value: a {@link PartitionState} code
 *     1005 partition-errors   journal failures and allocation retries of the partition
 *     1009 pipeline           value: 0; key: topic id, pipeline id, name (directory entry)
 *     1010 outputs            1011 errors             1012 late
 *     1013 unassigned         1014 watermark          1015 state-entries
 *     1016 pipeline-state     value: 0 running, 1 halted (per instance)
 *     1017 state-bytes        1018 suppressed (outputs dropped by the pipeline's alert suppression)
 *   daemon (2000-2999)
 *     2001 heartbeat-ms       2002 checkpoints-completed   2003 checkpoints-failed
 *     2004 last-checkpoint-id 2005 last-checkpoint-age-ms  2006 distinct-errors
 *     2007 daemon-state       2008 kafka-sink-start-retries (attempts to open a Kafka sink that failed at start)
 *     2010..2016 ingest latency p50, p99, p999, p9999, max (us), count, sum (ns)   per partition
 *     2020..2026 ring-wait latency, same figures                                   per partition
 *     2030..2036 journal-append latency, same figures                              per partition
 *     2040..2046 processing latency, same figures                                  per pipeline
 *   network components (3000-3999)
 *     3001 net-frames-rejected (detail: error code)   3002 net-frames-in   3003 net-events-in
 *     3004 net-back-pressure  3005 net-duplicates  3006 net-acks-out  3007 net-records-out
 *     3008 net-sessions       3009 net-commits     3010 net-duty-cycles  3011 net-engine-waits
 *     3012 net-engine-long-waits  3013 net-client-up (1 while the Aeron client is connected, 0 while it reconnects)
 *     3014 net-client-losses (times the Aeron client died: conductor starved, media driver gone)
 *     3015 net-commits-pending (consumer commits accepted, not yet durable: not yet answered COMMITTED)
 *     3016 net-commit-stores  3017 net-commit-store-failures  (offsets files stored / failed by the background writer)
 *     3018 net-commit-store-us (total time of those stores, microseconds)  3019 net-commit-store-max-us (the longest)
 *     3101..3110 PostgreSQL CDC component (cdc module's PostgresCdcComponent; key name: the slot)
 *     3201 kafka-owned        value: 1 while this daemon runs the partition, else 0
 *     3202 kafka-lag          records behind the partition's end, -1 when not owned or unknown
 *     3203 kafka-shared-checkpoint  id of the partition's newest checkpoint in the shared store, -1 none
 *                             (3201..3203 per Kafka partition of a scale-out daemon; key: partition, name: the Kafka topic)
 *     3210 kafka-rebalances   3211 kafka-last-rebalance-ms   3212 kafka-records-in   3213 kafka-malformed
 *     3214 kafka-member-state (0 connecting, 1 running, 2 failed, 3 closed; key name: the Kafka topic)
 *   dashboard (4000-4999)
 *     4001..4005 dashboard frames sent/dropped, streams, bytes in flight, alerts lost (keys not yet in this layout)
 * </pre>
 * A component adding counters takes type ids in its range, lists them here, and allocates them with
 * {@link #allocate} so that readers can select them by key.
 *
 * <p>Every counter's key has the same layout (Agrona keys are up to {@value CountersReader#MAX_KEY_LENGTH}
 * bytes; little-endian, as Agrona writes them). An id that does not apply is {@value #NONE}.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                            Topic id                           |  0
 *  +---------------------------------------------------------------+
 *  |                           Partition                           |  4
 *  +---------------------------------------------------------------+
 *  |                          Pipeline id                          |  8
 *  +---------------------------------------------------------------+
 *  |              Detail (stage id, error code, scope id)          | 12
 *  +---------------------------------------------------------------+
 *  |              Name length in bytes (full, not truncated)        | 16
 *  +---------------------------------------------------------------+
 *  |         Name, UTF-8, at most 92 bytes (topic, pipeline)      ...| 20
 *  ...                                                             ...
 *  +---------------------------------------------------------------+ 112
 * </pre>
 * Topic ids number the engine's journal topics (a source topic, or the group of topics that meet in a
 * join) in launch order from 0; pipeline ids number the pipelines in launch order from 0 (the order of
 * {@code Engine.pipelineNames()}; stage id = pipeline id + 2). Ids are stable for a given set of
 * pipelines and are what a reader matches. Names are stored only in the directory entries
 * ({@link #TOPIC_TYPE_ID}, {@link #PIPELINE_TYPE_ID}), so that a reader in another process can map a
 * name to its id and back; a name longer than {@value #MAX_NAME_LENGTH} bytes is truncated in the key
 * (the length field keeps its full length, and a lookup by such a name compares the stored prefix and the
 * length).
 *
 * <p>Threading: {@link #allocate} on the thread that owns the {@link CountersManager} (start-up); the
 * readers on any thread of any process. The readers allocate nothing per lookup except the names they
 * return; call them once and keep the counter id.
 */
public final class SluiceCounters
{
    /** Key value of an id that does not apply to a counter. */
    public static final int NONE = -1;

    /** Directory entry of a topic: value = partitions, key = topic id and name. */
    public static final int TOPIC_TYPE_ID = 1000;
    /** Events received by a partition. */
    public static final int EVENTS_IN_TYPE_ID = 1001;
    /** One past the partition's last journaled offset. */
    public static final int JOURNAL_END_TYPE_ID = 1002;
    /** Free slots of the partition's ring. */
    public static final int RING_REMAINING_TYPE_ID = 1003;
    /** The partition's {@link PartitionState} code. */
    public static final int PARTITION_STATE_TYPE_ID = 1004;
    /** Journal failures (and allocation retries) of a partition. */
    public static final int PARTITION_ERRORS_TYPE_ID = 1005;
    /**
     * Times the partition's journal writer found no reserved space ahead and wrote the zeros itself, its event waiting
     * (the journal's allocator duty was behind): 0 where the duty keeps up.
     */
    public static final int JOURNAL_WRITER_RESERVATIONS_TYPE_ID = 1006;
    /** Bytes of zeros those reservations wrote on the partition's thread. */
    public static final int JOURNAL_WRITER_RESERVED_BYTES_TYPE_ID = 1007;
    /**
     * Positional writes ({@code pwrite}) of the partition's journal writer with staged writes: one per run of live
     * events the partition took, one per other record (tick, end of input); 0 with mapped writes.
     */
    public static final int JOURNAL_WRITES_TYPE_ID = 1008;
    /** Directory entry of a pipeline: key = pipeline id and name. */
    public static final int PIPELINE_TYPE_ID = 1009;
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
    /** State of a pipeline instance: 0 running, 1 halted. */
    public static final int PIPELINE_STATE_TYPE_ID = 1016;
    /** Bytes of join state (records and table rows) held. */
    public static final int STATE_BYTES_TYPE_ID = 1017;
    /** Outputs dropped by a pipeline instance's alert suppression (cooldown or on change). */
    public static final int SUPPRESSED_TYPE_ID = 1018;

    /** Heartbeat of the daemon, epoch ms. */
    public static final int HEARTBEAT_TYPE_ID = 2001;
    /** Checkpoints completed. */
    public static final int CHECKPOINTS_COMPLETED_TYPE_ID = 2002;
    /** Checkpoints failed. */
    public static final int CHECKPOINTS_FAILED_TYPE_ID = 2003;
    /** Id of the last completed checkpoint, -1 for none. */
    public static final int LAST_CHECKPOINT_ID_TYPE_ID = 2004;
    /** Age of the last completed checkpoint in ms, -1 for none. */
    public static final int LAST_CHECKPOINT_AGE_TYPE_ID = 2005;
    /** Observations of distinct errors in the error log. */
    public static final int DISTINCT_ERRORS_TYPE_ID = 2006;
    /** State of the daemon (its mark file's state code). */
    public static final int DAEMON_STATE_TYPE_ID = 2007;
    /** Attempts to open a Kafka sink at start that failed and were retried (unreachable brokers, a missing topic). */
    public static final int SINK_START_RETRIES_TYPE_ID = 2008;
    /** First of the seven ingest latency figures of a partition (p50, p99, p999, p9999, max in us, count, sum in ns). */
    public static final int INGEST_LATENCY_BASE_TYPE_ID = 2010;
    /** First of the seven ring wait latency figures of a partition. */
    public static final int RING_WAIT_LATENCY_BASE_TYPE_ID = 2020;
    /** First of the seven journal append latency figures of a partition. */
    public static final int JOURNAL_APPEND_LATENCY_BASE_TYPE_ID = 2030;
    /** First of the seven processing latency figures of a pipeline. */
    public static final int PROCESSING_LATENCY_BASE_TYPE_ID = 2040;
    /** Number of figures of each latency: p50, p99, p999, p9999, max (us), count, sum (ns). */
    public static final int LATENCY_FIGURES = 7;
    /** Index of the maximum (us) among a latency's figures (type id = base + index). */
    public static final int LATENCY_MAX_FIGURE = 4;
    /** Index of the count among a latency's figures. */
    public static final int LATENCY_COUNT_FIGURE = 5;
    /** Index of the sum of all values (ns) among a latency's figures. */
    public static final int LATENCY_SUM_FIGURE = 6;

    /** Frames rejected by the network ingress; detail = error code. */
    public static final int NET_FRAMES_REJECTED_TYPE_ID = 3001;
    /** Frames received. */
    public static final int NET_FRAMES_IN_TYPE_ID = 3002;
    /** Events received. */
    public static final int NET_EVENTS_IN_TYPE_ID = 3003;
    /** Times the engine's ring was full. */
    public static final int NET_BACK_PRESSURE_TYPE_ID = 3004;
    /** Duplicate frames. */
    public static final int NET_DUPLICATES_TYPE_ID = 3005;
    /** Acks sent. */
    public static final int NET_ACKS_OUT_TYPE_ID = 3006;
    /** Records sent to consumers. */
    public static final int NET_RECORDS_OUT_TYPE_ID = 3007;
    /** Sessions open. */
    public static final int NET_SESSIONS_TYPE_ID = 3008;
    /** Consumer commits. */
    public static final int NET_COMMITS_TYPE_ID = 3009;
    /** Duty cycles of a network component (its share of the duties thread's loop). */
    public static final int NET_DUTY_CYCLES_TYPE_ID = 3010;
    /** Idle duty cycles that yielded, not backed off, while events were in the engine awaiting their ACK. */
    public static final int NET_ENGINE_WAITS_TYPE_ID = 3011;
    /** Waits of a network component for the engine that lasted more than 20 idle duty cycles (where an idle back-off parks). */
    public static final int NET_ENGINE_LONG_WAITS_TYPE_ID = 3012;
    /** 1 while a network component's Aeron client is connected to its media driver, 0 while it is lost and reconnecting. */
    public static final int NET_CLIENT_UP_TYPE_ID = 3013;
    /** Times a network component's Aeron client died (its conductor starved, its media driver gone) and was replaced. */
    public static final int NET_CLIENT_LOSSES_TYPE_ID = 3014;
    /** Consumer commits a network component accepted that are not yet durable (not yet answered COMMITTED). */
    public static final int NET_COMMITS_PENDING_TYPE_ID = 3015;
    /** Stores of consumer groups' offsets files by a network component's background writer. */
    public static final int NET_COMMIT_STORES_TYPE_ID = 3016;
    /** Stores of consumer groups' offsets files that failed (their commits answered with an error). */
    public static final int NET_COMMIT_STORE_FAILURES_TYPE_ID = 3017;
    /** Total time of the offsets files' stores (write, force, rename, directory force), microseconds. */
    public static final int NET_COMMIT_STORE_US_TYPE_ID = 3018;
    /** Longest store of an offsets file, microseconds. */
    public static final int NET_COMMIT_STORE_MAX_US_TYPE_ID = 3019;
    /** Scale-out: 1 while this daemon owns the Kafka partition, else 0. */
    public static final int KAFKA_OWNED_TYPE_ID = 3201;
    /** Scale-out: records behind the end of an owned Kafka partition, -1 when not owned or unknown. */
    public static final int KAFKA_LAG_TYPE_ID = 3202;
    /** Scale-out: id of the owned partition's newest checkpoint in the shared store, -1 when none. */
    public static final int KAFKA_SHARED_CHECKPOINT_TYPE_ID = 3203;
    /** Scale-out: rebalance callbacks (assignments, revocations, losses) this daemon has seen. */
    public static final int KAFKA_REBALANCES_TYPE_ID = 3210;
    /** Scale-out: time of the last rebalance callback, epoch ms, -1 before the first. */
    public static final int KAFKA_LAST_REBALANCE_TYPE_ID = 3211;
    /** Scale-out: Kafka records published into the owned partitions. */
    public static final int KAFKA_RECORDS_IN_TYPE_ID = 3212;
    /** Scale-out: Kafka records that did not decode. */
    public static final int KAFKA_MALFORMED_TYPE_ID = 3213;
    /** Scale-out: state of the group member, 0 connecting, 1 running, 2 failed, 3 closed. */
    public static final int KAFKA_MEMBER_STATE_TYPE_ID = 3214;
    /** First type id reserved for network components. */
    public static final int NET_MIN_TYPE_ID = 3000;
    /** Last type id reserved for network components. */
    public static final int NET_MAX_TYPE_ID = 3999;

    /** Offset of the topic id in the key. */
    public static final int TOPIC_ID_OFFSET = 0;
    /** Offset of the partition in the key. */
    public static final int PARTITION_OFFSET = 4;
    /** Offset of the pipeline id in the key. */
    public static final int PIPELINE_ID_OFFSET = 8;
    /** Offset of the detail (stage id, error code, scope id) in the key. */
    public static final int DETAIL_OFFSET = 12;
    /** Offset of the full name length in the key. */
    public static final int NAME_LENGTH_OFFSET = 16;
    /** Offset of the name bytes in the key. */
    public static final int NAME_OFFSET = 20;
    /** Name bytes a key holds. */
    public static final int MAX_NAME_LENGTH = CountersReader.MAX_KEY_LENGTH - NAME_OFFSET;

    private static final String[] LATENCY_FIGURE_NAMES = {"p50_us", "p99_us", "p999_us", "p9999_us", "max_us", "count", "sum_ns"};

    private SluiceCounters()
    {
    }

    /**
     * Allocates a counter with a key in the layout above.
     *
     * @param manager    to allocate from.
     * @param typeId     of the counter, one of this class's.
     * @param label      for people.
     * @param topicId    topic id or {@link #NONE}.
     * @param partition  partition or {@link #NONE}.
     * @param pipelineId pipeline id or {@link #NONE}.
     * @param detail     stage id, error code or scope id, or {@link #NONE}.
     * @param name       topic or pipeline name for a directory entry, or null.
     * @return the counter.
     * @throws IllegalStateException if the manager is full.
     */
    public static AtomicCounter allocate(
        final CountersManager manager,
        final int typeId,
        final String label,
        final int topicId,
        final int partition,
        final int pipelineId,
        final int detail,
        final String name)
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[CountersReader.MAX_KEY_LENGTH]);
        final int keyLength = encodeKey(key, topicId, partition, pipelineId, detail, name);
        final UnsafeBuffer labelBuffer = new UnsafeBuffer(label.getBytes(StandardCharsets.UTF_8));
        final int labelLength = Math.min(labelBuffer.capacity(), CountersReader.MAX_LABEL_LENGTH);
        return manager.newCounter(typeId, key, 0, keyLength, labelBuffer, 0, labelLength);
    }

    /**
     * Writes a key in the layout above.
     *
     * @param key        to write at offset 0, at least {@value CountersReader#MAX_KEY_LENGTH} bytes.
     * @param topicId    topic id or {@link #NONE}.
     * @param partition  partition or {@link #NONE}.
     * @param pipelineId pipeline id or {@link #NONE}.
     * @param detail     detail or {@link #NONE}.
     * @param name       name or null.
     * @return the key's length.
     */
    static int encodeKey(
        final UnsafeBuffer key, final int topicId, final int partition, final int pipelineId, final int detail, final String name)
    {
        key.putInt(TOPIC_ID_OFFSET, topicId);
        key.putInt(PARTITION_OFFSET, partition);
        key.putInt(PIPELINE_ID_OFFSET, pipelineId);
        key.putInt(DETAIL_OFFSET, detail);
        if (name == null)
        {
            key.putInt(NAME_LENGTH_OFFSET, 0);
            return NAME_OFFSET;
        }
        final byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        final int stored = Math.min(bytes.length, MAX_NAME_LENGTH);
        key.putInt(NAME_LENGTH_OFFSET, bytes.length);
        key.putBytes(NAME_OFFSET, bytes, 0, stored);
        return NAME_OFFSET + stored;
    }

    /**
     * Finds an allocated counter by type id and key ids, as {@code ArchiveCounters.find} does.
     *
     * @param reader     of the counters.
     * @param typeId     of the counter.
     * @param topicId    topic id, or {@link #NONE} for a counter without one.
     * @param partition  partition, or {@link #NONE}.
     * @param pipelineId pipeline id, or {@link #NONE}.
     * @param detail     detail, or {@link #NONE}.
     * @return the counter id, or {@link CountersReader#NULL_COUNTER_ID} if there is none.
     */
    public static int find(
        final CountersReader reader, final int typeId, final int topicId, final int partition, final int pipelineId, final int detail)
    {
        final org.agrona.concurrent.AtomicBuffer metadata = reader.metaDataBuffer();
        for (int id = 0, max = reader.maxCounterId(); id < max; id++)
        {
            final int offset = CountersReader.metaDataOffset(id);
            final int state = metadata.getIntVolatile(offset);
            if (state == CountersReader.RECORD_UNUSED)
            {
                break;
            }
            if (state == CountersReader.RECORD_ALLOCATED &&
                metadata.getInt(offset + CountersReader.TYPE_ID_OFFSET) == typeId)
            {
                final int key = offset + CountersReader.KEY_OFFSET;
                if (metadata.getInt(key + TOPIC_ID_OFFSET) == topicId &&
                    metadata.getInt(key + PARTITION_OFFSET) == partition &&
                    metadata.getInt(key + PIPELINE_ID_OFFSET) == pipelineId &&
                    metadata.getInt(key + DETAIL_OFFSET) == detail)
                {
                    return id;
                }
            }
        }
        return CountersReader.NULL_COUNTER_ID;
    }

    /**
     * Finds a counter that must exist, for readers that resolve their counters once.
     *
     * @param reader     of the counters.
     * @param typeId     of the counter.
     * @param topicId    topic id or {@link #NONE}.
     * @param partition  partition or {@link #NONE}.
     * @param pipelineId pipeline id or {@link #NONE}.
     * @param detail     detail or {@link #NONE}.
     * @return the counter id.
     * @throws IllegalStateException naming the type and key if there is no such counter.
     */
    public static int require(
        final CountersReader reader, final int typeId, final int topicId, final int partition, final int pipelineId, final int detail)
    {
        final int id = find(reader, typeId, topicId, partition, pipelineId, detail);
        if (id == CountersReader.NULL_COUNTER_ID)
        {
            throw new IllegalStateException("no counter of type " + typeId + " (" + metricName(typeId) + ") with topic id " + topicId +
                ", partition " + partition + ", pipeline id " + pipelineId + ", detail " + detail);
        }
        return id;
    }

    /**
     * The id of a topic, from its directory entry.
     *
     * @param reader of the counters.
     * @param topic  name.
     * @return the topic id, or {@link #NONE} if there is no such topic.
     */
    public static int findTopicId(final CountersReader reader, final String topic)
    {
        final int counterId = findByName(reader, TOPIC_TYPE_ID, topic);
        return counterId == CountersReader.NULL_COUNTER_ID ? NONE : topicId(reader, counterId);
    }

    /**
     * The id of a pipeline, from its directory entry.
     *
     * @param reader   of the counters.
     * @param pipeline name.
     * @return the pipeline id, or {@link #NONE} if there is no such pipeline.
     */
    public static int findPipelineId(final CountersReader reader, final String pipeline)
    {
        final int counterId = findByName(reader, PIPELINE_TYPE_ID, pipeline);
        return counterId == CountersReader.NULL_COUNTER_ID ? NONE : pipelineId(reader, counterId);
    }

    /**
     * The name of a topic, from its directory entry (truncated to {@value #MAX_NAME_LENGTH} bytes).
     *
     * @param reader  of the counters.
     * @param topicId of the topic.
     * @return the name, or null if there is no such topic.
     */
    public static String topicName(final CountersReader reader, final int topicId)
    {
        final int counterId = find(reader, TOPIC_TYPE_ID, topicId, NONE, NONE, NONE);
        return counterId == CountersReader.NULL_COUNTER_ID ? null : name(reader, counterId);
    }

    /**
     * The name of a pipeline, from its directory entry (truncated to {@value #MAX_NAME_LENGTH} bytes).
     *
     * @param reader     of the counters.
     * @param pipelineId of the pipeline.
     * @return the name, or null if there is no such pipeline.
     */
    public static String pipelineName(final CountersReader reader, final int pipelineId)
    {
        final org.agrona.concurrent.AtomicBuffer metadata = reader.metaDataBuffer();
        for (int id = 0, max = reader.maxCounterId(); id < max; id++)
        {
            final int offset = CountersReader.metaDataOffset(id);
            final int state = metadata.getIntVolatile(offset);
            if (state == CountersReader.RECORD_UNUSED)
            {
                break;
            }
            if (state == CountersReader.RECORD_ALLOCATED &&
                metadata.getInt(offset + CountersReader.TYPE_ID_OFFSET) == PIPELINE_TYPE_ID &&
                metadata.getInt(offset + CountersReader.KEY_OFFSET + PIPELINE_ID_OFFSET) == pipelineId)
            {
                return name(reader, id);
            }
        }
        return null;
    }

    /**
     * Counts the partitions in each state, from the partition-state counters, without allocating.
     *
     * @param reader of the counters.
     * @param counts indexed by {@link PartitionState#code()}, at least {@code PartitionState.values().length}
     *               entries; zeroed, then filled (codes out of range are not counted).
     * @return the number of partitions seen.
     */
    public static int countPartitionStates(final CountersReader reader, final int[] counts)
    {
        java.util.Arrays.fill(counts, 0);
        int partitions = 0;
        final org.agrona.concurrent.AtomicBuffer metadata = reader.metaDataBuffer();
        for (int id = 0, max = reader.maxCounterId(); id < max; id++)
        {
            final int offset = CountersReader.metaDataOffset(id);
            final int state = metadata.getIntVolatile(offset);
            if (state == CountersReader.RECORD_UNUSED)
            {
                break;
            }
            if (state == CountersReader.RECORD_ALLOCATED && metadata.getInt(offset + CountersReader.TYPE_ID_OFFSET) == PARTITION_STATE_TYPE_ID)
            {
                final long code = reader.getCounterValue(id);
                if (code >= 0 && code < counts.length)
                {
                    counts[(int)code]++;
                }
                partitions++;
            }
        }
        return partitions;
    }

    /**
     * The topic id in a counter's key.
     *
     * @param reader    of the counters.
     * @param counterId of the counter.
     * @return the topic id or {@link #NONE}.
     */
    public static int topicId(final CountersReader reader, final int counterId)
    {
        return keyInt(reader, counterId, TOPIC_ID_OFFSET);
    }

    /**
     * The partition in a counter's key.
     *
     * @param reader    of the counters.
     * @param counterId of the counter.
     * @return the partition or {@link #NONE}.
     */
    public static int partition(final CountersReader reader, final int counterId)
    {
        return keyInt(reader, counterId, PARTITION_OFFSET);
    }

    /**
     * The pipeline id in a counter's key.
     *
     * @param reader    of the counters.
     * @param counterId of the counter.
     * @return the pipeline id or {@link #NONE}.
     */
    public static int pipelineId(final CountersReader reader, final int counterId)
    {
        return keyInt(reader, counterId, PIPELINE_ID_OFFSET);
    }

    /**
     * The detail in a counter's key (stage id, error code or scope id).
     *
     * @param reader    of the counters.
     * @param counterId of the counter.
     * @return the detail or {@link #NONE}.
     */
    public static int detail(final CountersReader reader, final int counterId)
    {
        return keyInt(reader, counterId, DETAIL_OFFSET);
    }

    /**
     * The name in a counter's key (directory entries), truncated to {@value #MAX_NAME_LENGTH} bytes.
     *
     * @param reader    of the counters.
     * @param counterId of the counter.
     * @return the name, empty if the key has none.
     */
    public static String name(final CountersReader reader, final int counterId)
    {
        final int key = CountersReader.metaDataOffset(counterId) + CountersReader.KEY_OFFSET;
        final int length = Math.min(reader.metaDataBuffer().getInt(key + NAME_LENGTH_OFFSET), MAX_NAME_LENGTH);
        return length <= 0 ? "" : reader.metaDataBuffer().getStringWithoutLengthUtf8(key + NAME_OFFSET, length);
    }

    /**
     * The metric name of a type id for exporters ({@code events_in}, {@code ingest_latency_p99_us}...).
     *
     * @param typeId of a counter.
     * @return the name, or {@code type_<id>} for an id this registry does not know.
     */
    public static String metricName(final int typeId)
    {
        switch (typeId)
        {
            case TOPIC_TYPE_ID: return "topic_partitions";
            case EVENTS_IN_TYPE_ID: return "events_in";
            case JOURNAL_END_TYPE_ID: return "journal_end";
            case RING_REMAINING_TYPE_ID: return "ring_remaining";
            case PARTITION_STATE_TYPE_ID: return "partition_state";
            case PARTITION_ERRORS_TYPE_ID: return "partition_errors";
            case JOURNAL_WRITER_RESERVATIONS_TYPE_ID: return "journal_writer_reservations";
            case JOURNAL_WRITER_RESERVED_BYTES_TYPE_ID: return "journal_writer_reserved_bytes";
            case JOURNAL_WRITES_TYPE_ID: return "journal_writes";
            case PIPELINE_TYPE_ID: return "pipeline";
            case OUTPUTS_TYPE_ID: return "outputs";
            case ERRORS_TYPE_ID: return "errors";
            case LATE_TYPE_ID: return "late";
            case UNASSIGNED_TYPE_ID: return "unassigned";
            case WATERMARK_TYPE_ID: return "watermark";
            case STATE_ENTRIES_TYPE_ID: return "state_entries";
            case PIPELINE_STATE_TYPE_ID: return "state";
            case STATE_BYTES_TYPE_ID: return "state_bytes";
            case SUPPRESSED_TYPE_ID: return "suppressed";
            case HEARTBEAT_TYPE_ID: return "heartbeat_ms";
            case CHECKPOINTS_COMPLETED_TYPE_ID: return "checkpoints_completed";
            case CHECKPOINTS_FAILED_TYPE_ID: return "checkpoints_failed";
            case LAST_CHECKPOINT_ID_TYPE_ID: return "last_checkpoint_id";
            case LAST_CHECKPOINT_AGE_TYPE_ID: return "last_checkpoint_age_ms";
            case DISTINCT_ERRORS_TYPE_ID: return "distinct_errors";
            case DAEMON_STATE_TYPE_ID: return "daemon_state";
            case NET_FRAMES_REJECTED_TYPE_ID: return "net_frames_rejected";
            case NET_FRAMES_IN_TYPE_ID: return "net_frames_in";
            case NET_EVENTS_IN_TYPE_ID: return "net_events_in";
            case NET_BACK_PRESSURE_TYPE_ID: return "net_back_pressure";
            case NET_DUPLICATES_TYPE_ID: return "net_duplicates";
            case NET_ACKS_OUT_TYPE_ID: return "net_acks_out";
            case NET_RECORDS_OUT_TYPE_ID: return "net_records_out";
            case NET_SESSIONS_TYPE_ID: return "net_sessions";
            case NET_COMMITS_TYPE_ID: return "net_commits";
            case NET_DUTY_CYCLES_TYPE_ID: return "net_duty_cycles";
            case NET_ENGINE_WAITS_TYPE_ID: return "net_engine_waits";
            case NET_ENGINE_LONG_WAITS_TYPE_ID: return "net_engine_long_waits";
            case NET_CLIENT_UP_TYPE_ID: return "net_client_up";
            case NET_CLIENT_LOSSES_TYPE_ID: return "net_client_losses";
            case NET_COMMITS_PENDING_TYPE_ID: return "net_commits_pending";
            case NET_COMMIT_STORES_TYPE_ID: return "net_commit_stores";
            case NET_COMMIT_STORE_FAILURES_TYPE_ID: return "net_commit_store_failures";
            case NET_COMMIT_STORE_US_TYPE_ID: return "net_commit_store_us";
            case NET_COMMIT_STORE_MAX_US_TYPE_ID: return "net_commit_store_max_us";
            default: return latencyName(typeId);
        }
    }

    private static String latencyName(final int typeId)
    {
        final int figure = typeId % 10;
        if (figure < LATENCY_FIGURES)
        {
            switch (typeId - figure)
            {
                case INGEST_LATENCY_BASE_TYPE_ID: return "ingest_latency_" + LATENCY_FIGURE_NAMES[figure];
                case RING_WAIT_LATENCY_BASE_TYPE_ID: return "ring_wait_latency_" + LATENCY_FIGURE_NAMES[figure];
                case JOURNAL_APPEND_LATENCY_BASE_TYPE_ID: return "journal_append_latency_" + LATENCY_FIGURE_NAMES[figure];
                case PROCESSING_LATENCY_BASE_TYPE_ID: return "processing_latency_" + LATENCY_FIGURE_NAMES[figure];
                default: break;
            }
        }
        return "type_" + typeId;
    }

    private static int findByName(final CountersReader reader, final int typeId, final String name)
    {
        final byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        final int stored = Math.min(bytes.length, MAX_NAME_LENGTH);
        final org.agrona.concurrent.AtomicBuffer metadata = reader.metaDataBuffer();
        for (int id = 0, max = reader.maxCounterId(); id < max; id++)
        {
            final int offset = CountersReader.metaDataOffset(id);
            final int state = metadata.getIntVolatile(offset);
            if (state == CountersReader.RECORD_UNUSED)
            {
                break;
            }
            final int key = offset + CountersReader.KEY_OFFSET;
            if (state == CountersReader.RECORD_ALLOCATED &&
                metadata.getInt(offset + CountersReader.TYPE_ID_OFFSET) == typeId &&
                metadata.getInt(key + NAME_LENGTH_OFFSET) == bytes.length &&
                sameBytes(metadata, key + NAME_OFFSET, bytes, stored))
            {
                return id;
            }
        }
        return CountersReader.NULL_COUNTER_ID;
    }

    private static boolean sameBytes(final DirectBuffer buffer, final int offset, final byte[] bytes, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (buffer.getByte(offset + i) != bytes[i])
            {
                return false;
            }
        }
        return true;
    }

    private static int keyInt(final CountersReader reader, final int counterId, final int field)
    {
        return reader.metaDataBuffer().getInt(CountersReader.metaDataOffset(counterId) + CountersReader.KEY_OFFSET + field);
    }
}
