package io.sluice.cdc;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One captured table and how its rows become events of a topic. Each field of the topic's schema is
 * filled from:
 * <ul>
 *   <li>the column named by {@link #column(String, String)}, or else the column of the field's name;</li>
 *   <li>{@link #opField(String)} (INT or LONG): 0 snapshot read, 1 insert, 2 update, 3 delete;</li>
 *   <li>{@link #deleteField(String)} (BOOLEAN): true for a delete, the table source's tombstone flag;</li>
 *   <li>{@link #commitTimeField(String)} (TIMESTAMP or LONG): the transaction's commit time in epoch
 *       milliseconds (the snapshot's rows: the time the snapshot was taken), the event time;</li>
 *   <li>{@link #lsnField(String)} (LONG): the LSN of the transaction's commit record (snapshot rows: the
 *       slot's consistent point);</li>
 *   <li>a field named {@link #beforePrefix(String)} + a column's field name: that column's value before an
 *       update or delete, where the table's replica identity sends it ({@code REPLICA IDENTITY FULL} for
 *       every column; the key columns when an update changes the key), else the field's zero value.</li>
 * </ul>
 * A field that is none of these is an error at start. Deletes fill the row's fields from the old row (the
 * key at least). Build-time only, not thread-safe.
 */
public final class CdcTable
{
    /** Operation code of a row read by the initial snapshot. */
    public static final int OP_SNAPSHOT = 0;
    /** Operation code of an insert. */
    public static final int OP_INSERT = 1;
    /** Operation code of an update. */
    public static final int OP_UPDATE = 2;
    /** Operation code of a delete. */
    public static final int OP_DELETE = 3;

    private final String table;
    private final String topic;
    private final Map<String, String> columns = new LinkedHashMap<>();
    private final Map<String, Integer> scales = new LinkedHashMap<>();
    private String opField = "op";
    private String deleteField = "deleted";
    private String commitTimeField = "commit_ts";
    private String lsnField = "lsn";
    private String beforePrefix = "before_";

    /**
     * A captured table.
     *
     * @param table the table, {@code schema.name} or {@code name} (schema {@code public}).
     * @param topic the engine topic its changes go to.
     */
    public CdcTable(final String table, final String topic)
    {
        this.table = table.contains(".") ? table : "public." + table;
        this.topic = topic;
    }

    /**
     * Fills a field from a column of another name.
     *
     * @param field  of the topic's schema.
     * @param column of the table.
     * @return this.
     */
    public CdcTable column(final String field, final String column)
    {
        columns.put(field, column);
        return this;
    }

    /**
     * Decimal places kept when a numeric column fills a LONG field: 12.34 with scale 2 is 1234; a value
     * with more decimal places is an error. Default 0.
     *
     * @param field of the topic's schema.
     * @param scale decimal places, 0 to 18.
     * @return this.
     */
    public CdcTable scale(final String field, final int scale)
    {
        if (scale < 0 || scale > 18)
        {
            throw new CdcException(CdcException.Category.CONFIGURATION, "table " + table + " field '" + field +
                "': scale must be in [0, 18], was " + scale);
        }
        scales.put(field, scale);
        return this;
    }

    /**
     * Name of the operation field (default {@code op}).
     *
     * @param field name.
     * @return this.
     */
    public CdcTable opField(final String field)
    {
        opField = field;
        return this;
    }

    /**
     * Name of the delete flag field (default {@code deleted}).
     *
     * @param field name.
     * @return this.
     */
    public CdcTable deleteField(final String field)
    {
        deleteField = field;
        return this;
    }

    /**
     * Name of the commit time field (default {@code commit_ts}).
     *
     * @param field name.
     * @return this.
     */
    public CdcTable commitTimeField(final String field)
    {
        commitTimeField = field;
        return this;
    }

    /**
     * Name of the commit LSN field (default {@code lsn}).
     *
     * @param field name.
     * @return this.
     */
    public CdcTable lsnField(final String field)
    {
        lsnField = field;
        return this;
    }

    /**
     * Prefix of the before-image fields (default {@code before_}).
     *
     * @param prefix of field names.
     * @return this.
     */
    public CdcTable beforePrefix(final String prefix)
    {
        beforePrefix = prefix;
        return this;
    }

    /**
     * The table.
     *
     * @return {@code schema.name}.
     */
    public String table()
    {
        return table;
    }

    /**
     * The topic.
     *
     * @return the topic name.
     */
    public String topic()
    {
        return topic;
    }

    String columnOf(final String field)
    {
        return columns.getOrDefault(field, field);
    }

    Map<String, String> columns()
    {
        return columns;
    }

    int scaleOf(final String field)
    {
        return scales.getOrDefault(field, 0);
    }

    String opField()
    {
        return opField;
    }

    String deleteField()
    {
        return deleteField;
    }

    String commitTimeField()
    {
        return commitTimeField;
    }

    String lsnField()
    {
        return lsnField;
    }

    String beforePrefix()
    {
        return beforePrefix;
    }

    String schemaName()
    {
        return table.substring(0, table.indexOf('.'));
    }

    String tableName()
    {
        return table.substring(table.indexOf('.') + 1);
    }

    @Override
    public String toString()
    {
        return table + " -> " + topic;
    }
}
