/*
 * Copyright 2026 Sluice contributors.
 */
package io.sluice.journal;

import org.agrona.concurrent.EpochClock;

import java.util.Arrays;

import static io.sluice.journal.OffsetFileDescriptor.NULL_OFFSET;

/**
 * One member of a {@link ConsumerGroup}, reading the partitions assigned to it. Created by
 * {@link GroupCoordinator#newConsumer(String, String, long)}, which joins the group.
 * <p>
 * {@link #poll(RecordHandler, int)} delivers records zero-copy: the handler sees the journal's {@link RecordView}
 * over the mapped bytes, valid only during the callback. A record is <em>consumed</em> once the handler returns;
 * {@link #commit()} makes the consumed positions durable. When the group rebalances, a partition leaving this member
 * has its position committed as it is released, so the next owner continues exactly where this one stopped. If this
 * member instead stops polling for longer than its session timeout it is evicted and its successor resumes at the
 * last commit, so records consumed since then are delivered again (at-least-once), never skipped.
 * <p>
 * The poll loop heartbeats every third of the session timeout and detects rebalances with one volatile read per
 * poll, so the steady-state poll neither locks nor allocates.
 * <p>
 * Threading: confined to one thread at a time (the member's consumer thread); the group itself is thread-safe, so
 * consumers of the same group may run on different threads.
 */
public final class GroupConsumer implements AutoCloseable
{
    private static final int MAX_COMMIT_ATTEMPTS = 8;

    private final ConsumerGroup group;
    private final Topic topic;
    private final String memberId;
    private final long sessionTimeoutMs;
    private final long heartbeatIntervalMs;
    private final EpochClock clock;
    private final PartitionReader[] readers;
    private final long[] positions;
    private final int[] ownedPartitions;
    private final MemberAssignment assignment;
    private int ownedCount;
    private int nextIndex;
    private long syncedVersion;
    private long lastHeartbeatMs;
    private boolean closed;

    GroupConsumer(
        final ConsumerGroup group,
        final Topic topic,
        final String memberId,
        final long sessionTimeoutMs,
        final EpochClock clock)
    {
        this.group = group;
        this.topic = topic;
        this.memberId = memberId;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.heartbeatIntervalMs = Math.max(1, sessionTimeoutMs / 3);
        this.clock = clock;

        final int partitionCount = group.partitionCount();
        this.readers = new PartitionReader[partitionCount];
        this.positions = new long[partitionCount];
        this.ownedPartitions = new int[partitionCount];
        this.assignment = new MemberAssignment(partitionCount);

        group.join(memberId, sessionTimeoutMs);
        lastHeartbeatMs = clock.time();
        sync(true);
    }

    /**
     * Id of this member within its group.
     *
     * @return id of this member within its group.
     */
    public String memberId()
    {
        return memberId;
    }

    /**
     * The group this consumer is a member of.
     *
     * @return the group this consumer is a member of.
     */
    public ConsumerGroup group()
    {
        return group;
    }

    /**
     * This member's current assignment and the generation it was computed in, as of its last sync. Owned by this
     * consumer; read it on the consumer's thread.
     *
     * @return this member's current assignment.
     */
    public MemberAssignment assignment()
    {
        return assignment;
    }

    /**
     * Next offset this member will read from a partition it owns.
     *
     * @param partition owned by this member.
     * @return next offset to read, or {@link OffsetFileDescriptor#NULL_OFFSET} if the partition is not owned.
     */
    public long position(final int partition)
    {
        return assignment.owns(partition) ? readers[partition].position() : NULL_OFFSET;
    }

    /**
     * Deliver up to {@code limit} records from the owned partitions, taking partitions in rotation so a busy one does
     * not starve the others. Heartbeats when due, and first applies any pending rebalance (releasing or acquiring
     * partitions); if this member had been evicted it rejoins the group.
     *
     * @param handler to receive each record; the view is valid only during the callback.
     * @param limit   maximum number of records to deliver.
     * @return the number of records delivered, 0 when idle (suitable for an idle strategy).
     */
    public int poll(final RecordHandler handler, final int limit)
    {
        checkOpen();
        final long nowMs = clock.time();
        if (nowMs - lastHeartbeatMs >= heartbeatIntervalMs)
        {
            lastHeartbeatMs = nowMs;
            if (!group.heartbeat(memberId))
            {
                rejoin();
            }
        }

        if (group.version() != syncedVersion)
        {
            sync(true);
        }

        final int count = ownedCount;
        if (0 == count)
        {
            return 0;
        }

        int delivered = 0;
        final int start = nextIndex;
        for (int i = 0; i < count && delivered < limit; i++)
        {
            int index = start + i;
            if (index >= count)
            {
                index -= count;
            }
            delivered += readers[ownedPartitions[index]].poll(handler, limit - delivered);
        }
        nextIndex = start + 1 >= count ? 0 : start + 1;

        return delivered;
    }

