package io.sluice.engine.join;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Keyed stream-table join: each stream event (left) is enriched with the table's (right) value
 * for its key. Built by {@link JoinOperatorContext#buildStreamTableJoin()}.
 * <p>
 * <b>Which value.</b> In latest mode the table value is the one current at the event's position
 * in the processed (journaled) order: table updates processed before the event are visible,
 * later ones are not, whatever their timestamps. In versioned mode it is the newest version with
 * timestamp at or before the event's timestamp, from a history of at most
 * {@code versions} per key (see {@link KeyedTable}): beyond that history the value is treated as
 * absent and counted by {@link #historyMisses()}. Table updates never emit anything (a
 * stream-table join is driven by the stream, as in Kafka Streams).
 * <p>
 * <b>Output,</b> emitted synchronously, one row per stream event at most: timestamp = the stream
 * event's timestamp; {@link JoinResultHandler#MATCH} with the table value, or for a
 * {@link JoinType#LEFT} join {@link JoinResultHandler#RIGHT_NULL} with zeros when there is no
 * value. An {@link JoinType#INNER} join emits nothing then and counts
 * {@link #unmatchedDropped()}.
 * <p>
 * Snapshot layout (little endian), followed by the table's snapshot (see {@link KeyedTable}):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Magic 'SLST'                           |
 *  +---------------------------------------------------------------+
 *  |                     Join Type (ordinal)                       |
 *  +---------------------------------------------------------------+
 *  |                    Stream Record Length                       |
 *  +---------------------------------------------------------------+
 *  |                         Reserved                              |
 *  +---------------------------------------------------------------+
 *  |                     Matches (64 bits)                         |
 *  +---------------------------------------------------------------+
 *  |                Unmatched Emitted (64 bits)                    |
 *  +---------------------------------------------------------------+
 *  |                Unmatched Dropped (64 bits)                    |
 *  +---------------------------------------------------------------+
 *  |                Table snapshot (KeyedTable)                   ...
 *  +---------------------------------------------------------------+
 * </pre>
 * <b>Zero allocation</b> once the table has grown to its key set. <b>Threading:</b> single writer,
 * the partition thread.
 */
public final class StreamTableJoinOperator implements JoinOperator
{
    static final int MAGIC = 0x54534C53;
    static final int MAGIC_OFFSET = 0;
    static final int TYPE_OFFSET = 4;
    static final int STREAM_LENGTH_OFFSET = 8;
    static final int MATCHES_OFFSET = 16;
    static final int UNMATCHED_OFFSET = 24;
    static final int DROPPED_OFFSET = 32;
    static final int HEADER_LENGTH = 40;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final JoinType type;
    private final int streamRecordLength;
    private final boolean versioned;
    private final KeyedTable table;
    private final JoinResultHandler resultHandler;
    private final UnsafeBuffer nulls;
    private long matches;
    private long unmatchedEmitted;
    private long unmatchedDropped;

    StreamTableJoinOperator(
        final JoinType type,
        final int streamRecordLength,
        final int tableValueLength,
        final int versions,
        final JoinResultHandler resultHandler,
        final int expectedKeys)
    {
        this.type = type;
        this.streamRecordLength = streamRecordLength;
        this.versioned = versions > 0;
        this.table = new KeyedTable(tableValueLength, Math.max(1, versions), versioned, expectedKeys);
        this.resultHandler = resultHandler;
        this.nulls = new UnsafeBuffer(new byte[Math.max(8, tableValueLength)]);
    }

    /**
     * Apply a table upsert (insert or update of the key's value).
     *
     * @param key       of the row.
     * @param timestamp of the update (its version time in versioned mode).
     * @param buffer    holding the value (the table value length), copied during the call.
     * @param offset    of the value in the buffer.
     */
    public void onTableUpsert(final long key, final long timestamp, final DirectBuffer buffer, final int offset)
    {
        table.upsert(key, timestamp, buffer, offset);
    }

    /**
     * Apply a table delete (tombstone).
     *
     * @param key       of the row.
     * @param timestamp of the delete (its version time in versioned mode).
     */
    public void onTableDelete(final long key, final long timestamp)
    {
        table.delete(key, timestamp);
    }

    /**
     * Process one stream event, emitting its enriched row.
     *
     * @param key       of the event.
     * @param timestamp of the event.
     * @param buffer    holding the event's record (the stream record length).
     * @param offset    of the record in the buffer.
     */
    public void onStreamEvent(final long key, final long timestamp, final DirectBuffer buffer, final int offset)
    {
        final int version = versioned ? table.asOf(key, timestamp) : table.current(key);
        if (version != KeyedTable.MISSING)
        {
            matches++;
            resultHandler.onJoin(key, timestamp, JoinResultHandler.MATCH,
                buffer, offset, table.values(), table.valueOffset(version));
        }
        else if (type == JoinType.LEFT)
        {
            unmatchedEmitted++;
            resultHandler.onJoin(key, timestamp, JoinResultHandler.RIGHT_NULL, buffer, offset, nulls, 0);
        }
        else
        {
            unmatchedDropped++;
        }
    }

    /**
     * Stream events of an inner join dropped because the table had no value for them.
     *
     * @return the count of dropped events.
     */
    public long unmatchedDropped()
    {
        return unmatchedDropped;
    }

    /**
     * Versioned lookups that fell before the retained history of their key.
     *
     * @return the count of history misses, 0 in latest mode.
     */
    public long historyMisses()
    {
        return table.historyMisses();
    }

    /**
     * Table versions discarded because their key already held the maximum number of versions.
     *
     * @return the count of discarded versions, 0 in latest mode.
     */
    public long versionsDropped()
    {
        return table.versionsDropped();
    }

    /**
     * Keys held by the table.
     *
     * @return the number of keys.
     */
    public int tableKeys()
    {
        return table.rows();
    }

    @Override
    public int stateEntries()
    {
        return table.versionsHeld();
    }

    @Override
    public long stateBytes()
    {
        return (long)table.versionsHeld() * table.valueLength();
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
        return HEADER_LENGTH + table.snapshotLength();
    }

    @Override
    public int snapshotTo(final MutableDirectBuffer buffer, final int offset)
    {
        final int length = beginSnapshot(buffer, offset);
        continueSnapshot(Integer.MAX_VALUE);
        return length;
    }

    /**
     * Writes the header and the table's header now; the table's rows follow in
     * {@link #continueSnapshot} slices or before they change (see {@link KeyedTable}).
     */
    @Override
    public int beginSnapshot(final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putInt(offset + MAGIC_OFFSET, MAGIC, ORDER);
        buffer.putInt(offset + TYPE_OFFSET, type.ordinal(), ORDER);
        buffer.putInt(offset + STREAM_LENGTH_OFFSET, streamRecordLength, ORDER);
        buffer.putInt(offset + STREAM_LENGTH_OFFSET + 4, 0, ORDER);
        buffer.putLong(offset + MATCHES_OFFSET, matches, ORDER);
        buffer.putLong(offset + UNMATCHED_OFFSET, unmatchedEmitted, ORDER);
        buffer.putLong(offset + DROPPED_OFFSET, unmatchedDropped, ORDER);
        return HEADER_LENGTH + table.beginSnapshot(buffer, offset + HEADER_LENGTH);
    }

    @Override
    public boolean continueSnapshot(final int budget)
    {
        return table.copySlice(budget);
    }

    @Override
    public int restoreFrom(final DirectBuffer buffer, final int offset)
    {
        if (buffer.getInt(offset + MAGIC_OFFSET, ORDER) != MAGIC ||
            buffer.getInt(offset + TYPE_OFFSET, ORDER) != type.ordinal() ||
            buffer.getInt(offset + STREAM_LENGTH_OFFSET, ORDER) != streamRecordLength)
        {
            throw new IllegalStateException("snapshot was not written by a " + type + " stream-table join of stream " +
                "record length " + streamRecordLength);
        }
        matches = buffer.getLong(offset + MATCHES_OFFSET, ORDER);
        unmatchedEmitted = buffer.getLong(offset + UNMATCHED_OFFSET, ORDER);
        unmatchedDropped = buffer.getLong(offset + DROPPED_OFFSET, ORDER);
        return HEADER_LENGTH + table.restoreFrom(buffer, offset + HEADER_LENGTH);
    }
}
