package io.sluice.kafka;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.WakeupException;

import io.sluice.engine.checkpoint.SourcePositions;
import io.sluice.engine.runtime.Engine;

/**
 * One daemon of a scale-out job: a member of the job's Kafka consumer group that runs the topic
 * partitions the group assigns it, each as its own one-partition engine ({@link OwnedPartition}),
 * restored from that partition's newest committed checkpoint in the {@link SharedCheckpointStore}
 * and resumed in Kafka from the offset after it. When a daemon joins, leaves or dies, Kafka's group
 * protocol (cooperative-sticky assignment: only the partitions that move stop) moves its partitions;
 * the daemon giving a partition up takes a final checkpoint, shares it and commits its sinks
 * ({@link #close()}, or a revocation); a killed daemon's partitions restart from their last shared,
 * committed checkpoint, its exactly-once sink transactions fenced by the new owner.
 *
 * <p>Malformed records and the events a pipeline's stage fails on under {@code on_error: dead_letter} go to the
 * input's Kafka dead-letter topic, if it has one, with the reason ({@link #malformed()},
 * {@link #stageFailuresDeadLettered()}).
 *
 * <p>Everything is per partition: state, checkpoints, Kafka offsets, output sequences, counters. A
 * partition this daemon does not own has no engine, no thread and no files, and this daemon never
 * writes its checkpoints.
 *
 * <p>Each owned partition is read by its own consumer ({@link OwnedPartitionReader}: {@code assign()}ed the
 * one partition, on its own thread), so the Kafka client's per-record decoding spreads over the daemon's
 * partitions and a full ring holds back only its own partition. The group's consumer only keeps the
 * membership: its assigned partitions stay paused (it fetches no records), and its rebalance callbacks
 * start a partition's reader once the partition is restored, and stop it before the partition hands over.
 *
 * <p>Threading: one polling thread, "sluice-kafka-member-" + job, owns the group's consumer and opens
 * and closes the partitions (in the group's rebalance callbacks); each partition's reader thread feeds
 * its partition; any thread may read the status and
 * call {@link #close()}; an operator's commands ({@link #pause}, {@link #checkpointOwnedPartitions} ...)
 * run on the caller's thread, each partition's part ordered against its taking and closing by a lock.
 */
public final class KafkaGroupMember implements AutoCloseable
{
    private static final int EVENTS_KEPT = 64;

    /** Life of a member. */
    public enum State
    {
        /** Waiting for the brokers or the topic (see {@link KafkaGroupMember#lastError()}). */
        CONNECTING,
        /** In the group, polling. */
        RUNNING,
        /** Stopped by an error; see {@link KafkaGroupMember#lastError()}. */
        FAILED,
        /** Closed. */
        CLOSED
    }

    private final KafkaGroupMemberContext context;
    private final KafkaSourceContext source;
    private final Thread thread;
    /** Owned partitions by Kafka partition; written by the polling thread only. */
    private final Map<Integer, OwnedPartition> owned = new ConcurrentHashMap<>();
    /** The reader of each owned partition; written by the polling thread only. */
    private final Map<Integer, OwnedPartitionReader> readers = new ConcurrentHashMap<>();
    /** Records published by the readers of partitions given up since start; guarded by {@link #readers}. */
    private long recordsOfClosedReaders;
    private final OwnedPartitionReader.Member readerCallbacks = new ReaderCallbacks();
    /** Assigned partitions that could not be opened yet, with the time of the next attempt; polling thread. */
    private final Map<Integer, Long> pending = new HashMap<>();
    private final Map<Integer, Long> lag = new ConcurrentHashMap<>();
    private final Map<Integer, Long> committedPositions = new HashMap<>();
    private final Deque<String> events = new ArrayDeque<>();
    /** Events recorded since start (the deque keeps the last {@value #EVENTS_KEPT}); guarded by {@link #events}. */
    private long eventCount;
    private volatile Map<Integer, Long> endOffsets = Map.of();
    private KafkaConsumer<ByteBuffer, ByteBuffer> consumer;
    /** Guarded by itself once the polling thread opened it: the readers send to it. */
    private DeadLetters deadLetters;
    /**
     * The owned partitions' stage failures under {@code on_error: dead_letter}, sent through {@link #deadLetters};
     * null without a dead-letter topic. Set by the polling thread before any partition is taken.
     */
    private volatile KafkaStageDeadLetters stageFailures;
    private volatile int topicPartitions;
    private volatile State state = State.CONNECTING;
    private volatile String lastError;
    private volatile boolean running = true;
    private volatile long rebalances;
    private volatile long lastRebalanceMillis;
    private final java.util.concurrent.atomic.AtomicLong malformed = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong authorizationFailures = new java.util.concurrent.atomic.AtomicLong();
    /** Pipelines an operator paused on this daemon (applied to every partition taken later); any thread. */
    private final java.util.Set<String> pausedPipelines = ConcurrentHashMap.newKeySet();
    /**
     * Orders an operator's command on a partition's engine against the polling thread taking or giving
     * up that partition: a command never reaches an engine being closed, and a partition taken while a
     * pause is being applied is paused either by the command or when it is taken.
     */
    private final Object commandLock = new Object();

