package io.sluice.engine.join;

import java.nio.ByteOrder;
import java.util.Arrays;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2LongHashMap;

import io.sluice.engine.state.CopyOnWriteRows;

/**
 * Compacted view of a keyed changelog: key to fixed-length value bytes, in primitive arrays and an
 * off-heap {@link RecordArena}; no object per key or update.
 * <p>
 * Each key owns a row of {@code versions} version slots ({@code row * versions + i}), kept in
 * ascending timestamp order, each with a timestamp, a tombstone flag and value bytes.
 * <ul>
 *   <li><b>Latest</b> mode ({@code versioned == false}, one slot): an upsert overwrites the row, a
 *       delete frees it. "Current" is the last update in processing order, whatever its
 *       timestamp.</li>
 *   <li><b>Versioned</b> mode: an update inserts a version at its timestamp (an equal timestamp
 *       replaces that version: the later update in processing order wins); a delete inserts a
 *       tombstone version. At most {@code versions} are kept per key: when full, the oldest is
 *       dropped and the row is marked truncated; an update older than every retained version of a
 *       full row is dropped the same way. A lookup as of a time before the oldest retained
 *       version of a truncated row cannot be answered; it returns {@link #MISSING} and counts a
 *       {@link #historyMisses() history miss} (as Kafka Streams' versioned stores return null
 *       beyond their history retention).</li>
 * </ul>
 * Not thread safe: single writer, the operator thread.
 * <p>
 * Snapshot layout (little endian), followed by {@code Row Count} rows:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Magic 'SLKT'                           |
 *  +---------------------------------------------------------------+
 *  |                        Value Length                           |
 *  +---------------------------------------------------------------+
 *  |                   Versions Per Key (1 = latest)               |
 *  +---------------------------------------------------------------+
 *  |                         Row Count                             |
 *  +---------------------------------------------------------------+
 *  |                  Versions Dropped (64 bits)                   |
 *  +---------------------------------------------------------------+
 *  |                   History Misses (64 bits)                    |
 *  +---------------------------------------------------------------+
 *  |                     Row: Key (64 bits)                        |
 *  +---------------------------------------------------------------+
 *  |                    Row: Version Count                         |
 *  +---------------------------------------------------------------+
 *  |                  Row: Truncated (0 or 1)                      |
 *  +---------------------------------------------------------------+
 *  |              Version: Timestamp (64 bits)                     |
 *  +---------------------------------------------------------------+
 *  |              Version: Tombstone (0 or 1)                      |
 *  +---------------------------------------------------------------+
 *  |            Version: Value Bytes (Value Length)               ...
 *  +---------------------------------------------------------------+
 * </pre>
 * Versions of a row follow it in ascending timestamp order. Rows follow in no particular order: a
 * checkpoint copies them incrementally ({@link CopyOnWriteRows}), a row before it changes or is
 * freed, so the barrier costs O(1) whatever the table's size.
 */
final class KeyedTable
{
    static final int MISSING = -1;
    static final int MAGIC = 0x544B4C53;
    static final int MAGIC_OFFSET = 0;
    static final int VALUE_LENGTH_OFFSET = 4;
    static final int VERSIONS_OFFSET = 8;
    static final int ROW_COUNT_OFFSET = 12;
    static final int DROPPED_OFFSET = 16;
    static final int MISSES_OFFSET = 24;
    static final int HEADER_LENGTH = 32;
    static final int ROW_HEADER_LENGTH = 16;
    static final int VERSION_HEADER_LENGTH = 12;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final int valueLength;
    private final int versions;
    private final boolean versioned;
    private final Long2LongHashMap index;
    private final RecordArena values;
    private final CopyOnWriteRows snapshot;
    private long[] rowKeys;
    private int[] rowCounts;
    private boolean[] rowTruncated;
    private long[] versionTimestamps;
    private boolean[] tombstones;
    private int rowLimit;
    private int freeHead = MISSING;
    private int rows;
    private int versionsHeld;
    private long versionsDropped;
    private long historyMisses;

    KeyedTable(final int valueLength, final int versions, final boolean versioned, final int expectedKeys)
    {
        this.valueLength = valueLength;
        this.versions = versions;
        this.versioned = versioned;
        final int slots = Math.max(16, expectedKeys);
        index = new Long2LongHashMap(slots, 0.5f, MISSING);
        values = new RecordArena(valueLength, slots * versions);
        rowKeys = new long[slots];
        rowCounts = new int[slots];
        rowTruncated = new boolean[slots];
        versionTimestamps = new long[slots * versions];
        tombstones = new boolean[slots * versions];
        snapshot = new CopyOnWriteRows(this::writeRow, slots);
    }

    int valueLength()
    {
        return valueLength;
    }

    /**
     * Rows (keys) held, including keys whose newest version is a tombstone in versioned mode.
     */
    int rows()
    {
        return rows;
    }

