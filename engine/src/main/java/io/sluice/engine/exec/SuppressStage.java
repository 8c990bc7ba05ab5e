package io.sluice.engine.exec;

import java.nio.ByteOrder;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.engine.pipeline.StageSpec;
import io.sluice.engine.state.CopyOnWriteRows;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Field;
import io.sluice.schema.Schema;

/**
 * Alert suppression per key, the stage before the sink ({@link StageSpec.SuppressSpec}):
 * <ul>
 *   <li>cooldown: an output of a key at event time t is passed on, and the key's next outputs are
 *       dropped until one has a time of at least t + cooldown (which is passed on and starts the next
 *       cooldown);</li>
 *   <li>on change: an output is passed on only if its compared bytes (every field but the ignored
 *       ones) differ from those of the last output passed on for its key.</li>
 * </ul>
 * The state is one row per key ever passed on, in slots allocated in first-output order. Rows are not
 * evicted: the state grows with the number of distinct keys that raised an output.
 *
 * <p>Snapshot layout (after the window and join state of the instance), all little-endian:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                        Magic 'SLSU'                           |  0
 *  +---------------------------------------------------------------+
 *  |                          Version (2)                          |  4
 *  +---------------------------------------------------------------+
 *  |                          Row Count                            |  8
 *  +---------------------------------------------------------------+
 *  |                   Value Length (8: cooldown)                  | 12
 *  +---------------------------------------------------------------+
 *  |                          Key of a row                         | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |  Value of the row: last passed time (cooldown), or the last   | 24
 *  |  passed event's bytes (on change), padded to 8 bytes        ...
 *  +---------------------------------------------------------------+
 *  |                      ... next rows                            |
 * </pre>
 * Rows are in no particular order: a checkpoint fixes the image at its barrier in O(1) and copies the
 * rows in slices between the events that follow, a row before it changes
 * ({@link CopyOnWriteRows}), so rows land in scan order with the copied-on-write ones in between. A
 * restore takes them in any order; the suppression a key gets depends only on its own row, so the
 * outputs of a recovered run are byte-identical to the uninterrupted run's.
 * <p>Version 1 (before the slicing) had no magic and no version: Row Count at 0, Value Length at 4 and
 * the rows from 8, in slot order; it is still read (a version 1 row count is never the magic, which
 * would need 1.4 billion rows).
 *
 * <p>Threading: the partition thread only. No allocation per event; the slot arrays and the index
 * grow (and allocate) only when a new key exceeds their capacity.
 */
final class SuppressStage extends Stages.Base
{
    /** 'SLSU' read as a little-endian int. */
    static final int MAGIC = 0x55534C53;
    static final int VERSION = 2;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int ROW_COUNT_OFFSET = 8;
    static final int VALUE_LENGTH_OFFSET = 12;
    static final int HEADER_LENGTH = 16;
    /** Version 1: no magic and version; Row Count at 0, Value Length at 4, rows from 8. */
    static final int V1_HEADER_LENGTH = 8;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final long MISSING = -1;

    private final long cooldown;
    private final int valueLength;
    private final int eventLength;
    private final int[] comparedOffsets;
    private final int[] comparedLengths;
    private Long2LongHashMap index;
    private long[] keys;
    private long[] times;
    private UnsafeBuffer values;
    private int size;
    private long suppressed;
    private final CopyOnWriteRows snapshot;

    SuppressStage(final PipelineInstance instance, final StageSpec.SuppressSpec spec, final Stage next)
    {
        super(instance, spec.description(), spec.policy(), next);
        final Schema schema = spec.input();
        this.cooldown = spec.cooldown();
        this.eventLength = schema.length();
        this.valueLength = spec.isCooldown() ? 8 : BitUtil.align(eventLength, 8);
        final java.util.List<String> ignored = java.util.Arrays.asList(spec.ignoredFields());
        final java.util.List<int[]> ranges = new java.util.ArrayList<>();
        for (final Field field : schema.fields())
        {
            if (ignored.contains(field.name()))
            {
                continue;
            }
            final int[] last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
            if (last != null && last[0] + last[1] == field.offset())
            {
                last[1] += field.width();
            }
            else
            {
                ranges.add(new int[] {field.offset(), field.width()});
            }
        }
        comparedOffsets = new int[ranges.size()];
        comparedLengths = new int[ranges.size()];
        for (int i = 0; i < ranges.size(); i++)
        {
            comparedOffsets[i] = ranges.get(i)[0];
            comparedLengths[i] = ranges.get(i)[1];
        }
        final int capacity = Math.max(1, spec.expectedKeys());
        snapshot = new CopyOnWriteRows(this::writeRow, capacity);
        allocate(capacity);
    }

    /**
     * Fresh, empty state of a capacity. A snapshot in progress must have been completed first (its rows
     * are read from the arrays this replaces).
     */
    private void allocate(final int capacity)
    {
        for (int slot = 0; slot < size; slot++)
        {
            snapshot.beforeFree(slot);
        }
        index = new Long2LongHashMap(BitUtil.findNextPositivePowerOfTwo(capacity * 2), 0.65f, MISSING);
        keys = new long[capacity];
        times = cooldown > 0 ? new long[capacity] : null;
        values = cooldown > 0 ? null : new UnsafeBuffer(new byte[capacity * valueLength]);
        size = 0;
        snapshot.ensureCapacity(capacity);
    }

    @Override
    public void onEvent(final EventFlyweight event, final long key, final long timestamp)
    {
        final long slot = index.get(key);
        if (slot == MISSING)
        {
            remember(newSlot(key), event, timestamp);
            next.onEvent(event, key, timestamp);
        }
        else if (cooldown > 0 ? timestamp - times[(int)slot] >= cooldown : changed((int)slot, event))
        {
            remember((int)slot, event, timestamp);
            next.onEvent(event, key, timestamp);
        }
        else
        {
            suppressed++;
        }
    }

