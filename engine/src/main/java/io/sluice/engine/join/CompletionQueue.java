package io.sluice.engine.join;

import java.util.Arrays;

/**
 * The interval join's buffered records in eviction order: ascending completion time, ties in ascending arrival
 * sequence (a total order, so the order of eviction, and with it of the null-padded rows, is a function of the
 * processed sequence alone).
 * <p>
 * Records complete in nearly the order they arrive (a completion is the record's timestamp plus a constant of its
 * side, and timestamps are at most the watermark bound out of order), so most of them go to a <b>ring of
 * one-time-unit buckets</b>: bucket {@code c & mask} holds, as a list in arrival order, the records completing at
 * {@code c}, for {@code c} in {@code [cursor, cursor + buckets)}. Pushing is an append; evicting takes the head of
 * the first non-empty bucket from {@code cursor}, which only moves forward, so both cost O(1) amortised, where a heap
 * costs O(log n) cache-missing steps. Arrival sequences grow with every push, so each bucket's list is sorted without
 * any comparison. A record completing beyond the ring's reach, or before its cursor (the ring is re-based whenever
 * it empties), goes to a <b>binary min-heap</b> beside it, and eviction takes the smaller of the two heads; the ring
 * grows (up to {@link #MAX_BUCKETS}) when a record falls beyond it, so in steady state the heap stays empty. With
 * timestamps in a unit much finer than the join's span (nanoseconds), records overflow to the heap: the order stays
 * exact, only the cost is the heap's.
 * <pre>
 *   bucket heads:  [ c & mask ] -> entry -> entry -> NONE     (links in {@code link[entry]})
 *   entry        = slot << 1 | side
 * </pre>
 * A restore pushes records in no particular order; {@link #pushRestored} therefore takes them all at once, sorted by
 * arrival sequence.
 * <p>
 * Zero allocation once the arrays have grown to the working set. Not thread safe: single writer, the operator thread.
 */
final class CompletionQueue
{
    static final int NONE = -1;
    /** Largest ring, in buckets (one per time unit). */
    static final int MAX_BUCKETS = 1 << 16;

    /** Completion time and arrival sequence of an entry, so that the queue can compare entries of both sides. */
    interface Entries
    {
        long completion(int entry);

        long sequence(int entry);
    }

    private final Entries entries;
    private int[] bucketHead;
    private int[] bucketTail;
    private int mask;
    /** Ring entries complete at or after this time; meaningful while {@link #ringCount} > 0. */
    private long cursor;
    private int ringCount;
    /** Per entry: the next entry of its bucket. */
    private int[] link;

    private int[] heap;
    private long[] heapCompletion;
    private long[] heapSequence;
    private int heapSize;

    /**
     * @param entries     gives each entry's completion time and arrival sequence.
     * @param span        time units between the earliest and latest completion expected at once (the join's
     *                    interval width plus lateness plus out-of-orderness); sizes the ring.
     * @param expected    entries expected at once.
     */
    CompletionQueue(final Entries entries, final long span, final int expected)
    {
        this.entries = entries;
        int buckets = 1024;
        while (buckets < MAX_BUCKETS && buckets < span * 2)
        {
            buckets <<= 1;
        }
        allocateRing(buckets);
        link = new int[Math.max(32, expected * 2)];
        heap = new int[16];
        heapCompletion = new long[16];
        heapSequence = new long[16];
    }

    private void allocateRing(final int buckets)
    {
        bucketHead = new int[buckets];
        bucketTail = new int[buckets];
        Arrays.fill(bucketHead, NONE);
        mask = buckets - 1;
    }

    int size()
    {
        return ringCount + heapSize;
    }

    /**
     * Adds an entry whose arrival sequence is above every entry's pushed so far.
     */
    void push(final int entry, final long completion, final long sequence)
    {
        if (ringCount == 0)
        {
            // Re-base: leave room for records that complete a little earlier (out of order) than this one.
            cursor = completion - (mask >>> 2);
        }
        final long distance = completion - cursor;
        if (distance >= 0 && distance > mask)
        {
            growRing(distance);
        }
        if (distance >= 0 && distance <= mask)
        {
            if (entry >= link.length)
            {
                link = Arrays.copyOf(link, Math.max(entry + 1, link.length << 1));
            }
            final int bucket = (int)completion & mask;
            link[entry] = NONE;
            if (bucketHead[bucket] == NONE)
            {
                bucketHead[bucket] = entry;
            }
            else
            {
                link[bucketTail[bucket]] = entry;
            }
            bucketTail[bucket] = entry;
            ringCount++;
        }
        else
        {
            heapPush(entry, completion, sequence);
        }
    }

    /**
     * Adds restored entries, in any order: they are queued in ascending arrival sequence.
     *
     * @param restored entries, reordered in place.
     * @param count    of them.
     */
    void pushRestored(final int[] restored, final int count)
    {
        sortBySequence(restored, count);
        for (int i = 0; i < count; i++)
        {
            final int entry = restored[i];
            push(entry, entries.completion(entry), entries.sequence(entry));
        }
    }

