package io.sluice.cdc;

import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;

import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Field;
import io.sluice.schema.FieldType;
import io.sluice.schema.Schema;
import io.sluice.journal.Topic;

/**
 * The mapping of one captured table's rows to the events of its topic, checked against the table's
 * columns (from the catalog at start, then from each pgoutput Relation message), and the writer of
 * those events into a reused scratch buffer. Threading: the source thread only.
 */
final class TableCapture
{
    private static final int COLUMN = 0;
    private static final int BEFORE = 1;
    private static final int OP = 2;
    private static final int DELETED = 3;
    private static final int COMMIT_TIME = 4;
    private static final int LSN = 5;

    private final CdcTable table;
    private final Schema schema;
    private final int partitions;
    private final EventFlyweight event;
    private final UnsafeBuffer scratch;
    private final int[] kinds;
    private final String[] columnNames;
    private final int[] scales;
    private final int[] columnIndex;
    private final int[] columnTypes;
    private final int keyField;
    private PgRelation relation;

    TableCapture(final CdcTable table, final Schema schema, final String keyFieldName, final int partitions, final PgRelation relation)
    {
        this.table = table;
        this.schema = schema;
        this.partitions = partitions;
        this.scratch = new UnsafeBuffer(new byte[Math.max(8, schema.length())]);
        this.event = new EventFlyweight(schema).wrapForWrite(scratch, 0);
        final int n = schema.fieldCount();
        kinds = new int[n];
        columnNames = new String[n];
        scales = new int[n];
        columnIndex = new int[n];
        columnTypes = new int[n];
        final List<String> errors = new ArrayList<>();
        for (final Field f : schema.fields())
        {
            final int i = f.index();
            final String name = f.name();
            scales[i] = f.type() == FieldType.DECIMAL ? f.scale() : table.scaleOf(name); // a DECIMAL has its own scale
            if (name.equals(table.opField()))
            {
                kinds[i] = OP;
                require(errors, f, FieldType.INT, FieldType.LONG);
            }
            else if (name.equals(table.deleteField()))
            {
                kinds[i] = DELETED;
                require(errors, f, FieldType.BOOLEAN, FieldType.BOOLEAN);
            }
            else if (name.equals(table.commitTimeField()))
            {
                kinds[i] = COMMIT_TIME;
                require(errors, f, FieldType.TIMESTAMP, FieldType.LONG);
            }
            else if (name.equals(table.lsnField()))
            {
                kinds[i] = LSN;
                require(errors, f, FieldType.LONG, FieldType.LONG);
            }
            else if (!table.beforePrefix().isEmpty() && name.startsWith(table.beforePrefix()) &&
                relation.indexOf(table.columnOf(name.substring(table.beforePrefix().length()))) >= 0)
            {
                kinds[i] = BEFORE;
                columnNames[i] = table.columnOf(name.substring(table.beforePrefix().length()));
            }
            else
            {
                kinds[i] = COLUMN;
                columnNames[i] = table.columnOf(name);
            }
        }
        for (final String mapped : table.columns().keySet())
        {
            if (!schema.hasField(mapped))
            {
                errors.add("table " + table.table() + ": column mapping names field '" + mapped + "', which topic '" + table.topic() +
                    "' (schema " + schema.name() + ") does not have");
            }
        }
        if (!schema.hasField(keyFieldName))
        {
            errors.add("table " + table.table() + ": topic '" + table.topic() + "' is keyed by '" + keyFieldName + "', not a field of " + schema.name());
            keyField = -1;
        }
        else
        {
            keyField = schema.field(keyFieldName).index();
        }
        errors.addAll(bind(relation));
        if (!errors.isEmpty())
        {
            throw new CdcException(CdcException.Category.SCHEMA, String.join("; ", errors));
        }
    }

