package io.sluice.journal;

import org.agrona.concurrent.Agent;

/**
 * The duty that checksums what writers publish: for each partition, stores the CRC32C of the records
 * appended since its last duty cycle (see {@link RecordDescriptor}), a bounded batch per partition per
 * cycle, so that the writer's thread never computes one and a later force() finds little left to do.
 * Without this duty running, records are checksummed by the next force() (group commit,
 * {@link PartitionWriter#awaitDurable}, close) instead; nothing else changes.
 *
 * <p>Threading: {@link #doWork} on the thread that runs the duty (the journal's own runner, or the
 * engine's in its threading mode); partitions are added by the journal's control thread.
 */
final class ChecksumAgent implements Agent
{
    /** Records checksummed per partition per duty cycle: about 100 us of work, so other duties sharing the thread get their turn. */
    static final int BATCH_RECORDS = 4096;

    /** Swapped whole on registration (copy on write), so that a duty cycle iterates an array and allocates nothing. */
    private volatile Partition[] partitions = new Partition[0];

    synchronized void add(final Partition partition)
    {
        final Partition[] grown = java.util.Arrays.copyOf(partitions, partitions.length + 1);
        grown[grown.length - 1] = partition;
        partitions = grown; // volatile: the agent sees the whole array on its next duty cycle
    }

    @Override
    public int doWork()
    {
        int work = 0;
        for (final Partition partition : partitions)
        {
            work += partition.checksumPublished(BATCH_RECORDS);
        }
        return work;
    }

    @Override
    public String roleName()
    {
        return "sluice-checksum";
    }
}
