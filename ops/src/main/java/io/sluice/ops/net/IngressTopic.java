package io.sluice.ops.net;

import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EventPublisher;
import io.sluice.journal.JournalException;
import io.sluice.journal.Partition;
import io.sluice.journal.Topic;

/**
 * One ingress topic as the ingress adapter sees it: the publisher into its rings and, refreshed once
 * per duty cycle, each partition's processed ring sequence and journal end and durable offsets, which
 * the producer sessions compare their pending events against.
 *
 * <p>Threading: the server agent's thread only (the publisher is its one producing thread).
 */
final class IngressTopic
{
    final int id;
    final String name;
    final EventPublisher publisher;
    final int eventLength;
    final int layoutFingerprint;
    final long[] processed;
    final long[] endOffset;
    final long[] durableOffset;
    final boolean[] forceWanted;
    final boolean[] failed;
    private final Engine engine;
    private final Partition[] partitions;
    private final boolean groupCommit;

    IngressTopic(final int id, final Engine engine, final String name)
    {
        this.id = id;
        this.name = name;
        this.engine = engine;
        this.publisher = engine.publisher(name);
        this.eventLength = publisher.schema().length();
        this.layoutFingerprint = publisher.schema().layoutFingerprint();
        final Topic topic = engine.journal().topic(name);
        this.partitions = new Partition[topic.partitionCount()];
        for (int p = 0; p < partitions.length; p++)
        {
            partitions[p] = topic.partition(p);
        }
        this.processed = new long[partitions.length];
        this.endOffset = new long[partitions.length];
        this.durableOffset = new long[partitions.length];
        this.forceWanted = new boolean[partitions.length];
        this.failed = new boolean[partitions.length];
        this.groupCommit = engine.journal().context().groupCommit();
    }

    /**
     * Reads each partition's progress. The processed sequence is read before the journal end: the
     * partition thread appends to the journal before it publishes its sequence, so an end offset read
     * after a processed sequence covers every event at or below that sequence.
     */
    void refresh()
    {
        for (int p = 0; p < partitions.length; p++)
        {
            processed[p] = engine.processedSequence(name, p);
            endOffset[p] = partitions[p].endOffset();
            durableOffset[p] = partitions[p].durableOffset();
            failed[p] |= partitions[p].fatalError() != null;
        }
    }

    /**
     * Forces the partitions some session waits on for DURABLE, unless group commit does it. A failed
     * force marks the partition failed: nothing more on it is acknowledged DURABLE.
     *
     * @return partitions forced.
     */
    int forceWanted()
    {
        int forced = 0;
        for (int p = 0; p < partitions.length; p++)
        {
            if (forceWanted[p])
            {
                forceWanted[p] = false;
                if (!groupCommit && !failed[p])
                {
                    try
                    {
                        durableOffset[p] = partitions[p].force();
                        forced++;
                    }
                    catch (final JournalException ex)
                    {
                        failed[p] = true;
                    }
                }
            }
        }
        return forced;
    }
}
