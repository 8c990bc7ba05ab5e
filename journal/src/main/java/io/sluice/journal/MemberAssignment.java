/*
 * Copyright 2026 Sluice contributors.
 */
package io.sluice.journal;

import java.util.Arrays;

import static io.sluice.journal.OffsetFileDescriptor.NULL_OFFSET;

/**
 * A member's view of its assignment after a {@link ConsumerGroup#sync(String, long[], MemberAssignment)}: the
 * generation it was computed in, the partitions the member now owns, and for each partition it acquired in that sync
 * the offset to resume from (the group's committed offset).
 * <p>
 * Pre-allocated and reused across syncs so a rebalance allocates nothing. Not thread-safe: owned by the member's
 * thread, filled by the group under its lock during a sync.
 */
public final class MemberAssignment
{
    private final boolean[] owned;
    private final boolean[] acquired;
    private final long[] resumeOffsets;
    private final int[] ownedPartitions;
    private int ownedCount;
    private long generation = -1;

    /**
     * Create an empty assignment view for a topic of a given size.
     *
     * @param partitionCount of the topic the group consumes.
     */
    public MemberAssignment(final int partitionCount)
    {
        owned = new boolean[partitionCount];
        acquired = new boolean[partitionCount];
        resumeOffsets = new long[partitionCount];
        ownedPartitions = new int[partitionCount];
        Arrays.fill(resumeOffsets, NULL_OFFSET);
    }

    /**
     * Generation of the group this view was computed in, or {@code -1} before the first sync.
     *
     * @return generation of the group this view was computed in.
     */
    public long generation()
    {
        return generation;
    }

    /**
     * Number of partitions of the topic.
     *
     * @return number of partitions of the topic.
     */
    public int partitionCount()
    {
        return owned.length;
    }

    /**
     * Number of partitions the member owns.
     *
     * @return number of partitions the member owns.
     */
    public int ownedCount()
    {
        return ownedCount;
    }

    /**
     * The partition at an index of the owned list, in ascending partition order.
     *
     * @param index in {@code [0, ownedCount())}.
     * @return the partition id.
     */
    public int ownedPartition(final int index)
    {
        if (index < 0 || index >= ownedCount)
        {
            throw new IndexOutOfBoundsException("index=" + index + " ownedCount=" + ownedCount);
        }
        return ownedPartitions[index];
    }

    /**
     * Does the member own a partition?
     *
     * @param partition to check.
     * @return true if the member owns the partition in this view.
     */
    public boolean owns(final int partition)
    {
        return owned[partition];
    }

    /**
     * Did the member acquire a partition in the sync that produced this view (rather than keep it from before)?
     *
     * @param partition to check.
     * @return true if the partition was acquired in that sync and must be read from {@link #resumeOffset(int)}.
     */
    public boolean acquired(final int partition)
    {
        return acquired[partition];
    }

    /**
     * Offset to resume an acquired partition from: the committed offset at acquisition.
     *
     * @param partition acquired in the sync that produced this view.
     * @return committed offset, or {@link OffsetFileDescriptor#NULL_OFFSET} to start from the earliest record.
     */
    public long resumeOffset(final int partition)
    {
        return resumeOffsets[partition];
    }

    /**
     * Owned partitions formatted for diagnostics, e.g. {@code "gen=3 owned=[0, 2]"}.
     *
     * @return a description of the view.
     */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("gen=").append(generation).append(" owned=[");
        for (int i = 0; i < ownedCount; i++)
        {
            sb.append(i == 0 ? "" : ", ").append(ownedPartitions[i]);
        }
        return sb.append(']').toString();
    }

    void reset(final long generation)
    {
        this.generation = generation;
        Arrays.fill(owned, false);
        Arrays.fill(acquired, false);
        Arrays.fill(resumeOffsets, NULL_OFFSET);
        ownedCount = 0;
    }

    void keep(final int partition)
    {
        owned[partition] = true;
        ownedPartitions[ownedCount++] = partition;
    }

    void acquire(final int partition, final long resumeOffset)
    {
        keep(partition);
        acquired[partition] = true;
        resumeOffsets[partition] = resumeOffset;
    }
}