    /**
     * Versions held, tombstones included; equals {@link #rows()} in latest mode.
     */
    int versionsHeld()
    {
        return versionsHeld;
    }

    long versionsDropped()
    {
        return versionsDropped;
    }

    long historyMisses()
    {
        return historyMisses;
    }

    DirectBuffer values()
    {
        return values.buffer();
    }

    int valueOffset(final int version)
    {
        return values.offsetOf(version);
    }

    long timestamp(final int version)
    {
        return versionTimestamps[version];
    }

    /**
     * The current value of a key: the newest version, unless it is a tombstone.
     *
     * @return the version slot, or {@link #MISSING}.
     */
    int current(final long key)
    {
        final int row = (int)index.get(key);
        if (row == MISSING)
        {
            return MISSING;
        }
        final int version = row * versions + rowCounts[row] - 1;
        return tombstones[version] ? MISSING : version;
    }

    /**
     * The value of a key as of a time: its newest version at or before {@code timestamp}.
     *
     * @return the version slot, or {@link #MISSING} if absent, deleted or beyond the history.
     */
    int asOf(final long key, final long timestamp)
    {
        final int row = (int)index.get(key);
        if (row == MISSING)
        {
            return MISSING;
        }
        final int base = row * versions;
        for (int version = base + rowCounts[row] - 1; version >= base; version--)
        {
            if (versionTimestamps[version] <= timestamp)
            {
                return tombstones[version] ? MISSING : version;
            }
        }
        if (rowTruncated[row])
        {
            historyMisses++;
        }
        return MISSING;
    }

    /**
     * Apply an upsert.
     *
     * @return whether the key had a current value before.
     */
    boolean upsert(final long key, final long timestamp, final DirectBuffer buffer, final int offset)
    {
        return update(key, timestamp, false, buffer, offset);
    }

    /**
     * Apply a delete.
     *
     * @return whether the key had a current value before.
     */
    boolean delete(final long key, final long timestamp)
    {
        if (!versioned)
        {
            final int row = (int)index.remove(key);
            if (row == MISSING)
            {
                return false;
            }
            snapshot.beforeFree(row);
            rowCounts[row] = freeHead;
            freeHead = row;
            rows--;
            versionsHeld--;
            return true;
        }
        return update(key, timestamp, true, null, 0);
    }

    private boolean update(
        final long key, final long timestamp, final boolean tombstone, final DirectBuffer buffer, final int offset)
    {
        int row = (int)index.get(key);
        final boolean existed;
        if (row == MISSING)
        {
            if (tombstone)
            {
                return false;
            }
            row = allocateRow(key);
            existed = false;
        }
        else
        {
            snapshot.beforeChange(row);
            existed = !tombstones[row * versions + rowCounts[row] - 1];
        }

        final int base = row * versions;
        final int count = rowCounts[row];
        if (!versioned)
        {
            rowCounts[row] = 1;
            if (count == 0)
            {
                versionsHeld++;
            }
            write(base, timestamp, false, buffer, offset);
            return existed;
        }

        int position = count;
        while (position > 0 && versionTimestamps[base + position - 1] > timestamp)
        {
            position--;
        }
        if (position > 0 && versionTimestamps[base + position - 1] == timestamp)
        {
            write(base + position - 1, timestamp, tombstone, buffer, offset);
            return existed;
        }
        if (count == versions)
        {
            versionsDropped++;
            rowTruncated[row] = true;
            if (position == 0)
            {
                return existed;
            }
            for (int i = 1; i < position; i++)
            {
                move(base + i, base + i - 1);
            }
            write(base + position - 1, timestamp, tombstone, buffer, offset);
            return existed;
        }
        for (int i = count; i > position; i--)
        {
            move(base + i - 1, base + i);
        }
        write(base + position, timestamp, tombstone, buffer, offset);
        rowCounts[row] = count + 1;
        versionsHeld++;
        return existed;
    }

    private void write(
        final int version, final long timestamp, final boolean tombstone, final DirectBuffer buffer, final int offset)
    {
        versionTimestamps[version] = timestamp;
        tombstones[version] = tombstone;
        if (tombstone)
        {
            values.buffer().setMemory(values.offsetOf(version), valueLength, (byte)0);
        }
        else
        {
            values.put(version, buffer, offset);
        }
    }

    private void move(final int from, final int to)
    {
        versionTimestamps[to] = versionTimestamps[from];
        tombstones[to] = tombstones[from];
        values.copy(from, to);
    }

