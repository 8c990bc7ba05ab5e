package io.sluice.engine.io;

import io.sluice.schema.FieldType;
import io.sluice.schema.Schema;

/**
 * A batch of events of one schema held column-wise, one {@code long[]} per field (the partition key, the event
 * time and every value), which a {@link ColumnarEventSource} fills: event {@code i} of the batch is
 * {@code column(f)[i]} for every field {@code f}. Every field of the schema must be a {@link FieldType#LONG} or a
 * {@link FieldType#TIMESTAMP}, whose column holds its value as is.
 *
 * <pre>
 *   field 0 (key)   | k0 | k1 | k2 | ... | k(capacity-1) |
 *   field 1 (value) | v0 | v1 | v2 | ... |
 *   field 2 (ts)    | t0 | t1 | t2 | ... |
 * </pre>
 *
 * <p>Threading: the backtest's thread; the arrays are reused from batch to batch.
 */
public final class EventColumns
{
    private final Schema schema;
    private final long[][] columns;
    private final int capacity;

    /**
     * Columns for {@code capacity} events of a schema.
     *
     * @param schema   of the events; every field LONG or TIMESTAMP.
     * @param capacity events per batch, at least 1.
     * @throws IllegalArgumentException naming the first field of another type, or for a capacity below 1.
     */
    public EventColumns(final Schema schema, final int capacity)
    {
        final String unfit = unfitField(schema);
        if (unfit != null)
        {
            throw new IllegalArgumentException("schema '" + schema.name() + "' cannot be held in long columns: " + unfit);
        }
        if (capacity < 1)
        {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.schema = schema;
        this.capacity = capacity;
        this.columns = new long[schema.fieldCount()][capacity];
    }

    /**
     * Why a schema's events cannot be held in long columns, or null when they can.
     *
     * @param schema to look at.
     * @return the first field that is neither LONG nor TIMESTAMP, with its type, or null.
     */
    static String unfitField(final Schema schema)
    {
        for (int f = 0; f < schema.fieldCount(); f++)
        {
            final FieldType type = schema.field(f).type();
            if (type != FieldType.LONG && type != FieldType.TIMESTAMP)
            {
                return "field '" + schema.field(f).name() + "' is " + type + " (columns hold LONG and TIMESTAMP fields)";
            }
        }
        return null;
    }

    /**
     * The schema of the events.
     *
     * @return the schema.
     */
    public Schema schema()
    {
        return schema;
    }

    /**
     * Events a batch holds at most.
     *
     * @return the capacity.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * The column of a field.
     *
     * @param field index in the schema.
     * @return its values, {@link #capacity()} long.
     */
    public long[] column(final int field)
    {
        return columns[field];
    }

    /**
     * The column of a field.
     *
     * @param name of the field.
     * @return its values, {@link #capacity()} long.
     * @throws io.sluice.schema.SchemaException if the schema has no such field.
     */
    public long[] column(final String name)
    {
        return columns[schema.indexOf(name)];
    }

    long[][] columns()
    {
        return columns;
    }
}
