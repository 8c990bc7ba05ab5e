package io.sluice.engine.join;

import java.util.Arrays;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import io.sluice.engine.state.CopyOnWriteRows;

/**
 * Buffered records of one side of an interval join.
 * <p>
 * Each record owns a slot: four longs of one array hold its timestamp, chain links, arrival sequence with the matched
 * flag, and key, and a {@link RecordArena} its bytes. The fields a probe reads for each record of a chain (timestamp,
 * then the link to the next) come first, so a probe step loads one cache line, not one per field array:
 * <pre>
 *   slot s at longs [4s, 4s + 4):
 *   +---------------------------------------------------------------+
 *   |                       Timestamp (64 bits)                     |  4s + 0
 *   +-------------------------------+-------------------------------+
 *   |     Prev slot (high 32 bits)  |     Next slot (low 32 bits)   |  4s + 1
 *   +-+-------------------------------------------------------------+
 *   |M|              Arrival Sequence (63 bits)                     |  4s + 2   M: matched
 *   +-+-------------------------------------------------------------+
 *   |                          Key (64 bits)                        |  4s + 3
 *   +---------------------------------------------------------------+
 * </pre>
 * The records of one key form a circular doubly linked list through prev/next in ascending arrival sequence; the
 * {@link JoinKeyIndex} the two sides share maps the key to the oldest (head) slot of each side, whose prev is the
 * tail, so appending and unlinking any record are O(1). Free slots are chained through next. Arrival sequences are
 * non-negative, so the top bit is free for the matched flag.
 * <p>
 * A checkpoint copies the records incrementally ({@link CopyOnWriteRows}): a record is copied
 * before its matched flag changes or it is removed. Each record is written as drawn in
 * {@link IntervalJoinOperator}; records land in no particular order, and a restore threads each
 * into its key's chain by arrival sequence ({@link #insertBySequence}).
 * <p>
 * Not thread safe: single writer, the operator thread.
 */
final class IntervalJoinSide
{
    static final int NONE = -1;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    /** A slot is {@code 1 << SHIFT} = 4 longs; where each field is in it. */
    private static final int SHIFT = 2;
    private static final int TIMESTAMP = 0;
    private static final int LINKS = 1;
    private static final int SEQUENCE = 2;
    private static final int KEY = 3;
    private static final long MATCHED = Long.MIN_VALUE;
    private static final long LOW = 0xFFFF_FFFFL;

    private final RecordArena arena;
    private final JoinKeyIndex heads;
    private final int side;
    private final CopyOnWriteRows snapshot;
    /** The slots' fields, four longs a slot, as drawn above. */
    private long[] slots;
    private int limit;
    private int freeHead = NONE;
    private int size;

    /**
     * @param heads the key index both sides share.
     * @param side  {@link JoinResultHandler#LEFT} or {@link JoinResultHandler#RIGHT}: which head of a key is this side's.
     */
    IntervalJoinSide(final int recordLength, final int expectedRecords, final JoinKeyIndex heads, final int side)
    {
        final int slots = Math.max(16, expectedRecords);
        arena = new RecordArena(recordLength, slots);
        this.heads = heads;
        this.side = side;
        this.slots = new long[slots << SHIFT];
        snapshot = new CopyOnWriteRows(this::writeRecord, slots);
    }

    /**
     * Bytes of one record in a snapshot.
     *
     * @return the length in bytes.
     */
    int snapshotRecordLength()
    {
        return IntervalJoinOperator.RECORD_HEADER_LENGTH + arena.recordLength();
    }

    /**
     * Fixes the image of the records at a checkpoint barrier; they follow in {@link #copySlice} slices.
     *
     * @param buffer receiving the records.
     * @param offset of the first record.
     * @return the bytes the records take.
     */
    int beginSnapshot(final MutableDirectBuffer buffer, final int offset)
    {
        final int length = size * snapshotRecordLength();
        snapshot.begin(buffer, offset, limit, size, length);
        return length;
    }

    boolean copySlice(final int budget)
    {
        return snapshot.copySlice(budget);
    }

    private int writeRecord(final int slot, final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putLong(offset + IntervalJoinOperator.RECORD_TIMESTAMP_OFFSET, timestamp(slot), ORDER);
        buffer.putLong(offset + IntervalJoinOperator.RECORD_KEY_OFFSET, key(slot), ORDER);
        buffer.putLong(offset + IntervalJoinOperator.RECORD_SEQUENCE_OFFSET, sequence(slot), ORDER);
        buffer.putInt(offset + IntervalJoinOperator.RECORD_MATCHED_OFFSET, matched(slot) ? 1 : 0, ORDER);
        buffer.putBytes(offset + IntervalJoinOperator.RECORD_HEADER_LENGTH, arena.buffer(), arena.offsetOf(slot), arena.recordLength());
        return offset + snapshotRecordLength();
    }

    int size()
    {
        return size;
    }

    int limit()
    {
        return limit;
    }

    int recordLength()
    {
        return arena.recordLength();
    }

    DirectBuffer buffer()
    {
        return arena.buffer();
    }

    int offsetOf(final int slot)
    {
        return arena.offsetOf(slot);
    }