    private int allocateRow(final long key)
    {
        int row;
        if (freeHead != MISSING)
        {
            row = freeHead;
            freeHead = rowCounts[row];
        }
        else
        {
            if (rowLimit == rowKeys.length)
            {
                final int capacity = rowLimit << 1;
                rowKeys = Arrays.copyOf(rowKeys, capacity);
                rowCounts = Arrays.copyOf(rowCounts, capacity);
                rowTruncated = Arrays.copyOf(rowTruncated, capacity);
                versionTimestamps = Arrays.copyOf(versionTimestamps, capacity * versions);
                tombstones = Arrays.copyOf(tombstones, capacity * versions);
                values.ensureCapacity(capacity * versions);
                snapshot.ensureCapacity(capacity);
            }
            row = rowLimit++;
        }
        rowKeys[row] = key;
        rowCounts[row] = 0;
        rowTruncated[row] = false;
        index.put(key, row);
        rows++;
        snapshot.created(row);
        return row;
    }

    int snapshotLength()
    {
        return HEADER_LENGTH + rows * ROW_HEADER_LENGTH + versionsHeld * (VERSION_HEADER_LENGTH + valueLength);
    }

    int snapshotTo(final MutableDirectBuffer buffer, final int offset)
    {
        final int length = beginSnapshot(buffer, offset);
        copySlice(Integer.MAX_VALUE);
        return length;
    }

    /**
     * Writes the header now and fixes the image of the rows, which follow in {@link #copySlice}
     * slices or before they change.
     *
     * @return the bytes the complete snapshot takes.
     */
    int beginSnapshot(final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putInt(offset + MAGIC_OFFSET, MAGIC, ORDER);
        buffer.putInt(offset + VALUE_LENGTH_OFFSET, valueLength, ORDER);
        buffer.putInt(offset + VERSIONS_OFFSET, versioned ? versions : 1, ORDER);
        buffer.putInt(offset + ROW_COUNT_OFFSET, rows, ORDER);
        buffer.putLong(offset + DROPPED_OFFSET, versionsDropped, ORDER);
        buffer.putLong(offset + MISSES_OFFSET, historyMisses, ORDER);
        final int length = snapshotLength();
        snapshot.begin(buffer, offset + HEADER_LENGTH, rowLimit, rows, length - HEADER_LENGTH);
        return length;
    }

    boolean copySlice(final int budget)
    {
        return snapshot.copySlice(budget);
    }

    private int writeRow(final int row, final MutableDirectBuffer buffer, final int offset)
    {
        final int count = rowCounts[row];
        buffer.putLong(offset, rowKeys[row], ORDER);
        buffer.putInt(offset + 8, count, ORDER);
        buffer.putInt(offset + 12, rowTruncated[row] ? 1 : 0, ORDER);
        int cursor = offset + ROW_HEADER_LENGTH;
        for (int version = row * versions, end = version + count; version < end; version++)
        {
            buffer.putLong(cursor, versionTimestamps[version], ORDER);
            buffer.putInt(cursor + 8, tombstones[version] ? 1 : 0, ORDER);
            buffer.putBytes(cursor + VERSION_HEADER_LENGTH, values.buffer(), values.offsetOf(version), valueLength);
            cursor += VERSION_HEADER_LENGTH + valueLength;
        }
        return cursor;
    }

    int restoreFrom(final DirectBuffer buffer, final int offset)
    {
        if (buffer.getInt(offset + MAGIC_OFFSET, ORDER) != MAGIC ||
            buffer.getInt(offset + VALUE_LENGTH_OFFSET, ORDER) != valueLength ||
            buffer.getInt(offset + VERSIONS_OFFSET, ORDER) != (versioned ? versions : 1))
        {
            throw new IllegalStateException("not a table snapshot of value length " + valueLength +
                " and " + versions + " versions per key");
        }
        snapshot.complete();
        index.clear();
        rowLimit = 0;
        freeHead = MISSING;
        rows = 0;
        versionsHeld = 0;
        final int rowCount = buffer.getInt(offset + ROW_COUNT_OFFSET, ORDER);
        versionsDropped = buffer.getLong(offset + DROPPED_OFFSET, ORDER);
        historyMisses = buffer.getLong(offset + MISSES_OFFSET, ORDER);
        int cursor = offset + HEADER_LENGTH;
        for (int i = 0; i < rowCount; i++)
        {
            final int row = allocateRow(buffer.getLong(cursor, ORDER));
            final int count = buffer.getInt(cursor + 8, ORDER);
            rowCounts[row] = count;
            rowTruncated[row] = buffer.getInt(cursor + 12, ORDER) != 0;
            cursor += ROW_HEADER_LENGTH;
            for (int version = row * versions, end = version + count; version < end; version++)
            {
                versionTimestamps[version] = buffer.getLong(cursor, ORDER);
                tombstones[version] = buffer.getInt(cursor + 8, ORDER) != 0;
                values.put(version, buffer, cursor + VERSION_HEADER_LENGTH);
                cursor += VERSION_HEADER_LENGTH + valueLength;
            }
            versionsHeld += count;
        }
        return cursor - offset;
    }
}
