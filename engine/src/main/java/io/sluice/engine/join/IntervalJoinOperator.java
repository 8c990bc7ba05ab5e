package io.sluice.engine.join;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.engine.time.WatermarkGenerator;

/**
 * Keyed stream-stream interval join: a left event at {@code t} matches every right event of the
 * same key with timestamp in {@code [t + lower, t + upper]}, both bounds inclusive. Built by
 * {@link JoinOperatorContext#buildIntervalJoin()}.
 * <p>
 * <b>Time.</b> Each side has its own {@link WatermarkGenerator}; the operator's watermark is the
 * minimum of the two, {@code W}. With allowed lateness {@code L}:
 * <ul>
 *   <li>an event at {@code t} is <i>late</i> when {@code t + L <= W}: it goes to the late side
 *       output and {@link #lateEvents()}, joins nothing and is never emitted;</li>
 *   <li>a left record is complete at {@code t + upper + L}, a right record at
 *       {@code t - lower + L}: once {@code W} reaches that, no on-time partner can arrive. The
 *       record is then evicted and, if it never matched and the join type keeps its side,
 *       emitted null-padded exactly once. A record already complete on arrival is not stored
 *       (and, if unmatched, is emitted null-padded at once).</li>
 * </ul>
 * So state holds only records with {@code W < completion}, bounded by the rate times
 * {@code (upper - lower) + L + the out-of-orderness bound}, whatever the run length.
 * <p>
 * <b>Output.</b> A match has timestamp {@code max(left.t, right.t)} and flags
 * {@link JoinResultHandler#MATCH}; an unmatched left row has {@code left.t} and
 * {@link JoinResultHandler#RIGHT_NULL}, an unmatched right row {@code right.t} and
 * {@link JoinResultHandler#LEFT_NULL}.
 * <p>
 * <b>Order</b> (a function of the processed sequence only). Every accepted event gets the next
 * arrival sequence number. Processing an event emits, in this order: its matches, in ascending
 * arrival sequence of the buffered partner; its own null-padded row if it is unmatched and
 * already complete; then, if the event advanced the watermark, the null-padded rows of every
 * record that became complete, in ascending {@code (completion time, side-independent arrival
 * sequence)}. Watermark advances by tick, explicit advance or end of input emit the latter only.
 * <p>
 * <b>Bounded work per event.</b> Eviction is incremental: each event evicts at most
 * {@code evictionSlice} complete records (emitting the unmatched ones null-padded), continuing in
 * the order above, so a watermark jump that completes thousands of records does not hold one event
 * up. A complete record can match no event that is not late, so results are unchanged; only the
 * event after which a null-padded row is emitted moves, as a function of the processed sequence
 * alone. An explicit advance and the end of input evict everything complete; a tick evicts one
 * slice, like an event, and while eviction is pending ({@link #evictionPending()}) the engine journals
 * continuation ticks, so the rest follows slice by slice when no event comes. A snapshot holds the complete records not yet evicted, and a
 * restore resumes the same order.
 * <p>
 * <b>Time domain:</b> timestamps within {@code [-2^62, 2^62]}, bounds and lateness within
 * {@code [-2^60, 2^60]}, so completion times cannot overflow.
 * <p>
 * Snapshot layout (little endian), followed by the left then right watermark generator states,
 * then {@code Left Count} left records and {@code Right Count} right records:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Magic 'SLIJ'                           |
 *  +---------------------------------------------------------------+
 *  |                          Version                              |
 *  +---------------------------------------------------------------+
 *  |                     Join Type (ordinal)                       |
 *  +---------------------------------------------------------------+
 *  |                     Left Record Length                        |
 *  +---------------------------------------------------------------+
 *  |                     Right Record Length                       |
 *  +---------------------------------------------------------------+
 *  |                         Left Count                            |
 *  +---------------------------------------------------------------+
 *  |                         Right Count                           |
 *  +---------------------------------------------------------------+
 *  |                          Reserved                             |
 *  +---------------------------------------------------------------+
 *  |                    Lower Bound (64 bits)                      |
 *  +---------------------------------------------------------------+
 *  |                    Upper Bound (64 bits)                      |
 *  +---------------------------------------------------------------+
 *  |                 Allowed Lateness (64 bits)                    |
 *  +---------------------------------------------------------------+
 *  |              Next Arrival Sequence (64 bits)                  |
 *  +---------------------------------------------------------------+
 *  |                   Late Events (64 bits)                       |
 *  +---------------------------------------------------------------+
 *  |                     Matches (64 bits)                         |
 *  +---------------------------------------------------------------+
 *  |                Unmatched Emitted (64 bits)                    |
 *  +---------------------------------------------------------------+
 *  |  Left watermark generator state (its own snapshotLength())   ...
 *  +---------------------------------------------------------------+
 *  |  Right watermark generator state (its own snapshotLength())  ...
 *  +---------------------------------------------------------------+
 *  |                  Record: Timestamp (64 bits)                  |
 *  +---------------------------------------------------------------+
 *  |                  Record: Key (64 bits)                        |
 *  +---------------------------------------------------------------+
 *  |             Record: Arrival Sequence (64 bits)                |
 *  +---------------------------------------------------------------+
 *  |                 Record: Matched (0 or 1)                      |
 *  +---------------------------------------------------------------+
 *  |          Record: Bytes (that side's record length)          ...
 *  +---------------------------------------------------------------+
 * </pre>
 * Records of a side follow in no particular order (a checkpoint copies them incrementally, copying
 * a record before it changes, see {@link IntervalJoinSide}); a restore threads each into its key's
 * chain by arrival sequence, which rebuilds identical chains.
 * <p>
 * <b>Zero allocation:</b> once the arrays and arenas have grown to the working set, no method but
 * the snapshot ones allocates. <b>Threading:</b> single writer, the partition thread.
 */
