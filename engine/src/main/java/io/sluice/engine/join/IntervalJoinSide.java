package io.sluice.engine.join;

import java.util.Arrays;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import io.sluice.engine.state.CopyOnWriteRows;

/**
 * Buffered records of one side of an interval join.
 * <p>
 * Each record owns a slot: parallel primitive arrays hold its timestamp, key, arrival sequence and
 * matched flag, and a {@link RecordArena} its bytes. The records of one key form a circular doubly
 * linked list through {@code prev}/{@code next} in ascending arrival sequence; the {@link JoinKeyIndex}
 * the two sides share maps the key to the oldest (head) slot of each side, whose {@code prev} is the
 * tail, so appending and unlinking any record are O(1). Free slots are chained through {@code next}.
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

    private final RecordArena arena;
    private final JoinKeyIndex heads;
    private final int side;
    private final CopyOnWriteRows snapshot;
    private long[] timestamps;
    private long[] keys;
    private long[] sequences;
    private int[] prev;
    private int[] next;
    private boolean[] matched;
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
        timestamps = new long[slots];
        keys = new long[slots];
        sequences = new long[slots];
        prev = new int[slots];
        next = new int[slots];
        matched = new boolean[slots];
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
        buffer.putLong(offset + IntervalJoinOperator.RECORD_TIMESTAMP_OFFSET, timestamps[slot], ORDER);
        buffer.putLong(offset + IntervalJoinOperator.RECORD_KEY_OFFSET, keys[slot], ORDER);
        buffer.putLong(offset + IntervalJoinOperator.RECORD_SEQUENCE_OFFSET, sequences[slot], ORDER);
        buffer.putInt(offset + IntervalJoinOperator.RECORD_MATCHED_OFFSET, matched[slot] ? 1 : 0, ORDER);
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
        return timestamps[slot];
    }

    long key(final int slot)
    {
        return keys[slot];
    }

    long sequence(final int slot)
    {
        return sequences[slot];
    }

    boolean matched(final int slot)
    {
        return matched[slot];
    }

    void markMatched(final int slot)
    {
        if (!matched[slot])
        {
            snapshot.beforeChange(slot);
            matched[slot] = true;
        }
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
        final int following = next[slot];
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
        timestamps[slot] = timestamp;
        keys[slot] = key;
        sequences[slot] = sequence;
        matched[slot] = isMatched;
        arena.put(slot, buffer, offset);
        snapshot.created(slot);

        final int head = heads.head(position, side);
        if (head == NONE)
        {
            prev[slot] = slot;
            next[slot] = slot;
            heads.head(position, side, slot);
        }
        else
        {
            final int tail = prev[head];
            prev[slot] = tail;
            next[slot] = head;
            next[tail] = slot;
            prev[head] = slot;
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
        int before = prev[slot];
        if (before == slot || sequences[before] < sequence)
        {
            return slot;
        }
        // Unlink from the tail, then link in after the last record with a lower sequence.
        final int tail = before;
        next[tail] = head;
        prev[head] = tail;
        while (before != head && sequences[before] > sequence)
        {
            before = prev[before];
        }
        if (before == head && sequences[head] > sequence)
        {
            final int last = prev[head];
            prev[slot] = last;
            next[slot] = head;
            next[last] = slot;
            prev[head] = slot;
            heads.head(position, side, slot);
            return slot;
        }
        final int after = next[before];
        prev[slot] = before;
        next[slot] = after;
        next[before] = slot;
        prev[after] = slot;
        return slot;
    }

    void remove(final int slot)
    {
        snapshot.beforeFree(slot);
        final int position = heads.find(keys[slot]);
        final int following = next[slot];
        if (following == slot)
        {
            heads.head(position, side, NONE);
        }
        else
        {
            final int preceding = prev[slot];
            next[preceding] = following;
            prev[following] = preceding;
            if (heads.head(position, side) == slot)
            {
                heads.head(position, side, following);
            }
        }
        next[slot] = freeHead;
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
            freeHead = next[slot];
            return slot;
        }
        if (limit == timestamps.length)
        {
            final int capacity = limit << 1;
            timestamps = Arrays.copyOf(timestamps, capacity);
            keys = Arrays.copyOf(keys, capacity);
            sequences = Arrays.copyOf(sequences, capacity);
            prev = Arrays.copyOf(prev, capacity);
            next = Arrays.copyOf(next, capacity);
            matched = Arrays.copyOf(matched, capacity);
            arena.ensureCapacity(capacity);
            snapshot.ensureCapacity(capacity);
        }
        return limit++;
    }
}
