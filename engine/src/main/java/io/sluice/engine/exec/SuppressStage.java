package io.sluice.engine.exec;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.engine.pipeline.StageSpec;
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
 * The state is one row per key ever passed on, in slots allocated in first-output order, so that
 * snapshots of the same history are the same bytes. Rows are not evicted: the state grows with the
 * number of distinct keys that raised an output.
 *
 * <p>Snapshot layout (after the window and join state of the instance), rows in slot order:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                          Row Count                            |  0
 *  +---------------------------------------------------------------+
 *  |                   Value Length (8: cooldown)                  |  4
 *  +---------------------------------------------------------------+
 *  |                          Key of row 0                         |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |  Value of row 0: last passed time (cooldown), or the last      | 16
 *  |  passed event's bytes (on change), padded to 8 bytes        ...
 *  +---------------------------------------------------------------+
 *  |                      ... next rows                            |
 * </pre>
 *
 * <p>Threading: the partition thread only. No allocation per event; the slot arrays and the index
 * grow (and allocate) only when a new key exceeds their capacity.
 */
final class SuppressStage extends Stages.Base
{
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
        allocate(spec.expectedKeys());
    }

    private void allocate(final int capacity)
    {
        index = new Long2LongHashMap(BitUtil.findNextPositivePowerOfTwo(capacity * 2), 0.65f, MISSING);
        keys = new long[capacity];
        times = cooldown > 0 ? new long[capacity] : null;
        values = cooldown > 0 ? null : new UnsafeBuffer(new byte[capacity * valueLength]);
        size = 0;
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
     * Forgets every key, as at launch.
     */
    void reset()
    {
        allocate(keys.length);
    }

    int snapshotLength()
    {
        return 8 + size * (8 + valueLength);
    }

    int snapshotTo(final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putInt(offset, size);
        buffer.putInt(offset + 4, valueLength);
        int at = offset + 8;
        for (int slot = 0; slot < size; slot++)
        {
            buffer.putLong(at, keys[slot]);
            if (cooldown > 0)
            {
                buffer.putLong(at + 8, times[slot]);
            }
            else
            {
                buffer.putBytes(at + 8, values, slot * valueLength, valueLength);
            }
            at += 8 + valueLength;
        }
        return at - offset;
    }

    int restoreFrom(final DirectBuffer buffer, final int offset)
    {
        final int rows = buffer.getInt(offset);
        if (buffer.getInt(offset + 4) != valueLength)
        {
            throw new IllegalStateException("suppression state of " + buffer.getInt(offset + 4) + "-byte values cannot be restored into " +
                "a stage of " + valueLength + "-byte values (" + description + ")");
        }
        allocate(Math.max(keys.length, rows));
        int at = offset + 8;
        for (int r = 0; r < rows; r++)
        {
            final int slot = newSlot(buffer.getLong(at));
            if (cooldown > 0)
            {
                times[slot] = buffer.getLong(at + 8);
            }
            else
            {
                values.putBytes(slot * valueLength, buffer, at + 8, valueLength);
            }
            at += 8 + valueLength;
        }
        return at - offset;
    }
}