    /**
     * Durably commit this member's positions for every partition it owns: when this returns, the group will not
     * deliver the consumed records again, even after a power loss. Applies any pending rebalance first.
     *
     * @throws GroupException with {@link GroupException.Reason#UNKNOWN_MEMBER} if this member was evicted (its
     *                        uncommitted records will be delivered again; the next poll rejoins), or
     *                        {@link GroupException.Reason#IO_ERROR} if the write failed.
     */
    public void commit()
    {
        checkOpen();
        for (int attempt = 1; ; attempt++)
        {
            if (group.version() != syncedVersion)
            {
                sync(false);
            }

            fillPositions();
            try
            {
                group.commit(memberId, assignment.generation(), positions);
                return;
            }
            catch (final GroupException ex)
            {
                // A rebalance slipped in between the sync and the commit: sync again and retry, a bounded number of times.
                if (ex.reason() != GroupException.Reason.FENCED || attempt >= MAX_COMMIT_ATTEMPTS)
                {
                    throw ex;
                }
                syncedVersion = -1;
            }
        }
    }

    /**
     * Leave the group, committing the positions of the owned partitions so the members that take them over continue
     * exactly here, and close the readers. Idempotent.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            if (!group.isClosed())
            {
                fillPositions();
                group.leave(memberId, positions);
            }
        }
        finally
        {
            for (final PartitionReader reader : readers)
            {
                if (null != reader)
                {
                    reader.close();
                }
            }
        }
    }

    /**
     * Describe the member for diagnostics (allocates).
     *
     * @return a description of the member and its assignment.
     */
    @Override
    public String toString()
    {
        return "GroupConsumer{group=" + group.name() + ", member=" + memberId + ", " + assignment + "}";
    }

    private void sync(final boolean rejoinIfEvicted)
    {
        // Read the version before syncing so a change racing with this sync triggers another one on the next poll.
        final long version = group.version();
        fillPositions();
        try
        {
            group.sync(memberId, positions, assignment);
        }
        catch (final GroupException ex)
        {
            // Only a poll rejoins: a commit must report that the records consumed since the last commit were lost.
            if (ex.reason() != GroupException.Reason.UNKNOWN_MEMBER || !rejoinIfEvicted)
            {
                throw ex;
            }
            rejoin();
            return;
        }
        applyAssignment();
        syncedVersion = version;
    }

    private void rejoin()
    {
        // Evicted: whatever this member read since its last commit will be read again by the partitions' new owners.
        assignment.reset(-1);
        ownedCount = 0;
        final long version = group.version();
        group.join(memberId, sessionTimeoutMs);
        group.sync(memberId, null, assignment);
        applyAssignment();
        syncedVersion = version;
    }

    private void applyAssignment()
    {
        ownedCount = assignment.ownedCount();
        for (int i = 0; i < ownedCount; i++)
        {
            final int partitionId = assignment.ownedPartition(i);
            ownedPartitions[i] = partitionId;
            if (assignment.acquired(partitionId))
            {
                final Partition partition = topic.partition(partitionId);
                PartitionReader reader = readers[partitionId];
                if (null == reader)
                {
                    reader = partition.newReader();
                    readers[partitionId] = reader;
                }
                reader.seek(resumePosition(partition, assignment.resumeOffset(partitionId)));
            }
        }
        nextIndex = 0;
    }

    /**
     * Where to resume a partition: its committed offset, clamped into the retained range. Below the start, retention
     * has deleted the records (resume at the earliest, as Kafka's "earliest" reset does); past the end, a power loss
     * took records that were journaled but not yet durable, and the offsets from the end on will be new records.
     */
    private static long resumePosition(final Partition partition, final long committedOffset)
    {
        final long start = partition.startOffset();
        if (committedOffset == NULL_OFFSET || committedOffset < start)
        {
            return start;
        }
        return Math.min(committedOffset, partition.endOffset());
    }

    private void fillPositions()
    {
        Arrays.fill(positions, NULL_OFFSET);
        for (int i = 0; i < ownedCount; i++)
        {
            final int partitionId = ownedPartitions[i];
            positions[partitionId] = readers[partitionId].position();
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new GroupException(GroupException.Reason.CLOSED,
                "consumer '" + memberId + "' of group '" + group.name() + "' is closed");
        }
    }
}
