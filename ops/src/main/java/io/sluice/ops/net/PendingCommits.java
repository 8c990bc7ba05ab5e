package io.sluice.ops.net;

/**
 * A consumer session's commits accepted by its group and not yet answered, oldest first: each a ticket of the group
 * ({@link io.sluice.journal.ConsumerGroup#stageCommit}) and the client's commit id. Tickets of one group only grow, and
 * a ticket is durable once every earlier one is, so the session answers from the head, in order.
 *
 * <p>Bounded and pre-allocated: when full (a client committing faster than the disk stores), a new commit takes the
 * place of the newest one. That is safe for the client: its commits only move forward, the newer commit covers the
 * older one, and the client keeps the highest id answered COMMITTED; the replaced commit id is not answered itself.
 *
 * <p>Threading: the server agent's thread only.
 */
final class PendingCommits
{
    /** Commits a session keeps awaiting their store before newer ones replace the newest. */
    static final int CAPACITY = 16;

    private final long[] tickets = new long[CAPACITY];
    private final long[] commitIds = new long[CAPACITY];
    private int head;
    private int size;

    /**
     * Adds a commit awaiting its store.
     *
     * @param ticket   of the commit in its group.
     * @param commitId the client gave it.
     * @return true if added, false if it replaced the newest (the count of pending commits did not grow).
     */
    boolean add(final long ticket, final long commitId)
    {
        final boolean added = size < CAPACITY;
        if (added)
        {
            size++;
        }
        final int tail = (head + size - 1) % CAPACITY;
        tickets[tail] = ticket;
        commitIds[tail] = commitId;
        return added;
    }

    boolean isEmpty()
    {
        return size == 0;
    }

    int size()
    {
        return size;
    }

    long headTicket()
    {
        return tickets[head];
    }

    long headCommitId()
    {
        return commitIds[head];
    }

    void removeHead()
    {
        head = (head + 1) % CAPACITY;
        size--;
    }

    /**
     * Forgets every pending commit (the session closes).
     *
     * @return how many there were.
     */
    int clear()
    {
        final int cleared = size;
        head = 0;
        size = 0;
        return cleared;
    }
}