    /**
     * Removes and returns the first entry in (completion, sequence) order if it completes at or before
     * {@code watermark}, else returns {@link #NONE}.
     */
    int pollCompleteBy(final long watermark)
    {
        int ringEntry = NONE;
        if (ringCount > 0)
        {
            // A non-empty bucket lies within mask steps, so the walk ends.
            while (cursor <= watermark && bucketHead[(int)cursor & mask] == NONE)
            {
                cursor++;
            }
            if (cursor <= watermark)
            {
                ringEntry = bucketHead[(int)cursor & mask];
            }
        }
        if (heapSize > 0 && heapCompletion[0] <= watermark &&
            (ringEntry == NONE || less(heapCompletion[0], heapSequence[0], cursor, entries.sequence(ringEntry))))
        {
            final int entry = heap[0];
            heapPop();
            return entry;
        }
        if (ringEntry != NONE)
        {
            bucketHead[(int)cursor & mask] = link[ringEntry];
            ringCount--;
        }
        return ringEntry;
    }

    /**
     * Whether an entry completes at or before {@code watermark} (what {@link #pollCompleteBy} would return, left
     * in place).
     */
    boolean hasCompleteBy(final long watermark)
    {
        if (heapSize > 0 && heapCompletion[0] <= watermark)
        {
            return true;
        }
        if (ringCount == 0)
        {
            return false;
        }
        // Skipping empty buckets is what the next poll would do anyway.
        while (cursor <= watermark && bucketHead[(int)cursor & mask] == NONE)
        {
            cursor++;
        }
        return cursor <= watermark;
    }

    void clear()
    {
        if (ringCount > 0)
        {
            Arrays.fill(bucketHead, NONE);
        }
        ringCount = 0;
        heapSize = 0;
    }

    private void growRing(final long distance)
    {
        int buckets = mask + 1;
        while (buckets < MAX_BUCKETS && buckets <= distance)
        {
            buckets <<= 1;
        }
        if (buckets == mask + 1)
        {
            return;
        }
        final int[] oldHead = bucketHead;
        final int[] oldTail = bucketTail;
        final int oldMask = mask;
        allocateRing(buckets);
        // Every ring entry completes in [cursor, cursor + old buckets): each old bucket is one completion time.
        for (long c = cursor, end = cursor + oldMask; c <= end; c++)
        {
            final int from = (int)c & oldMask;
            if (oldHead[from] != NONE)
            {
                final int to = (int)c & mask;
                bucketHead[to] = oldHead[from];
                bucketTail[to] = oldTail[from];
            }
        }
    }

    private static boolean less(final long completionA, final long sequenceA, final long completionB, final long sequenceB)
    {
        return completionA != completionB ? completionA < completionB : sequenceA < sequenceB;
    }

    private void sortBySequence(final int[] a, final int count)
    {
        // Insertion sort of runs, then merges: restores are rare, and records mostly come in order.
        final int[] scratch = new int[count];
        for (int width = 1; width < count; width <<= 1)
        {
            for (int low = 0; low < count - width; low += width << 1)
            {
                final int mid = low + width;
                final int high = Math.min(low + (width << 1), count);
                if (entries.sequence(a[mid - 1]) <= entries.sequence(a[mid]))
                {
                    continue;
                }
                System.arraycopy(a, low, scratch, low, high - low);
                int i = low;
                int j = mid;
                for (int k = low; k < high; k++)
                {
                    if (j == high || (i < mid && entries.sequence(scratch[i]) <= entries.sequence(scratch[j])))
                    {
                        a[k] = scratch[i++];
                    }
                    else
                    {
                        a[k] = scratch[j++];
                    }
                }
            }
        }
    }

    private void heapPush(final int entry, final long completion, final long sequence)
    {
        if (heapSize == heap.length)
        {
            heap = Arrays.copyOf(heap, heapSize << 1);
            heapCompletion = Arrays.copyOf(heapCompletion, heap.length);
            heapSequence = Arrays.copyOf(heapSequence, heap.length);
        }
        int index = heapSize++;
        while (index > 0)
        {
            final int parent = (index - 1) >>> 1;
            if (!less(completion, sequence, heapCompletion[parent], heapSequence[parent]))
            {
                break;
            }
            heapMove(parent, index);
            index = parent;
        }
        heap[index] = entry;
        heapCompletion[index] = completion;
        heapSequence[index] = sequence;
    }

    private void heapPop()
    {
        final int last = --heapSize;
        final int entry = heap[last];
        final long completion = heapCompletion[last];
        final long sequence = heapSequence[last];
        int index = 0;
        final int half = heapSize >>> 1;
        while (index < half)
        {
            int child = (index << 1) + 1;
            final int right = child + 1;
            if (right < heapSize && less(heapCompletion[right], heapSequence[right], heapCompletion[child], heapSequence[child]))
            {
                child = right;
            }
            if (!less(heapCompletion[child], heapSequence[child], completion, sequence))
            {
                break;
            }
            heapMove(child, index);
            index = child;
        }
        if (heapSize > 0)
        {
            heap[index] = entry;
            heapCompletion[index] = completion;
            heapSequence[index] = sequence;
        }
    }

    private void heapMove(final int from, final int to)
    {
        heap[to] = heap[from];
        heapCompletion[to] = heapCompletion[from];
        heapSequence[to] = heapSequence[from];
    }
}
