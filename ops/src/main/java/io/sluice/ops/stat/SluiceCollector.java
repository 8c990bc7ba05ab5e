package io.sluice.ops.stat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.status.CountersReader;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot.StateSetDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import io.sluice.client.wire.ErrorCode;
import io.sluice.dashboard.DashboardServer;
import io.sluice.engine.counters.PartitionState;
import io.sluice.engine.counters.SluiceCounters;

/**
 * A Prometheus {@link MultiCollector} over Sluice's counters: on every scrape it reads the counters
 * (selected by type id and key, see {@link SluiceCounters}; labels are never parsed) and returns one
 * family per kind of figure, named and typed per Prometheus conventions: counters end in
 * {@code _total}, times are in seconds and sizes in bytes, states are state sets, each label holds one
 * value, and the four latencies are summaries in seconds (quantiles 0.5, 0.99, 0.999, 0.9999, with
 * {@code _count} and {@code _sum}) plus a {@code _max_seconds} gauge. A watermark or checkpoint that
 * is not set yet is left out rather than exported as a sentinel. Every family is documented in
 * docs/metrics.md.
 *
 * <p>Threading: the exporter's thread; reads the counters (of this or another process) without locks.
 * Allocates per scrape, never on the partition threads.
 */
public final class SluiceCollector implements MultiCollector
{
    /** Prefix of every Sluice metric name. */
    public static final String PREFIX = "sluice_";

    /** Quantiles of the latency summaries, in the order of the first four latency figures. */
    private static final double[] QUANTILES = {0.5, 0.99, 0.999, 0.9999};
    private static final String[] DAEMON_STATES = {"STARTING", "RUNNING", "STOPPING", "STOPPED"};
    private static final String[] PIPELINE_STATES = {"RUNNING", "HALTED"};
    /** The cdc plug-in's type ids (its module builds on this one, so they are repeated here). */
    private static final int CDC_CHANGES_TYPE_ID = 3101;
    private static final int CDC_LAST_COMMIT_TYPE_ID = 3103;
    private static final int CDC_LAG_BYTES_TYPE_ID = 3104;
    private static final int CDC_LAG_MS_TYPE_ID = 3105;
    private static final int CDC_DUPLICATES_TYPE_ID = 3106;
    private static final int CDC_RECONNECTS_TYPE_ID = 3107;
    private static final int CDC_ERRORS_TYPE_ID = 3108;

    private static final Int2ObjectHashMap<Family> FAMILIES = new Int2ObjectHashMap<>();
    private static final Latency[] LATENCIES = {
        new Latency(SluiceCounters.INGEST_LATENCY_BASE_TYPE_ID, "ingest_latency",
            "Latency from ingest to processed (journaled and through every pipeline) per partition, since start or resetLatency."),
        new Latency(SluiceCounters.RING_WAIT_LATENCY_BASE_TYPE_ID, "ring_wait_latency",
            "Time events waited in the partition's ring before its thread took them, since start or resetLatency."),
        new Latency(SluiceCounters.JOURNAL_APPEND_LATENCY_BASE_TYPE_ID, "journal_append_latency",
            "Time to append an event to the partition's journal, since start or resetLatency."),
        new Latency(SluiceCounters.PROCESSING_LATENCY_BASE_TYPE_ID, "processing_latency",
            "Time a pipeline took per event, over every partition, since start or resetLatency."),
    };