    private boolean changed(final int slot, final EventFlyweight event)
    {
        final DirectBuffer buffer = event.buffer();
        final int base = event.offset();
        final int row = slot * valueLength;
        for (int r = 0; r < comparedOffsets.length; r++)
        {
            final int offset = comparedOffsets[r];
            for (int i = 0, length = comparedLengths[r]; i < length; i++)
            {
                if (buffer.getByte(base + offset + i) != values.getByte(row + offset + i))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private void remember(final int slot, final EventFlyweight event, final long timestamp)
    {
        // A row of the image of a checkpoint in progress is copied before it changes.
        snapshot.beforeChange(slot);
        if (cooldown > 0)
        {
            times[slot] = timestamp;
        }
        else
        {
            values.putBytes(slot * valueLength, event.buffer(), event.offset(), eventLength);
        }
    }

    private int newSlot(final long key)
    {
        if (size == keys.length)
        {
            grow();
        }
        final int slot = size++;
        keys[slot] = key;
        index.put(key, slot);
        snapshot.created(slot);
        return slot;
    }

    private void grow()
    {
        final int capacity = keys.length * 2;
        keys = java.util.Arrays.copyOf(keys, capacity);
        if (times != null)
        {
            times = java.util.Arrays.copyOf(times, capacity);
        }
        else
        {
            final UnsafeBuffer larger = new UnsafeBuffer(new byte[capacity * valueLength]);
            larger.putBytes(0, values, 0, size * valueLength);
            values = larger;
        }
        snapshot.ensureCapacity(capacity);
    }

    /**
     * Outputs dropped so far.
     *
     * @return the count.
     */
    long suppressed()
    {
        return suppressed;
    }

    /**
     * Forgets every key, as at launch. A snapshot in progress is completed first, from the state it
     * was begun on.
     */
    void reset()
    {
        snapshot.complete();
        allocate(keys.length);
    }

    /**
     * Bytes {@link #beginSnapshot} reserves for the state as it is now.
     *
     * @return the length in bytes.
     */
    int snapshotLength()
    {
        return HEADER_LENGTH + size * rowLength();
    }

    private int rowLength()
    {
        return 8 + valueLength;
    }

    /**
     * Fixes the image of the state at a checkpoint barrier, in O(1): writes the header now; the rows
     * follow in {@link #continueSnapshot} slices, or each just before it changes.
     *
     * @param buffer receiving the snapshot, untouched by others until it is complete.
     * @param offset at which it starts.
     * @return the bytes the complete snapshot takes.
     */
    int beginSnapshot(final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putInt(offset + MAGIC_OFFSET, MAGIC, ORDER);
        buffer.putInt(offset + VERSION_OFFSET, VERSION, ORDER);
        buffer.putInt(offset + ROW_COUNT_OFFSET, size, ORDER);
        buffer.putInt(offset + VALUE_LENGTH_OFFSET, valueLength, ORDER);
        final int rowsLength = size * rowLength();
        snapshot.begin(buffer, offset + HEADER_LENGTH, size, size, rowsLength);
        return HEADER_LENGTH + rowsLength;
    }

    /**
     * Copies the next rows of the snapshot begun at the last barrier.
     *
     * @param budget rows to look at, at least 1; {@link Integer#MAX_VALUE} for the rest.
     * @return true once the snapshot is complete (also when none is in progress).
     */
    boolean continueSnapshot(final int budget)
    {
        return snapshot.copySlice(budget);
    }

    private int writeRow(final int slot, final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putLong(offset, keys[slot], ORDER);
        if (cooldown > 0)
        {
            buffer.putLong(offset + 8, times[slot], ORDER);
        }
        else
        {
            buffer.putBytes(offset + 8, values, slot * valueLength, valueLength);
        }
        return offset + rowLength();
    }

    /**
     * Restores the state from a snapshot of version 2 or 1 (see the class comment), rows in any order.
     *
     * @param buffer holding the snapshot.
     * @param offset at which it starts.
     * @return the bytes read.
     */
    int restoreFrom(final DirectBuffer buffer, final int offset)
    {
        snapshot.complete();
        final boolean versioned = buffer.getInt(offset + MAGIC_OFFSET, ORDER) == MAGIC;
        if (versioned && buffer.getInt(offset + VERSION_OFFSET, ORDER) != VERSION)
        {
            throw new IllegalStateException("suppression snapshot of version " + buffer.getInt(offset + VERSION_OFFSET, ORDER) +
                " cannot be read: versions 1 and " + VERSION + " can (" + description + ")");
        }
        final int header = versioned ? HEADER_LENGTH : V1_HEADER_LENGTH;
        final int rows = buffer.getInt(offset + header - 8, ORDER);
        final int storedValueLength = buffer.getInt(offset + header - 4, ORDER);
        if (storedValueLength != valueLength)
        {
            throw new IllegalStateException("suppression state of " + storedValueLength + "-byte values cannot be restored into " +
                "a stage of " + valueLength + "-byte values (" + description + ")");
        }
        allocate(Math.max(keys.length, rows));
        int at = offset + header;
        for (int r = 0; r < rows; r++)
        {
            final int slot = newSlot(buffer.getLong(at, ORDER));
            if (cooldown > 0)
            {
                times[slot] = buffer.getLong(at + 8, ORDER);
            }
            else
            {
                values.putBytes(slot * valueLength, buffer, at + 8, valueLength);
            }
            at += rowLength();
        }
        return at - offset;
    }
}
