package io.sluice.engine.join;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Keyed table-table join over two changelogs, following Kafka Streams' KTable-KTable join
 * semantics. Built by {@link JoinOperatorContext#buildTableTableJoin()}.
 * <p>
 * <b>Rule.</b> For a key, the joined row <i>exists</i> when both sides have a value, or only the
 * left and the type keeps the left ({@link JoinType#LEFT}, {@link JoinType#OUTER}), or only the
 * right and the type keeps the right ({@link JoinType#RIGHT}, {@link JoinType#OUTER}). After each
 * update on either side the operator emits, synchronously:
 * <ul>
 *   <li>the joined row, if it exists now (the absent side null-padded and flagged): every
 *       upsert re-emits the updated row, even with an unchanged value;</li>
 *   <li>else a {@link JoinResultHandler#TOMBSTONE}, if the row existed before the update;</li>
 *   <li>else nothing.</li>
 * </ul>
 * A delete of a key the side does not hold changes nothing and emits nothing. This reproduces
 * Kafka: an inner join emits a tombstone when a side of a matched key is deleted and nothing when
 * the other side is absent; a left join emits {@code (left, null)} when the right is deleted and a
 * tombstone when the left is; an outer join emits the surviving side null-padded, or a tombstone
 * when the last side goes.
 * <p>
 * <b>Timestamp:</b> {@code max(update timestamp, other side's value timestamp)} when the other
 * side has a value, else the update's timestamp (as Kafka).
 * <p>
 * Snapshot layout (little endian), followed by the left and then the right table's snapshot (see
 * {@link KeyedTable}):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Magic 'SLTT'                           |
 *  +---------------------------------------------------------------+
 *  |                     Join Type (ordinal)                       |
 *  +---------------------------------------------------------------+
 *  |                     Matches (64 bits)                         |
 *  +---------------------------------------------------------------+
 *  |                Unmatched Emitted (64 bits)                    |
 *  +---------------------------------------------------------------+
 *  |                   Tombstones (64 bits)                        |
 *  +---------------------------------------------------------------+
 *  |                Left table snapshot (KeyedTable)              ...
 *  +---------------------------------------------------------------+
 *  |               Right table snapshot (KeyedTable)              ...
 *  +---------------------------------------------------------------+
 * </pre>
 * <b>Zero allocation</b> once the tables have grown to their key sets. <b>Threading:</b> single
 * writer, the partition thread.
 */
public final class TableTableJoinOperator implements JoinOperator
{
    static final int MAGIC = 0x54544C53;
    static final int MAGIC_OFFSET = 0;
    static final int TYPE_OFFSET = 4;
    static final int MATCHES_OFFSET = 8;
    static final int UNMATCHED_OFFSET = 16;
    static final int TOMBSTONES_OFFSET = 24;
    static final int HEADER_LENGTH = 32;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int LEFT = JoinResultHandler.LEFT;

    private final JoinType type;
    private final KeyedTable[] tables;
    private final JoinResultHandler resultHandler;
    private final UnsafeBuffer nulls;
    private long matches;
    private long unmatchedEmitted;
    private long tombstones;

    TableTableJoinOperator(
        final JoinType type,
        final int leftValueLength,
        final int rightValueLength,
        final JoinResultHandler resultHandler,
        final int expectedKeys)
    {
        this.type = type;
        this.tables = new KeyedTable[] {
            new KeyedTable(leftValueLength, 1, false, expectedKeys),
            new KeyedTable(rightValueLength, 1, false, expectedKeys)};
        this.resultHandler = resultHandler;
        this.nulls = new UnsafeBuffer(new byte[Math.max(8, Math.max(leftValueLength, rightValueLength))]);
    }

    /**
     * Apply an upsert to the left table and emit the key's joined row.
     *
     * @param key       of the row.
     * @param timestamp of the update.
     * @param buffer    holding the value (the left value length), copied during the call.
     * @param offset    of the value in the buffer.
     */
    public void onLeftUpsert(final long key, final long timestamp, final DirectBuffer buffer, final int offset)
    {
        onUpdate(LEFT, key, timestamp, tables[LEFT].upsert(key, timestamp, buffer, offset));
    }

    /**
     * Apply a delete to the left table and emit what it changes.
     *
     * @param key       of the row.
     * @param timestamp of the delete.
     */
    public void onLeftDelete(final long key, final long timestamp)
    {
        if (tables[LEFT].delete(key, timestamp))
        {
            onUpdate(LEFT, key, timestamp, true);
        }
    }

    /**
     * Apply an upsert to the right table and emit the key's joined row.
     *
     * @param key       of the row.
     * @param timestamp of the update.
     * @param buffer    holding the value (the right value length), copied during the call.
     * @param offset    of the value in the buffer.
     */
    public void onRightUpsert(final long key, final long timestamp, final DirectBuffer buffer, final int offset)
    {
        onUpdate(JoinResultHandler.RIGHT, key, timestamp,
            tables[JoinResultHandler.RIGHT].upsert(key, timestamp, buffer, offset));
    }

    /**
     * Apply a delete to the right table and emit what it changes.
     *
     * @param key       of the row.
     * @param timestamp of the delete.
     */
    public void onRightDelete(final long key, final long timestamp)
    {
        if (tables[JoinResultHandler.RIGHT].delete(key, timestamp))
        {
            onUpdate(JoinResultHandler.RIGHT, key, timestamp, true);
        }
    }

    private void onUpdate(final int side, final long key, final long timestamp, final boolean existedBefore)
    {
        final KeyedTable own = tables[side];
        final KeyedTable other = tables[side ^ 1];
        final int ownVersion = own.current(key);
        final int otherVersion = other.current(key);
        final boolean ownPresent = ownVersion != KeyedTable.MISSING;
        final boolean otherPresent = otherVersion != KeyedTable.MISSING;
        final boolean rowNow = exists(side, ownPresent, otherPresent);
        final boolean rowBefore = exists(side, existedBefore, otherPresent);
        final long rowTimestamp = otherPresent ? Math.max(timestamp, other.timestamp(otherVersion)) : timestamp;
        final int leftVersion = side == LEFT ? ownVersion : otherVersion;
        final int rightVersion = side == LEFT ? otherVersion : ownVersion;

        if (rowNow)
        {
            int flags = JoinResultHandler.MATCH;
            if (leftVersion == KeyedTable.MISSING)
            {
                flags |= JoinResultHandler.LEFT_NULL;
            }
            if (rightVersion == KeyedTable.MISSING)
            {
                flags |= JoinResultHandler.RIGHT_NULL;
            }
            if (flags == JoinResultHandler.MATCH)
            {
                matches++;
            }
            else
            {
                unmatchedEmitted++;
            }
            final KeyedTable left = tables[LEFT];
            final KeyedTable right = tables[JoinResultHandler.RIGHT];
            resultHandler.onJoin(key, rowTimestamp, flags,
                leftVersion == KeyedTable.MISSING ? nulls : left.values(),
                leftVersion == KeyedTable.MISSING ? 0 : left.valueOffset(leftVersion),
                rightVersion == KeyedTable.MISSING ? nulls : right.values(),
                rightVersion == KeyedTable.MISSING ? 0 : right.valueOffset(rightVersion));
        }
        else if (rowBefore)
        {
            tombstones++;
            resultHandler.onJoin(key, rowTimestamp, JoinResultHandler.TOMBSTONE, nulls, 0, nulls, 0);
        }
    }

    private boolean exists(final int side, final boolean ownPresent, final boolean otherPresent)
    {
        return (ownPresent && otherPresent) ||
            (ownPresent && type.keeps(side)) ||
            (otherPresent && type.keeps(side ^ 1));
    }

    /**
     * Tombstones emitted.
     *
     * @return the count of tombstones.
     */
    public long tombstones()
    {
        return tombstones;
    }

    /**
     * Keys held by one side's table.
     *
     * @param side {@link JoinResultHandler#LEFT} or {@link JoinResultHandler#RIGHT}.
     * @return the number of keys with a value on that side.
     */
    public int tableKeys(final int side)
    {
        return tables[side].rows();
    }

    @Override
    public int stateEntries()
    {
        return tables[LEFT].rows() + tables[JoinResultHandler.RIGHT].rows();
    }

    @Override
    public long stateBytes()
    {
        return (long)tables[LEFT].rows() * tables[LEFT].valueLength() +
            (long)tables[JoinResultHandler.RIGHT].rows() * tables[JoinResultHandler.RIGHT].valueLength();
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
        return 0;
    }

    @Override
    public int snapshotLength()
    {
        return HEADER_LENGTH + tables[LEFT].snapshotLength() + tables[JoinResultHandler.RIGHT].snapshotLength();
    }

    @Override
    public int snapshotTo(final MutableDirectBuffer buffer, final int offset)
    {
        final int length = beginSnapshot(buffer, offset);
        continueSnapshot(Integer.MAX_VALUE);
        return length;
    }

    /**
     * Writes the header and both tables' headers now; the tables' rows follow in
     * {@link #continueSnapshot} slices or before they change (see {@link KeyedTable}).
     */
    @Override
    public int beginSnapshot(final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putInt(offset + MAGIC_OFFSET, MAGIC, ORDER);
        buffer.putInt(offset + TYPE_OFFSET, type.ordinal(), ORDER);
        buffer.putLong(offset + MATCHES_OFFSET, matches, ORDER);
        buffer.putLong(offset + UNMATCHED_OFFSET, unmatchedEmitted, ORDER);
        buffer.putLong(offset + TOMBSTONES_OFFSET, tombstones, ORDER);
        int cursor = offset + HEADER_LENGTH;
        cursor += tables[LEFT].beginSnapshot(buffer, cursor);
        cursor += tables[JoinResultHandler.RIGHT].beginSnapshot(buffer, cursor);
        return cursor - offset;
    }

    @Override
    public boolean continueSnapshot(final int budget)
    {
        return tables[LEFT].copySlice(budget) && tables[JoinResultHandler.RIGHT].copySlice(budget);
    }

    @Override
    public int restoreFrom(final DirectBuffer buffer, final int offset)
    {
        if (buffer.getInt(offset + MAGIC_OFFSET, ORDER) != MAGIC ||
            buffer.getInt(offset + TYPE_OFFSET, ORDER) != type.ordinal())
        {
            throw new IllegalStateException("snapshot was not written by a " + type + " table-table join");
        }
        matches = buffer.getLong(offset + MATCHES_OFFSET, ORDER);
        unmatchedEmitted = buffer.getLong(offset + UNMATCHED_OFFSET, ORDER);
        tombstones = buffer.getLong(offset + TOMBSTONES_OFFSET, ORDER);
        int cursor = offset + HEADER_LENGTH;
        cursor += tables[LEFT].restoreFrom(buffer, cursor);
        cursor += tables[JoinResultHandler.RIGHT].restoreFrom(buffer, cursor);
        return cursor - offset;
    }
}
