package io.sluice.ops.daemon;

import java.nio.file.Path;

import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.IdempotentSink;
import io.sluice.schema.EventFlyweight;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.EngineProfile;
import io.sluice.journal.JournalContext;
import io.sluice.journal.PartitionWriter;
import io.sluice.journal.Topic;

/**
 * Appends a pipeline's outputs to a topic of the daemon's output journal ({@code <data>/outputs}), one
 * record per output, output partition = input partition, so broker consumers (consumer groups, the
 * Aeron egress, {@code sluice journal dump}) can read them.
 *
 * <p>A turn's outputs are published together: each is appended unpublished
 * ({@link PartitionWriter#appendUnpublished}) and the partition's end offset moves past them at the end of the
 * processing thread's turn ({@link #onTurnEnd}), so readers by offset see a turn's outputs at once, and a journal
 * opened with staged writes writes them with one {@code pwrite} (a run of one or two stored through the mapping), as
 * the input journal writes a turn's events (see {@link #journalContext}). A result waits for the rest of its turn (a
 * bounded run of events and result slices) at most.
 *
 * <p>Exactly once: each output is one record and a pipeline's output sequences start at 0 per
 * partition, so a partition's end offset is the next sequence it expects; replayed outputs below it
 * are dropped by an {@link IdempotentSink}. Records survive a process crash once published at the turn's end
 * (JOURNALED); at each checkpoint barrier the partition is forced (DURABLE), because recovery
 * will not replay the input before it again.
 *
 * <p>Threading: partition {@code p}'s writer is used by the thread that emits partition {@code p}'s
 * outputs: the recovering thread during recovery, then the partition thread. The hand-over is
 * made explicit to the single-writer check ({@link PartitionWriter#releaseOwnership()}); the recovery's end and
 * Thread.start give the happens-before edge.
 */
final class JournalTopicSink implements EventSink
{
    /** Record type of an output in the output journal. */
    static final int OUTPUT_RECORD_TYPE = 1;

    private final PartitionWriter[] writers;
    private final Thread[] owners;
    private final IdempotentSink idempotent;

    JournalTopicSink(final Topic topic)
    {
        final int partitions = topic.partitionCount();
        this.writers = new PartitionWriter[partitions];
        this.owners = new Thread[partitions];
        final long[] next = new long[partitions];
        for (int p = 0; p < partitions; p++)
        {
            writers[p] = topic.partition(p).writer();
            next[p] = topic.partition(p).endOffset();
        }
        this.idempotent = new IdempotentSink(this::append, next);
    }

    /**
     * The output journal's context: its writers stage their frames as the engine's input journal does under the
     * daemon's profile ({@link EngineContext.Configuration#journalStagedWrites}, and runs of
     * {@link EngineContext.Configuration#journalStagedSmallRunRecords} records or fewer stored through the mapping).
     *
     * @param directory of the output journal.
     * @param profile   the daemon runs under.
     * @return the context.
     */
    static JournalContext journalContext(final Path directory, final EngineProfile profile)
    {
        return new JournalContext()
            .directory(directory)
            .stagedWrites(EngineContext.Configuration.journalStagedWrites(profile))
            .stagedSmallRunRecords(EngineContext.Configuration.journalStagedSmallRunRecords());
    }

    @Override
    public void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
    {
        idempotent.onEvent(partition, sequence, key, timestamp, event);
    }

    private void append(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
    {
        // Published with the turn's other outputs, at its end (onTurnEnd).
        writer(partition).appendUnpublished(OUTPUT_RECORD_TYPE, 0, timestamp, key, event.buffer(), event.offset(), event.length());
    }

    @Override
    public void onTurnEnd(final int partition)
    {
        writer(partition).publishAppended();
    }

    @Override
    public void onCheckpoint(final int partition)
    {
        // Publishes what the turn appended so far, then forces: every output before the barrier is DURABLE.
        writer(partition).force();
    }

    /**
     * The partition's writer, handed to the calling thread if another one used it last (recovery, then the
     * partition thread).
     */
    private PartitionWriter writer(final int partition)
    {
        final Thread current = Thread.currentThread();
        final PartitionWriter writer = writers[partition];
        if (owners[partition] != current)
        {
            writer.releaseOwnership();
            owners[partition] = current;
        }
        return writer;
    }
}
