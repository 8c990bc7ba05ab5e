package io.sluice.cdc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Decodes the messages of PostgreSQL's {@code pgoutput} logical decoding plugin (protocol version 1,
 * "Logical Replication Message Formats" of the PostgreSQL documentation) from the byte buffers the
 * JDBC driver's replication stream hands out, and calls a {@link PgOutputHandler}. This is protocol
 * decoding of the plugin's output; the WAL itself is decoded by PostgreSQL.
 *
 * <p>All integers are big-endian (network order). Each message starts with a one-byte type:
 * <pre>
 *   Begin 'B'                                 Commit 'C'
 *  +------+----------------+-------------+   +------+-------+--------------+-------------+-------------+
 *  | 'B'  | final LSN (64) | commit time |   | 'C'  | flags | commit LSN   | end LSN     | commit time |
 *  |  8   |                | (64, us)    |   |  8   |  8    | (64)         | (64)        | (64, us)    |
 *  +------+----------------+-------------+   +------+-------+--------------+-------------+-------------+
 *  | xid (32)             |
 *  +----------------------+
 *
 *   Relation 'R'
 *  +------+-------------+------------------+-------------+------------------+---------------+
 *  | 'R'  | rel OID (32)| namespace (cstr) | name (cstr) | replica id (8)   | ncols (16)    |
 *  +------+-------------+------------------+-------------+------------------+---------------+
 *  then per column: flags (8, 1 = key) | name (cstr) | type OID (32) | typmod (32)
 *
 *   Insert 'I': 'I' | rel OID (32) | 'N' | TupleData
 *   Update 'U': 'U' | rel OID (32) | [ 'K' | 'O' , TupleData ] | 'N' | TupleData
 *   Delete 'D': 'D' | rel OID (32) | 'K' | 'O' | TupleData
 *   Truncate 'T': 'T' | nrels (32) | options (8) | nrels x rel OID (32)
 *
 *   TupleData: ncols (16), then per column one of
 *     'n'                      NULL
 *     'u'                      unchanged TOASTed value (not sent)
 *     't' | length (32) | bytes   text format
 *     'b' | length (32) | bytes   binary send format (option binary 'true')
 * </pre>
 * Origin 'O', Type 'Y' and Message 'M' are skipped. Threading: the source thread only.
 */
final class PgOutputDecoder
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private final TupleView before = new TupleView();
    private final TupleView after = new TupleView();
    private final PgOutputHandler handler;
    private int cursor;

    PgOutputDecoder(final PgOutputHandler handler)
    {
        this.handler = handler;
    }

    /**
     * Decodes one message: the bytes from the buffer's position to its limit.
     *
     * @param message as the replication stream returned it.
     */
    void decode(final ByteBuffer message)
    {
        if (message.hasArray())
        {
            buffer.wrap(message.array(), message.arrayOffset() + message.position(), message.remaining());
        }
        else
        {
            buffer.wrap(message, message.position(), message.remaining());
        }
        cursor = 1;
        final byte type = buffer.getByte(0);
        switch (type)
        {
            case 'B':
                handler.onBegin(int64(), int64(), int32());
                break;
            case 'C':
                cursor++; // flags, unused
                handler.onCommit(int64(), int64(), int64());
                break;
            case 'R':
                handler.onRelation(relation());
                break;
            case 'I':
            {
                final int relation = int32();
                expect('N');
                tuple(after);
                handler.onInsert(relation, after);
                break;
            }
            case 'U':
            {
                final int relation = int32();
                byte kind = buffer.getByte(cursor++);
                byte oldKind = 0;
                if (kind == 'K' || kind == 'O')
                {
                    oldKind = kind;
                    tuple(before);
                    kind = buffer.getByte(cursor++);
                }
                if (kind != 'N')
                {
                    throw malformed("update without a new tuple ('N'), found '" + (char)kind + "'");
                }
                tuple(after);
                handler.onUpdate(relation, oldKind, oldKind == 0 ? null : before, after);
                break;
            }
            case 'D':
            {
                final int relation = int32();
                final byte kind = buffer.getByte(cursor++);
                if (kind != 'K' && kind != 'O')
                {
                    throw malformed("delete without an old key or row ('K' or 'O'), found '" + (char)kind + "'");
                }
                tuple(before);
                handler.onDelete(relation, kind, before);
                break;
            }
            case 'T':
            {
                final int count = int32();
                cursor++; // options
                final int[] relations = new int[count];
                for (int i = 0; i < count; i++)
                {
                    relations[i] = int32();
                }
                handler.onTruncate(relations);
                break;
            }
            case 'O':
            case 'Y':
            case 'M':
                break;
            default:
                throw malformed("unknown pgoutput message type '" + (char)type + "' (0x" + Integer.toHexString(type & 0xFF) + ")");
        }
    }

    private PgRelation relation()
    {
        final int oid = int32();
        final String namespace = cstring();
        final String name = cstring();
        final byte identity = buffer.getByte(cursor++);
        final int count = int16();
        final List<PgRelation.Column> columns = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final boolean key = (buffer.getByte(cursor++) & 1) != 0;
            final String column = cstring();
            final int type = int32();
            final int typmod = int32();
            columns.add(new PgRelation.Column(column, type, typmod, key, null));
        }
        return new PgRelation(oid, namespace, name, identity, List.copyOf(columns));
    }

    private void tuple(final TupleView tuple)
    {
        final int count = int16();
        tuple.reset(buffer, count);
        for (int i = 0; i < count; i++)
        {
            final byte kind = buffer.getByte(cursor++);
            switch (kind)
            {
                case TupleView.NULL:
                case TupleView.UNCHANGED:
                    tuple.set(i, kind, cursor, 0);
                    break;
                case TupleView.TEXT:
                case TupleView.BINARY:
                {
                    final int length = int32();
                    if (length < 0 || cursor + length > buffer.capacity())
                    {
                        throw malformed("column " + i + " length " + length + " outside the message");
                    }
                    tuple.set(i, kind, cursor, length);
                    cursor += length;
                    break;
                }
                default:
                    throw malformed("unknown tuple column kind '" + (char)kind + "' in column " + i);
            }
        }
    }

    private void expect(final char kind)
    {
        final byte b = buffer.getByte(cursor++);
        if (b != kind)
        {
            throw malformed("expected '" + kind + "', found '" + (char)b + "'");
        }
    }

    private String cstring()
    {
        int end = cursor;
        while (buffer.getByte(end) != 0)
        {
            end++;
        }
        final String s = buffer.getStringWithoutLengthUtf8(cursor, end - cursor);
        cursor = end + 1;
        return s;
    }

    private long int64()
    {
        final long v = buffer.getLong(cursor, ByteOrder.BIG_ENDIAN);
        cursor += 8;
        return v;
    }

    private int int32()
    {
        final int v = buffer.getInt(cursor, ByteOrder.BIG_ENDIAN);
        cursor += 4;
        return v;
    }

    private int int16()
    {
        final int v = buffer.getShort(cursor, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        cursor += 2;
        return v;
    }

    private CdcException malformed(final String what)
    {
        return new CdcException(CdcException.Category.DATA, "malformed pgoutput message (" + buffer.capacity() + " bytes): " + what +
            " at byte " + cursor + "; first bytes " + new String(bytes(), StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e]", "."));
    }

    private byte[] bytes()
    {
        final byte[] b = new byte[Math.min(32, buffer.capacity())];
        buffer.getBytes(0, b);
        return b;
    }
}
