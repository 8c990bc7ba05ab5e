package io.sluice.ops.daemon;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import io.sluice.engine.counters.SluiceCounters;
import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.kafka.DirectoryCheckpointStore;
import io.sluice.kafka.KafkaGroupMember;
import io.sluice.kafka.KafkaGroupMemberContext;
import io.sluice.kafka.KafkaSourceContext;
import io.sluice.kafka.PartitionStatus;

/**
 * A {@code sluice run} daemon configured with {@code scale_out}: one member of the job's Kafka consumer
 * group ({@link KafkaGroupMember}) that runs the partitions the group assigns it, each as its own
 * one-partition engine in {@code <data_dir>/partitions/partition-<k>/}, restored from and checkpointed
 * to the job's shared checkpoint store; and the agent that copies the member's figures into the
 * daemon's counters, which JMX, {@code sluice stat} and Prometheus read.
 *
 * <p>Counters (type ids in {@link SluiceCounters}; per partition ones keyed by the Kafka partition, all
 * named by the Kafka topic), allocated for the configured partition count:
 * <pre>
 *   3201 kafka-owned: P        3202 kafka-lag: P        3203 kafka-shared-checkpoint: P
 *   3210 kafka-rebalances      3211 kafka-last-rebalance-ms
 *   3212 kafka-records-in      3213 kafka-malformed     3214 kafka-member-state
 * </pre>
 *
 * <p>Threading: created, started and closed on the daemon's control thread (the counters are allocated
 * there); {@link #doWork} on the stats agent thread, the single writer of these counters; the
 * member's own polling thread runs the partitions.
 */
final class ScaleOutMember implements Agent, AutoCloseable
{
    private static final long PERIOD_MS = 250;

    private final KafkaGroupMemberContext context;
    private final Consumer<String> log;
    private final AtomicCounter[] owned;
    private final AtomicCounter[] lag;
    private final AtomicCounter[] sharedCheckpoint;
    private final AtomicCounter rebalances;
    private final AtomicCounter lastRebalance;
    private final AtomicCounter recordsIn;
    private final AtomicCounter malformed;
    private final AtomicCounter memberState;
    private volatile KafkaGroupMember member;
    private long nextRunMs;
    private long eventsLogged;
    private String errorLogged;

    private ScaleOutMember(final KafkaGroupMemberContext context, final CountersManager counters, final int partitions,
        final Consumer<String> log)
    {
        this.context = context;
        this.log = log;
        final String topic = context.source().topic();
        owned = new AtomicCounter[partitions];
        lag = new AtomicCounter[partitions];
        sharedCheckpoint = new AtomicCounter[partitions];
        for (int p = 0; p < partitions; p++)
        {
            owned[p] = counter(counters, SluiceCounters.KAFKA_OWNED_TYPE_ID, "kafka-owned: " + topic + "/" + p, p, topic);
            lag[p] = counter(counters, SluiceCounters.KAFKA_LAG_TYPE_ID, "kafka-lag: " + topic + "/" + p, p, topic);
            sharedCheckpoint[p] = counter(counters, SluiceCounters.KAFKA_SHARED_CHECKPOINT_TYPE_ID,
                "kafka-shared-checkpoint: " + topic + "/" + p, p, topic);
            lag[p].set(-1);
            sharedCheckpoint[p].set(-1);
        }
        rebalances = counter(counters, SluiceCounters.KAFKA_REBALANCES_TYPE_ID, "kafka-rebalances: " + topic, SluiceCounters.NONE, topic);
        lastRebalance = counter(counters, SluiceCounters.KAFKA_LAST_REBALANCE_TYPE_ID, "kafka-last-rebalance-ms: " + topic,
            SluiceCounters.NONE, topic);
        recordsIn = counter(counters, SluiceCounters.KAFKA_RECORDS_IN_TYPE_ID, "kafka-records-in: " + topic, SluiceCounters.NONE, topic);
        malformed = counter(counters, SluiceCounters.KAFKA_MALFORMED_TYPE_ID, "kafka-malformed: " + topic, SluiceCounters.NONE, topic);
        memberState = counter(counters, SluiceCounters.KAFKA_MEMBER_STATE_TYPE_ID, "kafka-member-state: " + topic, SluiceCounters.NONE, topic);
        lastRebalance.set(-1);
    }

