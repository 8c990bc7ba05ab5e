package io.sluice.cdc;

import java.io.OutputStream;
import java.nio.ByteOrder;
import java.util.function.Consumer;

import org.agrona.ExpandableArrayBuffer;

/**
 * Parses the output of {@code COPY ... TO STDOUT (FORMAT binary)} as it is written to it, handing each
 * row to a consumer as a {@link TupleView} of binary send format values (the same format pgoutput uses
 * with {@code binary 'true'}, so one converter serves the snapshot and the stream).
 * <pre>
 *  header:  "PGCOPY\n\377\r\n\0" (11 bytes) | flags (32) | extension length (32) | extension
 *  row:     field count (16) | per field: length (32, -1 = NULL) | bytes
 *  trailer: field count -1 (16)
 * </pre>
 * All integers big-endian.
 */
final class CopyBinaryParser extends OutputStream
{
    private static final int SIGNATURE_LENGTH = 11;

    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64 * 1024);
    private final TupleView row = new TupleView();
    private final Consumer<TupleView> consumer;
    private final String what;
    private int limit;
    private boolean headerDone;
    private boolean ended;
    private long rows;

    CopyBinaryParser(final String what, final Consumer<TupleView> consumer)
    {
        this.what = what;
        this.consumer = consumer;
    }

    @Override
    public void write(final int b)
    {
        write(new byte[] {(byte)b}, 0, 1);
    }

    @Override
    public void write(final byte[] bytes, final int offset, final int length)
    {
        buffer.putBytes(limit, bytes, offset, length);
        limit += length;
        int consumed = 0;
        while (true)
        {
            final int used = parse(consumed);
            if (used == 0)
            {
                break;
            }
            consumed += used;
        }
        if (consumed > 0)
        {
            buffer.putBytes(0, buffer, consumed, limit - consumed);
            limit -= consumed;
        }
    }

    private int parse(final int from)
    {
        final int available = limit - from;
        if (ended)
        {
            return 0;
        }
        if (!headerDone)
        {
            if (available < SIGNATURE_LENGTH + 8)
            {
                return 0;
            }
            if (buffer.getByte(from) != 'P' || buffer.getByte(from + 5) != 'Y')
            {
                throw new CdcException(CdcException.Category.DATA, "snapshot of " + what + ": COPY output is not in binary format");
            }
            final int extension = buffer.getInt(from + SIGNATURE_LENGTH + 4, ByteOrder.BIG_ENDIAN);
            if (available < SIGNATURE_LENGTH + 8 + extension)
            {
                return 0;
            }
            headerDone = true;
            return SIGNATURE_LENGTH + 8 + extension;
        }
        if (available < 2)
        {
            return 0;
        }
        final int count = buffer.getShort(from, ByteOrder.BIG_ENDIAN);
        if (count == -1)
        {
            ended = true;
            return 2;
        }
        int cursor = from + 2;
        row.reset(buffer, count);
        for (int i = 0; i < count; i++)
        {
            if (limit - cursor < 4)
            {
                return 0;
            }
            final int length = buffer.getInt(cursor, ByteOrder.BIG_ENDIAN);
            cursor += 4;
            if (length < 0)
            {
                row.set(i, TupleView.NULL, cursor, 0);
                continue;
            }
            if (limit - cursor < length)
            {
                return 0;
            }
            row.set(i, TupleView.BINARY, cursor, length);
            cursor += length;
        }
        rows++;
        consumer.accept(row);
        return cursor - from;
    }

    /**
     * Rows parsed.
     *
     * @return the count.
     */
    long rows()
    {
        return rows;
    }

    /**
     * Whether the trailer was seen.
     *
     * @return true once the COPY output is complete.
     */
    boolean ended()
    {
        return ended;
    }
}
