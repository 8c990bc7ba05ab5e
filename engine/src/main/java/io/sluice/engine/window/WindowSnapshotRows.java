package io.sluice.engine.window;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Encoding shared by the window operator snapshots: the magic and version check of a header and
 * the aggregate state of a row, {@code stride} little-endian longs copied to or from a region of
 * a store's {@code long[]}. Each operator documents its own header and row layout.
 */
final class WindowSnapshotRows
{
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;

    private WindowSnapshotRows()
    {
    }

    /**
     * Write the magic and version that start a snapshot.
     *
     * @param buffer  to write into.
     * @param offset  at which the snapshot starts.
     * @param magic   of the operator's snapshot.
     * @param version of the operator's snapshot.
     */
    static void putHeader(final MutableDirectBuffer buffer, final int offset, final int magic, final int version)
    {
        buffer.putInt(offset + MAGIC_OFFSET, magic, ORDER);
        buffer.putInt(offset + VERSION_OFFSET, version, ORDER);
    }

    /**
     * Check the magic and version that start a snapshot.
     *
     * @param buffer  to read from.
     * @param offset  at which the snapshot starts.
     * @param magic   expected.
     * @param version expected.
     * @param message of the exception when either differs.
     * @throws IllegalStateException if the magic or the version differs.
     */
    static void checkHeader(
        final DirectBuffer buffer, final int offset, final int magic, final int version, final String message)
    {
        if (buffer.getInt(offset + MAGIC_OFFSET, ORDER) != magic ||
            buffer.getInt(offset + VERSION_OFFSET, ORDER) != version)
        {
            throw new IllegalStateException(message);
        }
    }

    /**
     * The exception for a snapshot whose configuration fields differ from the restoring operator's.
     *
     * @return the exception to throw.
     */
    static IllegalStateException configurationMismatch()
    {
        return new IllegalStateException("snapshot was written by a differently configured window operator");
    }

    /**
     * Write the aggregate state of one row.
     *
     * @param buffer to write into.
     * @param cursor at which the state starts.
     * @param state  array of the store.
     * @param base   of the row in the array.
     * @param stride longs per row.
     * @return the cursor after the state.
     */
    static int putState(
        final MutableDirectBuffer buffer, final int cursor, final long[] state, final int base, final int stride)
    {
        int position = cursor;
        for (int i = 0; i < stride; i++)
        {
            buffer.putLong(position, state[base + i], ORDER);
            position += 8;
        }
        return position;
    }

    /**
     * Read the aggregate state of one row.
     *
     * @param buffer to read from.
     * @param cursor at which the state starts.
     * @param state  array of the store.
     * @param base   of the row in the array.
     * @param stride longs per row.
     * @return the cursor after the state.
     */
    static int getState(
        final DirectBuffer buffer, final int cursor, final long[] state, final int base, final int stride)
    {
        int position = cursor;
        for (int i = 0; i < stride; i++)
        {
            state[base + i] = buffer.getLong(position, ORDER);
            position += 8;
        }
        return position;
    }
}