    /**
     * Builds the member's settings from the configuration and allocates its counters; joins nothing yet.
     *
     * @param config   of the daemon, with a {@code scale_out} section.
     * @param counters of the daemon's counters file (control thread).
     * @param log      for the member's partition moves and errors (one line each, stats thread).
     * @return the member, not started.
     */
    static ScaleOutMember create(final DaemonConfig config, final CountersManager counters, final Consumer<String> log)
    {
        final DaemonConfig.ScaleOutConfig scaleOut = config.scaleOut();
        KafkaSourceContext source = null;
        for (final DaemonConfig.ComponentEntry entry : config.components())
        {
            if (entry.component() instanceof KafkaIngress)
            {
                source = ((KafkaIngress)entry.component()).settings();
            }
        }
        final KafkaGroupMemberContext context = new KafkaGroupMemberContext()
            .job(scaleOut.job())
            .source(source)
            .partitions(config.partitions())
            .checkpointStore(new DirectoryCheckpointStore(scaleOut.checkpointStore(), scaleOut.job(), Math.max(3, config.checkpointsRetained())))
            .workDirectory(config.dataDirectory().resolve("partitions"))
            .sessionTimeoutMillis(scaleOut.sessionTimeoutMillis())
            .engine(() -> new EngineContext()
                .ringSize(config.ringSize())
                .waitStrategy(config.waitStrategy())
                .pinThreads(config.pinThreads())
                .partitionBatchLimit(config.partitionBatchLimit())
                .groupCommit(config.groupCommit())
                .threadingMode(config.threadingMode())
                .profile(config.profile())
                .checkpoints(true)
                .checkpointIntervalMillis(config.checkpointIntervalMillis())
                .checkpointsRetained(Math.max(3, config.checkpointsRetained())))
            .pipelines(sinks -> config.pipelines().build(definition -> sinks.get(definition.sink())));
        for (final Map.Entry<String, DaemonConfig.SinkConfig> sink : config.sinks().entrySet())
        {
            context.sink(sink.getKey(), sink.getValue().kafka());
        }
        context.conclude();
        return new ScaleOutMember(context, counters, config.partitions(), log);
    }

    private static AtomicCounter counter(final CountersManager counters, final int typeId, final String label, final int partition,
        final String topic)
    {
        return SluiceCounters.allocate(counters, typeId, label, SluiceCounters.NONE, partition, SluiceCounters.NONE, SluiceCounters.NONE, topic);
    }

    /**
     * Joins the job's group: partitions arrive with the group's assignment.
     */
    void start()
    {
        member = KafkaGroupMember.start(context);
    }

    /**
     * The running member.
     *
     * @return the member, null before {@link #start()}.
     */
    KafkaGroupMember member()
    {
        return member;
    }

    /**
     * The member's settings.
     *
     * @return the context.
     */
    KafkaGroupMemberContext context()
    {
        return context;
    }

    /**
     * One line describing the member, for the daemon's log.
     *
     * @return e.g. {@code scale-out job desk1, group sluice.desk1, Kafka topic trades, checkpoint store /mnt/shared/desk1}.
     */
    String describe()
    {
        return "scale-out job " + context.job() + ", group " + context.source().groupId() + ", Kafka topic " + context.source().topic() +
            " (" + owned.length + " partitions), checkpoint store " + context.checkpointStore().describe();
    }

    @Override
    public int doWork()
    {
        final long now = System.currentTimeMillis();
        final KafkaGroupMember current = member;
        if (current == null || now < nextRunMs)
        {
            return 0;
        }
        nextRunMs = now + PERIOD_MS;
        final List<Integer> ownedNow = current.ownedPartitions();
        final Map<Integer, Long> lagNow = current.lag();
        final Map<Integer, Long> shared = current.sharedCheckpoints();
        for (int p = 0; p < owned.length; p++)
        {
            final boolean isOwned = ownedNow.contains(p);
            // Release stores: a reader in another process sees each value whole.
            owned[p].setRelease(isOwned ? 1 : 0);
            lag[p].setRelease(isOwned ? lagNow.getOrDefault(p, -1L) : -1);
            sharedCheckpoint[p].setRelease(isOwned ? shared.getOrDefault(p, -1L) : -1);
        }
        rebalances.setRelease(current.rebalances());
        lastRebalance.setRelease(current.lastRebalanceMillis() == 0 ? -1 : current.lastRebalanceMillis());
        recordsIn.setRelease(current.records());
        malformed.setRelease(current.malformed());
        memberState.setRelease(current.state().ordinal());
        logNews(current);
        return 1;
    }

    /** Logs the partition moves and the errors that happened since the last duty cycle. */
    private void logNews(final KafkaGroupMember current)
    {
        final List<String> news = new java.util.ArrayList<>();
        eventsLogged = current.eventsAfter(eventsLogged, news);
        for (final String event : news)
        {
            // The daemon's log stamps the line itself: drop the event's own time stamp.
            log.accept("scale-out: " + event.substring(event.indexOf(' ') + 1));
        }
        final String error = current.lastError();
        if (error != null && !error.equals(errorLogged))
        {
            log.accept("scale-out problem: " + error);
        }
        errorLogged = error;
    }

    /**
     * The status of each owned partition, for JMX.
     *
     * @return the status, ascending by partition; empty before start.
     */
    List<PartitionStatus> partitionStatus()
    {
        final KafkaGroupMember current = member;
        return current == null ? List.of() : current.partitionStatus();
    }

    @Override
    public String roleName()
    {
        return "sluice-scale-out-stats";
    }

    /**
     * Leaves the group: every owned partition takes a final checkpoint, shares it and commits its sinks.
     */
    @Override
    public void close()
    {
        final KafkaGroupMember current = member;
        if (current != null)
        {
            // The counters follow on the stats thread's next duty cycle (their single writer): nothing owned, CLOSED.
            current.close();
        }
    }
}