    private KafkaGroupMember(final KafkaGroupMemberContext context)
    {
        this.context = context;
        this.source = context.source();
        this.thread = new Thread(this::run, "sluice-kafka-member-" + context.job());
        this.thread.setDaemon(true);
    }

    /**
     * Joins the job's consumer group and starts running the partitions it assigns.
     *
     * @param context settings; concluded here.
     * @return the running member.
     */
    public static KafkaGroupMember start(final KafkaGroupMemberContext context)
    {
        context.conclude();
        final KafkaGroupMember member = new KafkaGroupMember(context);
        member.thread.start();
        return member;
    }

    private void run()
    {
        try
        {
            consumer = new KafkaConsumer<>(consumerProperties());
            topicPartitions = connect();
            if (topicPartitions <= 0)
            {
                return;
            }
            if (context.partitions() != 0 && context.partitions() != topicPartitions)
            {
                lastError = "scale-out job '" + context.job() + "': Kafka topic '" + source.topic() + "' has " + topicPartitions +
                    " partitions but the job is configured for " + context.partitions() + " (partitions)";
                state = State.FAILED;
                return;
            }
            deadLetters = DeadLetters.open(source, "sluice-" + context.job() + "-dead-letters");
            if (deadLetters != null)
            {
                stageFailures = KafkaStageDeadLetters.sharing(deadLetters, source.format(), failure -> lastError = failure);
            }
            consumer.subscribe(List.of(source.topic()), new Rebalance());
            state = State.RUNNING;
            long backoff = source.initialBackoffMillis();
            while (running)
            {
                try
                {
                    // Every assigned partition is paused from its assignment on: the readers fetch, this consumer only
                    // keeps the membership (and runs the rebalance callbacks inside its poll).
                    consumer.poll(Duration.ofMillis(source.pollMillis()));
                    backoff = source.initialBackoffMillis();
                }
                catch (final AuthorizationException ex)
                {
                    // An ACL may be granted later: the owned partitions keep their positions and the poll is tried again.
                    authorizationFailures.incrementAndGet();
                    lastError = "scale-out job '" + context.job() + "': not authorized to READ Kafka topic '" + source.topic() +
                        "' (or the offsets of group '" + source.groupId() + "') on " + source.bootstrapServers() + ": " + ex.getMessage() +
                        " (retrying in " + backoff + " ms)";
                    if (!pause(backoff))
                    {
                        return;
                    }
                    backoff = Math.min(source.maxBackoffMillis(), backoff * 2);
                    continue;
                }
                openPending();
                commitShared();
            }
        }
        catch (final WakeupException ex)
        {
            // close() woke the consumer
        }
        catch (final RuntimeException ex)
        {
            if (running)
            {
                lastError = "scale-out member of job '" + context.job() + "' stopped: " + ex;
                state = State.FAILED;
            }
        }
        finally
        {
            closeClients();
        }
    }