    static
    {
        final Scope p = Scope.PARTITION;
        final Scope i = Scope.INSTANCE;
        final Scope d = Scope.NONE;
        final Scope n = Scope.COMPONENT;
        family(SluiceCounters.TOPIC_TYPE_ID, Kind.GAUGE, "topic_partitions", "Partitions of a journal topic.", Scope.TOPIC, 1);
        family(SluiceCounters.EVENTS_IN_TYPE_ID, Kind.COUNTER, "events_in", "Events received by a partition.", p, 1);
        family(SluiceCounters.JOURNAL_END_TYPE_ID, Kind.GAUGE, "journal_end_offset", "One past the partition's last journaled offset.", p, 1);
        family(SluiceCounters.RING_REMAINING_TYPE_ID, Kind.GAUGE, "ring_free_slots", "Free slots of the partition's ring.", p, 1);
        family(SluiceCounters.PARTITION_STATE_TYPE_ID, Kind.PARTITION_STATE, "partition_state", "State of a partition.", p, 1);
        family(SluiceCounters.PARTITION_ERRORS_TYPE_ID, Kind.COUNTER, "partition_errors",
            "Journal failures and allocation retries of a partition.", p, 1);
        family(SluiceCounters.JOURNAL_WRITER_RESERVATIONS_TYPE_ID, Kind.COUNTER, "journal_writer_reservations",
            "Times the partition's journal writer reserved space itself (zeros written while its event waited): the allocator duty was behind.",
            p, 1);
        family(SluiceCounters.JOURNAL_WRITER_RESERVED_BYTES_TYPE_ID, Kind.COUNTER, "journal_writer_reserved_bytes",
            "Bytes of zeros the partition's journal writer wrote in its own reservations.", p, 1);
        family(SluiceCounters.JOURNAL_WRITES_TYPE_ID, Kind.COUNTER, "journal_writes",
            "Positional writes of the partition's journal writer with staged writes (one per run of events; 0 with mapped writes).", p, 1);
        family(SluiceCounters.OUTPUTS_TYPE_ID, Kind.COUNTER, "outputs", "Outputs delivered by a pipeline instance.", i, 1);
        family(SluiceCounters.ERRORS_TYPE_ID, Kind.COUNTER, "pipeline_errors", "Failures of user code in a pipeline instance.", i, 1);
        family(SluiceCounters.LATE_TYPE_ID, Kind.COUNTER, "late_events", "Events later than the allowed lateness (sent to the late output).", i, 1);
        family(SluiceCounters.UNASSIGNED_TYPE_ID, Kind.COUNTER, "unassigned_events", "Events in the gaps of hopping windows.", i, 1);
        family(SluiceCounters.SUPPRESSED_TYPE_ID, Kind.COUNTER, "suppressed_outputs",
            "Outputs dropped by a pipeline instance's alert suppression (cooldown or on change).", i, 1);
        family(SluiceCounters.WATERMARK_TYPE_ID, Kind.TIMESTAMP, "watermark_timestamp_seconds",
            "Event-time watermark of a pipeline instance, epoch seconds (absent until the first event).", i, 1e-3);
        family(SluiceCounters.STATE_ENTRIES_TYPE_ID, Kind.GAUGE, "window_state_entries", "Entries of window state.", i, 1);
        family(SluiceCounters.PIPELINE_STATE_TYPE_ID, Kind.PIPELINE_STATE, "pipeline_state", "State of a pipeline instance.", i, 1);
        family(SluiceCounters.STATE_BYTES_TYPE_ID, Kind.GAUGE, "join_state_bytes", "Bytes of join state (records and table rows) held.", i, 1);

        family(SluiceCounters.HEARTBEAT_TYPE_ID, Kind.GAUGE, "heartbeat_timestamp_seconds", "Last heartbeat of the daemon, epoch seconds.", d, 1e-3);
        family(SluiceCounters.CHECKPOINTS_COMPLETED_TYPE_ID, Kind.COUNTER, "checkpoints_completed", "Checkpoints completed.", d, 1);
        family(SluiceCounters.CHECKPOINTS_FAILED_TYPE_ID, Kind.COUNTER, "checkpoints_failed", "Checkpoints failed.", d, 1);
        family(SluiceCounters.LAST_CHECKPOINT_ID_TYPE_ID, Kind.OPTIONAL_GAUGE, "last_checkpoint_id",
            "Id of the last completed checkpoint (absent before the first).", d, 1);
        family(SluiceCounters.LAST_CHECKPOINT_AGE_TYPE_ID, Kind.OPTIONAL_GAUGE, "last_checkpoint_age_seconds",
            "Age of the last completed checkpoint (absent before the first).", d, 1e-3);
        family(SluiceCounters.DISTINCT_ERRORS_TYPE_ID, Kind.COUNTER, "error_log_observations",
            "Observations of the distinct errors in the daemon's error log (sluice ctl errors lists them).", d, 1);
        family(SluiceCounters.SINK_START_RETRIES_TYPE_ID, Kind.COUNTER, "sink_start_retries",
            "Attempts to open a Kafka sink at start that failed and were retried (unreachable brokers, a missing topic).", d, 1);
        family(SluiceCounters.DAEMON_STATE_TYPE_ID, Kind.DAEMON_STATE, "daemon_state", "State of the daemon.", d, 1);

        family(SluiceCounters.NET_FRAMES_REJECTED_TYPE_ID, Kind.COUNTER, "net_frames_rejected", "Frames refused by a network component, by error code.", n, 1);
        family(SluiceCounters.NET_FRAMES_IN_TYPE_ID, Kind.COUNTER, "net_frames_in", "Frames received by a network component.", n, 1);
        family(SluiceCounters.NET_EVENTS_IN_TYPE_ID, Kind.COUNTER, "net_events_in", "Events received by a network component.", n, 1);
        family(SluiceCounters.NET_BACK_PRESSURE_TYPE_ID, Kind.COUNTER, "net_back_pressure", "Times a network component found the engine's ring full.", n, 1);
        family(SluiceCounters.NET_DUPLICATES_TYPE_ID, Kind.COUNTER, "net_duplicates", "Duplicate frames dropped by a network component.", n, 1);
        family(SluiceCounters.NET_ACKS_OUT_TYPE_ID, Kind.COUNTER, "net_acks_out", "Acks sent by a network component.", n, 1);
        family(SluiceCounters.NET_RECORDS_OUT_TYPE_ID, Kind.COUNTER, "net_records_out", "Records sent to consumers by a network component.", n, 1);
        family(SluiceCounters.NET_SESSIONS_TYPE_ID, Kind.GAUGE, "net_sessions", "Sessions open on a network component.", n, 1);
        family(SluiceCounters.NET_COMMITS_TYPE_ID, Kind.COUNTER, "net_commits", "Consumer offset commits a network component stored and answered COMMITTED.", n, 1);
        family(SluiceCounters.NET_DUTY_CYCLES_TYPE_ID, Kind.COUNTER, "net_duty_cycles", "Duty cycles of a network component.", n, 1);
        family(SluiceCounters.NET_ENGINE_WAITS_TYPE_ID, Kind.COUNTER, "net_engine_waits",
            "Idle duty cycles of a network component that yielded, not backed off, while events were in the engine awaiting their ACK.", n, 1);
        family(SluiceCounters.NET_ENGINE_LONG_WAITS_TYPE_ID, Kind.COUNTER, "net_engine_long_waits",
            "Waits of a network component for the engine longer than 20 idle duty cycles (where an idle back-off parks).", n, 1);
        family(SluiceCounters.NET_CLIENT_UP_TYPE_ID, Kind.GAUGE, "net_client_up",
            "1 while a network component's Aeron client is connected to its media driver, 0 while it is lost and reconnecting.", n, 1);
        family(SluiceCounters.NET_CLIENT_LOSSES_TYPE_ID, Kind.COUNTER, "net_client_losses",
            "Times a network component's Aeron client died (conductor starved, media driver gone) and was replaced.", n, 1);
        family(SluiceCounters.NET_COMMITS_PENDING_TYPE_ID, Kind.GAUGE, "net_commits_pending",
            "Consumer commits a network component accepted that are not yet durable (not yet answered COMMITTED).", n, 1);
        family(SluiceCounters.NET_COMMIT_STORES_TYPE_ID, Kind.COUNTER, "net_commit_stores",
            "Consumer groups' offsets files stored (written, forced, renamed) by a network component's background writer.", n, 1);
        family(SluiceCounters.NET_COMMIT_STORE_FAILURES_TYPE_ID, Kind.COUNTER, "net_commit_store_failures",
            "Stores of consumer groups' offsets files that failed; their commits were answered with an error.", n, 1);
        family(SluiceCounters.NET_COMMIT_STORE_US_TYPE_ID, Kind.COUNTER, "net_commit_store_seconds",
            "Total time of the offsets files' stores (divide by net_commit_stores for the mean).", n, 1e-6);
        family(SluiceCounters.NET_COMMIT_STORE_MAX_US_TYPE_ID, Kind.GAUGE, "net_commit_store_max_seconds",
            "Longest store of a consumer group's offsets file since the daemon started.", n, 1e-6);

        final Scope slot = Scope.SLOT;
        family(CDC_CHANGES_TYPE_ID, Kind.COUNTER, "cdc_changes", "Changes published by a CDC source (snapshot rows included).", slot, 1);
        family(CDC_LAST_COMMIT_TYPE_ID, Kind.OPTIONAL_GAUGE, "cdc_last_commit_timestamp_seconds",
            "Commit time of the last transaction a CDC source published, epoch seconds.", slot, 1e-3);
        family(CDC_LAG_BYTES_TYPE_ID, Kind.GAUGE, "cdc_slot_lag_bytes", "Current WAL position minus the slot's confirmed position.", slot, 1);
        family(CDC_LAG_MS_TYPE_ID, Kind.GAUGE, "cdc_slot_lag_seconds", "Age of the oldest unconfirmed transaction of the slot.", slot, 1e-3);
        family(CDC_DUPLICATES_TYPE_ID, Kind.COUNTER, "cdc_duplicates", "Changes sent again by PostgreSQL and dropped (journaled already).", slot, 1);
        family(CDC_RECONNECTS_TYPE_ID, Kind.COUNTER, "cdc_reconnects", "Reconnections of a CDC source.", slot, 1);
        family(CDC_ERRORS_TYPE_ID, Kind.COUNTER, "cdc_errors", "Errors that stopped a CDC source.", slot, 1);

        final Scope kafka = Scope.KAFKA_PARTITION;
        final Scope job = Scope.KAFKA_TOPIC;
        family(SluiceCounters.KAFKA_OWNED_TYPE_ID, Kind.GAUGE, "kafka_partition_owned",
            "1 while this scale-out daemon runs the Kafka partition, else 0.", kafka, 1);
        family(SluiceCounters.KAFKA_LAG_TYPE_ID, Kind.OPTIONAL_GAUGE, "kafka_partition_lag_records",
            "Records behind the end of an owned Kafka partition (absent when not owned or unknown).", kafka, 1);
        family(SluiceCounters.KAFKA_SHARED_CHECKPOINT_TYPE_ID, Kind.OPTIONAL_GAUGE, "kafka_partition_shared_checkpoint_id",
            "Id of the owned partition's newest checkpoint in the shared store (absent before the first).", kafka, 1);
        family(SluiceCounters.KAFKA_REBALANCES_TYPE_ID, Kind.COUNTER, "kafka_rebalances",
            "Consumer-group rebalance callbacks (assignments, revocations, losses) this daemon has seen.", job, 1);
        family(SluiceCounters.KAFKA_LAST_REBALANCE_TYPE_ID, Kind.OPTIONAL_GAUGE, "kafka_last_rebalance_timestamp_seconds",
            "Time of the last rebalance callback, epoch seconds (absent before the first).", job, 1e-3);
        family(SluiceCounters.KAFKA_RECORDS_IN_TYPE_ID, Kind.COUNTER, "kafka_records_in", "Kafka records published into the owned partitions.", job, 1);
        family(SluiceCounters.KAFKA_MALFORMED_TYPE_ID, Kind.COUNTER, "kafka_records_malformed", "Kafka records that did not decode.", job, 1);
        family(SluiceCounters.KAFKA_MEMBER_STATE_TYPE_ID, Kind.GAUGE, "kafka_member_state",
            "State of the scale-out group member: 0 connecting, 1 running, 2 failed, 3 closed.", job, 1);

        family(DashboardServer.FRAMES_SENT_TYPE_ID, Kind.COUNTER, "dashboard_frames_sent", "Frames the dashboard sent.", d, 1);
        family(DashboardServer.FRAMES_DROPPED_TYPE_ID, Kind.COUNTER, "dashboard_frames_dropped", "Frames a slow dashboard stream skipped.", d, 1);
        family(DashboardServer.STREAMS_TYPE_ID, Kind.GAUGE, "dashboard_streams", "Open dashboard event streams.", d, 1);
        family(DashboardServer.BYTES_IN_FLIGHT_TYPE_ID, Kind.GAUGE, "dashboard_bytes_in_flight",
            "Frame bytes written but not yet taken by the network.", d, 1);
        family(DashboardServer.ALERTS_LOST_TYPE_ID, Kind.COUNTER, "dashboard_alerts_lost", "Alerts overwritten before the dashboard read them.", d, 1);
    }

