package io.sluice.cdc;

import org.agrona.DirectBuffer;

/**
 * Columns of one row as sent by PostgreSQL in binary send format: for each column whether it is
 * null, an unchanged TOASTed value, or a value with its offset and length in the buffer. Filled by
 * {@link PgOutputDecoder} (pgoutput TupleData) and {@link CopyBinaryParser} (COPY binary tuples);
 * reused for every row, so valid only during the callback that hands it out.
 */
final class TupleView
{
    /** A NULL value. */
    static final byte NULL = 'n';
    /** An unchanged TOASTed value, not sent. */
    static final byte UNCHANGED = 'u';
    /** A value in text format. */
    static final byte TEXT = 't';
    /** A value in binary send format. */
    static final byte BINARY = 'b';

    private DirectBuffer buffer;
    private int count;
    private byte[] kinds = new byte[16];
    private int[] offsets = new int[16];
    private int[] lengths = new int[16];

    void reset(final DirectBuffer buffer, final int count)
    {
        this.buffer = buffer;
        this.count = count;
        if (count > kinds.length)
        {
            // Grows once per wider table; steady state allocates nothing.
            kinds = new byte[count];
            offsets = new int[count];
            lengths = new int[count];
        }
    }

    void set(final int column, final byte kind, final int offset, final int length)
    {
        kinds[column] = kind;
        offsets[column] = offset;
        lengths[column] = length;
    }

    /**
     * The buffer holding the values.
     *
     * @return the buffer.
     */
    DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Number of columns.
     *
     * @return the count.
     */
    int count()
    {
        return count;
    }

    /**
     * Kind of a column's value.
     *
     * @param column index.
     * @return {@link #NULL}, {@link #UNCHANGED}, {@link #TEXT} or {@link #BINARY}.
     */
    byte kind(final int column)
    {
        return kinds[column];
    }

    /**
     * Offset of a column's value in the buffer.
     *
     * @param column index.
     * @return the offset.
     */
    int offset(final int column)
    {
        return offsets[column];
    }

    /**
     * Length of a column's value.
     *
     * @param column index.
     * @return the length in bytes.
     */
    int length(final int column)
    {
        return lengths[column];
    }
}