    /** Waits for the topic, retrying with back-off; returns its partition count, or 0 when stopped. */
    private int connect()
    {
        long backoff = source.initialBackoffMillis();
        while (running)
        {
            try
            {
                final List<PartitionInfo> infos = consumer.partitionsFor(source.topic(), Duration.ofMillis(source.metadataTimeoutMillis()));
                if (infos != null && !infos.isEmpty())
                {
                    lastError = null;
                    return infos.size();
                }
                lastError = "Kafka topic '" + source.topic() + "' does not exist on " + source.bootstrapServers() + " (retrying in " + backoff + " ms)";
            }
            catch (final AuthorizationException ex)
            {
                lastError = "not authorized to read Kafka topic '" + source.topic() + "' on " + source.bootstrapServers() + ": " +
                    ex.getMessage() + " (retrying in " + backoff + " ms)";
            }
            catch (final org.apache.kafka.common.errors.AuthenticationException ex)
            {
                // Credentials may be corrected on the brokers' side: retried with back-off, never a crash loop.
                lastError = KafkaClientProperties.authenticationFailed(source.bootstrapServers(), ex) + " (retrying in " + backoff + " ms)";
            }
            catch (final WakeupException ex)
            {
                return 0;
            }
            catch (final KafkaException ex)
            {
                lastError = "cannot reach the Kafka brokers " + source.bootstrapServers() + " for topic '" + source.topic() + "': " +
                    ex.getMessage() + " (retrying in " + backoff + " ms)";
            }
            if (!pause(backoff))
            {
                return 0;
            }
            backoff = Math.min(source.maxBackoffMillis(), backoff * 2);
        }
        return 0;
    }

    /** The group's callbacks, on the polling thread inside poll(). */
    private final class Rebalance implements ConsumerRebalanceListener
    {
        @Override
        public void onPartitionsAssigned(final Collection<TopicPartition> partitions)
        {
            rebalanced();
            for (final TopicPartition tp : partitions)
            {
                take(tp.partition());
            }
        }

        @Override
        public void onPartitionsRevoked(final Collection<TopicPartition> partitions)
        {
            rebalanced();
            for (final TopicPartition tp : partitions)
            {
                release(tp.partition(), true);
            }
        }

        @Override
        public void onPartitionsLost(final Collection<TopicPartition> partitions)
        {
            rebalanced();
            for (final TopicPartition tp : partitions)
            {
                release(tp.partition(), false);
            }
        }
    }

    /** Counts a rebalance callback; polling thread (the single writer of both fields). */
    private void rebalanced()
    {
        lastRebalanceMillis = System.currentTimeMillis();
        rebalances++;
    }

    private void take(final int partition)
    {
        final TopicPartition tp = new TopicPartition(source.topic(), partition);
        final List<String> found = new ArrayList<>();
        // The group's consumer never fetches: the partition's own reader does, once it is restored.
        consumer.pause(List.of(tp));
        try
        {
            final KafkaStageDeadLetters failures = stageFailures;
            final OwnedPartition taken = OwnedPartition.open(context, partition, topicPartitions,
                failures == null ? null : failures.ofKafkaPartition(partition), found);
            synchronized (commandLock)
            {
                owned.put(partition, taken);
                // An operator paused pipelines on this daemon: the partition taken now waits with the others (a name
                // paused while no partition was owned could not be checked: one its engine does not know is skipped).
                for (final String pipeline : pausedPipelines)
                {
                    if (taken.engine().pipelineNames().contains(pipeline))
                    {
                        taken.engine().pause(pipeline);
                    }
                }
            }
            pending.remove(partition);
            readers.put(partition, OwnedPartitionReader.start(readerCallbacks, context.job(), taken, source));
            if (!pausedPipelines.isEmpty())
            {
                found.add("partition " + partition + ": paused (" + String.join(", ", new java.util.TreeSet<>(pausedPipelines)) +
                    " paused on this daemon)");
            }
            found.forEach(this::event);
        }
        catch (final RuntimeException ex)
        {
            found.forEach(this::event);
            final long retry = pending.containsKey(partition) ? source.maxBackoffMillis() : source.initialBackoffMillis();
            pending.put(partition, System.currentTimeMillis() + retry);
            lastError = "cannot take partition " + partition + " of '" + source.topic() + "' (retrying in " + retry + " ms): " + ex;
            event(lastError);
        }
    }

    private void release(final int partition, final boolean handOver)
    {
        final OwnedPartitionReader reader = readers.get(partition);
        if (reader != null)
        {
            reader.stop(); // before the hand-over: nothing is published after the final checkpoint
            synchronized (readers)
            {
                recordsOfClosedReaders += reader.records();
                readers.remove(partition);
            }
        }
        pending.remove(partition);
        lag.remove(partition);
        committedPositions.remove(partition);
        final OwnedPartition partitionOwned = owned.remove(partition);
        if (partitionOwned != null)
        {
            try
            {
                synchronized (commandLock)
                {
                    // A partition paused here would not drain: the next owner takes it running (or paused, if paused there).
                    pausedPipelines.forEach(partitionOwned.engine()::resume);
                    partitionOwned.close(handOver);
                }
                event("partition " + partition + (handOver ? ": handed over after checkpoint " + partitionOwned.exportedId() :
                    ": lost (the group moved it while this daemon was unreachable)"));
            }
            catch (final RuntimeException ex)
            {
                lastError = "closing partition " + partition + ": " + ex;
                event(lastError);
            }
        }
    }

