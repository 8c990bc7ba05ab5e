/*
 * Copyright 2026 Sluice contributors.
 */
package io.sluice.journal;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static io.sluice.journal.OffsetFileDescriptor.FILE_SUFFIX;
import static io.sluice.journal.OffsetFileDescriptor.GROUPS_DIRECTORY;
import static io.sluice.journal.OffsetFileDescriptor.NULL_OFFSET;

/**
 * Entry point for consumer groups on one topic: opens named {@link ConsumerGroup}s, whose committed offsets live in
 * {@code <topicDir>/groups/<group>.offsets}, creates their {@link GroupConsumer} members, evicts members whose
 * session timed out, and reports committed offsets and lag for tools.
 * <p>
 * Any number of groups may consume one topic: each sees every record (fan-out), while the members of one group share
 * its partitions (queue semantics).
 * <p>
 * Threading: thread-safe. As an {@link Agent} its {@link #doWork()} duty cycle (session expiry) can run on a
 * low-priority housekeeping {@link org.agrona.concurrent.AgentRunner} while consumer threads poll; stopping the runner
 * does not close the coordinator.
 * Time comes from the injected {@link EpochClock}.
 */
public final class GroupCoordinator implements Agent, AutoCloseable
{
    private final Topic topic;
    private final EpochClock clock;
    private final Path groupsDirectory;
    private final Map<String, ConsumerGroup> groups = new HashMap<>();
    private final Object lock = new Object();
    /**
     * Serialises the opening of groups, whose file work (the offsets file read, the {@code groups} directory created and
     * forced) runs outside {@link #lock}: the duty cycle ({@link #doWork()}), {@link #openedGroup} and the stores of the
     * other groups never wait for a disk that is slow to open one.
     */
    private final Object openLock = new Object();
    private ConsumerGroup[] groupArray = new ConsumerGroup[0];
    private boolean closed;

    /**
     * Create a coordinator for the groups of a topic.
     *
     * @param topic whose records the groups consume.
     * @param clock for session timeouts; {@link org.agrona.concurrent.SystemEpochClock#INSTANCE} in production.
     */
    public GroupCoordinator(final Topic topic, final EpochClock clock)
    {
        this.topic = topic;
        this.clock = clock;
        this.groupsDirectory = topic.directory().resolve(GROUPS_DIRECTORY);
    }

    /**
     * The topic the groups consume.
     *
     * @return the topic the groups consume.
     */
    public Topic topic()
    {
        return topic;
    }

    /**
     * Directory holding the groups' offsets files.
     *
     * @return directory holding the groups' offsets files.
     */
    public Path groupsDirectory()
    {
        return groupsDirectory;
    }

    /**
     * Open a group, creating it if new and loading its committed offsets if not. Returns the same instance for the
     * same name until the coordinator is closed.
     *
     * @param groupName a safe file name, see {@link ConsumerGroup#validateName(String)}.
     * @return the group.
     * @throws OffsetFileCorruptException if the group's offsets file is corrupt.
     * @throws GroupException             for an invalid name, an I/O failure, or a closed coordinator.
     */
    public ConsumerGroup group(final String groupName)
    {
        ConsumerGroup.validateName(groupName);
        synchronized (openLock)
        {
            synchronized (lock)
            {
                checkOpen();
                final ConsumerGroup open = groups.get(groupName);
                if (null != open)
                {
                    return open;
                }
            }
            // The file work, outside the lock (see openLock); no other thread opens this group meanwhile.
            final ConsumerGroup group = new ConsumerGroup(groupName, groupsDirectory, topic.partitionCount(), clock);
            synchronized (lock)
            {
                checkOpen(); // closed meanwhile: the new group has nothing staged, nothing to store
                groups.put(groupName, group);
                groupArray = groups.values().toArray(new ConsumerGroup[0]);
            }
            return group;
        }
    }

    /**
     * A group already open, without touching the disk: the caller opens it with {@link #group(String)} (a file read,
     * and the {@code groups} directory created and its parent forced when new) where file work may wait, e.g. off a
     * network server's thread.
     *
     * @param groupName of the group.
     * @return the group, or null if it is not open (or the coordinator is closed).
     */
    public ConsumerGroup openedGroup(final String groupName)
    {
        synchronized (lock)
        {
            return closed ? null : groups.get(groupName);
        }
    }

    /**
     * Join a group as a new member and return its consumer, which owns its share of the partitions once the group
     * has rebalanced (other members hand over at their next poll).
     *
     * @param groupName        of the group to join, opened if needed.
     * @param memberId         unique among the group's live members.
     * @param sessionTimeoutMs after which the member is evicted if it has not polled or committed.
     * @return the member's consumer; close it to leave the group.
     * @throws GroupException if the member id is already live in the group, or as for {@link #group(String)}.
     */
    public GroupConsumer newConsumer(final String groupName, final String memberId, final long sessionTimeoutMs)
    {
        return new GroupConsumer(group(groupName), topic, memberId, sessionTimeoutMs, clock);
    }

    /**
     * Role name of the agent, for thread names and diagnostics.
     *
     * @return {@code "group-coordinator-<topic>"}.
     */
    @Override
    public String roleName()
    {
        return "group-coordinator-" + topic.name();
    }

