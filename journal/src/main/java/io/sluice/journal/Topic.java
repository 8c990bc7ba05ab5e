package io.sluice.journal;

import java.nio.file.Path;

/**
 * A named set of partitions. Records are routed to partitions by a stable hash of their key, so all
 * records of a key land in one partition, in order.
 */
public final class Topic implements AutoCloseable
{
    private final String name;
    private final Path directory;
    private final Partition[] partitions;

    Topic(final String name, final Path directory, final Partition[] partitions)
    {
        this.name = name;
        this.directory = directory;
        this.partitions = partitions;
    }

    /**
     * The topic's name.
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * The directory holding the topic's partitions.
     *
     * @return the topic directory.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * Number of partitions.
     *
     * @return the partition count.
     */
    public int partitionCount()
    {
        return partitions.length;
    }

    /**
     * A partition by number.
     *
     * @param id of the partition, 0 to {@code partitionCount() - 1}.
     * @return the partition.
     */
    public Partition partition(final int id)
    {
        if (id < 0 || id >= partitions.length)
        {
            throw new JournalException(JournalException.Category.STATE,
                "topic " + name + " has no partition " + id + " (it has " + partitions.length + ")");
        }
        return partitions[id];
    }

    /**
     * The partition a key belongs to: a stable function of the key and the partition count.
     *
     * @param key of a record.
     * @return the partition id.
     */
    public int partitionFor(final long key)
    {
        return partitionFor(key, partitions.length);
    }

    /**
     * The partition a key belongs to among {@code partitionCount} partitions. The hash is the
     * SplitMix64 finaliser; it is part of the on-disk contract and must never change.
     *
     * @param key            of a record.
     * @param partitionCount of the topic.
     * @return the partition id.
     */
    public static int partitionFor(final long key, final int partitionCount)
    {
        if (partitionCount == 1)
        {
            return 0;
        }
        long z = key + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        final long hash = z >>> 1; // never negative: a power of two's remainder is then its low bits
        final int mask = partitionCount - 1;
        return (partitionCount & mask) == 0 ? (int)(hash & mask) : (int)(hash % partitionCount);
    }

    /**
     * Applies retention to every partition.
     *
     * @param nowMillis current epoch milliseconds.
     * @return segments deleted.
     */
    public int enforceRetention(final long nowMillis)
    {
        int deleted = 0;
        for (final Partition partition : partitions)
        {
            deleted += partition.enforceRetention(nowMillis, Long.MAX_VALUE);
        }
        return deleted;
    }

    /**
     * Forces and closes every partition.
     */
    @Override
    public void close()
    {
        for (final Partition partition : partitions)
        {
            partition.close();
        }
    }
}
