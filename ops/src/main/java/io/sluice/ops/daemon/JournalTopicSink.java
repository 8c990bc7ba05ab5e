package io.sluice.ops.daemon;

import io.sluice.engine.pipeline.EventSink;
import io.sluice.engine.pipeline.IdempotentSink;
import io.sluice.schema.EventFlyweight;
import io.sluice.journal.PartitionWriter;
import io.sluice.journal.Topic;

/**
 * Appends a pipeline's outputs to a topic of the daemon's output journal ({@code <data>/outputs}), one
 * record per output, output partition = input partition, so broker consumers (consumer groups, the
 * Aeron egress, {@code sluice journal dump}) can read them.
 *
 * <p>Exactly once: each output is one record and a pipeline's output sequences start at 0 per
 * partition, so a partition's end offset is the next sequence it expects; replayed outputs below it
 * are dropped by an {@link IdempotentSink}. Records survive a process crash as soon as they are
 * appended (JOURNALED); at each checkpoint barrier the partition is forced (DURABLE), because recovery
 * will not replay the input before it again.
 *
 * <p>Threading: partition {@code p}'s writer is used by the thread that emits partition {@code p}'s
 * outputs: the launching thread during recovery, then the partition thread. The hand-over is
 * made explicit to the single-writer check ({@link PartitionWriter#releaseOwnership()}); Thread.start
 * gives the happens-before edge.
 */
final class JournalTopicSink implements EventSink
{
    /** Record type of an output in the output journal. */
    static final int OUTPUT_RECORD_TYPE = 1;

    private final Topic topic;
    private final PartitionWriter[] writers;
    private final Thread[] owners;
    private final IdempotentSink idempotent;

    JournalTopicSink(final Topic topic)
    {
        this.topic = topic;
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

    @Override
    public void onEvent(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
    {
        idempotent.onEvent(partition, sequence, key, timestamp, event);
    }

    private void append(final int partition, final long sequence, final long key, final long timestamp, final EventFlyweight event)
    {
        final Thread current = Thread.currentThread();
        final PartitionWriter writer = writers[partition];
        if (owners[partition] != current)
        {
            writer.releaseOwnership();
            owners[partition] = current;
        }
        writer.append(OUTPUT_RECORD_TYPE, 0, timestamp, key, event.buffer(), event.offset(), event.length());
    }

    @Override
    public void onCheckpoint(final int partition)
    {
        topic.partition(partition).force();
    }
}
