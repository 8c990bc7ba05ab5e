package io.sluice.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.sluice.engine.checkpoint.CheckpointListener;
import io.sluice.engine.checkpoint.CheckpointManifest;
import io.sluice.engine.checkpoint.CheckpointStore;
import io.sluice.engine.checkpoint.PartitionCheckpoint;
import io.sluice.engine.checkpoint.SourcePositions;
import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.runtime.DeadLetterListener;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.ExternalSourcePublisher;

/**
 * One Kafka partition a scale-out daemon owns: an engine of one partition (its own journal, state,
 * checkpoints, counters and output sequences) fed by the group member, with its own Kafka sinks
 * (transactional id {@code <prefix>-<k>}), restored from the partition's checkpoint in the shared
 * store when the daemon takes the partition, and closed when it hands the partition over.
 *
 * <h2>Taking a partition</h2>
 * <ol>
 *   <li>Open the sinks: each {@code initTransactions} fences the previous owner's producer and aborts
 *       its open transaction; each sink reads the checkpoint its last commit recorded.</li>
 *   <li>Discard the shared store's checkpoints newer than that (the previous owner wrote them, no
 *       sink committed up to them) and load the newest left, if any.</li>
 *   <li>Import it as the only checkpoint of a fresh local engine directory, under the first id of a
 *       new <em>epoch</em> ({@code (epoch << 32)}, the epoch one more than any id seen for the
 *       partition), with journal offset 0 and its source positions: the engine restores the state and
 *       the Kafka offset, replays nothing (the local journal is new), and numbers its checkpoints on
 *       from there. A zombie of the previous owner can thus never write an id the new owner uses.</li>
 *   <li>Launch the engine; the partition's reader ({@link OwnedPartitionReader}) seeks Kafka to the restored
 *       offset + 1.</li>
 * </ol>
 *
 * <h2>Checkpoints</h2>
 * When a local checkpoint completes, it is copied to the shared store and only then are the sinks
 * told, so a sink never commits outputs up to a checkpoint the next owner cannot restore. If the copy
 * fails the sinks keep their transactions open until a later checkpoint is copied.
 *
 * <p>Threading: opened and closed on the member's polling thread, fed by its reader's thread (stopped before
 * the partition closes); {@link #onCheckpointComplete}
 * on the engine's checkpoint thread; the status getters from any thread.
 */
final class OwnedPartition
{
    /** Checkpoint ids of a new owner start at {@code epoch << EPOCH_SHIFT}. */
    static final int EPOCH_SHIFT = 32;

    final int partition;
    private final KafkaGroupMemberContext context;
    private final List<KafkaSink> sinks;
    private final CheckpointStore local;
    private final Engine engine;
    private final ExternalSourcePublisher publisher;
    private final CheckpointListener exporter = this::onCheckpointComplete;
    private final String restored;
    private volatile boolean exporting = true;
    private volatile long exportedId = -1;
    private volatile long exportedPosition = SourcePositions.NO_POSITION;
    private volatile String lastError;
    /** Offset of the last record published, or NO_POSITION; written by the partition's reader only. */
    long lastOffset;
    /** Whether the input ended on this partition; the partition's reader only. */
    boolean inputEnded;

    private OwnedPartition(
        final int partition,
        final KafkaGroupMemberContext context,
        final List<KafkaSink> sinks,
        final CheckpointStore local,
        final Engine engine,
        final String restored)
    {
        this.partition = partition;
        this.context = context;
        this.sinks = sinks;
        this.local = local;
        this.engine = engine;
        this.restored = restored;
        this.publisher = engine.externalSource(context.source().sluiceTopic());
        this.lastOffset = publisher.position(0);
        engine.addCheckpointListener(exporter);
        for (final KafkaSink sink : sinks)
        {
            sink.checkpointTrigger(engine::checkpoint); // exactly once: outputs waiting for a checkpoint ask for one
        }
    }

