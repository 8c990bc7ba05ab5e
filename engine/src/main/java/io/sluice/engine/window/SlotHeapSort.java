package io.sluice.engine.window;

/**
 * Heap sort of key slots by their keys, in place and allocation free (unlike {@code Arrays.sort}'s merge buffers),
 * for the key tables that keep their slots in ascending (signed) key order: {@link KeyTable} and
 * {@link ColumnarWindowOperator}. A slot's key is read from {@code keys[slot * stride + keyOffset]}, so a table may
 * keep its keys in an array of their own ({@code stride} 1) or inside records of several longs, and its slots in a region
 * of a larger array (from {@code base}). The steps are exposed
 * so a caller can spread a sort over many calls ({@link KeyTable#sortSome}): heapify with {@link #siftDown} from
 * the last parent down to 0, then {@link #extract} from the last position down to 1.
 * <p>
 * Keys of distinct slots are distinct, so the order is fully determined. Stateless.
 */
final class SlotHeapSort
{
    private SlotHeapSort()
    {
    }

    /**
     * Sorts the {@code count} slots from {@code base} by ascending key.
     *
     * @param slots     holding the slots to sort, in place.
     * @param base      where in {@code slots} they start.
     * @param count     how many.
     * @param keys      the table's keys.
     * @param stride    longs per slot in {@code keys}.
     * @param keyOffset where in a slot's longs its key is.
     */
    static void sort(final int[] slots, final int base, final int count, final long[] keys, final int stride, final int keyOffset)
    {
        for (int i = (count >>> 1) - 1; i >= 0; i--)
        {
            siftDown(slots, base, i, count, keys, stride, keyOffset);
        }
        for (int end = count - 1; end > 0; end--)
        {
            extract(slots, base, end, keys, stride, keyOffset);
        }
    }

    /**
     * One step of the sort's second phase: the largest key of the heap {@code [0, end]} moves to {@code end} and the
     * heap shrinks to {@code [0, end)}; positions count from {@code base} in {@code heap}.
     *
     * @return levels the moved slot went down.
     */
    static int extract(final int[] heap, final int base, final int end, final long[] keys, final int stride, final int keyOffset)
    {
        final int top = heap[base];
        heap[base] = heap[base + end];
        heap[base + end] = top;
        return siftDown(heap, base, 0, end, keys, stride, keyOffset);
    }

    /**
     * Sifts the slot at {@code start} of a max-heap (by key) of {@code length} slots down to its place; positions count
     * from {@code base} in {@code heap}.
     *
     * @return levels it went down.
     */
    static int siftDown(
        final int[] heap, final int base, final int start, final int length, final long[] keys, final int stride, final int keyOffset)
    {
        int parent = start;
        int levels = 0;
        final int moving = heap[base + parent];
        final long key = keys[moving * stride + keyOffset];
        while (true)
        {
            int child = (parent << 1) + 1;
            if (child >= length)
            {
                break;
            }
            long childKey = keys[heap[base + child] * stride + keyOffset];
            if (child + 1 < length)
            {
                final long rightKey = keys[heap[base + child + 1] * stride + keyOffset];
                if (rightKey > childKey)
                {
                    child++;
                    childKey = rightKey;
                }
            }
            if (childKey <= key)
            {
                break;
            }
            heap[base + parent] = heap[base + child];
            parent = child;
            levels++;
        }
        heap[base + parent] = moving;
        return levels;
    }
}
