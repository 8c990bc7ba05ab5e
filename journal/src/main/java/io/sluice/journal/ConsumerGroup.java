/*
 * Copyright 2026 Sluice contributors.
 */
package io.sluice.journal;

import org.agrona.concurrent.EpochClock;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

import static io.sluice.journal.OffsetFileDescriptor.NULL_OFFSET;

/**
 * A named consumer group on one topic: its live members, the assignment of the topic's partitions to them, and the
 * group's durable committed offsets. One group gives queue semantics (each record to one member); several groups on
 * a topic give fan-out (each group sees every record).
 *
 * <h2>Protocol</h2>
 * Membership changes ({@link #join}, {@link #leave}, eviction of a member whose session timed out) bump the
 * {@link #generation()} and recompute the <em>target</em> assignment: members sorted by id, partitions split into
 * contiguous ranges (Kafka's range assignor), so the assignment is a deterministic function of the member set.
 * <p>
 * Ownership moves cooperatively (as in Kafka's incremental protocol) so a partition never has two owners:
 * <ul>
 *     <li>a member learns of a change by seeing {@link #version()} move and then calls {@link #sync};</li>
 *     <li>in a sync the member first <em>releases</em> the partitions no longer targeted to it, committing the read
 *     positions it passes (every record handed to its handler is consumed), then <em>acquires</em> the partitions
 *     targeted to it that are free, each to be resumed from the committed offset;</li>
 *     <li>a partition still held by its previous owner stays with it until that owner syncs, leaves or is evicted;</li>
 *     <li>a member that leaves commits its positions and frees its partitions; a member evicted for missing its
 *     session timeout frees its partitions without committing, so its successor resumes from the last commit.</li>
 * </ul>
 * Commits are fenced: {@link #commit} is accepted only from a live member, in the current generation, for partitions
 * it owns, and is all-or-nothing. So no record below a committed offset is handed out again, and no record is
 * skipped: an owner always resumes at the committed offset.
 *
 * <h2>Commits and the disk</h2>
 * A commit is accepted in memory under the lock (the offsets a partition's next owner resumes from change at once)
 * and stored in the offsets file ({@link OffsetStore}: written, forced, renamed, directory forced) outside it, by one
 * writer at a time ({@link GroupOffsets}), so a slow disk never holds up the other members' heartbeats, syncs and
 * commits. {@link #commit}, {@link #sync} and {@link #leave} with positions wait for their store (on the calling
 * thread if no one else is storing); {@link #stageCommit} does not: a background writer calls
 * {@link #storeStagedCommits()} and the caller polls {@link #isCommitDurable} to answer its member once durable.
 *
 * <h2>Threading</h2>
 * Thread-safe. Every coordination method takes one lock, never held during file I/O; they run per rebalance,
 * heartbeat or commit, never per record. {@link #version()} and {@link #generation()} are lock-free volatile reads so a consumer's poll loop can
 * detect a change without contention.
 *
 * <h2>Time</h2>
 * All session timing reads the injected {@link EpochClock}, so tests drive time explicitly.
 */
public final class ConsumerGroup implements AutoCloseable
{
    private static final class Member
    {
        final String id;
        final long sessionTimeoutMs;
        long lastHeartbeatMs;

        Member(final String id, final long sessionTimeoutMs, final long nowMs)
        {
            this.id = id;
            this.sessionTimeoutMs = sessionTimeoutMs;
            this.lastHeartbeatMs = nowMs;
        }
    }

    private final String name;
    private final int partitionCount;
    private final EpochClock clock;
    private final GroupOffsets offsets;
    private final TreeMap<String, Member> members = new TreeMap<>();
    private final Member[] assignees;
    private final Member[] owners;
    private final Object lock = new Object();
    private boolean closed;

    /** Written under the lock; volatile so consumers can check it lock-free on every poll. */
    private volatile long generation;

    /** Bumped under the lock on every change a member must sync for; volatile for the lock-free check on poll. */
    private volatile long version;

