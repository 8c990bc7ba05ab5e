package io.sluice.journal;

import java.util.concurrent.CopyOnWriteArrayList;

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
    private final CopyOnWriteArrayList<Partition> partitions = new CopyOnWriteArrayList<>();
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

    void add(final Partition partition)
    {
        partition.groupCommitActive(true);
        partitions.add(partition);
    }

    @Override
    public int doWork()
    {
        int work = 0;
        final long now = clock.nanoTime();
        int i = 0;
        for (final Partition partition : partitions)
        {
            if (i >= pendingSinceNs.length)
            {
                pendingSinceNs = java.util.Arrays.copyOf(pendingSinceNs, i * 2);
            }
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
            i++;
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
