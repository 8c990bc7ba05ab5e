package io.sluice.journal;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.Agent;

/**
 * The duty that checksums what writers publish: for each partition, stores the CRC32C of the records
 * appended since its last duty cycle (see {@link RecordDescriptor}), a bounded batch per partition per
 * cycle, so that the writer's thread never computes one and a later force() finds little left to do.
 * Without this duty running, records are checksummed by the next force() (group commit,
 * {@link PartitionWriter#awaitDurable}, close) instead; nothing else changes.
 *
 * <p>While writers append a trickle (every pass finds less than a full batch), a pass runs at most every
 * {@link #PASS_INTERVAL_NS}: checksumming a few records per duty cycle would wake the thread that runs
 * the duty tens of thousands of times a second (its idle strategy backs off only while no duty has work),
 * and on a machine with few cores those wake-ups preempt the processing and producing threads. A pass
 * that fills a batch for some partition runs the next one at once, so a fast writer is never left behind.
 *
 * <p>Threading: {@link #doWork} on the thread that runs the duty (the journal's own runner, or the
 * engine's in its threading mode); partitions are added by the journal's control thread.
 */
final class ChecksumAgent implements Agent
{
    /** Records checksummed per partition per duty cycle: about 100 us of work, so other duties sharing the thread get their turn. */
    static final int BATCH_RECORDS = 4096;

    /** Shortest time between two passes that found less than a full batch for every partition. */
    static final long PASS_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Swapped whole on registration (copy on write), so that a duty cycle iterates an array and allocates nothing. */
    private volatile Partition[] partitions = new Partition[0];

    synchronized void add(final Partition partition)
    {
        final Partition[] grown = java.util.Arrays.copyOf(partitions, partitions.length + 1);
        grown[grown.length - 1] = partition;
        partitions = grown; // volatile: the agent sees the whole array on its next duty cycle
    }

    /** When the next pass is due; read and written by the duty's thread only. */
    private long nextPassNs = System.nanoTime();

    @Override
    public int doWork()
    {
        final long now = System.nanoTime();
        if (now - nextPassNs < 0)
        {
            return 0;
        }
        int work = 0;
        boolean behind = false;
        for (final Partition partition : partitions)
        {
            final int records = partition.checksumPublished(BATCH_RECORDS);
            work += records;
            behind |= records == BATCH_RECORDS;
        }
        nextPassNs = behind ? now : now + PASS_INTERVAL_NS;
        return work;
    }

    @Override
    public String roleName()
    {
        return "sluice-checksum";
    }
}
