package io.sluice.cdc;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A model of an accounts table: applies random inserts, updates and deletes (in transactions of several
 * statements) to PostgreSQL and to itself, and records the change events each key must produce, in
 * order, as field maps comparable with {@link Rows#toMap}.
 */
final class AccountModel
{
    /** One row. */
    record Account(long id, String name, long balanceCents, boolean blocked, long openedMillis, double score, int visits)
    {
    }

    private final String table;
    private final Random random;
    private final Map<Long, Account> rows = new TreeMap<>();
    private final Map<Long, List<Map<String, String>>> expected = new HashMap<>();
    private long nextId = 1;
    private int events;

    AccountModel(final String table, final long seed)
    {
        this.table = table;
        this.random = new Random(seed);
    }

    static String ddl(final String table)
    {
        return "CREATE TABLE " + table + " (id bigint PRIMARY KEY, name varchar(12) NOT NULL, balance numeric(12,2) NOT NULL, " +
            "blocked boolean NOT NULL, opened timestamptz NOT NULL, score double precision NOT NULL, visits integer NOT NULL)";
    }

    /**
     * Inserts rows before the source starts: the snapshot must deliver them (op 0).
     *
     * @param c     connection.
     * @param count rows.
     * @throws SQLException on a database error.
     */
    void seed(final Connection c, final int count) throws SQLException
    {
        c.setAutoCommit(false);
        for (int i = 0; i < count; i++)
        {
            final Account a = newAccount();
            insert(c, a);
            rows.put(a.id(), a);
            record(a.id(), CdcTable.OP_SNAPSHOT, a, null);
        }
        c.commit();
        c.setAutoCommit(true);
    }

    /**
     * Runs one transaction of random statements.
     *
     * @param c          connection.
     * @param statements in the transaction.
     * @throws SQLException on a database error.
     */
    void transaction(final Connection c, final int statements) throws SQLException
    {
        c.setAutoCommit(false);
        for (int i = 0; i < statements; i++)
        {
            final int dice = random.nextInt(10);
            if (rows.isEmpty() || dice < 4)
            {
                final Account a = newAccount();
                insert(c, a);
                rows.put(a.id(), a);
                record(a.id(), CdcTable.OP_INSERT, a, null);
            }
            else if (dice < 8)
            {
                final Account old = pick();
                final Account a = new Account(old.id(), name(), random.nextInt(1_000_000) - 500_000L, random.nextBoolean(),
                    old.openedMillis(), random.nextInt(1000) / 8.0, old.visits() + 1);
                try (PreparedStatement s = c.prepareStatement("UPDATE " + table +
                    " SET name = ?, balance = ?, blocked = ?, score = ?, visits = ? WHERE id = ?"))
                {
                    s.setString(1, a.name());
                    s.setBigDecimal(2, BigDecimal.valueOf(a.balanceCents(), 2));
                    s.setBoolean(3, a.blocked());
                    s.setDouble(4, a.score());
                    s.setInt(5, a.visits());
                    s.setLong(6, a.id());
                    s.executeUpdate();
                }
                rows.put(a.id(), a);
                record(a.id(), CdcTable.OP_UPDATE, a, old);
            }
            else
            {
                final Account old = pick();
                try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE id = ?"))
                {
                    s.setLong(1, old.id());
                    s.executeUpdate();
                }
                rows.remove(old.id());
                record(old.id(), CdcTable.OP_DELETE, old, old);
            }
        }
        c.commit();
        c.setAutoCommit(true);
    }

    /**
     * One large transaction: inserts, then updates every row inserted.
     *
     * @param c     connection.
     * @param count rows inserted and updated.
     * @throws SQLException on a database error.
     */
    void largeTransaction(final Connection c, final int count) throws SQLException
    {
        c.setAutoCommit(false);
        final List<Account> inserted = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + table + " VALUES (?, ?, ?, ?, ?, ?, ?)"))
        {
            for (int i = 0; i < count; i++)
            {
                final Account a = newAccount();
                bind(s, a);
                s.addBatch();
                rows.put(a.id(), a);
                record(a.id(), CdcTable.OP_INSERT, a, null);
                inserted.add(a);
            }
            s.executeBatch();
        }
        try (PreparedStatement s = c.prepareStatement("UPDATE " + table + " SET balance = balance + 1 WHERE id = ?"))
        {
            for (final Account old : inserted)
            {
                s.setLong(1, old.id());
                s.addBatch();
                final Account a = new Account(old.id(), old.name(), old.balanceCents() + 100, old.blocked(), old.openedMillis(),
                    old.score(), old.visits());
                rows.put(a.id(), a);
                record(a.id(), CdcTable.OP_UPDATE, a, old);
            }
            s.executeBatch();
        }
        c.commit();
        c.setAutoCommit(true);
    }

    private Account newAccount()
    {
        return new Account(nextId++, name(), random.nextInt(1_000_000) - 500_000L, random.nextBoolean(),
            1_700_000_000_000L + random.nextInt(1_000_000_000), random.nextInt(1000) / 4.0, random.nextInt(100));
    }

    private String name()
    {
        final int length = 1 + random.nextInt(12);
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++)
        {
            sb.append((char)('a' + random.nextInt(26)));
        }
        return sb.toString();
    }

    private Account pick()
    {
        final Long[] keys = rows.keySet().toArray(new Long[0]);
        return rows.get(keys[random.nextInt(keys.length)]);
    }

    private void insert(final Connection c, final Account a) throws SQLException
    {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + table + " VALUES (?, ?, ?, ?, ?, ?, ?)"))
        {
            bind(s, a);
            s.executeUpdate();
        }
    }

    private static void bind(final PreparedStatement s, final Account a) throws SQLException
    {
        s.setLong(1, a.id());
        s.setString(2, a.name());
        s.setBigDecimal(3, BigDecimal.valueOf(a.balanceCents(), 2));
        s.setBoolean(4, a.blocked());
        s.setTimestamp(5, new Timestamp(a.openedMillis()));
        s.setDouble(6, a.score());
        s.setInt(7, a.visits());
    }

    private void record(final long id, final int op, final Account a, final Account before)
    {
        final Map<String, String> row = new LinkedHashMap<>();
        row.put("id", Long.toString(a.id()));
        row.put("name", a.name());
        row.put("balance", Long.toString(a.balanceCents()));
        row.put("blocked", Boolean.toString(a.blocked()));
        row.put("opened", Long.toString(a.openedMillis()));
        row.put("score", Double.toString(a.score()));
        row.put("visits", Long.toString(a.visits()));
        row.put("op", Integer.toString(op));
        row.put("deleted", Boolean.toString(op == CdcTable.OP_DELETE));
        row.put("before_balance", before == null ? "0" : Long.toString(before.balanceCents()));
        row.put("before_name", before == null ? "" : before.name());
        expected.computeIfAbsent(id, k -> new ArrayList<>()).add(row);
        events++;
    }

    /**
     * The events each key must produce, in order.
     *
     * @return per key the field maps (without commit_ts and lsn).
     */
    Map<Long, List<Map<String, String>>> expected()
    {
        return expected;
    }

    /**
     * Events expected in all.
     *
     * @return the count.
     */
    int events()
    {
        return events;
    }

    /**
     * The current rows.
     *
     * @return by id.
     */
    Map<Long, Account> rows()
    {
        return rows;
    }

    /**
     * The field map of a row as a table lookup returns it, for join checks.
     *
     * @param a row.
     * @return name and balance.
     */
    static String summary(final Account a)
    {
        return a.name() + "/" + a.balanceCents() + "/" + a.blocked();
    }
}