    /**
     * Checks a (new) description of the table against the mapping and binds the columns by name.
     *
     * @param relation as the catalog or a Relation message describes the table.
     * @return the errors, empty if the mapping still holds.
     */
    List<String> bind(final PgRelation relation)
    {
        final List<String> errors = new ArrayList<>();
        final int[] index = new int[columnIndex.length];
        final int[] types = new int[columnTypes.length];
        boolean keyIsPrimary = false;
        for (int i = 0; i < kinds.length; i++)
        {
            if (kinds[i] != COLUMN && kinds[i] != BEFORE)
            {
                continue;
            }
            final Field f = schema.field(i);
            final int c = relation.indexOf(columnNames[i]);
            if (c < 0)
            {
                errors.add("table " + relation.qualifiedName() + " has no column '" + columnNames[i] + "' for field '" + f.name() +
                    "' of topic '" + table.topic() + "' (columns: " + relation.columns().stream().map(PgRelation.Column::name).toList() + ")");
                continue;
            }
            final PgRelation.Column column = relation.columns().get(c);
            final String why = PgTypes.incompatibility(column.typeOid(), column.typeText(), column.typmod(), f);
            if (why != null)
            {
                errors.add("table " + relation.qualifiedName() + " column '" + column.name() + "' (field '" + f.name() + "'): " + why);
            }
            if (this.relation != null && columnIndex[i] >= 0)
            {
                final PgRelation.Column was = this.relation.columns().get(columnIndex[i]);
                if (was.typeOid() != column.typeOid() || was.typmod() != column.typmod())
                {
                    errors.add("table " + relation.qualifiedName() + " column '" + column.name() + "' changed from " + was.typeText() + " to " +
                        column.typeText() + (was.typeOid() == column.typeOid() ? " (type modifier " + was.typmod() + " -> " + column.typmod() + ")" : ""));
                }
            }
            if (i == keyField && column.key())
            {
                keyIsPrimary = true;
            }
            index[i] = c;
            types[i] = column.typeOid();
        }
        if (keyField >= 0 && !keyIsPrimary)
        {
            errors.add("table " + relation.qualifiedName() + ": the topic's key field '" + schema.field(keyField).name() +
                "' must be filled from the table's primary key (replica identity key) column");
        }
        if (errors.isEmpty())
        {
            System.arraycopy(index, 0, columnIndex, 0, index.length);
            System.arraycopy(types, 0, columnTypes, 0, types.length);
            this.relation = relation;
        }
        return errors;
    }

    private void require(final List<String> errors, final Field f, final FieldType a, final FieldType b)
    {
        if (f.type() != a && f.type() != b)
        {
            errors.add("table " + table.table() + ": field '" + f.name() + "' of topic '" + table.topic() + "' must be " + a +
                (a == b ? "" : " or " + b) + ", is " + f.type());
        }
    }

    /**
     * Writes one change into the scratch event.
     *
     * @param op               operation code ({@link CdcTable#OP_INSERT} ...).
     * @param row              the row's values (for a delete: the old row or key).
     * @param before           the old row or key, null if not sent.
     * @param commitTimeMillis event time.
     * @param lsn              commit LSN.
     * @return null, or why a value does not fit (naming table, column and value).
     */
    String write(final int op, final TupleView row, final TupleView before, final long commitTimeMillis, final long lsn)
    {
        event.clear();
        for (int i = 0; i < kinds.length; i++)
        {
            switch (kinds[i])
            {
                case OP:
                    event.putNumber(i, (long)op);
                    break;
                case DELETED:
                    event.putBoolean(i, op == CdcTable.OP_DELETE);
                    break;
                case COMMIT_TIME:
                    event.putLong(i, commitTimeMillis);
                    break;
                case LSN:
                    event.putLong(i, lsn);
                    break;
                case COLUMN:
                {
                    final String error = value(row, i);
                    if (error != null)
                    {
                        return error;
                    }
                    break;
                }
                default:
                    if (before != null)
                    {
                        final String error = value(before, i);
                        if (error != null)
                        {
                            return error;
                        }
                    }
                    break;
            }
        }
        return null;
    }

    private String value(final TupleView row, final int field)
    {
        final int c = columnIndex[field];
        if (c >= row.count())
        {
            return null;
        }
        final byte kind = row.kind(c);
        if (kind == TupleView.NULL)
        {
            return null;
        }
        if (kind != TupleView.BINARY)
        {
            return "table " + relation.qualifiedName() + " column '" + columnNames[field] + "': " +
                (kind == TupleView.UNCHANGED ? "unchanged TOASTed value not sent (use REPLICA IDENTITY FULL)" : "value not in binary format");
        }
        final Field f = schema.field(field);
        final String why = PgTypes.write(columnTypes[field], row.buffer(), row.offset(c), row.length(c), event, field, f.type(), scales[field]);
        return why == null ? null : "table " + relation.qualifiedName() + " column '" + columnNames[field] + "' (field '" + f.name() + "'): " + why;
    }

    /**
     * The engine partition of the scratch event, by its key, as {@code EventPublisher} computes it.
     *
     * @return the partition.
     */
    int partition()
    {
        final long key = schema.field(keyField).type() == FieldType.SYMBOL ? event.symbolHash(keyField) : event.longValue(keyField);
        return Topic.partitionFor(key, partitions);
    }

    /**
     * The scratch buffer holding the event written last (at offset 0).
     *
     * @return the buffer.
     */
    UnsafeBuffer scratch()
    {
        return scratch;
    }

    /**
     * The key of the event written last, for messages.
     *
     * @return the key as text.
     */
    String keyText()
    {
        return schema.field(keyField).type() == FieldType.SYMBOL ? event.getSymbol(keyField, new StringBuilder()).toString() :
            Long.toString(event.longValue(keyField));
    }

    /**
     * The captured table.
     *
     * @return its settings.
     */
    CdcTable table()
    {
        return table;
    }

    /**
     * The table's current description.
     *
     * @return the relation.
     */
    PgRelation relation()
    {
        return relation;
    }
}