    private void openPending()
    {
        if (pending.isEmpty())
        {
            return;
        }
        final long now = System.currentTimeMillis();
        for (final Map.Entry<Integer, Long> entry : new ArrayList<>(pending.entrySet()))
        {
            if (entry.getValue() <= now && consumer.assignment().contains(new TopicPartition(source.topic(), entry.getKey())))
            {
                take(entry.getKey());
            }
        }
    }

    /** Commits to the group the offsets the shared checkpoints cover: what lag monitoring reads. */
    private void commitShared()
    {
        final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (final OwnedPartition partition : owned.values())
        {
            final long position = partition.exportedPosition();
            final Long committed = committedPositions.get(partition.partition);
            if (position != SourcePositions.NO_POSITION && (committed == null || committed != position))
            {
                offsets.put(new TopicPartition(source.topic(), partition.partition),
                    new OffsetAndMetadata(position + 1, "checkpoint " + partition.exportedId()));
                committedPositions.put(partition.partition, position);
            }
        }
        if (!offsets.isEmpty())
        {
            consumer.commitAsync(offsets, (done, ex) ->
            {
                if (ex != null)
                {
                    lastError = "cannot commit offsets of group '" + source.groupId() + "' (monitoring only): " + ex.getMessage();
                }
            });
        }
    }

    /** The readers' calls into the member, on their threads. */
    private final class ReaderCallbacks implements OwnedPartitionReader.Member
    {
        @Override
        public boolean pipelinesPaused()
        {
            return !pausedPipelines.isEmpty();
        }

        @Override
        public Long inputEnd(final int partition)
        {
            return endOffsets.get(partition);
        }

        @Override
        public boolean onMalformed(final ConsumerRecord<ByteBuffer, ByteBuffer> record, final String error)
        {
            final String where = record.topic() + "/" + record.partition() + "@" + record.offset();
            if (source.haltOnError())
            {
                // Nothing at or after the record is journaled: a restart (with the record fixed, or on_error: dead_letter)
                // resumes at it. The partitions move to the job's other daemons, which halt at it too.
                failed("malformed record at " + where + ": " + error + " (on_error: halt)");
                return false;
            }
            lastError = "malformed record at " + where + ": " + error;
            final DeadLetters letters = deadLetters;
            if (letters != null)
            {
                synchronized (letters)
                {
                    letters.send(record, error, where, failure -> lastError = failure);
                }
            }
            malformed.incrementAndGet(); // after its dead letter: whoever sees the count sees it dead-lettered
            return true;
        }

        @Override
        public void lag(final int partition, final long records)
        {
            lag.put(partition, records);
        }

        @Override
        public void onAuthorizationFailure(final int partition, final AuthorizationException ex, final long backoffMillis)
        {
            authorizationFailures.incrementAndGet();
            lastError = "scale-out job '" + context.job() + "': not authorized to READ partition " + partition + " of Kafka topic '" +
                source.topic() + "' on " + source.bootstrapServers() + ": " + ex.getMessage() + " (retrying in " + backoffMillis + " ms)";
        }

        @Override
        public void event(final String event)
        {
            KafkaGroupMember.this.event(event);
        }

        @Override
        public void failed(final String message)
        {
            lastError = "scale-out member of job '" + context.job() + "' stopped: " + message;
            state = State.FAILED;
            running = false;
            final KafkaConsumer<ByteBuffer, ByteBuffer> c = consumer;
            if (c != null)
            {
                c.wakeup(); // the polling thread leaves the group, handing every partition over
            }
        }
    }

    private void event(final String event)
    {
        synchronized (events)
        {
            eventCount++;
            events.addLast(java.time.Instant.now() + " " + event);
            while (events.size() > EVENTS_KEPT)
            {
                events.removeFirst();
            }
        }
    }

