package io.sluice.engine.window;

/**
 * In-place, allocation-free heap sort of long keys carrying an int payload each. The JDK's
 * {@code Arrays.sort(long[])} may allocate merge buffers, which the hot path must not.
 */
final class LongIntSorter
{
    private LongIntSorter()
    {
    }

    static void sort(final long[] keys, final int[] payloads, final int length)
    {
        for (int i = (length >>> 1) - 1; i >= 0; i--)
        {
            siftDown(keys, payloads, i, length);
        }
        for (int end = length - 1; end > 0; end--)
        {
            swap(keys, payloads, 0, end);
            siftDown(keys, payloads, 0, end);
        }
    }

    private static void siftDown(final long[] keys, final int[] payloads, final int start, final int length)
    {
        int parent = start;
        while (true)
        {
            int child = (parent << 1) + 1;
            if (child >= length)
            {
                return;
            }
            if (child + 1 < length && keys[child + 1] > keys[child])
            {
                child++;
            }
            if (keys[child] <= keys[parent])
            {
                return;
            }
            swap(keys, payloads, parent, child);
            parent = child;
        }
    }

    private static void swap(final long[] keys, final int[] payloads, final int i, final int j)
    {
        final long key = keys[i];
        keys[i] = keys[j];
        keys[j] = key;
        final int payload = payloads[i];
        payloads[i] = payloads[j];
        payloads[j] = payload;
    }
}