    ConsumerGroup(final String name, final Path groupsDirectory, final int partitionCount, final EpochClock clock)
    {
        this.name = name;
        this.partitionCount = partitionCount;
        this.clock = clock;
        this.offsets = new GroupOffsets(name, OffsetStore.open(groupsDirectory, name, partitionCount), lock);
        this.assignees = new Member[partitionCount];
        this.owners = new Member[partitionCount];
        this.generation = offsets.storedGeneration();
    }

    /**
     * Check a group name is usable: 1 to 200 characters from {@code [A-Za-z0-9._-]}, not starting with '.', since it
     * names the group's offsets file. Call it when reading configuration to fail at start-up.
     *
     * @param groupName to check.
     * @throws GroupException with {@link GroupException.Reason#INVALID_ARGUMENT} naming the problem.
     */
    public static void validateName(final String groupName)
    {
        OffsetStore.validateGroupName(groupName);
    }

    /**
     * Name of the group.
     *
     * @return name of the group.
     */
    public String name()
    {
        return name;
    }

    /**
     * Number of partitions of the topic the group consumes.
     *
     * @return number of partitions of the topic.
     */
    public int partitionCount()
    {
        return partitionCount;
    }

    /**
     * Path of the group's committed-offsets file (see {@link OffsetFileDescriptor}).
     *
     * @return path of the group's committed-offsets file.
     */
    public Path offsetsFile()
    {
        return offsets.file();
    }

    /**
     * Current membership generation; it increases on every join, leave and eviction.
     *
     * @return current membership generation.
     */
    public long generation()
    {
        return generation;
    }

    /**
     * A counter that moves whenever members should {@link #sync}: on membership changes and when a partition is
     * released for its new assignee. Cheap to read on every poll.
     *
     * @return the current change counter.
     */
    public long version()
    {
        return version;
    }

    /**
     * Add a member to the group, which triggers a rebalance. The member owns nothing until it {@link #sync}s.
     *
     * @param memberId         unique among the group's live members.
     * @param sessionTimeoutMs after which a member that has not heartbeated, synced or committed is evicted.
     * @return the new generation.
     * @throws GroupException with {@link GroupException.Reason#DUPLICATE_MEMBER} if the id is already live, or
     *                        {@link GroupException.Reason#INVALID_ARGUMENT} for a bad id or timeout.
     */
    public long join(final String memberId, final long sessionTimeoutMs)
    {
        if (null == memberId || memberId.isEmpty())
        {
            throw new GroupException(GroupException.Reason.INVALID_ARGUMENT, "member id must not be null or empty");
        }
        if (sessionTimeoutMs <= 0)
        {
            throw new GroupException(GroupException.Reason.INVALID_ARGUMENT,
                "session timeout must be positive: " + sessionTimeoutMs + "ms");
        }

        synchronized (lock)
        {
            final long nowMs = beginLocked();
            if (members.containsKey(memberId))
            {
                throw new GroupException(GroupException.Reason.DUPLICATE_MEMBER,
                    "member '" + memberId + "' is already in group '" + name + "'");
            }
            members.put(memberId, new Member(memberId, sessionTimeoutMs, nowMs));
            rebalanceLocked();
            return generation;
        }
    }

    /**
     * Record that a member is alive, and evict any member whose session has timed out.
     *
     * @param memberId of the member.
     * @return true if the member is live, false if it is unknown (it left or was evicted and must rejoin).
     */
    public boolean heartbeat(final String memberId)
    {
        synchronized (lock)
        {
            final long nowMs = beginLocked();
            final Member member = members.get(memberId);
            if (null == member)
            {
                return false;
            }
            member.lastHeartbeatMs = nowMs;
            return true;
        }
    }

    /**
     * Evict every member whose session has timed out (no heartbeat, sync or commit for longer than its session
     * timeout). Their partitions are freed without a commit, so the new owners resume from the committed offsets.
     *
     * @return the number of members evicted.
     */
    public int evictExpired()
    {
        synchronized (lock)
        {
            if (closed)
            {
                return 0;
            }
            return evictExpiredLocked(clock.time());
        }
    }