    private final CountersReader reader;

    /**
     * A collector over a counters reader.
     *
     * @param reader of the counters, read on every scrape.
     */
    public SluiceCollector(final CountersReader reader)
    {
        this.reader = reader;
    }

    /**
     * The names of every family this collector can return (as exposed, counters without {@code _total}).
     *
     * @return the names, each with the {@value #PREFIX} prefix.
     */
    public static List<String> familyNames()
    {
        final List<String> names = new ArrayList<>();
        FAMILIES.values().forEach(f -> names.add(f.name));
        for (final Latency latency : LATENCIES)
        {
            names.add(latency.summaryName);
            names.add(latency.maxName);
        }
        return names;
    }

    @Override
    public MetricSnapshots collect()
    {
        final Int2ObjectHashMap<String> topics = new Int2ObjectHashMap<>();
        final Int2ObjectHashMap<String> pipelines = new Int2ObjectHashMap<>();
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (typeId == SluiceCounters.TOPIC_TYPE_ID)
            {
                topics.put(SluiceCounters.topicId(reader, counterId), SluiceCounters.name(reader, counterId));
            }
            else if (typeId == SluiceCounters.PIPELINE_TYPE_ID)
            {
                pipelines.put(SluiceCounters.pipelineId(reader, counterId), SluiceCounters.name(reader, counterId));
            }
        });
        final Map<Family, List<Object>> points = new LinkedHashMap<>();
        final Map<Latency, Map<Labels, long[]>> latencies = new LinkedHashMap<>();
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            final Family family = FAMILIES.get(typeId);
            if (family != null)
            {
                final Object point = family.point(reader, counterId, labels(family.scope, counterId, topics, pipelines));
                if (point != null)
                {
                    points.computeIfAbsent(family, f -> new ArrayList<>()).add(point);
                }
                return;
            }
            final Latency latency = latency(typeId);
            if (latency != null)
            {
                final int pipelineId = SluiceCounters.pipelineId(reader, counterId);
                final Labels key = pipelineId != SluiceCounters.NONE ?
                    Labels.of("pipeline", named(pipelines, pipelineId)) :
                    Labels.of("partition", Integer.toString(SluiceCounters.partition(reader, counterId)));
                final long[] figures = latencies.computeIfAbsent(latency, l -> new LinkedHashMap<>())
                    .computeIfAbsent(key, k -> newFigures());
                figures[typeId - latency.baseTypeId] = reader.getCounterValue(counterId);
            }
        });
        final MetricSnapshots.Builder snapshots = MetricSnapshots.builder();
        points.forEach((family, list) -> snapshots.metricSnapshot(family.snapshot(list)));
        latencies.forEach((latency, byKey) -> latency.snapshots(byKey, snapshots));
        return snapshots.build();
    }

    private static long[] newFigures()
    {
        final long[] figures = new long[SluiceCounters.LATENCY_FIGURES];
        java.util.Arrays.fill(figures, -1);
        return figures;
    }

    private static Latency latency(final int typeId)
    {
        for (final Latency latency : LATENCIES)
        {
            if (typeId >= latency.baseTypeId && typeId < latency.baseTypeId + SluiceCounters.LATENCY_FIGURES)
            {
                return latency;
            }
        }
        return null;
    }

    private Labels labels(final Scope scope, final int counterId, final Int2ObjectHashMap<String> topics,
        final Int2ObjectHashMap<String> pipelines)
    {
        switch (scope)
        {
            case TOPIC:
                return Labels.of("topic", SluiceCounters.name(reader, counterId));
            case PARTITION:
                return Labels.of("topic", topic(counterId, topics), "partition", Integer.toString(SluiceCounters.partition(reader, counterId)));
            case INSTANCE:
                return Labels.of("topic", topic(counterId, topics), "partition", Integer.toString(SluiceCounters.partition(reader, counterId)),
                    "pipeline", named(pipelines, SluiceCounters.pipelineId(reader, counterId)));
            case COMPONENT:
            {
                final String component = SluiceCounters.name(reader, counterId);
                final int code = SluiceCounters.detail(reader, counterId);
                return code == SluiceCounters.NONE ? Labels.of("component", component) :
                    Labels.of("component", component, "code", ErrorCode.name(code));
            }
            case SLOT:
                return Labels.of("slot", SluiceCounters.name(reader, counterId));
            case KAFKA_TOPIC:
                return Labels.of("kafka_topic", SluiceCounters.name(reader, counterId));
            case KAFKA_PARTITION:
                return Labels.of("kafka_topic", SluiceCounters.name(reader, counterId), "partition",
                    Integer.toString(SluiceCounters.partition(reader, counterId)));
            default:
                return Labels.EMPTY;
        }
    }

    private String topic(final int counterId, final Int2ObjectHashMap<String> topics)
    {
        final String topic = topics.get(SluiceCounters.topicId(reader, counterId));
        return topic == null ? Integer.toString(SluiceCounters.topicId(reader, counterId)) : topic;
    }

    private static String named(final Int2ObjectHashMap<String> names, final int id)
    {
        final String name = names.get(id);
        return name == null ? Integer.toString(id) : name;
    }

    private static void family(final int typeId, final Kind kind, final String name, final String help, final Scope scope, final double scale)
    {
        FAMILIES.put(typeId, new Family(kind, PREFIX + name, help, scope, scale));
    }

    /** The labels a family's counters carry, from their keys. */
    private enum Scope
    {
        NONE, TOPIC, PARTITION, INSTANCE, COMPONENT, SLOT, KAFKA_TOPIC, KAFKA_PARTITION
    }

    /** How a counter's value becomes a sample. */
    private enum Kind
    {
        COUNTER, GAUGE, OPTIONAL_GAUGE, TIMESTAMP, PARTITION_STATE, PIPELINE_STATE, DAEMON_STATE
    }

    /** One family of samples: its name, help, type and the scale from the counter's unit to the base unit. */
    private static final class Family
    {
        final Kind kind;
        final String name;
        final String help;
        final Scope scope;
        final double scale;

        Family(final Kind kind, final String name, final String help, final Scope scope, final double scale)
        {
            this.kind = kind;
            this.name = name;
            this.help = help;
            this.scope = scope;
            this.scale = scale;
        }

        Object point(final CountersReader reader, final int counterId, final Labels labels)
        {
            final long value = reader.getCounterValue(counterId);
            switch (kind)
            {
                case COUNTER:
                    return CounterDataPointSnapshot.builder().labels(labels).value(scaled(value)).build();
                case OPTIONAL_GAUGE:
                    return value < 0 ? null : gauge(labels, scaled(value));
                case TIMESTAMP:
                    // The engine's watermark starts at Long.MIN_VALUE (no event yet) and reaches Long.MAX_VALUE at the end of input.
                    if (value <= Long.MIN_VALUE / 2)
                    {
                        return null;
                    }
                    return gauge(labels, value >= Long.MAX_VALUE / 2 ? Double.POSITIVE_INFINITY : scaled(value));
                case PARTITION_STATE:
                {
                    final StateSetDataPointSnapshot.Builder point = StateSetDataPointSnapshot.builder().labels(labels);
                    for (final PartitionState state : PartitionState.values())
                    {
                        point.state(state.name(), state.code() == value);
                    }
                    return point.build();
                }
                case PIPELINE_STATE:
                    return states(labels, PIPELINE_STATES, value);
                case DAEMON_STATE:
                    return states(labels, DAEMON_STATES, value - 1);
                default:
                    return gauge(labels, scaled(value));
            }
        }

        /** The value in the base unit: milliseconds divide by 1000 (5999 ms is 5.999 s, where x 1e-3 gives 5.9990000000000006). */
        private double scaled(final long value)
        {
            return scale == 1e-3 ? value / 1000.0 : value * scale;
        }

        private static GaugeDataPointSnapshot gauge(final Labels labels, final double value)
        {
            return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
        }

        private static StateSetDataPointSnapshot states(final Labels labels, final String[] names, final long index)
        {
            final StateSetDataPointSnapshot.Builder point = StateSetDataPointSnapshot.builder().labels(labels);
            for (int i = 0; i < names.length; i++)
            {
                point.state(names[i], i == index);
            }
            return point.build();
        }

        MetricSnapshot snapshot(final List<Object> points)
        {
            switch (kind)
            {
                case COUNTER:
                {
                    final CounterSnapshot.Builder builder = CounterSnapshot.builder().name(name).help(help);
                    points.forEach(p -> builder.dataPoint((CounterDataPointSnapshot)p));
                    return builder.build();
                }
                case PARTITION_STATE:
                case PIPELINE_STATE:
                case DAEMON_STATE:
                {
                    final StateSetSnapshot.Builder builder = StateSetSnapshot.builder().name(name).help(help);
                    points.forEach(p -> builder.dataPoint((StateSetDataPointSnapshot)p));
                    return builder.build();
                }
                default:
                {
                    final GaugeSnapshot.Builder builder = GaugeSnapshot.builder().name(name).help(help);
                    if (name.endsWith("_seconds"))
                    {
                        builder.unit(Unit.SECONDS);
                    }
                    else if (name.endsWith("_bytes"))
                    {
                        builder.unit(Unit.BYTES);
                    }
                    points.forEach(p -> builder.dataPoint((GaugeDataPointSnapshot)p));
                    return builder.build();
                }
            }
        }
    }

    /**
     * One latency, published as {@link SluiceCounters#LATENCY_FIGURES} counters per key (p50, p99, p99.9,
     * p99.99 and max in microseconds, count, sum in nanoseconds): a summary and a max gauge.
     */
    private static final class Latency
    {
        final int baseTypeId;
        final String summaryName;
        final String maxName;
        final String help;

        Latency(final int baseTypeId, final String name, final String help)
        {
            this.baseTypeId = baseTypeId;
            this.summaryName = PREFIX + name + "_seconds";
            this.maxName = PREFIX + name + "_max_seconds";
            this.help = help;
        }

        void snapshots(final Map<Labels, long[]> byKey, final MetricSnapshots.Builder snapshots)
        {
            final SummarySnapshot.Builder summary = SummarySnapshot.builder().name(summaryName).help(help).unit(Unit.SECONDS);
            final GaugeSnapshot.Builder max = GaugeSnapshot.builder().name(maxName).help("Largest value of " + summaryName + ".")
                .unit(Unit.SECONDS);
            byKey.forEach((labels, figures) ->
            {
                final Quantiles.Builder quantiles = Quantiles.builder();
                for (int i = 0; i < QUANTILES.length; i++)
                {
                    if (figures[i] >= 0)
                    {
                        quantiles.quantile(new Quantile(QUANTILES[i], Unit.nanosToSeconds(figures[i] * 1000)));
                    }
                }
                final SummaryDataPointSnapshot.Builder point = SummaryDataPointSnapshot.builder().labels(labels).quantiles(quantiles.build())
                    .count(Math.max(0, figures[SluiceCounters.LATENCY_COUNT_FIGURE]));
                if (figures[SluiceCounters.LATENCY_SUM_FIGURE] >= 0)
                {
                    point.sum(Unit.nanosToSeconds(figures[SluiceCounters.LATENCY_SUM_FIGURE]));
                }
                summary.dataPoint(point.build());
                if (figures[SluiceCounters.LATENCY_MAX_FIGURE] >= 0)
                {
                    max.dataPoint(GaugeDataPointSnapshot.builder().labels(labels)
                        .value(Unit.nanosToSeconds(figures[SluiceCounters.LATENCY_MAX_FIGURE] * 1000)).build());
                }
            });
            snapshots.metricSnapshot(summary.build());
            snapshots.metricSnapshot(max.build());
        }
    }
}
