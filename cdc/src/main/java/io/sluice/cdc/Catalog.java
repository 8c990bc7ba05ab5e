package io.sluice.cdc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.postgresql.replication.LogSequenceNumber;

/**
 * What the source asks PostgreSQL's catalog: a table's columns and key, the publication, the slot.
 */
final class Catalog
{
    /** {@link #slotConfirmedLsn} when the slot does not exist. */
    static final long NO_SLOT = -1;

    private Catalog()
    {
    }

    /**
     * A table's live, non-generated columns in attribute order, with its primary key columns marked.
     *
     * @param c         connection.
     * @param schema    of the table.
     * @param table     name.
     * @return the relation, or null if there is no such table.
     * @throws SQLException on a database error.
     */
    static PgRelation relation(final Connection c, final String schema, final String table) throws SQLException
    {
        try (PreparedStatement s = c.prepareStatement(
            "SELECT cl.oid, cl.relreplident, a.attname, a.atttypid, a.atttypmod, " +
            "       coalesce(a.attnum = ANY (i.indkey), false) AS key, format_type(a.atttypid, a.atttypmod) " +
            "FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace " +
            "JOIN pg_attribute a ON a.attrelid = cl.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' " +
            "LEFT JOIN pg_index i ON i.indrelid = cl.oid AND i.indisprimary " +
            "WHERE n.nspname = ? AND cl.relname = ? AND cl.relkind IN ('r', 'p') ORDER BY a.attnum"))
        {
            s.setString(1, schema);
            s.setString(2, table);
            try (ResultSet rs = s.executeQuery())
            {
                int oid = 0;
                byte identity = 'd';
                final List<PgRelation.Column> columns = new ArrayList<>();
                while (rs.next())
                {
                    oid = (int)rs.getLong(1);
                    identity = (byte)rs.getString(2).charAt(0);
                    columns.add(new PgRelation.Column(rs.getString(3), (int)rs.getLong(4), rs.getInt(5), rs.getBoolean(6), rs.getString(7)));
                }
                return columns.isEmpty() ? null : new PgRelation(oid, schema, table, identity, List.copyOf(columns));
            }
        }
    }

    /**
     * Checks the publication publishes every table, creating it when missing and allowed.
     *
     * @param c           connection.
     * @param publication name.
     * @param tables      captured.
     * @param create      whether to create a missing publication.
     * @throws SQLException on a database error.
     */
    static void ensurePublication(final Connection c, final String publication, final List<CdcTable> tables, final boolean create)
        throws SQLException
    {
        final List<String> published = new ArrayList<>();
        boolean exists;
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?"))
        {
            s.setString(1, publication);
            try (ResultSet rs = s.executeQuery())
            {
                exists = rs.next();
            }
        }
        if (!exists)
        {
            if (!create)
            {
                throw new CdcException(CdcException.Category.CONFIGURATION, "publication '" + publication + "' does not exist " +
                    "(create it with CREATE PUBLICATION, or allow the source to)");
            }
            final StringBuilder sql = new StringBuilder("CREATE PUBLICATION \"").append(publication).append("\" FOR TABLE ");
            for (int i = 0; i < tables.size(); i++)
            {
                sql.append(i == 0 ? "" : ", ").append('"').append(tables.get(i).schemaName()).append("\".\"")
                    .append(tables.get(i).tableName()).append('"');
            }
            sql.append(" WITH (publish = 'insert, update, delete')");
            try (Statement s = c.createStatement())
            {
                s.execute(sql.toString());
            }
            return;
        }
        try (PreparedStatement s = c.prepareStatement("SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = ?"))
        {
            s.setString(1, publication);
            try (ResultSet rs = s.executeQuery())
            {
                while (rs.next())
                {
                    published.add(rs.getString(1));
                }
            }
        }
        final List<String> missing = new ArrayList<>();
        for (final CdcTable t : tables)
        {
            if (!published.contains(t.table()))
            {
                missing.add(t.table());
            }
        }
        if (!missing.isEmpty())
        {
            throw new CdcException(CdcException.Category.CONFIGURATION, "publication '" + publication + "' does not publish " + missing +
                " (it publishes " + published + "): ALTER PUBLICATION " + publication + " ADD TABLE ...");
        }
    }

    /**
     * The slot's confirmed flush LSN.
     *
     * @param c    connection.
     * @param slot name.
     * @return the LSN, or {@link #NO_SLOT}.
     * @throws SQLException on a database error, or if the slot is not a pgoutput slot of this database.
     */
    static long slotConfirmedLsn(final Connection c, final String slot) throws SQLException
    {
        try (PreparedStatement s = c.prepareStatement(
            "SELECT confirmed_flush_lsn::text, plugin, database, slot_type FROM pg_replication_slots WHERE slot_name = ?"))
        {
            s.setString(1, slot);
            try (ResultSet rs = s.executeQuery())
            {
                if (!rs.next())
                {
                    return NO_SLOT;
                }
                if (!"logical".equals(rs.getString(4)) || !"pgoutput".equals(rs.getString(2)) ||
                    !c.getCatalog().equals(rs.getString(3)))
                {
                    throw new CdcException(CdcException.Category.SLOT, "replication slot '" + slot + "' is a " + rs.getString(4) + " slot of " +
                        "plugin " + rs.getString(2) + " on database " + rs.getString(3) + ", not a pgoutput slot of " + c.getCatalog());
                }
                return LogSequenceNumber.valueOf(rs.getString(1)).asLong();
            }
        }
    }

    /**
     * Drops a slot.
     *
     * @param c    connection.
     * @param slot name.
     * @throws SQLException on a database error.
     */
    static void dropSlot(final Connection c, final String slot) throws SQLException
    {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_drop_replication_slot(?)"))
        {
            s.setString(1, slot);
            s.execute();
        }
    }

    /**
     * Bytes of WAL the slot holds: the server's current WAL position minus the slot's confirmed flush LSN.
     *
     * @param c    connection.
     * @param slot name.
     * @return the lag in bytes, or -1 if the slot is missing.
     * @throws SQLException on a database error.
     */
    static long slotLagBytes(final Connection c, final String slot) throws SQLException
    {
        try (PreparedStatement s = c.prepareStatement(
            "SELECT (pg_current_wal_lsn() - confirmed_flush_lsn)::bigint FROM pg_replication_slots WHERE slot_name = ?"))
        {
            s.setString(1, slot);
            try (ResultSet rs = s.executeQuery())
            {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }
}