    /**
     * Housekeeping duty cycle: evict members of every open group whose session has timed out, so their partitions
     * move even when no other member is calling the group.
     *
     * @return the number of members evicted, 0 when idle.
     */
    @Override
    public int doWork()
    {
        final ConsumerGroup[] groups;
        synchronized (lock)
        {
            groups = groupArray;
        }

        int evicted = 0;
        for (final ConsumerGroup group : groups)
        {
            evicted += group.evictExpired();
        }
        return evicted;
    }

    /**
     * Background writer's duty: store the staged commits ({@link ConsumerGroup#stageCommit}) of every open group that
     * has any, one group at a time, each outside its group's lock. Blocks on the disk: call it from a thread that may
     * wait (never a processing thread or one that runs an Aeron client's conductor). A failure is reported to the
     * listener and does not stop the other groups' stores.
     *
     * @param listener told of each store and its duration, or its failure.
     * @return the number of groups stored or failed, 0 when nothing was staged.
     */
    public int storeStagedCommits(final CommitStoreListener listener)
    {
        final ConsumerGroup[] groups;
        synchronized (lock)
        {
            groups = groupArray;
        }

        int work = 0;
        for (final ConsumerGroup group : groups)
        {
            if (group.hasStagedCommits())
            {
                final long startNs = System.nanoTime();
                try
                {
                    if (group.storeStagedCommits() > 0) // 0: a blocking commit of the group stored them meanwhile
                    {
                        work++;
                        listener.onStored(group, System.nanoTime() - startNs);
                    }
                }
                catch (final GroupException ex)
                {
                    work++;
                    listener.onStoreFailed(group, ex, System.nanoTime() - startNs);
                }
            }
        }
        return work;
    }

    /**
     * Names of the groups of this topic: those open and those with an offsets file on disk, sorted (allocates).
     *
     * @return a new sorted list of group names.
     * @throws GroupException with {@link GroupException.Reason#IO_ERROR} if the directory cannot be listed.
     */
    public List<String> groupNames()
    {
        final TreeSet<String> names = new TreeSet<>();
        synchronized (lock)
        {
            names.addAll(groups.keySet());
        }

        if (Files.isDirectory(groupsDirectory))
        {
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(groupsDirectory, "*" + FILE_SUFFIX))
            {
                for (final Path file : stream)
                {
                    final String fileName = file.getFileName().toString();
                    names.add(fileName.substring(0, fileName.length() - FILE_SUFFIX.length()));
                }
            }
            catch (final IOException ex)
            {
                throw new GroupException(GroupException.Reason.IO_ERROR,
                    "failed to list consumer groups in " + groupsDirectory + ": " + ex, groupsDirectory, ex);
            }
        }

        return new ArrayList<>(names);
    }

    /**
     * The committed offsets of every group of a topic with an offsets file, read without opening the
     * groups or changing anything: for tools (stats) beside a live process, and for a read-only journal.
     *
     * @param topic whose groups to read.
     * @return group name to committed offsets (one per partition, {@link OffsetFileDescriptor#NULL_OFFSET}
     *         where none), sorted by name.
     */
    public static java.util.SortedMap<String, long[]> readCommittedOffsets(final Topic topic)
    {
        final java.util.SortedMap<String, long[]> offsets = new java.util.TreeMap<>();
        final Path directory = topic.directory().resolve(GROUPS_DIRECTORY);
        if (!Files.isDirectory(directory))
        {
            return offsets;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, "*" + FILE_SUFFIX))
        {
            for (final Path file : stream)
            {
                final String fileName = file.getFileName().toString();
                final String name = fileName.substring(0, fileName.length() - FILE_SUFFIX.length());
                offsets.put(name, OffsetStore.readCommitted(directory, name, topic.partitionCount()));
            }
        }
        catch (final IOException ex)
        {
            throw new GroupException(GroupException.Reason.IO_ERROR,
                "failed to list consumer groups in " + directory + ": " + ex, directory, ex);
        }
        return offsets;
    }

    /**
     * Committed offset of a group in a partition, opening the group if needed.
     *
     * @param groupName of the group.
     * @param partition of the topic.
     * @return the next offset the group will consume, or {@link OffsetFileDescriptor#NULL_OFFSET} if none committed.
     */
    public long committedOffset(final String groupName, final int partition)
    {
        return group(groupName).committedOffset(partition);
    }

    /**
     * Lag of a group in a partition: how many retained records lie at or after its committed offset, i.e.
     * {@code endOffset - max(committed, startOffset)}, counting from the earliest record when nothing is committed.
     *
     * @param groupName of the group.
     * @param partition of the topic.
     * @return the number of records the group has yet to commit in the partition.
     */
    public long lag(final String groupName, final int partition)
    {
        final long committed = committedOffset(groupName, partition);
        final Partition p = topic.partition(partition);
        final long endOffset = p.endOffset();
        final long from = committed == NULL_OFFSET ? p.startOffset() : Math.max(committed, p.startOffset());
        return Math.max(0, endOffset - from);
    }

    /**
     * Close every open group; their members' later calls fail with {@link GroupException.Reason#CLOSED}. Committed
     * offsets stay on disk. Does not close the topic. Idempotent.
     */
    @Override
    public void close()
    {
        final ConsumerGroup[] groups;
        synchronized (lock)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            groups = groupArray;
            this.groups.clear();
            groupArray = new ConsumerGroup[0];
        }

        for (final ConsumerGroup group : groups)
        {
            group.close();
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new GroupException(GroupException.Reason.CLOSED,
                "group coordinator of topic '" + topic.name() + "' is closed");
        }
    }
}