public final class IntervalJoinOperator implements JoinOperator
{
    static final int MAGIC = 0x4A494C53;
    static final int VERSION = 1;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int TYPE_OFFSET = 8;
    static final int LEFT_LENGTH_OFFSET = 12;
    static final int RIGHT_LENGTH_OFFSET = 16;
    static final int LEFT_COUNT_OFFSET = 20;
    static final int RIGHT_COUNT_OFFSET = 24;
    static final int LOWER_OFFSET = 32;
    static final int UPPER_OFFSET = 40;
    static final int LATENESS_OFFSET = 48;
    static final int SEQUENCE_OFFSET = 56;
    static final int LATE_OFFSET = 64;
    static final int MATCHES_OFFSET = 72;
    static final int UNMATCHED_OFFSET = 80;
    static final int HEADER_LENGTH = 88;
    static final int RECORD_TIMESTAMP_OFFSET = 0;
    static final int RECORD_KEY_OFFSET = 8;
    static final int RECORD_SEQUENCE_OFFSET = 16;
    static final int RECORD_MATCHED_OFFSET = 24;
    static final int RECORD_HEADER_LENGTH = 28;

    private static final long NO_WATERMARK = WatermarkGenerator.NO_WATERMARK;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int LEFT = JoinResultHandler.LEFT;
    private static final int RIGHT = JoinResultHandler.RIGHT;
    private static final int ALL = Integer.MAX_VALUE;
    /** Records per key assumed when sizing the key index from the expected records. */
    private static final int KEY_INDEX_RECORDS_PER_KEY = 4;

    private final JoinType type;
    private final long lower;
    private final long upper;
    private final long allowedLateness;
    private final WatermarkGenerator[] watermarks;
    private final IntervalJoinSide[] sides;
    private final JoinResultHandler resultHandler;
    private final JoinLateEventHandler lateEventHandler;
    private final UnsafeBuffer nulls;
    private final int evictionSlice;
    /** Both sides' keys, each with the head of each side's chain: one probe per event. */
    private final JoinKeyIndex keyIndex;
    /** Every buffered record of both sides, as {@code slot << 1 | side}, in eviction order. */
    private final CompletionQueue completions;
    private long nextSequence;
    private long lateEvents;
    private long matches;
    private long unmatchedEmitted;

