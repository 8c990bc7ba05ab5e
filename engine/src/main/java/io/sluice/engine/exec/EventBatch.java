package io.sluice.engine.exec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A run of consecutive events of one partition, in dispatch order, copied side by side into one
 * buffer: what a caller that holds many events at once (the backtest) hands to
 * {@link PartitionDispatcher#onEvents} in one call. Each event keeps its source, key and time in
 * parallel arrays, so a stage can look at every key of the run before processing the first event
 * (see {@link PipelineInstance#prefetch}).
 * <pre>
 *  buffer: | event 0 (len 0) | event 1 (len 1) | ... |   each at offset(i), 8-byte aligned
 *  arrays: source(i), key(i), timestamp(i), offset(i)   for i in [0, size())
 * </pre>
 * A batch can also refer to events that stay where they are ({@link #clear(DirectBuffer)} and {@link #addAt}):
 * recovery's replay hands over the events of a journal segment where its reader read them, with no further copy.
 * <p>
 * Threading: the one thread that owns the partition; allocation-free once its buffer has grown to
 * {@code capacity x} the longest event.
 */
public final class EventBatch
{
    private final int capacity;
    private final int[] sources;
    private final int[] offsets;
    private final long[] keys;
    private final long[] timestamps;
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[0]);
    /** The buffer the events stay in, between {@link #clear(DirectBuffer)} and {@link #clear()}; null when they are copied. */
    private DirectBuffer external;
    private int size;
    private int limit;
    /** End of the event being written in place, see {@link #reserve}. */
    private int reserved;

    /**
     * Creates an empty batch.
     *
     * @param capacity events a batch holds at most, at least 1.
     */
    public EventBatch(final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("event batch capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
        this.sources = new int[capacity];
        this.offsets = new int[capacity];
        this.keys = new long[capacity];
        this.timestamps = new long[capacity];
    }

    /**
     * Appends a copy of an event.
     *
     * @param source    index of the source the event came from.
     * @param from      holding the event's bytes.
     * @param offset    of the event in {@code from}.
     * @param length    of the event in bytes.
     * @param key       of the event (its partition key's value).
     * @param timestamp of the event.
     * @return true when the batch is now full.
     */
    public boolean add(final int source, final DirectBuffer from, final int offset, final int length, final long key, final long timestamp)
    {
        final int at = reserve(length);
        final UnsafeBuffer to = buffer;
        int i = 0;
        // Word by word: the events are a few dozen bytes, below what a bulk copy call pays off for.
        for (; i + 8 <= length; i += 8)
        {
            to.putLong(at + i, from.getLong(offset + i));
        }
        for (; i < length; i++)
        {
            to.putByte(at + i, from.getByte(offset + i));
        }
        return commit(source, key, timestamp);
    }

    /**
     * Makes room for the next event, for a caller that writes it in place (into {@link #writeBuffer()}
     * at the returned offset) and then {@link #commit}s it; a second call before the commit returns the
     * same offset.
     *
     * @param length of the event in bytes.
     * @return the offset to write the event at.
     */
    public int reserve(final int length)
    {
        if (external != null)
        {
            throw new IllegalStateException("the batch refers to events in place (clear(DirectBuffer)): clear() it before copying events in");
        }
        final int at = limit;
        final int end = at + ((length + 7) & ~7);
        if (end > buffer.capacity())
        {
            grow(end, end - at);
        }
        reserved = end;
        return at;
    }

    /**
     * Appends the event written at the offset the last {@link #reserve} gave.
     *
     * @param source    index of the source the event came from.
     * @param key       of the event (its partition key's value).
     * @param timestamp of the event.
     * @return true when the batch is now full.
     */
    public boolean commit(final int source, final long key, final long timestamp)
    {
        final int n = size;
        sources[n] = source;
        offsets[n] = limit;
        keys[n] = key;
        timestamps[n] = timestamp;
        limit = reserved;
        size = n + 1;
        return n + 1 == capacity;
    }

    /**
     * Empties the batch but for the event written at the last {@link #reserve}d offset and not yet
     * committed, which moves to the front: for a caller that learns only after reading an event that it
     * belongs to the next batch.
     *
     * @param length of that event in bytes.
     * @return its new offset (0), where the caller's view of it must be moved.
     */
    public int clearKeepingReserved(final int length)
    {
        final int at = limit;
        buffer.putBytes(0, buffer, at, length);
        clear();
        reserve(length);
        return 0;
    }

    /**
     * The buffer events are written into in place, between {@link #reserve} and {@link #commit}.
     *
     * @return the buffer, replaced when the batch grows (so take it after {@link #reserve}).
     */
    public MutableDirectBuffer writeBuffer()
    {
        return buffer;
    }

    private void grow(final int needed, final int eventLength)
    {
        final byte[] bytes = new byte[Math.max(Math.max(needed, buffer.capacity() << 1), capacity * Math.max(8, eventLength))];
        buffer.getBytes(0, bytes, 0, limit);
        buffer.wrap(bytes);
    }

    /**
     * Empties the batch, keeping its storage; events are then copied in ({@link #add}, {@link #reserve}).
     */
    public void clear()
    {
        size = 0;
        limit = 0;
        reserved = 0;
        external = null;
    }

    /**
     * Empties the batch and makes it refer to events that stay in {@code events}, appended with {@link #addAt}
     * until the next {@code clear}: no event is copied.
     *
     * @param events holding the events of the batch to come, unchanged while the batch is in use.
     */
    public void clear(final DirectBuffer events)
    {
        clear();
        external = events;
    }

    /**
     * Appends an event that stays where it is, in the buffer given to {@link #clear(DirectBuffer)}.
     *
     * @param source    index of the source the event came from.
     * @param offset    of the event in that buffer.
     * @param key       of the event (its partition key's value).
     * @param timestamp of the event.
     * @return true when the batch is now full.
     */
    public boolean addAt(final int source, final int offset, final long key, final long timestamp)
    {
        final int n = size;
        sources[n] = source;
        offsets[n] = offset;
        keys[n] = key;
        timestamps[n] = timestamp;
        size = n + 1;
        return n + 1 == capacity;
    }

    /**
     * Events held.
     *
     * @return the count.
     */
    public int size()
    {
        return size;
    }

    /**
     * The buffer holding every event of the batch.
     *
     * @return the buffer (the one given to {@link #clear(DirectBuffer)}, if any), valid until the next {@link #add} or
     *         {@link #clear()}.
     */
    public DirectBuffer buffer()
    {
        return external != null ? external : buffer;
    }

    /**
     * Source of an event.
     *
     * @param i index of the event in the batch.
     * @return the source index.
     */
    public int source(final int i)
    {
        return sources[i];
    }

    /**
     * Offset of an event in {@link #buffer()}.
     *
     * @param i index of the event in the batch.
     * @return the offset.
     */
    public int offset(final int i)
    {
        return offsets[i];
    }

    /**
     * Key of an event.
     *
     * @param i index of the event in the batch.
     * @return the key.
     */
    public long key(final int i)
    {
        return keys[i];
    }

    /**
     * Time of an event.
     *
     * @param i index of the event in the batch.
     * @return the timestamp.
     */
    public long timestamp(final int i)
    {
        return timestamps[i];
    }

    /**
     * The keys of the events, index {@code i} for event {@code i}; read-only, valid up to {@link #size()}.
     *
     * @return the array.
     */
    long[] keys()
    {
        return keys;
    }

    /**
     * The times of the events, index {@code i} for event {@code i}; read-only, valid up to {@link #size()}.
     *
     * @return the array.
     */
    long[] timestamps()
    {
        return timestamps;
    }

    /**
     * The sources of the events, index {@code i} for event {@code i}; read-only, valid up to {@link #size()}.
     *
     * @return the array.
     */
    int[] sources()
    {
        return sources;
    }
}