    /**
     * Bring a member's ownership in line with the current target assignment: release (committing the given
     * positions) the partitions no longer targeted to it, then acquire those targeted to it that are free. Counts as
     * a heartbeat.
     *
     * @param memberId  of the member.
     * @param positions indexed by partition: the member's next offset to read for each partition it owns, or
     *                  {@link OffsetFileDescriptor#NULL_OFFSET} to release without committing; may be {@code null}.
     * @param out       view to fill with the member's assignment after the sync.
     * @return {@code out}, for convenience.
     * @throws GroupException with {@link GroupException.Reason#UNKNOWN_MEMBER} if the member left or was evicted,
     *                        or {@link GroupException.Reason#IO_ERROR} if committing failed (nothing was released).
     */
    public MemberAssignment sync(final String memberId, final long[] positions, final MemberAssignment out)
    {
        if (null != positions)
        {
            final long ticket;
            synchronized (lock)
            {
                beginLocked();
                ticket = stageOwnedLocked(liveMemberLocked(memberId), positions, true);
            }
            offsets.awaitDurable(ticket); // outside the lock: the other members' calls never wait for this disk write
        }

        synchronized (lock)
        {
            final long nowMs = beginLocked();
            final Member member = liveMemberLocked(memberId);
            member.lastHeartbeatMs = nowMs;
            if (null != positions)
            {
                // A rebalance since the store above may have revoked more: their positions are accepted before they
                // are released (stored with the next store), so their next owner resumes where this member stopped.
                stageOwnedLocked(member, positions, true);
            }

            boolean released = false;
            for (int p = 0; p < partitionCount; p++)
            {
                if (owners[p] == member && assignees[p] != member)
                {
                    owners[p] = null;
                    released = true;
                }
            }

            out.reset(generation);
            for (int p = 0; p < partitionCount; p++)
            {
                if (assignees[p] == member)
                {
                    if (null == owners[p])
                    {
                        owners[p] = member;
                        out.acquire(p, offsets.committedOffsetLocked(p));
                    }
                    else if (owners[p] == member)
                    {
                        out.keep(p);
                    }
                }
            }

            if (released)
            {
                version = version + 1; // volatile store: the released partitions' assignees must sync to take them
            }

            return out;
        }
    }

    /**
     * Leave the group: commit the given positions for the partitions the member owns, free them and rebalance.
     *
     * @param memberId  of the member.
     * @param positions indexed by partition: next offset to read for each owned partition, or
     *                  {@link OffsetFileDescriptor#NULL_OFFSET} to not commit it; may be {@code null}.
     * @return true if the member left, false if it was not in the group (already left or evicted).
     * @throws GroupException with {@link GroupException.Reason#IO_ERROR} if committing failed (the member stays).
     */
    public boolean leave(final String memberId, final long[] positions)
    {
        if (null != positions)
        {
            final long ticket;
            synchronized (lock)
            {
                beginLocked();
                final Member member = members.get(memberId);
                ticket = null == member ? 0 : stageOwnedLocked(member, positions, false);
            }
            offsets.awaitDurable(ticket); // outside the lock, as in sync
        }

        synchronized (lock)
        {
            beginLocked();
            final Member member = members.get(memberId);
            if (null == member)
            {
                return false;
            }

            removeLocked(member);
            rebalanceLocked();
            return true;
        }
    }

    /**
     * Durably commit one partition's offset. See {@link #commit(String, long, long[])} for the fencing rules.
     *
     * @param memberId   of the committing member.
     * @param generation the member last synced in.
     * @param partition  to commit.
     * @param offset     of the next record to consume.
     * @throws GroupException as for {@link #commit(String, long, long[])}.
     */
    public void commit(final String memberId, final long generation, final int partition, final long offset)
    {
        checkPartition(partition);
        final long ticket;
        synchronized (lock)
        {
            final Member member = fenceLocked(memberId, generation);
            checkOwnedLocked(member, partition, offset);
            offsets.acceptLocked(partition, offset);
            ticket = offsets.stageLocked(this.generation);
        }
        offsets.awaitDurable(ticket);
    }

