/*
 * Copyright 2026 Sluice contributors.
 */
package io.sluice.journal;

import java.nio.file.Path;

import static io.sluice.journal.OffsetFileDescriptor.NULL_OFFSET;

/**
 * A consumer group's committed offsets, split in two so that a commit is accepted without waiting for the disk:
 * the <em>accepted</em> offsets, changed in memory under the group's lock by every commit the group accepts, and
 * their durable copy in the {@link OffsetStore}, written by one writer at a time outside that lock.
 *
 * <h2>Tickets</h2>
 * Each accepted commit gets a ticket, the next of a sequence (1, 2, ...). A store writes the accepted offsets as they
 * are at its start, with the sequence's last ticket then: when it completes (file written, forced, renamed, directory
 * forced) every ticket up to that one is durable, since the accepted offsets only ever hold the latest value of each
 * partition, as a sequence of synchronous stores would have left the file. When it fails, every ticket up to that one
 * not already durable has failed; its offsets stay accepted (a failure does not undo a commit: its offsets are the
 * positions the member had consumed, and are stored with the next store that succeeds), as the synchronous store
 * could also leave them on disk when it failed. So a ticket's outcome is a function of two monotonic sequences:
 * durable if {@code ticket <= durableSequence}, else failed if {@code ticket <= failedSequence}, else pending.
 *
 * <h2>Threading</h2>
 * Methods named {@code ...Locked} with the group's lock held; {@link #store()} and {@link #awaitDurable} from any
 * thread without it (they take a store lock, then the group's lock briefly: never the other way round, and the
 * group's lock is never held during file I/O); the outcome reads ({@link #isDurable}, {@link #hasFailed},
 * {@link #hasStaged}) lock-free from any thread.
 */
final class GroupOffsets
{
    private final String groupName;
    private final OffsetStore store;
    private final Object groupLock;
    /** Serialises stores: one writer at a time, whoever it is (the background duty, a blocking commit, close). */
    private final Object storeLock = new Object();
    /** Guarded by the group's lock. */
    private final long[] accepted;
    /** Guarded by the store lock: the accepted offsets copied for the store in progress. */
    private final long[] snapshot;
    /** Guarded by the group's lock: the generation of the last accepted commit, recorded in the file. */
    private long stagedGeneration;
    /** Written under the group's lock; volatile so a writer can tell lock-free whether there is anything to store. */
    private volatile long stagedSequence;
    /** Written under the store lock: the last ticket a store attempted, successful or not. */
    private volatile long attemptedSequence;
    /** Written under the store lock after a store completed; read lock-free by whoever waits for a ticket. */
    private volatile long durableSequence;
    /** Written under the store lock after a store failed, after {@link #lastFailure}. */
    private volatile long failedSequence;
    private volatile GroupException lastFailure;

    GroupOffsets(final String groupName, final OffsetStore store, final Object groupLock)
    {
        this.groupName = groupName;
        this.store = store;
        this.groupLock = groupLock;
        final int partitionCount = store.partitionCount();
        this.accepted = new long[partitionCount];
        this.snapshot = new long[partitionCount];
        for (int p = 0; p < partitionCount; p++)
        {
            accepted[p] = store.committedOffset(p);
        }
        this.stagedGeneration = store.generation();
    }

    /**
     * The offsets file.
     *
     * @return path of the offsets file.
     */
    Path file()
    {
        return store.file();
    }

    /**
     * The generation the file held when it was opened.
     *
     * @return the stored generation.
     */
    long storedGeneration()
    {
        return store.generation();
    }

    /**
     * The accepted committed offset of a partition (durable once its commit's ticket is).
     *
     * @param partition of the topic.
     * @return the offset, or {@link OffsetFileDescriptor#NULL_OFFSET} when none.
     */
    long committedOffsetLocked(final int partition)
    {
        return accepted[partition];
    }

    /**
     * Accepts a partition's new offset; {@link #stageLocked} then gives the commit its ticket.
     *
     * @param partition of the topic.
     * @param offset    the next offset to consume.
     */
    void acceptLocked(final int partition, final long offset)
    {
        accepted[partition] = offset;
    }