    IntervalJoinOperator(
        final JoinType type,
        final long lower,
        final long upper,
        final long allowedLateness,
        final WatermarkGenerator leftWatermarks,
        final WatermarkGenerator rightWatermarks,
        final int leftRecordLength,
        final int rightRecordLength,
        final JoinResultHandler resultHandler,
        final JoinLateEventHandler lateEventHandler,
        final int expectedRecords,
        final int evictionSlice)
    {
        this.type = type;
        this.evictionSlice = evictionSlice;
        this.lower = lower;
        this.upper = upper;
        this.allowedLateness = allowedLateness;
        this.watermarks = new WatermarkGenerator[] {leftWatermarks, rightWatermarks};
        // A key holds several records of each side at once; the index grows if keys are more.
        this.keyIndex = new JoinKeyIndex(Math.max(16, expectedRecords / KEY_INDEX_RECORDS_PER_KEY));
        this.sides = new IntervalJoinSide[] {
            new IntervalJoinSide(leftRecordLength, expectedRecords, keyIndex, LEFT),
            new IntervalJoinSide(rightRecordLength, expectedRecords, keyIndex, RIGHT)};
        this.resultHandler = resultHandler;
        this.lateEventHandler = lateEventHandler;
        this.nulls = new UnsafeBuffer(new byte[Math.max(8, Math.max(leftRecordLength, rightRecordLength))]);
        this.completions = new CompletionQueue(new CompletionQueue.Entries()
        {
            @Override
            public long completion(final int entry)
            {
                return IntervalJoinOperator.this.completion(entry & 1, sides[entry & 1].timestamp(entry >>> 1));
            }

            @Override
            public long sequence(final int entry)
            {
                return sides[entry & 1].sequence(entry >>> 1);
            }
        }, Math.min(Math.max(0, upper - lower) + Math.max(0, allowedLateness), CompletionQueue.MAX_BUCKETS), expectedRecords * 2);
    }

    /**
     * Process one left event.
     *
     * @param key       of the event.
     * @param timestamp event time of the event.
     * @param buffer    holding the event's record (the left record length), read during the call.
     * @param offset    of the record in the buffer.
     */
    public void onLeft(final long key, final long timestamp, final DirectBuffer buffer, final int offset)
    {
        onEvent(LEFT, key, timestamp, buffer, offset);
    }

    /**
     * Process one right event.
     *
     * @param key       of the event.
     * @param timestamp event time of the event.
     * @param buffer    holding the event's record (the right record length), read during the call.
     * @param offset    of the record in the buffer.
     */
    public void onRight(final long key, final long timestamp, final DirectBuffer buffer, final int offset)
    {
        onEvent(RIGHT, key, timestamp, buffer, offset);
    }

    /**
     * A hint that events of these keys come next: loads each key's entry in the key index, one independent load per
     * key in a short loop, so that the cache misses of many events overlap instead of coming one per event. Changes
     * nothing. (Loading more ahead, the chains' heads, the own chain's tail and the partner chain's records, measured
     * slower: the loop's instructions and branches cost more than the misses it overlapped.)
     *
     * @param keys of the coming events.
     * @param from first index in {@code keys}.
     * @param to   one past the last.
     * @return a value depending on what was loaded, for the caller to keep (so that the loads are not dropped).
     */
    public long prefetch(final long[] keys, final int from, final int to)
    {
        return keyIndex.touch(keys, from, to);
    }

    /**
     * Pass a journaled processing-time tick to both sides' watermark generators (idle detection)
     * and emit whatever became complete.
     *
     * @param processingTime journaled processing timestamp, non-decreasing.
     */
    public void onProcessingTime(final long processingTime)
    {
        // One slice, like an event: a tick that leaves eviction pending is followed by a journaled
        // continuation tick, so the rest comes slice by slice without waiting for events.
        watermarks[LEFT].onProcessingTime(processingTime);
        watermarks[RIGHT].onProcessingTime(processingTime);
        evict(evictionSlice);
    }