    /**
     * Durably commit offsets for several partitions at once, all or nothing. Counts as a heartbeat. Fenced: the
     * member must be live, {@code generation} must be the current generation, and the member must own every
     * partition it commits. When this returns the offsets survive power loss. Blocks on the disk (without holding
     * the group's lock); a caller that must not block uses {@link #stageCommit} instead.
     *
     * @param memberId   of the committing member.
     * @param generation the member last synced in.
     * @param offsets    indexed by partition: the next offset to consume, or {@link OffsetFileDescriptor#NULL_OFFSET}
     *                   to leave a partition's committed offset unchanged.
     * @throws GroupException with {@link GroupException.Reason#UNKNOWN_MEMBER} if the member left or was evicted,
     *                        {@link GroupException.Reason#FENCED} for a stale generation or a partition it does not
     *                        own, {@link GroupException.Reason#INVALID_ARGUMENT} for a bad offset, or
     *                        {@link GroupException.Reason#IO_ERROR} if the write failed.
     */
    public void commit(final String memberId, final long generation, final long[] offsets)
    {
        this.offsets.awaitDurable(stageCommit(memberId, generation, offsets));
    }

    /**
     * Accept a commit without waiting for the disk, for a caller that must not block (the network egress, on a
     * processing or duties thread): fenced and validated as {@link #commit(String, long, long[])}, the offsets become
     * the group's committed offsets at once (a partition acquired from now on resumes from them), and the commit is
     * given a ticket. It is durable once {@link #isCommitDurable} says so: a background writer calling
     * {@link #storeStagedCommits()} (or a blocking commit of another member) stores it. Does not allocate.
     *
     * @param memberId   of the committing member.
     * @param generation the member last synced in.
     * @param offsets    as for {@link #commit(String, long, long[])}.
     * @return the commit's ticket for {@link #isCommitDurable} and {@link #hasCommitFailed}; 0 if the commit changed
     *         nothing (it is durable already).
     * @throws GroupException as {@link #commit(String, long, long[])}, except that it never does I/O.
     */
    public long stageCommit(final String memberId, final long generation, final long[] offsets)
    {
        if (offsets.length != partitionCount)
        {
            throw new GroupException(GroupException.Reason.INVALID_ARGUMENT,
                "offsets array has length " + offsets.length + " but the topic has " + partitionCount + " partitions");
        }

        synchronized (lock)
        {
            final Member member = fenceLocked(memberId, generation);
            boolean any = false;
            for (int p = 0; p < partitionCount; p++)
            {
                if (offsets[p] != NULL_OFFSET)
                {
                    checkOwnedLocked(member, p, offsets[p]);
                    any = true;
                }
            }

            if (!any)
            {
                return 0;
            }
            for (int p = 0; p < partitionCount; p++)
            {
                if (offsets[p] != NULL_OFFSET)
                {
                    this.offsets.acceptLocked(p, offsets[p]);
                }
            }
            return this.offsets.stageLocked(this.generation);
        }
    }

    /**
     * Whether a staged commit is durable: its offsets survive power loss (lock-free).
     *
     * @param ticket from {@link #stageCommit}.
     * @return true once durable.
     */
    public boolean isCommitDurable(final long ticket)
    {
        return offsets.isDurable(ticket);
    }

    /**
     * Whether the store that should have made a staged commit durable failed (lock-free). Its offsets stay the
     * group's committed offsets and are stored with the next commit that succeeds; the member should be told its
     * commit failed ({@link #commitFailure()} says why).
     *
     * @param ticket from {@link #stageCommit}.
     * @return true if the commit failed.
     */
    public boolean hasCommitFailed(final long ticket)
    {
        return offsets.hasFailed(ticket);
    }

    /**
     * The last failure to store the group's offsets.
     *
     * @return the failure, with {@link GroupException.Reason#IO_ERROR}, naming the group and its offsets file; null
     *         if no store has failed.
     */
    public GroupException commitFailure()
    {
        return offsets.lastFailure();
    }