    long timestamp(final int slot)
    {
        return slots[(slot << SHIFT) + TIMESTAMP];
    }

    long key(final int slot)
    {
        return slots[(slot << SHIFT) + KEY];
    }

    long sequence(final int slot)
    {
        return slots[(slot << SHIFT) + SEQUENCE] & ~MATCHED;
    }

    boolean matched(final int slot)
    {
        return slots[(slot << SHIFT) + SEQUENCE] < 0;
    }

    void markMatched(final int slot)
    {
        final int at = (slot << SHIFT) + SEQUENCE;
        if (slots[at] >= 0)
        {
            snapshot.beforeChange(slot);
            slots[at] |= MATCHED;
        }
    }

    private int prev(final int slot)
    {
        return (int)(slots[(slot << SHIFT) + LINKS] >>> 32);
    }

    private int next(final int slot)
    {
        return (int)slots[(slot << SHIFT) + LINKS];
    }

    private void prev(final int slot, final int prev)
    {
        final int at = (slot << SHIFT) + LINKS;
        slots[at] = ((long)prev << 32) | (slots[at] & LOW);
    }

    private void next(final int slot, final int next)
    {
        final int at = (slot << SHIFT) + LINKS;
        slots[at] = (slots[at] & ~LOW) | (next & LOW);
    }

    private void links(final int slot, final int prev, final int next)
    {
        slots[(slot << SHIFT) + LINKS] = ((long)prev << 32) | (next & LOW);
    }

    /**
     * Oldest record of this side at a key's position in the shared {@link JoinKeyIndex}, or {@link #NONE}.
     */
    int headAt(final int position)
    {
        return heads.head(position, side);
    }

    /**
     * Next record of the same key in arrival order after {@code slot}, or {@link #NONE} after the
     * tail.
     */
    int after(final int slot, final int head)
    {
        final int following = next(slot);
        return following == head ? NONE : following;
    }

    /**
     * Appends a record to its key's chain.
     *
     * @param position of the key in the shared {@link JoinKeyIndex} ({@link JoinKeyIndex#findOrAdd}), still valid.
     */
    int insertAt(
        final int position,
        final long key,
        final long timestamp,
        final long sequence,
        final boolean isMatched,
        final DirectBuffer buffer,
        final int offset)
    {
        final int slot = allocate();
        final int at = slot << SHIFT;
        slots[at + TIMESTAMP] = timestamp;
        slots[at + SEQUENCE] = isMatched ? sequence | MATCHED : sequence;
        slots[at + KEY] = key;
        arena.put(slot, buffer, offset);
        snapshot.created(slot);

        final int head = heads.head(position, side);
        if (head == NONE)
        {
            links(slot, slot, slot);
            heads.head(position, side, slot);
        }
        else
        {
            final int tail = prev(head);
            links(slot, tail, head);
            next(tail, slot);
            prev(head, slot);
        }
        return slot;
    }

    /**
     * Inserts a restored record into its key's chain at its arrival sequence (restored records come
     * in no particular order); walks back from the tail, so records that come in order cost O(1).
     */
    int insertBySequence(
        final long key,
        final long timestamp,
        final long sequence,
        final boolean isMatched,
        final DirectBuffer buffer,
        final int offset)
    {
        final int position = heads.findOrAdd(key);
        final int slot = insertAt(position, key, timestamp, sequence, isMatched, buffer, offset);
        final int head = heads.head(position, side);
        int before = prev(slot);
        if (before == slot || sequence(before) < sequence)
        {
            return slot;
        }
        // Unlink from the tail, then link in after the last record with a lower sequence.
        final int tail = before;
        next(tail, head);
        prev(head, tail);
        while (before != head && sequence(before) > sequence)
        {
            before = prev(before);
        }
        if (before == head && sequence(head) > sequence)
        {
            final int last = prev(head);
            links(slot, last, head);
            next(last, slot);
            prev(head, slot);
            heads.head(position, side, slot);
            return slot;
        }
        final int after = next(before);
        links(slot, before, after);
        next(before, slot);
        prev(after, slot);
        return slot;
    }

    void remove(final int slot)
    {
        snapshot.beforeFree(slot);
        final int position = heads.find(key(slot));
        final int following = next(slot);
        if (following == slot)
        {
            heads.head(position, side, NONE);
        }
        else
        {
            final int preceding = prev(slot);
            next(preceding, following);
            prev(following, preceding);
            if (heads.head(position, side) == slot)
            {
                heads.head(position, side, following);
            }
        }
        next(slot, freeHead);
        freeHead = slot;
        size--;
    }

    /**
     * Forget every record; the shared key index is the operator's to clear.
     */
    void clear()
    {
        snapshot.complete();
        limit = 0;
        size = 0;
        freeHead = NONE;
    }

    private int allocate()
    {
        size++;
        if (freeHead != NONE)
        {
            final int slot = freeHead;
            freeHead = next(slot);
            return slot;
        }
        if (limit << SHIFT == slots.length)
        {
            final int capacity = limit << 1;
            slots = Arrays.copyOf(slots, capacity << SHIFT);
            arena.ensureCapacity(capacity);
            snapshot.ensureCapacity(capacity);
        }
        return limit++;
    }
}