    /**
     * Takes a partition over (see the class comment).
     *
     * @param context         of the member.
     * @param partition       Kafka partition taken.
     * @param topicPartitions partition count of the input topic (sink topics must have as many).
     * @param stageFailures   told the events the pipelines' stages dead-letter (sent to the input's Kafka dead-letter
     *                        topic), unless the engine settings name a listener of their own; null for none.
     * @param events          receiving what was restored and discarded.
     * @return the running partition.
     * @throws RuntimeException if a sink or the engine cannot start; nothing is left open.
     */
    static OwnedPartition open(
        final KafkaGroupMemberContext context, final int partition, final int topicPartitions, final DeadLetterListener stageFailures,
        final List<String> events)
    {
        final List<KafkaSink> sinks = new ArrayList<>();
        try
        {
            final Map<String, EventSink> byName = new LinkedHashMap<>();
            long atMost = Long.MAX_VALUE;
            for (final Map.Entry<String, KafkaSinkContext> template : context.sinks().entrySet())
            {
                final KafkaSink sink = KafkaSink.open(template.getValue().copy().partitions(1).firstPartition(partition)
                    .topicPartitions(topicPartitions));
                sinks.add(sink);
                byName.put(template.getKey(), sink);
                atMost = Math.min(atMost, sink.restoreCheckpointAtMost());
            }
            final SharedCheckpointStore shared = context.checkpointStore();
            final List<Long> ids = shared.ids(partition);
            long seen = ids.isEmpty() ? 0 : ids.get(0);
            if (atMost != Long.MAX_VALUE)
            {
                seen = Math.max(seen, atMost);
                final int discarded = shared.discardNewerThan(partition, atMost);
                if (discarded > 0)
                {
                    events.add("partition " + partition + ": discarded " + discarded + " checkpoints newer than " + atMost +
                        ", the newest the sinks committed");
                }
            }
            final CheckpointStore.LoadedCheckpoint loaded = atMost < 0 ? null : shared.newest(partition, atMost, events);
            final long first = ((Math.max(0, seen) >>> EPOCH_SHIFT) + 1) << EPOCH_SHIFT;
            final Path directory = fresh(context.workDirectory().resolve("partition-" + partition));
            final EngineContext engineContext = context.engine().get().directory(directory).partitions(1).restoreCheckpointAtMost(first);
            if (engineContext.deadLetterListener() == null)
            {
                engineContext.deadLetterListener(stageFailures);
            }
            final CheckpointStore local = new CheckpointStore(directory.resolve("checkpoints"), Math.max(3, engineContext.checkpointsRetained()));
            importCheckpoint(local, loaded, first);
            final String restored = loaded == null ? "nothing (Kafka from the start)" :
                "checkpoint " + loaded.manifest().id() + " of " + shared.describe();
            final Engine engine = Engine.launch(engineContext, context.pipelines().apply(byName));
            try
            {
                final OwnedPartition owned = new OwnedPartition(partition, context, sinks, local, engine, restored);
                events.add("partition " + partition + ": restored " + restored + ", resuming at offset " +
                    (owned.lastOffset == SourcePositions.NO_POSITION ? 0 : owned.lastOffset + 1) + ", checkpoints from id " + first);
                return owned;
            }
            catch (final RuntimeException ex)
            {
                engine.close();
                throw ex;
            }
        }
        catch (final RuntimeException ex)
        {
            for (final KafkaSink sink : sinks)
            {
                closeQuietly(sink);
            }
            throw ex;
        }
    }

    /**
     * Writes the restored checkpoint (or, without one, an empty manifest that only sets the first
     * id) as the local store's only checkpoint, with journal offset 0: the local journal is new.
     */
    private static void importCheckpoint(final CheckpointStore local, final CheckpointStore.LoadedCheckpoint loaded, final long id)
    {
        final List<PartitionCheckpoint> entries = new ArrayList<>();
        if (loaded != null)
        {
            try
            {
                for (int i = 0; i < loaded.manifest().partitions().size(); i++)
                {
                    final PartitionCheckpoint entry = loaded.manifest().partitions().get(i);
                    entries.add(local.writeState(id, entry.topic(), 0, 0, loaded.states().get(i), entry.stateLength())
                        .withSourcePositions(entry.sourcePositions()));
                }
            }
            finally
            {
                local.close(); // the scratch maps of these one-off writes
            }
        }
        try
        {
            // The checkpoint's directory (named as CheckpointStore names it), which writeState creates when there is state.
            Files.createDirectories(local.directory().resolve(String.format("%020d", id)));
        }
        catch (final IOException ex)
        {
            throw new KafkaConnectorException("cannot create the checkpoint directory in " + local.directory() + ": " + ex, ex);
        }
        local.commit(new CheckpointManifest(id, loaded == null ? System.currentTimeMillis() : loaded.manifest().createdMs(), List.copyOf(entries)));
    }

    private static Path fresh(final Path directory)
    {
        try
        {
            if (Files.exists(directory))
            {
                try (Stream<Path> files = Files.walk(directory))
                {
                    for (final Path file : (Iterable<Path>)files.sorted(Comparator.reverseOrder())::iterator)
                    {
                        Files.delete(file);
                    }
                }
            }
            Files.createDirectories(directory);
            return directory;
        }
        catch (final IOException ex)
        {
            throw new KafkaConnectorException("cannot prepare the partition directory " + directory + ": " + ex, ex);
        }
    }

