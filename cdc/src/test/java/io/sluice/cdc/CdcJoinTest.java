package io.sluice.cdc;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sluice.engine.join.JoinResultHandler;
import io.sluice.engine.join.JoinType;
import io.sluice.engine.pipeline.Pipeline;
import io.sluice.engine.pipeline.Source;
import io.sluice.engine.runtime.Engine;
import io.sluice.engine.runtime.EngineContext;
import io.sluice.engine.runtime.EventPublisher;
import io.sluice.schema.EventFlyweight;
import io.sluice.schema.Schema;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A captured table used as the table of a stream-table join and of a table-table join, compared with a
 * model of the rows after inserts, updates and deletes in multi-statement and large transactions.
 */
class CdcJoinTest
{
    private static final long SEED = Long.getLong("cdc.seed", System.nanoTime());
    private static final Schema ORDER = Schema.builder("order")
        .longField("order_id").longField("account").longField("amount").timestampField("ts").build();
    private static final Schema LIMIT = Schema.builder("limit")
        .longField("id").longField("max_amount").intField("op").booleanField("deleted").timestampField("commit_ts").build();

    @TempDir
    Path dir;

    private final PostgresCluster pg = PostgresCluster.shared();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            closeables.get(i).close();
        }
    }

    @Test
    void shouldEnrichOrdersWithTheCapturedRowCurrentAtEachOrder() throws Exception
    {
        final String table = "jn_acc";
        pg.sql(AccountModel.ddl(table));
        final AccountModel model = new AccountModel(table, SEED);
        try (Connection c = pg.connect())
        {
            model.seed(c, 30);
        }
        final Rows.Collector sink = new Rows.Collector();
        final Pipeline enrich = Pipeline.join("enrich",
                Source.stream("orders", ORDER).partitionKey("account").eventTime("ts", 0),
                Source.table("accounts", Rows.ACCOUNT).partitionKey("id").deleteFlag("deleted").eventTime("commit_ts", 0))
            .lookup().type(JoinType.LEFT)
            .then()
            .sink("out", sink)
            .build();
        final Engine engine = Engine.launch(new EngineContext().directory(dir.resolve("engine")).partitions(3).ringSize(1024)
            .checkpointIntervalMillis(500), List.of(enrich));
        closeables.add(engine);
        final CdcSource source = CdcSource.start(engine, CdcStreamTest.context(pg, dir, "enrich_slot", CdcStreamTest.accounts(table)));
        closeables.add(source);
        // Changes made before the slot exists are part of the snapshot: start changing once it streams.
        Await.until("streaming", 60, () -> source.state() == CdcSource.State.STREAMING, () -> source.state() + " " + source.failure());

        final EventPublisher orders = engine.publisher("orders");
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[ORDER.length()]);
        final EventFlyweight order = new EventFlyweight(ORDER).wrapForWrite(buffer, 0);
        final Random random = new Random(SEED);
        final Map<Long, String> expected = new TreeMap<>();
        long orderId = 0;
        for (int round = 0; round < 12; round++)
        {
            try (Connection c = pg.connect())
            {
                if (round == 6)
                {
                    model.largeTransaction(c, 2_000);
                }
                for (int t = 0; t < 5; t++)
                {
                    model.transaction(c, 1 + random.nextInt(6));
                }
            }
            final int events = model.events();
            Await.until("round " + round + ": " + events + " changes published", 120, () -> source.metrics().changes() >= events,
                () -> "(" + source.metrics().changes() + ", " + source.state() + " " + source.failure() + ")");
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 40; i++)
            {
                final long account = 1 + random.nextInt((int)(model.rows().isEmpty() ? 10 : model.rows().keySet().stream().mapToLong(x -> x).max().getAsLong() + 3));
                order.putLong(0, ++orderId).putLong(1, account).putLong(2, random.nextInt(1000)).putLong(3, System.currentTimeMillis());
                orders.publish(buffer, 0);
                final AccountModel.Account a = model.rows().get(account);
                expected.put(orderId, a == null ? "null" : AccountModel.summary(a));
            }
            assertThat(engine.drain(60, TimeUnit.SECONDS)).isTrue();
        }
        final long orderCount = orderId;
        Await.until("every order joined", 60, () -> sink.size() >= orderCount);
        final Map<Long, String> actual = new TreeMap<>();
        for (final Map<String, String> row : sink.rows())
        {
            final boolean missing = (Integer.parseInt(row.get("join_flags")) & JoinResultHandler.RIGHT_NULL) != 0;
            actual.put(Long.parseLong(row.get("orders_order_id")), missing ? "null" :
                row.get("accounts_name") + "/" + row.get("accounts_balance") + "/" + row.get("accounts_blocked"));
        }
        assertThat(actual).as("seed %d", SEED).isEqualTo(expected);
        assertThat(sink.size()).isEqualTo(orderCount);
        // The table's topic shares its journal group with the orders: positions still reach the checkpoints.
        Await.until("the slot confirmed past the last commit", 60,
            () -> source.metrics().confirmedLsn() >= source.metrics().lastCommitLsn(),
            () -> source.metrics().confirmedLsn() + " < " + source.metrics().lastCommitLsn() + ", checkpoints " +
                engine.checkpoints().completed() + " failed " + engine.checkpoints().failed() + " " + engine.recoveryEvents());
    }

    @Test
    void shouldKeepTheTableTableJoinOfTwoCapturedTablesEqualToTheModel() throws Exception
    {
        final String accounts = "tt_acc";
        final String limits = "tt_lim";
        pg.sql(AccountModel.ddl(accounts), "CREATE TABLE " + limits + " (id bigint PRIMARY KEY, max_amount bigint NOT NULL)");
        final AccountModel model = new AccountModel(accounts, SEED);
        final Map<Long, Long> limitModel = new HashMap<>();
        final Random random = new Random(SEED + 1);
        try (Connection c = pg.connect())
        {
            model.seed(c, 20);
            for (long id = 1; id <= 25; id += 2)
            {
                limitChange(c, limits, limitModel, id, random);
            }
        }
        final Rows.Collector sink = new Rows.Collector();
        final Pipeline joined = Pipeline.join("account-limits",
                Source.table("accounts", Rows.ACCOUNT).partitionKey("id").deleteFlag("deleted").eventTime("commit_ts", 0),
                Source.table("limits", LIMIT).partitionKey("id").deleteFlag("deleted").eventTime("commit_ts", 0))
            .tables()
            .then()
            .sink("out", sink)
            .build();
        final Engine engine = Engine.launch(new EngineContext().directory(dir.resolve("engine")).partitions(2).ringSize(1024)
            .checkpointIntervalMillis(500), List.of(joined));
        closeables.add(engine);
        final CdcSource source = CdcSource.start(engine, CdcStreamTest.context(pg, dir, "tt_slot", CdcStreamTest.accounts(accounts),
            new CdcTable(limits, "limits")));
        closeables.add(source);
        Await.until("streaming", 60, () -> source.state() == CdcSource.State.STREAMING, () -> source.state() + " " + source.failure());
        try (Connection c = pg.connect())
        {
            for (int t = 0; t < 40; t++)
            {
                model.transaction(c, 1 + random.nextInt(5));
                c.setAutoCommit(false);
                for (int i = 0; i < 1 + random.nextInt(3); i++)
                {
                    limitChange(c, limits, limitModel, 1 + random.nextInt(40), random);
                }
                c.commit();
                c.setAutoCommit(true);
            }
        }
        final Map<Long, String> expected = new TreeMap<>();
        for (final AccountModel.Account a : model.rows().values())
        {
            final Long max = limitModel.get(a.id());
            if (max != null)
            {
                expected.put(a.id(), a.name() + "/" + max);
            }
        }
        final Map<Long, String> view = new TreeMap<>();
        Await.until("the joined view to match the model", 120, () ->
        {
            view.clear();
            for (final Map<String, String> row : sink.rows())
            {
                final long key = Long.parseLong(row.get("key"));
                if (Integer.parseInt(row.get("join_flags")) == JoinResultHandler.TOMBSTONE)
                {
                    view.remove(key);
                }
                else
                {
                    view.put(key, row.get("accounts_name") + "/" + row.get("limits_max_amount"));
                }
            }
            return view.equals(expected);
        }, () -> "(seed " + SEED + ": view " + view + " expected " + expected + ", " + source.state() + " " + source.failure() + ")");
    }

    @Test
    void shouldJoinOrdersToTheCapturedRowVersionAsOfTheirTimeByCommitTime() throws Exception
    {
        final String table = "ver_acc";
        pg.sql(AccountModel.ddl(table));
        final Rows.Collector sink = new Rows.Collector();
        final Pipeline versioned = Pipeline.join("versioned",
                Source.stream("orders", ORDER).partitionKey("account").eventTime("ts", 0),
                Source.table("accounts", Rows.ACCOUNT).partitionKey("id").deleteFlag("deleted").eventTime("commit_ts", 0))
            .lookupAsOfEventTime(8).type(JoinType.LEFT)
            .then()
            .sink("out", sink)
            .build();
        final Engine engine = Engine.launch(new EngineContext().directory(dir.resolve("engine")).partitions(2).ringSize(1024)
            .checkpointIntervalMillis(500), List.of(versioned));
        closeables.add(engine);
        final CdcSource source = CdcSource.start(engine, CdcStreamTest.context(pg, dir, "ver_slot", CdcStreamTest.accounts(table)));
        closeables.add(source);
        Await.until("streaming", 60, () -> source.state() == CdcSource.State.STREAMING, () -> source.state() + " " + source.failure());
        final long[] before = new long[3];
        final long[] after = new long[3];
        final String[] names = {"v1", "v2", "v3"};
        for (int i = 0; i < 3; i++)
        {
            before[i] = System.currentTimeMillis();
            pg.sql(i == 0 ? "INSERT INTO " + table + " VALUES (1, 'v1', 1, false, now(), 1, 1)" :
                "UPDATE " + table + " SET name = '" + names[i] + "' WHERE id = 1");
            after[i] = System.currentTimeMillis();
            final long committedBy = after[i];
            // Leave room between commits, so an order can lie strictly between two whatever the rounding.
            Await.until("the clock to pass the commit", 10, () -> System.currentTimeMillis() > committedBy + 10);
        }
        Await.until("three versions published", 60, () -> source.metrics().changes() >= 3);
        assertThat(engine.drain(30, TimeUnit.SECONDS)).isTrue();
        final EventPublisher orders = engine.publisher("orders");
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[ORDER.length()]);
        final EventFlyweight order = new EventFlyweight(ORDER).wrapForWrite(buffer, 0);
        // Each order's time lies strictly between two commits (commit times are taken inside [before, after]).
        final long[] times = {before[0] - 1_000, (after[0] + before[1]) / 2, (after[1] + before[2]) / 2, after[2] + 10};
        final String[] expected = {"null", "v1", "v2", "v3"};
        for (int i = 0; i < times.length; i++)
        {
            order.putLong(0, i).putLong(1, 1).putLong(2, 10).putLong(3, times[i]);
            orders.publish(buffer, 0);
        }
        engine.endOfInput("orders");
        Await.until("four joined orders", 60, () -> sink.size() >= 4, () -> sink.rows().toString());
        final Map<Long, String> actual = new TreeMap<>();
        for (final Map<String, String> row : sink.rows())
        {
            final boolean missing = (Integer.parseInt(row.get("join_flags")) & JoinResultHandler.RIGHT_NULL) != 0;
            actual.put(Long.parseLong(row.get("orders_order_id")), missing ? "null" : row.get("accounts_name"));
        }
        assertThat(actual).containsExactly(Map.entry(0L, expected[0]), Map.entry(1L, expected[1]), Map.entry(2L, expected[2]),
            Map.entry(3L, expected[3]));
    }

    private static void limitChange(final Connection c, final String table, final Map<Long, Long> model, final long id, final Random random)
        throws Exception
    {
        if (model.containsKey(id) && random.nextInt(4) == 0)
        {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE id = ?"))
            {
                s.setLong(1, id);
                s.executeUpdate();
            }
            model.remove(id);
            return;
        }
        final long max = random.nextInt(10_000);
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + table + " VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET max_amount = ?"))
        {
            s.setLong(1, id);
            s.setLong(2, max);
            s.setLong(3, max);
            s.executeUpdate();
        }
        model.put(id, max);
    }
}
