package io.sluice.ops.net;

import java.util.concurrent.TimeUnit;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import io.sluice.journal.CommitStoreListener;
import io.sluice.journal.ConsumerGroup;
import io.sluice.journal.GroupCoordinator;
import io.sluice.journal.GroupException;

/**
 * The background writer of a network server's consumer commits: the egress accepts a COMMIT without touching the disk
 * ({@link ConsumerGroup#stageCommit}) and answers COMMITTED once this duty has stored the group's offsets file
 * ({@link GroupCoordinator#storeStagedCommits}: written, forced, renamed, directory forced). It runs as one of the
 * engine's disk duties ({@link io.sluice.engine.runtime.Engine#addDiskDuty}), beside the journal's force and the
 * checkpoint writer, never on the thread that runs the server's Aeron client: a force that waits a minute on a busy
 * disk then delays only the commits' answers, never the sessions (whose client dies when its conductor is not invoked
 * for ten seconds), the ACKs or the records.
 *
 * <p>It also opens the groups that consumers SUBSCRIBE to and that are not open yet ({@link GroupOpen}: the offsets
 * file read, the topic's {@code groups} directory created and forced when new), for the same reason: no file work on
 * the thread of the server's Aeron client.
 *
 * <p>Counted: stores, their total and longest time, failures. A failure goes to the server's error log, naming the
 * group and the file (the commits it covered are answered with an error by their sessions); the other groups' stores
 * and every session go on.
 *
 * <p>Threading: {@link #doWork()} on the disk duties thread; {@link #add}, {@link #remove} and {@link #open} on the
 * server's agent thread (its coordinators are published through a volatile copy-on-write array, the opens through a
 * one-to-one queue).
 */
final class CommitStoreAgent implements Agent, CommitStoreListener
{
    private final NetCounters counters;
    private final ErrorHandler errorHandler;
    private final String roleName;
    /** SUBSCRIBEs waiting for their group's open: more than this many at once are refused (the client may retry). */
    static final int MAX_PENDING_OPENS = 1024;
    private final OneToOneConcurrentArrayQueue<GroupOpen> opens = new OneToOneConcurrentArrayQueue<>(MAX_PENDING_OPENS);
    /** Replaced, never changed, by the server's agent thread; read on the disk duties thread. */
    private volatile GroupCoordinator[] coordinators = new GroupCoordinator[0];

    /**
     * @param counters     of the server: the commit stores' counters are written here, on the duty's thread.
     * @param errorHandler of the server, for store failures.
     * @param scope        of the server's counters, for the role name.
     */
    CommitStoreAgent(final NetCounters counters, final ErrorHandler errorHandler, final String scope)
    {
        this.counters = counters;
        this.errorHandler = errorHandler;
        this.roleName = "sluice-commit-store" + (scope.isEmpty() ? "" : "-" + scope);
    }

    /**
     * Stores the coordinators' staged commits from now on (no-op if it does already).
     *
     * @param coordinator of a topic the server's consumers use.
     */
    void add(final GroupCoordinator coordinator)
    {
        final GroupCoordinator[] current = coordinators;
        for (final GroupCoordinator existing : current)
        {
            if (existing == coordinator)
            {
                return;
            }
        }
        final GroupCoordinator[] next = java.util.Arrays.copyOf(current, current.length + 1);
        next[current.length] = coordinator;
        coordinators = next; // volatile store: the duty's next cycle stores its groups too
    }

    /**
     * Stops storing a coordinator's commits (it is being closed, which stores what is staged).
     *
     * @param coordinator to forget.
     */
    void remove(final GroupCoordinator coordinator)
    {
        final GroupCoordinator[] current = coordinators;
        int kept = 0;
        final GroupCoordinator[] next = new GroupCoordinator[current.length];
        for (final GroupCoordinator existing : current)
        {
            if (existing != coordinator)
            {
                next[kept++] = existing;
            }
        }
        coordinators = java.util.Arrays.copyOf(next, kept); // volatile store
    }

    /**
     * Asks for a group to be opened on this duty's thread.
     *
     * @param open the SUBSCRIBE's open, polled by its session.
     * @return false if {@link #MAX_PENDING_OPENS} opens are already waiting.
     */
    boolean open(final GroupOpen open)
    {
        return opens.offer(open);
    }

    @Override
    public int doWork()
    {
        int work = opens.isEmpty() ? 0 : opens.drain(GroupOpen::run);
        for (final GroupCoordinator coordinator : coordinators)
        {
            work += coordinator.storeStagedCommits(this);
        }
        return work;
    }

    @Override
    public void onStored(final ConsumerGroup group, final long durationNs)
    {
        record(durationNs); // first: whoever sees the store counted finds its time in the longest
        counters.commitStores.incrementRelease();
    }

    @Override
    public void onStoreFailed(final ConsumerGroup group, final GroupException failure, final long durationNs)
    {
        record(durationNs);
        counters.commitStoreFailures.incrementRelease();
        errorHandler.onError(failure);
    }

    private void record(final long durationNs)
    {
        final long us = TimeUnit.NANOSECONDS.toMicros(durationNs);
        counters.commitStoreUs.getAndAddRelease(us);
        if (us > counters.commitStoreMaxUs.get())
        {
            counters.commitStoreMaxUs.setRelease(us);
        }
    }

    @Override
    public String roleName()
    {
        return roleName;
    }
}