    /**
     * Whether complete records are still waiting to be evicted (and the unmatched ones emitted
     * null-padded) in slices: the engine then journals another tick for the partition.
     *
     * @return true while the oldest buffered record is complete at the watermark.
     */
    public boolean evictionPending()
    {
        return completions.hasCompleteBy(watermark());
    }

    /**
     * Advance one side's watermark explicitly (idle source, upstream watermark); values below it are
     * ignored.
     *
     * @param side      {@link JoinResultHandler#LEFT} or {@link JoinResultHandler#RIGHT}.
     * @param watermark to advance that side to.
     */
    public void advanceWatermarkTo(final int side, final long watermark)
    {
        watermarks[side].advanceTo(watermark);
        evict(ALL);
    }

    /**
     * End of both bounded inputs: the watermark moves to {@link Long#MAX_VALUE}, every pending
     * unmatched row is emitted and all state is released.
     */
    public void endOfInput()
    {
        watermarks[LEFT].endOfInput();
        watermarks[RIGHT].endOfInput();
        evict(ALL);
    }

    /**
     * The operator's watermark, the minimum of both sides'.
     *
     * @return the watermark, {@link Long#MIN_VALUE} until both sides have one.
     */
    public long watermark()
    {
        return Math.min(watermarks[LEFT].watermark(), watermarks[RIGHT].watermark());
    }

    /**
     * Records buffered on one side.
     *
     * @param side {@link JoinResultHandler#LEFT} or {@link JoinResultHandler#RIGHT}.
     * @return the number of records held for that side.
     */
    public int stateEntries(final int side)
    {
        return sides[side].size();
    }

    @Override
    public int stateEntries()
    {
        return sides[LEFT].size() + sides[RIGHT].size();
    }

    @Override
    public long stateBytes()
    {
        return (long)sides[LEFT].size() * sides[LEFT].recordLength() +
            (long)sides[RIGHT].size() * sides[RIGHT].recordLength();
    }

    @Override
    public long matches()
    {
        return matches;
    }

    @Override
    public long unmatchedEmitted()
    {
        return unmatchedEmitted;
    }

    @Override
    public long lateEvents()
    {
        return lateEvents;
    }

    private void onEvent(final int side, final long key, final long timestamp, final DirectBuffer buffer, final int offset)
    {
        final long watermark = watermark();
        if (watermark != NO_WATERMARK && timestamp + allowedLateness <= watermark)
        {
            lateEvents++;
            lateEventHandler.onLateEvent(side, key, timestamp, watermark, buffer, offset);
        }
        else
        {
            final int position = keyIndex.findOrAdd(key);
            final boolean matched = probe(side, position, key, timestamp, buffer, offset);
            final long sequence = nextSequence++;
            final long completion = completion(side, timestamp);
            if (watermark != NO_WATERMARK && completion <= watermark)
            {
                if (!matched && type.keeps(side))
                {
                    emitUnmatched(side, key, timestamp, buffer, offset);
                }
            }
            else
            {
                final int slot = sides[side].insertAt(position, key, timestamp, sequence, matched, buffer, offset);
                completions.push((slot << 1) | side, completion, sequence);
            }
        }
        watermarks[side].onEvent(timestamp);
        evict(evictionSlice);
    }

    private boolean probe(
        final int side, final int position, final long key, final long timestamp, final DirectBuffer buffer, final int offset)
    {
        final IntervalJoinSide other = sides[side ^ 1];
        final int head = other.headAt(position);
        if (head == IntervalJoinSide.NONE)
        {
            return false;
        }
        // Partner window: rights in [t + lower, t + upper] for a left; lefts in [t - upper, t - lower] for a right.
        final long from = side == LEFT ? timestamp + lower : timestamp - upper;
        final long to = side == LEFT ? timestamp + upper : timestamp - lower;
        boolean matched = false;
        for (int slot = head; slot != IntervalJoinSide.NONE; slot = other.after(slot, head))
        {
            final long otherTimestamp = other.timestamp(slot);
            if (otherTimestamp >= from && otherTimestamp <= to)
            {
                matched = true;
                other.markMatched(slot);
                matches++;
                final long rowTimestamp = Math.max(timestamp, otherTimestamp);
                if (side == LEFT)
                {
                    resultHandler.onJoin(key, rowTimestamp, JoinResultHandler.MATCH,
                        buffer, offset, other.buffer(), other.offsetOf(slot));
                }
                else
                {
                    resultHandler.onJoin(key, rowTimestamp, JoinResultHandler.MATCH,
                        other.buffer(), other.offsetOf(slot), buffer, offset);
                }
            }
        }
        return matched;
    }

