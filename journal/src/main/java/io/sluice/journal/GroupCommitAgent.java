package io.sluice.journal;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

/**
 * Group commit: one force() makes many appended records DURABLE. For each partition, forces when
 * {@code groupCommitRecords} records are pending or the oldest pending record has waited
 * {@code groupCommitDelayNs}. Runs on its own thread under an AgentRunner; never on the writer's.
 * A failed force() marks the partition fatal (see {@link Partition#force()}) and is not retried.
 */
final class GroupCommitAgent implements Agent
{
    /** Swapped whole on registration (copy on write), so that a duty cycle iterates an array and allocates nothing. */
    private volatile Partition[] partitions = new Partition[0];
    private final NanoClock clock;
    private final int maxRecords;
    private final long maxDelayNs;
    private long[] pendingSinceNs = new long[16];

    GroupCommitAgent(final NanoClock clock, final int maxRecords, final long maxDelayNs)
    {
        this.clock = clock;
        this.maxRecords = maxRecords;
        this.maxDelayNs = maxDelayNs;
    }

    synchronized void add(final Partition partition)
    {
        partition.groupCommitActive(true);
        final Partition[] grown = java.util.Arrays.copyOf(partitions, partitions.length + 1);
        grown[grown.length - 1] = partition;
        partitions = grown; // volatile: the agent sees the whole array on its next duty cycle
    }

    @Override
    public int doWork()
    {
        int work = 0;
        final long now = clock.nanoTime();
        final Partition[] current = partitions;
        if (current.length > pendingSinceNs.length)
        {
            // Only after a registration, never in a steady duty cycle.
            pendingSinceNs = java.util.Arrays.copyOf(pendingSinceNs, Math.max(current.length, pendingSinceNs.length * 2));
        }
        for (int i = 0; i < current.length; i++)
        {
            final Partition partition = current[i];
            if (partition.fatalError() == null)
            {
                final long pending = partition.endOffset() - partition.durableOffset();
                if (pending <= 0)
                {
                    pendingSinceNs[i] = 0;
                }
                else
                {
                    if (pendingSinceNs[i] == 0)
                    {
                        pendingSinceNs[i] = now;
                    }
                    if (pending >= maxRecords || now - pendingSinceNs[i] >= maxDelayNs)
                    {
                        forceQuietly(partition);
                        pendingSinceNs[i] = 0;
                        work++;
                    }
                }
            }
        }
        return work;
    }

    private static void forceQuietly(final Partition partition)
    {
        try
        {
            partition.force();
        }
        catch (final JournalException ex)
        {
            // Recorded as the partition's fatal error; writers and waiters see it from there.
        }
    }

    @Override
    public void onClose()
    {
        for (final Partition partition : partitions)
        {
            partition.groupCommitActive(false);
        }
    }

    @Override
    public String roleName()
    {
        return "sluice-group-commit";
    }
}