    /**
     * Whether commits were staged that no store has attempted yet (lock-free, for a background writer's poll).
     *
     * @return true if {@link #storeStagedCommits()} has something to do.
     */
    public boolean hasStagedCommits()
    {
        return offsets.hasStaged();
    }

    /**
     * Store the staged commits: the group's committed offsets written to a new file, forced, renamed into place, the
     * directory forced; then every commit staged before it started is durable. Blocks on the disk without holding
     * the group's lock, so members keep heartbeating, syncing and committing meanwhile; one store at a time. For the
     * background writer of commits staged with {@link #stageCommit}.
     *
     * @return 1 if it stored, 0 if nothing was staged.
     * @throws GroupException with {@link GroupException.Reason#IO_ERROR}, naming the group and the file, if the store
     *                        failed: the commits it covered have failed ({@link #hasCommitFailed}).
     */
    public int storeStagedCommits()
    {
        return offsets.store();
    }

    /**
     * Committed offset of a partition: the next offset the group will consume there.
     *
     * @param partition of the topic.
     * @return committed offset, or {@link OffsetFileDescriptor#NULL_OFFSET} if nothing has been committed.
     */
    public long committedOffset(final int partition)
    {
        checkPartition(partition);
        synchronized (lock)
        {
            return offsets.committedOffsetLocked(partition);
        }
    }

    /**
     * Member that currently owns a partition.
     *
     * @param partition of the topic.
     * @return id of the owning member, or {@code null} if the partition is free (e.g. awaiting its assignee's sync).
     */
    public String ownerOf(final int partition)
    {
        checkPartition(partition);
        synchronized (lock)
        {
            final Member owner = owners[partition];
            return null == owner ? null : owner.id;
        }
    }

    /**
     * Member the current generation's assignment targets a partition to; it owns it once it has synced and any
     * previous owner has released it.
     *
     * @param partition of the topic.
     * @return id of the assigned member, or {@code null} if the group has no members.
     */
    public String assigneeOf(final int partition)
    {
        checkPartition(partition);
        synchronized (lock)
        {
            final Member assignee = assignees[partition];
            return null == assignee ? null : assignee.id;
        }
    }

    /**
     * Ids of the live members in sorted order, for tools and diagnostics (allocates).
     *
     * @return a new list of the ids of the live members.
     */
    public List<String> memberIds()
    {
        synchronized (lock)
        {
            return new ArrayList<>(members.keySet());
        }
    }

    /**
     * Close the group: members are dropped without committing; further coordination calls fail with
     * {@link GroupException.Reason#CLOSED}. Committed offsets stay on disk. Idempotent.
     */
    @Override
    public void close()
    {
        synchronized (lock)
        {
            if (!closed)
            {
                closed = true;
                members.clear();
                for (int p = 0; p < partitionCount; p++)
                {
                    owners[p] = null;
                    assignees[p] = null;
                }
                version = version + 1; // volatile store: members notice on their next poll and fail as closed
            }
        }
        try
        {
            // Commits accepted and not yet stored are stored now: a graceful stop keeps every commit it received.
            offsets.store();
        }
        catch (final GroupException ex)
        {
            // Their members were told nothing yet (their sessions are closing): they resume from the last stored commit.
        }
    }

    /**
     * Is the group closed?
     *
     * @return true once {@link #close()} has been called.
     */
    public boolean isClosed()
    {
        synchronized (lock)
        {
            return closed;
        }
    }

    /**
     * Describe the group for diagnostics (allocates).
     *
     * @return a description of the group's generation, members and ownership.
     */
    @Override
    public String toString()
    {
        synchronized (lock)
        {
            final StringBuilder sb = new StringBuilder("ConsumerGroup{name=").append(name)
                .append(", generation=").append(generation)
                .append(", members=").append(members.keySet())
                .append(", owners=[");
            for (int p = 0; p < partitionCount; p++)
            {
                sb.append(p == 0 ? "" : ", ").append(null == owners[p] ? "-" : owners[p].id);
            }
            return sb.append("]}").toString();
        }
    }