    private long completion(final int side, final long timestamp)
    {
        return (side == LEFT ? timestamp + upper : timestamp - lower) + allowedLateness;
    }

    private void emitUnmatched(final int side, final long key, final long timestamp, final DirectBuffer buffer, final int offset)
    {
        unmatchedEmitted++;
        if (side == LEFT)
        {
            resultHandler.onJoin(key, timestamp, JoinResultHandler.RIGHT_NULL, buffer, offset, nulls, 0);
        }
        else
        {
            resultHandler.onJoin(key, timestamp, JoinResultHandler.LEFT_NULL, nulls, 0, buffer, offset);
        }
    }

    /**
     * Evict up to {@code maxRecords} complete records, in (completion, arrival sequence) order,
     * emitting the unmatched ones null-padded. Records left complete but not yet evicted cannot
     * match any event that is not late (its partner window ends before the watermark), so
     * spreading eviction over the following events changes no result, only when it is emitted.
     */
    private void evict(final int maxRecords)
    {
        final long watermark = watermark();
        for (int budget = maxRecords; budget > 0; budget--)
        {
            final int entry = completions.pollCompleteBy(watermark);
            if (entry == CompletionQueue.NONE)
            {
                return;
            }
            final int side = entry & 1;
            final int slot = entry >>> 1;
            final IntervalJoinSide records = sides[side];
            if (!records.matched(slot) && type.keeps(side))
            {
                emitUnmatched(side, records.key(slot), records.timestamp(slot), records.buffer(), records.offsetOf(slot));
            }
            records.remove(slot);
        }
    }

    @Override
    public int snapshotLength()
    {
        return HEADER_LENGTH + watermarks[LEFT].snapshotLength() + watermarks[RIGHT].snapshotLength() +
            sides[LEFT].size() * (RECORD_HEADER_LENGTH + sides[LEFT].recordLength()) +
            sides[RIGHT].size() * (RECORD_HEADER_LENGTH + sides[RIGHT].recordLength());
    }

    @Override
    public int snapshotTo(final MutableDirectBuffer buffer, final int offset)
    {
        final int length = beginSnapshot(buffer, offset);
        continueSnapshot(ALL);
        return length;
    }

    /**
     * Writes the header, counters and watermark states now and fixes the image of both sides'
     * records, which follow in {@link #continueSnapshot} slices or before they change.
     */
    @Override
    public int beginSnapshot(final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putInt(offset + MAGIC_OFFSET, MAGIC, ORDER);
        buffer.putInt(offset + VERSION_OFFSET, VERSION, ORDER);
        buffer.putInt(offset + TYPE_OFFSET, type.ordinal(), ORDER);
        buffer.putInt(offset + LEFT_LENGTH_OFFSET, sides[LEFT].recordLength(), ORDER);
        buffer.putInt(offset + RIGHT_LENGTH_OFFSET, sides[RIGHT].recordLength(), ORDER);
        buffer.putInt(offset + LEFT_COUNT_OFFSET, sides[LEFT].size(), ORDER);
        buffer.putInt(offset + RIGHT_COUNT_OFFSET, sides[RIGHT].size(), ORDER);
        buffer.putInt(offset + RIGHT_COUNT_OFFSET + 4, 0, ORDER);
        buffer.putLong(offset + LOWER_OFFSET, lower, ORDER);
        buffer.putLong(offset + UPPER_OFFSET, upper, ORDER);
        buffer.putLong(offset + LATENESS_OFFSET, allowedLateness, ORDER);
        buffer.putLong(offset + SEQUENCE_OFFSET, nextSequence, ORDER);
        buffer.putLong(offset + LATE_OFFSET, lateEvents, ORDER);
        buffer.putLong(offset + MATCHES_OFFSET, matches, ORDER);
        buffer.putLong(offset + UNMATCHED_OFFSET, unmatchedEmitted, ORDER);
        int cursor = offset + HEADER_LENGTH;
        cursor += watermarks[LEFT].snapshotTo(buffer, cursor);
        cursor += watermarks[RIGHT].snapshotTo(buffer, cursor);
        cursor += sides[LEFT].beginSnapshot(buffer, cursor);
        cursor += sides[RIGHT].beginSnapshot(buffer, cursor);
        return cursor - offset;
    }