    /**
     * Ends an accepted commit: gives it the next ticket.
     *
     * @param generation of the group when the commit was accepted.
     * @return the commit's ticket.
     */
    long stageLocked(final long generation)
    {
        stagedGeneration = generation;
        final long ticket = stagedSequence + 1;
        stagedSequence = ticket; // volatile store: a writer polling hasStaged() sees the commit
        return ticket;
    }

    /**
     * Whether a commit was accepted that no store has attempted yet.
     *
     * @return true if there is something to store.
     */
    boolean hasStaged()
    {
        return stagedSequence != attemptedSequence;
    }

    /**
     * Whether a commit is durable.
     *
     * @param ticket of the commit, 0 for a commit that changed nothing (durable at once).
     * @return true once its offsets (or later ones of the same partitions) survive power loss.
     */
    boolean isDurable(final long ticket)
    {
        return ticket <= durableSequence;
    }

    /**
     * Whether the store that should have made a commit durable failed (and none since has made it durable).
     *
     * @param ticket of the commit.
     * @return true if the commit failed.
     */
    boolean hasFailed(final long ticket)
    {
        return ticket > durableSequence && ticket <= failedSequence;
    }

    /**
     * The last store's failure.
     *
     * @return the failure, naming the group and the file, or null if no store has failed.
     */
    GroupException lastFailure()
    {
        return lastFailure;
    }

    /**
     * Stores the accepted offsets if a commit is staged: writes the file, forces it, renames it into place and forces
     * the directory, outside the group's lock. Blocks on the disk: call it from a thread that may wait.
     *
     * @return 1 if it stored, 0 if there was nothing to store.
     * @throws GroupException with {@link GroupException.Reason#IO_ERROR}, naming the group and the file, if the store
     *                        failed (the tickets it covered have failed).
     */
    int store()
    {
        synchronized (storeLock)
        {
            return storeLockedByStore();
        }
    }

    /**
     * Waits until a commit is durable, storing it on this thread if no other writer does.
     *
     * @param ticket of the commit.
     * @throws GroupException with {@link GroupException.Reason#IO_ERROR} if the store covering it failed.
     */
    void awaitDurable(final long ticket)
    {
        while (!isDurable(ticket))
        {
            if (hasFailed(ticket))
            {
                final GroupException failure = lastFailure;
                throw new GroupException(GroupException.Reason.IO_ERROR, failure.getMessage(), store.file(), failure.getCause());
            }
            synchronized (storeLock)
            {
                if (!isDurable(ticket) && !hasFailed(ticket))
                {
                    try
                    {
                        storeLockedByStore();
                    }
                    catch (final GroupException ex)
                    {
                        // Recorded as the ticket's failure: thrown by the next turn of the loop.
                    }
                }
            }
        }
    }

    private int storeLockedByStore()
    {
        final long ticket;
        final long generation;
        synchronized (groupLock)
        {
            ticket = stagedSequence;
            if (ticket == attemptedSequence)
            {
                return 0;
            }
            System.arraycopy(accepted, 0, snapshot, 0, snapshot.length);
            generation = stagedGeneration;
        }
        attemptedSequence = ticket;
        try
        {
            store.store(generation, snapshot);
        }
        catch (final GroupException ex)
        {
            // Cause first, the file named once: the message travels to the client in an ERROR frame of 256 characters.
            lastFailure = new GroupException(GroupException.Reason.IO_ERROR, "consumer group '" + groupName +
                "': storing its committed offsets in " + store.file() + " failed: " +
                (null != ex.getCause() ? ex.getCause().toString() : ex.getMessage()) + " (commits up to #" + ticket + " not durable)",
                store.file(), ex.getCause());
            failedSequence = ticket; // volatile store after lastFailure: whoever sees the ticket failed finds its cause
            throw lastFailure;
        }
        durableSequence = ticket; // volatile store: the ticket's waiters may answer COMMITTED
        return 1;
    }

    /**
     * Whether a partition's accepted offset differs from the offset given, for a commit that changes nothing.
     *
     * @param partition of the topic.
     * @param offset    proposed.
     * @return true if the offset is a change.
     */
    boolean changesLocked(final int partition, final long offset)
    {
        return offset != NULL_OFFSET && offset != accepted[partition];
    }
}