    private long beginLocked()
    {
        if (closed)
        {
            throw new GroupException(GroupException.Reason.CLOSED, "consumer group '" + name + "' is closed");
        }
        final long nowMs = clock.time();
        evictExpiredLocked(nowMs);
        return nowMs;
    }

    private int evictExpiredLocked(final long nowMs)
    {
        int evicted = 0;
        for (final var iterator = members.values().iterator(); iterator.hasNext(); )
        {
            final Member member = iterator.next();
            if (nowMs - member.lastHeartbeatMs > member.sessionTimeoutMs)
            {
                iterator.remove();
                freeOwnedLocked(member);
                evicted++;
            }
        }

        if (evicted > 0)
        {
            rebalanceLocked();
        }
        return evicted;
    }

    private Member liveMemberLocked(final String memberId)
    {
        final Member member = members.get(memberId);
        if (null == member)
        {
            throw new GroupException(GroupException.Reason.UNKNOWN_MEMBER,
                "member '" + memberId + "' is not in group '" + name + "' (it left or its session timed out)");
        }
        return member;
    }

    private Member fenceLocked(final String memberId, final long generation)
    {
        final long nowMs = beginLocked();
        final Member member = liveMemberLocked(memberId);
        if (generation != this.generation)
        {
            throw new GroupException(GroupException.Reason.FENCED,
                "member '" + memberId + "' committed in generation " + generation + " but group '" + name +
                "' is in generation " + this.generation + "; sync and retry");
        }
        member.lastHeartbeatMs = nowMs;
        return member;
    }

    private void checkOwnedLocked(final Member member, final int partition, final long offset)
    {
        if (owners[partition] != member)
        {
            throw new GroupException(GroupException.Reason.FENCED,
                "member '" + member.id + "' does not own partition " + partition + " of group '" + name + "'");
        }
        if (offset < 0)
        {
            throw new GroupException(GroupException.Reason.INVALID_ARGUMENT,
                "committed offset must not be negative: partition " + partition + " offset " + offset);
        }
    }

    /**
     * Stages the positions of the partitions a member owns (only those it no longer targets when {@code revokedOnly})
     * that differ from the committed ones.
     *
     * @return the ticket, 0 if nothing changed.
     */
    private long stageOwnedLocked(final Member member, final long[] positions, final boolean revokedOnly)
    {
        boolean changed = false;
        for (int p = 0; p < partitionCount; p++)
        {
            if (owners[p] == member && (!revokedOnly || assignees[p] != member) && positions[p] >= 0 &&
                offsets.changesLocked(p, positions[p]))
            {
                offsets.acceptLocked(p, positions[p]);
                changed = true;
            }
        }
        return changed ? offsets.stageLocked(generation) : 0;
    }

    private void removeLocked(final Member member)
    {
        members.remove(member.id);
        freeOwnedLocked(member);
    }

    private void freeOwnedLocked(final Member member)
    {
        for (int p = 0; p < partitionCount; p++)
        {
            if (owners[p] == member)
            {
                owners[p] = null;
            }
        }
    }

    private void rebalanceLocked()
    {
        final int memberCount = members.size();
        if (0 == memberCount)
        {
            Arrays.fill(assignees, null);
        }
        else
        {
            // Range assignment over members in id order: the first (count % n) members take one extra partition.
            final int perMember = partitionCount / memberCount;
            final int extra = partitionCount % memberCount;
            int partition = 0;
            int index = 0;
            for (final Member member : members.values())
            {
                final int share = perMember + (index < extra ? 1 : 0);
                for (int i = 0; i < share; i++)
                {
                    assignees[partition++] = member;
                }
                index++;
            }
        }

        generation = generation + 1; // volatile store: publishes the new generation to lock-free readers
        version = version + 1;       // volatile store: tells members to sync
    }

    private void checkPartition(final int partition)
    {
        if (partition < 0 || partition >= partitionCount)
        {
            throw new GroupException(GroupException.Reason.INVALID_ARGUMENT,
                "partition " + partition + " out of range [0, " + partitionCount + ") in group '" + name + "'");
        }
    }
}
