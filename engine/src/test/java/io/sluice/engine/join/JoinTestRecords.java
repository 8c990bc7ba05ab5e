package io.sluice.engine.join;

import java.util.List;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Test record layouts: a left record is {@code id (8) | filler (8)}, a right record
 * {@code id (8) | filler (16)}; ids start at 1 so a null-padded side reads id 0. Rows are
 * captured as strings so outputs compare in order.
 */
final class JoinTestRecords
{
    static final int LEFT_LENGTH = 16;
    static final int RIGHT_LENGTH = 24;

    private JoinTestRecords()
    {
    }

    static UnsafeBuffer record(final int length, final long id)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length + 8]);
        fill(buffer, 8, length, id);
        return buffer;
    }

    static void fill(final UnsafeBuffer buffer, final int offset, final int length, final long id)
    {
        buffer.putLong(offset, id);
        for (int i = 8; i < length; i++)
        {
            buffer.putByte(offset + i, (byte)(id * 31 + i));
        }
    }

    static long idOf(final DirectBuffer buffer, final int offset, final int length)
    {
        final long id = buffer.getLong(offset);
        for (int i = 8; i < length; i++)
        {
            final byte expected = id == 0 ? 0 : (byte)(id * 31 + i);
            if (buffer.getByte(offset + i) != expected)
            {
                throw new AssertionError("record bytes corrupted for id " + id + " at byte " + i);
            }
        }
        return id;
    }

    static String row(final long key, final long timestamp, final int flags, final long leftId, final long rightId)
    {
        return "k=" + key + " t=" + timestamp + " f=" + flags + " L=" + leftId + " R=" + rightId;
    }

    static JoinResultHandler capture(final List<String> rows, final int leftLength, final int rightLength)
    {
        return (key, timestamp, flags, left, leftOffset, right, rightOffset) -> rows.add(row(
            key, timestamp, flags, idOf(left, leftOffset, leftLength), idOf(right, rightOffset, rightLength)));
    }
}