    private Properties consumerProperties()
    {
        final Properties props = source.consumerProperties("sluice-" + context.job() + "-" + ProcessHandle.current().pid());
        // Only the partitions that move stop; the others keep running through a rebalance.
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, String.valueOf(context.sessionTimeoutMillis()));
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, String.valueOf(Math.max(100, context.sessionTimeoutMillis() / 5)));
        return props;
    }

    private boolean pause(final long millis)
    {
        return Backoff.park(() -> running, this, millis);
    }

    private void closeClients()
    {
        try
        {
            if (consumer != null)
            {
                // Leaving the group revokes the owned partitions: each hands over (final checkpoint, shared, committed).
                consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(60)));
            }
        }
        catch (final RuntimeException ex)
        {
            lastError = "closing the consumer of job '" + context.job() + "': " + ex;
        }
        for (final int partition : new ArrayList<>(owned.keySet()))
        {
            release(partition, true);
        }
        if (deadLetters != null)
        {
            deadLetters.close();
        }
    }

    /**
     * Declares where each partition's input ends (a bounded run, a test): once an owned partition has
     * journaled every record before its end offset, its input ends and every open window is emitted.
     * A partition taken over after its end restores the state that already emitted them.
     *
     * @param nextOffsets per Kafka partition, the offset after its last input record.
     */
    public void endInputAt(final Map<Integer, Long> nextOffsets)
    {
        this.endOffsets = Map.copyOf(nextOffsets);
    }

    /**
     * An operator's command on one owned partition's engine ({@code ctl pause}, {@code resume},
     * {@code replay}), run on the caller's thread.
     */
    @FunctionalInterface
    public interface PartitionCommand
    {
        /**
         * Runs the command.
         *
         * @param partition the Kafka partition.
         * @param engine    the partition's engine.
         * @return what happened, one phrase (e.g. {@code paused vol}).
         */
        String run(int partition, Engine engine);
    }

    /**
     * Runs an operator's command on the engine of every partition owned now, ascending. A partition the
     * group moves away meanwhile is reported as such, not as an error.
     *
     * @param command to run.
     * @return one line per partition, {@code partition <k>: <what happened>}; empty when none is owned.
     */
    public List<String> onOwnedPartitions(final PartitionCommand command)
    {
        final List<String> lines = new ArrayList<>();
        for (final Map.Entry<Integer, OwnedPartition> entry : new TreeMap<>(owned).entrySet())
        {
            final int partition = entry.getKey();
            synchronized (commandLock)
            {
                if (owned.get(partition) != entry.getValue())
                {
                    lines.add("partition " + partition + ": " + movedAway(partition));
                    continue;
                }
                try
                {
                    lines.add("partition " + partition + ": " + command.run(partition, entry.getValue().engine()));
                }
                catch (final RuntimeException ex)
                {
                    lines.add("partition " + partition + ": failed: " + ex.getMessage());
                }
            }
        }
        return lines;
    }

    /**
     * Pauses a pipeline on every owned partition, and on every partition this daemon takes until
     * {@link #resume}: the partitions' readers stop fetching (the group's consumer keeps polling, so the
     * member stays in the group), their engines stop taking events.
     *
     * @param pipeline name.
     * @return one line per owned partition.
     * @throws IllegalArgumentException if an owned partition's engine has no such pipeline.
     */
    public List<String> pause(final String pipeline)
    {
        requirePipeline(pipeline);
        synchronized (commandLock)
        {
            pausedPipelines.add(pipeline);
        }
        return onOwnedPartitions((partition, engine) ->
        {
            engine.pause(pipeline);
            return "paused " + pipeline;
        });
    }

    /**
     * Resumes what {@link #pause} paused, on every owned partition.
     *
     * @param pipeline name.
     * @return one line per owned partition.
     * @throws IllegalArgumentException if an owned partition's engine has no such pipeline.
     */
    public List<String> resume(final String pipeline)
    {
        requirePipeline(pipeline);
        synchronized (commandLock)
        {
            pausedPipelines.remove(pipeline);
        }
        return onOwnedPartitions((partition, engine) ->
        {
            engine.resume(pipeline);
            return "resumed " + pipeline;
        });
    }

    /**
     * The pipelines paused on this daemon.
     *
     * @return the names, sorted.
     */
    public List<String> pausedPipelines()
    {
        return new ArrayList<>(new java.util.TreeSet<>(pausedPipelines));
    }

    private void requirePipeline(final String pipeline)
    {
        for (final OwnedPartition partition : owned.values())
        {
            if (!partition.engine().pipelineNames().contains(pipeline))
            {
                throw new IllegalArgumentException("no pipeline '" + pipeline + "' (pipelines: " +
                    String.join(", ", partition.engine().pipelineNames()) + ")");
            }
            return;
        }
    }

    /**
     * Takes a checkpoint of every owned partition now and waits for each (until the deadline), each
     * shared to the checkpoint store as a periodic one is.
     *
     * @param timeoutMillis longest wait for all of them.
     * @return one line per owned partition: its checkpoint id and whether it is shared, or that the
     *         group moved the partition away meanwhile, or why it failed.
     */
    public List<String> checkpointOwnedPartitions(final long timeoutMillis)
    {
        final Map<Integer, OwnedPartition> taken = new TreeMap<>(owned);
        final Map<Integer, java.util.concurrent.CompletableFuture<io.sluice.engine.checkpoint.CheckpointManifest>> started = new TreeMap<>();
        final Map<Integer, String> lines = new TreeMap<>();
        for (final Map.Entry<Integer, OwnedPartition> entry : taken.entrySet())
        {
            synchronized (commandLock)
            {
                if (owned.get(entry.getKey()) != entry.getValue())
                {
                    lines.put(entry.getKey(), movedAway(entry.getKey()));
                    continue;
                }
                try
                {
                    started.put(entry.getKey(), entry.getValue().engine().checkpoint());
                }
                catch (final RuntimeException ex)
                {
                    lines.put(entry.getKey(), "failed: " + ex.getMessage());
                }
            }
        }
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        for (final Map.Entry<Integer, java.util.concurrent.CompletableFuture<io.sluice.engine.checkpoint.CheckpointManifest>> entry :
            started.entrySet())
        {
            final int partition = entry.getKey();
            final OwnedPartition ownedPartition = taken.get(partition);
            lines.put(partition, awaitCheckpoint(partition, ownedPartition, entry.getValue(), deadline));
        }
        final List<String> result = new ArrayList<>();
        lines.forEach((partition, line) -> result.add("partition " + partition + ": " + line));
        return result;
    }

    /** Waits for one partition's checkpoint, giving up when the partition moves away or at the deadline. */
    private String awaitCheckpoint(final int partition, final OwnedPartition ownedPartition,
        final java.util.concurrent.CompletableFuture<io.sluice.engine.checkpoint.CheckpointManifest> future, final long deadline)
    {
        while (true)
        {
            try
            {
                final io.sluice.engine.checkpoint.CheckpointManifest manifest = future.get(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                // The engine tells its listeners (the share to the store) before it completes the future.
                return "checkpoint " + manifest.id() + (ownedPartition.exportedId() >= manifest.id() ?
                    " complete, shared to " + context.checkpointStore().describe() :
                    " complete here, not shared: " + ownedPartition.lastError());
            }
            catch (final java.util.concurrent.TimeoutException ex)
            {
                if (owned.get(partition) != ownedPartition)
                {
                    return movedAway(partition);
                }
                if (System.nanoTime() > deadline)
                {
                    return "checkpoint not complete within the wait (it may still complete)";
                }
            }
            catch (final java.util.concurrent.ExecutionException ex)
            {
                return owned.get(partition) == ownedPartition ? "checkpoint failed: " + ex.getCause().getMessage() : movedAway(partition);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return "interrupted while waiting for the checkpoint";
            }
        }
    }

    private String movedAway(final int partition)
    {
        final OwnedPartition now = owned.get(partition);
        return now == null ? "moved away during the command (the group gave it to another daemon)" :
            "moved away and taken again during the command (nothing done on the new engine)";
    }

    /**
     * The Kafka partitions this daemon runs now, ascending.
     *
     * @return the partitions.
     */
    public List<Integer> ownedPartitions()
    {
        return new ArrayList<>(new TreeMap<>(owned).keySet());
    }

    /**
     * Records behind the end of each owned partition as of its reader's last poll (-1 when unknown).
     *
     * @return lag by Kafka partition.
     */
    public Map<Integer, Long> lag()
    {
        return new TreeMap<>(lag);
    }

    /**
     * Per owned partition, the id of the newest checkpoint shared (-1 before the first).
     *
     * @return checkpoint ids by Kafka partition.
     */
    public Map<Integer, Long> sharedCheckpoints()
    {
        final Map<Integer, Long> ids = new TreeMap<>();
        owned.forEach((p, o) -> ids.put(p, o.exportedId()));
        return ids;
    }

    /**
     * The status of every owned partition, by partition.
     *
     * @return one entry per owned partition, ascending.
     */
    public List<PartitionStatus> partitionStatus()
    {
        final List<PartitionStatus> status = new ArrayList<>();
        for (final OwnedPartition partition : new TreeMap<>(owned).values())
        {
            status.add(partition.status(lag.getOrDefault(partition.partition, -1L)));
        }
        return status;
    }

    /**
     * Assignments, revocations and losses this daemon has seen (each callback counts one).
     *
     * @return the count.
     */
    public long rebalances()
    {
        return rebalances;
    }

    /**
     * When the last rebalance callback ran.
     *
     * @return epoch milliseconds, 0 before the first.
     */
    public long lastRebalanceMillis()
    {
        return lastRebalanceMillis;
    }

    /**
     * The partition count of the input topic, once connected.
     *
     * @return the count, 0 before the member has reached the topic.
     */
    public int topicPartitions()
    {
        return topicPartitions;
    }

    /**
     * Records published into the owned partitions since start.
     *
     * @return the count.
     */
    public long records()
    {
        synchronized (readers)
        {
            long sum = recordsOfClosedReaders;
            for (final OwnedPartitionReader reader : readers.values())
            {
                sum += reader.records();
            }
            return sum;
        }
    }

    /**
     * Records that did not decode.
     *
     * @return the count.
     */
    public long malformed()
    {
        return malformed.get();
    }

    /**
     * Events the owned partitions' pipeline stages failed on under {@code on_error: dead_letter}, sent to the input's
     * Kafka dead-letter topic with the reason (beside the malformed records); a replay after a restart or a move
     * sends a failure again (at least once).
     *
     * @return the count since start; 0 without a dead-letter topic (the events stay in each partition's journal).
     */
    public long stageFailuresDeadLettered()
    {
        final KafkaStageDeadLetters failures = stageFailures;
        return failures == null ? 0 : failures.sent();
    }

    /**
     * Polls refused by the brokers' authorizer (no READ on the topic or the group), each retried.
     *
     * @return the count.
     */
    public long authorizationFailures()
    {
        return authorizationFailures.get();
    }

    /**
     * The state of the member.
     *
     * @return the state.
     */
    public State state()
    {
        return state;
    }

    /**
     * The last problem met, or null.
     *
     * @return a message naming the topic, partition or store and what is wrong.
     */
    public String lastError()
    {
        return lastError;
    }

    /**
     * Recent partition moves: what was taken, restored, discarded, handed over or lost, oldest first.
     *
     * @return the events, each stamped with its time.
     */
    public List<String> events()
    {
        synchronized (events)
        {
            return new ArrayList<>(events);
        }
    }

    /**
     * For a reader following the events: adds those recorded after the first {@code seen} since start
     * (as many of them as are still kept) and returns the count to pass next time.
     *
     * @param seen events the reader has had so far, 0 at first.
     * @param into receiving the newer events, oldest first.
     * @return the events recorded since start.
     */
    public long eventsAfter(final long seen, final List<String> into)
    {
        synchronized (events)
        {
            final int newer = (int)Math.min(events.size(), Math.max(0, eventCount - seen));
            int skip = events.size() - newer;
            for (final String event : events)
            {
                if (skip-- <= 0)
                {
                    into.add(event);
                }
            }
            return eventCount;
        }
    }

    /**
     * Events recorded since start ({@link #events()} keeps the newest {@value #EVENTS_KEPT}).
     *
     * @return the count.
     */
    public long eventCount()
    {
        synchronized (events)
        {
            return eventCount;
        }
    }

    /**
     * The settings.
     *
     * @return the context.
     */
    public KafkaGroupMemberContext context()
    {
        return context;
    }

    /**
     * Leaves the group: each owned partition takes a final checkpoint, shares it and commits its sinks,
     * so the daemons that take them continue exactly there.
     */
    @Override
    public void close()
    {
        running = false;
        if (thread.isAlive())
        {
            final KafkaConsumer<ByteBuffer, ByteBuffer> c = consumer;
            if (c != null)
            {
                c.wakeup();
            }
            java.util.concurrent.locks.LockSupport.unpark(thread);
            try
            {
                thread.join(120_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        if (state != State.FAILED)
        {
            state = State.CLOSED;
        }
    }
}
