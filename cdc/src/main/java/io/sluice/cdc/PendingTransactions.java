package io.sluice.cdc;

import java.util.ArrayDeque;

/**
 * Transactions published but not yet confirmed to the slot, in commit order: the LSN that acknowledges
 * each (its commit record's end), the number of the last change published up to it, and its commit
 * time (for the lag in time). Threading: the source thread only.
 */
final class PendingTransactions
{
    /**
     * One transaction.
     *
     * @param endLsn        LSN past its commit record.
     * @param count         number of the last change up to and including it.
     * @param commitMillis  commit time.
     */
    record Entry(long endLsn, long count, long commitMillis)
    {
    }

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();

    void add(final long endLsn, final long count, final long commitMillis)
    {
        entries.addLast(new Entry(endLsn, count, commitMillis));
    }

    /**
     * Removes the transactions whose changes are all numbered at or below a count.
     *
     * @param covered every change numbered up to this is covered.
     * @return the last transaction removed, or null if none.
     */
    Entry pollCoveredUpTo(final long covered)
    {
        Entry last = null;
        while (!entries.isEmpty() && entries.peekFirst().count() <= covered)
        {
            last = entries.pollFirst();
        }
        return last;
    }

    boolean isEmpty()
    {
        return entries.isEmpty();
    }

    long oldestCommitMillis()
    {
        return entries.isEmpty() ? -1 : entries.peekFirst().commitMillis();
    }

    void clear()
    {
        entries.clear();
    }
}