    @Override
    public boolean continueSnapshot(final int budget)
    {
        return sides[LEFT].copySlice(budget) && sides[RIGHT].copySlice(budget);
    }

    @Override
    public int restoreFrom(final DirectBuffer buffer, final int offset)
    {
        if (buffer.getInt(offset + MAGIC_OFFSET, ORDER) != MAGIC ||
            buffer.getInt(offset + VERSION_OFFSET, ORDER) != VERSION)
        {
            throw new IllegalStateException("not an interval join snapshot of version " + VERSION);
        }
        if (buffer.getInt(offset + TYPE_OFFSET, ORDER) != type.ordinal() ||
            buffer.getInt(offset + LEFT_LENGTH_OFFSET, ORDER) != sides[LEFT].recordLength() ||
            buffer.getInt(offset + RIGHT_LENGTH_OFFSET, ORDER) != sides[RIGHT].recordLength() ||
            buffer.getLong(offset + LOWER_OFFSET, ORDER) != lower ||
            buffer.getLong(offset + UPPER_OFFSET, ORDER) != upper ||
            buffer.getLong(offset + LATENESS_OFFSET, ORDER) != allowedLateness)
        {
            throw new IllegalStateException("snapshot was written by a differently configured interval join");
        }
        final int leftCount = buffer.getInt(offset + LEFT_COUNT_OFFSET, ORDER);
        final int rightCount = buffer.getInt(offset + RIGHT_COUNT_OFFSET, ORDER);
        nextSequence = buffer.getLong(offset + SEQUENCE_OFFSET, ORDER);
        lateEvents = buffer.getLong(offset + LATE_OFFSET, ORDER);
        matches = buffer.getLong(offset + MATCHES_OFFSET, ORDER);
        unmatchedEmitted = buffer.getLong(offset + UNMATCHED_OFFSET, ORDER);
        int cursor = offset + HEADER_LENGTH;
        cursor += watermarks[LEFT].restoreFrom(buffer, cursor);
        cursor += watermarks[RIGHT].restoreFrom(buffer, cursor);
        completions.clear();
        keyIndex.clear();
        sides[LEFT].clear();
        sides[RIGHT].clear();
        final int[] restored = new int[leftCount + rightCount];
        cursor = readRecords(LEFT, leftCount, buffer, cursor, restored, 0);
        cursor = readRecords(RIGHT, rightCount, buffer, cursor, restored, leftCount);
        completions.pushRestored(restored, restored.length);
        return cursor - offset;
    }

    private int readRecords(
        final int side, final int count, final DirectBuffer buffer, final int start, final int[] restored, final int first)
    {
        final IntervalJoinSide records = sides[side];
        int cursor = start;
        for (int i = 0; i < count; i++)
        {
            final int slot = records.insertBySequence(
                buffer.getLong(cursor + RECORD_KEY_OFFSET, ORDER),
                buffer.getLong(cursor + RECORD_TIMESTAMP_OFFSET, ORDER),
                buffer.getLong(cursor + RECORD_SEQUENCE_OFFSET, ORDER),
                buffer.getInt(cursor + RECORD_MATCHED_OFFSET, ORDER) != 0,
                buffer,
                cursor + RECORD_HEADER_LENGTH);
            restored[first + i] = (slot << 1) | side;
            cursor += RECORD_HEADER_LENGTH + records.recordLength();
        }
        return cursor;
    }
}