    /**
     * Publishes one decoded record into the partition's engine, journaled with its offset, if its ring
     * has room.
     *
     * @param decoder   holding the event.
     * @param offset    of the record.
     * @param timestamp of the record, used as event time when the source says so.
     * @return false if the ring is full (nothing published).
     */
    boolean tryPublish(final RecordDecoder decoder, final long offset, final long timestamp)
    {
        final boolean published = context.source().recordTimestamp() ?
            publisher.tryPublish(0, decoder.buffer(), 0, timestamp, offset) :
            publisher.tryPublish(0, decoder.buffer(), 0, offset);
        if (published)
        {
            lastOffset = offset;
        }
        return published;
    }

    /** The schema of the partition's Kafka input, as its engine's source declares it. */
    io.sluice.schema.Schema inputSchema()
    {
        return publisher.schema();
    }

    /**
     * Ends the partition's input: every open window and pending result is emitted.
     */
    void endInput()
    {
        if (!inputEnded)
        {
            inputEnded = true;
            engine.endOfInput(context.source().sluiceTopic());
        }
    }

    private void onCheckpointComplete(final CheckpointManifest manifest)
    {
        if (!exporting)
        {
            return;
        }
        try
        {
            context.checkpointStore().putCompleted(partition, local, manifest.id());
        }
        catch (final RuntimeException ex)
        {
            // The sinks are not told: their outputs stay in the open transaction until a checkpoint is shared.
            lastError = "partition " + partition + ": cannot copy checkpoint " + manifest.id() + " to " +
                context.checkpointStore().describe() + ": " + ex;
            engine.errorLog().record(ex);
            return;
        }
        exportedId = manifest.id();
        final PartitionCheckpoint entry = manifest.find(publisher.journalTopic(), 0);
        if (entry != null)
        {
            exportedPosition = entry.sourcePosition(publisher.sourceIndex());
        }
        for (final KafkaSink sink : sinks)
        {
            sink.onCheckpointComplete(manifest);
        }
    }

    /**
     * Stops the partition. Handing over (revoked, or this daemon stopping): the engine's final
     * checkpoint is shared and the sinks commit up to it, so the next owner continues from there.
     * Lost (the group moved the partition while this daemon was unreachable): nothing more is shared
     * or committed; the next owner has already fenced the sinks.
     *
     * @param handOver true when revoked or stopping, false when lost.
     */
    void close(final boolean handOver)
    {
        if (!handOver)
        {
            exporting = false;
        }
        try
        {
            engine.close();
        }
        finally
        {
            for (final KafkaSink sink : sinks)
            {
                closeQuietly(sink);
            }
        }
    }

    private static void closeQuietly(final KafkaSink sink)
    {
        try
        {
            sink.close();
        }
        catch (final RuntimeException ex)
        {
            // fenced or unreachable: its open transaction is aborted by the next owner or times out
        }
    }

    /** Id of the newest checkpoint copied to the shared store, or -1. */
    long exportedId()
    {
        return exportedId;
    }

    /** Kafka offset of the last record the newest shared checkpoint covers, or NO_POSITION. */
    long exportedPosition()
    {
        return exportedPosition;
    }

    /** What was restored when the partition was taken. */
    String restored()
    {
        return restored;
    }

    /** The last problem copying checkpoints, or null. */
    String lastError()
    {
        return lastError;
    }

    /**
     * The partition's status.
     *
     * @param lag of the partition as the consumer saw it last.
     * @return the status.
     */
    PartitionStatus status(final long lag)
    {
        long commits = 0;
        long duplicates = 0;
        for (final KafkaSink sink : sinks)
        {
            commits += sink.commits(0);
            duplicates += sink.duplicates(0);
        }
        final Throwable failure = engine.partitionFailure(context.source().sluiceTopic(), 0);
        final String problem = failure != null ? "partition failed: " + failure : lastError;
        final var checkpoints = engine.checkpoints();
        return new PartitionStatus(partition, lag, lastOffset + 1, exportedId, checkpoints == null ? 0 : checkpoints.completed(),
            checkpoints == null ? 0 : checkpoints.failed(), commits, duplicates, restored, problem);
    }

    /** The partition's engine. */
    Engine engine()
    {
        return engine;
    }

    /** The partition's sinks. */
    List<KafkaSink> sinks()
    {
        return sinks;
    }
}
